"""Write the small synthetic meter exports of this folder (run: python make_files.py).

Every file is one way users bring data (issue "Real meter data in, as users have it"). Its
values come from :func:`truth_kw`, a deterministic kW value per 15-minute interval start (UTC),
so a test can compare an import with the truth it was written from. Coarser files (hourly)
hold the hourly mean of the truth. Nothing here is measured data.
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np
import pandas as pd

HERE = Path(__file__).parent
ZONE = "Europe/Amsterdam"


def truth_kw(utc_starts: pd.DatetimeIndex) -> np.ndarray:
    """kW per interval start: a daily shape plus a slow drift, three decimals, from UTC ns."""
    minutes = np.asarray(utc_starts.as_unit("ns").asi8 // 60_000_000_000, dtype=np.int64)
    day = np.sin((minutes % 1440) / 1440 * 2 * np.pi) * 40.0 + 60.0
    drift = (minutes // 15 % 97) * 0.125
    return np.round(day + drift, 3)


def local_days(first: str, days: int) -> pd.DatetimeIndex:
    start = pd.Timestamp(first, tz=ZONE)
    end = (pd.Timestamp(first) + pd.Timedelta(days=days)).tz_localize(ZONE)
    return pd.date_range(start, end, freq="15min", inclusive="left")


def _write(name: str, header: str, rows: list[str], *, newline: str = "\n", bom: bool = False):
    text = newline.join([header, *rows]) + newline if header else newline.join(rows) + newline
    data = ("\ufeff" if bom else "") + text
    (HERE / name).write_bytes(data.encode("utf-8"))


def _comma(value: float, fmt: str = "{:.3f}") -> str:
    return fmt.format(value).replace(".", ",")


def main() -> None:
    jan = local_days("2025-01-15", 2)
    kw = truth_kw(jan)
    # 1. datetime + electrical load [W], wall time with seconds
    _write(
        "datetime_w.csv",
        "datetime,electrical load [W]",
        [f"{t:%Y-%m-%d %H:%M:%S},{v * 1000:.0f}" for t, v in zip(jan, kw, strict=True)],
    )
    # 2. a `w` column with ISO offsets
    _write(
        "w_column.csv",
        "timestamp,w",
        [f"{t.isoformat()},{v * 1000:.0f}" for t, v in zip(jan, kw, strict=True)],
    )
    # 3. values only, one per quarter-hour (kW), no header either
    _write("no_timestamps.csv", "", [f"{v:g}" for v in kw])
    # 4. hourly kW (the hour's mean)
    hourly = pd.Series(kw, index=jan).resample("1h").mean()
    _write(
        "hourly.csv",
        "timestamp;kW",
        [f"{t:%Y-%m-%d %H:%M};{_comma(v, '{:.5f}')}" for t, v in hourly.items()],
    )
    # 5. interval-ending stamps 00:15 ... 24:00, kWh per interval
    ends = []
    for t, v in zip(jan, kw, strict=True):
        end = t + pd.Timedelta(minutes=15)
        stamp = (
            f"{t:%Y-%m-%d} 24:00" if end.hour == 0 and end.minute == 0 else f"{end:%Y-%m-%d %H:%M}"
        )
        ends.append(f"{stamp};{_comma(v / 4, '{:.5f}')}")
    _write("interval_end.csv", "Datum tijd;Levering kWh", ends)
    # 6. CET all year without DST, over the spring clock change (29-30 March)
    cet = pd.date_range(
        "2025-03-28 23:00", "2025-03-30 23:00", freq="15min", tz="UTC", inclusive="left"
    )
    _write(
        "cet_no_dst.csv",
        "tijdstip;kw",
        [
            f"{(t + pd.Timedelta(hours=1)):%Y-%m-%d %H:%M};{_comma(v)}"
            for t, v in zip(cet, truth_kw(cet), strict=True)
        ],
    )
    # 7. UTC with Z, whole local days
    utc = jan.tz_convert("UTC")
    _write(
        "utc_z.csv",
        "time,kW",
        [f"{t:%Y-%m-%dT%H:%M:%SZ},{v:.3f}" for t, v in zip(utc, kw, strict=True)],
    )
    # 8. an empty cell (line 12) and a missing row (the 40th quarter-hour)
    rows = [f"{t:%Y-%m-%d %H:%M},{v:.3f}" for t, v in zip(jan, kw, strict=True)]
    rows[10] = f"{jan[10]:%Y-%m-%d %H:%M},"
    del rows[39]
    _write("gaps.csv", "timestamp,kw", rows)
    # 9. dd/mm/yyyy (15 January: day first is evident)
    _write(
        "ddmmyyyy.csv",
        "Datum;kW",
        [f"{t:%d/%m/%Y %H:%M};{_comma(v)}" for t, v in zip(jan, kw, strict=True)],
    )
    # 10. seconds in ISO stamps with a T and offset
    _write(
        "seconds.csv",
        "timestamp,kw",
        [f"{t:%Y-%m-%dT%H:%M:%S%z},{v:.3f}" for t, v in zip(jan, kw, strict=True)],
    )
    # 11. thousands separators with decimal comma (W)
    _write(
        "thousands.csv",
        "Tijd;Vermogen (W)",
        [
            f'{t:%d-%m-%Y %H:%M};"{v * 1000:,.1f}"'.replace(",", "_")
            .replace(".", ",")
            .replace("_", ".")
            for t, v in zip(jan, kw, strict=True)
        ],
    )
    # 12. unit in the header, German
    _write(
        "verbrauch_kw.csv",
        "Zeitstempel;Verbrauch [kW]",
        [f"{t:%d.%m.%Y %H:%M};{_comma(v)}" for t, v in zip(jan, kw, strict=True)],
    )
    # 13. CRLF and a byte-order mark
    _write(
        "crlf_bom.csv",
        "timestamp;kwh",
        [f"{t:%Y-%m-%d %H:%M};{_comma(v / 4, '{:.5f}')}" for t, v in zip(jan, kw, strict=True)],
        newline="\r\n",
        bom=True,
    )
    # 14. net metering: feed-in negative around midday
    net = np.round(kw - np.where((jan.hour >= 10) & (jan.hour < 15), 120.0, 0.0), 3)
    _write(
        "net.csv",
        "timestamp,kw",
        [f"{t.isoformat()},{v:.3f}" for t, v in zip(jan, net, strict=True)],
    )
    # 15. 35,040 values (a non-leap year of quarter-hours) meant for a leap year, no stamps
    year = local_days("2023-01-01", 365)
    _write("year_35040.csv", "kw", [f"{v:.1f}" for v in truth_kw(year)])
    # 16. a station series of UTC days (interval-ending, MW): starts 01:15 local
    station = pd.date_range("2025-01-15 00:15", "2025-01-17 00:00", freq="15min", tz="UTC")
    _write(
        "station_utc_days.csv",
        "datetime,mw",
        [
            f"{t.isoformat()},{v / 1000:.6f}"
            for t, v in zip(station, truth_kw(station - pd.Timedelta(minutes=15)), strict=True)
        ],
    )
    # 17. Excel: date-time cells and kWh numbers, under two lines of preamble
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "Meetdata"
    sheet.append(["EAN", "871685900000000127"])
    sheet.append([])
    sheet.append(["Van", "Verbruik (kWh)"])
    for t, v in zip(jan, kw, strict=True):
        sheet.append([t.tz_localize(None).to_pydatetime(), float(v) / 4])
    book.save(HERE / "meter.xlsx")


if __name__ == "__main__":
    sys.exit(main())
