"""A plan from a dispatch short of import at too low a kW: import it, raise the kW to match.

Where no restriction caps the step, that is a plan of the full LP with an exact cost, an
upper bound (``docs/formulation.md``, "Repaired plans"), checked against every row first.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import scipy.sparse as sp

from netruimte.conventions import FloatArray
from netruimte.planner.lp.builder import LpModel

__all__ = ["import_unserved", "model_matrix", "model_violation", "repair_floor"]


def model_matrix(model: LpModel) -> sp.csr_matrix:
    """The constraint matrix ``A`` of ``model`` (rows by columns)."""
    return sp.csc_matrix(
        (model.a_value, model.a_index, model.a_start), shape=(model.num_row, model.num_col)
    ).tocsr()


def repair_floor(
    model: LpModel, segments: Sequence[tuple[LpModel, FloatArray]], value: float
) -> float:
    """A lower bound on the cost :func:`import_unserved` would give a round of ``value`` EUR
    whose segments (model, column values) left load unserved: the value without the penalty,
    the import priced where the price is negative (``-inf`` if a kW tariff is negative)."""
    cols = model.columns
    kw = [model.col_cost[c] for c in (cols.contracted_kw, cols.kwmax_kw) if c is not None]
    if any(bool(np.any(np.asarray(c) < 0)) for c in kw):
        return -np.inf
    saving = 0.0
    for seg_model, x in segments:
        seg = seg_model.columns
        unserved = x[seg.unserved_kw]
        if unserved.any():
            cost = seg_model.col_cost
            price = np.minimum(cost[seg.import_kw[seg.unserved_step]], 0.0)
            saving += float(((cost[seg.unserved_kw] - price) * unserved).sum())
    return value - saving


def model_violation(model: LpModel, matrix: sp.csr_matrix, x: FloatArray) -> float:
    """The largest violation of a row or column bound of ``model`` by ``x`` (kW, kWh, ...);
    ``matrix`` is :func:`model_matrix` of ``model``."""
    activity = matrix @ x
    worst = 0.0
    for excess in (
        model.row_lower - activity,
        activity - model.row_upper,
        model.col_lower - x,
        x - model.col_upper,
    ):
        finite = excess[np.isfinite(excess)]
        worst = max(worst, float(finite.max(initial=0.0)))
    return worst


def import_unserved(
    model: LpModel,
    matrix: sp.csr_matrix,
    x: FloatArray,
    unserved_kw: FloatArray,
    tolerance: float,
) -> tuple[FloatArray, float] | None:
    """The plan ``(x, cost EUR)`` that imports the unserved power of ``x``, or ``None``.

    ``x`` holds the full model's columns (``matrix`` is :func:`model_matrix`) of a dispatch
    whose only defect is ``unserved_kw`` per step (kW; the segments are elastic at every
    step, the full model maybe not). ``None`` when a restriction would not allow the higher
    import, or when the plan breaks a row or bound by more than ``tolerance``.
    """
    cols = model.columns
    if cols.contracted_kw is None:
        return None
    inp = model.inputs
    plan = x.copy()
    imported = plan[cols.import_kw] + unserved_kw
    if np.any(imported > inp.restriction_kw + tolerance):
        return None  # a restriction window caps the step: more kW would not help
    plan[cols.import_kw] = imported
    plan[cols.unserved_kw] = 0.0
    peak_kw = float(imported.max(initial=0.0))
    if cols.kwmax_kw is not None:
        month_peak = np.zeros(inp.months)
        np.maximum.at(month_peak, inp.month_of_step, imported)
        plan[cols.kwmax_kw] = np.maximum(plan[cols.kwmax_kw], month_peak)
        peak_kw = float(plan[cols.kwmax_kw].max(initial=0.0))
    plan[cols.contracted_kw] = max(float(plan[cols.contracted_kw]), peak_kw)
    if model_violation(model, matrix, plan) > tolerance:
        return None
    return plan, float(model.col_cost @ plan) + model.offset
