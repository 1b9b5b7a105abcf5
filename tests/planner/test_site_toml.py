"""The site TOML loader: every key, and clear errors that name the file and the key."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.planner import DailyWindow, Objective, PlanStatus, min_connection
from netruimte.scenario import load_site, parse_window, read_price_csv

DATA = Path(__file__).parent / "data"
LOAD_CSV = (DATA / "load-2days.csv").as_posix()
PV_CSV = (DATA / "pv-80kwp-2days.csv").as_posix()
PRICE_CSV = (DATA / "prices-2days.csv").as_posix()


def write(tmp_path: Path, text: str, name: str = "site.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def minimal(extra: str = "", load: str | None = None) -> str:
    load = load if load is not None else f'[load]\ncsv = "{LOAD_CSV}"\n'
    return f'[site]\nname = "T"\nyear = 2025\n{load}{extra}'


def test_full_fixture_reads_every_key() -> None:
    site = load_site(DATA / "site-full.toml")
    assert site.name == "Testbedrijf BV"
    assert site.timezone == "Europe/Amsterdam" and site.year == 2025
    assert site.objective is Objective.MIN_CONNECTION
    # Two days across the spring DST night: 96 + 92 quarter-hours.
    assert len(site.index) == 188
    assert str(site.index.tz) == "Europe/Amsterdam"
    assert site.load_kw.iloc[0] == pytest.approx(60.0)
    pv = site.pv
    assert pv is not None
    assert (pv.kwp, pv.max_kwp, pv.cost_eur_per_kwp_year) == (80, 200, 60)
    measured = pd.read_csv(DATA / "pv-80kwp-2days.csv")["kw"].to_numpy()
    assert pv.kw_per_kwp.to_numpy() == pytest.approx(measured / 80)
    bat = site.battery
    assert bat is not None
    assert (bat.energy_kwh, bat.power_kw, bat.max_energy_kwh, bat.max_power_kw) == (
        100, 50, 1000, 500)  # fmt: skip
    assert (bat.cost_eur_per_kwh_year, bat.cost_eur_per_kw_year) == (30, 10)
    assert (bat.roundtrip_efficiency, bat.soc_min, bat.soc_max) == (0.81, 0.1, 0.9)
    (ev,) = site.shiftable
    assert (ev.name, ev.daily_kwh, ev.max_kw) == ("EV fleet", 200, 40)
    assert ev.window == DailyWindow(dt.time(19), dt.time(7))
    (line,) = site.curtailable
    assert (line.name, line.max_kw, line.cost_eur_per_kwh) == ("process line", 20, 0.5)
    conn = site.connection
    assert conn.import_kw is None and conn.export_kw == 25
    (restriction,) = conn.restrictions
    assert restriction.import_kw == 90
    assert restriction.windows == (
        DailyWindow(dt.time(16), dt.time(20)),
        DailyWindow(dt.time(6), dt.time(7)),
    )
    tariff = site.tariff
    assert (tariff.contracted_eur_per_kw_year, tariff.kwmax_eur_per_kw_month) == (40, 3.5)
    assert tariff.feed_in_eur_per_kwh == 0.02
    prices = tariff.energy_eur_per_kwh
    assert isinstance(prices, pd.Series)
    assert prices.index.equals(site.index)
    assert prices.loc["2025-03-29 17:00"] == pytest.approx(0.25)
    # And the planner runs on it.
    result = min_connection(site)
    assert result.status is PlanStatus.OPTIMAL


def test_defaults(tmp_path: Path) -> None:
    site = load_site(write(tmp_path, f'[load]\ncsv = "{LOAD_CSV}"\n[battery]\n', "plant.toml"))
    assert site.name == "plant"  # the file's stem
    assert site.timezone == "Europe/Amsterdam" and site.year is None
    assert site.objective is Objective.MIN_CONNECTION
    assert site.pv is None and site.shiftable == () and site.curtailable == ()
    assert site.battery is not None
    assert (site.battery.energy_kwh, site.battery.roundtrip_efficiency) == (0.0, 0.9)
    assert (site.battery.soc_min, site.battery.soc_max) == (0.0, 1.0)
    assert site.connection.import_kw is None and site.connection.export_kw == 0.0
    assert site.tariff.energy_eur_per_kwh == 0.0


def test_relative_paths_are_relative_to_the_toml(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "meter.csv").write_bytes((DATA / "load-2days.csv").read_bytes())
    site = load_site(write(tmp_path, '[load]\ncsv = "sub/meter.csv"\n'))
    assert len(site.index) == 188


@pytest.mark.parametrize(
    ("connection", "import_kw", "export_kw"),
    [
        ("import_kw = 500\nexport_kw = 12.5", 500.0, 12.5),
        ('import_kw = "minimise"\nexport_kw = "unlimited"', None, None),
        ("export_kw = inf", None, None),
        ("import_kw = 0", 0.0, 0.0),
    ],
)
def test_connection_values(
    tmp_path: Path, connection: str, import_kw: float | None, export_kw: float | None
) -> None:
    site = load_site(write(tmp_path, minimal(f"[connection]\n{connection}\n")))
    assert site.connection.import_kw == import_kw
    assert site.connection.export_kw == export_kw


def test_standard_profile_load(tmp_path: Path) -> None:
    site = load_site(
        write(tmp_path, minimal(load='[load]\nprofile = "G25"\nannual_kwh = 850000\n'))
    )
    assert len(site.index) == 35040
    assert site.load_kw.sum() * 0.25 == pytest.approx(850000, rel=1e-9)


def test_generated_pv_is_cut_to_the_load_index(tmp_path: Path) -> None:
    pv = '[pv]\nkwp = 100\nlatitude = 52.37\nlongitude = 5.21\nweather = "clear-sky"\n'
    site = load_site(write(tmp_path, minimal(pv)))
    assert site.pv is not None
    per_kwp = site.pv.kw_per_kwp
    assert per_kwp.index.equals(site.index)
    assert per_kwp.min() >= 0
    assert per_kwp.loc["2025-03-29 13:00"] > 0.3  # clear-sky spring noon, 30° south
    assert per_kwp.loc["2025-03-29 02:00"] == 0.0
    assert (site.pv.kwp, site.pv.max_kwp) == (100, 0)


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("[foo]\n", "foo", "unknown section"),
        ("[battery]\ncapacity = 5\n", "battery.capacity", "unknown key"),
        ("[battery]\nroundtrip_efficiency = 1.5\n", "battery.roundtrip_efficiency",
         "expected a number in (0, 1], got 1.5"),
        ("[battery]\nroundtrip_efficiency = 0\n", "battery.roundtrip_efficiency", "(0, 1]"),
        ('[battery]\nenergy_kwh = "big"\n', "battery.energy_kwh",
         "expected a number >= 0, got a string 'big'"),
        ("[battery]\npower_kw = true\n", "battery.power_kw", "got a boolean"),
        ("[battery]\nenergy_kwh = -1\n", "battery.energy_kwh", "expected a number >= 0"),
        ("[battery]\nsoc_min = 0.9\nsoc_max = 0.5\n", "battery.soc_min", "soc_min < soc_max"),
        ("[battery]\nsoc_max = 1.2\n", "battery.soc_max", "(0, 1]"),
        ("battery = 5\n", "battery", "expected a table"),
        ('[plan]\nobjective = "cheapest"\n', "plan.objective", "'min-connection'"),
        ('[site]\ntimezone = "Mars/Olympus"\n', "site.timezone", "unknown time zone"),
        ("[site]\nyear = 2025.5\n", "site.year", "whole year"),
        ('[[flex]]\nname = "x"\nkind = "magic"\n', "flex[1].kind", "'shiftable'"),
        ('[[flex]]\nkind = "curtailable"\nmax_kw = 3\n', "flex[1].name", "missing"),
        ('[[flex]]\nname = "x"\nkind = "shiftable"\ndaily_kwh = 1\nmax_kw = 1\n',
         "flex[1].window", "missing"),
        ('[[flex]]\nname = "x"\nkind = "shiftable"\ndaily_kwh = 1\nmax_kw = 1\n'
         'window = "7-19"\n', "flex[1].window", "HH:MM-HH:MM"),
        ('[[flex]]\nname = "x"\nkind = "shiftable"\ndaily_kwh = 1\nmax_kw = 1\n'
         'window = "19:10-07:00"\n', "flex[1].window", "quarter-hour"),
        ('[[flex]]\nname = "x"\nkind = "shiftable"\ndaily_kwh = 1\nmax_kw = 0\n'
         'window = "19:00-07:00"\n', "flex[1].max_kw", "> 0"),
        ('[[flex]]\nname = "x"\nkind = "curtailable"\nmax_kw = 3\nwindow = "19:00-07:00"\n',
         "flex[1].window", "unknown key"),
        ('[[flex]]\nname = "x"\nkind = "curtailable"\nmax_kw = 3\n'
         '[[flex]]\nname = "x"\nkind = "curtailable"\nmax_kw = 3\n', "flex[2].name", "twice"),
        ("flex = 3\n", "flex", "array of tables"),
        ('[connection]\nimport_kw = "auto"\n', "connection.import_kw", '"minimise"'),
        ("[connection]\nexport_kw = -5\n", "connection.export_kw", ">= 0"),
        ('[connection]\nexport_kw = "lots"\n', "connection.export_kw", '"unlimited"'),
        ("[[connection.restriction]]\nwindows = []\nimport_kw = 5\n",
         "connection.restriction[1].windows", "non-empty"),
        ('[[connection.restriction]]\nwindows = ["16:00-20:00"]\n',
         "connection.restriction[1].import_kw", "missing"),
        ('[[connection.restriction]]\nwindows = ["16:00-20:00"]\nimport_kw = 5\nday = 1\n',
         "connection.restriction[1].day", "unknown key"),
        ("[tariff]\nenergy_eur_per_kwh = 0.2\nenergy_price_csv = \"p.csv\"\n",
         "tariff.energy_eur_per_kwh", "not allowed together"),
        ("[tariff]\nkwmax_eur_per_kw_month = -1\n", "tariff.kwmax_eur_per_kw_month", ">= 0"),
        ('[pv]\nkwp = 0\ncsv = "pv.csv"\n', "pv.kwp", "installed kWp"),
        (f'[pv]\nkwp = 80\ncsv = "{PV_CSV}"\nlatitude = 52\n', "pv.latitude", "not used"),
        ("[pv]\nkwp = 80\nlongitude = 5\n", "pv.latitude", "missing"),
        ("[pv]\nkwp = 80\nlatitude = 95\nlongitude = 5\n", "pv.latitude", "[-90, 90]"),
        ('[pv]\nkwp = 80\nlatitude = 52\nlongitude = 5\nweather = "rainy"\n', "pv.weather",
         "'clear-sky'"),
    ],
)  # fmt: skip
def test_bad_keys_name_the_file_and_key(tmp_path: Path, text: str, field: str, words: str) -> None:
    if text.startswith("[site]"):
        content = text + f'[load]\ncsv = "{LOAD_CSV}"\n'
    elif not text.startswith("["):  # a top-level key must come before any table
        content = text + minimal()
    else:
        content = minimal(text)
    path = write(tmp_path, content)
    with pytest.raises(InputError) as info:
        load_site(path)
    error = info.value
    assert error.field == field, str(error)
    assert words in error.message, str(error)
    assert error.source == str(path)
    assert str(path) in str(error) and field in str(error)


def test_the_message_reads_like_the_contract(tmp_path: Path) -> None:
    path = write(tmp_path, minimal("[battery]\nroundtrip_efficiency = 1.5\n"))
    with pytest.raises(InputError) as info:
        load_site(path)
    assert str(info.value) == (
        f"{path}, field 'battery.roundtrip_efficiency': expected a number in (0, 1], got 1.5"
    )


@pytest.mark.parametrize(
    ("load", "field", "words"),
    [
        ("", "load", "missing section [load]"),
        ("[load]\n", "load", "expected load.csv"),
        (f'[load]\ncsv = "{LOAD_CSV}"\nprofile = "G25"\n', "load.profile", "not allowed"),
        ('[load]\nprofile = "X99"\nannual_kwh = 5\n', "load.profile", "unknown standard"),
        ('[load]\nprofile = "G25"\nannual_kwh = 0\n', "load.annual_kwh", "> 0"),
        ('[load]\nprofile = "G25"\n', "load.annual_kwh", "missing"),
    ],
)
def test_bad_load_sections(tmp_path: Path, load: str, field: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, minimal(load=load)))
    assert info.value.field == field and words in info.value.message, str(info.value)


def test_generated_profiles_need_a_year(tmp_path: Path) -> None:
    path = write(tmp_path, '[load]\nprofile = "G25"\nannual_kwh = 1000\n')
    with pytest.raises(InputError) as info:
        load_site(path)
    assert info.value.field == "site.year" and "missing" in info.value.message
    pv = "[pv]\nkwp = 1\nlatitude = 52\nlongitude = 5\n"
    path = write(tmp_path, f'[site]\nyear = 2024\n[load]\ncsv = "{LOAD_CSV}"\n{pv}')
    with pytest.raises(InputError) as info:
        load_site(path)
    assert info.value.field == "site.year" and "outside that year" in info.value.message


def test_invalid_toml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, '[site]\nname = "x"\nyear = = 2025\n')
    with pytest.raises(InputError) as info:
        load_site(path)
    assert info.value.line == 3 and "not valid TOML" in info.value.message


def test_missing_files(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="file not found"):
        load_site(tmp_path / "nope.toml")
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, '[load]\ncsv = "missing.csv"\n'))
    assert info.value.source == str(tmp_path / "missing.csv")
    assert "load.csv" in info.value.message


def test_csv_errors_keep_the_csv_line(tmp_path: Path) -> None:
    (tmp_path / "bad.csv").write_text("timestamp,kw\n2025-01-01T00:00:00+01:00,abc\n")
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, '[load]\ncsv = "bad.csv"\n'))
    assert info.value.source == str(tmp_path / "bad.csv") and info.value.line == 2


def _one_day_csv(path: Path, column: str = "kw", value: str = "1.0") -> Path:
    index = pd.date_range(pd.Timestamp("2025-03-29").tz_localize("Europe/Amsterdam"),
                          periods=96, freq="15min")  # fmt: skip
    rows = "".join(f"{t.isoformat()},{value}\n" for t in index)
    path.write_text(f"timestamp,{column}\n{rows}")
    return path


def test_series_must_share_the_load_index(tmp_path: Path) -> None:
    _one_day_csv(tmp_path / "pv1.csv")
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, minimal('[pv]\nkwp = 5\ncsv = "pv1.csv"\n')))
    assert info.value.field == "pv.csv" and "load's index (188 steps" in info.value.message
    _one_day_csv(tmp_path / "p1.csv", column="eur_per_kwh", value="0.1")
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, minimal('[tariff]\nenergy_price_csv = "p1.csv"\n')))
    assert info.value.field == "tariff.energy_price_csv"


def test_negative_loads_are_rejected(tmp_path: Path) -> None:
    csv = _one_day_csv(tmp_path / "neg.csv", value="-2.5")
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, f'[load]\ncsv = "{csv.name}"\n'))
    assert info.value.field == "load" and "-2.5 kW" in info.value.message


def test_price_csv_reader(tmp_path: Path) -> None:
    prices = read_price_csv(PRICE_CSV)
    assert len(prices) == 188 and prices.name == "eur_per_kwh"
    negative = _one_day_csv(tmp_path / "neg.csv", column="eur_per_kwh", value="-0.05")
    assert read_price_csv(negative).min() == pytest.approx(-0.05)  # prices may be negative
    wrong = _one_day_csv(tmp_path / "kw.csv", column="kw")
    with pytest.raises(InputError) as info:
        read_price_csv(wrong)
    assert info.value.field == "eur_per_kwh" and info.value.line == 1
    (tmp_path / "semi.csv").write_text(
        "timestamp;eur_per_kwh\n"
        + "".join(
            f"{t.isoformat()};0,{k % 10}\n"
            for k, t in enumerate(
                pd.date_range(
                    pd.Timestamp("2025-01-01").tz_localize("Europe/Amsterdam"),
                    periods=96,
                    freq="15min",
                )
            )
        )
    )
    assert read_price_csv(tmp_path / "semi.csv").iloc[3] == pytest.approx(0.3)
    (tmp_path / "gap.csv").write_text(
        "timestamp,eur_per_kwh\n2025-01-01T00:00:00+01:00,1\n2025-01-01T00:30:00+01:00,1\n"
    )
    with pytest.raises(InputError, match="gap"):
        read_price_csv(tmp_path / "gap.csv")


@pytest.mark.parametrize(
    ("text", "start", "end", "wraps"),
    [
        ("19:00-07:00", dt.time(19), dt.time(7), True),
        ("06:00-09:15", dt.time(6), dt.time(9, 15), False),
        ("00:00-24:00", dt.time(0), dt.time(0), True),
        ("16:00 - 20:00", dt.time(16), dt.time(20), False),
    ],
)
def test_parse_window(text: str, start: dt.time, end: dt.time, wraps: bool) -> None:
    window = parse_window(text)
    assert (window.start, window.end, window.wraps) == (start, end, wraps)


@pytest.mark.parametrize("text", ["24:00-06:00", "25:00-06:00", "06:60-07:00", "6-7", ""])
def test_parse_window_rejects(text: str) -> None:
    with pytest.raises(ValueError, match=r"HH:MM|quarter-hour"):
        parse_window(text)


def test_full_day_window_masks_everything() -> None:
    window = parse_window("00:00-24:00")
    index = pd.date_range(pd.Timestamp("2025-01-01").tz_localize("Europe/Amsterdam"),
                          periods=96, freq="15min")  # fmt: skip
    assert bool(np.all(window.mask(index)))


def test_the_design_example_loads() -> None:
    """The example of the interface contract, verbatim (load CSV renamed to a fixture)."""
    site = load_site(DATA / "site-design-example.toml")
    assert site.name == "Example BV" and site.year == 2025
    assert site.pv is not None and site.pv.kwp == 0 and site.pv.kw_per_kwp.max() > 0
    assert site.battery is not None and site.battery.roundtrip_efficiency == 0.9
    assert [f.name for f in site.shiftable] == ["EV fleet"]
    assert [f.name for f in site.curtailable] == ["process line"]
    assert site.connection.import_kw == 500 and site.connection.export_kw == 0
    assert site.connection.restrictions[0].import_kw == 200
    result = min_connection(site)
    assert result.status is PlanStatus.OPTIMAL


@pytest.mark.parametrize(
    ("text", "field", "words"),
    [
        ("[economics]\ndiscount_rate = -0.01\n", "economics.discount_rate", "[0, 1]"),
        ("[economics]\nlifetime_years = 2.5\n", "economics.lifetime_years", "whole number"),
        ("[economics]\nlifetime_years = 0\n", "economics.lifetime_years", "1..100"),
        ('[economics]\nwait_months = "soon"\n', "economics.wait_months", "got a string"),
        ("[economics]\ndowntime_eur_per_month = -5\n", "economics.downtime_eur_per_month", ">= 0"),
        ('[economics]\ninvest_in = "some"\n', "economics.invest_in", "'new' or 'all'"),
        ("[economics]\nrate = 0.05\n", "economics.rate", "unknown key"),
        ("[battery]\ncapex_eur_per_kwh = -1\n", "battery.capex_eur_per_kwh", ">= 0"),
    ],
)
def test_economics_errors_name_the_key(tmp_path: Path, text: str, field: str, words: str) -> None:
    with pytest.raises(InputError) as info:
        load_site(write(tmp_path, minimal(text)))
    assert info.value.field == field and words in info.value.message
    assert info.value.source is not None and info.value.source.endswith("site.toml")


def test_economics_keys_are_read(tmp_path: Path) -> None:
    text = (
        "[battery]\ncapex_eur_per_kwh = 300\ncapex_eur_per_kw = 90\n"
        "[economics]\ndiscount_rate = 0.07\nlifetime_years = 12\n"
        'downtime_eur_per_month = 5000\nwait_months = 18\ninvest_in = "all"\n'
    )
    site = load_site(write(tmp_path, minimal(text)))
    assert site.battery is not None
    assert (site.battery.capex_eur_per_kwh, site.battery.capex_eur_per_kw) == (300, 90)
    econ = site.economics
    assert (econ.discount_rate, econ.lifetime_years, econ.downtime_eur_per_month) == (
        0.07,
        12,
        5000,
    )
    assert (econ.wait_months, econ.invest_in) == (18, "all")
    assert load_site(write(tmp_path, minimal())).economics.lifetime_years == 15
