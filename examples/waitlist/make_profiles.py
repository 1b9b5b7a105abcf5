"""Write the synthetic one-week profiles used by flevoland-small.toml (run once; deterministic).

These are NOT measured data: shapes are made up to exercise the rules. Each file covers one
week (Monday 2025-03-03 to Sunday 2025-03-09, no DST change); netruimte repeats the week over
the representative year.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
index = pd.date_range("2025-03-03", periods=7 * 96, freq="15min", tz="Europe/Amsterdam")
hour = index.hour + index.minute / 60.0
weekend = index.day_of_week >= 5


def station_load(base: float, morning: float, evening: float) -> np.ndarray:
    """MW: a base, a morning bump 07-09 and an evening peak 17-20, lower at weekends."""
    shape = base + morning * ((hour >= 7) & (hour < 9)) + evening * ((hour >= 17) & (hour < 20))
    shape = shape + 0.15 * base * np.sin(np.pi * hour / 24.0)
    return np.round(np.where(weekend, 0.85 * shape, shape), 3)


def write_mw(name: str, values: np.ndarray) -> None:
    frame = pd.DataFrame({"timestamp": index.strftime("%Y-%m-%dT%H:%M:%S%z"), "mw": values})
    frame["timestamp"] = frame["timestamp"].str.replace(r"(\d{2})(\d{2})$", r"\1:\2", regex=True)
    frame.to_csv(HERE / name, index=False)


def write_kw(name: str, values: np.ndarray) -> None:
    frame = pd.DataFrame({"timestamp": index.strftime("%Y-%m-%dT%H:%M:%S%z"), "kw": values})
    frame["timestamp"] = frame["timestamp"].str.replace(r"(\d{2})(\d{2})$", r"\1:\2", regex=True)
    frame.to_csv(HERE / name, index=False)


if __name__ == "__main__":
    write_mw("alm-load.csv", station_load(44.0, 6.0, 12.6))
    # an office with PV and a battery that keeps the evening peak free (kW)
    office = np.where((hour >= 8) & (hour < 16) & ~weekend, 900.0, 150.0)
    office = np.where((hour >= 16) & (hour < 20), 0.0, office)
    write_kw("office-import.csv", office)
