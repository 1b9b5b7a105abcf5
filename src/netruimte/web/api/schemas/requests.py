"""Requests, priority claims and site-plan annexes."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from netruimte.web.api.schemas.common import (
    UNSET,
    Category,
    Contract,
    Day,
    Direction,
    Flag,
    IdStr,
    Instant,
    Num,
    Whole,
    _In,
)

__all__ = [
    "AlternativeIn",
    "AlternativeOut",
    "AnnexIn",
    "ClaimDecisionIn",
    "ClaimIn",
    "ClaimOut",
    "GrantIn",
    "RequestIn",
    "RequestOut",
    "RequestPage",
    "RequestPatch",
    "WithdrawIn",
]


class AlternativeIn(_In):
    """An alternative transport right a request would also take (``accepts``)."""

    contract: Literal["time-block", "tdtr", "non-firm"]
    capacity_blocks: list[str] | None = Field(
        None, max_length=24, description="time-block only: windows with the full kW"
    )
    restricted_kw: Num = Field(0.0, ge=0, le=1e7, allow_inf_nan=False)


class AlternativeOut(BaseModel):
    """An alternative transport right."""

    contract: Literal["time-block", "tdtr", "non-firm"]
    capacity_blocks: list[str] | None
    restricted_kw: float


class RequestIn(_In):
    """A new request. Applicants give the connection; operators may give every field."""

    station: str = Field(min_length=1, max_length=100)
    kw: Num = Field(gt=0, le=1e7, allow_inf_nan=False)
    direction: Direction | None = None
    contract: Contract | None = None
    small_consumer: Flag | None = None
    function: str | None = Field(None, max_length=60)
    ean: str | None = Field(None, max_length=18)
    needed: Day | None = None
    capacity_blocks: list[str] | None = Field(None, max_length=24)
    blocks: list[str] | None = Field(
        None, max_length=24, description="Refused: the old restricted windows; use capacity_blocks"
    )
    restricted_kw: Num | None = Field(None, ge=0, le=1e7, allow_inf_nan=False)
    accepts: list[AlternativeIn] | None = Field(
        None, max_length=3, description="alternatives offered in queue order when it does not fit"
    )
    accept_partial: Flag | None = None
    connection_kv: Num | None = Field(None, gt=0, le=1000, allow_inf_nan=False)
    applicant: str | None = Field(None, max_length=300)
    # operators only
    id: IdStr | None = None
    owner: str | None = Field(None, max_length=200)
    submitted: Instant | None = None
    category: Category | None = None
    evidence: Flag | None = None
    contract_signed: Flag | None = None
    score: Num | None = Field(None, ge=-1e9, le=1e9, allow_inf_nan=False)
    used_kw: Num | None = Field(None, ge=0, le=1e7, allow_inf_nan=False)
    withdraw_per_year: Num | None = Field(None, ge=0, lt=1)
    withdrawn: Day | None = None


class RequestPatch(_In):
    """Operator changes to a request's details."""

    # UNSET: a field that may be left out but not set to null

    owner: str | None = Field(None, max_length=200)
    applicant: str = Field(UNSET, max_length=300)
    kw: Num = Field(UNSET, gt=0, le=1e7, allow_inf_nan=False)
    contract: Contract = UNSET
    function: str | None = Field(None, max_length=60)
    ean: str | None = Field(None, max_length=18)
    used_kw: Num | None = Field(None, ge=0, le=1e7, allow_inf_nan=False)
    withdraw_per_year: Num | None = Field(None, ge=0, lt=1)
    accepts: list[AlternativeIn] | None = Field(None, max_length=3)
    accept_partial: Flag = UNSET
    connection_kv: Num | None = Field(None, gt=0, le=1000, allow_inf_nan=False)


class RequestOut(BaseModel):
    """A request and its live status."""

    id: str
    owner: str | None
    applicant: str
    station: str
    direction: Direction
    kw: float
    submitted: dt.datetime
    category: Category
    eligible_category: Category | None
    function: str | None
    evidence: bool
    contract: Contract
    small_consumer: bool
    contract_signed: bool
    score: float | None
    ean: str | None
    needed: dt.date | None
    capacity_blocks: list[str] | None
    restricted_kw: float
    accepts: list[AlternativeOut]
    accept_partial: bool
    connection_kv: float | None
    used_kw: float | None
    withdraw_per_year: float | None
    withdrawn: dt.date | None
    profile_csv: str | None
    has_profile: bool
    site_plan_id: int | None
    status: Literal["waiting", "granted", "withdrawn"]
    granted_on: dt.date | None
    granted_at: dt.datetime | None
    withdrawn_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime


class RequestPage(BaseModel):
    """A page of requests."""

    total: int
    limit: int
    offset: int
    items: list[RequestOut]


class WithdrawIn(_In):
    """Why the request is withdrawn (optional)."""

    reason: str | None = Field(None, max_length=2000)


class GrantIn(_In):
    """The date of the grant (default today in the register's zone)."""

    on: Day | None = None


class ClaimIn(_In):
    """A priority claim with a description of the evidence."""

    category: Literal["congestion-reliever", "safety", "basic-needs"]
    function: str | None = Field(None, max_length=60)
    evidence: str = Field(min_length=1, max_length=5000)


class ClaimDecisionIn(_In):
    """An operator's decision on a claim."""

    accept: Flag
    reason: str = Field(min_length=1, max_length=5000)
    score: Num | None = Field(None, ge=-1e9, le=1e9, allow_inf_nan=False)


class ClaimOut(BaseModel):
    """A priority claim."""

    id: int
    request_id: str
    category: Category
    function: str | None
    evidence: str
    status: Literal["pending", "accepted", "rejected"]
    claimed_at: dt.datetime
    decided_at: dt.datetime | None
    reason: str | None
    score: float | None


class AnnexIn(_In):
    """Attach a site plan to a request."""

    site_plan_id: Whole = Field(ge=1, le=2**31 - 1)
    adopt: Flag = Field(
        True,
        description="Also take the annex's kW, contract and capacity blocks (else: profile only)",
    )
