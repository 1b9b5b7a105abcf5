"""One segment's dispatch LP for the time decomposition (:mod:`.temporal`), in its own HiGHS:
the sizing as column bounds, the kW as fixed columns, the end state through the end row."""

from __future__ import annotations

from dataclasses import dataclass

import highspy
import numpy as np

from netruimte.conventions import FloatArray, IntArray
from netruimte.planner.lp.builder import LpModel, ModelSpec, build_model
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.lp.segments import SplitOccurrence, scatter_map, segment_inputs
from netruimte.planner.lp.solve import LpSolver

__all__ = ["SegmentLp", "build_segment_lp"]


@dataclass
class SegmentLp:
    """One segment's LP in its own HiGHS instance, and how it maps onto the full model."""

    model: LpModel
    solver: LpSolver
    link: IntArray  # per master variable of the link part: segment column, or −1
    start_col: int | None  # soc_start_kwh: fixed at b_k
    end_row: int | None  # soc_cyclic row: last state of charge − start >= / = b_next − b_k
    slacks: IntArray  # columns of the end slack (more, less)
    seg_cols: IntArray
    full_cols: IntArray
    pv_shape: FloatArray  # PV kW per kWp on the segment's steps
    occurrences: int  # shiftable occurrences wholly inside the segment
    # Per part of a split occurrence: (split number, its energy column, fixed at the part's
    # energy so that its reduced cost is the cut's slope; True for the part before the cut).
    parts: tuple[tuple[int, int, bool], ...] = ()
    last_basis: highspy.HighsBasis | None = None  # after the last evaluation
    centre_basis: highspy.HighsBasis | None = None  # at the stability centre
    installed: tuple[float, float, float] | None = None  # kWp, kWh, kW in the bounds now


def build_segment_lp(
    full_model: LpModel,
    largest: LpInputs,
    spec: ModelSpec,
    steps: IntArray,
    *,
    sizing_count: int,
    import_cap_kw: float,
    kwmax_in_master: bool,
    last: bool,
    split: tuple[SplitOccurrence, ...] = (),
) -> SegmentLp:
    """The LP of the segment made of ``steps`` (consecutive), ready for evaluations.

    ``largest`` are the full model's inputs with the largest sizes installed (the sizing
    enters as bounds); ``sizing_count`` sizing master variables have no column here; every
    step is capped at ``import_cap_kw`` (the largest contracted kW); ``kwmax_in_master``
    when the months' kW-max are master variables; the ``last`` segment's end state of charge
    need only reach the first start (one slack column instead of two); ``split`` are the
    occurrences cut at a segment start (each part receives its energy from the master).
    """
    inp = full_model.inputs
    full = full_model.columns
    first = int(steps[0])
    sub, kept = segment_inputs(largest, steps, import_cap_kw, split)
    seg_model = build_model(sub, spec)
    cols = seg_model.columns
    months = np.unique(inp.month_of_step[steps])
    link = [-1] * sizing_count
    if full.contracted_kw is not None:
        assert cols.contracted_kw is not None
        link.append(cols.contracted_kw)
    if kwmax_in_master and full.kwmax_kw is not None:
        assert cols.kwmax_kw is not None
        local = -np.ones(inp.months, dtype=np.int64)
        local[months] = cols.kwmax_kw
        link += [int(c) for c in local]
    solver = LpSolver(seg_model)
    # Measured on a full year: no presolve (the segment LPs are simple) and Devex pricing
    # save about a fifth of the simplex time. HiGHS's cost perturbation stays on: without it
    # the benchmark years save 3-7 % of CPU, but a flat energy price (the demo's businesses)
    # makes the month LPs so degenerate that they take up to three times as long.
    solver.set_option("presolve", "off")
    solver.set_option("simplex_dual_edge_weight_strategy", 1)
    present = np.array([c for c in link if c >= 0], dtype=np.int64)
    if len(present):
        solver.set_costs(present, np.zeros(len(present)))  # priced in the master
    if kwmax_in_master and "contracted" in seg_model.rows:
        # M_m <= C between two fixed columns: a master row, not the segment's.
        for row in seg_model.rows["contracted"]:
            solver.highs.changeRowBounds(int(row), -highspy.kHighsInf, highspy.kHighsInf)
    start_col = end_row = None
    slacks = np.zeros(0, dtype=np.int64)
    if full.soc_kwh is not None:
        assert cols.soc_start_kwh is not None
        start_col = int(cols.soc_start_kwh[0])
        end_row = int(seg_model.rows["soc_cyclic"][0])
        added: list[int] = []
        for sign in (1.0,) if last else (1.0, -1.0):
            solver.highs.addCol(
                spec.penalty_eur_per_kwh,
                0.0,
                highspy.kHighsInf,
                1,
                np.array([end_row], dtype=np.int32),
                np.array([sign]),
            )
            added.append(seg_model.num_col + len(added))
        slacks = np.array(added, dtype=np.int64)
    parts: list[tuple[int, int, bool]] = []
    split_of = {cut.occurrence: number for number, cut in enumerate(split)}
    rows = seg_model.rows["shiftable"] if len(kept) else np.zeros(0, dtype=np.int64)
    for position, occurrence in enumerate(kept):
        if int(occurrence) not in split_of:
            continue
        # Σ Δ q_t − z = 0 with z fixed at this part's energy: the row's energy moves to a
        # column whose reduced cost is the cut's slope.
        solver.highs.addCol(
            0.0, 0.0, 0.0, 1, np.array([rows[position]], dtype=np.int32), np.array([-1.0])
        )
        column = solver.highs.getNumCol() - 1
        began_earlier = inp.occurrences[int(occurrence)].start < first
        parts.append((split_of[int(occurrence)], column, not began_earlier))
    inside = len(kept) - len(parts)
    seg_cols, full_cols = scatter_map(full, cols, steps, months, kept, inp.steps)
    return SegmentLp(
        seg_model,
        solver,
        np.array(link, dtype=np.int64),
        start_col,
        end_row,
        slacks,
        seg_cols,
        full_cols,
        inp.pv_kw_per_kwp[steps],
        inside,
        tuple(parts),
    )
