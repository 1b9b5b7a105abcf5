"""Allocation runs (forecasts, Monte Carlo, allocation moments) and background jobs."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Depends, Query

from netruimte.jobs import queue as jobs
from netruimte.register import runs
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.runs import (
    AllocateIn,
    JobOut,
    ResultOut,
    RunIn,
    RunOut,
    RunRequestOut,
)
from netruimte.web.deps import Caller, Db, IntId, TextId, wake_worker

__all__ = ["router"]

router = resource_router("runs")


@router.get("/runs", response_model=list[RunOut], summary="List runs")
def list_runs(
    db: Db, caller: Caller, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> list[runs.RunView]:
    """Newest runs first."""
    return runs.list_runs(db, caller, limit)


@router.post(
    "/runs",
    response_model=RunOut,
    status_code=202,
    summary="Start a forecast",
    dependencies=[Depends(wake_worker)],
)
def create_run(db: Db, caller: Caller, body: RunIn) -> runs.RunView:
    """Queue a forecast (``runs = 1``) or a Monte Carlo forecast (``runs > 1``); poll the job
    at ``/api/v1/jobs/{job_id}`` (operators)."""
    return runs.create_run(
        db,
        caller,
        policy=body.policy,
        fit=body.fit,
        compare=body.compare,
        runs=body.runs,
        seed=body.seed,
        start=body.start,
        end=body.end,
    )


@router.post("/runs/allocate", response_model=RunOut, status_code=201, summary="Allocation moment")
def allocate(db: Db, caller: Caller, body: AllocateIn) -> runs.RunView:
    """Rank the waiting requests on a date and grant those that fit, in one transaction
    (operators). The ranking and every grant are audit entries."""
    return runs.allocate(db, caller, on=body.on, policy=body.policy, fit=body.fit)


@router.get("/runs/{run_id}", response_model=RunOut, summary="A run's status")
def get_run(db: Db, caller: Caller, run_id: IntId) -> runs.RunView:
    """A run's status and settings."""
    return runs.get_run(db, caller, run_id)


@router.get("/runs/{run_id}/results", response_model=ResultOut, summary="A run's results")
def run_results(db: Db, caller: Caller, run_id: IntId) -> dict[str, Any]:
    """The contract's Result JSON; applicants get only their own requests in it."""
    return runs.run_results(db, caller, run_id)


@router.get(
    "/runs/{run_id}/requests/{request_id}",
    response_model=RunRequestOut,
    summary="Explanation for one request",
)
def run_request(db: Db, caller: Caller, run_id: IntId, request_id: TextId) -> runs.RunRequestView:
    """One request's outcome in a run, with the full explanation."""
    return runs.run_request(db, caller, run_id, request_id)


@router.get("/jobs", response_model=list[JobOut], summary="List jobs")
def list_jobs(
    db: Db,
    caller: Caller,
    status: Annotated[Literal["queued", "running", "done", "failed"] | None, Query()] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> list[jobs.JobView]:
    """Newest jobs first (applicants: their own)."""
    return jobs.list_jobs(db, caller, status=status, limit=limit)


@router.get("/jobs/{job_id}", response_model=JobOut, summary="A job's status and progress")
def get_job(db: Db, caller: Caller, job_id: IntId) -> jobs.JobView:
    """Poll a job: status, progress (0–1), message, error."""
    return jobs.get_job(db, caller, job_id)
