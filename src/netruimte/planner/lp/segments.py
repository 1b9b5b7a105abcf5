"""Segments of a profile for the time decomposition (:mod:`netruimte.planner.lp.temporal`).

A segment is one calendar month (or a piece of one); a shiftable window across a segment
start is split there (:class:`SplitOccurrence`). This module cuts the inputs into segments,
maps a segment model's columns back onto the columns of the full model, installs a sizing
in a segment as column bounds and chains the reduced costs of those bounds into the sizing's
subgradient, and bounds and first guesses the contracted kW (the master variables the
segments share).
"""

from __future__ import annotations

import dataclasses

import numpy as np

from netruimte.conventions import FloatArray, IntArray
from netruimte.planner.lp.builder import DT, Columns
from netruimte.planner.lp.inputs import BatteryData, LpInputs
from netruimte.planner.lp.sample import subset_inputs

__all__ = [
    "SplitOccurrence",
    "contracted_guess_kw",
    "contracted_upper_kw",
    "scatter_map",
    "segment_bounds",
    "segment_inputs",
    "sizing_bounds",
    "sizing_gradient",
    "split_occurrences",
    "time_decomposable",
]


def segment_bounds(inp: LpInputs, days: int | None = None) -> IntArray:
    """First step of every segment: the month starts.

    With ``days``, every month is cut further at local midnight on days ``1 + j·days`` of the
    month, as long as the piece left is at least ``days`` long (7: days 8, 15 and 22). A
    shiftable window that runs across a segment start is split there
    (:func:`split_occurrences`).
    """
    starts = np.flatnonzero(np.diff(inp.month_of_step, prepend=-1) != 0)
    if days is not None:
        day = np.asarray(inp.index.day)
        new_day = np.flatnonzero(np.diff(day, prepend=-1) != 0)
        month_days = np.asarray(inp.index.days_in_month)
        cut = (
            ((day[new_day] - 1) % days == 0)
            & (day[new_day] > 1)
            & (day[new_day] + days <= month_days[new_day] + 1)
        )
        starts = np.union1d(starts, new_day[cut])
    return starts.astype(np.int64)


@dataclasses.dataclass(frozen=True)
class SplitOccurrence:
    """A shiftable occurrence whose window runs across the start of segment ``after``.

    The energy it receives before that start, ``e`` (kWh), is a master variable in
    ``[lower_kwh, upper_kwh]``: segment ``after − 1`` delivers ``e`` in its part of the window
    and segment ``after`` the rest, ``energy_kwh − e``. The bounds keep both parts within the
    load's power: ``e <= max_kw·Δ·(window steps before)`` and
    ``energy_kwh − e <= max_kw·Δ·(window steps after)``.
    """

    occurrence: int  # index into ``inp.occurrences``
    after: int  # the segment that starts inside the window
    energy_kwh: float
    lower_kwh: float
    upper_kwh: float
    first_guess_kwh: float  # in proportion to the window steps on each side


def split_occurrences(inp: LpInputs, bounds: IntArray) -> tuple[SplitOccurrence, ...]:
    """The occurrences whose window runs across a segment start (``bounds`` from
    :func:`segment_bounds`), each with the bounds of the energy it receives before it."""
    found: list[SplitOccurrence] = []
    for number, occ in enumerate(inp.occurrences):
        inside = np.flatnonzero((bounds > occ.start) & (bounds < occ.stop))
        if len(inside) == 0:
            continue
        if len(inside) > 1:
            raise ValueError("time decomposition: a shiftable window spans a whole segment")
        after = int(inside[0])
        window = occ.window_steps()
        before = int(np.count_nonzero(window < bounds[after]))
        per_step, energy = float(inp.shift_max_kw[occ.load]) * DT, float(occ.energy_kwh)
        low = max(0.0, energy - per_step * (len(window) - before))
        high = min(energy, per_step * before)
        guess = float(np.clip(energy * before / max(len(window), 1), low, high))
        found.append(SplitOccurrence(number, after, energy, low, high, guess))
    return tuple(found)


def time_decomposable(inp: LpInputs) -> bool:
    """True when the time decomposition applies: at least two segments, and a bounded
    contracted kW (importing only to export cannot pay: the feed-in never exceeds the price
    with unlimited export)."""
    if len(segment_bounds(inp)) < 2:
        return False
    if np.isfinite(inp.export_kw):
        return True
    return bool(inp.feed_in_eur_per_kwh <= float(inp.price_eur_per_kwh.min(initial=0.0)))


def segment_inputs(
    inp: LpInputs, steps: IntArray, import_cap_kw: float, split: tuple[SplitOccurrence, ...] = ()
) -> tuple[LpInputs, IntArray]:
    """The inputs of one segment: its steps, its months (renumbered from 0), one battery
    segment, and the import capped at ``import_cap_kw``; and, per occurrence of the segment,
    its index in ``inp.occurrences``.

    The occurrences inside the segment come first, then its parts of the ``split`` ones
    that overlap it, with energy 0 (the segment LP receives their energy from the master)."""
    sub = subset_inputs(inp, steps, np.ones(len(steps)))
    first, stop = int(steps[0]), int(steps[-1]) + 1
    occurrences = enumerate(inp.occurrences)
    inside = [number for number, occ in occurrences if first <= occ.start and occ.stop <= stop]
    if len(inside) != len(sub.occurrences):
        raise RuntimeError("time decomposition: the occurrences of a segment differ")
    parts = []
    for cut in split:
        occ = inp.occurrences[cut.occurrence]
        if occ.stop <= first or occ.start >= stop:
            continue
        parts.append(cut.occurrence)
        sub_occ = dataclasses.replace(
            occ,
            start=max(occ.start, first) - first,
            stop=min(occ.stop, stop) - first,
            gaps=tuple(g - first for g in occ.gaps if first <= g < stop),
            energy_kwh=0.0,
        )
        sub = dataclasses.replace(sub, occurrences=(*sub.occurrences, sub_occ))
    # With the contracted kW fixed by the master every step is capped: the segment is built
    # elastic there too (a cap of the master's largest contracted kW changes nothing else).
    restriction = np.minimum(sub.restriction_kw, import_cap_kw)
    months = np.unique(inp.month_of_step[steps])
    local = np.searchsorted(months, inp.month_of_step[steps])
    return dataclasses.replace(
        sub,
        segment_start=np.zeros(1, dtype=np.int64),
        month_of_step=local.astype(np.int64),
        month_weight=inp.month_weight[months],
        month_start=tuple(inp.month_start[int(m)] for m in months),
        missing=(),
        restriction_kw=restriction,
    ), np.array(inside + parts, dtype=np.int64)


def _pairs(
    full: IntArray | None, seg: IntArray | None, steps: IntArray
) -> list[tuple[IntArray, IntArray]]:
    if full is None or seg is None:
        return []
    return [(np.asarray(seg, dtype=np.int64), np.asarray(full, dtype=np.int64)[steps])]


def scatter_map(
    full: Columns, seg: Columns, steps: IntArray, months: IntArray, kept: IntArray, n: int
) -> tuple[IntArray, IntArray]:
    """``(segment columns, full columns)`` of the dispatch variables of one segment."""
    pairs = _pairs(full.import_kw, seg.import_kw, steps)
    pairs += _pairs(full.export_kw, seg.export_kw, steps)
    pairs += _pairs(full.pv_kw, seg.pv_kw, steps)
    pairs += _pairs(full.charge_kw, seg.charge_kw, steps)
    pairs += _pairs(full.discharge_kw, seg.discharge_kw, steps)
    pairs += _pairs(full.soc_kwh, seg.soc_kwh, steps)
    for load in range(full.curtail_kw.shape[0]):
        pairs += _pairs(full.curtail_kw[load], seg.curtail_kw[load], steps)
    if len(seg.shift_kw):
        full_key = full.shift_occurrence * n + full.shift_step
        seg_key = kept[seg.shift_occurrence] * n + steps[seg.shift_step]
        order = np.argsort(full_key)
        at = order[np.searchsorted(full_key, seg_key, sorter=order)]
        pairs.append((seg.shift_kw, full.shift_kw[at]))
    if len(seg.unserved_kw):
        global_step = steps[seg.unserved_step]
        inside = np.isin(global_step, full.unserved_step)  # the rest must be 0 in a plan
        at = np.searchsorted(full.unserved_step, global_step[inside])
        pairs.append((seg.unserved_kw[inside], full.unserved_kw[at]))
    if full.kwmax_kw is not None and seg.kwmax_kw is not None:
        pairs.append((seg.kwmax_kw, full.kwmax_kw[months]))
    seg_cols = np.concatenate([p[0] for p in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    full_cols = np.concatenate([p[1] for p in pairs]) if pairs else np.zeros(0, dtype=np.int64)
    return seg_cols, full_cols


def contracted_upper_kw(inp: LpInputs) -> float:
    """A bound on the optimal contracted kW: import only serves load, charging, flexible
    loads and (when it pays) export, so ``C* <= max_t (L_t + q̄ + P_max + X)``."""
    bat = inp.battery
    shift = float(inp.shift_max_kw.sum()) if len(inp.shift_max_kw) else 0.0
    export = inp.export_kw if np.isfinite(inp.export_kw) else 0.0
    peak = float(inp.load_kw.max(initial=0.0))
    return peak + shift + bat.power_kw + bat.max_power_kw + export + 1.0


def contracted_guess_kw(inp: LpInputs, names: tuple[str, ...], sizing: FloatArray) -> float:
    """The peak of load − PV at the first sizing (``sizing`` in the order of ``names``), with
    each shiftable occurrence's energy spread evenly over its window: enough to serve
    everything without a battery (a lower first guess leaves load unserved at a steep
    penalty; without the flexible loads, a night window of electric trucks would be unserved
    in every round until the kW had grown to carry it)."""
    new_kwp = float(sizing[names.index("pv_new_kwp")]) if "pv_new_kwp" in names else 0.0
    net = inp.load_kw - inp.pv_kw_per_kwp * (inp.pv_kwp + new_kwp)
    for occ in inp.occurrences:
        window = occ.window_steps()
        if len(window):
            net[window] += occ.energy_kwh / (DT * len(window))
    return float(max(0.0, net.max(initial=0.0)))


def sizing_bounds(
    cols: Columns,
    pv_shape: FloatArray,
    battery: BatteryData,
    pv_kwp: float,
    energy_kwh: float,
    power_kw: float,
    installed: tuple[float, float, float] | None = None,
) -> tuple[IntArray, FloatArray, FloatArray]:
    """Column bounds that install a sizing in a segment built with the largest sizes.

    PV used at most ``pv_shape × pv_kwp`` (kW), charge and discharge at most ``power_kw``
    and the state of charge within ``[soc_min, soc_max] × energy_kwh``. Returns the columns
    and their lower and upper bounds.

    With ``installed`` (the kWp, kWh and kW the segment's bounds hold now) only the bounds
    that change, and PV only where the sun shines: HiGHS sorts every set of bounds it gets.
    """
    parts: list[tuple[IntArray, FloatArray, FloatArray]] = []
    same_kwp = same_kwh = same_kw = False
    if installed is not None:
        same_kwp, same_kwh, same_kw = (
            installed[0] == pv_kwp,
            installed[1] == energy_kwh,
            installed[2] == power_kw,
        )
    if cols.pv_kw is not None and not same_kwp:
        sunny = pv_shape > 0 if installed is not None else np.ones(len(pv_shape), dtype=bool)
        shape = pv_shape[sunny]
        parts.append((cols.pv_kw[sunny], np.zeros(len(shape)), shape * pv_kwp))
    if cols.charge_kw is not None and cols.discharge_kw is not None and not same_kw:
        m = len(cols.charge_kw)
        parts.append((cols.charge_kw, np.zeros(m), np.full(m, power_kw)))
        parts.append((cols.discharge_kw, np.zeros(m), np.full(m, power_kw)))
    if cols.soc_kwh is not None and not same_kwh:
        m = len(cols.soc_kwh)
        low, high = battery.soc_min * energy_kwh, battery.soc_max * energy_kwh
        parts.append((cols.soc_kwh, np.full(m, low), np.full(m, high)))
    if not parts:
        return np.zeros(0, dtype=np.int64), np.zeros(0), np.zeros(0)
    return (
        np.concatenate([p[0] for p in parts]),
        np.concatenate([p[1] for p in parts]),
        np.concatenate([p[2] for p in parts]),
    )


def sizing_gradient(
    names: tuple[str, ...],
    cols: Columns,
    pv_shape: FloatArray,
    battery: BatteryData,
    reduced_cost: FloatArray,
) -> FloatArray:
    """dF/d(new kWp, kWh, kW) of a segment: the bounds' sensitivities (reduced costs) chained.

    A column nonbasic at its upper bound has a reduced cost ``<= 0``, which is the change of
    the optimum per unit of that bound; at its lower bound ``>= 0``. The state of charge's
    bounds move with the energy by ``soc_min`` and ``soc_max``.
    """
    d = reduced_cost
    grad = np.zeros(len(names))
    for position, name in enumerate(names):
        if name == "pv_new_kwp" and cols.pv_kw is not None:
            grad[position] = float(pv_shape @ np.minimum(d[cols.pv_kw], 0.0))
        elif name == "battery_new_kw" and cols.charge_kw is not None:
            assert cols.discharge_kw is not None
            grad[position] = float(
                np.minimum(d[cols.charge_kw], 0.0).sum()
                + np.minimum(d[cols.discharge_kw], 0.0).sum()
            )
        elif name == "battery_new_kwh" and cols.soc_kwh is not None:
            ds = d[cols.soc_kwh]
            low, high = np.maximum(ds, 0.0).sum(), np.minimum(ds, 0.0).sum()
            grad[position] = float(battery.soc_max * high + battery.soc_min * low)
    return grad
