"""A plan from a dispatch that leaves some load unserved: import it, and raise the kW to match.

The time decomposition (:mod:`netruimte.planner.lp.temporal`) evaluates its segment LPs at
points whose contracted kW ``C`` (and, with kW-max master variables, monthly peaks ``M_m``)
can be a little too low: the elastic segments then leave some load unserved at the penalty,
and the point is no plan. Where that load could have been imported (no restriction window
caps the step below the higher import), the same dispatch with the unserved power imported,
``M_m`` raised to the month's new peak and ``C`` to the year's, is a plan of the full LP. Its
cost is exact, so it is an upper bound on the optimum: the decomposition can stop as soon as
a lower bound comes near it, instead of waiting for a point whose kW happens to be enough.

The repaired plan is checked against every row and bound of the full model before it counts;
the planner then checks its dispatch independently, like any other plan.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from netruimte.conventions import FloatArray
from netruimte.planner.lp.builder import LpModel

__all__ = ["import_unserved", "model_matrix", "model_violation"]


def model_matrix(model: LpModel) -> sp.csr_matrix:
    """The constraint matrix ``A`` of ``model`` (rows by columns)."""
    return sp.csc_matrix(
        (model.a_value, model.a_index, model.a_start), shape=(model.num_row, model.num_col)
    ).tocsr()


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
    """The plan that imports the unserved power of ``x``, or ``None`` when there is none.

    Parameters
    ----------
    model
        The full ``COST`` model (with a contracted-kW column).
    matrix
        Its constraint matrix (:func:`model_matrix`).
    x
        Column values of the full model: a dispatch whose only defect is unserved power.
    unserved_kw
        Unserved power per step of the profile (kW), including steps the full model has no
        unserved column for (the segments are elastic at every step).
    tolerance
        Largest row or bound violation the plan may have (kW or kWh): solver noise.

    Returns
    -------
    (x, cost) or None
        The plan's column values and its cost (EUR, offset included); ``None`` when some
        unserved power falls in a step whose restriction would not allow the higher import,
        or when the result breaks a row of the model.
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
