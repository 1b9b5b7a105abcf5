"""The representative year: 365 days × 96 quarter-hours of local wall-clock time.

Station load profiles and request profiles are laid over one representative year so that they
can be compared quarter-hour by quarter-hour whatever year they were measured in:

* a tz-aware 15-minute series is read by local wall-clock time; the repeated autumn hour is
  averaged, the missing spring hour takes the quarter-hour before it;
* a series of a year or more is laid on the calendar of :data:`REPRESENTATIVE_CALENDAR_YEAR`
  (2025) by weekday and Dutch holidays (:func:`netruimte.profiles.align.day_map`), so that
  profiles measured in different years agree on which days are Sundays and holidays; a 2025
  series is laid on itself;
* a shorter series (29 February dropped) repeats its days cyclically until 365 days are filled;
* step ``t`` of the year is at wall-clock time ``(t mod 96) × 15 min``, so daily windows such
  as time blocks are exact.

The engine itself accepts any number of whole days (a test may use one day of 96 steps); only
all profiles of one scenario must share the length.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import numpy as np
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE, BoolArray, FloatArray
from netruimte.errors import InputError

__all__ = [
    "DEFAULT_TIME_BLOCKS",
    "REPRESENTATIVE_CALENDAR_YEAR",
    "REPRESENTATIVE_YEAR_STEPS",
    "STEPS_PER_DAY",
    "block_mask",
    "complement_windows",
    "parse_window",
    "read_station_profile_csv",
    "to_representative_year",
]

STEPS_PER_DAY = 96
DAYS = 365
REPRESENTATIVE_YEAR_STEPS = DAYS * STEPS_PER_DAY
REPRESENTATIVE_CALENDAR_YEAR = 2025
"""The calendar of the representative year (365 days, 1 January a Wednesday)."""
DEFAULT_TIME_BLOCKS: tuple[str, ...] = ("09:00-16:00", "20:00-06:00")
"""Capacity blocks of a time-block right when a request names none: full capacity inside,
the restricted level outside, i.e. outside the usual peaks 06:00-09:00 and 16:00-20:00
(documented default [S])."""

_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_window(
    text: str, *, field: str = "capacity_blocks", source: str | None = None
) -> tuple[int, int]:
    """Parse ``"HH:MM-HH:MM"`` into (first step, end step) of the day, end exclusive.

    Times must fall on quarter-hours; ``24:00`` is allowed as an end. A window whose end is
    before its start wraps midnight (``"22:00-06:00"``).
    """
    match = _WINDOW.match(text) if isinstance(text, str) else None
    if match is None:
        raise InputError(
            f"expected a daily window 'HH:MM-HH:MM', got {text!r}", source=source, field=field
        )
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2 != 0):
        raise InputError(f"not a valid time in window {text!r}", source=source, field=field)
    if m1 % 15 or m2 % 15:
        raise InputError(
            f"window {text!r} must start and end on a quarter-hour", source=source, field=field
        )
    start, end = h1 * 4 + m1 // 15, h2 * 4 + m2 // 15
    if start == end:
        raise InputError(f"window {text!r} is empty", source=source, field=field)
    return start, end


def block_mask(
    windows: tuple[str, ...] | list[str], steps: int, *, field: str = "capacity_blocks"
) -> BoolArray:
    """Boolean mask over ``steps`` quarter-hours: True inside any of the daily windows."""
    day = np.zeros(STEPS_PER_DAY, dtype=np.bool_)
    for text in windows:
        start, end = parse_window(text, field=field)
        if end > start:
            day[start:end] = True
        else:
            day[start:] = True
            day[:end] = True
    if steps % STEPS_PER_DAY:
        raise InputError(f"a profile needs whole days of 96 steps, got {steps}", field=field)
    return np.tile(day, steps // STEPS_PER_DAY)


def to_representative_year(
    series: pd.Series, *, source: str | None = None, field: str = "profile_csv"
) -> FloatArray:
    """Lay a tz-aware 15-minute series over the representative year (see module docstring).

    Returns an array of :data:`REPRESENTATIVE_YEAR_STEPS` values in the series' unit.
    """
    if series.empty:
        raise InputError("empty profile", source=source, field=field)
    index = series.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InputError("a profile needs a tz-aware DatetimeIndex", source=source, field=field)
    from netruimte.profiles.align import day_map, wall_clock_days

    if not np.all(np.isfinite(series.to_numpy(dtype=np.float64))):
        raise InputError("profile contains NaN or infinite values", source=source, field=field)
    days, values = wall_clock_days(series)
    if len(days) >= DAYS:
        first = dt.date(REPRESENTATIVE_CALENDAR_YEAR, 1, 1)
        calendar = [first + dt.timedelta(days=d) for d in range(DAYS)]
        return np.ascontiguousarray(values[day_map(days, calendar)].ravel())
    keep = [d.month != 2 or d.day != 29 for d in days]
    arr = values[np.asarray(keep, dtype=bool)].ravel()
    if arr.size == 0:
        raise InputError("a profile needs at least one whole day", source=source, field=field)
    return np.resize(arr, REPRESENTATIVE_YEAR_STEPS)


def read_station_profile_csv(
    path: str | Path, *, timezone: str = DEFAULT_TIMEZONE, field: str = "load_csv"
) -> FloatArray:
    """Read a station load profile CSV into MW over the representative year.

    The file follows the profile CSV of the interface contract, with one extra value column
    allowed: ``mw`` (average MW over the interval). A ``kw`` or ``kwh`` column is converted to
    MW.
    """
    from netruimte.profiles import read_profile_csv

    series = read_profile_csv(path, timezone=timezone) / 1000.0  # kW -> MW
    arr = to_representative_year(series, source=str(path), field=field)
    if np.any(arr < 0):
        raise InputError("a station load profile must be >= 0", source=path, field=field)
    return arr


def complement_windows(windows: tuple[str, ...] | list[str]) -> tuple[str, ...]:
    """The daily windows outside ``windows`` (quarter-hour precision), as ``"HH:MM-HH:MM"``.

    Turns restricted windows into capacity blocks and back: ``("16:00-20:00",)`` gives
    ``("20:00-16:00",)`` (wrapping midnight). Empty when ``windows`` cover the whole day.
    """
    inside = block_mask(list(windows), STEPS_PER_DAY)
    out = ~inside
    if not out.any():
        return ()

    def hhmm(step: int) -> str:
        return f"{step // 4:02d}:{step % 4 * 15:02d}"

    if out.all():
        return ("00:00-24:00",)
    # start scanning just after a step that is inside, so a run never straddles the scan start
    first = int(np.flatnonzero(inside)[0])
    runs: list[str] = []
    t = 0
    while t < STEPS_PER_DAY:
        step = (first + 1 + t) % STEPS_PER_DAY
        if out[step]:
            begin = step
            length = 0
            while t < STEPS_PER_DAY and out[(first + 1 + t) % STEPS_PER_DAY]:
                length += 1
                t += 1
            end = (begin + length) % STEPS_PER_DAY
            runs.append(f"{hhmm(begin)}-{'24:00' if end == 0 else hhmm(end)}")
        else:
            t += 1
    return tuple(sorted(runs))
