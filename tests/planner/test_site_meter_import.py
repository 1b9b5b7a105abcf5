"""Site files that point at raw meter exports: import options as keys, net meter profiles
with PV behind the meter, scaling by annual_kwh, a year laid on site.year, a price adder."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.planner import min_connection
from netruimte.planner.lp import min_connection_lp
from netruimte.profiles import write_profile_csv
from netruimte.profiles.meter import ImportOptions, import_meter
from netruimte.scenario import load_site

FILES = Path(__file__).parents[1] / "profiles" / "meter_files"
ZONE = "Europe/Amsterdam"


def site(tmp_path: Path, body: str, *files: str) -> Path:
    for name in files:
        shutil.copy(FILES / name, tmp_path / name)
    path = tmp_path / "site.toml"
    path.write_text('[site]\nname = "t"\n' + body, encoding="utf-8")
    return path


def test_load_points_at_a_raw_export_with_its_options(tmp_path):
    path = site(tmp_path, '[load]\ncsv = "gaps.csv"\nfill = "linear"\n', "gaps.csv")
    expected = import_meter(FILES / "gaps.csv", ImportOptions(fill="linear")).kw
    np.testing.assert_array_equal(load_site(path).load_kw.to_numpy(), expected.to_numpy())


def test_refusal_names_the_key_not_the_flag(tmp_path):
    path = site(tmp_path, '[load]\ncsv = "gaps.csv"\nunit = "kW"\n', "gaps.csv")
    with pytest.raises(InputError) as err:
        load_site(path)
    assert err.value.field == "load.fill"
    assert "set load.fill" in str(err.value) and "--fill" not in str(err.value)
    bad = site(tmp_path, '[load]\ncsv = "gaps.csv"\nfill = 3\n', "gaps.csv")
    with pytest.raises(InputError) as err:
        load_site(bad)
    assert err.value.field == "load.fill"


def test_workbook_and_annual_scaling(tmp_path):
    path = site(tmp_path, '[load]\ncsv = "meter.xlsx"\nannual_kwh = 876000\n', "meter.xlsx")
    load = load_site(path).load_kw
    raw = import_meter(FILES / "meter.xlsx").kw
    # two days stand for a year at their rate: 876,000 kWh a year is 100 kW on average
    assert load.mean() == pytest.approx(100.0)
    np.testing.assert_allclose(load.to_numpy() / raw.to_numpy(), load.mean() / raw.mean())


def write_net_day(tmp_path: Path) -> Path:
    """One day: +10 kW offtake for 12 hours, then -10 kW (feed-in) for 12 hours."""
    index = pd.date_range(pd.Timestamp("2025-01-15", tz=ZONE), periods=96, freq="15min")
    net = pd.Series(np.where(np.arange(96) < 48, 10.0, -10.0), index=index)
    return write_profile_csv(net, tmp_path / "net-day.csv")


def test_net_profile_with_pv_behind_the_meter(tmp_path):
    write_net_day(tmp_path)
    body = '[load]\ncsv = "net-day.csv"\nkind = "net"\n[pv]\nkwp = 40\n'
    plain = load_site(site(tmp_path, body))
    assert plain.load_kw.max() == 10.0 and plain.load_kw.min() == 0.0
    generation = plain.pv.kw_per_kwp * plain.pv.kwp
    np.testing.assert_allclose((plain.load_kw - generation).to_numpy(), [10.0] * 48 + [-10.0] * 48)
    assert min_connection(plain).import_kw == pytest.approx(10.0)
    # By hand: a 100 kWh battery (lossless) empties over the 12 h of offtake and refills from
    # the 120 kWh fed in; the grid brings the other 20 kWh: 20 kWh / 12 h = 1.667 kW.
    battery = "[battery]\nenergy_kwh = 100\npower_kw = 100\nroundtrip_efficiency = 1.0\n"
    with_battery = load_site(site(tmp_path, body + battery))
    assert min_connection(with_battery).import_kw == pytest.approx(20.0 / 12.0, abs=1e-4)
    assert min_connection_lp(with_battery).import_kw == pytest.approx(20.0 / 12.0, abs=1e-4)


def test_net_profile_refusals_name_the_key(tmp_path):
    write_net_day(tmp_path)
    cases = [
        ('[load]\ncsv = "net-day.csv"\n', "load"),
        ('[load]\ncsv = "net-day.csv"\nkind = "net"\n', "pv.kwp"),
        ('[load]\ncsv = "net-day.csv"\nkind = "net"\n[pv]\nkwp = 5\nmax_kwp = 9\n', "pv.max_kwp"),
        (
            '[load]\ncsv = "net-day.csv"\nkind = "net"\n[pv]\nkwp = 5\nlatitude = 52\n',
            "pv.latitude",
        ),
        ('[load]\ncsv = "net-day.csv"\nkind = "net"\nannual_kwh = 9\n', "load.annual_kwh"),
        ('[load]\ncsv = "net-day.csv"\nkind = "gross"\n', "load.kind"),
        ('[load]\nprofile = "G25"\nannual_kwh = 9\nkind = "net"\n', "load.kind"),
    ]
    for body, key in cases:
        with pytest.raises(InputError) as err:
            load_site(site(tmp_path, body))
        assert err.value.field == key, (body, str(err.value))
    with pytest.raises(InputError, match=r'load\.kind = "net"'):
        load_site(site(tmp_path, cases[0][0]))


def test_a_measured_year_is_laid_on_site_year_by_weekday(tmp_path):
    index = pd.date_range(
        pd.Timestamp("2023-01-01", tz=ZONE), pd.Timestamp("2024-01-01", tz=ZONE),
        freq="15min", inclusive="left",
    )  # fmt: skip
    weekday = pd.Series(np.asarray(index.day_of_week, dtype=float) + 1.0, index=index)
    write_profile_csv(weekday, tmp_path / "y2023.csv")
    body = (
        '[site]\nyear = 2024\n[load]\ncsv = "y2023.csv"\n'
        "[pv]\nkwp = 10\nlatitude = 52.37\nlongitude = 5.21\n"
    )
    (tmp_path / "site.toml").write_text(body, encoding="utf-8")
    loaded = load_site(tmp_path / "site.toml")
    load = loaded.load_kw
    assert len(load) == 366 * 96 and load.index[0].year == 2024
    ordinary = ~pd.Index(load.index.date).isin(
        [d.date() for d in pd.to_datetime(["2024-01-01", "2024-04-01", "2024-04-27",
                                           "2024-05-09", "2024-05-20", "2024-12-25",
                                           "2024-12-26"])]
    )  # fmt: skip
    np.testing.assert_array_equal(
        load.to_numpy()[ordinary], np.asarray(load.index.day_of_week, dtype=float)[ordinary] + 1
    )
    assert loaded.pv.kw_per_kwp.index.equals(load.index)


def test_flat_price_adder_next_to_the_price_csv(tmp_path):
    write_net_day(tmp_path)
    index = pd.date_range(pd.Timestamp("2025-01-15", tz=ZONE), periods=96, freq="15min")
    prices = pd.DataFrame({"timestamp": [t.isoformat() for t in index], "eur_per_kwh": 0.1})
    prices.to_csv(tmp_path / "prices.csv", index=False)
    load = '[load]\ncsv = "net-day.csv"\nkind = "net"\n[pv]\nkwp = 1\n'
    tariff = '[tariff]\nenergy_price_csv = "prices.csv"\nenergy_price_adder_eur_per_kwh = 0.12\n'
    loaded = load_site(site(tmp_path, load + tariff))
    np.testing.assert_allclose(loaded.tariff.energy_eur_per_kwh.to_numpy(), 0.22)
    with pytest.raises(InputError) as err:
        load_site(site(tmp_path, load + "[tariff]\nenergy_price_adder_eur_per_kwh = 0.1\n"))
    assert err.value.field == "tariff.energy_price_adder_eur_per_kwh"
