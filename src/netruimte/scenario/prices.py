"""Energy price CSV: a ``timestamp`` column and an ``eur_per_kwh`` column.

The timestamp rules are those of the profile CSV (``docs/profiles.md``): ISO 8601 with offset
or local wall time, 15-minute steps, whole local days, ``,`` or ``;`` (with decimal comma).
The timestamp checks are the profile reader's own, so both files behave alike.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Final

import numpy as np
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE
from netruimte.errors import InputError
from netruimte.profiles import csv_io as _csv_io

__all__ = ["PRICE_COLUMN", "read_price_csv"]

PRICE_COLUMN: Final = "eur_per_kwh"
"""Value column of an energy price CSV."""


def read_price_csv(path: str | Path, *, timezone: str = DEFAULT_TIMEZONE) -> pd.Series:
    """Read an energy price CSV: ``timestamp`` and ``eur_per_kwh`` columns, 15-minute steps.

    Same timestamp rules as the profile CSV (``docs/profiles.md``); prices may be negative.
    """
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputError("file not found", source=path) from None
    except UnicodeDecodeError as exc:
        raise InputError(f"not UTF-8 text ({exc.reason})", source=path) from None
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError(
            f"empty file: expected a header row 'timestamp,{PRICE_COLUMN}'", source=path, line=1
        )
    separator = ";" if ";" in lines[0] else ","
    rows = list(csv.reader(io.StringIO(text), delimiter=separator))
    header = [cell.strip().lower() for cell in rows[0]]
    for column in ("timestamp", PRICE_COLUMN):
        if column not in header:
            raise InputError(
                f"missing column {column!r} in the header {rows[0]!r}",
                source=path,
                line=1,
                field=column,
            )
    at_ts, at_value = header.index("timestamp"), header.index(PRICE_COLUMN)
    stamps, values, numbers = [], [], []
    for number, row in enumerate(rows[1:], start=2):
        if not row or all(not cell.strip() for cell in row):
            continue
        if len(row) != len(header):
            raise InputError(
                f"expected {len(header)} fields separated by '{separator}', got {len(row)}",
                source=path,
                line=number,
            )
        stamps.append(row[at_ts].strip())
        values.append(
            _csv_io._parse_number(
                row[at_value], separator, source=str(path), line=number, field=PRICE_COLUMN
            )
        )
        numbers.append(number)
    if not stamps:
        raise InputError("no data rows after the header", source=path, line=2)
    line_arr = np.asarray(numbers)
    index = _csv_io._parse_timestamps(stamps, line_arr, timezone=timezone, source=str(path))
    _csv_io._check_order(index, line_arr, source=str(path))
    step = _csv_io._detect_step(index, line_arr, resample=False, source=str(path))
    _csv_io._check_whole_days(index, line_arr, step, source=str(path))
    return pd.Series(
        np.asarray(values, dtype=float),
        index=pd.DatetimeIndex(index, freq="15min", name="timestamp"),
        name=PRICE_COLUMN,
    )
