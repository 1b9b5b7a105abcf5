"""The register as a whole: settings, scenario import, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, Field

from netruimte.web.api.schemas._common import FitName, PolicyName

__all__ = [
    "AuditEntryOut",
    "AuditPage",
    "AuditVerifyOut",
    "ImportOut",
    "RegisterOut",
]


class RegisterOut(BaseModel):
    """The register's scenario settings and counts."""

    name: str
    start: dt.date
    end: dt.date
    policy: PolicyName
    fit: FitName
    capacity: str | None
    timezone: str
    source: str | None
    imported_at: dt.datetime
    stations: int
    reinforcements: int
    requests: dict[str, int]


class ImportOut(BaseModel):
    """What an import put in the register."""

    name: str
    source: str
    stations: int
    reinforcements: int
    requests: int
    policy: PolicyName
    fit: FitName
    start: dt.date
    end: dt.date


class AuditEntryOut(BaseModel):
    """One audit entry."""

    seq: int
    at: str
    actor: str
    action: str
    object: str
    policy_version: str
    inputs: Any
    prev_hash: str
    hash: str


class AuditPage(BaseModel):
    """Audit entries after a sequence number."""

    items: list[AuditEntryOut]
    next_after: int | None


class AuditVerifyOut(BaseModel):
    """The outcome of recomputing the chain."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    objects_checked: int = Field(
        description="Requests, stations and reinforcements whose rows match the trail"
    )
    objects_not_covered: int = Field(
        description="Rows last changed by entries older than the state digests (not checked)"
    )
