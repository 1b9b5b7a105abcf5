"""Public entry points: one deterministic simulation, and Monte Carlo over uncertainties.

Monte Carlo draws, per run, each reinforcement's delay from its distribution and each
request's withdrawal time (exponential waiting time with a yearly probability
``withdraw_per_year``: rate ``−ln(1 − p)`` per year from its submission, or from the start of
the horizon when it was submitted before).
Every run has its own :class:`numpy.random.SeedSequence`, spawned from the master seed, so
runs are independent and can be spread over workers (threads here, Dask later) with identical
numbers: run ``i`` always uses ``SeedSequence(seed).spawn(runs)[i]``.

:func:`monte_carlo` is the one Monte Carlo runner: the CLI (with a progress bar), the service
(progress into its job row) and Dask (:mod:`netruimte.scale.montecarlo`, which passes its own
``grants`` function that computes the runs on a cluster) all call it, so seeding, compare runs
and the assembly of the result exist once.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import replace
from typing import TypedDict

import numpy as np

from netruimte.conventions import IntArray
from netruimte.errors import InputError
from netruimte.grid.model import shift_by_months
from netruimte.waitlist.engine import CompiledScenario, compile_scenario
from netruimte.waitlist.explain import build_result
from netruimte.waitlist.kernel_types import GRANTED, WITHDRAWN
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.rules import Policy
from netruimte.waitlist.run import run_compiled
from netruimte.waitlist.scenario import Fit, Scenario

__all__ = [
    "GrantsRunner",
    "RunsDone",
    "SimulationOptions",
    "draw_run",
    "fresh_seed",
    "grants_on_threads",
    "monte_carlo",
    "run_grants",
    "run_seeds",
    "simulate",
]

RunsDone = Callable[[int], None]
"""A progress callback: called with the number of runs just finished (a bar's ``advance``)."""
GrantsRunner = Callable[[CompiledScenario, Sequence[np.random.SeedSequence], RunsDone], IntArray]
"""Computes the grants matrix (one :func:`run_grants` row per seed, in seed order)."""
_NS_PER_YEAR = 365.25 * 86400 * 1e9
NEVER, WITHDRAWN_SELF = -1, -2


class SimulationOptions(TypedDict, total=False):
    """The rule options of :func:`simulate` and :func:`monte_carlo`, for callers that pass
    them through unchanged (``**options: Unpack[SimulationOptions]``).

    ``policy`` and ``fit`` override the scenario's; ``compare`` adds a second result under
    that policy (``result.compare``).
    """

    policy: Policy | str | None
    fit: Fit | str | None
    compare: Policy | str | None


def simulate(
    scenario: Scenario,
    *,
    policy: Policy | str | None = None,
    fit: Fit | str | None = None,
    compare: Policy | str | None = None,
) -> SimulationResult:
    """Run one deterministic simulation (no delays, only dated withdrawals).

    Parameters
    ----------
    scenario
        The scenario.
    policy, fit
        Override the scenario's policy and fit.
    compare
        A second policy; its result goes into ``result.compare``.
    """
    c = compile_scenario(scenario, policy=policy, fit=fit)
    result = build_result(c, run_compiled(c))
    if compare is not None:
        other = simulate(scenario, policy=compare, fit=fit)
        result = replace(result, compare=other)
    return result


def fresh_seed() -> int:
    """A new master seed from the operating system's entropy (``SeedSequence().entropy``)."""
    entropy = np.random.SeedSequence().entropy
    if not isinstance(entropy, int):  # pragma: no cover - numpy draws one int without a seed
        raise TypeError(f"unexpected entropy {entropy!r}")
    return entropy


def run_seeds(seed: int | None, runs: int) -> list[np.random.SeedSequence]:
    """The per-run seed sequences: ``SeedSequence(seed).spawn(runs)``."""
    if not isinstance(runs, int) or runs < 1:
        raise InputError(f"runs must be a whole number >= 1, got {runs!r}", field="runs")
    return np.random.SeedSequence(seed).spawn(runs)


def draw_run(c: CompiledScenario, seed_seq: np.random.SeedSequence) -> tuple[IntArray, IntArray]:
    """One run's draws: reinforcement moments and withdrawal moments.

    Draw order (fixed, for reproducibility): one delay per reinforcement that has a delay
    distribution, in scenario order; then one standard exponential per request.
    """
    rng = np.random.Generator(np.random.PCG64(seed_seq))
    grid = c.scenario.grid
    delays = np.zeros(len(grid.reinforcements))
    for k, dist in enumerate(c.delays):
        if dist is not None:
            delays[k] = float(dist.sample(rng, 1)[0])
    if np.any(delays):
        days = np.array([m.toordinal() for m in c.moments], dtype=np.int64)
        rf_m = np.array(
            [
                np.searchsorted(days, shift_by_months(rf.date, delays[k]).toordinal(), "left")
                for k, rf in enumerate(grid.reinforcements)
            ],
            dtype=np.int64,
        )
    else:
        rf_m = c.reinforcement_m
    n_m = len(c.moments)
    e = rng.standard_exponential(c.n_requests)
    withdraw_m = c.withdraw_m
    rate = c.withdraw_rate
    has = rate > 0
    if np.any(has):
        # the clock runs from submission, or from the start of the horizon if later
        clock = np.maximum(c.start_ns[has], c.moment_ns[0]).astype(np.float64)
        when = clock + (e[has] / rate[has]) * _NS_PER_YEAR
        when = np.minimum(when, float(np.iinfo(np.int64).max) / 2)
        drawn = np.full(c.n_requests, n_m, dtype=np.int64)
        drawn[has] = np.searchsorted(c.moment_ns, when.astype(np.int64), side="left")
        withdraw_m = np.minimum(withdraw_m, drawn)
    return rf_m, withdraw_m


def run_grants(c: CompiledScenario, seed_seq: np.random.SeedSequence) -> IntArray:
    """One Monte Carlo run: per request the grant moment, -1 never, -2 withdrawn itself."""
    rf_m, withdraw_m = draw_run(c, seed_seq)
    raw = run_compiled(c, reinforcement_m=rf_m, withdraw_m=withdraw_m)
    out = np.where(raw.walk.status == GRANTED, raw.walk.grant_m, NEVER)
    out[raw.walk.status == WITHDRAWN] = WITHDRAWN_SELF
    return out.astype(np.int64)


def grants_on_threads(workers: int | None = None) -> GrantsRunner:
    """The default :data:`GrantsRunner`: runs on ``workers`` threads (default: the CPUs).

    Row ``i`` is always seed ``i``'s run, whichever thread computed it, so the matrix does not
    depend on ``workers``; ``progress(1)`` follows each finished run.
    """
    threads = max(1, workers if workers is not None else (os.cpu_count() or 1))

    def run(
        c: CompiledScenario, seeds: Sequence[np.random.SeedSequence], progress: RunsDone
    ) -> IntArray:
        out = np.empty((len(seeds), c.n_requests), dtype=np.int64)
        if threads <= 1 or len(seeds) == 1:
            for i, ss in enumerate(seeds):
                out[i] = run_grants(c, ss)
                progress(1)
            return out
        with ThreadPoolExecutor(max_workers=threads) as pool:  # the kernel releases the GIL
            futures = {pool.submit(run_grants, c, ss): i for i, ss in enumerate(seeds)}
            for future in as_completed(futures):
                out[futures[future]] = future.result()
                progress(1)
        return out

    return run


def _no_progress(_: int) -> None:
    return None


def monte_carlo(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    *,
    policy: Policy | str | None = None,
    fit: Fit | str | None = None,
    compare: Policy | str | None = None,
    workers: int | None = None,
    progress: RunsDone | None = None,
    grants: GrantsRunner | None = None,
) -> SimulationResult:
    """Deterministic result plus P10/P50/P90 grant dates over ``runs`` random runs.

    ``granted_on``, ranks and explanations come from the deterministic run. Percentiles are
    taken over the runs in which the request did not withdraw itself (inverted CDF: the
    earliest moment by which at least q of those runs granted it); null when that is not
    within the horizon, or when it withdrew in every run.

    Parameters
    ----------
    runs, seed
        Number of runs and master seed (defaults: the scenario's ``runs`` and ``seed``).
    workers
        Threads (default: the number of CPUs); results do not depend on it. Ignored when
        ``grants`` is given.
    progress
        Called with the number of runs just finished (also for the ``compare`` runs).
    grants
        Computes the runs (default :func:`grants_on_threads`; Dask passes its own). The
        result does not depend on it: row ``i`` is always the run of seed ``i``.
    """
    n_runs = scenario.runs if runs is None else runs
    master = scenario.seed if seed is None else seed
    seeds = run_seeds(master, n_runs)
    runner = grants if grants is not None else grants_on_threads(workers)
    done = progress if progress is not None else _no_progress
    c = compile_scenario(scenario, policy=policy, fit=fit)
    base = run_compiled(c)
    result = build_result(c, base, grants=runner(c, seeds, done), runs=n_runs, seed=master)
    if compare is not None:
        other = monte_carlo(
            scenario, n_runs, master, policy=compare, fit=fit, progress=done, grants=runner
        )
        result = replace(result, compare=other)
    return result
