"""The master LP of a cutting-plane decomposition: the cut model minimised over a box.

The time decomposition (:mod:`netruimte.planner.lp.temporal`) evaluates ``K`` segment LPs at
a point ``y`` of the master variables; each gives its value ``F_k(y)`` and a subgradient
``g_k``, so ``F_k(z) >= F_k(y) + g_k·(z − y)`` for every ``z`` (LP duality). The master keeps
one variable ``θ_k`` per segment (disaggregated cuts) and minimises ``c·z + Σ_k θ_k`` over all
cuts, the box and any further rows the caller names (``docs/formulation.md``, "Solving
min-cost faster still: decomposition over time"). Over the whole box its minimum is a lower
bound on the full problem; over a trust region it proposes the next point.
"""

from __future__ import annotations

from collections.abc import Sequence

import highspy
import numpy as np

from netruimte.conventions import FloatArray
from netruimte.planner.lp.solve import new_highs

__all__ = ["MasterInfeasible", "minimise_cut_model"]


class MasterInfeasible(RuntimeError):
    """No point of the box meets the further rows (the cuts alone are always feasible)."""


def minimise_cut_model(
    cost: FloatArray,
    cuts: Sequence[Sequence[tuple[float, FloatArray]]],
    points: Sequence[FloatArray],
    lower: FloatArray,
    upper: FloatArray,
    rows: Sequence[tuple[FloatArray, float]] = (),
) -> tuple[FloatArray, float]:
    """Minimise ``cost·z + Σ_k θ_k`` subject to the cuts, ``rows`` and the box.

    Parameters
    ----------
    cost
        Cost of each master variable (EUR per unit), length ``n``.
    cuts
        Per evaluated point, per segment ``k``: ``(F_k(y), g_k)``, value (EUR) and
        subgradient (length ``n``) at that point.
    points
        The evaluated points ``y`` (length ``n`` each), in the order of ``cuts``.
    lower, upper
        The box ``[lower, upper]`` over the master variables.
    rows
        Further rows ``a·z <= b`` over the master variables (``a`` of length ``n``).

    Returns
    -------
    (z, objective)
        The minimiser (clipped to the box against solver noise) and the minimum
        ``cost·z + Σ_k θ_k`` (EUR).
    """
    dim = len(cost)
    k = len(cuts[0]) if cuts else 0
    highs = new_highs()
    inf = highspy.kHighsInf
    highs.addVars(dim + k, np.append(lower, np.full(k, -inf)), np.append(upper, np.full(k, inf)))
    highs.changeColsCost(dim + k, np.arange(dim + k, dtype=np.int32), np.append(cost, np.ones(k)))
    matrix_rows: list[FloatArray] = []
    rhs: list[float] = []
    for y, evals in zip(points, cuts, strict=True):
        for number, (value, grad) in enumerate(evals):
            row = np.zeros(dim + k)
            row[:dim] = grad
            row[dim + number] = -1.0  # g·z − θ_k <= g·y − F_k(y)
            matrix_rows.append(row)
            rhs.append(float(grad @ y) - value)
    for a, b in rows:
        row = np.zeros(dim + k)
        row[:dim] = a
        matrix_rows.append(row)
        rhs.append(b)
    if matrix_rows:
        matrix = np.array(matrix_rows)
        nz = np.nonzero(matrix)
        count = len(matrix_rows)
        starts = np.searchsorted(nz[0], np.arange(count)).astype(np.int32)
        highs.addRows(
            count,
            np.full(count, -inf),
            np.array(rhs),
            len(nz[0]),
            starts,
            nz[1].astype(np.int32),
            matrix[nz],
        )
    highs.run()
    if highs.getModelStatus() == highspy.HighsModelStatus.kInfeasible:
        raise MasterInfeasible("no point of the master's box meets its rows")
    if highs.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        raise RuntimeError(
            "the decomposition's master problem failed: "
            + highs.modelStatusToString(highs.getModelStatus())
        )
    z = np.asarray(highs.getSolution().col_value, dtype=float)
    return np.clip(z[:dim], lower, upper), float(highs.getInfo().objective_function_value)
