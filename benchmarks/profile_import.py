"""Benchmark of ``profile import`` on a year at 15 minutes (not a test).

Prints one table: the median time of :func:`netruimte.profiles.meter.import_meter` on a year of
quarter-hours (35,040 rows) in several export formats, against the plain v1 reader
(:func:`netruimte.profiles.read_profile_csv`) on the canonical file of the same year as the
baseline, side by side in one process. Target: an import of a year in at most 1 s (median).

The data are synthetic (seeded noise around a daily shape); they say nothing about real loads.
Usage::

    python benchmarks/profile_import.py [--repeat 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from netruimte.profiles import read_profile_csv, write_profile_csv
from netruimte.profiles.meter import ImportOptions, import_meter


def year_kw(seed: int = 7) -> pd.Series:
    index = pd.date_range(
        pd.Timestamp("2025-01-01", tz="Europe/Amsterdam"),
        pd.Timestamp("2026-01-01", tz="Europe/Amsterdam"),
        freq="15min",
        inclusive="left",
    )
    rng = np.random.default_rng(seed)
    hours = index.hour + index.minute / 60
    shape = 80 + 60 * np.sin((hours - 6) / 24 * 2 * np.pi)
    return pd.Series(np.round(shape + rng.normal(0, 8, len(index)), 3), index=index, name="kw")


def write_formats(kw: pd.Series, folder: Path) -> dict[str, tuple[Path, ImportOptions]]:
    wall = kw.index.tz_localize(None)
    files: dict[str, tuple[Path, ImportOptions]] = {}
    canonical = write_profile_csv(kw, folder / "canonical.csv")
    files["canonical v1 CSV (ISO offsets, kw)"] = (canonical, ImportOptions())
    dutch = folder / "dutch.csv"
    rows = [f"{t:%d-%m-%Y %H:%M};{v * 250:,.1f}" for t, v in zip(wall, kw, strict=True)]
    body = "\r\n".join(r.replace(",", "_").replace(".", ",").replace("_", ".") for r in rows)
    dutch.write_bytes(("\ufeffDatum;Verbruik (Wh)\r\n" + body + "\r\n").encode())
    files["Dutch export (BOM, CRLF, dd-mm-yyyy, Wh, 1.234,5)"] = (dutch, ImportOptions())
    utc = folder / "utc-end.csv"
    ends = kw.index.tz_convert("UTC") + pd.Timedelta(minutes=15)
    lines = [f"{t:%Y-%m-%dT%H:%M:%SZ},{v * 1000:.0f}" for t, v in zip(ends, kw, strict=True)]
    utc.write_text("datetime,electrical load [W]\n" + "\n".join(lines) + "\n")
    files["UTC Z, interval end, W (trimmed)"] = (utc, ImportOptions(trim=True))
    values = folder / "values.csv"
    values.write_text("\n".join(f"{v:g}" for v in kw) + "\n")
    files["values only (--start)"] = (values, ImportOptions(start="2025-01-01", unit="kW"))
    return files


def median_seconds(call: Callable[[], object], repeat: int) -> float:
    call()  # warm: imports, caches
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    args = parser.parse_args()
    kw = year_kw()
    with tempfile.TemporaryDirectory() as tmp:
        files = write_formats(kw, Path(tmp))
        canonical = files["canonical v1 CSV (ISO offsets, kw)"][0]
        base = median_seconds(lambda: read_profile_csv(canonical), args.repeat)
        print(f"load average {os.getloadavg()[0]:.2f}; {len(kw)} rows; median of {args.repeat}")
        print(f"{'case':<58} {'median s':>9} {'vs v1 reader':>13}")
        baseline = "baseline: read_profile_csv (v1 reader), canonical"
        print(f"{baseline:<58} {base:>9.3f} {1.0:>12.2f}x")
        for name, (path, options) in files.items():
            seconds = median_seconds(lambda p=path, o=options: import_meter(p, o), args.repeat)
            verdict = "ok" if seconds <= 1.0 else "OVER 1 s"
            print(f"{'import: ' + name:<58} {seconds:>9.3f} {seconds / base:>12.2f}x  {verdict}")


if __name__ == "__main__":
    main()
