"""Exact fast engine for ``min-connection``: the smallest constant import limit of a site.

The question: the smallest ``L`` (kW) such that a dispatch exists over the whole profile with
import ≤ ``min(L, restriction limit)`` in every step, using the *installed* battery, PV (which
may be curtailed), the curtailable loads and the shiftable loads; the battery's state of
charge stays within its limits and ends at least where it started (the start is free).

Method (proofs in ``docs/site-file.md``, "How min-connection is computed"):

1. Feasibility for a fixed ``L`` is decided exactly in O(T) by the kernels in
   :mod:`netruimte.planner._kernels`: a backward pass gives the lowest feasible start state of
   charge ``r0``; a forward pass gives the highest end state of charge ``F(s)`` from a start
   ``s``. The cyclic condition asks for ``s >= r0`` with ``F(s) >= s``. Without shiftable
   loads ``F(s) - s`` is nonincreasing, so ``s = r0`` decides it. With shiftable loads
   ``F(s) - s`` is concave but not monotone (a higher start can let the load move off the
   battery, saving conversion losses), so its maximum over ``[r0, smax]`` is found by a
   golden-section search.
2. Feasibility is monotone in ``L``; bisection finds the smallest feasible ``L`` to 1e-5 kW.
3. At that ``L`` a feasible dispatch is rebuilt ("just in time" battery charging).

When occurrences of *different* shiftable loads overlap in time the state is no longer
two-dimensional and the kernels do not apply; the engine then solves the same question as a
linear programme (the LP engine's :func:`netruimte.planner.lp.min_connection_lp`), exact but
slower. The result says which method answered.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, FloatArray
from netruimte.planner import _kernels as kern
from netruimte.planner.dispatch import SHIFTABLE_PREFIX, dispatch_frame, verify_dispatch
from netruimte.planner.prepare import SiteArrays, occurrence_reason, site_arrays
from netruimte.planner.result import PlanResult, PlanStatus, export_asked, installed_sizes
from netruimte.planner.site import Objective, Site

__all__ = ["L_TOLERANCE_KW", "Method", "min_connection"]


L_TOLERANCE_KW: Final = 1e-5
"""Bisection stops when the feasible and infeasible limits are this close (kW)."""

_GOLDEN: Final = (np.sqrt(5.0) - 1.0) / 2.0


class Method(StrEnum):
    """Which exact method answered."""

    KERNEL = "kernel"
    LP = "lp"


@dataclass(frozen=True)
class _Battery:
    power_kw: float
    eta: float
    smin: float
    smax: float


def _battery_of(site: Site) -> _Battery:
    bat = site.battery
    if bat is None or bat.energy_kwh <= 0 or bat.power_kw <= 0:
        return _Battery(0.0, 1.0, 0.0, 0.0)
    kwh = bat.energy_kwh
    return _Battery(bat.power_kw, bat.one_way_efficiency, bat.soc_min * kwh, bat.soc_max * kwh)


class _Kernel:
    """The arrays and tolerances of one site, with the feasibility test for a given limit."""

    def __init__(self, arrays: SiteArrays, battery: _Battery, max_kw: FloatArray) -> None:
        self.arrays = arrays
        self.bat = battery
        occ = arrays.occurrences
        self.occ_start = np.array([o.start for o in occ], dtype=np.int64)
        self.occ_stop = np.array([o.stop for o in occ], dtype=np.int64)
        self.occ_q = np.array([o.energy_kwh for o in occ], dtype=np.float64)
        # Per step: the cap of the shiftable occurrence whose window holds the step (else 0).
        self.m_step = np.zeros(arrays.steps)
        for o in occ:
            self.m_step[o.window_steps()] = max_kw[o.load]
        self.net = np.ascontiguousarray(arrays.net_kw, dtype=np.float64)
        self.rlim = np.ascontiguousarray(arrays.restriction_kw, dtype=np.float64)
        finite_r = self.rlim[np.isfinite(self.rlim)]
        scale_kw = max(
            1.0,
            float(np.abs(self.net).max(initial=0.0)),
            battery.power_kw,
            float(self.m_step.max(initial=0.0)),
            float(finite_r.max(initial=0.0)),
        )
        self.tol_kw = 1e-9 * scale_kw
        self.tol_kwh = 1e-9 * max(scale_kw * HOURS_PER_STEP, battery.smax, 1.0)
        n = len(self.net)
        self._site = kern.SiteSteps(
            self.net, self.rlim, self.occ_start, self.occ_stop, self.occ_q, self.m_step
        )
        self._bat = kern.BatteryLimits(
            battery.power_kw, battery.eta, battery.smin, battery.smax, HOURS_PER_STEP,
            self.tol_kw, self.tol_kwh,
        )  # fmt: skip
        self._req = kern.Requirement(
            np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1), np.zeros(n + 1), np.zeros(len(occ))
        )

    def backward(
        self, limit: float, terminal: float, store: bool = False
    ) -> tuple[float, int, int]:
        return kern.backward(limit, self._site, self._bat, terminal, store, self._req)

    def forward(self, limit: float, s0: float) -> tuple[float, int, int]:
        return kern.forward(limit, self._site, self._bat, s0)

    def _gap(self, limit: float, s: float) -> float:
        """``F(s) - s``: end minus start state of charge at best (-inf when infeasible)."""
        end, _, _ = self.forward(limit, s)
        return -np.inf if np.isnan(end) else end - s

    def feasible_start(self, limit: float) -> tuple[float | None, int, int]:
        """A start state of charge that makes ``limit`` feasible, or ``None``.

        Returns ``(start, step, code)``; ``step``/``code`` tell where the backward pass failed
        (code OK with start None: the cyclic condition fails).
        """
        r0, step, code = self.backward(limit, self.bat.smin)
        if np.isnan(r0):
            return None, step, code
        tol = self.tol_kwh
        gap0 = self._gap(limit, r0)
        if gap0 >= -tol:
            return r0, -1, kern.OK
        if len(self.occ_start) == 0 or self.bat.smax - r0 <= tol:
            return None, -1, kern.OK
        # F(s) - s is concave on [r0, smax]: look for a point where it is >= 0.
        hi = self.bat.smax
        if self._gap(limit, hi) >= -tol:
            return hi, -1, kern.OK
        probe = r0 + 1e-7 * (hi - r0)
        if self._gap(limit, probe) <= gap0:
            return None, -1, kern.OK  # nonincreasing from r0: r0 was the best start
        a, b = r0, hi
        x1 = b - _GOLDEN * (b - a)
        x2 = a + _GOLDEN * (b - a)
        g1, g2 = self._gap(limit, x1), self._gap(limit, x2)
        for _ in range(100):
            if g1 >= -tol:
                return x1, -1, kern.OK
            if g2 >= -tol:
                return x2, -1, kern.OK
            if b - a <= 1e-12 * max(1.0, hi):
                break
            if g1 < g2:
                a, x1, g1 = x1, x2, g2
                x2 = a + _GOLDEN * (b - a)
                g2 = self._gap(limit, x2)
            else:
                b, x2, g2 = x2, x1, g1
                x1 = b - _GOLDEN * (b - a)
                g1 = self._gap(limit, x1)
        return None, -1, kern.OK

    def dispatch_arrays(
        self, limit: float, s0: float
    ) -> tuple[FloatArray, FloatArray, FloatArray, FloatArray]:
        """Shiftable power (active occurrence), charge, discharge (kW) and SoC (T+1, kWh)."""
        r, _, _ = self.backward(limit, s0, store=True)
        if np.isnan(r):
            raise RuntimeError(f"min-connection: no dispatch at a feasible limit {limit!r} kW")
        n = len(self.net)
        shift, charge, discharge, soc = np.zeros(n), np.zeros(n), np.zeros(n), np.zeros(n + 1)
        kern.reconstruct(limit, self._site, self._bat, s0, self._req, shift, charge, discharge, soc)
        return shift, charge, discharge, soc


def _infeasible_reason(site: Site, kernel: _Kernel, limit: float) -> str:
    """Explain why even the largest useful limit is infeasible."""
    _, step, code = kernel.feasible_start(limit)
    arrays = kernel.arrays
    bat = kernel.bat
    index = site.index
    if code == kern.FAIL_POWER:
        headroom = np.minimum(limit, arrays.restriction_kw) - arrays.net_kw
        step = int(np.argmax(headroom < -bat.power_kw - kernel.tol_kw))  # the first such step
        allowed = min(limit, float(arrays.restriction_kw[step]))
        bridge = (
            f"plus the battery's power ({bat.power_kw:g} kW)"
            if bat.power_kw > 0
            else "and there is no battery to bridge it"
        )
        return (
            f"at {index[step].isoformat()} the demand left after PV and curtailment "
            f"({float(arrays.net_kw[step]):g} kW) exceeds the import allowed by the restriction "
            f"window ({allowed:g} kW) {bridge}"
        )
    if code == kern.FAIL_ENERGY:
        occ = next(o for o in arrays.occurrences if o.start <= step < o.stop)
        load = site.shiftable[occ.load]
        return (
            f"shiftable load {load.name!r} cannot receive its {occ.energy_kwh:g} kWh on "
            f"{occ.day} inside its window {load.window}: the restriction windows and the "
            f"battery leave too little room"
        )
    if code in (kern.FAIL_FULL, kern.FAIL_EMPTY):
        usable = bat.smax - bat.smin
        return (
            f"the battery ({usable:g} kWh usable, {bat.power_kw:g} kW) cannot store enough "
            f"to bridge the restriction windows around {index[step].isoformat()}"
        )
    return (
        "the battery cannot end the profile at the state of charge it started with: the "
        "restriction windows take more energy from it than can be charged outside them"
    )


def min_connection(site: Site, *, dispatch: bool = True) -> PlanResult:
    """The smallest constant import limit (kW) with a feasible dispatch over the profile.

    Uses the installed assets only (``battery.energy_kwh``/``power_kw``, ``pv.kwp``); the
    restriction windows stay as given (the limit in a window is ``min(L, window limit)``).
    ``connection.import_kw`` is not used.

    Parameters
    ----------
    site
        The site.
    dispatch
        Also build (and check) a feasible dispatch at the limit found.

    Returns
    -------
    PlanResult
        ``objective="min-connection"``, the installed sizes, ``annual_cost_eur=None`` (not
        priced here), ``method`` ``kernel`` or ``lp``; ``status="infeasible"`` with a reason
        when no limit works (a shiftable window too short for its energy, or restriction
        windows the battery cannot bridge).

    Raises
    ------
    InputError
        The site is not usable (e.g. a negative base load).
    """
    arrays = site_arrays(site)
    battery = _battery_of(site)
    before = float(max(0.0, np.max(arrays.load_kw - arrays.pv_kw)))
    max_kw = np.array([s.max_kw for s in site.shiftable], dtype=np.float64)

    reason = occurrence_reason(site, arrays.occurrences, arrays.missing)
    if arrays.overlapping():
        if reason is not None:
            return _result(site, before, Method.LP, reason=reason)
        return _min_connection_by_lp(site, arrays, battery, before, dispatch)

    if reason is not None:
        return _result(site, before, Method.KERNEL, reason=reason)
    kernel = _Kernel(arrays, battery, max_kw)
    cap = arrays.shiftable_cap_kw(max_kw)
    net = arrays.net_kw
    lo = max(0.0, float(net.max()) - battery.power_kw)
    hi = max(0.0, float((net + cap).max())) + battery.power_kw
    start, _, _ = kernel.feasible_start(lo)
    if start is not None:
        limit = lo
    else:
        start, _, _ = kernel.feasible_start(hi)
        if start is None:
            return _result(site, before, Method.KERNEL, reason=_infeasible_reason(site, kernel, hi))
        while hi - lo > L_TOLERANCE_KW + 1e-12 * hi:
            mid = 0.5 * (lo + hi)
            found, _, _ = kernel.feasible_start(mid)
            if found is None:
                lo = mid
            else:
                hi, start = mid, found
        limit = hi
    frame = None
    if dispatch:
        shift, charge, discharge, soc = kernel.dispatch_arrays(limit, start)
        by_load = np.zeros((len(site.shiftable), len(net)))
        for occ in arrays.occurrences:
            by_load[occ.load, occ.start : occ.stop] = shift[occ.start : occ.stop]
        frame = _frame(site, arrays, limit, by_load, charge, discharge, soc)
    return _result(site, before, Method.KERNEL, limit=limit, dispatch=frame, soc_start_kwh=start)


def _min_connection_by_lp(
    site: Site, arrays: SiteArrays, battery: _Battery, before: float, dispatch: bool
) -> PlanResult:
    """Overlapping shiftable windows: the same question as one LP of the LP engine, its
    schedule completed and checked by the same :func:`dispatch_frame` as the kernels'."""
    from netruimte.planner.lp import min_connection_lp

    plan = min_connection_lp(site)
    if plan.status is not PlanStatus.OPTIMAL or plan.import_kw is None or plan.dispatch is None:
        reason = plan.reason or "no import limit works"
        return _result(site, before, Method.LP, reason=reason)
    lp = plan.dispatch
    soc_start = 0.0 if plan.soc_start_kwh is None else float(plan.soc_start_kwh)
    frame = None
    if dispatch:
        charge = np.clip(lp["battery_charge_kw"].to_numpy(dtype=float), 0.0, battery.power_kw)
        discharge = np.clip(lp["battery_discharge_kw"].to_numpy(dtype=float), 0.0, battery.power_kw)
        soc = np.clip(
            np.concatenate([[soc_start], lp["soc_kwh"].to_numpy(dtype=float)]),
            battery.smin,
            battery.smax,
        )
        shift = np.array(
            [np.clip(lp[SHIFTABLE_PREFIX + s.name].to_numpy(dtype=float), 0.0, None)
             for s in site.shiftable]
        )  # fmt: skip
        frame = _frame(site, arrays, plan.import_kw, shift, charge, discharge, soc)
    return _result(
        site, before, Method.LP, limit=plan.import_kw, dispatch=frame, soc_start_kwh=soc_start
    )


def _result(
    site: Site,
    before: float,
    method: Method,
    *,
    limit: float | None = None,
    reason: str | None = None,
    dispatch: pd.DataFrame | None = None,
    soc_start_kwh: float | None = None,
) -> PlanResult:
    """The plan of ``min-connection``: optimal at ``limit``, or infeasible for ``reason``."""
    pv_kwp, energy_kwh, power_kw = installed_sizes(site)
    return PlanResult(
        status=PlanStatus.INFEASIBLE if limit is None else PlanStatus.OPTIMAL,
        objective=Objective.MIN_CONNECTION,
        import_kw=limit,
        export_kw=export_asked(site, dispatch),
        pv_kwp=pv_kwp,
        battery_energy_kwh=energy_kwh,
        battery_power_kw=power_kw,
        peak_import_before_kw=before,
        peak_import_after_kw=None if dispatch is None else float(dispatch["import_kw"].max()),
        annual_cost_eur=None,
        reason=reason,
        dispatch=dispatch,
        soc_start_kwh=soc_start_kwh,
        method=method,
    )


def _frame(
    site: Site,
    arrays: SiteArrays,
    limit: float,
    shift_by_load: FloatArray,
    charge: FloatArray,
    discharge: FloatArray,
    soc: FloatArray,
) -> pd.DataFrame:
    frame = dispatch_frame(site, arrays, limit, shift_by_load, charge, discharge, soc)
    scale = max(1.0, float(arrays.load_kw.max(initial=0.0)), float(charge.max(initial=0.0)))
    problems = verify_dispatch(site, limit, frame, soc_start_kwh=float(soc[0]), tol=1e-6 * scale)
    if problems:  # a bug, never an input problem: refuse to return a wrong plan
        raise RuntimeError("min-connection produced an infeasible dispatch: " + problems[0])
    return frame
