"""How the LP planner's result (:class:`netruimte.planner.result.PlanResult`, re-exported
here; its fields follow the Plan JSON of the interface contract) is read off a solution; the
dispatch uses the columns of :mod:`netruimte.planner.dispatch`.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, FloatArray
from netruimte.planner.dispatch import SHIFTABLE_PREFIX
from netruimte.planner.lp.builder import LpModel
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.result import PlanResult, PlanStatus

__all__ = [
    "CURTAILED_PREFIX",
    "PlanResult",
    "PlanStatus",
    "cost_breakdown",
    "dispatch_from_solution",
]

DT = HOURS_PER_STEP

CURTAILED_PREFIX = "curtailed_kw:"
"""Column prefix of the reduction of each curtailable load (the total is ``curtailed_kw``)."""


def _values(x: FloatArray, cols: npt.NDArray[np.int64] | None, n: int) -> FloatArray:
    return np.zeros(n) if cols is None else np.asarray(x[cols], dtype=float)


def _scalar(x: FloatArray, col: int | None) -> float:
    return 0.0 if col is None else float(x[col])


def dispatch_from_solution(
    model: LpModel, x: FloatArray, import_limit_kw: float
) -> tuple[pd.DataFrame, float]:
    """The dispatch frame of a solution and the start state of charge (kWh).

    Values are cleaned of solver noise: nonnegative quantities are clipped at 0 (HiGHS
    satisfies bounds to its feasibility tolerance, 1e-7).
    """
    inp: LpInputs = model.inputs
    v = model.columns
    n = inp.steps
    pv_total = inp.pv_kwp + _scalar(x, v.pv_new_kwp)
    pv_kw = inp.pv_available_kw(pv_total)
    pv_used = np.clip(_values(x, v.pv_kw, n), 0.0, pv_kw)
    curtailed = {
        name: np.clip(x[cols], 0.0, None)
        for name, cols in zip(inp.curtailable_names, v.curtail_kw, strict=True)
    }
    frame: dict[str, FloatArray] = {
        "load_kw": inp.load_kw,
        "pv_kw": pv_kw,
        "import_limit_kw": inp.import_cap_kw(import_limit_kw),
        "import_kw": np.clip(x[v.import_kw], 0.0, None),
        "export_kw": np.clip(x[v.export_kw], 0.0, None),
        "pv_used_kw": pv_used,
        "pv_curtailed_kw": pv_kw - pv_used,
        "battery_charge_kw": np.clip(_values(x, v.charge_kw, n), 0.0, None),
        "battery_discharge_kw": np.clip(_values(x, v.discharge_kw, n), 0.0, None),
        "soc_kwh": _values(x, v.soc_kwh, n),
        "curtailed_kw": sum(curtailed.values(), np.zeros(n)),
    }
    shift = np.zeros((len(inp.shiftable_names), n))
    if len(v.shift_kw):
        load_of_occ = np.array([o.load for o in inp.occurrences], dtype=np.int64)
        np.add.at(shift, (load_of_occ[v.shift_occurrence], v.shift_step), x[v.shift_kw])
    for name, row in zip(inp.shiftable_names, shift, strict=True):
        frame[SHIFTABLE_PREFIX + name] = np.clip(row, 0.0, None)
    for name, values in curtailed.items():
        frame[CURTAILED_PREFIX + name] = values
    start = 0.0 if v.soc_start_kwh is None else float(x[v.soc_start_kwh[0]])
    return pd.DataFrame(frame, index=inp.index), start


def cost_breakdown(
    inp: LpInputs,
    dispatch: pd.DataFrame,
    *,
    added_pv_kwp: float,
    added_energy_kwh: float,
    added_power_kw: float,
    contracted_kw: float,
) -> dict[str, float]:
    """EUR per tariff carrier of a dispatch over the profile span (``docs/formulation.md``).

    Computed from the dispatch itself, independently of the LP's objective, so that the two
    can be compared.
    """
    yf = inp.year_fraction
    weight = inp.step_weight * DT
    imp = dispatch["import_kw"].to_numpy(dtype=float)
    exp = dispatch["export_kw"].to_numpy(dtype=float)
    month_peak = np.zeros(inp.months)
    np.maximum.at(month_peak, inp.month_of_step, imp)
    curtail = 0.0
    for name, eur in zip(inp.curtailable_names, inp.curtail_cost_eur_per_kwh, strict=True):
        reduced = dispatch[CURTAILED_PREFIX + name].to_numpy(dtype=float)
        curtail += float(eur * (reduced * weight).sum())
    bat = inp.battery
    return {
        "pv_eur": inp.pv_cost_eur_per_kwp_year * yf * added_pv_kwp,
        "battery_energy_eur": bat.cost_eur_per_kwh_year * yf * added_energy_kwh,
        "battery_power_eur": bat.cost_eur_per_kw_year * yf * added_power_kw,
        "contracted_eur": inp.contracted_eur_per_kw_year * yf * contracted_kw,
        "kwmax_eur": float(inp.kwmax_eur_per_kw_month * (inp.month_weight * month_peak).sum()),
        "energy_eur": float((inp.price_eur_per_kwh * imp * weight).sum()),
        "feed_in_eur": float(-inp.feed_in_eur_per_kwh * (exp * weight).sum()),
        "curtailment_eur": curtail,
    }
