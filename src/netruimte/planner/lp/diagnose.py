"""Why a plan is infeasible, and when: plain words with a timestamp and a shortfall in kW.

Two kinds of infeasibility exist (``docs/formulation.md``, "Infeasibility"):

* a shiftable occurrence that cannot receive its energy inside its window even at full power
  (or whose window does not occur that day) — found directly from the occurrences;
* an import cap (a fixed limit or a restriction window) that the load exceeds even with the
  largest battery and PV allowed and all flexibility — found by a phase-1 LP that minimises
  the unserved energy (``Mode.FEASIBILITY``). Its earliest step with unserved energy is the
  *when*, the unserved kW the *how much*. Unserved energy is weighted slightly more the
  earlier it falls, so the battery bridges as long as it can and the report names the first
  moment nothing is left to bridge with.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from netruimte.conventions import HOURS_PER_STEP
from netruimte.planner import prepare
from netruimte.planner.lp.builder import Mode, ModelSpec, build_model
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.lp.solve import LpSolver
from netruimte.planner.site import Site

__all__ = ["occurrence_reason", "shortfall_reason"]

_EARLY_WEIGHT = 1e-3
"""Extra weight (relative) of unserved energy at the start over the end of the profile."""


def occurrence_reason(site: Site, inp: LpInputs) -> str | None:
    """A shiftable occurrence that no dispatch can serve, in words; ``None`` if none."""
    return prepare.occurrence_reason(site, inp.occurrences, inp.missing)


def shortfall_reason(inp: LpInputs, *, tol_kw: float = 1e-6) -> str | None:
    """Solve the phase-1 LP; ``None`` when nothing is unserved, else the reason in words.

    ``inp`` should carry the most capacity the plan may have (see
    :meth:`LpInputs.with_sizing`) and the caps that hold: the fixed ``import_limit_kw`` (or
    ``None``) and the restriction windows.
    """
    n = inp.steps
    early = 1.0 + _EARLY_WEIGHT * (n - np.arange(n)) / max(n, 1)
    weighted = dataclasses.replace(inp, step_weight=inp.step_weight * early)
    model = build_model(weighted, ModelSpec(Mode.FEASIBILITY))
    solution = LpSolver(model).solve_optimal("the phase-1 LP")
    v = model.columns
    unserved = np.zeros(n)
    unserved[v.unserved_step] = solution.col_value[v.unserved_kw]
    scale = max(1.0, float(inp.load_kw.max(initial=0.0)))
    short = np.flatnonzero(unserved > tol_kw * scale)
    if len(short) == 0:
        return None
    t = int(short[0])
    cap = float(inp.import_cap_kw(inp.import_limit_kw)[t])
    bat = inp.battery
    energy, power = bat.energy_kwh, bat.power_kw
    where = "the restriction window's" if inp.restriction_kw[t] <= cap else "the"
    pv = inp.pv_available_kw(inp.pv_kwp)[t]
    curtail = float(inp.curtail_max_kw[:, t].sum()) if len(inp.curtail_max_kw) else 0.0
    net = float(inp.load_kw[t] - pv - min(curtail, inp.load_kw[t]))
    if energy > 0 and power > 0:
        if net - cap - power > tol_kw * scale:
            battery = f"even with the battery discharging at its full {power:g} kW"
        else:
            battery = (
                f"even with the battery ({energy:g} kWh, {power:g} kW), which cannot hold "
                "enough energy to bridge it"
            )
    else:
        battery = "and there is no battery to bridge it"
    total_kwh = float(unserved.sum() * HOURS_PER_STEP)
    stamp = inp.index[t].isoformat(timespec="minutes")
    return (
        f"at {stamp} the load exceeds {where} import limit of {cap:g} kW by "
        f"{unserved[t]:.4g} kW {battery}, with all PV and flexible loads used "
        f"({len(short)} quarter-hours short, {total_kwh:.4g} kWh in all)"
    )
