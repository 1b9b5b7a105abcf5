"""The register as a whole: settings, scenario import, the audit trail."""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel

from netruimte.access import audit
from netruimte.web.api.schemas.common import FitName, PolicyName, model_of

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


AuditVerifyOut = model_of(
    audit.AuditVerification,
    "AuditVerifyOut",
    "The outcome of recomputing the chain.",
    described={
        "objects_checked": "Requests, stations and reinforcements whose rows match the trail",
        "objects_not_covered": "Rows last changed by entries older than the state digests "
        "(not checked)",
    },
)
"""The outcome of recomputing the chain: the fields of :class:`~netruimte.access.audit.
AuditVerification`."""
