"""Timestamps of meter exports: formats, day order, interval labels and the clock they keep.

The second part of :mod:`netruimte.profiles.meter`. Stamps are parsed in one vectorised pass
into the clock time as written (nanoseconds, naive) plus the UTC offset when the file writes one.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import IntArray
from netruimte.errors import InputError
from netruimte.profiles._meter_table import Column

__all__ = [
    "DAY_NS",
    "MINUTE_NS",
    "Stamps",
    "fixed_offset_minutes",
    "looks_like_date",
    "looks_like_time",
    "parse_stamps",
    "standard_offset_minutes",
]

MINUTE_NS = 60_000_000_000
DAY_NS = 1440 * MINUTE_NS
_STAMP = re.compile(
    r"^\s*(?:(?P<Y>\d{4})(?P<s1>[-/.])(?P<A>\d{1,2})(?P=s1)(?P<B>\d{1,2})"
    r"|(?P<C>\d{1,2})(?P<s2>[-/.])(?P<D>\d{1,2})(?P=s2)(?P<Y2>\d{4}))"
    r"(?:(?:T|\s+)(?P<h>\d{1,2}):(?P<m>\d{2})(?::(?P<s>\d{2})(?:[.,](?P<f>\d+))?)?)?"
    r"\s*(?P<z>Z|UTC|GMT|[+-]\d{2}(?::?\d{2})?)?\s*$",
    re.IGNORECASE,
)
_TIME = re.compile(r"^\s*\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?\s*$")
_OFFSET = re.compile(r"^(?:UTC|GMT)?\s*([+-])(\d{1,2})(?::?(\d{2}))?$", re.IGNORECASE)


def looks_like_date(cell: str) -> bool:
    """True for a cell that reads as a date with or without a time."""
    return bool(_STAMP.match(cell))


def looks_like_time(cell: str) -> bool:
    """True for a cell that is a time of day only (``"13:45"``, ``"13:45:00"``)."""
    return bool(_TIME.match(cell))


@dataclass(frozen=True)
class Stamps:
    """Parsed stamps.

    Attributes
    ----------
    clock_ns
        Clock time as written (naive, nanoseconds since 1970); ``24:00`` is midnight of the
        next day.
    offset_minutes
        UTC offset written on each stamp, or ``None`` when the file writes none.
    format
        The format in words, e.g. ``"DD/MM/YYYY HH:MM:SS"``.
    has_2400
        True when a stamp reads ``24:00`` (interval-ending labels).
    """

    clock_ns: IntArray
    offset_minutes: IntArray | None
    format: str
    has_2400: bool


def parse_stamps(col: Column, *, date_order: str | None) -> Stamps:
    """Parse a column of date-time cells (see the module docstring).

    ``date_order`` (``"dmy"`` or ``"mdy"``) settles ``01/02/2025``; without it the order is
    detected from a field above 12, then from which order gives evenly spaced stamps;
    ``dd-mm-yyyy`` and ``dd.mm.yyyy`` are day first as in Dutch exports.
    """
    fields = _fixed_width_fields(col.cells)
    if fields is None:
        fields = _regex_fields(col)
    n = fields.numbers
    hour, minute, second = n["h"], n["m"], n["s"]
    sep = fields.sep
    if fields.iso:
        year, month, day = n["Y"], n["A"], n["B"]
        date_text = f"YYYY{sep}MM{sep}DD"
    else:
        year, first, second_field = n["Y2"], n["C"], n["D"]
        order = date_order or _day_order(
            first, second_field, year, (hour, minute, second), sep, source=col.source
        )
        day, month = (first, second_field) if order == "dmy" else (second_field, first)
        date_text = f"DD{sep}MM{sep}YYYY" if order == "dmy" else f"MM{sep}DD{sep}YYYY"
    time_text = ""
    if fields.has_time:
        time_text = " HH:MM:SS" if fields.has_seconds else " HH:MM"
    clock = _clock_ns(_Clock(year, month, day, hour, minute, second), col)
    has_2400 = bool(((hour == 24) & (minute == 0)).any())
    offset = fields.offset
    if offset is not None:
        time_text += " with UTC offset"
    return Stamps(clock, offset, date_text + time_text, has_2400)


_GROUPS = ("Y", "A", "B", "C", "D", "Y2", "h", "m", "s")


@dataclass(frozen=True)
class _Fields:
    """What a column of stamps says before the day order is settled.

    ``numbers`` holds one array per numeric group of the stamp pattern (``Y``, ``A``, ``B``:
    year-first date; ``C``, ``D``, ``Y2``: year-last date; ``h``, ``m``, ``s``: the time; 0
    where a group is absent); ``offset`` the UTC offset in minutes when the stamps carry one.
    """

    numbers: Mapping[str, IntArray]
    iso: bool
    sep: str
    has_time: bool
    has_seconds: bool
    offset: IntArray | None


def _fixed_width_fields(cells: npt.NDArray[np.str_]) -> _Fields | None:
    """Fields of stamps that all share the first one's layout, by byte position (fast path).

    ``None`` when the cells differ in length or layout; the regular expression then reads them.
    """
    if cells.size == 0:
        return None
    lengths = np.strings.str_len(cells)
    match = _STAMP.match(str(cells[0]))
    if match is None or match.group("f") or not bool((lengths == lengths[0]).all()):
        return None
    try:
        raw = cells.astype("S").view(np.uint8).reshape(len(cells), -1)
    except UnicodeEncodeError:
        return None
    template = raw[0]
    is_digit = (template >= 48) & (template <= 57)
    zone = match.group("z")
    fixed = ~is_digit
    if zone and zone[0] in "+-":
        fixed[match.start("z")] = False  # the sign of an offset may change
    if not bool((raw[:, fixed] == template[fixed]).all()):
        return None
    digits = raw[:, is_digit].astype(np.int64) - 48
    if bool(((digits < 0) | (digits > 9)).any()):
        return None
    full = raw.astype(np.int64) - 48

    def number(group: str) -> IntArray:
        if match.group(group) is None:
            return np.zeros(len(cells), dtype=np.int64)
        start, stop = match.span(group)
        value = np.zeros(len(cells), dtype=np.int64)
        for position in range(start, stop):
            value = value * 10 + full[:, position]
        return value

    offset: IntArray | None = None
    if zone:
        if zone[0] in "+-":
            start, stop = match.span("z")
            signs = np.where(raw[:, start] == ord("-"), -1, 1)
            tail = [p for p in range(start + 1, stop) if is_digit[p]]
            hours = full[:, tail[0]] * 10 + full[:, tail[1]]
            mins = full[:, tail[2]] * 10 + full[:, tail[3]] if len(tail) == 4 else 0
            offset = np.asarray(signs * (hours * 60 + mins), dtype=np.int64)
        else:
            offset = np.zeros(len(cells), dtype=np.int64)
    return _Fields(
        numbers={g: number(g) for g in _GROUPS},
        iso=match.group("Y") is not None,
        sep=match.group("s1") or match.group("s2"),
        has_time=match.group("h") is not None,
        has_seconds=match.group("s") is not None,
        offset=offset,
    )


def _regex_fields(col: Column) -> _Fields:
    parts = pd.Series(col.cells, dtype=object).str.extract(_STAMP)
    unmatched = np.flatnonzero(np.asarray(parts["Y"].isna() & parts["C"].isna()))
    if unmatched.size:
        at = int(unmatched[0])
        raise col.error(
            f"expected a date and time such as '2025-01-01 00:15' or '01-01-2025 00:15', "
            f"got {str(col.cells[at])!r}",
            at,
        )
    iso = parts["Y"].notna().to_numpy()
    if iso.any() and not iso.all():
        at = int(np.argmax(iso != iso[0]))
        raise col.error("mixed date formats (year first and year last) in one column", at)
    zone = parts["z"]
    offset: IntArray | None = None
    if zone.notna().any():
        if zone.isna().any():
            at = int(np.argmax(zone.isna().to_numpy()))
            raise col.error("mixed timestamps: some carry a UTC offset and some do not", at)
        offset = np.array([fixed_offset_minutes(z) for z in zone], dtype=np.int64)
    all_iso = bool(iso.all())
    return _Fields(
        numbers={g: _ints(parts[g]) for g in _GROUPS},
        iso=all_iso,
        sep=str(parts["s1" if all_iso else "s2"].iloc[0]),
        has_time=bool(parts["h"].notna().any()),
        has_seconds=bool(parts["s"].notna().any()),
        offset=offset,
    )


def _ints(column: pd.Series) -> IntArray:
    return np.asarray(pd.to_numeric(column, errors="coerce").fillna(0).to_numpy(), dtype=np.int64)


class _Clock(NamedTuple):
    """The fields of a column of stamps as written, one int64 array each."""

    year: IntArray
    month: IntArray
    day: IntArray
    hour: IntArray
    minute: IntArray
    second: IntArray


def _clock_ns(c: _Clock, col: Column) -> IntArray:
    clock = _to_ns(c)
    bad = np.flatnonzero(
        (clock < 0)
        | (c.hour > 24)
        | (c.minute > 59)
        | (c.second > 59)
        | ((c.hour == 24) & (c.minute > 0))
    )
    if bad.size:
        at = int(bad[0])
        raise col.error(
            f"not a valid date and time: {c.year[at]:04d}-{c.month[at]:02d}-{c.day[at]:02d} "
            f"{c.hour[at]:02d}:{c.minute[at]:02d}",
            at,
        )
    return clock


def _to_ns(c: _Clock) -> IntArray:
    """Clock time in ns since 1970; -1 where the date does not exist (31 April)."""
    dates = pd.to_datetime(
        pd.DataFrame({"year": c.year, "month": c.month, "day": c.day}), errors="coerce"
    ).to_numpy()
    base = dates.astype("datetime64[ns]").astype(np.int64)
    clock = base + (c.hour * 60 + c.minute) * MINUTE_NS + c.second * 1_000_000_000
    return np.where(np.isnat(dates), -1, clock)


def _day_order(
    first: IntArray,
    second_field: IntArray,
    year: IntArray,
    time: tuple[IntArray, IntArray, IntArray],
    sep: str,
    *,
    source: str,
) -> str:
    if (first > 12).any():
        return "dmy"
    if (second_field > 12).any():
        return "mdy"
    if sep != "/":
        return "dmy"  # dd-mm-yyyy and dd.mm.yyyy are day first; mm-dd-yyyy is not a habit
    regular = []
    for order in ("dmy", "mdy"):
        day, month = (first, second_field) if order == "dmy" else (second_field, first)
        clock = _to_ns(_Clock(year, month, day, *time))
        deltas = np.diff(clock)
        valid = bool((clock >= 0).all())
        if valid and deltas.size and (deltas > 0).all() and (deltas <= DAY_NS).all():
            regular.append(order)
    if len(regular) == 1:
        return regular[0]
    raise InputError(
        "cannot tell day/month from month/day in dates such as "
        f"{first[0]:02d}/{second_field[0]:02d}/{year[0]}; pass --date-order dmy or mdy",
        source=source,
        field="--date-order",
    )


def fixed_offset_minutes(text: str) -> int:
    """Minutes east of UTC of ``Z``, ``UTC``, ``+01:00``, ``+0100``, ``UTC+1`` or ``-05``."""
    cleaned = text.strip()
    if cleaned.upper() in ("Z", "UTC", "GMT"):
        return 0
    match = _OFFSET.match(cleaned)
    if match is None:
        raise ValueError(f"not a UTC offset: {text!r}")
    sign = -1 if match.group(1) == "-" else 1
    return sign * (int(match.group(2)) * 60 + int(match.group(3) or 0))


def standard_offset_minutes(zone: str, year: int) -> int:
    """The zone's offset in standard (winter) time of ``year``, in minutes east of UTC."""
    tz = zoneinfo.ZoneInfo(zone)
    offsets = []
    for month in (1, 7):
        local = dt.datetime(year, month, 15, 12, tzinfo=tz)
        delta = local.utcoffset()
        dst = local.dst()
        if delta is not None:
            offsets.append(delta - (dst or dt.timedelta(0)))
    return int(offsets[0].total_seconds() // 60) if offsets else 0
