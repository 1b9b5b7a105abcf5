"""Timestamps of meter exports: formats, day order, interval labels and the clock they keep.

The second part of :mod:`netruimte.profiles.meter`. Stamps are parsed in one vectorised pass
into the clock time as written (nanoseconds, naive) plus the UTC offset when the file writes one.
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.errors import InputError

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

    clock_ns: npt.NDArray[np.int64]
    offset_minutes: npt.NDArray[np.int64] | None
    format: str
    has_2400: bool


def parse_stamps(
    cells: npt.NDArray[np.str_],
    lines: npt.NDArray[np.int_],
    *,
    date_order: str | None,
    source: str,
    column: str,
) -> Stamps:
    """Parse a column of date-time cells (see the module docstring).

    ``date_order`` (``"dmy"`` or ``"mdy"``) settles ``01/02/2025``; without it the order is
    detected from a field above 12, then from which order gives evenly spaced stamps;
    ``dd-mm-yyyy`` and ``dd.mm.yyyy`` are day first as in Dutch exports.
    """
    fields = _fixed_width_fields(cells)
    if fields is None:
        fields = _regex_fields(cells, lines, source=source, column=column)
    hour, minute, second = fields["h"], fields["m"], fields["s"]
    sep = str(fields["sep"])
    if fields["iso"]:
        year, month, day = fields["Y"], fields["A"], fields["B"]
        date_text = f"YYYY{sep}MM{sep}DD"
    else:
        year, first, second_field = fields["Y2"], fields["C"], fields["D"]
        order = date_order or _day_order(
            first, second_field, year, hour, minute, second, sep, source=source, column=column
        )
        day, month = (first, second_field) if order == "dmy" else (second_field, first)
        date_text = f"DD{sep}MM{sep}YYYY" if order == "dmy" else f"MM{sep}DD{sep}YYYY"
    time_text = ""
    if fields["has_time"]:
        time_text = " HH:MM:SS" if fields["has_seconds"] else " HH:MM"
    clock = _clock_ns(year, month, day, hour, minute, second, lines, source=source, column=column)
    has_2400 = bool(((hour == 24) & (minute == 0)).any())
    offset = fields["offset"]
    if offset is not None:
        time_text += " with UTC offset"
    return Stamps(clock, offset, date_text + time_text, has_2400)


def _fixed_width_fields(cells: npt.NDArray[np.str_]) -> dict[str, Any] | None:
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

    def number(group: str) -> npt.NDArray[np.int64]:
        if match.group(group) is None:
            return np.zeros(len(cells), dtype=np.int64)
        start, stop = match.span(group)
        value = np.zeros(len(cells), dtype=np.int64)
        for position in range(start, stop):
            value = value * 10 + full[:, position]
        return value

    fields: dict[str, Any] = {g: number(g) for g in ("Y", "A", "B", "C", "D", "Y2", "h", "m", "s")}
    fields["iso"] = match.group("Y") is not None
    fields["sep"] = match.group("s1") or match.group("s2")
    fields["has_time"] = match.group("h") is not None
    fields["has_seconds"] = match.group("s") is not None
    fields["offset"] = None
    if zone:
        if zone[0] in "+-":
            start, stop = match.span("z")
            signs = np.where(raw[:, start] == ord("-"), -1, 1)
            tail = [p for p in range(start + 1, stop) if is_digit[p]]
            hours = full[:, tail[0]] * 10 + full[:, tail[1]]
            mins = full[:, tail[2]] * 10 + full[:, tail[3]] if len(tail) == 4 else 0
            fields["offset"] = np.asarray(signs * (hours * 60 + mins), dtype=np.int64)
        else:
            fields["offset"] = np.zeros(len(cells), dtype=np.int64)
    return fields


def _regex_fields(
    cells: npt.NDArray[np.str_], lines: npt.NDArray[np.int_], *, source: str, column: str
) -> dict[str, Any]:
    parts = pd.Series(cells, dtype=object).str.extract(_STAMP)
    unmatched = np.flatnonzero(np.asarray(parts["Y"].isna() & parts["C"].isna()))
    if unmatched.size:
        at = int(unmatched[0])
        raise InputError(
            f"expected a date and time such as '2025-01-01 00:15' or '01-01-2025 00:15', "
            f"got {cells[at]!r}",
            source=source,
            line=int(lines[at]),
            field=column,
        )
    iso = parts["Y"].notna().to_numpy()
    if iso.any() and not iso.all():
        at = int(np.argmax(iso != iso[0]))
        raise InputError(
            "mixed date formats (year first and year last) in one column",
            source=source,
            line=int(lines[at]),
            field=column,
        )
    fields: dict[str, Any] = {
        g: _ints(parts[g]) for g in ("Y", "A", "B", "C", "D", "Y2", "h", "m", "s")
    }
    fields["iso"] = bool(iso.all())
    fields["sep"] = str(parts["s1" if fields["iso"] else "s2"].iloc[0])
    fields["has_time"] = bool(parts["h"].notna().any())
    fields["has_seconds"] = bool(parts["s"].notna().any())
    zone = parts["z"]
    fields["offset"] = None
    if zone.notna().any():
        if zone.isna().any():
            at = int(np.argmax(zone.isna().to_numpy()))
            raise InputError(
                "mixed timestamps: some carry a UTC offset and some do not",
                source=source,
                line=int(lines[at]),
                field=column,
            )
        fields["offset"] = np.array([fixed_offset_minutes(z) for z in zone], dtype=np.int64)
    return fields


def _ints(column: pd.Series) -> npt.NDArray[np.int64]:
    return np.asarray(pd.to_numeric(column, errors="coerce").fillna(0).to_numpy(), dtype=np.int64)


def _clock_ns(
    year: npt.NDArray[np.int64],
    month: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    hour: npt.NDArray[np.int64],
    minute: npt.NDArray[np.int64],
    second: npt.NDArray[np.int64],
    lines: npt.NDArray[np.int_],
    *,
    source: str,
    column: str,
) -> npt.NDArray[np.int64]:
    clock = _to_ns(year, month, day, hour, minute, second)
    bad = np.flatnonzero(
        (clock < 0) | (hour > 24) | (minute > 59) | (second > 59) | ((hour == 24) & (minute > 0))
    )
    if bad.size:
        at = int(bad[0])
        raise InputError(
            f"not a valid date and time: {year[at]:04d}-{month[at]:02d}-{day[at]:02d} "
            f"{hour[at]:02d}:{minute[at]:02d}",
            source=source,
            line=int(lines[at]),
            field=column,
        )
    return clock


def _to_ns(
    year: npt.NDArray[np.int64],
    month: npt.NDArray[np.int64],
    day: npt.NDArray[np.int64],
    hour: npt.NDArray[np.int64],
    minute: npt.NDArray[np.int64],
    second: npt.NDArray[np.int64],
) -> npt.NDArray[np.int64]:
    """Clock time in ns since 1970; -1 where the date does not exist (31 April)."""
    dates = pd.to_datetime(
        pd.DataFrame({"year": year, "month": month, "day": day}), errors="coerce"
    ).to_numpy()
    base = dates.astype("datetime64[ns]").astype(np.int64)
    clock = base + (hour * 60 + minute) * MINUTE_NS + second * 1_000_000_000
    return np.where(np.isnat(dates), -1, clock)


def _day_order(
    first: npt.NDArray[np.int64],
    second_field: npt.NDArray[np.int64],
    year: npt.NDArray[np.int64],
    hour: npt.NDArray[np.int64],
    minute: npt.NDArray[np.int64],
    second: npt.NDArray[np.int64],
    sep: str,
    *,
    source: str,
    column: str,
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
        clock = _to_ns(year, month, day, hour, minute, second)
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
