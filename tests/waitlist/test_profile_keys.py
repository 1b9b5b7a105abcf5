"""Scenario files that point at raw meter exports: a station's net series split into offtake
and feed-in, import options per station and request, refusals that name the key."""

from __future__ import annotations

import shutil
from pathlib import Path

import numpy as np
import pytest

from netruimte.errors import InputError
from netruimte.grid.representative import to_representative_year
from netruimte.profiles.meter import ImportOptions, import_meter
from netruimte.scenario.waitlist_toml import load_scenario

FILES = Path(__file__).parents[1] / "profiles" / "meter_files"
HEAD = '[scenario]\nname = "t"\nstart = "2026-01-01"\nend = "2027-01-01"\n'
REQUEST = '[[request]]\nid = "R-1"\nstation = "A"\nkw = 50\nsubmitted = "2024-01-01"\n'


def scenario(tmp_path: Path, station: str, request: str = REQUEST) -> Path:
    for name in ("net.csv", "station_utc_days.csv", "gaps.csv"):
        shutil.copy(FILES / name, tmp_path / name)
    path = tmp_path / "s.toml"
    body = f'{HEAD}\n[[station]]\nid = "A"\nofftake_mw = 10\n{station}\n{request}'
    path.write_text(body, encoding="utf-8")
    return path


def test_station_net_series_is_split_into_offtake_and_feed_in(tmp_path):
    station = load_scenario(scenario(tmp_path, 'net_csv = "net.csv"')).grid.station("A")
    net_mw = to_representative_year(import_meter(FILES / "net.csv").kw / 1000.0)
    np.testing.assert_allclose(station.load_profile_mw, np.maximum(net_mw, 0.0))
    np.testing.assert_allclose(station.feedin_load_profile_mw, np.maximum(-net_mw, 0.0))
    assert station.load_mw == pytest.approx(net_mw.max())
    assert station.feedin_load_mw == pytest.approx(-net_mw.min())
    assert station.feedin_load_mw > 0


def test_station_profile_options_import_a_raw_export(tmp_path):
    body = 'load_csv = "station_utc_days.csv"\nprofile_options = { trim = true }\n'
    station = load_scenario(scenario(tmp_path, body)).grid.station("A")
    kw = import_meter(FILES / "station_utc_days.csv", ImportOptions(trim=True)).kw
    np.testing.assert_allclose(station.load_profile_mw, to_representative_year(kw / 1000.0))


@pytest.mark.parametrize(
    ("station", "request_", "key"),
    [
        ('load_csv = "station_utc_days.csv"\nprofile_options = {}\n', REQUEST,
         "profile_options.trim"),
        ('load_csv = "net.csv"\n', REQUEST, "load_csv"),
        ('net_csv = "net.csv"\nload_csv = "net.csv"\n', REQUEST, "load_csv"),
        ('load_csv = "gaps.csv"\nprofile_options = { fil = "linear" }\n', REQUEST,
         "profile_options.fil"),
        ("", REQUEST + 'profile_csv = "gaps.csv"\n', "kw"),  # v1 reader: file, line 12, column
        ("", REQUEST + 'profile_csv = "gaps.csv"\nprofile_options = { unit = "kW" }\n',
         "profile_options.fill"),
        ("", REQUEST + 'profile_options = { fill = "zero" }\n', "profile_options"),
    ],
)  # fmt: skip
def test_refusals_name_the_key(tmp_path, station, request_, key):
    with pytest.raises(InputError) as err:
        load_scenario(scenario(tmp_path, station, request_))
    assert err.value.field == key, str(err.value)


def test_request_profile_options(tmp_path):
    request = REQUEST + 'profile_csv = "gaps.csv"\nprofile_options = { fill = "linear" }\n'
    loaded = load_scenario(scenario(tmp_path, "", request))
    kw = import_meter(FILES / "gaps.csv", ImportOptions(fill="linear")).kw
    np.testing.assert_allclose(loaded.requests[0].profile_kw, to_representative_year(kw))
