"""Rows every plan meets: the battery must carry what import and PV cannot.

They cut from the master of the time decomposition the sizes and kW that cannot serve the
site (``docs/formulation.md``, "Rows every plan meets"), so it proposes fewer points that
leave load unserved, and its lower bound rises without evaluating them.
"""

from __future__ import annotations

import itertools

import numpy as np

from netruimte.conventions import FloatArray
from netruimte.planner.lp.builder import DT
from netruimte.planner.lp.inputs import LpInputs

__all__ = ["violated_plan_rows"]


def violated_plan_rows(
    inp: LpInputs, names: tuple[str, ...], c_index: int | None, y: FloatArray, tol: float
) -> list[tuple[FloatArray, float]]:
    """Rows ``a·z <= b`` over the master variables that every plan meets and ``y`` violates.

    In a plan ``d_t − c_t >= def_t = L_t − r̄_t − f_t K − min(C, R_t)`` (import at most the
    contracted kW ``C`` and the time-block right ``R_t``, PV at most ``f_t K``, curtailment at
    most ``r̄_t``), so ``def_t <= P0 + P`` and the state of charge falls by at least
    ``h(def_t) Δ`` in a step (``def / η`` when positive, else ``η def``): over any run of steps
    ``Σ h(def_t) Δ <= (σ⁺ − σ⁻)(E0 + E)``. Both left-hand sides are convex in ``(C, K)``, so
    their tangents are rows every plan meets. Returned: the run with the largest sum (a maximum
    subarray, inside one profile segment) with its tangent where it meets the right-hand side
    (Newton in ``C``), and the step with the largest deficit. ``tol`` (kWh, kW) loosens both.
    """
    bat = inp.battery
    index = {name: i for i, name in enumerate(names)}
    pv, kwh, kw = (index.get(n) for n in ("pv_new_kwp", "battery_new_kwh", "battery_new_kw"))
    kwp = inp.pv_kwp + (float(y[pv]) if pv is not None else 0.0)
    depth = bat.soc_max - bat.soc_min
    energy = depth * (bat.energy_kwh + (float(y[kwh]) if kwh is not None else 0.0))
    power = bat.power_kw + (float(y[kw]) if kw is not None else 0.0)
    limit = inp.import_limit_kw if inp.import_limit_kw is not None else np.inf
    contracted = float(y[c_index]) if c_index is not None else limit
    base = inp.load_kw - inp.curtail_max_kw.sum(axis=0) - inp.pv_kw_per_kwp * kwp
    edges = np.append(inp.segment_start, inp.steps)

    def deficit_at(c_kw: float, run: slice = slice(None)) -> tuple[FloatArray, FloatArray]:
        deficit = base[run] - np.minimum(np.minimum(inp.restriction_kw[run], c_kw), 1e9)
        return deficit, np.where(deficit > 0, 1.0 / bat.eta, bat.eta) * DT  # and dh/d(def) Δ

    def worst_run(deficit: FloatArray, slope: FloatArray) -> tuple[float, slice]:
        best, run = 0.0, slice(0, 0)
        for lo, hi in itertools.pairwise(int(e) for e in edges):
            sums = np.concatenate(([0.0], np.cumsum(deficit[lo:hi] * slope[lo:hi])))
            end = int(np.argmax(sums - np.minimum.accumulate(sums)))
            first = int(np.argmin(sums[: end + 1]))
            if sums[end] - sums[first] > best:
                best, run = float(sums[end] - sums[first]), slice(lo + first, lo + end)
        return best, run

    def on_run(c_kw: float, run: slice) -> tuple[float, float, FloatArray]:
        """The run's need, its slope in C and its slope factors at ``c_kw``."""
        deficit, slope = deficit_at(c_kw, run)
        by_c = inp.restriction_kw[run] >= c_kw if c_index is not None else False
        return float(deficit @ slope), -float(slope[by_c].sum()), slope

    rows: list[tuple[FloatArray, float]] = []
    deficit, slope = deficit_at(contracted)  # also the power row's, below
    need, run = worst_run(deficit, slope)
    if need > energy + tol:
        at = contracted
        # The tangent where a run's need meets the energy supports the set (the one at y
        # would cut less): Newton in C along the run (convex, decreasing, piecewise linear,
        # so it stops below the root), then again along any run that still needs more.
        for _ in range(3):  # runs; more change no evaluation on the benchmark sites
            need, d_c, slope = on_run(at, run)
            for _ in range(50):
                if need <= energy + tol or d_c >= 0:
                    break
                at += (energy - need) / d_c
                need, d_c, slope = on_run(at, run)
            more, other = worst_run(*deficit_at(at))
            if more <= energy + tol or d_c >= 0:
                break
            run = other
        need, d_c, slope = on_run(at, run)
        a = np.zeros(len(y))
        b = depth * bat.energy_kwh - need + tol
        if c_index is not None:
            a[c_index] = d_c
            b += d_c * at
        if pv is not None:
            a[pv] = -float(slope @ inp.pv_kw_per_kwp[run])
            b += a[pv] * float(y[pv])
        if kwh is not None:
            a[kwh] = -depth
        rows.append((a, b))
    step = int(np.argmax(deficit))
    if deficit[step] > power + tol:
        a = np.zeros(len(y))
        b = bat.power_kw - float(deficit[step]) + tol
        if c_index is not None and inp.restriction_kw[step] >= contracted:
            a[c_index] = -1.0
            b -= contracted
        if pv is not None:
            a[pv] = -float(inp.pv_kw_per_kwp[step])
            b += a[pv] * float(y[pv])
        if kw is not None:
            a[kw] = -1.0
        rows.append((a, b))
    return rows
