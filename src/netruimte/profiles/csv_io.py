"""Metering CSV in and out, per the profile CSV of the interface contract.

A profile file has a header row, a ``timestamp`` column and one value column: ``kw`` (average kW
over the interval that starts at the timestamp) or ``kwh`` (energy in that interval); station
profiles may use ``mw`` or ``mwh`` instead (converted to kW). Separator
``,`` or ``;``; with ``;`` a decimal comma is accepted. Timestamps are ISO 8601 with a UTC offset,
or local wall time in the given zone (``2025-10-26 02:15`` or ``26-10-2025 02:15``); the repeated
October hour in wall time is resolved by order (first summer time, then winter time). A profile
spans whole local days at a 15-minute step.

Everything is checked before anything is returned: a file is read whole or not at all.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte._util import write_atomic
from netruimte.conventions import DEFAULT_TIMEZONE, HOURS_PER_STEP, STEP
from netruimte.errors import InputError

__all__ = [
    "VALUE_COLUMNS",
    "csv_separator",
    "csv_table",
    "read_input_text",
    "read_profile_csv",
    "read_series_csv",
    "write_profile_csv",
]

VALUE_COLUMNS = ("kw", "kwh", "mw", "mwh")
_STEP_MINUTES = 15
_DUTCH_DATE = re.compile(r"^(\d{1,2})-(\d{1,2})-(\d{4})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$")
_OFFSET_SUFFIX = re.compile(r"(Z|[+-]\d{2}:?\d{2})$")


def read_input_text(path: str | Path) -> str:
    """The text of an input file (UTF-8, a byte-order mark dropped), or an :class:`InputError`
    that names the file when it is missing or not UTF-8."""
    path = Path(path)
    try:
        return path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=path) from None


def csv_separator(header_line: str) -> str:
    """The separator of a small CSV table: ``;`` when its header line holds more of them than
    commas, else ``,``."""
    return ";" if header_line.count(";") > header_line.count(",") else ","


def csv_table(
    lines: Sequence[str],
    *,
    source: str | Path,
    columns: Sequence[str],
    refused: Mapping[str, str] | None = None,
) -> tuple[str, list[str], Iterator[tuple[int, list[str]]]]:
    """A small CSV table of named columns: its separator, its header and its data rows.

    The separator is :func:`csv_separator`'s.
    A header column not in ``columns`` is an error (one in ``refused`` with its own message);
    which columns are required, and whether one may repeat, is the caller's to check. The rows
    come as ``(file line, cells)``, blank rows left out, as the caller reads them; a row with
    another number of cells than the header is an error when it is reached.

    Raises
    ------
    InputError
        Naming ``source``, the line and the column.
    """
    sep = csv_separator(lines[0])
    reader = csv.reader(lines, delimiter=sep)
    header = [h.strip() for h in next(reader)]
    for col in header:
        if refused is not None and col in refused:
            raise InputError(refused[col], source=source, line=1, field=col)
        if col not in columns:
            raise InputError(
                f"unknown column {col!r}; expected some of {', '.join(columns)}",
                source=source,
                line=1,
                field=col,
            )

    def rows() -> Iterator[tuple[int, list[str]]]:
        for lineno, row in enumerate(reader, start=2):
            if not any(c.strip() for c in row):
                continue
            if len(row) != len(header):
                raise InputError(
                    f"expected {len(header)} cells, got {len(row)}", source=source, line=lineno
                )
            yield lineno, row

    return sep, header, rows()


def read_profile_csv(
    path: str | Path,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    resample: bool = False,
) -> pd.Series:
    """Read a metering CSV into a 15-minute kW series.

    Parameters
    ----------
    path
        The CSV file.
    timezone
        IANA zone of the site; wall-clock timestamps are local time in it, and the returned
        index is in it.
    resample
        Accept a fixed step other than 15 minutes and convert it: a coarser step (30 or 60
        minutes, ...) is spread evenly (each quarter-hour gets the interval's average kW), a
        finer step (1, 5 minutes, ...) is averaged over each quarter-hour. Without it, any step
        other than 15 minutes is an error.

    Returns
    -------
    pandas.Series
        Average kW per 15-minute interval (``name="kw"``), on a tz-aware
        :class:`~pandas.DatetimeIndex` of interval-beginning timestamps (``freq="15min"``).

    Raises
    ------
    InputError
        The file is malformed; the message names the file, the line and what was expected.
    """
    path = Path(path)
    text = read_input_text(path)
    return _parse_profile_text(text, source=str(path), timezone=timezone, resample=resample)


def read_series_csv(
    path: str | Path,
    column: str,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    resample: bool = False,
) -> pd.Series:
    """Read a 15-minute series of one named column (e.g. ``eur_per_kwh``) with every check of
    :func:`read_profile_csv`; values are taken as interval averages, without unit conversion.

    Returns
    -------
    pandas.Series
        Named ``column``, on a tz-aware 15-minute index spanning whole local days.
    """
    path = Path(path)
    text = read_input_text(path)
    series = _parse_profile_text(
        text, source=str(path), timezone=timezone, resample=resample, columns=(column.lower(),)
    )
    return series.rename(column)


def _parse_profile_text(
    text: str,
    *,
    source: str,
    timezone: str,
    resample: bool,
    columns: tuple[str, ...] = VALUE_COLUMNS,
) -> pd.Series:
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(
            f"empty file: expected a header row 'timestamp,{columns[0]}'", source=source, line=1
        )
    separator = ";" if ";" in lines[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    header = [cell.strip().lower() for cell in rows[0]]
    if "timestamp" not in header:
        raise InputError(
            f"missing column 'timestamp' in the header {rows[0]!r}",
            source=source,
            line=1,
            field="timestamp",
        )
    value_columns = [name for name in columns if name in header]
    if len(value_columns) != 1:
        wanted = (
            "'kw' or 'kwh' (or for stations 'mw' or 'mwh')"
            if columns == VALUE_COLUMNS
            else " or ".join(repr(c) for c in columns)
        )
        raise InputError(
            f"expected exactly one value column, {wanted}, in the header {rows[0]!r}",
            source=source,
            line=1,
            field=columns[0],
        )
    value_column = value_columns[0]
    ts_at, value_at = header.index("timestamp"), header.index(value_column)

    stamps: list[str] = []
    values: list[float] = []
    line_numbers: list[int] = []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue  # blank lines (often a trailing one) carry nothing
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} fields separated by '{separator}', got {len(row)}",
                source=source,
                line=number,
            )
        stamps.append(row[ts_at].strip())
        values.append(
            _parse_number(row[value_at], separator, source=source, line=number, field=value_column)
        )
        line_numbers.append(number)
    if not stamps:
        raise InputError("no data rows after the header", source=source, line=2)

    lines_arr = np.asarray(line_numbers)
    index = _parse_timestamps(stamps, lines_arr, timezone=timezone, source=source)
    _check_order(index, lines_arr, source=source)
    step = _detect_step(index, lines_arr, resample=resample, source=source)
    step_hours = step / pd.Timedelta(hours=1)
    raw = np.asarray(values, dtype=float)
    per_hour = raw / step_hours if value_column in ("kwh", "mwh") else raw
    kw = per_hour * 1000.0 if value_column in ("mw", "mwh") else per_hour
    series = pd.Series(kw, index=index, name="kw")
    if step != STEP:
        series = _to_quarter_hours(series, step, lines_arr, source=source)
    _check_whole_days(series.index, lines_arr, step, source=source)
    result = pd.Series(
        series.to_numpy(),
        index=pd.DatetimeIndex(series.index, freq="15min", name="timestamp"),
        name="kw",
    )
    return result


def _parse_number(cell: str, separator: str, *, source: str, line: int, field: str) -> float:
    text = cell.strip()
    if separator == ";" and "," in text:
        if "." in text:
            raise InputError(
                f"ambiguous number {text!r}: thousands separators are not accepted",
                source=source,
                line=line,
                field=field,
            )
        text = text.replace(",", ".")
    try:
        value = float(text)
    except ValueError:
        raise InputError(
            f"expected a number, got {cell.strip()!r}", source=source, line=line, field=field
        ) from None
    if not np.isfinite(value):
        raise InputError(
            f"expected a finite number, got {cell.strip()!r}", source=source, line=line, field=field
        )
    return value


def _parse_one_stamp(text: str) -> dt.datetime:
    match = _DUTCH_DATE.match(text)
    if match:
        day, month, year, hour, minute, second = match.groups()
        return dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0), int(second or 0)
        )
    return dt.datetime.fromisoformat(text)


def _parse_timestamps(
    stamps: Sequence[str], lines: npt.NDArray[np.int_], *, timezone: str, source: str
) -> pd.DatetimeIndex:
    parsed: list[dt.datetime] = []
    for text, line in zip(stamps, lines, strict=True):
        try:
            parsed.append(_parse_one_stamp(text))
        except ValueError:
            raise InputError(
                f"expected an ISO 8601 timestamp such as '2025-01-01T00:00:00+01:00' "
                f"or local time '2025-01-01 00:00', got {text!r}",
                source=source,
                line=int(line),
                field="timestamp",
            ) from None
    aware = np.array([p.tzinfo is not None for p in parsed])
    if aware.any() and not aware.all():
        first_other = int(np.argmax(aware != aware[0]))
        raise InputError(
            "mixed timestamps: some carry a UTC offset and some are local wall time; "
            "use one form in the whole file",
            source=source,
            line=int(lines[first_other]),
            field="timestamp",
        )
    if aware.all():
        utc = pd.DatetimeIndex([p.astimezone(dt.UTC) for p in parsed])
        return utc.tz_convert(timezone)
    return _localise_wall_time(pd.DatetimeIndex(parsed), lines, timezone=timezone, source=source)


def _localise_wall_time(
    naive: pd.DatetimeIndex, lines: npt.NDArray[np.int_], *, timezone: str, source: str
) -> pd.DatetimeIndex:
    """Localise wall-clock stamps; the repeated autumn hour is resolved by order of appearance."""
    as_summer = naive.tz_localize(timezone, ambiguous=True, nonexistent="NaT")
    missing = np.asarray(as_summer.isna())
    if missing.any():
        at = int(np.argmax(missing))
        raise InputError(
            f"local time {naive[at]:%Y-%m-%d %H:%M} does not exist in {timezone} "
            "(the clock jumps forward that night)",
            source=source,
            line=int(lines[at]),
            field="timestamp",
        )
    unresolved = np.asarray(naive.tz_localize(timezone, ambiguous="NaT").isna())
    is_summer = np.ones(len(naive), dtype=bool)
    if unresolved.any():
        seen: dict[pd.Timestamp, int] = {}
        for position in np.flatnonzero(unresolved):
            stamp = naive[int(position)]
            count = seen.get(stamp, 0)
            if count >= 2:
                raise InputError(
                    f"local time {stamp:%Y-%m-%d %H:%M} appears more than twice; "
                    "it can occur at most twice on the night the clock goes back",
                    source=source,
                    line=int(lines[position]),
                    field="timestamp",
                )
            is_summer[position] = count == 0
            seen[stamp] = count + 1
    return naive.tz_localize(timezone, ambiguous=is_summer)


def _check_order(index: pd.DatetimeIndex, lines: npt.NDArray[np.int_], *, source: str) -> None:
    if len(index) < 2:
        return
    deltas = np.diff(index.asi8)
    if (deltas > 0).all():
        return
    at = int(np.argmax(deltas <= 0)) + 1
    if deltas[at - 1] == 0:
        raise InputError(
            f"duplicate timestamp {index[at].isoformat()} (also on line {int(lines[at - 1])})",
            source=source,
            line=int(lines[at]),
            field="timestamp",
        )
    raise InputError(
        f"timestamp {index[at].isoformat()} is earlier than the one on line "
        f"{int(lines[at - 1])}; rows must be in time order",
        source=source,
        line=int(lines[at]),
        field="timestamp",
    )


def _detect_step(
    index: pd.DatetimeIndex, lines: npt.NDArray[np.int_], *, resample: bool, source: str
) -> pd.Timedelta:
    if len(index) < 2:
        return STEP
    deltas = index[1:] - index[:-1]
    first = pd.Timedelta(deltas[0])
    if not resample and first != STEP and bool((deltas == first).all()):
        raise InputError(
            f"expected a 15-minute step, got {_minutes(first)} minutes throughout; "
            "pass the resample option to convert other steps",
            source=source,
            line=int(lines[1]),
            field="timestamp",
        )
    want = first if resample else STEP
    irregular = np.flatnonzero(np.asarray(deltas != want))
    if irregular.size:
        at = int(irregular[0])
        got = pd.Timedelta(deltas[at])
        if got > want and got % want == pd.Timedelta(0):
            missing = int(got / want) - 1
            message = (
                f"gap: {missing} interval(s) of {_minutes(want)} minutes missing from "
                f"{(index[at] + want).isoformat()} on, between line {int(lines[at])} "
                f"({index[at].isoformat()}) and line {int(lines[at + 1])} "
                f"({index[at + 1].isoformat()})"
            )
        else:
            message = (
                f"expected a step of {_minutes(want)} minutes after line {int(lines[at])}, "
                f"got {_minutes(got)} minutes"
            )
        raise InputError(message, source=source, line=int(lines[at + 1]), field="timestamp")
    minutes = want / pd.Timedelta(minutes=1)
    if not (minutes % _STEP_MINUTES == 0 or _STEP_MINUTES % minutes == 0):
        raise InputError(
            f"cannot resample a {_minutes(want)}-minute step to 15 minutes: "
            "the step must divide 15 minutes or be a whole multiple of it",
            source=source,
            line=int(lines[1]),
            field="timestamp",
        )
    return want


def _minutes(delta: pd.Timedelta) -> str:
    return f"{delta / pd.Timedelta(minutes=1):g}"


def _to_quarter_hours(
    series: pd.Series, step: pd.Timedelta, lines: npt.NDArray[np.int_], *, source: str
) -> pd.Series:
    index = series.index
    assert isinstance(index, pd.DatetimeIndex)
    if step > STEP:
        repeat = int(step / STEP)
        start = index[0]
        new_index = pd.date_range(start, periods=len(index) * repeat, freq=STEP)
        return pd.Series(np.repeat(series.to_numpy(), repeat), index=new_index, name="kw")
    per_quarter = int(STEP / step)
    offset = (index[0] - index[0].floor(STEP)) / step
    if offset != 0 or len(series) % per_quarter:
        raise InputError(
            f"a {_minutes(step)}-minute profile must fill whole quarter-hours from the first row",
            source=source,
            line=int(lines[0]),
            field="timestamp",
        )
    averaged = series.to_numpy().reshape(-1, per_quarter).mean(axis=1)
    return pd.Series(averaged, index=index[::per_quarter], name="kw")


def _check_whole_days(
    index: pd.Index, lines: npt.NDArray[np.int_], step: pd.Timedelta, *, source: str
) -> None:
    assert isinstance(index, pd.DatetimeIndex)
    first, end = index[0], index[-1] + STEP
    if first != first.normalize():
        raise InputError(
            f"partial day: the profile starts at {first.isoformat()}, "
            "expected local midnight (a profile spans whole days)",
            source=source,
            line=int(lines[0]),
            field="timestamp",
        )
    if end != end.normalize():
        raise InputError(
            f"partial day: the last interval ends at {end.isoformat()}, "
            "expected local midnight (a profile spans whole days)",
            source=source,
            line=int(lines[-1]),
            field="timestamp",
        )


def write_profile_csv(
    series: pd.Series,
    path: str | Path,
    *,
    column: str = "kw",
    separator: str = ",",
    local_time: bool = False,
    decimals: int | None = None,
) -> Path:
    """Write a 15-minute kW series as a profile CSV that :func:`read_profile_csv` reads back.

    Parameters
    ----------
    series
        Average kW per 15-minute interval on a tz-aware index.
    path
        Where to write. The file is written whole: first to a temporary file next to it, then
        renamed, so a failure leaves no half-written profile.
    column
        ``"kw"`` (the series as is), ``"kwh"`` (energy per interval, kW × 0.25 h), or
        ``"mw"``/``"mwh"`` (the same in MW and MWh, for station profiles).
    separator
        ``","`` (decimal point) or ``";"`` (decimal comma, as Dutch exports do).
    local_time
        Write local wall time without offset instead of ISO 8601 with offset (the repeated
        October hour is then told apart by order, as :func:`read_profile_csv` expects).
    decimals
        Round values to this many decimals; by default they are written exactly (shortest
        repr), so reading the file back gives the same floats.

    Returns
    -------
    pathlib.Path
        The path written.
    """
    if column not in VALUE_COLUMNS:
        raise InputError(f"expected one of {VALUE_COLUMNS}, got {column!r}", field="column")
    if separator not in (",", ";"):
        raise InputError(f"expected ',' or ';', got {separator!r}", field="separator")
    index = series.index
    if not isinstance(index, pd.DatetimeIndex) or index.tz is None:
        raise InputError("expected a series on a tz-aware DatetimeIndex", field="index")
    path = Path(path)
    per_step = HOURS_PER_STEP if column.endswith("h") else 1.0
    per_unit = 1e-3 if column.startswith("mw") else 1.0
    values = series.to_numpy(dtype=float) * per_step * per_unit
    if local_time:
        stamps = index.strftime("%Y-%m-%d %H:%M:%S")
    else:
        stamps = pd.Index([ts.isoformat() for ts in index])
    if decimals is None:
        texts = [repr(float(v)) for v in values]
    else:
        texts = [f"{v:.{decimals}f}" for v in values]
    if separator == ";":
        texts = [t.replace(".", ",") for t in texts]
    body = "".join(f"{s}{separator}{v}\n" for s, v in zip(stamps, texts, strict=True))
    return write_atomic(path, f"timestamp{separator}{column}\n{body}")
