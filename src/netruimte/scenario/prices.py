"""Energy price CSV: a ``timestamp`` column and an ``eur_per_kwh`` column.

The timestamp rules are those of the profile CSV (``docs/profiles.md``): ISO 8601 with offset
or local wall time, 15-minute steps, whole local days, ``,`` or ``;`` (with decimal comma).
Read by the profile reader's own code (``read_series_csv``), so both files behave alike.
"""

from __future__ import annotations

from pathlib import Path
from typing import Final

import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE
from netruimte.profiles.csv_io import read_series_csv

__all__ = ["PRICE_COLUMN", "read_price_csv"]

PRICE_COLUMN: Final = "eur_per_kwh"
"""Value column of an energy price CSV."""


def read_price_csv(path: str | Path, *, timezone: str = DEFAULT_TIMEZONE) -> pd.Series:
    """Read an energy price CSV: ``timestamp`` and ``eur_per_kwh`` columns, 15-minute steps.

    Same timestamp rules as the profile CSV (``docs/profiles.md``); prices may be negative.
    """
    return read_series_csv(path, PRICE_COLUMN, timezone=timezone)
