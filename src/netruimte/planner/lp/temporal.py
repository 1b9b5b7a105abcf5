"""Min-cost by decomposition over the sizing *and* time: month-long dispatch LPs, exact bounds.

The full-year LP couples its 35,040 steps through the sizing (new PV kWp, battery kWh and
kW), the contracted kW ``C`` and the battery's state of charge, which runs from one step to the
next. Fixing the sizing alone (:mod:`netruimte.planner.lp.decompose`) leaves one dispatch LP
per evaluation that still spans the whole year and takes seconds. Fixing also ``C`` and the
state of charge ``b_k`` at the start of every segment (a calendar month) splits that LP into
independent month-long LPs: ``F(y) = Σ_k F_k(y)`` with ``y = (sizing, C, b_0 .. b_{K−1})``.
A shiftable window that runs across a month start (a night window on the last day of the
month) is cut there, and the energy it receives before the start is one more master
variable: the month before delivers that much in its part of the window, the month after the
rest (each through a fixed column, whose reduced cost is the cut's slope).

Every month LP (about 3,000 steps) is built and solved cold in a worker thread in the first
evaluation, then re-solved warm; the months run on two threads (HiGHS releases the GIL).
``segment_days`` cuts months into shorter segments (each month's kW-max joins the master).
Per segment, the value and a subgradient from the reduced costs and the end row's dual give
a cut below ``F_k`` (LP duality). The master minimises ``c·z + Σ_k θ_k`` over the cuts, one
per segment and evaluation, in a trust region around the best ``y``; its minimum over the
whole box is a **lower bound**, an evaluation that serves everything and meets its end
states a plan, an **upper bound**; it stops when they are within ``gap_tolerance``.

A segment must end at the next segment's start state of charge; two slack columns (more and
less energy, at the unserved-energy penalty per kWh) keep every segment feasible for every
``y`` (the elastic model of ``docs/formulation.md``: a relaxation, so its cuts stay below the
original optimum). A plan counts only when its slacks (and unserved energy) are zero.
"""

from __future__ import annotations

import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import highspy
import numpy as np

from netruimte.conventions import FloatArray, IntArray
from netruimte.planner.lp.builder import LpModel, ModelSpec
from netruimte.planner.lp.decompose import (
    ABSOLUTE_TOLERANCE_EUR,
    UNSERVED_TOLERANCE,
    DecompositionReport,
    Iterate,
)
from netruimte.planner.lp.master import MasterInfeasible, minimise_cut_model
from netruimte.planner.lp.plan_rows import violated_plan_rows
from netruimte.planner.lp.segment_lp import SegmentLp, build_segment_lp
from netruimte.planner.lp.segments import (
    contracted_guess_kw,
    contracted_upper_kw,
    segment_bounds,
    sizing_bounds,
    sizing_gradient,
    split_occurrences,
    time_decomposable,
)
from netruimte.planner.lp.solve import LpSolution, SolveStatus

__all__ = ["segment_bounds", "solve_by_time_decomposition", "time_decomposable"]


STEP_SHARE = 0.7
"""Share of the step from the centre to the master's minimiser taken (in-out,
``docs/sources.md [in-out]``; 0.5-0.8 measured, ``docs/formulation.md`` "Fifth pass")."""

PLAN_ROW_ROUNDS = 5
"""Master LPs per proposal that add rows every plan meets (``plan_rows``)."""

INITIAL_RADIUS = 0.1
"""Half-width of the first trust region for the sizes, as a share of each size's range."""

START_RADIUS = 0.05
"""Half-width of the first trust region for the segment starts (share of the battery's range).
Both measured on the benchmark year (0.05-0.2 tried): wider boxes jump to sizings with a
steep unserved-energy penalty and take more evaluations."""

CONTRACTED_RADIUS = 0.2
"""Half-width of the first trust region for the kW, as a share of its first guess (0.05
until the rows every plan meets kept low-kW points that leave load unserved out; 0.1-0.5
measured, ``docs/formulation.md`` "Fifth pass")."""

SPLIT_RADIUS = 0.25
"""Half-width of the first trust region for the energy a window cut by a segment start
receives before it, as a share of its range."""

SLACK_TOLERANCE = 1e-7
"""End-of-segment state of charge off by less than this (relative to the largest battery
energy, kWh) still counts as met: solver noise, far inside the dispatch checker's 1e-5."""


@dataclass(frozen=True)
class _Eval:
    value: float  # F_k at y
    grad: FloatArray  # over all master variables
    col_value: FloatArray
    served: bool  # no unserved energy and the end state of charge met
    seconds: float
    cpu_seconds: float
    iterations: int


class _Problem:
    """The master's view: variables ``y`` (sizing, contracted kW, segment starts) and segments."""

    def __init__(
        self, model: LpModel, penalty_eur_per_kwh: float, segment_days: int | None = None
    ) -> None:
        inp = model.inputs
        full = model.columns
        self.model = model
        sizing = full.sizing()
        self.names = tuple(sizing)
        link_cols = [sizing[name] for name in self.names]
        self.c_index: int | None = None
        if full.contracted_kw is not None:
            self.c_index = len(link_cols)
            link_cols.append(full.contracted_kw)
        # With segments shorter than a month, each month's kW-max M_m is a master variable
        # (fixed in every segment of its month, priced in the master).
        self.m_index: int | None = None
        if segment_days is not None and full.kwmax_kw is not None:
            self.m_index = len(link_cols)
            link_cols += [int(c) for c in full.kwmax_kw]
        self.link_full = np.array(link_cols, dtype=np.int64)
        self.n_link = len(link_cols)
        self.battery = full.soc_kwh is not None
        bounds = segment_bounds(inp, segment_days)
        self.bounds = bounds
        k = len(bounds)
        self.k = k
        # The energy each window cut by a segment start receives before it (master variables
        # after the starts).
        self.split = split_occurrences(inp, bounds)
        self.split_index = self.n_link + (k if self.battery else 0)
        self.dim = self.split_index + len(self.split)
        self.cost = np.zeros(self.dim)
        self.cost[: self.n_link] = model.col_cost[self.link_full]
        self.lower = np.zeros(self.dim)
        self.upper = np.zeros(self.dim)
        self.lower[: self.n_link] = model.col_lower[self.link_full]
        self.upper[: self.n_link] = model.col_upper[self.link_full]
        if self.c_index is not None:
            self.upper[self.c_index] = contracted_upper_kw(inp)
        if self.m_index is not None:
            self.upper[self.m_index : self.n_link] = contracted_upper_kw(inp)
        bat = inp.battery
        if self.battery:
            self.lower[self.n_link : self.split_index] = bat.soc_min * bat.energy_kwh
            self.upper[self.n_link : self.split_index] = bat.soc_max * (
                bat.energy_kwh + bat.max_energy_kwh
            )
        for number, cut in enumerate(self.split):
            self.lower[self.split_index + number] = cut.lower_kwh
            self.upper[self.split_index + number] = cut.upper_kwh
        self.scale_kwh = max(1.0, bat.energy_kwh + bat.max_energy_kwh)
        self.unserved_tol = UNSERVED_TOLERANCE * max(1.0, float(inp.load_kw.max(initial=0.0)))
        self._ends = np.append(bounds[1:], inp.steps)
        self._spec = ModelSpec(
            model.spec.mode, elastic=True, penalty_eur_per_kwh=penalty_eur_per_kwh
        )
        # Segments are built with the largest sizes installed: the sizing enters them as
        # column bounds (PV used, charge, discharge, state of charge), set per evaluation, so a
        # segment has no sizing rows at all and its subgradient comes from reduced costs.
        self._largest = inp.with_sizing(
            pv_kwp=inp.pv_kwp + inp.pv_max_kwp,
            energy_kwh=bat.energy_kwh + bat.max_energy_kwh,
            power_kw=bat.power_kw + bat.max_power_kw,
        )
        # Built by the first evaluation, in the worker threads (:meth:`build_and_evaluate`),
        # so that building one segment overlaps the solving of another.
        self._built: dict[int, SegmentLp] = {}
        # With new kWh to choose, the starts must fit the battery chosen (master rows).
        self.starts_fit_kwh = self.battery and full.battery_new_kwh is not None
        self.span = np.maximum(self.upper - self.lower, 1e-9)
        self.last_y: FloatArray | None = None
        self.centre_y: FloatArray | None = None
        self.restart_from_centre = True
        self.master_rows = self._master_rows()  # the same in every master LP
        self.plan_rows: list[tuple[FloatArray, float]] = []
        self.tol = 1e-6 * max(1.0, float(inp.load_kw.max(initial=0.0)))

    @property
    def segments(self) -> list[SegmentLp]:
        """The segments in time order (all built after the first evaluation)."""
        if len(self._built) != self.k:
            raise RuntimeError("time decomposition: the segments are not built yet")
        return [self._built[number] for number in range(self.k)]

    def build_and_evaluate(self, number: int, y: FloatArray) -> _Eval:
        """Build segment ``number``'s LP (first evaluation) and evaluate it at ``y``."""
        if number not in self._built:
            self._built[number] = self._build(number)
        return self.evaluate(number, y)

    def check_built(self) -> None:
        """Every shiftable occurrence lies inside one segment or is split into two parts."""
        inside = sum(seg.occurrences for seg in self.segments)
        parts = sum(len(seg.parts) for seg in self.segments)
        if inside + len(self.split) != len(self.model.inputs.occurrences) or parts != 2 * len(
            self.split
        ):
            raise RuntimeError("time decomposition: an occurrence neither in one segment nor split")

    def _build(self, number: int) -> SegmentLp:
        """Segment ``number``'s LP in its own HiGHS instance."""
        first, stop = int(self.bounds[number]), int(self._ends[number])
        return build_segment_lp(
            self.model,
            self._largest,
            self._spec,
            np.arange(first, stop, dtype=np.int64),
            sizing_count=len(self.names),
            import_cap_kw=self.upper[self.c_index] if self.c_index is not None else np.inf,
            kwmax_in_master=self.m_index is not None,
            last=number == self.k - 1,
            split=self.split,
        )

    def _relevant(self, number: int) -> IntArray:
        """The master variables segment ``number`` depends on: sizing, kW and its two starts."""
        own = list(range(self.n_link))
        if self.battery:
            own += [self.n_link + number, self.n_link + (number + 1) % self.k]
        own += [self.split_index + split for split, _, _ in self._built[number].parts]
        return np.array(own, dtype=np.int64)

    def _choose_basis(self, number: int, y: FloatArray) -> None:
        """Start from the centre's basis when ``y`` is nearer the centre than the last point.

        The next point lies in a region around the stability centre, but the last point may
        have been a long step away from it (an excursion to unserved energy, say); the
        simplex then needs fewer pivots from the basis it had at the centre."""
        seg = self._built[number]
        if (
            not self.restart_from_centre
            or seg.centre_basis is None
            or self.last_y is None
            or self.centre_y is None
        ):
            return
        own = self._relevant(number)
        to_centre = np.abs((y - self.centre_y)[own] / self.span[own]).sum()
        to_last = np.abs((y - self.last_y)[own] / self.span[own]).sum()
        if to_centre < to_last:
            seg.solver.highs.setBasis(seg.centre_basis)

    def sizes(self, y: FloatArray) -> tuple[float, float, float]:
        """Total PV kWp, battery kWh and kW at ``y``."""
        inp = self.model.inputs
        new = dict(zip(self.names, y[: len(self.names)], strict=True))
        bat = inp.battery
        return (
            inp.pv_kwp + float(new.get("pv_new_kwp", 0.0)),
            bat.energy_kwh + float(new.get("battery_new_kwh", 0.0)),
            bat.power_kw + float(new.get("battery_new_kw", 0.0)),
        )

    def _set_sizing(self, number: int, y: FloatArray) -> None:
        """Bounds of PV used, charge, discharge and state of charge at the sizing of ``y``."""
        seg = self._built[number]
        sizes = self.sizes(y)
        cols, low, high = sizing_bounds(
            seg.model.columns, seg.pv_shape, self.model.inputs.battery, *sizes, seg.installed
        )
        if len(cols):
            seg.solver.set_bounds(cols, low, high)
        seg.installed = sizes

    def _sizing_gradient(self, number: int, d: FloatArray) -> FloatArray:
        """dF_k/d(new kWp, kWh, kW) from the reduced costs ``d`` (see ``sizing_gradient``)."""
        seg = self._built[number]
        return sizing_gradient(
            self.names, seg.model.columns, seg.pv_shape, self.model.inputs.battery, d
        )

    def evaluate(self, number: int, y: FloatArray) -> _Eval:
        seg = self._built[number]
        highs = seg.solver.highs
        present = seg.link >= 0
        if present.any():
            seg.solver.fix_columns(seg.link[present], y[: self.n_link][present])
        self._set_sizing(number, y)
        for split, column, before in seg.parts:
            energy = float(y[self.split_index + split])
            part = energy if before else self.split[split].energy_kwh - energy
            seg.solver.fix_columns([column], [part])
        if seg.start_col is not None and seg.end_row is not None:
            b = y[self.n_link : self.split_index]
            seg.solver.fix_columns([seg.start_col], [b[number]])
            if number == self.k - 1:
                highs.changeRowBounds(seg.end_row, float(b[0] - b[number]), highspy.kHighsInf)
            else:
                delta = float(b[number + 1] - b[number])
                highs.changeRowBounds(seg.end_row, delta, delta)
        start = time.perf_counter()
        cpu = time.thread_time()
        self._choose_basis(number, y)
        highs.run()
        if self.restart_from_centre:
            seg.last_basis = highs.getBasis()
        cpu = time.thread_time() - cpu
        seconds = time.perf_counter() - start
        status = highs.getModelStatus()
        if status != highspy.HighsModelStatus.kOptimal:
            from netruimte.planner.lp.solve import UnboundedModelError, _status

            if _status(status) is SolveStatus.UNBOUNDED:
                raise UnboundedModelError(f"the dispatch LP of segment {number} is unbounded")
            raise RuntimeError(
                f"the dispatch LP of segment {number} ended {highs.modelStatusToString(status)!r}"
            )
        info = highs.getInfo()
        solution = highs.getSolution()
        # highspy hands the vectors over as lists; fromiter is the cheapest copy (this runs
        # with the GIL held, twelve times a round).
        x = np.fromiter(solution.col_value, dtype=float)
        d = np.fromiter(solution.col_dual, dtype=float)
        grad = np.zeros(self.dim)
        grad[: self.n_link][present] = d[seg.link[present]]
        grad[: len(self.names)] = self._sizing_gradient(number, d)
        for split, column, before in seg.parts:
            grad[self.split_index + split] += d[column] if before else -d[column]
        served = float(x[seg.model.columns.unserved_kw].max(initial=0.0)) <= self.unserved_tol
        if seg.start_col is not None and seg.end_row is not None:
            # The end row's dual from the reduced cost of its first slack (coefficient +1,
            # cost = penalty): d = penalty − dual. Reading row_dual would copy every row's.
            row_dual = self._spec.penalty_eur_per_kwh - float(d[seg.slacks[0]])
            nxt = 0 if number == self.k - 1 else number + 1
            grad[self.n_link + number] += d[seg.start_col] - row_dual
            grad[self.n_link + nxt] += row_dual
            served &= float(x[seg.slacks].max(initial=0.0)) <= SLACK_TOLERANCE * self.scale_kwh
        return _Eval(
            value=float(info.objective_function_value) - seg.model.offset,  # once, in the master
            grad=grad,
            col_value=x,
            served=served,
            seconds=seconds,
            cpu_seconds=cpu,
            iterations=int(info.simplex_iteration_count),
        )

    def assemble(self, y: FloatArray, evals: list[_Eval]) -> FloatArray:
        """The full model's column values of the plan made of the segments' dispatches."""
        x = np.zeros(self.model.num_col)
        for seg, ev in zip(self.segments, evals, strict=True):
            x[seg.full_cols] = ev.col_value[seg.seg_cols]
        x[self.link_full] = y[: self.n_link]
        soc_start = self.model.columns.soc_start_kwh
        if soc_start is not None and self.battery:
            x[soc_start[0]] = y[self.n_link]
        return x

    def _master_rows(self) -> list[tuple[FloatArray, float]]:
        """Rows ``a·y <= b`` of the master beside the cuts (over the master variables)."""
        dim = self.dim
        rows: list[tuple[FloatArray, float]] = []
        if self.starts_fit_kwh:
            # soc_min (E0 + E) <= b_k <= soc_max (E0 + E): the starts fit the battery chosen.
            bat = self.model.inputs.battery
            soc_min, soc_max, e0 = bat.soc_min, bat.soc_max, bat.energy_kwh
            e_col = self.names.index("battery_new_kwh")
            for number in range(self.k):
                row = np.zeros(dim)
                row[self.n_link + number] = 1.0
                row[e_col] = -soc_max
                rows.append((row, soc_max * e0))
                if soc_min > 0:
                    row = np.zeros(dim)
                    row[self.n_link + number] = -1.0
                    row[e_col] = soc_min
                    rows.append((row, -soc_min * e0))
        if self.m_index is not None and self.c_index is not None:
            for m in range(self.m_index, self.n_link):  # M_m <= C
                row = np.zeros(dim)
                row[m], row[self.c_index] = 1.0, -1.0
                rows.append((row, 0.0))
        return rows

    def master(
        self,
        points: list[FloatArray],
        cuts: list[list[_Eval]],
        lower: FloatArray,
        upper: FloatArray,
    ) -> tuple[FloatArray, float]:
        """Minimise ``c·y + Σ_k θ_k`` over the cuts inside ``[lower, upper]``, adding rows
        every plan meets (``plan_rows``) while the minimiser violates them."""
        pairs = [[(ev.value, ev.grad) for ev in evals] for evals in cuts]

        def solve(rows: list[tuple[FloatArray, float]]) -> tuple[FloatArray, float]:
            return minimise_cut_model(self.cost, pairs, points, lower, upper, rows)

        try:
            z, value = solve(self.master_rows + self.plan_rows)
        except MasterInfeasible:
            # No plan in this box (a trust region, or none at all): the cuts alone propose.
            return solve(self.master_rows)
        for _ in range(PLAN_ROW_ROUNDS):
            rows = violated_plan_rows(self.model.inputs, self.names, self.c_index, z, self.tol)
            if not rows:
                break
            self.plan_rows += rows
            try:
                z, value = solve(self.master_rows + self.plan_rows)
            except MasterInfeasible:
                break  # keep the last minimiser: its bound is valid with fewer rows
        return z, value


def solve_by_time_decomposition(
    model: LpModel,
    x0: FloatArray,
    *,
    penalty_eur_per_kwh: float,
    gap_tolerance: float = 1e-3,
    max_evaluations: int = 80,
    workers: int = 2,
    warm_from_centre: bool = True,
    segment_days: int | None = None,
) -> tuple[LpSolution | None, FloatArray, DecompositionReport]:
    """Minimise the model over sizing, contracted kW and the segments' start states of charge.

    Parameters
    ----------
    model
        A ``COST`` model of the whole profile (for the mapping and the report; it is not
        solved as a whole).
    x0
        The first sizing (order of ``model.columns.sizing()``).
    penalty_eur_per_kwh
        Cost of a kWh of end-of-segment slack (the unserved-energy penalty).
    gap_tolerance
        Stop when ``upper − lower <= gap_tolerance × |upper|`` (or 1e-6 EUR).
    max_evaluations
        Give up after this many rounds (the report then states the gap reached).
    workers
        Threads solving the segments of one evaluation.
    warm_from_centre
        Re-solve a segment from the basis it had at the stability centre (the best point so
        far) when the new point is nearer the centre than the last point; otherwise (and
        with ``False``) from its last basis. Only the simplex's starting point differs; on a
        degenerate LP another optimal dual, so other cuts, can follow
        (``benchmarks/temporal.py`` compares both).
    segment_days
        ``None``: a segment is a calendar month (a shiftable window across a month start is
        split there). A number of days: every month is cut further into
        pieces of about that many days (:func:`segment_bounds`), and each calendar month's
        kW-max becomes a master variable, fixed in every segment of its month. Measured in
        ``docs/formulation.md``: more rounds on three benchmark years of four, so month
        segments stay the default.

    Returns
    -------
    (solution, sizing, report)
        The plan's values in the full model's columns (duals not computed), its sizing and
        the report (``lower_bound_eur``, ``gap``, one :class:`Iterate` per round). The
        solution is ``None`` when no evaluation was a plan (unserved energy or an unmet end
        state of charge in every one: an infeasible site, or the evaluation limit reached);
        the sizing and report are then those of the least penalised evaluation.
    """
    start = time.perf_counter()
    problem = _Problem(model, penalty_eur_per_kwh, segment_days)
    inp = model.inputs
    n_link = problem.n_link
    c_index, m_index = problem.c_index, problem.m_index
    y = np.zeros(problem.dim)
    y[: len(problem.names)] = np.asarray(x0, dtype=float)
    if c_index is not None:
        y[c_index] = contracted_guess_kw(inp, problem.names, y)
    if m_index is not None:
        y[m_index:n_link] = contracted_guess_kw(inp, problem.names, y)
    if problem.battery:
        bat = inp.battery
        _, energy, _ = problem.sizes(y)
        y[n_link : problem.split_index] = 0.5 * (bat.soc_min + bat.soc_max) * energy
    for number, cut in enumerate(problem.split):
        y[problem.split_index + number] = cut.first_guess_kwh
    y = np.clip(y, problem.lower, problem.upper)
    span = problem.span
    # First trust region: a tenth of each size's range (or a quarter of the first guess), a
    # fifth of the contracted kW, a twentieth of the battery's range for the segment starts,
    # and a quarter of the range of each split window's energy.
    radius = np.maximum(0.25 * np.abs(y), INITIAL_RADIUS * span)
    for kw in [c_index] + ([] if m_index is None else list(range(m_index, n_link))):
        if kw is not None:
            radius[kw] = max(CONTRACTED_RADIUS * y[kw], 1e-3 * span[kw])
    radius[n_link : problem.split_index] = START_RADIUS * span[n_link : problem.split_index]
    radius[problem.split_index :] = SPLIT_RADIUS * span[problem.split_index :]
    tiny = 1e-9 * span
    pool = ThreadPoolExecutor(workers) if workers > 1 else None
    problem.restart_from_centre = warm_from_centre
    points: list[FloatArray] = []
    cuts: list[list[_Eval]] = []
    history: list[Iterate] = []
    centre_value = np.inf
    centre_y = y.copy()
    plan_value = np.inf
    plan_y: FloatArray | None = None
    plan_evals: list[_Eval] | None = None
    least_value = np.inf
    least: tuple[FloatArray, list[_Eval]] | None = None
    lower_bound = -np.inf
    predicted = np.nan
    order = list(range(problem.k))
    try:
        while len(points) < max_evaluations:
            tick, cpu0 = time.perf_counter(), time.process_time()
            step = problem.build_and_evaluate if not points else problem.evaluate
            if pool is None:
                evals = [step(number, y) for number in order]
            else:
                evals = list(pool.map(step, order, [y] * len(order)))
            if not points:
                problem.check_built()
            value = float(problem.cost @ y) + sum(ev.value for ev in evals) + model.offset
            points.append(y.copy())
            cuts.append(evals)
            if all(ev.served for ev in evals) and value < plan_value:
                plan_value, plan_y, plan_evals = value, y.copy(), evals
            if value < least_value:
                least_value, least = value, (y.copy(), evals)
            _, bound = problem.master(points, cuts, problem.lower, problem.upper)
            lower_bound = max(lower_bound, bound + model.offset)
            history.append(
                Iterate(
                    tuple(float(v) for v in y[: len(problem.names)]),
                    value,
                    lower_bound,
                    plan_value,
                    time.perf_counter() - tick,
                    time.process_time() - cpu0,
                    sum(ev.iterations for ev in evals),
                )
            )
            previous = centre_value
            problem.last_y = y.copy()
            if value < centre_value:
                centre_value, centre_y = value, y.copy()
                problem.centre_y = centre_y
                for seg in problem.segments:
                    seg.centre_basis = seg.last_basis
            if np.isfinite(previous):
                if value >= previous:
                    radius = np.maximum(0.5 * radius, 1e-6 * span)
                elif (previous - value) > 0.5 * (previous - predicted):
                    radius = np.minimum(2.0 * radius, span)
            allowed = max(gap_tolerance * abs(plan_value), ABSOLUTE_TOLERANCE_EUR)
            if plan_y is not None and plan_value - lower_bound <= allowed:
                break
            box_lo = np.maximum(problem.lower, centre_y - radius)
            box_hi = np.minimum(problem.upper, centre_y + radius)
            candidate, predicted = problem.master(points, cuts, box_lo, box_hi)
            predicted += model.offset
            if np.all(np.abs(candidate - centre_y) <= tiny):
                radius = np.minimum(2.0 * radius, span)
                box_lo = np.maximum(problem.lower, centre_y - radius)
                box_hi = np.minimum(problem.upper, centre_y + radius)
                candidate, predicted = problem.master(points, cuts, box_lo, box_hi)
                predicted += model.offset
                if np.all(np.abs(candidate - centre_y) <= tiny):
                    # The model is flat here and the centre is not a plan (a trace of
                    # unserved energy or slack): feasibility grows with every size.
                    candidate = np.minimum(problem.upper, centre_y + 1e-6 * span)
            # In-out: the expected cost is at least the cut model's there (convex, below F).
            candidate = centre_y + STEP_SHARE * (candidate - centre_y)
            predicted = STEP_SHARE * predicted + (1.0 - STEP_SHARE) * centre_value
            y = candidate
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    if plan_y is not None and plan_evals is not None:
        best_y, best_evals, best_value = plan_y, plan_evals, plan_value
    else:
        assert least is not None
        best_y, best_evals = least
        best_value = least_value
    col_value = problem.assemble(best_y, best_evals)
    solution: LpSolution | None = LpSolution(
        status=SolveStatus.OPTIMAL,
        objective=best_value,
        col_value=col_value,
        col_dual=np.zeros(0),
        iterations=sum(it.simplex_iterations for it in history),
        seconds=time.perf_counter() - start,
        message="time decomposition",
        cpu_seconds=sum(it.cpu_seconds for it in history),
    )
    report = DecompositionReport(
        names=problem.names,
        lower_bound_eur=lower_bound,
        upper_bound_eur=best_value,
        gap=(best_value - lower_bound) / max(abs(best_value), 1e-9),
        seconds=time.perf_counter() - start,
        history=tuple(history),
    )
    if plan_y is None:
        solution = None
    return solution, best_y[: len(problem.names)].copy(), report
