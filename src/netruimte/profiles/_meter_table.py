"""Raw meter exports as a table of text cells: encoding, line ends, separator, header, numbers.

The first half of :mod:`netruimte.profiles.meter`: it knows nothing about time. A CSV (any of
``;``, ``,``, tab or ``|``; UTF-8 with or without a byte-order mark, UTF-16 with one, or
Windows-1252) or the first sheet of an Excel workbook (``.xlsx``) becomes a :class:`Table` of
text cells with the line (or sheet row) each came from, plus the facts that were detected.
"""

from __future__ import annotations

import codecs
import csv
import datetime as dt
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pandas as pd

from netruimte.conventions import FloatArray
from netruimte.errors import InputError

__all__ = ["UNITS", "Column", "Table", "header_unit", "parse_numbers", "read_table"]

UNITS = ("W", "kW", "MW", "Wh", "kWh", "MWh")
_SEPARATORS = (";", ",", "\t", "|")
_UNIT_TOKEN = re.compile(r"(?<![a-z])(kilowattuur|kilowatt|watt|mwh|kwh|wh|mw|kw|w)(?![a-z])")
_UNIT_NAMES = {
    "w": "W", "watt": "W", "kw": "kW", "kilowatt": "kW", "mw": "MW",
    "wh": "Wh", "kwh": "kWh", "kilowattuur": "kWh", "mwh": "MWh",
}  # fmt: skip
_LONE_NUMBER = re.compile(r"^\s*[-+]?\d+(?:[.,]\d+)?\s*$")
_NUMBER_LIKE = re.compile(r"^\s*[-+]?[\d.,\s\u00a0']*\d[\d.,\s\u00a0']*(?:[eE][-+]?\d+)?\s*$")


@dataclass(frozen=True)
class Table:
    """Text cells of a meter export.

    Attributes
    ----------
    header
        The header cells (stripped), or ``None`` when the file starts with data.
    columns
        One array of text cells per column (stripped; ``""`` for an empty cell).
    lines
        Per data row the 1-based line of the file (or row of the sheet) it came from.
    facts
        What was detected about the file: ``format``, ``encoding``, ``bom``, ``line_ending``,
        ``separator``, ``sheet``, ``skipped_lines``.
    numeric_cells
        True for an Excel column whose cells were all numbers (its decimal mark is known).
    """

    header: tuple[str, ...] | None
    columns: tuple[npt.NDArray[np.str_], ...]
    lines: npt.NDArray[np.int_]
    facts: dict[str, object] = field(default_factory=dict)
    numeric_cells: tuple[bool, ...] = ()

    def name(self, column: int) -> str:
        """The header of a column, or ``column N`` (1-based) without a header."""
        if self.header is not None and self.header[column]:
            return self.header[column]
        return f"column {column + 1}"


def read_table(path: Path) -> Table:
    """Read a CSV or ``.xlsx`` meter export into a :class:`Table` (see the module docstring)."""
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError("file not found", source=path) from None
    except IsADirectoryError:
        raise InputError("expected a file, got a directory", source=path) from None
    if raw[:4] == b"PK\x03\x04" or path.suffix.lower() in (".xlsx", ".xlsm"):
        return _xlsx_table(path)
    if raw[:8] == b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1":
        raise InputError(
            "an old binary Excel file (.xls) is not read; save it as .xlsx or CSV", source=path
        )
    text, facts = _decode(raw)
    facts["format"] = "csv"
    lines = text.splitlines()
    separator = _separator(lines)
    facts["separator"] = separator
    reader = csv.reader(io.StringIO(text), delimiter=separator or "\x00")
    rows: list[list[str]] = []
    numbers: list[int] = []
    for row in reader:
        rows.append(row)
        numbers.append(reader.line_num)
    return _table(rows, numbers, facts, source=path, unit_sep=separator)[0]


def _decode(raw: bytes) -> tuple[str, dict[str, object]]:
    facts: dict[str, object] = {"bom": False}
    if raw.startswith(codecs.BOM_UTF8):
        text, facts["encoding"], facts["bom"] = raw[3:].decode("utf-8", "strict"), "utf-8", True
    elif raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        text, facts["encoding"], facts["bom"] = raw.decode("utf-16"), "utf-16", True
    else:
        try:
            text, facts["encoding"] = raw.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            # Excel on Windows writes "CSV" in the ANSI code page; every byte decodes in it.
            text, facts["encoding"] = raw.decode("cp1252", "replace"), "cp1252"
    crlf = text.count("\r\n")
    facts["line_ending"] = "CRLF" if crlf else ("CR" if "\r" in text else "LF")
    return text, facts


def _separator(lines: list[str]) -> str | None:
    """The separator that splits the most lines into the same number (> 1) of fields."""
    sample = [line for line in lines[:200] if line.strip()]
    if len(sample) > 1 and all(_LONE_NUMBER.match(line) for line in sample[1:]):
        return None  # one column of numbers, perhaps with a decimal comma ("1,25")
    best: tuple[int, int, str | None] = (0, 0, None)
    for rank, sep in enumerate(_SEPARATORS):
        counts = Counter(len(r) for r in csv.reader(sample, delimiter=sep))
        fields, hits = max(counts.items(), key=lambda kv: (kv[1], kv[0]))
        if fields > 1 and (hits, -rank) > (best[0], -best[1]):
            best = (hits, rank, sep)
    return best[2]


def _xlsx_table(path: Path) -> Table:
    try:
        import openpyxl
    except ImportError:  # pragma: no cover - a dependency of the package
        raise InputError("reading .xlsx needs the package openpyxl", source=path) from None
    try:
        book = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken workbook
        raise InputError(f"not a readable .xlsx workbook ({exc})", source=path) from None
    try:
        sheet = book.worksheets[0]
        rows: list[list[str]] = []
        numbers: list[int] = []
        numeric: list[list[bool]] = []
        for number, cells in enumerate(sheet.iter_rows(values_only=True), start=1):
            rows.append([_cell_text(c) for c in cells])
            numeric.append([isinstance(c, int | float) and not isinstance(c, bool) for c in cells])
            numbers.append(number)
        facts: dict[str, object] = {"format": "xlsx", "sheet": sheet.title}
    finally:
        book.close()
    table, keep = _table(rows, numbers, facts, source=path, unit_sep=None)
    by_line = dict(zip(numbers, numeric, strict=True))
    data = [by_line[int(n)] for n in table.lines]
    flags = tuple(
        all(
            c >= len(row) or row[c] or not cell
            for row, cell in zip(data, table.columns[i], strict=True)
        )
        for i, c in enumerate(keep)
    )
    return Table(table.header, table.columns, table.lines, table.facts, flags)


def _cell_text(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, dt.date | dt.time):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value).strip()


def _is_data(row: list[str]) -> bool:
    """A row of data: its first non-empty cell starts with a digit (a number, date or time)."""
    for cell in row:
        text = cell.strip().lstrip("+-")
        if text:
            return text[:1].isdigit()
    return False


def _looks_like_number(cell: str) -> bool:
    return bool(_NUMBER_LIKE.match(cell))


def _table(
    rows: list[list[str]],
    numbers: list[int],
    facts: dict[str, object],
    *,
    source: Path,
    unit_sep: str | None,
) -> tuple[Table, list[int]]:
    kept = [
        (r, n)
        for r, n in zip(rows, numbers, strict=True)
        if r and (r[0].strip() or any(c.strip() for c in r[1:]))
    ]
    if not kept:
        raise InputError("empty file: no rows with values", source=source, line=1)
    width = Counter(len(r) for r, _ in kept).most_common(1)[0][0]
    first_data = next((i for i, (r, _) in enumerate(kept) if len(r) == width and _is_data(r)), None)
    if first_data is None:
        raise InputError("no data rows: no row starts with a date or a number", source=source)
    start = (
        max(first_data - 1, 0)
        if first_data and len(kept[first_data - 1][0]) == width
        else first_data
    )
    facts["skipped_lines"] = [n for _, n in kept[:start]]
    body = kept[start:]
    for row, number in body:
        if len(row) != width:
            sep = f"separated by {unit_sep!r}" if unit_sep else "per row"
            raise InputError(
                f"expected {width} fields {sep} (as on line {body[0][1]}), got {len(row)}",
                source=source,
                line=number,
            )
    is_header = start < first_data
    header = tuple(c.strip() for c in body[0][0]) if is_header else None
    data = body[1:] if is_header else body
    if not data:
        raise InputError("no data rows after the header", source=source, line=body[0][1] + 1)
    matrix = np.strings.strip(
        np.array([r for r, _ in data], dtype=np.str_).reshape(len(data), width)
    )
    columns = [np.ascontiguousarray(matrix[:, c]) for c in range(width)]
    keep = [c for c in range(width) if (header and header[c]) or bool((columns[c] != "").any())]
    table = Table(
        header=tuple(header[c] for c in keep) if header else None,
        columns=tuple(columns[c] for c in keep),
        lines=np.array([n for _, n in data], dtype=np.int64),
        facts=facts,
    )
    return table, keep


def header_unit(name: str) -> str | None:
    """The unit a column header names (``"Verbrauch [kW]"`` -> ``"kW"``), ``None`` if none.

    Raises
    ------
    InputError
        If the header names two different units (field ``--unit``).
    """
    found = {_UNIT_NAMES[m] for m in _UNIT_TOKEN.findall(name.lower())}
    if len(found) > 1:
        raise InputError(
            f"the header {name!r} names several units ({', '.join(sorted(found))}); "
            "pass --unit to say which one the values are in",
            field="--unit",
        )
    return found.pop() if found else None


@dataclass(frozen=True)
class Column:
    """One column of a metering table as parsed: its cells, the file line of each cell, the
    file and the column's name (what an error about one of its cells names)."""

    cells: npt.NDArray[np.str_]
    lines: npt.NDArray[np.int_]
    source: str
    name: str

    def error(self, message: str, row: int) -> InputError:
        """The error for the cell in ``row``: names the file, the cell's line and the column."""
        return InputError(message, source=self.source, line=int(self.lines[row]), field=self.name)


@dataclass(frozen=True)
class Numbers:
    """Parsed values (NaN for empty cells) and the marks that were used."""

    values: FloatArray
    decimal: str | None
    thousands: str | None


def parse_numbers(col: Column, *, decimal: str | None, separator: str | None = None) -> Numbers:
    """Parse a column of numbers; an empty cell becomes NaN.

    The decimal mark is detected when not given: a cell with both ``.`` and ``,`` has its
    decimal mark last; a mark followed by other than three digits, or after a lone ``0``, is
    decimal; a mark that occurs twice in a cell is a thousands separator. When every cell
    could read either way (``1,234``), the separator's convention decides: a ``;`` file uses
    the decimal comma (Dutch and German exports), a ``,`` file the decimal point; otherwise
    the caller is told to pass ``--decimal``.
    """
    text = col.cells
    for blank in (" ", "\u00a0", "'"):
        if bool((np.strings.find(text, blank) >= 0).any()):
            text = np.strings.replace(text, blank, "")
    empty = text == ""
    marks = decimal or _detect_decimal(
        text[~empty], source=col.source, column=col.name, separator=separator
    )
    thousands = None if marks is None else ("." if marks == "," else ",")
    if thousands is not None and bool((np.strings.find(text, thousands) >= 0).any()):
        text = np.strings.replace(text, thousands, "")
    else:
        thousands = None
    if marks == ",":
        text = np.strings.replace(text, ",", ".")
    filled = np.where(empty, "nan", text)
    try:
        values = filled.astype(np.float64)
    except ValueError:
        values = pd.to_numeric(pd.Series(filled, dtype=object), errors="coerce").to_numpy(float)
    for wrong, expected in (
        (np.isnan(values) & ~empty, "a number"),
        (np.isinf(values), "a finite number"),
    ):
        bad = np.flatnonzero(wrong)
        if bad.size:
            at = int(bad[0])
            raise col.error(f"expected {expected}, got {str(col.cells[at])!r}", at)
    return Numbers(values, marks, thousands)


def _detect_decimal(
    text: npt.NDArray[np.str_], *, source: str, column: str, separator: str | None
) -> str | None:
    dot_at = np.strings.rfind(text, ".")
    comma_at = np.strings.rfind(text, ",")
    has_dot, has_comma = dot_at >= 0, comma_at >= 0
    if not bool(has_dot.any()) and not bool(has_comma.any()):
        return None
    both = has_dot & has_comma
    if bool(both.any()):
        last = comma_at[both] > dot_at[both]
        if bool(last.all()):
            return ","
        if not bool(last.any()):
            return "."
        raise InputError(
            "numbers use both '1.234,5' and '1,234.5'; pass --decimal to say which mark is decimal",
            source=source,
            field="--decimal",
        )
    dot, comma = _mark_role(text[has_dot], "."), _mark_role(text[has_comma], ",")
    if dot == "decimal" or comma == "thousands":
        return "." if comma != "decimal" else _conflict(source)
    if comma == "decimal" or dot == "thousands":
        return ","
    mark = "." if bool(has_dot.any()) else ","
    if (mark, separator) in ((",", ";"), (".", ",")):
        return mark
    example = str(text[has_dot if mark == "." else has_comma][0])
    raise InputError(
        f"cannot tell whether {mark!r} in numbers such as {example!r} in {column!r} is a decimal "
        "mark or a thousands separator; pass --decimal , or --decimal .",
        source=source,
        field="--decimal",
    )


def _mark_role(cells: npt.NDArray[np.str_], mark: str) -> str | None:
    """``"decimal"``, ``"thousands"`` or ``None`` (undecided) for a mark in these cells.

    A mark is a thousands separator if it occurs twice in a cell; it is decimal if some cell
    is not of the form ``ddd<mark>ddd`` (one to three digits, then exactly three), or reads
    ``0<mark>...`` (a thousands group never starts a number with a lone zero).
    """
    if cells.size == 0:
        return None
    if bool((np.strings.count(cells, mark) > 1).any()):
        return "thousands"
    signed = np.strings.startswith(cells, "-") | np.strings.startswith(cells, "+")
    at = np.strings.find(cells, mark)
    before = at - signed
    after = np.strings.str_len(cells) - at - 1
    zero = (
        np.strings.startswith(cells, "0" + mark)
        | np.strings.startswith(cells, "-0" + mark)
        | np.strings.startswith(cells, "+0" + mark)
    )
    digits = np.strings.isdigit(np.strings.replace(np.strings.lstrip(cells, "+-"), mark, ""))
    grouped = (after == 3) & (before >= 1) & (before <= 3) & ~zero & digits
    return "decimal" if bool((~grouped).any()) else None


def _conflict(source: str) -> str:
    raise InputError(
        "numbers use both '.' and ',' as decimal marks; pass --decimal", source=source,
        field="--decimal",
    )  # fmt: skip
