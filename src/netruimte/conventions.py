"""Units, signs and time-step conventions shared by every part of netruimte.

See ``docs/conventions.md`` for the prose version. In short:

* sites in kW, kWh and EUR; stations in MW; durations in hours;
* site perspective: import (offtake) positive, export (feed-in) a separate non-negative series;
* time: tz-aware :class:`pandas.DatetimeIndex`, interval-beginning timestamps, a fixed
  15-minute step (one PTU, *programma tijdseenheid*); a kW value is the average over its
  interval.
"""

from __future__ import annotations

import datetime as dt
from typing import Final, TypeAlias

import numpy as np
import numpy.typing as npt
import pandas as pd

__all__ = [
    "DEFAULT_TIMEZONE",
    "FIRST_DATE",
    "HOURS_PER_STEP",
    "LAST_DATE",
    "MAX_KW",
    "STEP",
    "STEPS_PER_DAY_NOMINAL",
    "STEPS_PER_HOUR",
    "BoolArray",
    "FloatArray",
    "IntArray",
    "csv_safe_text",
    "csv_unescape_text",
    "days_index",
    "kw_to_kwh",
    "kwh_to_kw",
    "year_index",
]

FloatArray: TypeAlias = npt.NDArray[np.float64]
"""A numpy array of float64 (the unit is in the name of the variable that holds it)."""
IntArray: TypeAlias = npt.NDArray[np.int64]
"""A numpy array of int64 (indices, counts, step numbers)."""
BoolArray: TypeAlias = npt.NDArray[np.bool_]
"""A numpy array of booleans (masks)."""

DEFAULT_TIMEZONE: Final = "Europe/Amsterdam"
"""Zone for naive (wall-clock) timestamps when none is given."""

FIRST_DATE: Final = dt.date(1900, 1, 1)
LAST_DATE: Final = dt.date(2200, 12, 31)
"""Dates accepted in inputs: pandas counts instants in int64 nanoseconds (1677 to 2262)."""

MAX_KW: Final = 1e7
"""Largest power accepted for one connection or profile value (10 GW): keeps every sum finite."""

STEP: Final = pd.Timedelta(minutes=15)
"""The settlement period (PTU): 15 minutes."""

STEPS_PER_HOUR: Final = 4
HOURS_PER_STEP: Final = 0.25
STEPS_PER_DAY_NOMINAL: Final = 96
"""Quarter-hours on an ordinary day; 92 on the spring DST day and 100 on the autumn one."""


def kw_to_kwh(power_kw: float) -> float:
    """Energy (kWh) in one 15-minute step at a constant average power (kW)."""
    return power_kw * HOURS_PER_STEP


def kwh_to_kw(energy_kwh: float) -> float:
    """Average power (kW) over one 15-minute step that carries ``energy_kwh``."""
    return energy_kwh / HOURS_PER_STEP


def year_index(year: int, timezone: str = DEFAULT_TIMEZONE) -> pd.DatetimeIndex:
    """All 15-minute interval starts of a calendar ``year`` in local ``timezone``.

    35,040 steps (35,136 in a leap year), DST days included with 92 and 100 steps.
    """
    return days_index(pd.Timestamp(year, 1, 1), pd.Timestamp(year + 1, 1, 1), timezone)


def days_index(
    start: pd.Timestamp, end: pd.Timestamp, timezone: str = DEFAULT_TIMEZONE
) -> pd.DatetimeIndex:
    """15-minute interval starts from local midnight ``start`` up to (not including) ``end``."""
    first = pd.Timestamp(start.date()).tz_localize(timezone)
    last = pd.Timestamp(end.date()).tz_localize(timezone)
    return pd.date_range(first, last, freq=STEP, inclusive="left", name="timestamp")


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_safe_text(text: str) -> str:
    """A text cell that a spreadsheet shows as text, never runs as a formula (CSV injection).

    OWASP's advice (OWASP, "CSV Injection", https://owasp.org/www-community/attacks/CSV_Injection):
    prefix a cell that starts with ``=``, ``+``, ``-``, ``@``, tab or carriage return with a
    single quote. A cell that already starts with a quote before one of those (or before a
    second quote) gets one more, so that :func:`csv_unescape_text` gives back exactly the
    text. Numbers are not text: write them as they are.
    """
    if text.startswith(_FORMULA_START) or (
        text.startswith("'") and text[1:2] in (*_FORMULA_START, "'")
    ):
        return "'" + text
    return text


def csv_unescape_text(cell: str) -> str:
    """The text of a cell written by :func:`csv_safe_text` (other cells are left as they are)."""
    if cell.startswith("'") and cell[1:2] in (*_FORMULA_START, "'"):
        return cell[1:]
    return cell
