"""Grid model: hierarchy, capacity over time, representative year, capacity map."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.grid import (
    CapacityMapEntry,
    Constraint,
    DelayDistribution,
    Grid,
    Reinforcement,
    Station,
    block_mask,
    constraint_colour,
    headroom_over_time,
    monthly_moments,
    parse_window,
    read_capacity_map_csv,
    read_station_profile_csv,
    shift_by_months,
    stations_from_capacity_map,
    to_representative_year,
    write_capacity_map_csv,
)


def three_level() -> Grid:
    return Grid(
        (
            Station("T", offtake_mw=100, load_mw=90, feedin_mw=50),
            Station("HV", offtake_mw=40, load_mw=30, parent="T"),
            Station("MV", offtake_mw=10, load_mw=2, parent="HV"),
            Station("HV2", offtake_mw=20, load_mw=20, parent="T"),
        ),
        (
            Reinforcement("A", "HV", dt.date(2026, 3, 15), offtake_mw=5),
            Reinforcement("B", "T", dt.date(2026, 2, 1), offtake_mw=10, feedin_mw=5),
        ),
    )


def test_paths_and_order() -> None:
    g = three_level()
    assert g.path("MV") == ("MV", "HV", "T")
    assert g.path("T") == ("T",)
    order = [g.stations[i].id for i in g.top_down_order]
    assert order.index("T") < order.index("HV") < order.index("MV")
    assert [r.id for r in g.reinforcements_on_path("MV")] == ["B", "A"]


def test_capacity_counts_from_first_moment_on_or_after_date() -> None:
    g = three_level()
    moments = monthly_moments(dt.date(2026, 1, 1), dt.date(2026, 6, 1))
    assert moments == tuple(dt.date(2026, m, 1) for m in range(1, 6))
    cap = g.capacity_mw(moments)
    assert list(cap[0, g.index("HV")]) == [40, 40, 40, 45, 45]
    assert list(cap[0, g.index("T")]) == [100, 110, 110, 110, 110]
    assert list(cap[1, g.index("T")]) == [50, 55, 55, 55, 55]
    assert np.all(np.isinf(cap[1, g.index("MV")]))
    head = headroom_over_time(g, moments)
    assert head.loc[dt.date(2026, 4, 1), "HV"] == 15
    granted = np.zeros((4, 5))
    granted[g.index("T")] = 3
    assert (
        headroom_over_time(g, moments, "offtake", granted_mw=granted).loc[dt.date(2026, 1, 1), "T"]
        == 7
    )


def test_subtree_sum() -> None:
    g = three_level()
    per = np.array([1.0, 2.0, 4.0, 8.0])
    assert list(g.subtree_sum(per)) == [15.0, 6.0, 4.0, 8.0]


@pytest.mark.parametrize(
    ("stations", "rfs", "message"),
    [
        ((Station("A", 1), Station("A", 2)), (), "duplicate station id 'A'"),
        (
            (Station("A", 1, parent="B"), Station("B", 1, parent="A")),
            (),
            "cycle in the station hierarchy",
        ),
        ((Station("A", 1, parent="A"),), (), "cycle"),
        ((Station("A", 1, parent="Z"),), (), "unknown parent 'Z'"),
        (
            (Station("A", 1),),
            (Reinforcement("R", "Q", dt.date(2026, 1, 1)),),
            "unknown station 'Q'",
        ),
        (
            (Station("A", 1),),
            (Reinforcement("R", "A", dt.date(2026, 1, 1)),) * 2,
            "duplicate reinforcement id",
        ),
        (
            (Station("A", 1),),
            (Reinforcement("R", "A", dt.date(2026, 1, 1), feedin_mw=1),),
            "has no feedin_mw",
        ),
        ((), (), "at least one station"),
    ],
)
def test_grid_errors(
    stations: tuple[Station, ...], rfs: tuple[Reinforcement, ...], message: str
) -> None:
    with pytest.raises(InputError, match=message):
        Grid(stations, rfs)


def test_station_value_errors() -> None:
    with pytest.raises(InputError, match="must be >= 0"):
        Station("A", offtake_mw=-1)
    with pytest.raises(InputError, match="finite"):
        Station("A", offtake_mw=float("nan"))
    with pytest.raises(InputError, match="whole days"):
        Station("A", offtake_mw=1, load_profile_mw=np.ones(100))
    with pytest.raises(InputError, match="same representative period"):
        Grid(
            (
                Station("A", 1, load_profile_mw=np.ones(96)),
                Station("B", 1, load_profile_mw=np.ones(192)),
            )
        )
    with pytest.raises(InputError, match="after start"):
        monthly_moments(dt.date(2026, 1, 1), dt.date(2026, 1, 1))


def test_delay_distributions() -> None:
    rng = np.random.default_rng(0)
    tri = DelayDistribution("triangular", 0, 12, 60)
    draws = tri.sample(rng, 20_000)
    assert draws.min() >= 0 and draws.max() <= 60
    assert draws.mean() == pytest.approx(tri.mean_months(), rel=0.03)
    pert = DelayDistribution("pert", 0, 24, 72)
    assert pert.sample(rng, 20_000).mean() == pytest.approx(pert.mean_months(), rel=0.03)
    assert list(DelayDistribution("fixed", mode_months=3).sample(rng, 2)) == [3, 3]
    assert DelayDistribution("uniform", min_months=2, max_months=4).sample(
        rng, 1000
    ).mean() == pytest.approx(3, abs=0.2)
    with pytest.raises(InputError):
        DelayDistribution("lognormal")


def test_shift_by_months() -> None:
    assert shift_by_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert shift_by_months(dt.date(2026, 3, 1), 3) == dt.date(2026, 6, 1)
    assert shift_by_months(dt.date(2026, 11, 1), 14) == dt.date(2028, 1, 1)
    assert shift_by_months(dt.date(2026, 3, 1), 0.5) == dt.date(2026, 3, 16)


def test_windows_and_masks() -> None:
    assert parse_window("06:00-09:00") == (24, 36)
    assert parse_window("22:00-24:00") == (88, 96)
    mask = block_mask(["16:00-20:00", "22:00-02:00"], 192)
    assert (
        mask[64:80].all()
        and not mask[80]
        and mask[0:8].all()
        and mask[88:96].all()
        and mask.sum() == 2 * 32
    )
    for bad in ("6-9", "06:00-06:00", "25:00-26:00", "06:05-07:00"):
        with pytest.raises(InputError):
            parse_window(bad)


def test_representative_year_from_a_dst_year() -> None:
    idx = pd.date_range(
        "2025-01-01", "2026-01-01", freq="15min", tz="Europe/Amsterdam", inclusive="left"
    )
    assert len(idx) == 35040
    series = pd.Series(np.asarray(idx.hour, dtype=float), index=idx)
    year = to_representative_year(series)
    assert year.shape == (35040,)
    # wall-clock position: step t is at (t mod 96)/4 hours on every day, DST days included
    days = year.reshape(365, 96)
    spring = (dt.date(2025, 3, 30) - dt.date(2025, 1, 1)).days
    assert days[spring, 8] == 1  # the missing 02:00 hour takes the quarter-hour before it
    assert np.all(np.delete(days[:, 8], spring) == 2)  # the repeated autumn hour is averaged
    assert np.all(year.reshape(365, 96)[:, 4 * 17] == 17)
    leap = pd.date_range(
        "2024-01-01", "2025-01-01", freq="15min", tz="Europe/Amsterdam", inclusive="left"
    )
    assert to_representative_year(pd.Series(np.ones(len(leap)), index=leap)).shape == (35040,)
    week = pd.date_range("2025-03-03", periods=7 * 96, freq="15min", tz="Europe/Amsterdam")
    tiled = to_representative_year(pd.Series(np.arange(7 * 96, dtype=float), index=week))
    assert tiled[7 * 96] == 0 and tiled[-1] == tiled[(365 * 96 - 1) % (7 * 96)]


def test_station_profile_csv_in_mw_and_kw(tmp_path: Path) -> None:
    idx = pd.date_range("2025-03-03", periods=96, freq="15min", tz="Europe/Amsterdam")
    stamps = [t.isoformat() for t in idx]
    (tmp_path / "mw.csv").write_text(
        "timestamp,mw\n" + "".join(f"{s},{i / 10}\n" for i, s in enumerate(stamps))
    )
    (tmp_path / "kw.csv").write_text(
        "timestamp,kw\n" + "".join(f"{s},{i * 100}\n" for i, s in enumerate(stamps))
    )
    a = read_station_profile_csv(tmp_path / "mw.csv")
    b = read_station_profile_csv(tmp_path / "kw.csv")
    assert a.shape == (35040,) and np.allclose(a, b) and a[95] == pytest.approx(9.5)
    with pytest.raises(InputError, match="file not found"):
        read_station_profile_csv(tmp_path / "none.csv")


def test_capacity_map_roundtrip_and_mapping(tmp_path: Path) -> None:
    entries = (
        CapacityMapEntry(
            "OS ALMERE 10-1i",
            59,
            70,
            8.2,
            12,
            Constraint.RED,
            2030,
            104,
            35,
            39,
            20,
            Constraint.AMBER,
            2035,
            parent="FGU",
        ),
        CapacityMapEntry("FGU", 3000, 2990, name="TenneT FGU"),
    )
    path = tmp_path / "map.csv"
    write_capacity_map_csv(entries, path)
    text = path.read_text()
    assert "amber" in text and "transparant" in text
    back = read_capacity_map_csv(path)
    assert back == entries
    stations = stations_from_capacity_map(back)
    assert (
        stations[0].offtake_mw,
        stations[0].load_mw,
        stations[0].feedin_mw,
        stations[0].parent,
    ) == (59, 70, 104, "FGU")
    Grid(stations)  # the hierarchy is valid


def test_capacity_map_is_written_whole_or_not_at_all(tmp_path: Path) -> None:
    path = tmp_path / "map.csv"
    path.write_text("the previous map\n")

    def entries() -> Iterator[CapacityMapEntry]:
        yield CapacityMapEntry("FGU", 3000, 2990, name="TenneT FGU")
        raise RuntimeError("the rows stopped half-way")

    with pytest.raises(RuntimeError, match="half-way"):
        write_capacity_map_csv(entries(), path)
    assert path.read_text() == "the previous map\n"
    assert [p.name for p in tmp_path.iterdir()] == ["map.csv"]  # no temporary file left


def test_capacity_map_errors(tmp_path: Path) -> None:
    bad = tmp_path / "bad.csv"
    bad.write_text("short_code,demand_available_capacity,demand_constraint\nA,5,purple\n")
    with pytest.raises(InputError, match="unknown colour") as info:
        read_capacity_map_csv(bad)
    assert info.value.line == 2
    bad.write_text("short_code,capacity\nA,5\n")
    with pytest.raises(InputError, match="unknown column 'capacity'"):
        read_capacity_map_csv(bad)
    bad.write_text("short_code,demand_available_capacity\nA,-5\n")
    with pytest.raises(InputError, match=">= 0"):
        read_capacity_map_csv(bad)
    ok = tmp_path / "ok.csv"
    ok.write_text("short_code;demand_available_capacity;demand_constraint\nA;5,5;3\n")
    assert read_capacity_map_csv(ok)[0].demand_constraint is Constraint.RED
    # older exports of this project: white/yellow/orange read as green/amber/amber
    ok.write_text("short_code,demand_available_capacity,demand_constraint\nA,5,yellow\n")
    assert read_capacity_map_csv(ok)[0].demand_constraint is Constraint.AMBER


def test_constraint_colours() -> None:
    # the information model's RAGKind words only: no "yellow"
    assert {c.value for c in Constraint} == {"transparant", "green", "amber", "red"}
    assert constraint_colour(100, 50, 0, 0) is Constraint.GREEN  # room, nobody waits
    assert constraint_colour(100, 95, 0, 0) is Constraint.AMBER  # < 10 % left: announced
    assert constraint_colour(100, 95, 4, 2) is Constraint.AMBER  # queue would fit the room
    assert constraint_colour(100, 95, 6, 2) is Constraint.RED  # queue exceeds the room
    assert constraint_colour(float("inf"), 5, 0, 0) is Constraint.TRANSPARANT  # no limit
    assert Constraint.RED.code == 3
