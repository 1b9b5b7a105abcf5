"""The LP site planner: ``min-cost`` sizing and dispatch, and ``min-connection`` as an LP.

* :func:`min_cost`: new PV, battery and contracted import at the least cost, with the dispatch;
* :func:`min_connection_lp`: the smallest constant import limit, as one LP (the cross-check of
  the fast engine :func:`netruimte.planner.fast.min_connection`);
* :class:`PlanResult`: the frozen result (Plan JSON fields, cost breakdown, dispatch).

The formulation (sets, variables, every constraint family, the objective) and the
decomposition with its optimality proof are in ``docs/formulation.md``. HiGHS is fed sparse
arrays (:mod:`netruimte.planner.lp.builder`); no per-variable Python objects exist.
"""

from __future__ import annotations

from netruimte.planner.lp.builder import LpModel, Mode, ModelSpec, build_model
from netruimte.planner.lp.decompose import DecompositionReport
from netruimte.planner.lp.inputs import LpInputs, lp_inputs
from netruimte.planner.lp.plan import DEFAULT_GAP, min_connection_lp, min_cost
from netruimte.planner.lp.results import PlanResult, PlanStatus

__all__ = [
    "DEFAULT_GAP",
    "DecompositionReport",
    "LpInputs",
    "LpModel",
    "Mode",
    "ModelSpec",
    "PlanResult",
    "PlanStatus",
    "build_model",
    "lp_inputs",
    "min_connection_lp",
    "min_cost",
]
