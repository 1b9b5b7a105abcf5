"""The LP planner's questions: ``min_cost`` (sizing and dispatch) and ``min_connection_lp``.

``min_cost`` chooses new PV, battery energy and power and, when the site asks to minimise it,
the contracted import, at the least cost over the profile span (``docs/formulation.md``). With
sizing to choose it decomposes over the sizing (:mod:`netruimte.planner.lp.decompose`) and
proves the plan's cost within ``gap_tolerance`` of the optimum of the full LP; without, or with
``method="lp"``, it solves the full LP at once.

``min_connection_lp`` answers ``min-connection`` (the smallest constant import limit with the
installed assets) as one LP: the cross-check of the exact fast engine
(:func:`netruimte.planner.fast.min_connection`) and its benchmark.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from types import MappingProxyType
from typing import Literal

import numpy as np

from netruimte.errors import NoSolutionError
from netruimte.planner.dispatch import verify_dispatch
from netruimte.planner.lp.builder import LpModel, Mode, ModelSpec, build_model
from netruimte.planner.lp.decompose import (
    UNSERVED_TOLERANCE,
    DecompositionReport,
    initial_sizing,
    solve_by_decomposition,
)
from netruimte.planner.lp.diagnose import occurrence_reason, shortfall_reason
from netruimte.planner.lp.inputs import LpInputs, lp_inputs
from netruimte.planner.lp.results import (
    PlanResult,
    PlanStatus,
    cost_breakdown,
    dispatch_from_solution,
)
from netruimte.planner.lp.sample import sample_sizing
from netruimte.planner.lp.solve import LpSolution, LpSolver, SolveStatus, UnboundedModelError
from netruimte.planner.lp.temporal import solve_by_time_decomposition, time_decomposable
from netruimte.planner.site import Battery, Objective, Site

__all__ = ["DEFAULT_GAP", "min_connection_lp", "min_cost", "penalty_eur_per_kwh"]

DEFAULT_GAP = 1e-3
"""Default relative gap of the decomposition: the plan costs at most 0.1 % above the optimum."""

_PENALTY_RETRIES = 3


def penalty_eur_per_kwh(inp: LpInputs) -> float:
    """Cost of a kWh of unserved energy in the elastic model.

    Ten times a bound on what serving one more kWh in one quarter-hour can cost otherwise:
    its energy, and 4 kW (a kWh in 0.25 h) of every per-kW carrier (kW-max of the month,
    contracted kW, battery and PV power) plus the storage for it. Not larger: HiGHS keeps
    bounds to 1e-7, and a huge penalty would turn that tolerance into visible euros. If it is
    ever too low, :func:`min_cost` notices (unserved energy although a feasible plan exists)
    and raises it.
    """
    bat = inp.battery
    yf = inp.year_fraction
    per_kwh = 1.0 + float(np.abs(inp.price_eur_per_kwh).max(initial=0.0))
    per_kwh += abs(inp.feed_in_eur_per_kwh) + float(inp.curtail_cost_eur_per_kwh.sum())
    per_kw = inp.kwmax_eur_per_kw_month * float(inp.month_weight.max(initial=0.0))
    per_kw += yf * (
        inp.contracted_eur_per_kw_year + bat.cost_eur_per_kw_year + inp.pv_cost_eur_per_kwp_year
    )
    storage = yf * bat.cost_eur_per_kwh_year / max(bat.eta**2, 1e-3)
    return 10.0 * (per_kwh + per_kw / 0.25 + storage)


def _capped(inp: LpInputs) -> bool:
    return inp.import_limit_kw is not None or bool(np.isfinite(inp.restriction_kw).any())


def _peak_before(inp: LpInputs) -> float:
    net = inp.load_kw - inp.pv_available_kw(inp.pv_kwp)
    return float(max(0.0, net.max(initial=0.0)))


def _infeasible(
    site: Site, inp: LpInputs, objective: Objective, reason: str, seconds: dict[str, float]
) -> PlanResult:
    bat = inp.battery
    export = None if not np.isfinite(inp.export_kw) else inp.export_kw
    return PlanResult(
        status=PlanStatus.INFEASIBLE,
        objective=objective,
        import_kw=None,
        export_kw=export,
        pv_kwp=inp.pv_kwp,
        battery_energy_kwh=bat.energy_kwh,
        battery_power_kw=bat.power_kw,
        peak_import_before_kw=_peak_before(inp),
        peak_import_after_kw=None,
        annual_cost_eur=None,
        reason=reason,
        seconds=MappingProxyType(seconds),
    )


def _sized_site(site: Site, pv_kwp: float, energy_kwh: float, power_kw: float) -> Site:
    """The site with these totals installed (for the independent dispatch check)."""
    pv = site.pv
    new_pv = None if pv is None else dataclasses.replace(pv, kwp=pv_kwp, max_kwp=0.0)
    bat = site.battery
    new_bat: Battery | None = None
    if bat is not None:
        new_bat = dataclasses.replace(
            bat, energy_kwh=energy_kwh, power_kw=power_kw, max_energy_kwh=0.0, max_power_kw=0.0
        )
    return dataclasses.replace(site, pv=new_pv, battery=new_bat)


def _clipped(x: np.ndarray, col: int | None, upper: float) -> float:
    return 0.0 if col is None else float(np.clip(x[col], 0.0, upper))


def _relative_gap(cost_eur: float, lower_bound_eur: float) -> float:
    """How far ``cost_eur`` can be above the optimum, relative to it (never below 0)."""
    return max(0.0, (cost_eur - lower_bound_eur) / max(abs(cost_eur), 1e-9))


def _plan(
    site: Site,
    model: LpModel,
    solution: LpSolution,
    objective: Objective,
    *,
    import_kw: float,
    seconds: dict[str, float],
    lower_bound: float | None,
    method: str,
    report: DecompositionReport | None,
    priced: bool,
) -> PlanResult:
    """Read a plan off an optimal solution and check its dispatch independently."""
    inp = model.inputs
    x = solution.col_value
    v = model.columns
    bat = inp.battery
    # Sizes within their bounds (HiGHS keeps bounds to its tolerance, 1e-7).
    added_pv = _clipped(x, v.pv_new_kwp, inp.pv_max_kwp)
    added_kwh = _clipped(x, v.battery_new_kwh, bat.max_energy_kwh)
    added_kw = _clipped(x, v.battery_new_kw, bat.max_power_kw)
    frame, soc_start = dispatch_from_solution(model, x, import_kw)
    pv_total = inp.pv_kwp + added_pv
    energy = inp.battery.energy_kwh + added_kwh
    power = inp.battery.power_kw + added_kw
    if power <= 0 or energy <= 0:
        # No power (or no storage): no battery (docs/site-file.md); its idle state of charge
        # at soc_min is reported as the empty battery it is.
        frame["soc_kwh"] = 0.0
        soc_start = 0.0
    scale = max(1.0, float(inp.load_kw.max(initial=0.0)), power, energy)
    # A planner-chosen battery of 0 kWh with power only burns energy in its conversion losses
    # (charging and discharging at once, worth it at negative prices; docs/formulation.md);
    # the checker counts a 0 kWh battery as none, so check it as a battery of 1e-12 kWh.
    checked = _sized_site(site, pv_total, max(energy, 1e-12) if power > 0 else energy, power)
    problems = verify_dispatch(checked, import_kw, frame, soc_start_kwh=soc_start, tol=1e-5 * scale)
    if problems:  # a bug or a numerical failure, never an input problem: refuse a wrong plan
        raise RuntimeError("the LP planner produced an infeasible dispatch: " + problems[0])
    breakdown = cost_breakdown(
        inp,
        frame,
        added_pv_kwp=added_pv,
        added_energy_kwh=added_kwh,
        added_power_kw=added_kw,
        contracted_kw=import_kw,
    )
    export = inp.export_kw if np.isfinite(inp.export_kw) else float(frame["export_kw"].max())
    annual = float(sum(breakdown.values())) if priced else None
    gap = None if annual is None or lower_bound is None else _relative_gap(annual, lower_bound)
    if report is not None and annual is not None and annual < report.upper_bound_eur:
        # The plan's contracted kW is its peak import; a decomposition may have carried a
        # larger contracted kW (the master's value) and priced it. The plan is then cheaper
        # than the engine's last upper bound, and the report says what the plan costs.
        report = dataclasses.replace(
            report, upper_bound_eur=annual, gap=_relative_gap(annual, report.lower_bound_eur)
        )
    return PlanResult(
        status=PlanStatus.OPTIMAL,
        objective=objective,
        import_kw=import_kw,
        export_kw=export,
        pv_kwp=pv_total,
        battery_energy_kwh=energy,
        battery_power_kw=power,
        peak_import_before_kw=_peak_before(inp),
        peak_import_after_kw=float(frame["import_kw"].max()),
        annual_cost_eur=annual,
        reason=None,
        dispatch=frame,
        cost_breakdown=MappingProxyType(breakdown if priced else {}),
        added_pv_kwp=added_pv,
        added_battery_energy_kwh=added_kwh,
        added_battery_power_kw=added_kw,
        soc_start_kwh=soc_start,
        lower_bound_eur=lower_bound,
        gap=gap,
        method=method,
        seconds=MappingProxyType(seconds),
        report=report,
    )


def _contracted(model: LpModel, x: np.ndarray) -> float:
    """The plan's import limit: the fixed one, or the peak import when it is chosen."""
    inp = model.inputs
    if inp.import_limit_kw is not None:
        return inp.import_limit_kw
    return float(np.clip(x[model.columns.import_kw], 0.0, None).max(initial=0.0))


def _max_sizing(inp: LpInputs) -> LpInputs:
    bat = inp.battery
    return inp.with_sizing(
        pv_kwp=inp.pv_kwp + inp.pv_max_kwp,
        energy_kwh=bat.energy_kwh + bat.max_energy_kwh,
        power_kw=bat.power_kw + bat.max_power_kw,
    )


def min_cost(
    site: Site,
    *,
    gap_tolerance: float = DEFAULT_GAP,
    method: Literal["auto", "lp", "decomposition", "temporal"] = "auto",
    workers: int = 2,
) -> PlanResult:
    """The least-cost plan: new PV, battery and contracted import, and the dispatch.

    Parameters
    ----------
    site
        The site; its ``objective`` is not read (this function answers ``min-cost``).
    gap_tolerance
        Relative gap at which the decomposition stops (default 0.1 %); the result's ``gap``
        is the gap proven.
    method
        ``"auto"`` (the time decomposition when the profile spans two or more segments,
        else the decomposition over the sizing when there is sizing to choose, else one LP),
        ``"lp"`` (the full LP at once: exact, slow for a year), ``"decomposition"`` (over the
        sizing, :mod:`~netruimte.planner.lp.decompose`) or ``"temporal"`` (over the sizing,
        the contracted kW and the month segments' start states of charge,
        :mod:`~netruimte.planner.lp.temporal`). If the time decomposition ends without a
        plan (only when it gives up after its evaluation limit, or when the site cannot keep
        to its caps), the decomposition over the sizing answers; ``method`` says which did.
    workers
        Threads solving dispatch LPs at the same time. The time decomposition solves the
        month segments of one evaluation on them; the decomposition over the sizing gives
        each worker its own copy of the model in HiGHS (about 250 MB for a year), so there
        ``1`` halves the memory at some cost in time.

    Returns
    -------
    PlanResult
        ``status="infeasible"`` with a reason (when and by how much) if no plan keeps to the
        import caps even with the largest assets allowed.

    Raises
    ------
    InputError
        The site cannot be planned (e.g. a negative base load).
    NoSolutionError
        The cost has no lower bound (exporting pays more than importing costs, with neither
        capped), so no least-cost plan exists.
    """
    seconds: dict[str, float] = {}
    tick = time.perf_counter()
    inp = lp_inputs(site)
    reason = occurrence_reason(site, inp)
    if reason is not None:
        return _infeasible(site, inp, Objective.MIN_COST, reason, seconds)
    capped = _capped(inp)
    penalty = penalty_eur_per_kwh(inp)
    for _ in range(_PENALTY_RETRIES):
        spec = ModelSpec(Mode.COST, elastic=capped, penalty_eur_per_kwh=penalty)
        model = build_model(inp, spec)
        seconds["build"] = time.perf_counter() - tick
        tick = time.perf_counter()
        names = tuple(model.columns.sizing())
        report = None
        try:
            temporal = method == "temporal" or (method == "auto" and time_decomposable(inp))
            found = None
            if temporal:
                if not time_decomposable(inp):
                    raise ValueError(
                        "method='temporal' needs a profile of two or more segments (month "
                        "starts) and a bounded contracted kW"
                    )
                found = _temporal(model, names, penalty, gap_tolerance, workers)
            if found is not None:
                solution, report = found
                lower_bound = report.lower_bound_eur
                used = "temporal"
            elif names and method != "lp":
                solution, _, report = solve_by_decomposition(
                    model,
                    initial_sizing(inp, names),
                    gap_tolerance=gap_tolerance,
                    workers=workers,
                    first_guess=functools.partial(sample_sizing, inp, names, spec),
                )
                lower_bound = report.lower_bound_eur
                used = "decomposition"
            else:
                solution = LpSolver(model).solve_optimal("the min-cost LP")
                lower_bound = solution.objective
                used = "lp"
        except UnboundedModelError:
            raise NoSolutionError(_unbounded_reason(inp)) from None
        seconds["solve"] = time.perf_counter() - tick
        unserved = solution.col_value[model.columns.unserved_kw]
        scale = max(1.0, float(inp.load_kw.max(initial=0.0)))
        if not capped or float(unserved.max(initial=0.0)) <= UNSERVED_TOLERANCE * scale:
            return _plan(
                site,
                model,
                solution,
                Objective.MIN_COST,
                import_kw=_contracted(model, solution.col_value),
                seconds=seconds,
                lower_bound=lower_bound,
                method=used,
                report=report,
                priced=True,
            )
        tick = time.perf_counter()
        # The tolerance the plan was refused by (a 1e-7 kW load against a 0 kW cap is short).
        reason = shortfall_reason(_max_sizing(inp), tol_kw=UNSERVED_TOLERANCE)
        seconds["diagnose"] = time.perf_counter() - tick
        if reason is not None:
            return _infeasible(site, inp, Objective.MIN_COST, reason, seconds)
        penalty *= 100.0  # feasible after all: the penalty was too low to enforce it
    raise RuntimeError("min-cost: unserved energy remains although a feasible plan exists")


def _temporal(
    model: LpModel, names: tuple[str, ...], penalty: float, gap_tolerance: float, workers: int
) -> tuple[LpSolution, DecompositionReport] | None:
    """The time decomposition's plan and report, or ``None`` when it found no plan."""
    x0 = initial_sizing(model.inputs, names)
    solution, _, report = solve_by_time_decomposition(
        model, x0, penalty_eur_per_kwh=penalty, gap_tolerance=gap_tolerance, workers=workers
    )
    return None if solution is None else (solution, report)


def _unbounded_reason(inp: LpInputs) -> str:
    """Why the cost has no lower bound: importing to export pays without limit."""
    gain = inp.feed_in_eur_per_kwh - inp.price_eur_per_kwh
    steps = np.flatnonzero(gain > 0)
    first = inp.index[int(steps[0])].isoformat(timespec="minutes") if len(steps) else "?"
    return (
        "the plan has no least cost: in "
        f"{len(steps)} quarter-hours (the first at {first}) exporting earns more "
        f"(feed-in {inp.feed_in_eur_per_kwh:g} EUR/kWh) than importing costs, and with "
        "unlimited export and no import cap (or no capacity tariff that outweighs it) "
        "importing only to export earns without limit; set connection.export_kw or "
        "connection.import_kw, or check the prices"
    )


def min_connection_lp(site: Site, *, priced: bool = False) -> PlanResult:
    """The smallest constant import limit with the installed assets, as one LP.

    The same question as :func:`netruimte.planner.fast.min_connection` (restriction windows
    stay as given; curtailable loads may be curtailed, their cost does not matter).

    Parameters
    ----------
    site
        The site (new capacity ``max_*`` and ``connection.import_kw`` are not used).
    priced
        Also find the least-cost dispatch at that limit (a second LP) and report its cost
        with ``import_kw`` as the contracted kW; otherwise the dispatch is the first LP's and
        ``annual_cost_eur`` is ``None``.
    """
    seconds: dict[str, float] = {}
    tick = time.perf_counter()
    inp = dataclasses.replace(lp_inputs(site, sizing=False), import_limit_kw=None)
    reason = occurrence_reason(site, inp)
    if reason is not None:
        return _infeasible(site, inp, Objective.MIN_CONNECTION, reason, seconds)
    model = build_model(inp, ModelSpec(Mode.CONNECTION))
    seconds["build"] = time.perf_counter() - tick
    solution = LpSolver(model).solve()
    seconds["solve"] = solution.seconds
    if solution.status is SolveStatus.INFEASIBLE:
        tick = time.perf_counter()
        reason = shortfall_reason(inp) or "no dispatch keeps to the restriction windows"
        seconds["diagnose"] = time.perf_counter() - tick
        return _infeasible(site, inp, Objective.MIN_CONNECTION, reason, seconds)
    if solution.status is not SolveStatus.OPTIMAL:
        raise RuntimeError(f"the min-connection LP ended {solution.message!r}")
    col = model.columns.contracted_kw
    assert col is not None
    limit = float(solution.col_value[col])
    if priced:
        # Least-cost dispatch at the limit (a hair above it, for the solver's tolerance).
        fixed = dataclasses.replace(inp, import_limit_kw=limit * (1 + 1e-9) + 1e-9)
        model = build_model(fixed, ModelSpec(Mode.COST))
        solution = LpSolver(model).solve_optimal("the dispatch LP at the smallest limit")
        seconds["price"] = solution.seconds
    return _plan(
        site,
        model,
        solution,
        Objective.MIN_CONNECTION,
        import_kw=limit,
        seconds=seconds,
        lower_bound=None,
        method="lp",
        report=None,
        priced=priced,
    )
