"""Allocation runs: forecasts (deterministic or Monte Carlo) and allocation moments.

* A **forecast** simulates the register over its horizon with :func:`netruimte.waitlist.simulate`
  (or Monte Carlo with ``runs > 1``): expected grant dates, ranks and explanations for every
  waiting request. Nothing in the register changes. Forecasts are jobs (status and progress at
  ``/api/v1/jobs/{id}``); results are kept per run.
* An **allocation moment** (``allocate``) applies the policy now: the waiting requests are
  ranked at one moment and those that fit are granted, in one transaction that locks every
  station row first. The walk is the same engine as the forecast (profile fit when the
  register has load profiles, partial offers: a partial offer becomes a granted part
  ``ID.partN`` and the rest keeps its place; alternative rights from ``accepts`` at the
  request's rank, after which the row holds the right it was granted; small consumers before
  2026-07-01 from their station's reserve, outside the queue), and in peak mode each grant is
  checked again against the live headroom before it is written. The ranking and every grant
  are audit entries.

Results keep each request's owner, so an applicant sees only its own requests' outcomes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from typing import Any, TypedDict

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.jobs import queue as jobs
from netruimte.register.convert import (
    WAITING,
    build_scenario,
    check_day,
    domain_request,
    load_register,
    paths,
    request_fields,
    today,
)
from netruimte.register.grid_state import NodeRoom, check_fit, live_rooms
from netruimte.register.offer_state import OFFERED
from netruimte.register.requests import record_grant
from netruimte.storage import Database
from netruimte.storage.tables import Request, Run, RunRequest, RunStation
from netruimte.waitlist import (
    Fit,
    Policy,
    SimulationResult,
    explain,
    monte_carlo,
    simulate,
)

__all__ = [
    "ALLOCATE",
    "FORECAST",
    "MAX_RUNS",
    "MONTE_CARLO",
    "RunOutcome",
    "RunRequestView",
    "RunView",
    "allocate",
    "create_run",
    "execute_run",
    "fail_run",
    "get_run",
    "list_runs",
    "monte_carlo_with_progress",
    "run_outcome",
    "run_request",
    "run_results",
    "split_partial",
]

FORECAST, MONTE_CARLO, ALLOCATE = "forecast", "monte-carlo", "allocate"
MAX_RUNS = 5000
MAX_HORIZON_YEARS = 100
_SEED_LIMIT = 2**31  # fits a 32-bit integer column on every database

Progress = Callable[[float, str], None]


def _choice(kind: type[Policy] | type[Fit], value: str | None, field: str) -> str | None:
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


def create_run(
    db: Database,
    principal: Principal,
    *,
    policy: str | None = None,
    fit: str | None = None,
    compare: str | None = None,
    runs: int = 1,
    seed: int | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> RunView:
    """Queue a forecast (``runs == 1``) or a Monte Carlo forecast (``runs > 1``)."""
    require_operator(principal, "start an allocation run")
    pol = _choice(Policy, policy, "policy")
    fit_ = _choice(Fit, fit, "fit")
    cmp_ = _choice(Policy, compare, "compare")
    if isinstance(runs, bool) or not isinstance(runs, int) or not 1 <= runs <= MAX_RUNS:
        raise InputError(f"runs must be a whole number from 1 to {MAX_RUNS}", field="runs")
    if seed is not None and not 0 <= seed < _SEED_LIMIT:
        raise InputError(f"seed must be in [0, {_SEED_LIMIT})", field="seed")
    with db.write() as session:
        reg = load_register(session)
        first = start or reg.start
        last = end or reg.end
        check_day(first, "start")
        check_day(last, "end")
        if last <= first:
            raise InputError(f"end {last} must be after start {first}", field="end")
        if (last - first).days > MAX_HORIZON_YEARS * 366:
            raise InputError(f"a horizon of at most {MAX_HORIZON_YEARS} years", field="end")
        if runs > 1 and seed is None:
            seed = reg.seed if reg.seed is not None else secrets.randbelow(_SEED_LIMIT)
        run = Run(
            kind=MONTE_CARLO if runs > 1 else FORECAST,
            status=jobs.QUEUED,
            policy=pol or reg.policy,
            fit=fit_ or reg.fit,
            compare=cmp_,
            runs=runs,
            seed=seed,
            start=first,
            end=last,
            created_by=principal.user_id,
            created_at=utc_now(),
        )
        session.add(run)
        session.flush()
        job = jobs.enqueue(session, "run", run.id, principal.user_id)
        run.job_id = job.id
        return run_view(run)


def monte_carlo_with_progress(
    scenario: Any,
    runs: int,
    seed: int | None,
    *,
    policy: str,
    fit: str,
    progress: Progress,
    share: tuple[float, float] = (0.0, 1.0),
) -> SimulationResult:
    """:func:`netruimte.waitlist.monte_carlo` on one thread, reporting progress as a share
    of the job (``share``: the part of the job's progress these runs fill)."""
    lo, hi = share
    step = max(1, runs // 50)
    done = 0

    def advance(n: int) -> None:
        nonlocal done
        for _ in range(n):
            done += 1
            if done % step == 0 or done == runs:
                progress(lo + (hi - lo) * done / runs, f"{done} of {runs} runs ({policy})")

    # The service's scenarios carry no seed of their own, so ``seed=None`` stays a fresh one.
    return monte_carlo(scenario, runs, seed, policy=policy, fit=fit, workers=1, progress=advance)


def _owners(session: Session) -> dict[str, int | None]:
    return {rid: owner for rid, owner in session.execute(select(Request.id, Request.owner_id))}


def _store_result(
    session: Session, run: Run, result: SimulationResult, owners: dict[str, int | None]
) -> str:
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


def execute_run(db: Database, job: jobs.JobInfo, progress: Progress) -> None:
    """Job handler: compute a forecast and store its results."""
    with db.read() as session:
        run = session.get(Run, job.target_id)
        if run is None:
            raise NotFound(f"run {job.target_id} no longer exists")
        scenario = build_scenario(session, start=run.start, end=run.end)
        spec = (run.policy, run.fit, run.compare, run.runs, run.seed)
    policy, fit, compare, n_runs, seed = spec
    progress(0.0, f"simulating {len(scenario.requests)} waiting requests")
    if n_runs == 1:
        result = simulate(scenario, policy=policy, fit=fit, compare=compare)
    else:
        half = (0.0, 0.475) if compare else (0.0, 0.95)
        result = monte_carlo_with_progress(
            scenario, n_runs, seed, policy=policy, fit=fit, progress=progress, share=half
        )
        if compare:
            other = monte_carlo_with_progress(
                scenario,
                n_runs,
                seed,
                policy=compare,
                fit=fit,
                progress=progress,
                share=(0.475, 0.95),
            )
            result = dataclasses.replace(result, compare=other)
    progress(0.99, "storing results")
    with db.write() as session:
        run = session.get(Run, job.target_id)
        if run is None:
            raise NotFound(f"run {job.target_id} no longer exists")
        digest = _store_result(session, run, result, _owners(session))
        run.status = jobs.DONE
        run.finished_at = utc_now()
        run.error = None
        run.granted_count = sum(1 for r in result.requests if r.granted_on is not None)
        audit.append(
            db,
            session,
            actor=f"run:{run.id}",
            action="run.forecast",
            obj=f"run:{run.id}",
            inputs={
                "kind": run.kind,
                "policy": policy,
                "fit": fit,
                "compare": compare,
                "runs": n_runs,
                "seed": seed,
                "start": run.start,
                "end": run.end,
                "requests": len(result.requests),
                "result_sha256": digest,
            },
            policy=audit.policy_version(policy, run.start),
        )


def fail_run(db: Database, job: jobs.JobInfo, message: str) -> None:
    """Job handler on failure: mark the run failed with the reason."""
    jobs.fail_target(db, Run, job, message)


def allocate(
    db: Database,
    principal: Principal,
    *,
    on: dt.date | None = None,
    policy: str | None = None,
    fit: str | None = None,
) -> RunView:
    """An allocation moment on ``on`` (default today): rank, grant what fits, audit it all."""
    require_operator(principal, "run an allocation moment")
    check_day(on, "on")
    pol = _choice(Policy, policy, "policy")
    fit_ = _choice(Fit, fit, "fit")
    with db.write() as session:
        reg = load_register(session)
        stations = db.lock_all_stations(session)
        day = on or today(session)
        # the same engine as a forecast: profile fit when the register has load profiles,
        # and partial offers (docs/rules.md)
        scenario = build_scenario(
            session, start=day, end=day + dt.timedelta(days=1), stations=stations
        )
        scenario = dataclasses.replace(scenario, use_it_or_lose_it=None)
        used_policy, used_fit = pol or reg.policy, fit_ or reg.fit
        result = simulate(scenario, policy=used_policy, fit=used_fit)
        winners = [o for o in result.requests if o.granted_on == day]
        partials = [
            o
            for o in result.requests
            if o.granted_on is None and any(x.on == day for x in o.offers)
        ]
        rows = {r.id: r for r in db.lock_requests(session, [o.id for o in (*winners, *partials)])}
        peak = result.capacity == "peak"
        rooms = live_rooms(session, stations, day)
        path_of = paths(stations)
        version = audit.policy_version(used_policy, day)
        now = utc_now()
        run = Run(
            kind=ALLOCATE,
            status=jobs.DONE,
            policy=used_policy,
            fit=used_fit,
            compare=None,
            runs=1,
            seed=None,
            start=day,
            end=day + dt.timedelta(days=1),
            created_by=principal.user_id,
            created_at=now,
            finished_at=now,
            granted_count=len(winners),
        )
        session.add(run)
        session.flush()
        ranking: dict[str, list[dict[str, Any]]] = {}
        for out in sorted(result.requests, key=lambda o: (o.station, o.direction, o.rank or 0)):
            if out.rank is not None:
                ranking.setdefault(f"{out.station}/{out.direction.value}", []).append(
                    {"id": out.id, "category": out.category.value, "rank": out.rank}
                )
        audit.append(
            db,
            session,
            actor=principal,
            action="run.ranking",
            obj=f"run:{run.id}",
            inputs={"on": day, "fit": used_fit, "ranking": ranking},
            policy=version,
        )
        for out in winners:
            row = rows.get(out.id)
            if row is None or row.status != WAITING:
                raise RuntimeError(f"request {out.id} changed while locked; allocation aborted")
            path = path_of[row.station_id]
            granted_as = _take_right(row, out.offers[-1].contract.value if out.offers else None)
            if out.outside_queue:  # a small consumer from reserved room, not queue headroom
                record_grant(
                    db,
                    session,
                    principal,
                    row,
                    day=day,
                    now=now,
                    path=path,
                    room_before_mw={},
                    policy=version,
                    run={"run": run.id, "outside_queue": True, "category": out.category.value},
                )
                continue
            binding = check_fit(rooms, path, row.direction, row.kw)
            if peak and binding is not None:  # the engine and the live rule must agree
                raise RuntimeError(
                    f"allocation engine granted {out.id} but {binding.station} has only "
                    f"{binding.room_mw:.6f} MW left; nothing was written"
                )
            before = _take_room(rooms, path, row.direction, row.kw)
            record_grant(
                db,
                session,
                principal,
                row,
                day=day,
                now=now,
                path=path,
                room_before_mw=before,
                policy=version,
                run={
                    "run": run.id,
                    "rank": out.rank,
                    "category": out.category.value,
                    **({"alternative": granted_as} if granted_as else {}),
                },
            )
        for out in partials:
            row = rows.get(out.id)
            if row is None or row.status != WAITING:
                raise RuntimeError(f"request {out.id} changed while locked; allocation aborted")
            [offer] = [x for x in out.offers if x.on == day]
            path = path_of[row.station_id]
            if peak and check_fit(rooms, path, row.direction, offer.kw) is not None:
                raise RuntimeError(f"partial offer to {out.id} does not fit; nothing was written")
            before = _take_room(rooms, path, row.direction, offer.kw)
            part = split_partial(session, row, offer.kw, now)
            part.offer_status = OFFERED  # the applicant answers it (register.offers)
            run.granted_count = (run.granted_count or 0) + 1
            record_grant(
                db,
                session,
                principal,
                part,
                day=day,
                now=now,
                path=path,
                room_before_mw=before,
                policy=version,
                run={
                    "run": run.id,
                    "rank": out.rank,
                    "category": out.category.value,
                    "partial_offer_of": row.id,
                    "rest_kw": row.kw,
                },
            )
            audit.append(  # the request itself changed: it now waits for the rest
                db,
                session,
                actor=principal,
                action="request.partial",
                obj=f"request:{row.id}",
                inputs={"run": run.id, "part": part.id, "part_kw": offer.kw, "rest_kw": row.kw},
                policy=version,
            )
        _store_result(session, run, result, _owners(session))
        session.flush()
        return run_view(run)


def _take_right(row: Request, contract: str | None) -> str | None:
    """Put the row under the alternative right it was granted (``accepts``); its name or None.

    The granted right replaces the row's contract, capacity blocks and restricted level; the
    other alternatives are dropped (the request holds one right now).
    """
    if contract is None or contract == row.contract:
        return None
    [alt] = [a for a in domain_request(row).accepts if a.contract.value == contract]
    row.contract = alt.contract.value
    row.blocks = list(alt.capacity_blocks) if alt.capacity_blocks is not None else None
    row.restricted_kw = alt.restricted_kw
    row.accepts = None
    return contract


def _take_room(
    rooms: dict[tuple[str, str], NodeRoom], path: tuple[str, ...], direction: str, kw: float
) -> dict[str, float]:
    """Count ``kw`` as granted at every node of ``path``; the room each had before (MW)."""
    before = {n: rooms[(n, direction)].room_mw for n in path}
    for node in path:
        r = rooms[(node, direction)]
        rooms[(node, direction)] = NodeRoom(
            r.station, r.direction, r.capacity_mw, r.load_mw, r.granted_mw + kw / 1000
        )
    return before


def split_partial(session: Session, row: Request, kw: float, now: dt.datetime) -> Request:
    """Record a partial offer: a granted part ``ID.partN`` of ``kw``; the rest keeps its place.

    The live register has one row per contract: the part gets its own row (same applicant,
    station, submission and priority, so it is traceable to the request) and the original
    row waits for the rest with its submission time, so its place in the queue is kept.
    """
    n = 1
    while session.get(Request, f"{row.id}.part{n}") is not None:
        n += 1
    pure = dataclasses.replace(domain_request(row), id=f"{row.id}.part{n}", kw=kw, used_kw=None)
    position = (session.scalar(select(func.max(Request.position))) or 0) + 1
    part = Request(
        **request_fields(pure),
        position=position,
        owner_id=row.owner_id,
        status=WAITING,
        created_at=now,
        updated_at=now,
    )
    session.add(part)
    row.kw = row.kw - kw
    row.updated_at = now
    session.flush()
    return part


def _visible_run(session: Session, run_id: int) -> Run:
    run = session.get(Run, run_id)
    if run is None:
        raise NotFound(f"no run {run_id}")
    return run


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
