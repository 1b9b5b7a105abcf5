"""Stored runs: a run's view, storing a run's result and reading it back.

Forecasts (:mod:`netruimte.register.runs`) and allocation moments
(:mod:`netruimte.register.allocation`) both store their result here: one row per request
(``run_requests``, with its owner, so an applicant sees only its own requests' outcomes) and
per station (``run_stations``), and the whole result as JSON with its SHA-256 in the audit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
from typing import Any, TypedDict

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from netruimte.access.auth import Principal
from netruimte.errors import InputError, NotFound
from netruimte.jobs import queue as jobs
from netruimte.storage import Database, get_row
from netruimte.storage.tables import Request, Run, RunRequest, RunStation
from netruimte.waitlist import Fit, Policy, SimulationResult, explain

__all__ = [
    "ALLOCATE",
    "FORECAST",
    "MONTE_CARLO",
    "RunOutcome",
    "RunRequestView",
    "RunView",
    "checked_choice",
    "get_run",
    "list_runs",
    "owners",
    "run_outcome",
    "run_request",
    "run_results",
    "run_view",
    "store_result",
]

FORECAST, MONTE_CARLO, ALLOCATE = "forecast", "monte-carlo", "allocate"


def checked_choice(kind: type[Policy] | type[Fit], value: str | None, field: str) -> str | None:
    """``value`` as a member of ``kind`` (None stays None); an unknown one is an input error."""
    if value is None:
        return None
    try:
        return kind(value).value
    except ValueError:
        choices = " | ".join(m.value for m in kind)
        raise InputError(f"unknown {field} {value!r}; expected {choices}", field=field) from None


class RunView(TypedDict):
    """The API's view of a run (:func:`run_view`); dates and times are ISO text."""

    id: int
    kind: str
    status: str
    policy: str
    fit: str
    compare: str | None
    runs: int
    seed: int | None
    start: str
    end: str
    created_at: str
    finished_at: str | None
    job_id: int | None
    granted_count: int | None
    error: str | None
    results: str | None


def run_view(run: Run) -> RunView:
    """The API's view of a run."""
    return {
        "id": run.id,
        "kind": run.kind,
        "status": run.status,
        "policy": run.policy,
        "fit": run.fit,
        "compare": run.compare,
        "runs": run.runs,
        "seed": run.seed,
        "start": run.start.isoformat(),
        "end": run.end.isoformat(),
        "created_at": run.created_at.isoformat(),
        "finished_at": run.finished_at.isoformat() if run.finished_at else None,
        "job_id": run.job_id,
        "granted_count": run.granted_count,
        "error": run.error,
        "results": f"/api/v1/runs/{run.id}/results" if run.status == jobs.DONE else None,
    }


def owners(session: Session) -> dict[str, int | None]:
    """The owner of every request, by id (a run's rows keep it)."""
    return {rid: owner for rid, owner in session.execute(select(Request.id, Request.owner_id))}


def store_result(
    session: Session, run: Run, result: SimulationResult, owners: dict[str, int | None]
) -> str:
    """Store ``result`` as ``run``'s rows and JSON (replacing any); the JSON's SHA-256."""
    session.execute(delete(RunRequest).where(RunRequest.run_id == run.id))
    session.execute(delete(RunStation).where(RunStation.run_id == run.id))
    for k, out in enumerate(result.requests):
        one = dataclasses.replace(result, requests=(out,), compare=None)  # explain in O(1)
        session.add(
            RunRequest(
                run_id=run.id,
                request_id=out.id,
                position=k,
                owner_id=owners.get(out.id),
                station_id=out.station,
                category=out.category.value,
                status=out.status.value,
                rank=out.rank,
                rank_of=out.rank_of,
                granted_on=out.granted_on,
                granted_p10=out.granted_p10,
                granted_p50=out.granted_p50,
                granted_p90=out.granted_p90,
                explanation=out.explanation,
                detail=explain(one, out.id),
            )
        )
    for k, st in enumerate(result.stations):
        session.add(
            RunStation(
                run_id=run.id,
                station_id=st.id,
                position=k,
                offtake_mw=st.offtake_mw,
                allocated_mw=st.allocated_mw,
                waiting_mw=st.waiting_mw,
                alleviation_year=st.alleviation_year,
                alleviation_feedin_year=st.alleviation_feedin_year,
            )
        )
    text = json.dumps(result.to_json_dict(), ensure_ascii=False)
    run.result_json = text
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _visible_run(session: Session, run_id: int) -> Run:
    return get_row(session, Run, run_id, "run")


def get_run(db: Database, principal: Principal, run_id: int) -> RunView:
    """A run's status (any authenticated user; results are filtered per owner)."""
    del principal
    with db.read() as session:
        return run_view(_visible_run(session, run_id))


def list_runs(db: Database, principal: Principal, limit: int = 50) -> list[RunView]:
    """Newest runs first."""
    del principal
    with db.read() as session:
        rows = session.scalars(select(Run).order_by(Run.id.desc()).limit(limit))
        return [run_view(r) for r in rows]


def run_results(db: Database, principal: Principal, run_id: int) -> dict[str, Any]:
    """The run's Result JSON (DESIGN.md); an applicant gets only its own requests in it."""
    with db.read() as session:
        run = _visible_run(session, run_id)
        if run.status != jobs.DONE or run.result_json is None:
            raise NotFound(f"run {run_id} has no results (status {run.status})")
        result: dict[str, Any] = json.loads(run.result_json)
        if not principal.is_operator:
            own = set(
                session.scalars(
                    select(RunRequest.request_id).where(
                        RunRequest.run_id == run_id, RunRequest.owner_id == principal.user_id
                    )
                )
            )
            for block in (result, result.get("compare")):
                if isinstance(block, dict):
                    block["requests"] = [r for r in block["requests"] if r["id"] in own]
        result["run"] = run_view(run)
        return result


class RunOutcome(TypedDict):
    """A request's outcome in a stored run (:func:`run_outcome`); dates are ISO text."""

    category: str
    status: str
    rank: int | None
    rank_of: int | None
    granted_on: str | None
    granted_p10: str | None
    granted_p50: str | None
    granted_p90: str | None
    explanation: str


class RunRequestView(RunOutcome):
    """One request in a stored run with its full explanation (:func:`run_request`)."""

    run_id: int
    id: str
    station: str
    detail: str


def run_outcome(row: RunRequest) -> RunOutcome:
    """A request's outcome in a stored run: category, status, rank, grant dates (ISO) and
    the explanation."""

    def iso(day: dt.date | None) -> str | None:
        return day.isoformat() if day else None

    return {
        "category": row.category,
        "status": row.status,
        "rank": row.rank,
        "rank_of": row.rank_of,
        "granted_on": iso(row.granted_on),
        "granted_p10": iso(row.granted_p10),
        "granted_p50": iso(row.granted_p50),
        "granted_p90": iso(row.granted_p90),
        "explanation": row.explanation,
    }


def run_request(db: Database, principal: Principal, run_id: int, request_id: str) -> RunRequestView:
    """One request's outcome and full explanation in a run (own requests only for applicants)."""
    with db.read() as session:
        _visible_run(session, run_id)
        row = session.get(RunRequest, (run_id, request_id))
        if row is None or not principal.owns(row.owner_id):
            raise NotFound(f"no request {request_id!r} in run {run_id}")
        return {
            "run_id": run_id,
            "id": row.request_id,
            "station": row.station_id,
            **run_outcome(row),
            "detail": row.detail,
        }
