"""Run HiGHS (through ``highspy``) on a built :class:`~netruimte.planner.lp.builder.LpModel`.

The model goes in as one ``HighsLp`` built from the CSC arrays (no per-variable objects).
:class:`LpSolver` keeps the HiGHS instance alive between solves, so that changing a few column
bounds (fixing the sizing in the decomposition) re-solves from the previous optimal basis with
the dual simplex method instead of from scratch.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from dataclasses import dataclass
from enum import StrEnum

import highspy
import numpy as np
import numpy.typing as npt

from netruimte.conventions import FloatArray
from netruimte.planner.lp.builder import LpModel

__all__ = [
    "LpSolution",
    "LpSolver",
    "SolveStatus",
    "UnboundedModelError",
    "new_highs",
    "solve_model",
]


class UnboundedModelError(RuntimeError):
    """HiGHS found the model unbounded: some plan earns without limit (see the caller)."""


class SolveStatus(StrEnum):
    """What HiGHS concluded."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"
    UNBOUNDED = "unbounded"
    OTHER = "other"


@dataclass(frozen=True)
class LpSolution:
    """Primal values, reduced costs and the objective of one solve.

    ``objective`` includes the model's constant offset; ``col_dual`` are the reduced costs
    (``d = c − Aᵀy``), whose values for fixed columns are subgradients of the optimal value.
    """

    status: SolveStatus
    objective: float
    col_value: FloatArray
    col_dual: FloatArray
    iterations: int
    seconds: float
    message: str
    cpu_seconds: float = np.nan


_BANNER_LOCK = threading.Lock()
_banner_done = False


def new_highs() -> highspy.Highs:
    """A HiGHS instance with its output off.

    HiGHS writes a two-line banner to file descriptor 1 when the first instance of a process is
    made, before any option can be set; the CLI's ``--json`` promises a clean stdout, so the
    first construction runs with descriptor 1 pointed at ``/dev/null``.
    """
    global _banner_done
    with _BANNER_LOCK:
        if _banner_done:
            highs = highspy.Highs()  # type: ignore[no-untyped-call]
        else:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            try:
                os.dup2(devnull, 1)
                highs = highspy.Highs()  # type: ignore[no-untyped-call]
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
            _banner_done = True
    highs.setOptionValue("output_flag", False)
    return highs


def _status(model_status: highspy.HighsModelStatus) -> SolveStatus:
    if model_status == highspy.HighsModelStatus.kOptimal:
        return SolveStatus.OPTIMAL
    if model_status == highspy.HighsModelStatus.kInfeasible:
        return SolveStatus.INFEASIBLE
    if model_status in (
        highspy.HighsModelStatus.kUnbounded,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    ):
        return SolveStatus.UNBOUNDED
    return SolveStatus.OTHER


class LpSolver:
    """One HiGHS instance holding one model.

    Parameters
    ----------
    model
        The model to pass to HiGHS.
    solver
        HiGHS ``solver`` option: ``"simplex"`` (default; dual simplex, warm-startable) or
        ``"ipm"``.
    time_limit_s
        HiGHS time limit (seconds).
    """

    def __init__(
        self, model: LpModel, *, solver: str = "simplex", time_limit_s: float = np.inf
    ) -> None:
        self.model = model
        self.highs = new_highs()
        self.highs.setOptionValue("solver", solver)
        if np.isfinite(time_limit_s):
            self.highs.setOptionValue("time_limit", float(time_limit_s))
        lp = highspy.HighsLp()
        lp.num_col_ = model.num_col
        lp.num_row_ = model.num_row
        lp.col_cost_ = model.col_cost
        lp.col_lower_ = model.col_lower
        lp.col_upper_ = model.col_upper
        lp.row_lower_ = model.row_lower
        lp.row_upper_ = model.row_upper
        lp.offset_ = model.offset
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = model.a_start
        lp.a_matrix_.index_ = model.a_index
        lp.a_matrix_.value_ = model.a_value
        lp.a_matrix_.num_col_ = model.num_col
        lp.a_matrix_.num_row_ = model.num_row
        status = self.highs.passModel(lp)
        if status == highspy.HighsStatus.kError:
            raise RuntimeError("HiGHS refused the model (passModel returned an error)")

    def set_option(self, name: str, value: bool | int | float | str) -> None:
        """Set a HiGHS option."""
        self.highs.setOptionValue(name, value)

    def fix_columns(self, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        """Fix columns at values (lower = upper = value)."""
        c = np.atleast_1d(np.asarray(cols, dtype=np.int32))
        v = np.atleast_1d(np.asarray(values, dtype=float))
        self.highs.changeColsBounds(len(c), c, v, v)

    def set_bounds(self, cols: npt.ArrayLike, lower: npt.ArrayLike, upper: npt.ArrayLike) -> None:
        """Change column bounds."""
        c = np.atleast_1d(np.asarray(cols, dtype=np.int32))
        lo = np.atleast_1d(np.asarray(lower, dtype=float))
        up = np.atleast_1d(np.asarray(upper, dtype=float))
        self.highs.changeColsBounds(len(c), c, lo, up)

    def set_costs(self, cols: npt.ArrayLike, costs: npt.ArrayLike) -> None:
        """Change objective coefficients."""
        c = np.atleast_1d(np.asarray(cols, dtype=np.int32))
        v = np.atleast_1d(np.asarray(costs, dtype=float))
        self.highs.changeColsCost(len(c), c, v)

    def copy_basis_from(self, other: LpSolver) -> None:
        """Start the next solve from the basis of another solver holding the same model."""
        self.highs.setBasis(other.highs.getBasis())

    def solve_optimal(self, what: str) -> LpSolution:
        """:meth:`solve`, raising unless optimal (:class:`UnboundedModelError` if unbounded)."""
        solution = self.solve()
        if solution.status is SolveStatus.UNBOUNDED:
            raise UnboundedModelError(f"{what} is unbounded")
        if solution.status is not SolveStatus.OPTIMAL:
            raise RuntimeError(f"{what} ended {solution.message!r}")
        return solution

    def solve(self) -> LpSolution:
        """Run HiGHS from the current basis (if any) and return the solution."""
        start = time.perf_counter()
        cpu_start = time.thread_time()
        self.highs.run()
        cpu = time.thread_time() - cpu_start
        seconds = time.perf_counter() - start
        model_status = self.highs.getModelStatus()
        status = _status(model_status)
        info = self.highs.getInfo()
        iterations = int(info.simplex_iteration_count) + int(info.ipm_iteration_count)
        message = self.highs.modelStatusToString(model_status)
        if status is not SolveStatus.OPTIMAL:
            empty = np.zeros(0)
            return LpSolution(status, np.nan, empty, empty, iterations, seconds, message, cpu)
        solution = self.highs.getSolution()
        return LpSolution(
            status=status,
            objective=float(info.objective_function_value),
            col_value=np.asarray(solution.col_value, dtype=float),
            col_dual=np.asarray(solution.col_dual, dtype=float),
            iterations=iterations,
            seconds=seconds,
            message=message,
            cpu_seconds=cpu,
        )


def solve_model(model: LpModel, *, solver: str = "simplex") -> LpSolution:
    """Pass a model to a fresh HiGHS instance and solve it once."""
    return LpSolver(model, solver=solver).solve()
