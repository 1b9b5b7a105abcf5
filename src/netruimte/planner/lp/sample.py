"""A small stand-in for the full year: a weighted sample of whole days.

The decomposition (:mod:`netruimte.planner.lp.decompose`) needs a first guess of the sizing.
It takes it from the same LP built on a sample of days: in every calendar month the days with
the highest peak of load − PV (they set the kW-max charges and the battery's power) and a few
evenly spread ordinary days whose energy terms are weighted up to stand for the rest of the
month. The sample's optimum is only a starting point: the decomposition's bounds, not the
sample, prove how close the final plan is to the optimum.
"""

from __future__ import annotations

import dataclasses

import numpy as np

from netruimte.conventions import FloatArray, IntArray
from netruimte.planner.lp.builder import ModelSpec
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.prepare import Occurrence

__all__ = ["sample_days", "subset_inputs"]


def _day_of_step(inp: LpInputs) -> IntArray:
    wall = inp.index.tz_localize(None).normalize()
    return np.asarray(wall.values.astype("datetime64[D]").astype(np.int64))


def sample_days(
    inp: LpInputs, *, peak_days: int = 2, ordinary_days: int = 2
) -> tuple[IntArray, FloatArray]:
    """Steps of a sample of days and the weight of each step's energy terms.

    Per calendar month: the ``peak_days`` days with the highest peak of load − installed PV
    (weight 1) and ``ordinary_days`` more spread evenly over the other days (weight: the other
    days' count divided among them). Returns ``(steps, weights)``, steps in time order.
    """
    day = _day_of_step(inp)
    net = inp.load_kw - inp.pv_kw_per_kwp * inp.pv_kwp
    chosen: list[IntArray] = []
    weights: list[FloatArray] = []
    for month in range(inp.months):
        in_month = inp.month_of_step == month
        days = np.unique(day[in_month])
        peak = np.array([net[in_month & (day == d)].max() for d in days])
        order = np.argsort(-peak, kind="stable")
        top = days[order[:peak_days]]
        rest = np.setdiff1d(days, top)
        picks = [(d, 1.0) for d in top]
        if len(rest):
            k = min(ordinary_days, len(rest))
            spread = rest[np.linspace(0, len(rest) - 1, k + 2)[1:-1].round().astype(int)]
            spread = np.unique(spread)
            picks += [(d, len(rest) / len(spread)) for d in spread]
        for d, w in picks:
            steps = np.flatnonzero(in_month & (day == d))
            chosen.append(steps)
            weights.append(np.full(len(steps), w))
    steps = np.concatenate(chosen)
    weight = np.concatenate(weights)
    order = np.argsort(steps, kind="stable")
    return steps[order], weight[order]


def _remap(occ: Occurrence, position: IntArray) -> Occurrence | None:
    window = position[occ.window_steps()]
    if (window < 0).any():
        return None
    start, stop = int(window.min()), int(window.max()) + 1
    gaps = tuple(int(g) for g in np.setdiff1d(np.arange(start, stop), window))
    return dataclasses.replace(occ, start=start, stop=stop, gaps=gaps)


def subset_inputs(inp: LpInputs, steps: IntArray, weight: FloatArray) -> LpInputs:
    """The inputs restricted to ``steps`` (in order), with energy weights ``weight``.

    Shiftable occurrences are kept only when all their window steps are in the subset.
    """
    position = np.full(inp.steps, -1, dtype=np.int64)
    position[steps] = np.arange(len(steps))
    occurrences = tuple(
        occ for occ in (_remap(o, position) for o in inp.occurrences) if occ is not None
    )
    # Every day of the sample is a segment: its battery cycles on its own, so that weighted
    # days cannot trade energy with one another.
    day = _day_of_step(inp)[steps]
    segment_start = np.flatnonzero(np.diff(day, prepend=day[0] - 1) != 0)
    return dataclasses.replace(
        inp,
        index=inp.index[steps],
        segment_start=segment_start.astype(np.int64),
        load_kw=inp.load_kw[steps],
        pv_kw_per_kwp=inp.pv_kw_per_kwp[steps],
        curtail_max_kw=inp.curtail_max_kw[:, steps],
        occurrences=occurrences,
        restriction_kw=inp.restriction_kw[steps],
        price_eur_per_kwh=inp.price_eur_per_kwh[steps],
        month_of_step=inp.month_of_step[steps],
        step_weight=inp.step_weight[steps] * weight,
    )


def sample_sizing(
    inp: LpInputs,
    names: tuple[str, ...],
    spec: ModelSpec,
    *,
    peak_days: int = 2,
    ordinary_days: int = 4,
) -> FloatArray:
    """The optimal sizing of the sample (same order as ``names``): a first guess for the year.

    ``spec`` is the year's model specification (objective, elastic columns and penalty).

    Solved by the same decomposition as the full problem (it is faster than one LP even for
    the sample), starting from :func:`~netruimte.planner.lp.decompose.initial_sizing`.
    """
    from netruimte.planner.lp.builder import build_model
    from netruimte.planner.lp.decompose import initial_sizing, solve_by_decomposition

    steps, weight = sample_days(inp, peak_days=peak_days, ordinary_days=ordinary_days)
    sample = subset_inputs(inp, steps, weight)
    model = build_model(sample, spec)
    if tuple(model.columns.sizing()) != names:
        # The sample lacks a sizing column of the year (e.g. no sun in it): guess instead.
        return initial_sizing(inp, names)
    _, sizing, _ = solve_by_decomposition(
        model, initial_sizing(sample, names), gap_tolerance=1e-3, workers=1
    )
    return sizing
