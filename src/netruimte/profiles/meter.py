"""Meter exports as users have them, into a canonical 15-minute kW profile.

:func:`import_meter` reads a CSV or ``.xlsx`` export, detects what the file itself settles
(encoding and byte-order mark, line ends, separator, decimal mark and thousands separator, the
timestamp format and day order, interval-start or interval-end labels, a fixed UTC offset or
Europe/Amsterdam wall time, the step, the value column and its unit from the header) and refuses
what it cannot know with a message that names the option that settles it (``--start``,
``--step``, ``--fill``, ``--trim``, ``--column``, ``--unit``, ``--timezone``, ``--label``,
``--decimal``, ``--date-order``). Every assumption is reported, whether detected or given.

Values may be negative: a net meter (offtake positive, feed-in negative) is a profile kind of
its own. The rules are documented in ``docs/profiles.md`` ("Bring your own data").
"""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE, HOURS_PER_STEP, STEP, IntArray
from netruimte.errors import InputError
from netruimte.profiles._meter_grid import check_grid, on_grid, quarter_hours
from netruimte.profiles._meter_table import (
    UNITS,
    Column,
    Table,
    _looks_like_number,
    header_unit,
    parse_numbers,
    read_table,
)
from netruimte.profiles._meter_time import (
    DAY_NS,
    MINUTE_NS,
    fixed_offset_minutes,
    looks_like_date,
    looks_like_time,
    parse_stamps,
    standard_offset_minutes,
)
from netruimte.profiles.csv_io import _check_order, _localise_wall_time

__all__ = ["FILL_METHODS", "Assumption", "ImportOptions", "MeterImport", "import_meter"]

FILL_METHODS = ("linear", "previous", "zero")
_UNIT_KW = {"W": 1e-3, "kW": 1.0, "MW": 1e3, "Wh": 1e-3, "kWh": 1.0, "MWh": 1e3}


@dataclass(frozen=True)
class ImportOptions:
    """What the user says about a file; ``None`` means "detect it" (see :func:`import_meter`).

    ``timezone`` is the clock of stamps without a UTC offset (an IANA zone for wall time, or a
    fixed offset such as ``+01:00`` or ``UTC``); ``site_timezone`` is the zone of the result.
    """

    start: str | None = None
    step_minutes: int | None = None
    fill: str | None = None
    trim: bool = False
    column: str | None = None
    unit: str | None = None
    timezone: str | None = None
    label: str | None = None
    decimal: str | None = None
    date_order: str | None = None
    site_timezone: str = DEFAULT_TIMEZONE

    def __post_init__(self) -> None:
        choices = {
            "--fill": (self.fill, FILL_METHODS),
            "--label": (self.label, ("start", "end")),
            "--decimal": (self.decimal, (",", ".")),
            "--date-order": (self.date_order, ("dmy", "mdy")),
        }
        for flag, (value, allowed) in choices.items():
            if value is not None and value not in allowed:
                raise InputError(f"expected one of {', '.join(allowed)}, got {value!r}", field=flag)
        if self.unit is not None and self.unit.lower() not in {u.lower() for u in UNITS}:
            raise InputError(
                f"expected one of {', '.join(UNITS)}, got {self.unit!r}", field="--unit"
            )
        if self.step_minutes is not None and self.step_minutes <= 0:
            raise InputError(f"expected minutes > 0, got {self.step_minutes}", field="--step")
        for flag, zone in (("--timezone", self.timezone), ("--site-timezone", self.site_timezone)):
            if zone is not None and not _known_zone(zone, fixed_ok=flag == "--timezone"):
                raise InputError(
                    f"expected a time zone such as Europe/Amsterdam or an offset such as "
                    f"+01:00, got {zone!r}",
                    field=flag,
                )


def _known_zone(zone: str, *, fixed_ok: bool) -> bool:
    if fixed_ok:
        try:
            fixed_offset_minutes(zone)
            return True
        except ValueError:
            pass
    try:
        zoneinfo.ZoneInfo(zone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@dataclass(frozen=True)
class Assumption:
    """One thing the import settled: its value and whether it was detected, given or a default."""

    name: str
    value: str
    how: str
    note: str = ""


@dataclass(frozen=True)
class MeterImport:
    """A meter export read into a canonical profile, with what was assumed on the way.

    Attributes
    ----------
    kw
        Average kW per 15-minute interval on a tz-aware interval-beginning index in the site's
        zone, whole local days; negative values are feed-in (a net profile).
    source
        The file read.
    assumptions
        Everything detected or given, in reading order.
    filled
        Runs of filled values as ``(first interval start, number of source intervals)``.
    trimmed_steps
        Quarter-hours dropped to keep whole local days (only with ``trim``).
    """

    kw: pd.Series
    source: str
    assumptions: tuple[Assumption, ...]
    filled: tuple[tuple[str, int], ...] = ()
    trimmed_steps: int = 0
    fill_method: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The import report as plain JSON types."""
        kw = self.kw.to_numpy(dtype=float)
        energy = kw * HOURS_PER_STEP
        index = self.kw.index
        assert isinstance(index, pd.DatetimeIndex)
        return {
            "source": self.source,
            "start": index[0].isoformat(),
            "end": (index[-1] + STEP).isoformat(),
            "days": len(index.tz_localize(None).normalize().unique()),
            "steps": len(kw),
            "net": bool((kw < 0).any()),
            "energy_kwh": float(energy.sum()),
            "import_kwh": float(energy[kw > 0].sum()),
            "export_kwh": float(-energy[kw < 0].sum()),
            "peak_kw": float(kw.max()),
            "min_kw": float(kw.min()),
            "assumptions": [
                {"name": a.name, "value": a.value, "how": a.how, "note": a.note}
                for a in self.assumptions
            ],
            "filled": {
                "method": self.fill_method,
                "count": sum(n for _, n in self.filled),
                "where": [{"from": at, "values": n} for at, n in self.filled],
            },
            "trimmed_steps": self.trimmed_steps,
        }


def import_meter(path: str | Path, options: ImportOptions | None = None) -> MeterImport:
    """Read a meter export into a 15-minute kW profile, detecting its format.

    Parameters
    ----------
    path
        A CSV (separator ``;``, ``,``, tab or ``|``) or an Excel ``.xlsx`` workbook (first
        sheet): a timestamp column (or a date and a time column) and a value column, or values
        only with ``options.start``.
    options
        What the user says; anything left ``None`` is detected or refused.

    Returns
    -------
    MeterImport
        The profile (kW) and the report of what was assumed.

    Raises
    ------
    InputError
        Malformed input (names file, line, column) or an ambiguity (names the option, e.g.
        ``field '--fill'``, that resolves it).
    """
    path = Path(path)
    try:
        return _import(path, options or ImportOptions())
    except InputError as exc:
        if exc.source is not None:
            raise
        # an ambiguity of the whole file (no timestamps, no unit, ...) still names the file
        raise InputError(exc.message, source=path, line=exc.line, field=exc.field) from None


def _import(path: Path, opts: ImportOptions) -> MeterImport:
    source = str(path)
    table = read_table(path)
    said: list[Assumption] = _file_facts(table)
    stamp_cols, value_col = _columns(table, opts, source)
    name = table.name(value_col)
    decimal = opts.decimal or (
        "." if table.numeric_cells[value_col : value_col + 1] == (True,) else None
    )
    separator = table.facts.get("separator")
    numbers = parse_numbers(
        Column(table.columns[value_col], table.lines, source, name), decimal=decimal,
        separator=separator if isinstance(separator, str) else None,
    )  # fmt: skip
    said.append(Assumption("value column", name, "given" if opts.column else "detected"))
    said.append(
        Assumption(
            "decimal mark", numbers.decimal or "none", "given" if opts.decimal else "detected"
        )
    )
    if numbers.thousands:
        said.append(Assumption("thousands separator", numbers.thousands, "detected"))
    if stamp_cols:
        utc, step_ns, lines = _stamped(table, stamp_cols, opts, source, said)
        values = numbers.values
    else:
        utc, step_ns = _unstamped(len(numbers.values), opts, said)
        lines, values = table.lines, numbers.values
    unit = _unit(name, opts, said, source)
    grid, filled = on_grid(utc, values, step_ns, lines, opts, source)
    kw = grid * _UNIT_KW[unit] / (step_ns / 3.6e12 if unit.endswith("h") else 1.0)
    series, trimmed = quarter_hours(kw, int(utc[0]), step_ns, lines, opts, source)
    if trimmed:
        said.append(Assumption("trim", f"{trimmed} quarter-hours dropped", "given"))
    return MeterImport(
        kw=series,
        source=source,
        assumptions=tuple(said),
        filled=filled,
        trimmed_steps=trimmed,
        fill_method=opts.fill if filled else None,
    )


def _file_facts(table: Table) -> list[Assumption]:
    facts = table.facts
    said = [Assumption("format", str(facts["format"]), "detected")]
    if facts["format"] == "xlsx":
        said.append(Assumption("sheet", str(facts["sheet"]), "detected", "the first sheet"))
    else:
        bom = " with byte-order mark" if facts["bom"] else ""
        said.append(Assumption("encoding", f"{facts['encoding']}{bom}", "detected"))
        said.append(Assumption("line ends", str(facts["line_ending"]), "detected"))
        separator = facts["separator"]
        shown = {"\t": "tab", "None": "none (one column)"}.get(str(separator), str(separator))
        said.append(Assumption("separator", shown, "detected"))
    skipped = facts.get("skipped_lines")
    if isinstance(skipped, list) and skipped:
        said.append(
            Assumption("skipped lines", ", ".join(str(n) for n in skipped), "detected",
                       "lines above the header")
        )  # fmt: skip
    said.append(Assumption("header", "yes" if table.header else "none", "detected"))
    return said


def _columns(table: Table, opts: ImportOptions, source: str) -> tuple[list[int], int]:
    """The timestamp column(s) (date, or date and time) and the value column."""
    kinds = []
    for cells in table.columns:
        sample = [c for c in cells[:200] if c][:50]
        if sample and all(looks_like_date(c) for c in sample):
            kinds.append("date")
        elif sample and all(looks_like_time(c) for c in sample):
            kinds.append("time")
        else:
            kinds.append("other")
    dates = [c for c, k in enumerate(kinds) if k == "date"]
    times = [c for c, k in enumerate(kinds) if k == "time"]
    stamp_cols = dates[:1] + (times[:1] if dates else [])
    candidates = [c for c in range(len(table.columns)) if c not in dates + times]
    if opts.column is not None:
        wanted = opts.column.strip().lower()
        names = [table.name(c).lower() for c in range(len(table.columns))]
        if wanted in names:
            return stamp_cols, names.index(wanted)
        if wanted.isdigit() and 1 <= int(wanted) <= len(names):
            return stamp_cols, int(wanted) - 1
        raise InputError(
            f"no column {opts.column!r}; the columns are "
            + ", ".join(repr(table.name(c)) for c in range(len(names))),
            source=source,
            field="--column",
        )
    numeric = [c for c in candidates if _mostly_numbers(table.columns[c])]
    if len(numeric) == 1:
        return stamp_cols, numeric[0]
    with_unit = [c for c in numeric if _safe_unit(table.name(c))]
    if len(with_unit) == 1:
        return stamp_cols, with_unit[0]
    if not numeric:
        raise InputError(
            "found no column of numbers; pass --column with the values' column",
            source=source,
            field="--column",
        )
    listed = ", ".join(repr(table.name(c)) for c in numeric)
    raise InputError(
        f"several columns hold numbers ({listed}); pass --column to say which one is the meter",
        source=source,
        field="--column",
    )


def _mostly_numbers(cells: npt.NDArray[np.str_]) -> bool:
    sample = [c for c in cells[:500] if c][:100]
    if not sample:
        return False
    # "mostly": a stray text cell is then reported with its line by the number parser
    return sum(_looks_like_number(c) for c in sample) >= 0.9 * len(sample)


def _safe_unit(name: str) -> str | None:
    try:
        return header_unit(name)
    except InputError:
        return name  # two units still say "this is a quantity"


def _unit(name: str, opts: ImportOptions, said: list[Assumption], source: str) -> str:
    if opts.unit is not None:
        given = next(u for u in UNITS if u.lower() == opts.unit.lower())
        said.append(Assumption("unit", given, "given"))
        return given
    unit = header_unit(name)
    if unit is None:
        raise InputError(
            f"the header {name!r} names no unit; pass --unit "
            "(W, kW or MW for average power, Wh, kWh or MWh for energy per interval)",
            source=source,
            field="--unit",
        )
    kind = "energy per interval" if unit.endswith("h") else "average power"
    said.append(Assumption("unit", unit, "detected", f"{kind}, from the header"))
    return unit


def _stamped(
    table: Table, cols: list[int], opts: ImportOptions, source: str, said: list[Assumption]
) -> tuple[IntArray, int, npt.NDArray[np.int_]]:
    """UTC nanoseconds of every row's interval start, the step and the rows' lines."""
    if opts.start is not None:
        raise InputError(
            "--start is for files without timestamps; this file has them", field="--start"
        )
    cells = table.columns[cols[0]]
    column = table.name(cols[0])
    if len(cols) == 2:
        cells = np.char.add(np.char.add(cells, " "), table.columns[cols[1]])
        column = f"{column} + {table.name(cols[1])}"
    stamps = parse_stamps(Column(cells, table.lines, source, column), date_order=opts.date_order)
    said.append(Assumption("timestamp column", column, "detected", stamps.format))
    clock = stamps.clock_ns
    deltas = np.diff(clock)
    positive = deltas[deltas > 0]
    if opts.step_minutes is not None:
        step_ns, how = opts.step_minutes * MINUTE_NS, "given"
    elif positive.size:
        values, counts = np.unique(positive, return_counts=True)
        step_ns, how = int(values[np.argmax(counts)]), "detected"
    else:
        raise InputError("one timestamp gives no step; pass --step", source=source, field="--step")
    said.append(Assumption("step", f"{step_ns // MINUTE_NS} minutes", how))
    check_grid(clock, step_ns, table.lines, source)
    # Stamps are instants as written (an interval's end included): to UTC first, then shift.
    # On the night the clocks go back, end stamps 02:00 .. 02:45 appear twice as wall time.
    utc = _to_utc(clock, stamps.offset_minutes, table.lines, opts, source, column, said)
    if opts.label is not None:
        label, note = opts.label, ""
    else:
        label, note = _detect_label(clock, step_ns, stamps.has_2400, column, source)
        if not label:
            label, note = _label_by_days(utc, step_ns, opts.site_timezone, note, source)
    said.append(
        Assumption("label", f"interval {label}", "given" if opts.label else "detected", note)
    )
    if label == "end":
        utc = utc - step_ns
    index = pd.DatetimeIndex(utc, tz="UTC")
    _check_order(index, table.lines, source=source)
    return utc, step_ns, table.lines


def _detect_label(
    clock: IntArray, step_ns: int, has_2400: bool, column: str, source: str
) -> tuple[str, str]:
    """``("start" | "end" | "", note)`` from the file's own clock: whole days of stamps."""
    if has_2400:
        return "end", "a stamp reads 24:00"
    first, last = int(clock[0] % DAY_NS), int(clock[-1] % DAY_NS)
    if first == step_ns and last == 0:
        return "end", f"stamps run from {_hhmm(first)} to 00:00 in {column!r}"
    if first == 0 and last == DAY_NS - step_ns:
        return "start", f"stamps run from 00:00 to {_hhmm(last)} in {column!r}"
    return "", f"the first stamp is at {_hhmm(first)}, the last at {_hhmm(last)}"


def _label_by_days(
    utc: IntArray, step_ns: int, zone: str, note: str, source: str
) -> tuple[str, str]:
    """The label under which the stamps span whole local days in the site's zone."""
    whole = []
    for label, shift in (("start", 0), ("end", step_ns)):
        ends = pd.DatetimeIndex([utc[0] - shift, utc[-1] - shift + step_ns], tz="UTC")
        local = ends.tz_convert(zone)
        if bool((local == local.normalize()).all()):
            whole.append(label)
    if len(whole) == 1:
        return whole[0], f"whole days in {zone} only so"
    first = int(utc[0] % DAY_NS)
    if len(whole) == 0 and first == 0:
        return "start", "the first stamp is at midnight"
    raise InputError(
        f"cannot tell whether the stamps begin or end their intervals ({note}); "
        "pass --label start or --label end",
        source=source,
        field="--label",
    )


def _hhmm(ns: int) -> str:
    minutes = ns // MINUTE_NS
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _to_utc(
    clock: IntArray,
    offsets: IntArray | None,
    lines: npt.NDArray[np.int_],
    opts: ImportOptions,
    source: str,
    column: str,
    said: list[Assumption],
) -> IntArray:
    if offsets is not None:
        if opts.timezone is not None:
            raise InputError(
                "the stamps carry a UTC offset; --timezone is for stamps without one",
                field="--timezone",
            )
        said.append(Assumption("clock", "UTC offsets as written", "detected"))
        return clock - offsets * MINUTE_NS
    zone = opts.timezone
    how = "given"
    if zone is None:
        zone, how, note = _detect_clock(clock, opts.site_timezone)
    else:
        note = ""
    try:
        fixed = fixed_offset_minutes(zone)
    except ValueError:
        fixed = None
    if fixed is not None:
        said.append(Assumption("clock", f"fixed offset {_offset_text(fixed)}", how, note))
        return clock - fixed * MINUTE_NS
    said.append(Assumption("clock", f"wall time in {zone}", how, note))
    try:
        local = _localise_wall_time(pd.DatetimeIndex(clock), lines, timezone=zone, source=source)
    except InputError as exc:
        raise InputError(
            f"{exc.message}; if the file keeps one offset all year, pass --timezone with it "
            "(e.g. --timezone +01:00)",
            source=source,
            line=exc.line,
            field="--timezone",
        ) from None
    return np.asarray(local.asi8, dtype=np.int64)


def _offset_text(minutes: int) -> str:
    sign = "-" if minutes < 0 else "+"
    return f"UTC{sign}{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def _detect_clock(clock: IntArray, zone: str) -> tuple[str, str, str]:
    """Wall time in ``zone`` or its standard offset all year, from the DST nights covered."""
    naive = pd.DatetimeIndex(clock)
    if bool(naive.duplicated().any()):
        return zone, "detected", "the hour the clocks go back appears twice"
    as_wall = naive.tz_localize(zone, ambiguous="NaT", nonexistent="NaT")
    skipped = naive.tz_localize(zone, ambiguous=True, nonexistent="NaT").isna()
    year = int(naive[0].year)
    standard = _offset_text(standard_offset_minutes(zone, year))
    if bool(skipped.any()):
        at = naive[int(np.argmax(np.asarray(skipped)))]
        return (
            standard,
            "detected",
            (
                f"{at:%Y-%m-%d %H:%M} does not exist in {zone}: "
                "the file keeps standard time all year"
            ),
        )
    repeated = np.asarray(as_wall.isna())
    if bool(repeated.any()):
        at = naive[int(np.argmax(repeated))]
        return (
            standard,
            "detected",
            (f"the hour from {at:%Y-%m-%d %H:%M} appears once: the file keeps standard time"),
        )
    return zone, "default", "no clock change in the file to tell; stamps taken as wall time"


def _unstamped(count: int, opts: ImportOptions, said: list[Assumption]) -> tuple[IntArray, int]:
    if opts.start is None:
        raise InputError(
            "the file has no timestamps; pass --start with the first interval's start "
            "(e.g. --start 2025-01-01) and --step with the minutes per value",
            field="--start",
        )
    zone = opts.timezone or opts.site_timezone
    try:
        start = pd.Timestamp(opts.start)
    except ValueError:
        raise InputError(
            f"expected an ISO date or date-time, got {opts.start!r}", field="--start"
        ) from None
    if start.tz is None:
        try:
            fixed = fixed_offset_minutes(zone)
            start = (start - pd.Timedelta(minutes=fixed)).tz_localize("UTC")
        except ValueError:
            start = start.tz_localize(zone)
    local = start.tz_convert(opts.site_timezone)
    year_end = local + pd.DateOffset(years=1)
    candidates = (15, 60, 5, 10, 30, 1) if opts.step_minutes is None else (opts.step_minutes,)
    new_year = local == local.normalize() and local.month == local.day == 1
    if new_year and local.is_leap_year:
        for minutes in candidates:
            if pd.Timedelta(minutes=minutes * count) == pd.Timedelta(days=365):
                raise InputError(
                    f"{count} values at {minutes} minutes are 365 days, but {local.year} from "
                    "--start has 366 (a leap year). Pass --start with the year the values were "
                    "measured in (a non-leap year); a planner or station lays it on another "
                    "year by weekday and holidays",
                    field="--start",
                )
    if opts.step_minutes is not None:
        step = opts.step_minutes
        said.append(Assumption("step", f"{step} minutes", "given"))
    else:
        fits = [m for m in candidates if local + pd.Timedelta(minutes=m * count) == year_end]
        if len(fits) != 1:
            raise InputError(
                f"{count} values without timestamps: pass --step with the minutes per value",
                field="--step",
            )
        step = fits[0]
        note = f"{count} values fill one year"
        said.append(Assumption("step", f"{step} minutes", "detected", note))
    said.append(Assumption("start", local.isoformat(), "given"))
    said.append(Assumption("label", "interval start", "given" if opts.label else "default"))
    step_ns = step * MINUTE_NS
    first = int(start.value) - (step_ns if opts.label == "end" else 0)
    return first + np.arange(count, dtype=np.int64) * step_ns, step_ns
