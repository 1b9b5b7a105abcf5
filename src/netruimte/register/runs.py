"""Allocation runs: forecasts (deterministic or Monte Carlo) and allocation moments.

* A **forecast** simulates the register over its horizon with :func:`netruimte.waitlist.simulate`
  (or Monte Carlo with ``runs > 1``): expected grant dates, ranks and explanations for every
  waiting request. Nothing in the register changes. Forecasts are jobs (status and progress at
  ``/api/v1/jobs/{id}``); results are kept per run.
* An **allocation moment** (``allocate``, :mod:`netruimte.register.allocation`) applies the
  policy now: the waiting requests that fit are granted.

Both store their results through :mod:`netruimte.register.run_store`, which this module
re-exports with ``allocate`` (the API's one entry point for runs).

Results keep each request's owner, so an applicant sees only its own requests' outcomes.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import secrets
from collections.abc import Callable
from typing import Any

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.jobs import queue as jobs
from netruimte.register.allocation import allocate, split_partial
from netruimte.register.convert import build_scenario, check_day, load_register
from netruimte.register.run_store import (
    ALLOCATE,
    FORECAST,
    MONTE_CARLO,
    RunOutcome,
    RunRequestView,
    RunView,
    checked_choice,
    get_run,
    list_runs,
    owners,
    run_outcome,
    run_request,
    run_results,
    run_view,
    store_result,
)
from netruimte.storage import Database
from netruimte.storage.tables import Run
from netruimte.waitlist import Fit, Policy, SimulationResult, monte_carlo, simulate

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

MAX_RUNS = 5000
MAX_HORIZON_YEARS = 100
_SEED_LIMIT = 2**31  # fits a 32-bit integer column on every database

Progress = Callable[[float, str], None]


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
    pol = checked_choice(Policy, policy, "policy")
    fit_ = checked_choice(Fit, fit, "fit")
    cmp_ = checked_choice(Policy, compare, "compare")
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
        digest = store_result(session, run, result, owners(session))
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
