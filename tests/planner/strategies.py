"""Hypothesis strategies for small random sites (24–200 quarter-hours)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    Restriction,
    ShiftableLoad,
    Site,
)

TZ = "Europe/Amsterdam"
# Start days: an ordinary winter Monday, and the two DST switch days (Saturday before).
START_DAYS = ("2025-01-06", "2025-03-29", "2025-10-25")


def quarter(k: int) -> dt.time:
    return dt.time((k // 4) % 24, (k % 4) * 15)


@st.composite
def windows(draw: st.DrawFn, max_hours: int = 24) -> DailyWindow:
    start = draw(st.integers(0, 95))
    length = draw(st.integers(1, 4 * max_hours - 1))
    return DailyWindow(quarter(start), quarter(start + length))


@st.composite
def batteries(draw: st.DrawFn, least: float = 0.0) -> Battery:
    soc_min = draw(st.floats(0.0, 0.3))
    return Battery(
        energy_kwh=draw(st.floats(least, 150.0)),
        power_kw=draw(st.floats(least, 80.0)),
        roundtrip_efficiency=draw(st.floats(0.5, 1.0)),
        soc_min=soc_min,
        soc_max=draw(st.floats(0.7, 1.0)),
    )


@st.composite
def sites(
    draw: st.DrawFn,
    *,
    min_steps: int = 24,
    max_steps: int = 200,
    max_shiftable: int = 1,
    min_shiftable: int = 0,
    min_restrictions: int = 0,
    shiftable_overlap: bool = False,
    battery: bool | None = None,
    start_days: tuple[str, ...] = START_DAYS,
) -> Site:
    """A random site. With ``shiftable_overlap`` there are two shiftable loads whose windows
    share at least the quarter-hour they both start in."""
    n = draw(st.integers(min_steps, max_steps))
    day = draw(st.sampled_from(start_days))
    offset = draw(st.integers(0, 95))
    index = pd.date_range(pd.Timestamp(day).tz_localize(TZ), periods=n + offset, freq="15min")
    index = index[offset:]
    load = draw(arrays(np.float64, n, elements=st.floats(0.0, 100.0)))
    pv = None
    if draw(st.booleans()):
        shape = draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
        pv = PV(kw_per_kwp=pd.Series(shape, index=index), kwp=draw(st.floats(0.0, 80.0)))
    has_battery = draw(st.booleans()) if battery is None else battery
    bat = draw(batteries(least=1.0 if battery else 0.0)) if has_battery else None
    curtailable = tuple(
        CurtailableLoad(f"c{k}", draw(st.floats(0.0, 30.0)), draw(st.floats(0.0, 1.0)))
        for k in range(draw(st.integers(0, 2)))
    )
    shiftable: list[ShiftableLoad] = []
    if shiftable_overlap:
        # Both windows start at the wall-clock quarter-hour of a step inside the profile, so
        # they overlap in it (counted on the clock, not by position: DST days differ).
        first = index[draw(st.integers(0, min(n - 4, 40)))]
        start = first.hour * 4 + first.minute // 15
        for k in range(2):
            length = draw(st.integers(4, 48))
            window = DailyWindow(quarter(start), quarter(start + length))
            max_kw = draw(st.floats(5.0, 60.0))
            energy = draw(st.floats(0.0, 0.9)) * max_kw * length / 4
            shiftable.append(ShiftableLoad(f"s{k}", energy, max_kw, window))
    else:
        for k in range(draw(st.integers(min_shiftable, max_shiftable))):
            window = draw(windows(max_hours=14))
            hours = ((window.end.hour * 60 + window.end.minute) - (
                window.start.hour * 60 + window.start.minute)) % 1440 / 60  # fmt: skip
            max_kw = draw(st.floats(5.0, 60.0))
            # Mostly deliverable energies (≤ 90 % of what the window holds), sometimes not.
            share = draw(st.one_of(st.floats(0.0, 0.9), st.floats(0.9, 1.2)))
            shiftable.append(ShiftableLoad(f"s{k}", share * max_kw * hours, max_kw, window))
    restrictions = tuple(
        Restriction((draw(windows(max_hours=6)),), draw(st.floats(0.0, 90.0)))
        for _ in range(draw(st.integers(min_restrictions, 2)))
    )
    export = draw(st.one_of(st.none(), st.floats(0.0, 50.0)))
    return Site(
        name="random",
        load_kw=pd.Series(load, index=index),
        pv=pv,
        battery=bat,
        curtailable=curtailable,
        shiftable=tuple(shiftable),
        connection=Connection(export_kw=export, restrictions=restrictions),
    )
