"""Reading fleets: CSV columns mean what the site file's keys mean; errors name file, line, column.

No Dask here: these run the per-site code in this process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from netruimte.errors import InputError
from netruimte.planner.site import Objective
from netruimte.scale.fleet import SiteStatus, plan_entry, plan_fleet_sequential
from netruimte.scale.fleet_input import COLUMNS, FleetEntry, entry_site, load_fleet
from netruimte.scenario import load_site
from netruimte.sites.plan_file import plan_site

ROOT = Path(__file__).parents[2]
EXAMPLE_CSV = ROOT / "examples" / "fleet" / "sites.csv"
SITES = ROOT / "examples" / "sites"

HEADER = "name,year,profile,annual_kwh,battery_energy_kwh,battery_power_kw"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def only_error(fleet_path: Path, position: int = 0) -> str:
    fleet = load_fleet(fleet_path)
    row = plan_entry(fleet.entries[position], plan_site)
    assert row.status is SiteStatus.ERROR, row
    assert row.error is not None
    return row.error


def test_example_csv_reads_every_row_in_order() -> None:
    fleet = load_fleet(EXAMPLE_CSV)
    assert fleet.kind == "csv"
    assert len(fleet) == 8
    assert [e.position for e in fleet.entries] == list(range(8))
    assert fleet.entries[0].name == "Bakkerij Oost (example)"
    assert fleet.entries[0].line == 6  # after four comment lines and the header
    assert fleet.entries[0].source == f"{EXAMPLE_CSV}:6"


def test_csv_row_plans_like_the_same_site_file(tmp_path: Path) -> None:
    """The bakery example as a CSV row gives the TOML file's plan (cross-check of the mapping)."""
    toml = plan_site(load_site(SITES / "bakery-g5.toml"))
    csv = write(
        tmp_path / "f.csv",
        "name,year,objective,profile,annual_kwh,pv_kwp,pv_latitude,pv_longitude,pv_tilt_deg,"
        "pv_azimuth_deg,battery_energy_kwh,battery_power_kw,battery_roundtrip_efficiency,"
        "battery_soc_min,battery_soc_max,import_kw,export_kw,contracted_eur_per_kw_year,"
        "kwmax_eur_per_kw_month,energy_eur_per_kwh,feed_in_eur_per_kwh\n"
        "Bakkerij De Korenschoof (example),2025,min-connection,G5,400000,60,52.37,5.21,15,180,"
        "120,60,0.90,0.05,0.95,minimise,40,30.0,2.5,0.22,0.05\n",
    )
    [row] = plan_fleet_sequential(load_fleet(csv), plan_site).rows
    assert row.status is SiteStatus.OPTIMAL
    assert row.import_kw == toml.import_kw
    assert row.annual_cost_eur == toml.annual_cost_eur
    assert row.peak_import_before_kw == toml.peak_import_before_kw


def test_semicolon_csv_with_decimal_commas_equals_the_comma_csv(tmp_path: Path) -> None:
    comma = write(
        tmp_path / "a.csv",
        f"{HEADER},battery_roundtrip_efficiency\nA,2025,G0,150000,80,40,0.85\n",
    )
    semi = write(
        tmp_path / "b.csv",
        "name;year;profile;annual_kwh;battery_energy_kwh;battery_power_kw;battery_roundtrip_efficiency\n"
        "A;2025;G0;150000;80;40;0,85\n",
    )
    a = entry_site(load_fleet(comma).entries[0])
    b = entry_site(load_fleet(semi).entries[0])
    assert a.battery == b.battery
    assert a.battery is not None and a.battery.roundtrip_efficiency == 0.85
    assert a.load_kw.equals(b.load_kw)


def test_pv_location_defaults_and_restriction(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv",
        "name,year,profile,annual_kwh,pv_kwp,export_kw,restriction_windows,restriction_import_kw\n"
        "A,2025,G1,100000,20,unlimited,07:00-09:00|16:00-20:00,15\n"
        "B,2025,G1,100000,0,,,\n",
    )
    fleet = load_fleet(path)
    a = entry_site(fleet.entries[0])
    assert a.pv is not None and a.pv.kwp == 20
    assert a.connection.export_kw is None
    [restriction] = a.connection.restrictions
    assert [str(w) for w in restriction.windows] == ["07:00-09:00", "16:00-20:00"]
    assert restriction.import_kw == 15
    b = entry_site(fleet.entries[1])
    assert b.pv is None  # pv_kwp = 0 and nothing else: no PV section


def test_objective_column_and_override(tmp_path: Path) -> None:
    path = write(
        tmp_path / "f.csv", "name,year,profile,annual_kwh,objective\nA,2025,G0,1000,min-cost\n"
    )
    entry = load_fleet(path).entries[0]
    assert entry_site(entry).objective is Objective.MIN_COST
    row = plan_entry(entry, plan_site, Objective.MIN_CONNECTION)
    assert row.objective == "min-connection"
    assert row.status is SiteStatus.OPTIMAL


@pytest.mark.parametrize(
    ("text", "line", "field", "words"),
    [
        ("name,year,colour\nA,2025,red\n", 1, "colour", "unknown column"),
        ("year,profile\n2025,G0\n", 1, "name", "missing column 'name'"),
        ("name,year,year\nA,2025,2025\n", 1, "year", "column given twice"),
        (f"{HEADER}\nA,2025,G0,1000,1\n", 2, None, "expected 6 cells"),
        (f"{HEADER}\n,2025,G0,1000,,\n", 2, "name", "every site needs a name"),
        (f"{HEADER}\nA,2025,G0,1000,,\nB,2025,G0,1000,,\nA,2025,G0,1000,,\n", 4, "name", "line 2"),
        ("# only a comment\n", None, None, "empty"),
        (f"{HEADER}\n", None, None, "no sites"),
    ],
)
def test_structural_csv_errors_stop_the_fleet(
    tmp_path: Path, text: str, line: int | None, field: str | None, words: str
) -> None:
    path = write(tmp_path / "fleet.csv", text)
    with pytest.raises(InputError) as info:
        load_fleet(path)
    err = info.value
    assert err.source == str(path)
    assert err.line == line
    assert err.field == field
    assert words in err.message


@pytest.mark.parametrize(
    ("row", "column", "words"),
    [
        ("A,2025,G0,1000,abc,10", "battery_energy_kwh", "expected a number, got 'abc'"),
        ("A,20x5,G0,1000,10,10", "year", "expected a whole year"),
        ("A,2025,G0,-5,10,10", "annual_kwh", "expected a number > 0"),
        ("A,2025,XX,1000,10,10", "profile", "XX"),
        ("A,2025,G0,1000,inf,10", "battery_energy_kwh", "finite"),
    ],
)
def test_a_bad_cell_fails_only_its_site_naming_line_and_column(
    tmp_path: Path, row: str, column: str, words: str
) -> None:
    path = write(tmp_path / "fleet.csv", f"{HEADER}\nGood,2025,G0,1000,10,5\n\n{row}\n")
    result = plan_fleet_sequential(load_fleet(path), plan_site)
    good, bad = result.rows
    assert good.status is SiteStatus.OPTIMAL
    assert bad.status is SiteStatus.ERROR
    assert bad.error is not None
    assert f"{path}, line 4, field '{column}'" in bad.error
    assert words in bad.error
    with pytest.raises(InputError) as info:
        entry_site(load_fleet(path).entries[1])
    assert (info.value.line, info.value.field) == (4, column)


def test_range_errors_map_back_to_columns(tmp_path: Path) -> None:
    path = write(
        tmp_path / "fleet.csv",
        "name,year,profile,annual_kwh,battery_soc_max,restriction_windows,restriction_import_kw\n"
        "A,2025,G0,1000,2,,\n"
        "B,2025,G0,1000,,16:00-20:00,\n"
        "C,2025,G0,1000,,25:00-20:00,10\n",
    )
    fleet = load_fleet(path)
    fields = []
    for entry in fleet.entries:
        with pytest.raises(InputError) as info:
            entry_site(entry)
        fields.append((info.value.line, info.value.field))
    assert fields == [
        (2, "battery_soc_max"),
        (3, "restriction_import_kw"),
        (4, "restriction_windows"),
    ]


def test_error_inside_a_profile_csv_names_that_file_and_the_fleet_line(tmp_path: Path) -> None:
    bad = write(tmp_path / "load.csv", "timestamp,kw\n2025-01-01T00:00:00+01:00,oops\n")
    path = write(tmp_path / "fleet.csv", f"name,profile_csv\nA,{bad.name}\n")
    with pytest.raises(InputError) as info:
        entry_site(load_fleet(path).entries[0])
    assert info.value.source == str(bad)
    assert info.value.line == 2
    assert f"site 'A', line 2 of {path}" in info.value.message
    missing = write(tmp_path / "fleet2.csv", "name,profile_csv\nB,nothere.csv\n")
    error = only_error(missing)
    assert "nothere.csv" in error and "line 2 of" in error


def test_columns_cover_the_site_file_keys_except_flex() -> None:
    keys = {f"{section}.{key}" for section, key, _ in COLUMNS.values()}
    wanted = {"load.csv", "load.profile", "pv.kwp", "battery.power_kw", "tariff.energy_price_csv"}
    assert wanted <= keys
    assert len(COLUMNS) == len(set(COLUMNS.values()))


def test_folder_of_site_files(tmp_path: Path) -> None:
    folder = tmp_path / "sites"
    folder.mkdir()
    shutil.copy(SITES / "bakery-g5.toml", folder / "a.toml")
    write(folder / "b.toml", "[site]\nname = 'broken'\n[load\n")  # a TOML syntax error
    write(folder / "notes.txt", "not a site")
    fleet = load_fleet(folder)
    assert fleet.kind == "folder"
    assert [e.name for e in fleet.entries] == ["Bakkerij De Korenschoof (example)", "b"]
    result = plan_fleet_sequential(fleet, plan_site)
    good, broken = result.rows
    assert good.status is SiteStatus.OPTIMAL
    assert broken.status is SiteStatus.ERROR
    assert broken.error is not None and f"{folder / 'b.toml'}, line 3" in broken.error
    assert result.summary()["problems"] == [
        {"name": "b", "source": str(folder / "b.toml"), "status": "error", "message": broken.error}
    ]


def test_folder_errors(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    with pytest.raises(InputError, match=r"no \*\.toml site files"):
        load_fleet(empty)
    twice = tmp_path / "twice"
    twice.mkdir()
    shutil.copy(SITES / "bakery-g5.toml", twice / "a.toml")
    shutil.copy(SITES / "bakery-g5.toml", twice / "b.toml")
    with pytest.raises(InputError, match=r"used by a\.toml and b\.toml"):
        load_fleet(twice)
    with pytest.raises(InputError, match="not found"):
        load_fleet(tmp_path / "nothing")
    with pytest.raises(InputError, match=r"expected a folder of site TOML files or a \.csv"):
        load_fleet(SITES / "bakery-g5.toml")


def test_a_planner_crash_is_the_sites_error_not_the_fleets(tmp_path: Path) -> None:
    path = write(tmp_path / "f.csv", f"{HEADER}\nA,2025,G0,1000,,\n")
    entry: FleetEntry = load_fleet(path).entries[0]
    row = plan_entry(entry, _boom)
    assert row.status is SiteStatus.ERROR
    assert row.error == "ZeroDivisionError: boom"
    assert row.objective == "min-connection"


def _boom(_: object) -> object:
    raise ZeroDivisionError("boom")


def test_min_cost_row_equals_the_same_site_file(tmp_path: Path) -> None:
    """A week with options to add PV and a battery: the LP planner gives the CSV row the plan
    of the equivalent TOML file."""
    import numpy as np
    import pandas as pd

    from netruimte.profiles import write_profile_csv

    index = pd.date_range("2025-06-02", periods=7 * 96, freq="15min", tz="Europe/Amsterdam")
    hours = np.asarray(index.hour + index.minute / 60)
    load = pd.Series(40 + 30 * ((hours >= 8) & (hours < 18)), index=index, dtype=float)
    write_profile_csv(load, tmp_path / "load.csv")
    options = {
        "pv_kwp": "10", "pv_max_kwp": "50", "pv_cost_eur_per_kwp_year": "60",
        "battery_max_energy_kwh": "100", "battery_max_power_kw": "50",
        "battery_cost_eur_per_kwh_year": "25", "battery_cost_eur_per_kw_year": "10",
        "contracted_eur_per_kw_year": "40", "energy_eur_per_kwh": "0.2",
    }  # fmt: skip
    csv = write(
        tmp_path / "fleet.csv",
        "name,year,objective,profile_csv," + ",".join(options) + "\n"
        "week,2025,min-cost,load.csv," + ",".join(options.values()) + "\n",
    )
    toml = write(
        tmp_path / "week.toml",
        '[site]\nname = "week"\nyear = 2025\n[plan]\nobjective = "min-cost"\n'
        '[load]\ncsv = "load.csv"\n'
        "[pv]\nkwp = 10\nmax_kwp = 50\ncost_eur_per_kwp_year = 60\nlatitude = 52.37\n"
        "longitude = 5.21\n"
        "[battery]\nmax_energy_kwh = 100\nmax_power_kw = 50\ncost_eur_per_kwh_year = 25\n"
        "cost_eur_per_kw_year = 10\n"
        "[tariff]\ncontracted_eur_per_kw_year = 40\nenergy_eur_per_kwh = 0.2\n",
    )
    [row] = plan_fleet_sequential(load_fleet(csv), plan_site).rows
    reference = plan_site(load_site(toml))
    assert row.status is SiteStatus.OPTIMAL, row.error or row.reason
    assert row.objective == "min-cost"
    assert row.method == reference.method
    for name in (
        "import_kw",
        "pv_kwp",
        "battery_energy_kwh",
        "battery_power_kw",
        "annual_cost_eur",
    ):
        assert getattr(row, name) == getattr(reference, name), name
