"""The joint LP of an energy hub: member-indexed variables, one joint connection (HiGHS).

Every member gets the single-site LP's columns and constraint families, built by the very
functions of :mod:`netruimte.planner.lp.builder` (``add_variables``, ``add_balance_constraints``,
``add_pv_constraints``, ...) into one model, each member's blocks under its own name prefix.
A member's ``import_kw``/``export_kw`` columns are its exchange with the hub; its own
connection limits (numeric ``import_kw``, restriction windows, ``export_kw``) bound them. The
hub adds its own families, one ``add_hub_*`` function each: its columns (joint import ``P_t``
and export ``X_t``, contracted kW ``C`` when chosen, monthly peaks ``M_m`` with a kW-max
tariff; the hub tariff's costs), the balance ``P_t − X_t − Σ_i (p_it − e_it) = 0``, the import
limit ``P_t ≤ C`` (or ``M_m ≤ C``, or ``P_t ≤ I`` fixed), the export limit ``X_t ≤ X`` and the
kW-max ``P_t ≤ M_{m(t)}``.

``min-connection`` minimises ``C`` with the installed assets; ``min-cost`` minimises the
members' annualised investment and curtailment plus the hub tariff (``docs/hubs.md``).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import FloatArray, IntArray
from netruimte.planner.hub import Hub, member_columns
from netruimte.planner.lp.builder import (
    DT,
    Columns,
    LpBuilder,
    Mode,
    ModelSpec,
    _Block,
    add_balance_constraints,
    add_battery_constraints,
    add_curtailable_constraints,
    add_export_limit_constraints,
    add_import_limit_constraints,
    add_monthly_peak_rows,
    add_pv_constraints,
    add_restriction_constraints,
    add_shiftable_constraints,
    add_variables,
)
from netruimte.planner.lp.inputs import LpInputs, lp_inputs
from netruimte.planner.lp.solve import LpSolver, SolveStatus
from netruimte.planner.prepare import occurrence_reason, occurrences_of
from netruimte.planner.site import Objective, Site

__all__ = ["HubColumns", "HubLpResult", "MemberSizing", "build_hub_model", "solve_hub_lp"]


class _Scoped(LpBuilder):
    """A view of a builder that puts every block name under a member's prefix.

    The single-site families name their blocks (``"soc"``, ``"charge_kw"``, ...); through this
    view each member's blocks are distinct while the families stay the single-site code.
    """

    def __init__(self, inner: LpBuilder, prefix: str) -> None:
        self._inner = inner
        self._prefix = prefix
        self.offset = 0.0  # members carry no tariff: nothing is ever added here

    def add_columns(
        self, name: str, size: int, *, lower: float = 0.0, upper: float = np.inf
    ) -> IntArray:
        return self._inner.add_columns(self._prefix + name, size, lower=lower, upper=upper)

    def block(self, name: str) -> _Block:
        return self._inner.block(self._prefix + name)

    def add_rows(self, name: str, lower: FloatArray, upper: FloatArray) -> IntArray:
        return self._inner.add_rows(self._prefix + name, lower, upper)

    def add_entries(self, rows: npt.ArrayLike, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        self._inner.add_entries(rows, cols, values)


@dataclass(frozen=True)
class HubColumns:
    """Where the hub's own variables live (``None``: not in this model)."""

    import_kw: IntArray
    export_kw: IntArray
    contracted_kw: int | None
    kwmax_kw: IntArray | None


@dataclass(frozen=True)
class HubModel:
    """A built joint LP with the column maps of the hub and of each member."""

    solver: LpSolver
    hub: HubColumns
    members: tuple[Columns, ...]
    inputs: tuple[LpInputs, ...]


@dataclass(frozen=True)
class MemberSizing:
    """A member's new capacity chosen by ``min-cost`` (installed + new = total)."""

    added_pv_kwp: float
    added_battery_energy_kwh: float
    added_battery_power_kw: float
    pv_kwp: float
    battery_energy_kwh: float
    battery_power_kw: float


@dataclass(frozen=True)
class HubLpResult:
    """The joint LP's answer.

    ``import_kw`` is the joint contracted import (``None`` when infeasible or unbounded, with
    ``reason``); ``cost_eur`` the objective over the profile span with its breakdown
    (``min-cost``); ``dispatches`` per member on its index, ``sites`` the members with their
    planned capacity installed.
    """

    import_kw: float | None
    reason: str | None
    dispatches: tuple[pd.DataFrame, ...] | None
    soc_start_kwh: tuple[float, ...]
    sizing: tuple[MemberSizing, ...]
    sites: tuple[Site, ...]
    cost_eur: float | None
    cost_breakdown: tuple[tuple[str, float], ...]
    hub_import_kw: FloatArray | None
    hub_export_kw: FloatArray | None


def _member_inputs(site: Site, objective: Objective) -> LpInputs:
    """A member's LP inputs without its own tariff (the hub pays one bill); in
    ``min-connection`` also without sizing and curtailment cost (only ``C`` counts)."""
    sizing = objective is Objective.MIN_COST
    inp = lp_inputs(site, sizing=sizing)
    inp = dataclasses.replace(
        inp,
        price_eur_per_kwh=np.zeros(inp.steps),
        feed_in_eur_per_kwh=0.0,
        contracted_eur_per_kw_year=0.0,
        kwmax_eur_per_kw_month=0.0,
    )
    if not sizing:
        curtail = np.zeros_like(inp.curtail_cost_eur_per_kwh)
        inp = dataclasses.replace(inp, curtail_cost_eur_per_kwh=curtail)
    return inp


def add_hub_variables(b: LpBuilder, hub: Hub, inp: LpInputs, objective: Objective) -> HubColumns:
    """The hub's columns and their costs (the hub tariff; ``C`` alone in ``min-connection``)."""
    n = inp.steps
    imp = b.add_columns("hub:import_kw", n)
    exp = b.add_columns("hub:export_kw", n)
    tariff = hub.tariff
    cost_mode = objective is Objective.MIN_COST
    chosen = not cost_mode or hub.import_kw is None
    contracted = int(b.add_columns("hub:contracted_kw", 1)[0]) if chosen else None
    kwmax = None
    if cost_mode and tariff.kwmax_eur_per_kw_month > 0:
        kwmax = b.add_columns("hub:kwmax_kw", inp.months)
        b.block("hub:kwmax_kw").cost[:] = tariff.kwmax_eur_per_kw_month * inp.month_weight
    if not cost_mode:
        b.block("hub:contracted_kw").cost[:] = 1.0
        return HubColumns(imp, exp, contracted, None)
    price = tariff.energy_eur_per_kwh
    price_t = price.to_numpy(dtype=float) if isinstance(price, pd.Series) else np.full(n, price)
    b.block("hub:import_kw").cost[:] = price_t * DT
    b.block("hub:export_kw").cost[:] = -tariff.feed_in_eur_per_kwh * DT
    yearly = tariff.contracted_eur_per_kw_year * inp.year_fraction
    if contracted is not None:
        b.block("hub:contracted_kw").cost[:] = yearly
    elif hub.import_kw is not None:
        b.offset += yearly * hub.import_kw
    return HubColumns(imp, exp, contracted, kwmax)


def add_hub_balance_constraints(
    b: LpBuilder, n: int, h: HubColumns, members: tuple[Columns, ...]
) -> None:
    """The hub's exchange is its members' net: ``P_t − X_t − Σ_i (p_it − e_it) = 0``."""
    rows = b.add_rows("hub:balance", np.zeros(n), np.zeros(n))
    b.add_entries(rows, h.import_kw, 1.0)
    b.add_entries(rows, h.export_kw, -1.0)
    for v in members:
        b.add_entries(rows, v.import_kw, -1.0)
        b.add_entries(rows, v.export_kw, 1.0)


def add_hub_import_limit_constraints(b: LpBuilder, hub: Hub, inp: LpInputs, h: HubColumns) -> None:
    """``P_t ≤ C`` (``M_m ≤ C`` with kW-max columns), or ``P_t ≤ I`` as a bound when fixed."""
    n = inp.steps
    if h.contracted_kw is None:
        assert hub.import_kw is not None
        b.block("hub:import_kw").upper[:] = hub.import_kw
        return
    cols, size = (h.kwmax_kw, inp.months) if h.kwmax_kw is not None else (h.import_kw, n)
    rows = b.add_rows("hub:contracted", np.full(size, -np.inf), np.zeros(size))
    b.add_entries(rows, cols, 1.0)
    b.add_entries(rows, h.contracted_kw, -1.0)


def add_hub_export_limit_constraints(b: LpBuilder, hub: Hub) -> None:
    """``X_t ≤ X`` as a bound (unlimited when the hub's ``export_kw`` is ``None``)."""
    b.block("hub:export_kw").upper[:] = np.inf if hub.export_kw is None else hub.export_kw


def add_hub_kwmax_constraints(b: LpBuilder, inp: LpInputs, h: HubColumns) -> None:
    """Monthly peak of the joint import: ``P_t ≤ M_{m(t)}``."""
    add_monthly_peak_rows(b, inp, "hub:kwmax", h.import_kw, h.kwmax_kw)


def build_hub_model(hub: Hub, objective: Objective) -> HubModel:
    """The joint LP of ``docs/hubs.md`` for this objective, handed to HiGHS."""
    b = LpBuilder()
    spec = ModelSpec(Mode.COST)  # members: costs from their (tariff-less) inputs, not elastic
    inputs = tuple(_member_inputs(site, objective) for site in hub.members)
    members = []
    for number, (site, inp) in enumerate(zip(hub.members, inputs, strict=True)):
        scoped = _Scoped(b, f"member{number}:")
        v = add_variables(scoped, inp, spec)
        add_balance_constraints(scoped, inp, v)
        add_pv_constraints(scoped, inp, v)
        add_battery_constraints(scoped, inp, v)
        if site.connection.import_kw is not None:  # its own cable, not a contract to choose
            add_import_limit_constraints(scoped, inp, v)
        add_restriction_constraints(scoped, inp, v)
        add_export_limit_constraints(scoped, inp, v)
        add_shiftable_constraints(scoped, inp, v)
        add_curtailable_constraints(scoped, inp, v)
        members.append(v)
    h = add_hub_variables(b, hub, inputs[0], objective)
    add_hub_balance_constraints(b, inputs[0].steps, h, tuple(members))
    add_hub_import_limit_constraints(b, hub, inputs[0], h)
    add_hub_export_limit_constraints(b, hub)
    add_hub_kwmax_constraints(b, inputs[0], h)
    # LpModel carries one site's column map and inputs for the single-site readers; the hub
    # keeps its own maps in HubModel, so the first member's are passed only to fill the slots.
    model = b.build(members[0], spec, inputs[0])
    return HubModel(LpSolver(model), h, tuple(members), inputs)


def _value(x: FloatArray, col: int | None) -> float:
    return 0.0 if col is None else float(max(x[col], 0.0))


def _member_result(
    site: Site, inp: LpInputs, v: Columns, x: FloatArray
) -> tuple[pd.DataFrame, float, MemberSizing, Site]:
    """A member's dispatch, start state of charge, sizing and sized site from a solution."""
    n = inp.steps
    bat = inp.battery
    pv_new = _value(x, v.pv_new_kwp)
    kwh_new = _value(x, v.battery_new_kwh)
    kw_new = _value(x, v.battery_new_kw)
    pv_total = inp.pv_kwp + pv_new
    pv_kw = inp.pv_kw_per_kwp * pv_total if v.pv_kw is not None else np.zeros(n)
    pv_used = np.clip(x[v.pv_kw], 0.0, pv_kw) if v.pv_kw is not None else np.zeros(n)
    zeros = np.zeros(n)
    charge = np.maximum(x[v.charge_kw], 0.0) if v.charge_kw is not None else zeros
    discharge = np.maximum(x[v.discharge_kw], 0.0) if v.discharge_kw is not None else zeros
    soc = x[v.soc_kwh] if v.soc_kwh is not None else zeros
    soc0 = float(x[v.soc_start_kwh][0]) if v.soc_start_kwh is not None else 0.0
    curtailed = np.maximum(x[v.curtail_kw], 0.0).sum(axis=0) if len(v.curtail_kw) else zeros
    shift = np.zeros((len(site.shiftable), n))
    load_of_occ = np.array([o.load for o in inp.occurrences], dtype=np.int64)
    if len(v.shift_kw):
        np.add.at(shift, (load_of_occ[v.shift_occurrence], v.shift_step), x[v.shift_kw])
    sizing = MemberSizing(pv_new, kwh_new, kw_new, pv_total, bat.energy_kwh + kwh_new,
                          bat.power_kw + kw_new)  # fmt: skip
    sized = site
    if site.pv is not None:
        sized = dataclasses.replace(sized, pv=dataclasses.replace(site.pv, kwp=pv_total,
                                                                    max_kwp=0.0))  # fmt: skip
    if site.battery is not None:
        sized = dataclasses.replace(sized, battery=dataclasses.replace(
            site.battery, energy_kwh=sizing.battery_energy_kwh,
            power_kw=sizing.battery_power_kw, max_energy_kwh=0.0, max_power_kw=0.0))  # fmt: skip
    frame = member_columns(
        site, load_kw=inp.load_kw, pv_kw=pv_kw, curtailed_kw=curtailed,
        pv_curtailed_kw=pv_kw - pv_used, charge_kw=charge, discharge_kw=discharge,
        soc_kwh=soc, shift_by_load=shift,
    )  # fmt: skip
    return frame, soc0, sizing, sized


def _occurrence_reason(hub: Hub) -> str | None:
    """A member's shiftable occurrence that no dispatch can serve (also one whose window the
    clocks skip, which the LP alone would not see: it has no steps), in words."""
    for site in hub.members:
        occurrences, missing = occurrences_of(site)
        reason = occurrence_reason(site, occurrences, missing)
        if reason is not None:
            return f"member {site.name!r}: {reason}"
    return None


def solve_hub_lp(hub: Hub, objective: Objective) -> HubLpResult:
    """Solve the joint LP for ``min-connection`` (installed assets, minimise ``C``) or
    ``min-cost`` (sizing, the hub tariff, ``C`` when the hub's ``import_kw`` is "minimise").

    Returns a result with ``import_kw=None`` and a reason when no plan exists (or when some
    plan earns without limit: feed-in paid above the energy price with nothing capping it).
    """
    empty = HubLpResult(None, None, None, (), (), (), None, (), None, None)
    unservable = _occurrence_reason(hub)
    if unservable is not None:
        return dataclasses.replace(empty, reason=unservable)
    model = build_hub_model(hub, objective)
    solution = model.solver.solve()
    if solution.status is SolveStatus.INFEASIBLE:
        return dataclasses.replace(empty, reason=(  # every occurrence was servable (above)
            "no joint dispatch keeps every member within the limits of its own connection (numeric"
            " import_kw, restriction windows) and the hub within its joint import"))  # fmt: skip
    if solution.status is SolveStatus.UNBOUNDED:
        return dataclasses.replace(empty, reason=(
            "the cost has no lower bound: feed-in earns more than imported energy costs and "
            "nothing caps the hub's export (set [connection] export_kw)"))  # fmt: skip
    if solution.status is not SolveStatus.OPTIMAL:
        raise RuntimeError(f"the hub LP ended {solution.message!r}")
    x = solution.col_value
    h = model.hub
    hub_import = np.maximum(x[h.import_kw], 0.0)
    hub_export = np.maximum(x[h.export_kw], 0.0)
    if h.contracted_kw is not None:
        import_kw = max(float(x[h.contracted_kw]), float(hub_import.max(initial=0.0)), 0.0) + 0.0
    else:
        assert hub.import_kw is not None
        import_kw = hub.import_kw
    members = zip(hub.members, model.inputs, model.members, strict=True)
    results = [_member_result(site, inp, v, x) for site, inp, v in members]
    frames, starts, sizing, sites = (tuple(part) for part in zip(*results, strict=True))
    breakdown = _breakdown(hub, model, x, import_kw) if objective is Objective.MIN_COST else ()
    cost = float(solution.objective) if objective is Objective.MIN_COST else None
    return HubLpResult(import_kw, None, frames, starts, sizing, sites, cost, breakdown,
                       hub_import, hub_export)  # fmt: skip


def _breakdown(
    hub: Hub, model: HubModel, x: FloatArray, import_kw: float
) -> tuple[tuple[str, float], ...]:
    """EUR per carrier from the solution (the LP's own objective terms)."""
    inp0 = model.inputs[0]
    yf = inp0.year_fraction
    pv = bat_kwh = bat_kw = curtail = 0.0
    for inp, v in zip(model.inputs, model.members, strict=True):
        pv += inp.pv_cost_eur_per_kwp_year * yf * _value(x, v.pv_new_kwp)
        bat_kwh += inp.battery.cost_eur_per_kwh_year * yf * _value(x, v.battery_new_kwh)
        bat_kw += inp.battery.cost_eur_per_kw_year * yf * _value(x, v.battery_new_kw)
        for eur, cols in zip(inp.curtail_cost_eur_per_kwh, v.curtail_kw, strict=True):
            curtail += float(eur * DT * np.maximum(x[cols], 0.0).sum())
    h = model.hub
    tariff = hub.tariff
    imp = np.maximum(x[h.import_kw], 0.0)
    exp = np.maximum(x[h.export_kw], 0.0)
    price = tariff.energy_eur_per_kwh
    price_t = price.to_numpy(dtype=float) if isinstance(price, pd.Series) else price
    kwmax = 0.0
    if h.kwmax_kw is not None:
        kwmax = float(tariff.kwmax_eur_per_kw_month * (inp0.month_weight * x[h.kwmax_kw]).sum())
    return (
        ("pv_eur", pv),
        ("battery_energy_eur", bat_kwh),
        ("battery_power_eur", bat_kw),
        ("contracted_eur", tariff.contracted_eur_per_kw_year * yf * import_kw),
        ("kwmax_eur", kwmax),
        ("energy_eur", float((price_t * imp).sum() * DT)),
        ("feed_in_eur", float(-tariff.feed_in_eur_per_kwh * exp.sum() * DT)),
        ("curtailment_eur", curtail),
    )
