"""Allocation runs (forecasts, Monte Carlo, allocation moments), their results and jobs."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from netruimte.web.api.schemas.common import Category, Day, FitName, PolicyName, Whole, _In

__all__ = [
    "AllocateIn",
    "JobOut",
    "ResultBlock",
    "ResultOut",
    "ResultRequest",
    "ResultStation",
    "RunIn",
    "RunOut",
    "RunRequestOut",
]


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
