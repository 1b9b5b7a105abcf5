"""A site's dispatch as a DataFrame, and an independent check that a dispatch is feasible.

Columns of a dispatch (kW unless stated; one row per 15-minute step on the site's index):

* ``load_kw``: base load (before curtailment); ``pv_kw``: PV available from the installed kWp;
* ``import_limit_kw``: ``min(L, restriction limit)`` in force in the step;
* ``import_kw``, ``export_kw``: grid exchange (both ≥ 0);
* ``pv_used_kw``, ``pv_curtailed_kw``: the split of ``pv_kw``;
* ``battery_charge_kw``, ``battery_discharge_kw``: battery power on the grid side (the state of
  charge changes by ``eta × charge × 0.25 h`` and ``−discharge × 0.25 h / eta``);
* ``soc_kwh``: state of charge at the **end** of the step (kWh; the start is reported apart);
* ``curtailed_kw``: total reduction of the curtailable loads;
* ``shiftable_kw:<name>``: power of each shiftable load.

Energy balance in every step::

    import + pv_used + discharge = load − curtailed + Σ shiftable + charge + export
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, BoolArray, FloatArray
from netruimte.planner.prepare import SiteArrays, site_arrays
from netruimte.planner.site import Site

__all__ = ["SHIFTABLE_PREFIX", "dispatch_frame", "verify_dispatch"]


SHIFTABLE_PREFIX = "shiftable_kw:"
"""Column prefix of the per-load shiftable power."""


def dispatch_frame(
    site: Site,
    arrays: SiteArrays,
    import_limit_kw: float,
    shift_by_load: FloatArray,
    charge_kw: FloatArray,
    discharge_kw: FloatArray,
    soc_kwh: FloatArray,
) -> pd.DataFrame:
    """Complete a battery and shiftable schedule into a full dispatch.

    Given the schedule, the rest follows: curtail the curtailable loads only as far as the
    limit requires, import what is left, and of a surplus export up to the export limit and
    curtail the remaining PV.

    Parameters
    ----------
    site, arrays
        The site and its arrays (:func:`netruimte.planner.prepare.site_arrays`).
    import_limit_kw
        The constant limit ``L`` (kW).
    shift_by_load
        Shiftable power per load and step, shape ``(n_loads, T)`` (kW).
    charge_kw, discharge_kw
        Battery power per step (kW, grid side).
    soc_kwh
        State of charge, ``T + 1`` values from the start (kWh).
    """
    shift_total = shift_by_load.sum(axis=0) if len(shift_by_load) else np.zeros(arrays.steps)
    limit = np.minimum(import_limit_kw, arrays.restriction_kw)
    need = arrays.load_kw + shift_total + charge_kw - discharge_kw - arrays.pv_kw
    curtailed = np.clip(need - limit, 0.0, arrays.curtail_max_kw)
    after = need - curtailed
    imported = np.maximum(after, 0.0)
    surplus = np.maximum(-after, 0.0)
    exported = np.minimum(surplus, arrays.export_kw)
    pv_curtailed = surplus - exported
    columns: dict[str, FloatArray] = {
        "load_kw": arrays.load_kw,
        "pv_kw": arrays.pv_kw,
        "import_limit_kw": limit,
        "import_kw": imported,
        "export_kw": exported,
        "pv_used_kw": arrays.pv_kw - pv_curtailed,
        "pv_curtailed_kw": pv_curtailed,
        "battery_charge_kw": charge_kw,
        "battery_discharge_kw": discharge_kw,
        "soc_kwh": soc_kwh[1:],
        "curtailed_kw": curtailed,
    }
    for load, shift in zip(site.shiftable, shift_by_load, strict=True):
        columns[SHIFTABLE_PREFIX + load.name] = shift
    return pd.DataFrame(columns, index=site.index)


def verify_dispatch(
    site: Site,
    import_limit_kw: float,
    frame: pd.DataFrame,
    *,
    soc_start_kwh: float,
    tol: float = 1e-6,
) -> list[str]:
    """Check a dispatch against every rule of min-connection; return the violations.

    Independent of how the dispatch was made: recomputes the bounds from the site.
    An empty list means feasible (to ``tol`` in kW and kWh).
    """
    arrays = site_arrays(site)
    problems: list[str] = []
    index = site.index

    def check(ok: BoolArray, what: str) -> None:
        if not bool(ok.all()):
            at = int(np.argmin(ok))
            problems.append(f"{what} at {index[at].isoformat()}")

    col = {name: frame[name].to_numpy(dtype=float) for name in frame.columns}
    limit = np.minimum(import_limit_kw, arrays.restriction_kw)
    check(col["import_kw"] <= limit + tol, "import above the limit")
    for name in ("import_kw", "export_kw", "pv_used_kw", "pv_curtailed_kw", "curtailed_kw"):
        check(col[name] >= -tol, f"{name} negative")
    check(col["export_kw"] <= arrays.export_kw + tol, "export above export_kw")
    check(np.abs(col["pv_used_kw"] + col["pv_curtailed_kw"] - arrays.pv_kw) <= tol, "PV split")
    check(col["curtailed_kw"] <= arrays.curtail_max_kw + tol, "curtailment above its maximum")

    bat = site.battery
    power = bat.power_kw if bat is not None and bat.energy_kwh > 0 else 0.0
    energy = bat.energy_kwh if bat is not None and bat.power_kw > 0 else 0.0
    eta = bat.one_way_efficiency if bat is not None else 1.0
    smin = bat.soc_min * energy if bat is not None else 0.0
    smax = bat.soc_max * energy if bat is not None else 0.0
    charge, discharge, soc = col["battery_charge_kw"], col["battery_discharge_kw"], col["soc_kwh"]
    for name, value in (("charge", charge), ("discharge", discharge)):
        check((value >= -tol) & (value <= power + tol), f"battery {name} outside [0, power_kw]")
    check((soc >= smin - tol) & (soc <= smax + tol), "state of charge outside its limits")
    if not smin - tol <= soc_start_kwh <= smax + tol:
        problems.append(f"start state of charge {soc_start_kwh!r} outside its limits")
    previous = np.concatenate(([soc_start_kwh], soc[:-1]))
    expected = previous + (eta * charge - discharge / eta) * HOURS_PER_STEP
    check(np.abs(soc - expected) <= tol * max(1.0, smax), "state of charge does not follow")
    if soc[-1] < soc_start_kwh - tol * max(1.0, smax):
        problems.append(f"state of charge ends at {soc[-1]!r} below its start {soc_start_kwh!r}")

    shift_total = np.zeros(arrays.steps)
    allowed = np.zeros((len(site.shiftable), arrays.steps), dtype=bool)
    for occ in arrays.occurrences:
        allowed[occ.load, occ.window_steps()] = True
    for number, load in enumerate(site.shiftable):
        name = SHIFTABLE_PREFIX + load.name
        if name not in col:
            problems.append(f"missing column {name!r}")
            continue
        shift = col[name]
        shift_total += shift
        check((shift >= -tol) & (shift <= load.max_kw + tol), f"{name} outside [0, max_kw]")
        check(allowed[number] | (np.abs(shift) <= tol), f"{name} outside its window")
    for occ in arrays.occurrences:
        load = site.shiftable[occ.load]
        got = col[SHIFTABLE_PREFIX + load.name][occ.start : occ.stop].sum() * HOURS_PER_STEP
        if abs(got - occ.energy_kwh) > tol * max(1.0, occ.energy_kwh):
            problems.append(
                f"{load.name!r} receives {got!r} kWh on {occ.day}, needs {occ.energy_kwh!r} kWh"
            )

    supply = col["import_kw"] + col["pv_used_kw"] + discharge
    demand = arrays.load_kw - col["curtailed_kw"] + shift_total + charge + col["export_kw"]
    check(np.abs(supply - demand) <= tol * max(1.0, float(arrays.load_kw.max())), "balance")
    return problems
