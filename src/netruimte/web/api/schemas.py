"""Request and response bodies of the API (Pydantic models, published in ``/openapi.json``).

Field names follow the interface contract (DESIGN.md) and, for the capacity map, Netbeheer
Nederland's information model (docs/sources.md [capacity-map-model]). Bodies reject unknown fields
(``extra=forbid``), so a misspelt key is a 422 naming it rather than a silently ignored value.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    model_validator,
)

__all__ = [
    "AllocateIn",
    "AlternativeIn",
    "AlternativeOut",
    "AnnexIn",
    "AuditEntryOut",
    "AuditPage",
    "AuditVerifyOut",
    "CapacityMapEntry",
    "CapacityMapOut",
    "ClaimDecisionIn",
    "ClaimIn",
    "ClaimOut",
    "ErrorOut",
    "HeadroomOut",
    "ImportOut",
    "JobOut",
    "MeOut",
    "QueueOut",
    "RegisterOut",
    "ReinforcementIn",
    "ReinforcementOut",
    "ReinforcementPatch",
    "RequestIn",
    "RequestOut",
    "RequestPage",
    "RequestPatch",
    "ResultOut",
    "RunIn",
    "RunOut",
    "RunRequestOut",
    "SitePlanOut",
    "StationIn",
    "StationOut",
    "StationPatch",
    "WithdrawIn",
]

IdStr = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$"),
]
Direction = Literal["offtake", "feed-in"]
Contract = Literal["firm", "time-block", "tdtr", "non-firm"]
Category = Literal["none", "congestion-reliever", "safety", "basic-needs"]
PolicyName = Literal["fcfs", "acm-2024", "acm-2026", "in-force"]
FitName = Literal["first-fit", "strict"]
DAY_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""A date from 1900-01-01 to 2200-12-31 in ISO form (the calendar is checked as well)."""

INSTANT_PATTERN = (
    r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$"
)
"""An instant in ISO 8601 from the year 1900 to 2200 (no zone: the register's)."""


def _iso_day(value: Any) -> Any:
    """Only ISO text (or a date) is a date: no Unix timestamps such as ``on=0``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(DAY_PATTERN, value):
        raise ValueError("expected a date from 1900-01-01 to 2200-12-31 such as 2026-07-01")
    return value


def _iso_instant(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(INSTANT_PATTERN, value):
        raise ValueError(
            "expected an ISO 8601 time from the year 1900 to 2200 such as 2026-07-01T09:00+02:00"
        )
    return value


Day = Annotated[
    dt.date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
"""A date in requests: ISO text from 1900-01-01 to 2200-12-31, as the schema says."""

Instant = Annotated[
    dt.datetime,
    BeforeValidator(_iso_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
"""An instant in requests: ISO 8601 text from the year 1900 to 2200."""

Num = Annotated[float, Field(strict=True)]
"""A JSON number: true/false and text are refused (strict), integers are fine."""

Whole = Annotated[int, Field(strict=True)]
"""A JSON integer: true/false, text and fractions are refused."""

Flag = Annotated[bool, Field(strict=True)]
"""A JSON true or false: 0, 1 and text are refused."""

MW = Annotated[float, Field(strict=True, ge=0, le=1e6, allow_inf_nan=False)]


MAX_MW = 1e6
"""Largest MW figure accepted (1 TW): keeps every sum finite."""


def _reject_nul(value: Any, where: str) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{where or 'value'}: text must not contain NUL characters")
    if isinstance(value, dict):
        for k, v in value.items():
            _reject_nul(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for v in value:
            _reject_nul(v, where)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _reject_nul(data, "")
        return data


class ErrorOut(BaseModel):
    """Every error answer: what went wrong and, for bad input, which field."""

    error: str = Field(description="kind: input | not-found | forbidden | unauthorized | …")
    message: str
    field: str | None = None
    source: str | None = None
    line: int | None = None


class MeOut(BaseModel):
    """The caller."""

    name: str
    role: Literal["operator", "applicant"]


# -- grid ------------------------------------------------------------------------------------
class StationOut(BaseModel):
    """A station (MW)."""

    id: str
    name: str
    parent: str | None
    offtake_mw: float
    load_mw: float
    feedin_mw: float | None
    feedin_load_mw: float
    voltage_kv: float | None
    connection_kv: float
    small_consumer_reserve_mw: float | None
    lat: float | None
    lon: float | None
    aggregated: bool
    load_csv: str | None
    feedin_load_csv: str | None
    has_load_profile: bool
    has_feedin_load_profile: bool


class StationIn(_In):
    """A new station."""

    id: IdStr
    name: str = Field("", max_length=300)
    parent: str | None = Field(None, max_length=100)
    offtake_mw: MW
    load_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_load_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    voltage_kv: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    connection_kv: Num = Field(
        10.0, gt=0, le=1000, allow_inf_nan=False, description="kV customers connect at here"
    )
    small_consumer_reserve_mw: Num | None = Field(
        None, ge=0, le=1e6, allow_inf_nan=False, description="room reserved for small consumers"
    )
    lat: Num | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: Num | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    aggregated: Flag = False


class StationPatch(_In):
    """Changes to a station (only the fields given)."""

    name: str | None = Field(None, max_length=300)
    parent: str | None = Field(None, max_length=100)
    offtake_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    load_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_load_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    voltage_kv: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    connection_kv: Num = Field(  # type: ignore[assignment]  # null refused
        None, gt=0, le=1000, allow_inf_nan=False
    )
    small_consumer_reserve_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    lat: Num | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: Num | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    aggregated: Flag = None  # type: ignore[assignment]  # null refused


class NodeRoomOut(BaseModel):
    """Headroom at one node in one direction (MW; null = unlimited)."""

    station: str
    direction: Direction
    capacity_mw: float | None
    load_mw: float
    granted_mw: float
    room_mw: float | None


class HeadroomOut(BaseModel):
    """Headroom along a station's path on a date."""

    station: str
    on: dt.date
    path: list[str]
    nodes: list[NodeRoomOut]


class Delay(_In):
    """A reinforcement's delay distribution (Monte Carlo only), months."""

    distribution: Literal["triangular", "uniform", "pert", "fixed"]
    min_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)
    mode_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)
    max_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)


class ReinforcementOut(BaseModel):
    """A planned reinforcement."""

    id: str
    station: str
    date: dt.date
    offtake_mw: float
    feedin_mw: float
    delay: dict[str, Any] | None


class ReinforcementIn(_In):
    """A new reinforcement."""

    id: IdStr
    station: str = Field(min_length=1, max_length=100)
    date: Day
    offtake_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    delay: Delay | None = None


class ReinforcementPatch(_In):
    """Changes to a reinforcement."""

    station: str | None = Field(None, min_length=1, max_length=100)
    date: Day | None = None
    offtake_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    delay: Delay | None = None


# -- public ----------------------------------------------------------------------------------
class CapacityMapEntry(BaseModel):
    """One station in the information model's field names (MW, counts, colours)."""

    short_code: str
    name: str
    parent: str | None
    demand_available_capacity: float
    demand_quoted_capacity: float
    demand_capacity_in_queue: float
    demand_requests_in_queue: int
    demand_constraint: Literal["transparant", "green", "amber", "red"]
    demand_constraint_code: int = Field(ge=0, le=3)
    demand_forecast_capacity: float
    demand_alleviation_year: int | None
    generation_available_capacity: float | None
    generation_quoted_capacity: float
    generation_capacity_in_queue: float
    generation_requests_in_queue: int
    generation_constraint: Literal["transparant", "green", "amber", "red"]
    generation_constraint_code: int = Field(ge=0, le=3)
    generation_forecast_capacity: float | None
    generation_alleviation_year: int | None
    as_of: dt.date


class CapacityMapOut(BaseModel):
    """The public capacity map."""

    as_of: dt.date
    colours: dict[str, str]
    stations: list[CapacityMapEntry]


class QueueCell(BaseModel):
    """Waiting requests of one station, direction and category (null when suppressed)."""

    station: str
    direction: Direction
    category: Category
    requests: int | None
    mw: float | None
    suppressed: bool


class QueueTotal(BaseModel):
    """All waiting requests in one direction."""

    requests: int
    mw: float


class QueueOut(BaseModel):
    """Anonymised waiting-list figures."""

    as_of: dt.date
    min_cell: int
    cells: list[QueueCell]
    totals: dict[Direction, QueueTotal]


# -- requests --------------------------------------------------------------------------------
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

    owner: str | None = Field(None, max_length=200)
    applicant: str = Field(None, max_length=300)  # type: ignore[assignment]  # null refused
    kw: Num = Field(None, gt=0, le=1e7, allow_inf_nan=False)  # type: ignore[assignment]
    contract: Contract = None  # type: ignore[assignment]
    function: str | None = Field(None, max_length=60)
    ean: str | None = Field(None, max_length=18)
    used_kw: Num | None = Field(None, ge=0, le=1e7, allow_inf_nan=False)
    withdraw_per_year: Num | None = Field(None, ge=0, lt=1)
    accepts: list[AlternativeIn] | None = Field(None, max_length=3)
    accept_partial: Flag = None  # type: ignore[assignment]  # null refused
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


# -- runs and jobs ---------------------------------------------------------------------------
class RunIn(_In):
    """A forecast: one deterministic run (``runs = 1``) or Monte Carlo (``runs > 1``)."""

    policy: PolicyName | None = None
    fit: FitName | None = None
    compare: PolicyName | None = None
    runs: Whole = Field(1, ge=1, le=5000)
    seed: Whole | None = Field(None, ge=0, lt=2**31)
    start: Day | None = None
    end: Day | None = None


class AllocateIn(_In):
    """An allocation moment: rank and grant what fits on ``on`` (default today)."""

    on: Day | None = None
    policy: PolicyName | None = None
    fit: FitName | None = None


class RunOut(BaseModel):
    """An allocation run."""

    id: int
    kind: Literal["forecast", "monte-carlo", "allocate"]
    status: Literal["queued", "running", "done", "failed"]
    policy: PolicyName
    fit: FitName
    compare: PolicyName | None
    runs: int
    seed: int | None
    start: dt.date
    end: dt.date
    created_at: dt.datetime
    finished_at: dt.datetime | None
    job_id: int | None
    granted_count: int | None
    error: str | None
    results: str | None


class ResultRequest(BaseModel):
    """A request in the contract's Result JSON."""

    model_config = ConfigDict(extra="allow")

    id: str
    category: Category
    rank: int | None
    granted_on: dt.date | None
    explanation: str


class ResultStation(BaseModel):
    """A station in the contract's Result JSON."""

    id: str
    offtake_mw: float
    allocated_mw: float
    waiting_mw: float


class ResultBlock(BaseModel):
    """The ``compare`` block: the same shape for the second policy."""

    policy: PolicyName
    fit: FitName
    requests: list[ResultRequest]
    stations: list[ResultStation]


class ResultOut(ResultBlock):
    """The contract's Result JSON (``waitlist simulate --json``) plus the run."""

    compare: ResultBlock | None = None
    run: RunOut


class RunRequestOut(BaseModel):
    """One request's outcome in a run, with the full explanation."""

    run_id: int
    id: str
    station: str
    category: Category
    status: Literal["waiting", "granted", "withdrawn"]
    rank: int | None
    rank_of: int | None
    granted_on: dt.date | None
    granted_p10: dt.date | None
    granted_p50: dt.date | None
    granted_p90: dt.date | None
    explanation: str
    detail: str


class JobOut(BaseModel):
    """A background job and its progress."""

    id: int
    kind: Literal["run", "site-plan"]
    target_id: int
    target: str | None
    status: Literal["queued", "running", "done", "failed"]
    progress: float = Field(ge=0, le=1)
    message: str
    error: str | None
    attempts: int
    created_at: dt.datetime
    started_at: dt.datetime | None
    finished_at: dt.datetime | None


# -- site plans ------------------------------------------------------------------------------
class SitePlanOut(BaseModel):
    """A site plan: status, the contract's Plan JSON when done, links to report and profile."""

    id: int
    name: str
    status: Literal["queued", "running", "done", "failed"]
    job_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    files: list[str]
    plan: dict[str, Any] | None
    error: str | None
    report: str | None
    import_csv: str | None
    annex: dict[str, Any] | None = Field(
        description="The request annex (request.json of `site plan --out`) when feasible"
    )


# -- register, scenario, audit ---------------------------------------------------------------
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
