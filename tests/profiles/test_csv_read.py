"""Reading metering CSVs: formats, DST days, and a clear error for every kind of bad file."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.profiles import read_profile_csv
from netruimte.profiles.csv_io import csv_table

from .conftest import day_stamps


def iso_lines(day: str, value: str = "1.0") -> list[str]:
    return [f"{ts.isoformat()},{value}" for ts in day_stamps(day)]


def test_iso_offsets_one_day(write_csv):
    path = write_csv(["timestamp,kw", *iso_lines("2025-01-15", "2.5")])
    kw = read_profile_csv(path)
    assert len(kw) == 96
    assert str(kw.index.tz) == "Europe/Amsterdam"
    assert kw.index.freq == pd.Timedelta("15min")
    assert kw.index[0] == pd.Timestamp("2025-01-15 00:00", tz="Europe/Amsterdam")
    assert (kw == 2.5).all()


def test_utc_timestamps_are_converted_to_the_zone(write_csv):
    stamps = day_stamps("2025-06-10").tz_convert("UTC")
    lines = ["timestamp,kw", *[f"{ts.strftime('%Y-%m-%dT%H:%M:%SZ')},1" for ts in stamps]]
    kw = read_profile_csv(write_csv(lines))
    assert kw.index[0] == pd.Timestamp("2025-06-10 00:00", tz="Europe/Amsterdam")


def test_dutch_format_spring_and_autumn_dst_days_in_wall_time(write_csv):
    lines = ["Timestamp;kWh"]
    for day in ("2025-03-30", "2025-03-31"):
        lines += [f"{ts:%d-%m-%Y %H:%M};0,25" for ts in day_stamps(day)]
    spring = read_profile_csv(write_csv(lines, "spring.csv"))
    assert len(spring) == 92 + 96
    assert (spring == 1.0).all()  # 0.25 kWh in 15 minutes is 1 kW

    autumn_stamps = day_stamps("2025-10-26")
    # Wall time repeats 02:00-02:45: write it naive, the reader resolves by order.
    values = np.arange(100, dtype=float)
    lines = ["timestamp;kw"] + [
        f"{ts:%Y-%m-%d %H:%M};{str(v).replace('.', ',')}"
        for ts, v in zip(autumn_stamps, values, strict=True)
    ]
    autumn = read_profile_csv(write_csv(lines, "autumn.csv"))
    assert len(autumn) == 100
    assert autumn.index.equals(pd.DatetimeIndex(autumn_stamps, freq="15min", name="timestamp"))
    np.testing.assert_array_equal(autumn.to_numpy(), values)
    # first 02:00 is summer time (+02:00), the second winter time (+01:00)
    assert autumn.index[8].utcoffset() == pd.Timedelta(hours=2)
    assert autumn.index[12].utcoffset() == pd.Timedelta(hours=1)


def test_autumn_day_with_explicit_offsets(write_csv):
    path = write_csv(["timestamp,kw", *iso_lines("2025-10-26")])
    assert len(read_profile_csv(path)) == 100


def test_explicit_offsets_resolve_the_repeated_hour_whatever_the_wall_order(write_csv):
    # Offsets are authoritative: the same wall time twice is fine when the offsets differ.
    path = write_csv(["timestamp,kw", *iso_lines("2025-10-26")])
    kw = read_profile_csv(path)
    assert kw.index[8].isoformat() == "2025-10-26T02:00:00+02:00"
    assert kw.index[12].isoformat() == "2025-10-26T02:00:00+01:00"


def test_other_zone(write_csv):
    stamps = day_stamps("2025-01-02", tz="UTC")
    lines = ["timestamp,kw", *[f"{ts:%Y-%m-%d %H:%M},1" for ts in stamps]]
    kw = read_profile_csv(write_csv(lines), timezone="UTC")
    assert str(kw.index.tz) == "UTC"


def test_blank_trailing_lines_and_bom(write_csv, tmp_path):
    path = tmp_path / "bom.csv"
    path.write_text("\ufefftimestamp,kw\n" + "\n".join(iso_lines("2025-01-15")) + "\n\n\n")
    assert len(read_profile_csv(path)) == 96


def test_resample_hourly_is_spread(write_csv):
    stamps = pd.date_range("2025-01-15", periods=24, freq="h", tz="Europe/Amsterdam")
    lines = ["timestamp,kwh", *[f"{ts.isoformat()},{i}" for i, ts in enumerate(stamps)]]
    path = write_csv(lines)
    with pytest.raises(InputError, match="15-minute step"):
        read_profile_csv(path)
    kw = read_profile_csv(path, resample=True)
    assert len(kw) == 96
    # i kWh in an hour is i kW, the same in each of its quarter-hours
    np.testing.assert_array_equal(kw.to_numpy(), np.repeat(np.arange(24.0), 4))


def test_resample_five_minutes_is_averaged(write_csv):
    stamps = pd.date_range("2025-01-15", periods=288, freq="5min", tz="Europe/Amsterdam")
    lines = ["timestamp,kw", *[f"{ts.isoformat()},{i % 3}" for i, ts in enumerate(stamps)]]
    kw = read_profile_csv(write_csv(lines), resample=True)
    assert len(kw) == 96
    np.testing.assert_allclose(kw.to_numpy(), 1.0)


def test_resample_spring_day_hourly(write_csv):
    stamps = pd.date_range(
        "2025-03-30", "2025-03-31", freq="h", tz="Europe/Amsterdam", inclusive="left"
    )
    lines = ["timestamp,kw", *[f"{ts.isoformat()},2" for ts in stamps]]
    assert len(read_profile_csv(write_csv(lines), resample=True)) == 92


# --- errors: each names the file and the line -------------------------------------------


def assert_error(path, line: int | None, *fragments: str, **kwargs) -> None:
    with pytest.raises(InputError) as info:
        read_profile_csv(path, **kwargs)
    message = str(info.value)
    assert str(path) in message
    if line is not None:
        assert info.value.line == line, message
        assert f"line {line}" in message
    for fragment in fragments:
        assert fragment in message, message


def test_gap(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    del lines[11:13]  # two quarter-hours missing: 02:30 and 02:45
    assert_error(write_csv(lines), 12, "gap", "2 interval(s)", "02:30", "between line 11")


def test_duplicate(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines.insert(6, lines[5])
    assert_error(write_csv(lines), 7, "duplicate", "line 6")


def test_out_of_order(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines[5], lines[6] = lines[6], lines[5]
    assert_error(write_csv(lines), 7, "time order")


def test_wrong_step_without_resample(write_csv):
    stamps = pd.date_range("2025-01-15", periods=24, freq="h", tz="Europe/Amsterdam")
    lines = ["timestamp,kw", *[f"{ts.isoformat()},1" for ts in stamps]]
    assert_error(write_csv(lines), 3, "expected a 15-minute step, got 60 minutes", "resample")


def test_irregular_step(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines[10] = lines[10].replace(":15:00", ":20:00")
    assert_error(write_csv(lines), 11, "step of 15 minutes", "got 20")


@pytest.mark.parametrize("bad", ["NaN", "nan", "inf", "", "abc", "1.2.3"])
def test_bad_values(write_csv, bad):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    stamp = lines[40].split(",")[0]
    lines[40] = f"{stamp},{bad}"
    assert_error(write_csv(lines), 41, "field 'kw'", "expected")


def test_thousands_separator_refused(write_csv):
    lines = ["timestamp;kw", *[f"{ts.isoformat()};1,0" for ts in day_stamps("2025-01-15")]]
    lines[3] = lines[3].split(";")[0] + ";1.234,5"
    assert_error(write_csv(lines), 4, "thousands")


def test_missing_timestamp_column(write_csv):
    lines = ["time,kw", *iso_lines("2025-01-15")]
    assert_error(write_csv(lines), 1, "missing column 'timestamp'")


@pytest.mark.parametrize("header", ["timestamp,power", "timestamp,kw,kwh"])
def test_value_column_missing_or_twice(write_csv, header):
    extra = ",1" if header.count(",") == 2 else ""
    lines = [header, *[line + extra for line in iso_lines("2025-01-15")]]
    assert_error(write_csv(lines), 1, "exactly one value column")


def test_wrong_number_of_fields(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines[20] += ",7"
    assert_error(write_csv(lines), 21, "expected 2 fields")


def test_partial_day_at_start(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")[4:], *iso_lines("2025-01-16")]
    assert_error(write_csv(lines), 2, "partial day", "starts at")


def test_partial_day_at_end(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")[:-1]]
    assert_error(write_csv(lines), 96, "partial day", "ends at")


def test_nonexistent_local_time(write_csv):
    # 2025-03-30 02:15 does not exist in Amsterdam.
    stamps = pd.date_range("2025-03-30 00:00", periods=96, freq="15min")
    lines = ["timestamp,kw", *[f"{ts:%Y-%m-%d %H:%M},1" for ts in stamps]]
    assert_error(write_csv(lines), 10, "does not exist")


def test_repeated_hour_three_times(write_csv):
    lines = ["timestamp,kw", *[f"{ts:%Y-%m-%d %H:%M},1" for ts in day_stamps("2025-10-26")]]
    lines.insert(14, "2025-10-26 02:15,1")
    assert_error(write_csv(lines), None, "more than twice")


def test_mixed_offsets_and_wall_time(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines[30] = "2025-01-15 07:15,1"
    assert_error(write_csv(lines), 31, "mixed timestamps")


def test_unparseable_timestamp(write_csv):
    lines = ["timestamp,kw", *iso_lines("2025-01-15")]
    lines[30] = "yesterday,1"
    assert_error(write_csv(lines), 31, "ISO 8601", "field 'timestamp'")


def test_empty_file_and_header_only(write_csv):
    assert_error(write_csv([""], "empty.csv"), 1, "empty file")
    assert_error(write_csv(["timestamp,kw"], "header.csv"), 2, "no data rows")


def test_missing_file(tmp_path):
    assert_error(tmp_path / "nope.csv", None, "file not found")


def test_station_profiles_in_mw_and_mwh(write_csv):
    mw = read_profile_csv(write_csv(["timestamp,MW", *iso_lines("2025-01-15", "1.5")], "a.csv"))
    np.testing.assert_allclose(mw.to_numpy(), 1500.0)
    mwh = read_profile_csv(write_csv(["timestamp,mwh", *iso_lines("2025-01-15", "0.5")], "b.csv"))
    np.testing.assert_allclose(mwh.to_numpy(), 2000.0)


def test_named_series_column(write_csv):
    from netruimte.profiles.csv_io import read_series_csv

    lines = [
        "timestamp;eur_per_kwh",
        *[f"{ts.isoformat()};-0,05" for ts in day_stamps("2025-01-15")],
    ]
    prices = read_series_csv(write_csv(lines), "eur_per_kwh")
    assert prices.name == "eur_per_kwh" and (prices == -0.05).all()
    with pytest.raises(InputError, match="'eur_per_kwh'") as info:
        read_series_csv(
            write_csv(["timestamp,kw", *iso_lines("2025-01-15")], "k.csv"), "eur_per_kwh"
        )
    assert info.value.line == 1


def test_csv_table_reads_header_and_rows_and_names_each_problem() -> None:
    lines = ["a;b", "1;2", " ; ", "", "3;4"]
    sep, header, rows = csv_table(lines, source="t.csv", columns=("a", "b", "c"))
    assert (sep, header, list(rows)) == (";", ["a", "b"], [(2, ["1", "2"]), (5, ["3", "4"])])
    with pytest.raises(InputError, match="unknown column 'x'; expected some of a, b") as info:
        csv_table(["a,x"], source="t.csv", columns=("a", "b"))
    assert (info.value.source, info.value.line, info.value.field) == ("t.csv", 1, "x")
    with pytest.raises(InputError) as info:
        csv_table(["a,x"], source="t.csv", columns=("a",), refused={"x": "no blocks here"})
    assert (info.value.message, info.value.field) == ("no blocks here", "x")
    # a short row is an error only when the caller reaches it (earlier rows come first)
    _, _, rows = csv_table(["a,b", "1,2", "3"], source="t.csv", columns=("a", "b"))
    assert next(rows) == (2, ["1", "2"])
    with pytest.raises(InputError, match="expected 2 cells, got 1") as info:
        next(rows)
    assert info.value.line == 3
