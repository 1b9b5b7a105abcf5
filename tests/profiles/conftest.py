"""Helpers that write small profile CSVs for the reader tests."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pandas as pd
import pytest


def day_stamps(day: str, tz: str = "Europe/Amsterdam") -> pd.DatetimeIndex:
    """The quarter-hours of one local day (92, 96 or 100)."""
    start = pd.Timestamp(day).tz_localize(tz)
    end = (pd.Timestamp(day) + pd.Timedelta(days=1)).tz_localize(tz)
    return pd.date_range(start, end, freq="15min", inclusive="left")


@pytest.fixture
def write_csv(tmp_path: Path) -> Callable[[Sequence[str], str], Path]:
    """Write lines (header included) to a file and return its path."""

    def _write(lines: Sequence[str], name: str = "profile.csv") -> Path:
        path = tmp_path / name
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        return path

    return _write
