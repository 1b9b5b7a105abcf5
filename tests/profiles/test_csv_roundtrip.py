"""Write then read returns the same series (hypothesis)."""

from __future__ import annotations

import contextlib
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.conventions import days_index
from netruimte.profiles import read_profile_csv, write_profile_csv

# Start days around both 2025 DST transitions, and ordinary days.
START_DAYS = ["2025-03-29", "2025-03-30", "2025-10-25", "2025-10-26", "2024-02-28", "2025-07-01"]


@st.composite
def profiles(draw: st.DrawFn) -> pd.Series:
    start = pd.Timestamp(draw(st.sampled_from(START_DAYS)))
    days = draw(st.integers(min_value=1, max_value=3))
    index = days_index(start, start + pd.Timedelta(days=days))
    values = draw(
        st.lists(
            # Values below 1e-300 kW would underflow in kWh (× 0.25); metering has none.
            st.floats(min_value=-1e6, max_value=1e6, allow_nan=False, allow_infinity=False).map(
                lambda v: v if abs(v) > 1e-300 else 0.0
            ),
            min_size=len(index),
            max_size=len(index),
        )
    )
    return pd.Series(np.asarray(values), index=index, name="kw")


@settings(max_examples=60, deadline=None)
@given(
    series=profiles(),
    column=st.sampled_from(["kw", "kwh"]),
    separator=st.sampled_from([",", ";"]),
    local_time=st.booleans(),
)
def test_write_then_read_is_identity(series, column, separator, local_time):
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "p.csv"
        write_profile_csv(series, path, column=column, separator=separator, local_time=local_time)
        back = read_profile_csv(path)
    assert back.index.equals(series.index)
    # kWh = kW × 0.25 and back is exact in binary floating point (a power of two).
    np.testing.assert_array_equal(back.to_numpy(), series.to_numpy())


def test_writer_leaves_no_partial_file_on_bad_input(tmp_path):
    series = pd.Series([1.0], index=pd.DatetimeIndex(["2025-01-01"]))  # naive: refused
    target = tmp_path / "x.csv"
    with contextlib.suppress(ValueError):
        write_profile_csv(series, target)
    assert not target.exists()
    assert list(tmp_path.iterdir()) == []
