"""Monte Carlo of the waiting list on Dask, with the same numbers as the sequential run.

:func:`netruimte.waitlist.monte_carlo` gives run ``i`` the seed sequence
``SeedSequence(seed).spawn(runs)[i]`` (:func:`netruimte.waitlist.simulation.run_seeds`), so a
run's draws do not depend on which process computes it. Here the runs are cut into chunks of
consecutive run indices; each chunk is one Dask task that calls
:func:`netruimte.waitlist.simulation.run_grants` for its runs on the compiled scenario (sent to the
workers once). The client puts every chunk's rows back at their run indices; the rest (seeds,
compare runs, the assembly of the result) is the one runner :func:`netruimte.waitlist.monte_carlo`,
given this module's ``grants`` function: the same
:class:`~netruimte.waitlist.result.SimulationResult`, for any chunk size or cluster.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, Unpack

import numpy as np
from distributed import Client

from netruimte.conventions import IntArray
from netruimte.errors import InputError
from netruimte.scale.cluster import broadcast, cancel, cluster_threads, completed, dask_client
from netruimte.waitlist.engine import CompiledScenario
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario
from netruimte.waitlist.simulation import (
    RunsDone,
    SimulationOptions,
    monte_carlo,
    run_grants,
    run_seeds,
)

__all__ = ["TASKS_PER_THREAD", "grant_chunk", "monte_carlo_distributed", "run_chunks"]

TASKS_PER_THREAD = 4
"""The default chunk gives each worker thread about this many tasks (load balance vs overhead)."""

Progress = RunsDone


def grant_chunk(
    c: CompiledScenario, start: int, seeds: Sequence[np.random.SeedSequence]
) -> tuple[int, IntArray]:
    """Grant moments of the runs ``start, start + 1, …`` (one row per seed; a Dask task).

    Returns ``(start, rows)`` with ``rows[k]`` = :func:`run_grants` of ``seeds[k]``, in the
    smallest integer type that holds every moment index exactly (int16 for fewer than 32,767
    moments: a quarter of the bytes to send back; the client widens it to int64 again).
    """
    dtype = _grant_dtype(len(c.moments))
    rows = np.empty((len(seeds), c.n_requests), dtype=dtype)
    for k, seed_seq in enumerate(seeds):
        rows[k] = run_grants(c, seed_seq)  # values in [-2, moments): exact in dtype
    return start, rows


def _grant_dtype(moments: int) -> type[np.signedinteger[Any]]:
    """The smallest signed integer type holding ``-2 .. moments - 1``."""
    for dtype in (np.int16, np.int32):
        if moments <= np.iinfo(dtype).max:
            return dtype
    return np.int64


def run_chunks(runs: int, chunk: int) -> list[tuple[int, int]]:
    """Cut run indices ``0..runs-1`` into ``[start, stop)`` chunks of ``chunk`` runs."""
    if isinstance(chunk, bool) or not isinstance(chunk, int) or chunk < 1:
        raise InputError(f"chunk must be a whole number >= 1, got {chunk!r}", field="chunk")
    return [(a, min(a + chunk, runs)) for a in range(0, runs, chunk)]


def _grants_on_dask(
    client: Client,
    c: CompiledScenario,
    seeds: Sequence[np.random.SeedSequence],
    chunk: int | None,
    progress: RunsDone,
) -> IntArray:
    runs = len(seeds)
    if chunk is None:
        chunk = max(1, math.ceil(runs / (TASKS_PER_THREAD * cluster_threads(client))))
    spans = run_chunks(runs, chunk)
    # Every worker gets its own copy, so losing a worker does not lose the input of the rest.
    compiled = broadcast(client, c)
    futures = [client.submit(grant_chunk, compiled, a, seeds[a:b], pure=False) for a, b in spans]
    out = np.full((runs, c.n_requests), np.iinfo(np.int64).min, dtype=np.int64)
    filled = np.zeros(runs, dtype=bool)
    try:
        for future in completed(futures):
            start, rows = future.result()  # a failed chunk raises here: no partial result
            stop = start + len(rows)
            if filled[start:stop].any():  # cannot happen with as_completed; never hide it
                raise RuntimeError(f"runs {start}..{stop - 1} arrived twice")
            out[start:stop] = rows
            filled[start:stop] = True
            progress(len(rows))
    finally:
        cancel(client, [*futures, compiled])
    if not filled.all():
        missing = np.flatnonzero(~filled)
        raise RuntimeError(f"{missing.size} Monte Carlo runs did not come back, e.g. {missing[0]}")
    return out


def monte_carlo_distributed(
    scenario: Scenario,
    runs: int | None = None,
    seed: int | None = None,
    *,
    scheduler: str | None = None,
    client: Client | None = None,
    chunk: int | None = None,
    progress: Progress | None = None,
    **options: Unpack[SimulationOptions],
) -> SimulationResult:
    """:func:`netruimte.waitlist.monte_carlo` with the runs spread over a Dask cluster.

    Same arguments and the same result (equal ``to_json_dict()``) for the same seed.

    Parameters
    ----------
    scenario, runs, seed
        As :func:`netruimte.waitlist.monte_carlo` (defaults: the scenario's runs and seed).
    scheduler
        ``tcp://HOST:PORT`` of a running Dask scheduler; ``None`` starts an in-process local
        cluster (2 worker processes) for this call. Ignored when ``client`` is given.
    client
        An open :class:`distributed.Client` to use (and leave open).
    chunk
        Runs per Dask task; default: about :data:`TASKS_PER_THREAD` tasks per worker thread.
        The result does not depend on it.
    progress
        Called with the number of runs finished each time a chunk comes back (a progress
        bar's ``advance``).
    **options
        ``policy``, ``fit`` and ``compare``, passed on to :func:`netruimte.waitlist.monte_carlo`
        (:class:`~netruimte.waitlist.simulation.SimulationOptions`).

    Raises
    ------
    InputError
        Bad ``runs``/``chunk``, a malformed scheduler address, or no scheduler answering.
    """
    n_runs = scenario.runs if runs is None else runs
    master = scenario.seed if seed is None else seed
    run_seeds(master, n_runs)  # validate before connecting
    if chunk is not None:
        run_chunks(n_runs, chunk)  # validate before connecting
    if client is None:
        with dask_client(scheduler) as own:
            return monte_carlo_distributed(
                scenario, n_runs, master, client=own, chunk=chunk, progress=progress, **options
            )
    live: Client = client

    def on_dask(
        c: CompiledScenario, seeds: Sequence[np.random.SeedSequence], done: RunsDone
    ) -> IntArray:
        return _grants_on_dask(live, c, seeds, chunk, done)

    return monte_carlo(scenario, n_runs, master, progress=progress, grants=on_dask, **options)
