"""Meter exports as users have them: one committed file per kind, each imported to the truth it
was written from (same values, so the same energy and peak), and every refusal naming its flag.

The files are in ``meter_files/`` (written by ``meter_files/make_files.py`` from ``truth_kw``).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.profiles import read_profile_csv, write_profile_csv
from netruimte.profiles.meter import ImportOptions, MeterImport, import_meter

from .meter_files.make_files import local_days, truth_kw

FILES = Path(__file__).parent / "meter_files"
JAN = local_days("2025-01-15", 2)


def run(name: str, **options: object) -> MeterImport:
    return import_meter(FILES / name, ImportOptions(**options))  # type: ignore[arg-type]


def assumed(result: MeterImport, name: str) -> str:
    return next(a.value for a in result.assumptions if a.name == name)


def same_as_truth(result: MeterImport, expected: np.ndarray | None = None) -> None:
    """Equal values on whole local days, hence equal energy (kWh) and peak (kW)."""
    kw = result.kw
    truth = truth_kw(kw.index.tz_convert("UTC")) if expected is None else expected
    np.testing.assert_allclose(kw.to_numpy(), truth, rtol=0, atol=1e-9)
    assert kw.sum() * 0.25 == pytest.approx(truth.sum() * 0.25, abs=1e-9)
    assert kw.max() == pytest.approx(truth.max(), abs=1e-12)
    assert str(kw.index.tz) == "Europe/Amsterdam"
    assert kw.index[0] == kw.index[0].normalize()
    assert (kw.index[-1] + pd.Timedelta(minutes=15)).hour == 0


@pytest.mark.parametrize(
    ("name", "unit", "clock"),
    [
        ("datetime_w.csv", "W", "wall time in Europe/Amsterdam"),
        ("w_column.csv", "W", "UTC offsets as written"),
        ("utc_z.csv", "kW", "UTC offsets as written"),
        ("ddmmyyyy.csv", "kW", "wall time in Europe/Amsterdam"),
        ("seconds.csv", "kW", "UTC offsets as written"),
        ("thousands.csv", "W", "wall time in Europe/Amsterdam"),
        ("verbrauch_kw.csv", "kW", "wall time in Europe/Amsterdam"),
        ("crlf_bom.csv", "kWh", "wall time in Europe/Amsterdam"),
        ("interval_end.csv", "kWh", "wall time in Europe/Amsterdam"),
        ("meter.xlsx", "kWh", "wall time in Europe/Amsterdam"),
    ],
)
def test_each_kind_imports_to_its_truth(name, unit, clock):
    result = run(name)
    assert len(result.kw) == 192
    assert result.kw.index[0] == JAN[0]
    same_as_truth(result)
    assert assumed(result, "unit") == unit
    assert assumed(result, "clock") == clock


def test_what_was_detected_is_reported():
    bom = run("crlf_bom.csv")
    assert assumed(bom, "encoding") == "utf-8 with byte-order mark"
    assert assumed(bom, "line ends") == "CRLF"
    assert assumed(bom, "separator") == ";"
    assert assumed(bom, "decimal mark") == ","
    thousands = run("thousands.csv")
    assert assumed(thousands, "thousands separator") == "."
    assert assumed(thousands, "decimal mark") == ","
    assert assumed(run("interval_end.csv"), "label") == "interval end"
    assert "DD/MM/YYYY" in next(
        a.note for a in run("ddmmyyyy.csv").assumptions if a.name == "timestamp column"
    )
    xlsx = run("meter.xlsx")
    assert assumed(xlsx, "sheet") == "Meetdata"
    assert assumed(xlsx, "skipped lines") == "1"  # the EAN line above the header


def test_hourly_values_are_spread_over_their_quarter_hours():
    result = run("hourly.csv")
    hourly = truth_kw(JAN.tz_convert("UTC")).reshape(-1, 4).mean(axis=1)
    same_as_truth(result, np.repeat(np.round(hourly, 5), 4))
    assert assumed(result, "step") == "60 minutes"


def test_values_without_timestamps_need_start_and_then_match():
    with pytest.raises(InputError) as err:
        run("no_timestamps.csv", unit="kW")
    assert err.value.field == "--start"
    with pytest.raises(InputError) as err:
        run("no_timestamps.csv", unit="kW", start="2025-01-15")
    assert err.value.field == "--step"  # 192 values are no year: the step is not evident
    with pytest.raises(InputError) as err:
        run("no_timestamps.csv", start="2025-01-15", step_minutes=15)
    assert err.value.field == "--unit"  # no header, no unit
    result = run("no_timestamps.csv", unit="kW", start="2025-01-15", step_minutes=15)
    same_as_truth(result)


def test_cet_without_dst_is_detected_and_trimmed_to_whole_local_days():
    with pytest.raises(InputError) as err:
        run("cet_no_dst.csv")
    assert err.value.field == "--trim"
    result = run("cet_no_dst.csv", trim=True)
    assert assumed(result, "clock") == "fixed offset UTC+01:00"
    assert result.trimmed_steps == 4  # 23:00-24:00 CET of 30 March is 1 April 00:00-01:00 CEST
    assert len(result.kw) == 96 + 92  # 29 March, and 30 March (the clocks go forward)
    same_as_truth(result)


def test_cet_read_as_wall_time_is_refused_naming_timezone():
    with pytest.raises(InputError) as err:
        run("cet_no_dst.csv", timezone="Europe/Amsterdam", trim=True)
    assert err.value.field == "--timezone"
    assert "does not exist" in str(err.value)


def test_gaps_are_refused_then_filled_and_reported():
    with pytest.raises(InputError) as err:
        run("gaps.csv")
    assert err.value.field == "--fill"
    assert "1 empty cell(s), 1 missing row(s)" in str(err.value)
    truth = truth_kw(JAN.tz_convert("UTC"))
    expected = truth.copy()
    for at in (10, 39):
        expected[at] = (truth[at - 1] + truth[at + 1]) / 2
    linear = run("gaps.csv", fill="linear")
    same_as_truth(linear, expected)
    assert [(pd.Timestamp(at), n) for at, n in linear.filled] == [(JAN[10], 1), (JAN[39], 1)]
    previous = run("gaps.csv", fill="previous").kw.to_numpy()
    assert previous[10] == truth[9] and previous[39] == truth[38]
    zero = run("gaps.csv", fill="zero").kw.to_numpy()
    assert zero[10] == 0 and zero[39] == 0
    np.testing.assert_allclose(np.delete(zero, [10, 39]), np.delete(truth, [10, 39]))


def test_net_profile_keeps_its_sign():
    result = run("net.csv")
    feed_in = np.where((JAN.hour >= 10) & (JAN.hour < 15), 120.0, 0.0)
    same_as_truth(result, np.round(truth_kw(JAN.tz_convert("UTC")) - feed_in, 3))
    report = result.to_json_dict()
    assert report["net"] is True
    assert report["export_kwh"] > 0
    assert report["import_kwh"] - report["export_kwh"] == pytest.approx(report["energy_kwh"])


def test_a_year_of_35040_values_refused_on_a_leap_year_and_read_on_its_own():
    with pytest.raises(InputError) as err:
        run("year_35040.csv", start="2024-01-01")
    assert err.value.field == "--start"
    assert "leap year" in str(err.value)
    result = run("year_35040.csv", start="2023-01-01")
    assert assumed(result, "step") == "15 minutes"  # 35,040 values fill 2023 exactly
    year = local_days("2023-01-01", 365)
    same_as_truth(result, np.array([float(f"{v:.1f}") for v in truth_kw(year)]))


def test_station_series_of_utc_days_is_trimmed_to_the_whole_local_day():
    with pytest.raises(InputError) as err:
        run("station_utc_days.csv")
    assert err.value.field == "--trim"
    result = run("station_utc_days.csv", trim=True)
    assert assumed(result, "label") == "interval end"
    assert assumed(result, "unit") == "MW"
    assert result.kw.index[0] == pd.Timestamp("2025-01-16", tz="Europe/Amsterdam")
    assert len(result.kw) == 96
    same_as_truth(result)


def test_canonical_csv_reads_back_with_the_v1_reader(tmp_path):
    for name in ("interval_end.csv", "net.csv", "meter.xlsx"):
        result = run(name)
        out = write_profile_csv(result.kw, tmp_path / "out.csv")
        back = read_profile_csv(out)
        pd.testing.assert_series_equal(back, result.kw, check_names=False)


def write(tmp_path: Path, text: str, name: str = "x.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def day(fmt: str, values: str = "1,5") -> str:
    return "\n".join(f"{t:{fmt}};{values}" for t in local_days("2025-02-03", 1))


def test_refusals_name_their_flag(tmp_path):
    cases = {
        "--column": ("timestamp;a [kW];b [kW]\n" + day("%Y-%m-%d %H:%M", "1;2"), {}),
        "--unit": ("timestamp;value\n" + day("%Y-%m-%d %H:%M"), {}),
        "--decimal": ("value kW\n" + "\n".join(["1,250"] * 96), {"start": "2025-02-03"}),
        "--date-order": ("Datum;kW\n" + day("%d/%m/%Y %H:%M"), {}),
        "--label": ("timestamp;kW\n" + "\n".join(day("%Y-%m-%d %H:%M").splitlines()[5:50]), {}),
        "--start": ("timestamp;kW\n" + day("%Y-%m-%d %H:%M"), {"start": "2025-02-03"}),
        "--step": ("timestamp;kW\n" + day("%Y-%m-%d %H:%M"), {"step_minutes": 7}),
    }
    for flag, (text, options) in cases.items():
        with pytest.raises(InputError) as err:
            import_meter(write(tmp_path, text), ImportOptions(**options))  # type: ignore[arg-type]
        assert err.value.field == flag, (flag, str(err.value))
        assert flag in str(err.value)


def test_overrides_resolve_the_refusals(tmp_path):
    two = write(tmp_path, "timestamp;a [kW];b [kW]\n" + day("%Y-%m-%d %H:%M", "1;2"))
    assert run_path(two, column="b [kW]").kw.iloc[0] == 2.0
    assert run_path(two, column="2").kw.iloc[0] == 1.0
    plain = write(tmp_path, "timestamp;value\n" + day("%Y-%m-%d %H:%M"))
    assert run_path(plain, unit="MW").kw.iloc[0] == 1500.0
    ambiguous = write(tmp_path, "Datum;kW\n" + day("%d/%m/%Y %H:%M"))
    assert run_path(ambiguous, date_order="mdy").kw.index[0].month == 3
    assert run_path(ambiguous, date_order="dmy").kw.index[0].month == 2
    grouped = write(tmp_path, "value kW\n" + "\n".join(["1,250"] * 96))
    assert run_path(grouped, start="2025-02-03", step_minutes=15, decimal=",").kw.iloc[0] == 1.25
    assert run_path(grouped, start="2025-02-03", step_minutes=15, decimal=".").kw.iloc[0] == 1250.0


def run_path(path: Path, **options: object) -> MeterImport:
    return import_meter(path, ImportOptions(**options))  # type: ignore[arg-type]


def test_bad_option_values_name_the_flag():
    for kwargs, flag in (
        ({"fill": "mean"}, "--fill"),
        ({"label": "middle"}, "--label"),
        ({"decimal": ";"}, "--decimal"),
        ({"unit": "A"}, "--unit"),
        ({"step_minutes": 0}, "--step"),
    ):
        with pytest.raises(InputError) as err:
            ImportOptions(**kwargs)  # type: ignore[arg-type]
        assert err.value.field == flag


def test_malformed_cells_name_file_line_and_column(tmp_path):
    lines = day("%Y-%m-%d %H:%M").splitlines()
    lines[3] = lines[3].split(";")[0] + ";abc"
    path = write(tmp_path, "timestamp;kW\n" + "\n".join(lines))
    with pytest.raises(InputError) as err:
        run_path(path)
    assert (err.value.source, err.value.line, err.value.field) == (str(path), 5, "kW")
    lines = day("%Y-%m-%d %H:%M").splitlines()
    lines[7] = "2025-02-31 01:45;1,5"
    with pytest.raises(InputError) as err:
        run_path(write(tmp_path, "timestamp;kW\n" + "\n".join(lines)))
    assert err.value.line == 9 and "not a valid date" in str(err.value)


def test_unknown_zones_name_their_flag():
    for kwargs, flag in (
        ({"timezone": "Mars/Olympus"}, "--timezone"),
        ({"site_timezone": "+01:00"}, "--site-timezone"),
    ):
        with pytest.raises(InputError) as err:
            ImportOptions(**kwargs)  # type: ignore[arg-type]
        assert err.value.field == flag
    assert ImportOptions(timezone="UTC").timezone == "UTC"
    assert ImportOptions(timezone="+01:00", site_timezone="Europe/Brussels").timezone == "+01:00"


def test_a_cell_that_is_no_number_or_not_finite_is_refused_with_its_line():
    from netruimte.profiles._meter_table import Column, parse_numbers

    lines = np.array([2, 3, 4])
    for cells, expected in (
        (["1.5", "abc", "inf"], "expected a number, got 'abc'"),
        (["1.5", "", "inf"], "expected a finite number, got 'inf'"),
    ):
        with pytest.raises(InputError) as err:
            parse_numbers(Column(np.array(cells), lines, "m.csv", "kWh"), decimal=".")
        assert (err.value.message, err.value.line, err.value.field) == (
            expected,
            3 if "abc" in cells else 4,
            "kWh",
        )
    ok = parse_numbers(Column(np.array(["1.5", "", "2"]), lines, "m.csv", "kWh"), decimal=".")
    assert np.isnan(ok.values[1]) and ok.values[[0, 2]].tolist() == [1.5, 2.0]


def test_a_stamp_cell_that_does_not_parse_names_its_line_and_column():
    from netruimte.profiles._meter_table import Column
    from netruimte.profiles._meter_time import parse_stamps

    lines = np.array([4, 5, 7])
    for cells, message, line in (
        (["2025-01-01 00:00", "soon", "2025-01-01 00:30"], "expected a date and time", 5),
        (["2025-01-01 00:00", "2025-01-01 00:15", "01-01-2025 00:30"], "mixed date formats", 7),
        (["2025-01-01 00:00+01:00", "2025-01-01 00:15"], "mixed timestamps", 5),
        (["2025-01-01 00:00", "2025-01-01 00:15", "2025-01-01 24:30"], "not a valid date", 7),
    ):
        with pytest.raises(InputError) as err:
            parse_stamps(Column(np.array(cells), lines, "m.csv", "Datum"), date_order=None)
        assert err.value.message.startswith(message)
        assert (err.value.source, err.value.line, err.value.field) == ("m.csv", line, "Datum")
