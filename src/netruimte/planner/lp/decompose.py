"""Min-cost by decomposition over the sizing: exact bounds, warm-started dispatch re-solves.

The full-year LP couples 35,040 steps through a handful of sizing columns (new PV kWp, battery
kWh and kW). Fixing them leaves a pure dispatch LP (contracted kW and monthly kW-max still
free) that the dual simplex re-solves from its previous optimal basis in a fraction of a
second. Its optimum ``F(x)`` is convex in the sizing ``x``, and the reduced costs of the fixed
sizing columns are a subgradient ``g`` of ``F`` at ``x`` (LP duality). So every evaluation
gives an **upper bound** ``F(x)`` (when nothing is left unserved: ``x`` with its optimal
dispatch is a feasible plan of the full LP) and a **cut** ``F(y) >= F(x) + g·(y − x)`` for
every sizing ``y``; the least value of the cutting-plane model ``max_k F(x_k) + g_k·(y − x_k)``
over the box of allowed sizes is a **lower bound** on the optimum of the full LP.

The method (a trust-region cutting-plane method, Kelley's with a box step) evaluates the
model's minimiser inside a box around the best sizing so far, and stops when the best plan's
cost is within ``gap_tolerance`` (relative) of the lower bound. It returns the best evaluated
sizing with its optimal dispatch: a feasible plan whose cost is proven within the gap of the
optimum of the monolithic LP. Proof and details: ``docs/formulation.md``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import numpy as np

from netruimte.conventions import HOURS_PER_STEP, FloatArray
from netruimte.planner.lp.builder import LpModel
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.lp.master import minimise_cut_model
from netruimte.planner.lp.solve import LpSolution, LpSolver

__all__ = [
    "UNSERVED_TOLERANCE",
    "DecompositionReport",
    "Iterate",
    "initial_sizing",
    "solve_by_decomposition",
]


ABSOLUTE_TOLERANCE_EUR = 1e-6
"""Bounds this close (EUR) count as converged whatever the relative gap (costs near zero)."""

UNSERVED_TOLERANCE = 1e-9
"""Unserved power (relative to the peak load, per step) still counted as none: solver noise.
A sizing a hair too small leaves unserved power of about 1e-6 of the load: not a plan."""


@dataclass(frozen=True)
class Iterate:
    """One evaluation: the sizing, its optimal cost and the bounds after it."""

    sizing: tuple[float, ...]
    cost_eur: float
    lower_bound_eur: float
    upper_bound_eur: float
    seconds: float
    cpu_seconds: float
    simplex_iterations: int


@dataclass(frozen=True)
class DecompositionReport:
    """How the decomposition went.

    ``gap`` is ``(upper − lower) / |upper|``: the returned plan costs at most that much more
    (relative) than the optimum of the full LP.
    """

    names: tuple[str, ...]
    lower_bound_eur: float
    upper_bound_eur: float
    gap: float
    seconds: float
    history: tuple[Iterate, ...]

    @property
    def evaluations(self) -> int:
        """Number of dispatch LP solves."""
        return len(self.history)


def _master(
    points: list[FloatArray],
    values: list[float],
    grads: list[FloatArray],
    lower: FloatArray,
    upper: FloatArray,
) -> tuple[FloatArray, float]:
    """Minimise the cutting-plane model over the box ``[lower, upper]``.

    One aggregated cut per evaluation, ``eta >= F_j + g_j·(x − x_j)``. Returns ``(x, eta)``.
    """
    cuts = [[(value, grad)] for value, grad in zip(values, grads, strict=True)]
    return minimise_cut_model(np.zeros(len(lower)), cuts, points, lower, upper)


def _allowed(solution: LpSolution, gap_tolerance: float) -> float:
    """The gap allowed at this upper bound: relative, or a millionth of a euro near zero."""
    return max(gap_tolerance * abs(solution.objective), ABSOLUTE_TOLERANCE_EUR)


def solve_by_decomposition(
    model: LpModel,
    x0: FloatArray,
    *,
    gap_tolerance: float = 1e-3,
    max_evaluations: int = 60,
    workers: int = 2,
    first_guess: Callable[[], FloatArray] | None = None,
) -> tuple[LpSolution, FloatArray, DecompositionReport]:
    """Minimise the model over its sizing columns by cutting planes on the dispatch value.

    Parameters
    ----------
    model
        A ``COST`` model with at least one sizing column.
    x0
        The first sizing to evaluate, in the order of ``model.columns.sizing()``.
    gap_tolerance
        Stop when ``(upper − lower) <= gap_tolerance × |upper|`` (or 1e-6 EUR).
    max_evaluations
        Give up after this many dispatch solves (the report then states the gap reached).
    workers
        Dispatch LPs solved at the same time (threads; HiGHS releases the GIL). Each worker
        holds its own copy of the model in HiGHS and re-solves from its own last basis; per
        round the workers evaluate the model's minimisers in two boxes around the best sizing
        (the trust region and a third of it).
    first_guess
        A better but slower first sizing (e.g. :func:`~netruimte.planner.lp.sample.sample_sizing`).
        With two workers it is computed while the first worker makes the cold start at ``x0``
        (which then counts as one evaluation); the search then starts from it.

    Returns
    -------
    (solution, sizing, report)
        The optimal dispatch LP solution at the best sizing found, that sizing, and the report.
        In an elastic model only evaluations without unserved energy count as plans (upper
        bounds); if none is found the least penalised one is returned, with unserved energy.
    """
    start = time.perf_counter()
    sizing = model.columns.sizing()
    names = tuple(sizing)
    cols = np.array([sizing[name] for name in names], dtype=np.int64)
    lower = model.col_lower[cols].copy()
    upper = model.col_upper[cols].copy()
    span = np.maximum(upper - lower, 1e-9)
    unserved = model.columns.unserved_kw
    unserved_tol = UNSERVED_TOLERANCE * max(1.0, float(model.inputs.load_kw.max(initial=0.0)))
    workers = max(1, int(workers))
    solvers = [LpSolver(model) for _ in range(workers)]
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    tiny = 1e-9 * float(span.max())

    def evaluate(worker: int, x: FloatArray) -> LpSolution:
        solvers[worker].fix_columns(cols, x)
        return solvers[worker].solve_optimal(
            f"the dispatch LP at sizing {dict(zip(names, x.round(6).tolist(), strict=True))}"
        )

    points: list[FloatArray] = []
    values: list[float] = []
    grads: list[FloatArray] = []
    history: list[Iterate] = []
    centre: LpSolution | None = None  # lowest value: the centre of the trust region
    centre_x = np.clip(np.asarray(x0, dtype=float), lower, upper)
    plan: LpSolution | None = None  # lowest value without unserved energy: the upper bound
    plan_x = centre_x
    lower_bound = -np.inf

    def record(batch: list[FloatArray], solutions: list[LpSolution]) -> None:
        nonlocal centre, centre_x, plan, plan_x, lower_bound
        for x, solution in zip(batch, solutions, strict=True):
            points.append(x.copy())
            values.append(solution.objective)
            grads.append(solution.col_dual[cols].copy())
            if centre is None or solution.objective < centre.objective:
                centre, centre_x = solution, x.copy()
            served = float(solution.col_value[unserved].max(initial=0.0)) <= unserved_tol
            if served and (plan is None or solution.objective < plan.objective):
                plan, plan_x = solution, x.copy()
        _, bound = _master(points, values, grads, lower, upper)
        lower_bound = max(lower_bound, bound)
        for x, solution in zip(batch, solutions, strict=True):
            history.append(
                Iterate(
                    tuple(float(v) for v in x),
                    solution.objective,
                    lower_bound,
                    np.inf if plan is None else plan.objective,
                    solution.seconds,
                    solution.cpu_seconds,
                    solution.iterations,
                )
            )

    try:
        batch = [centre_x]
        if first_guess is not None:
            # With a pool the cold start at x0 runs while the better guess is being computed.
            cold = None if pool is None else pool.submit(evaluate, 0, centre_x)
            better = np.clip(np.asarray(first_guess(), dtype=float), lower, upper)
            if cold is not None:
                record(batch, [cold.result()])
            batch = [better]
        # Box step: start with a quarter of the first guess (at least 2 % of the range).
        radius = np.maximum(0.25 * np.abs(batch[0]), 0.02 * span)
        shared = False  # have the other workers received worker 0's basis?
        predicted = np.nan
        bump = 1e-7
        while len(points) < max_evaluations:
            if pool is None or len(batch) == 1:
                solutions = [evaluate(0, batch[0])] + [evaluate(0, x) for x in batch[1:]]
            else:
                solutions = list(pool.map(evaluate, range(len(batch)), batch))
            if not shared:
                for other in solvers[1:]:
                    other.copy_basis_from(solvers[0])
                shared = True
            previous = np.inf if centre is None else centre.objective
            record(batch, solutions)
            assert centre is not None
            if np.isfinite(previous):
                if centre.objective >= previous:
                    radius = np.maximum(0.5 * radius, 1e-6 * span)  # null step: shrink
                elif (previous - centre.objective) > 0.5 * (previous - predicted):
                    radius = np.minimum(2.0 * radius, span)  # the model predicted well: grow
            if plan is not None and plan.objective - lower_bound <= _allowed(plan, gap_tolerance):
                break
            if centre.objective - lower_bound <= _allowed(centre, gap_tolerance):
                # Converged, but the best sizing leaves a trace of unserved energy (it sits on
                # the edge of feasibility): feasibility only grows with every size, so try
                # slightly larger sizes until one serves all.
                batch = [np.minimum(upper, centre_x * (1.0 + bump) + bump * span)]
                bump *= 10.0
                continue
            batch = []
            for shrink in (1.0, 1.0 / 3.0)[:workers]:
                box_lo = np.maximum(lower, centre_x - shrink * radius)
                box_hi = np.minimum(upper, centre_x + shrink * radius)
                x, value = _master(points, values, grads, box_lo, box_hi)
                if shrink == 1.0:
                    predicted = value
                if np.allclose(x, centre_x, rtol=0.0, atol=tiny):
                    # The model's minimiser in this box is the centre: look wider.
                    radius = np.minimum(2.0 * radius, span)
                    box_lo = np.maximum(lower, centre_x - radius)
                    box_hi = np.minimum(upper, centre_x + radius)
                    x, value = _master(points, values, grads, box_lo, box_hi)
                if not any(np.allclose(x, y, rtol=0.0, atol=tiny) for y in batch):
                    batch.append(x)
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    assert centre is not None
    best, best_x = (plan, plan_x) if plan is not None else (centre, centre_x)
    report = DecompositionReport(
        names=names,
        lower_bound_eur=lower_bound,
        upper_bound_eur=best.objective,
        gap=(best.objective - lower_bound) / max(abs(best.objective), 1e-9),
        seconds=time.perf_counter() - start,
        history=tuple(history),
    )
    return best, best_x, report


def _pv_guess(inp: LpInputs) -> float:
    """New kWp where one more kWp no longer pays for itself (no battery, bisection)."""
    if inp.pv_max_kwp <= 0:
        return 0.0
    f = inp.pv_kw_per_kwp
    weight = inp.step_weight * HOURS_PER_STEP
    price = inp.price_eur_per_kwh
    feed = max(inp.feed_in_eur_per_kwh, 0.0)  # a surplus worth less is curtailed
    cost = inp.pv_cost_eur_per_kwp_year * inp.year_fraction

    def marginal(kwp: float) -> float:
        surplus = inp.pv_kw_per_kwp * (inp.pv_kwp + kwp) - inp.load_kw
        value = np.where(surplus < 0, price, np.where(surplus < inp.export_kw, feed, 0.0))
        return float((f * value * weight).sum()) - cost

    lo, hi = 0.0, inp.pv_max_kwp
    if marginal(hi) >= 0:
        return hi
    if marginal(lo) <= 0:
        return 0.0
    for _ in range(40):
        mid = 0.5 * (lo + hi)
        if marginal(mid) > 0:
            lo = mid
        else:
            hi = mid
    return 0.5 * (lo + hi)


def _battery_guess(inp: LpInputs, pv_kwp: float) -> tuple[float, float]:
    """New (kWh, kW) that shave the monthly peaks where the shaving pays for itself.

    For a depth ``D`` (kW) each month's peak of load − PV drops by ``D``. The battery then
    needs ``D`` kW and the largest deficit of a reservoir that discharges the load above the
    lowered peak and recharges (at most ``D`` kW) below it: with ``z_t`` the energy drawn
    minus recharged in step ``t`` and ``S_t`` its running sum, the deficit is
    ``S_t − min_{k<=t} S_k`` (Lindley's recursion). The saving is the kW-max and contracted
    tariff of ``D``, the cost the battery's; the best ``D`` on a grid is the guess.
    """
    bat = inp.battery
    if not bat.present or (bat.max_energy_kwh <= 0 and bat.max_power_kw <= 0):
        return 0.0, 0.0
    net = inp.load_kw - inp.pv_kw_per_kwp * (inp.pv_kwp + pv_kwp)
    peaks = np.array([net[inp.month_of_step == m].max() for m in range(inp.months)])
    top = float(max(peaks.max(), 0.0))
    yf = inp.year_fraction
    per_kw = inp.contracted_eur_per_kw_year * yf if inp.import_limit_kw is None else 0.0
    per_kw += inp.kwmax_eur_per_kw_month * float(inp.month_weight.sum())
    eta = bat.eta
    usable = bat.soc_max - bat.soc_min
    best = (0.0, 0.0, 0.0)
    for depth in np.linspace(0.0, min(top, bat.power_kw + bat.max_power_kw), 41)[1:]:
        gap = net - (peaks[inp.month_of_step] - depth)
        drawn = np.maximum(gap, 0.0) / eta
        recharged = np.minimum(np.maximum(-gap, 0.0), depth) * eta
        running = np.concatenate(([0.0], np.cumsum((drawn - recharged) * HOURS_PER_STEP)))
        energy = float((running - np.minimum.accumulate(running)).max())
        new_kwh = max(0.0, energy / usable - bat.energy_kwh)
        new_kw = max(0.0, depth - bat.power_kw)
        if new_kwh > bat.max_energy_kwh or new_kw > bat.max_power_kw:
            break
        gain = per_kw * depth - yf * (
            bat.cost_eur_per_kwh_year * new_kwh + bat.cost_eur_per_kw_year * new_kw
        )
        if gain > best[0]:
            best = (gain, new_kwh, new_kw)
    return best[1], best[2]


def initial_sizing(inp: LpInputs, names: tuple[str, ...]) -> FloatArray:
    """A cheap first guess of the sizing (same order as ``names``) for the decomposition."""
    pv = _pv_guess(inp)
    kwh, kw = _battery_guess(inp, pv)
    guess = {"pv_new_kwp": pv, "battery_new_kwh": kwh, "battery_new_kw": kw}
    return np.array([guess[name] for name in names], dtype=float)
