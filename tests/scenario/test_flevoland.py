"""The bundled Flevoland scenario: every sourced figure as documented, queues matched."""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.scenario.flevoland import (
    FLEVOLAND_STATIONS,
    QUEUE_MW,
    TENNET_QUEUE_OFFTAKE_MW,
    generate_flevoland,
    grid_data,
    population_data,
)

# docs/sources.md [flevoland-map]: area -> (available offtake, available feed-in, required offtake,
# required feed-in, queue offtake, queue feed-in)
CAPACITY_MAP_TABLE = {
    "ALM": (59, 104, 70, 35, 8.2, 39),
    "LLS": (38, 66, 18, 12, 8.1, 24),
    "ZWD": (42, 42, 30, 34, 9, 32),
    "ZWD20": (100, 100, 49, 58, 42.8, 51),
    "DRT": (72, 117, 67, 60, 10.1, 76),
    "EML": (46, 73, 30, 40, 7.5, 27),
}


@pytest.fixture(scope="module")
def stations():
    return {s["id"]: s for s in grid_data()["station"]}


def test_station_figures_match_domain(stations):
    for sid, (avail_o, avail_f, req_o, req_f, queue_o, queue_f) in CAPACITY_MAP_TABLE.items():
        s = stations[sid]
        assert (s["offtake_mw"], s["feedin_mw"]) == (avail_o, avail_f)
        assert (s["load_mw"], s["feedin_load_mw"]) == (req_o, req_f)
        assert QUEUE_MW[sid] == {"offtake": queue_o, "feed-in": queue_f}
        assert s["parent"] == "FGU"


def test_tennet_region_matches_domain(stations):
    fgu = stations["FGU"]
    assert fgu["offtake_mw"] == 3000  # existing offtake capacity
    assert fgu["load_mw"] == 4549  # required
    assert TENNET_QUEUE_OFFTAKE_MW == 1339


def test_works_dates_match_domain():
    works = {r["id"]: dict(r) for r in grid_data()["reinforcement"]}
    for r in works.values():
        r["date"] = dt.date.fromisoformat(r["date"])
        r["planned_date"] = dt.date.fromisoformat(r["planned_date"])
    assert works["LIA-ALM-2030"]["date"] == dt.date(2030, 7, 1)  # 2030 Q3
    assert works["TEN-LLS380"]["planned_date"].year == 2029  # planned 2029-2030
    assert works["TEN-LLS380"]["date"].year == 2033  # slipped to 2033
    assert works["TEN-LLS150"]["planned_date"].year == 2030  # planned 2030-2031
    assert 2038 <= works["TEN-ALM380"]["date"].year <= 2041  # 2038-2041
    fgu_added = sum(
        r["offtake_mw"] for r in works.values() if r["station"] == "FGU" and r["date"].year <= 2035
    )
    # "solved 2035": by then the region has room for what is in use plus the queue
    assert 3000 + fgu_added >= 4549 + 1339


def test_population_settings_match_domain():
    settings = population_data()["settings"]
    assert settings["waitlist_opened"] == "2022-11-17"
    assert settings["companies_waiting_2023"] == 210
    campus = population_data()["campus"]
    assert campus["jobs"] == 1200 and campus["jobs_elsewhere_per_campus_job"] == 3
    assert campus["arrival_years"] == 5 and campus["tenant"] == "ASM International"


def test_generated_queues_match_published_mw_exactly():
    scenario = generate_flevoland()
    for sid in FLEVOLAND_STATIONS:
        for direction in ("offtake", "feed-in"):
            assert scenario.queue_mw(sid, direction) == pytest.approx(QUEUE_MW[sid][direction])
    flevoland_offtake = sum(QUEUE_MW[s]["offtake"] for s in FLEVOLAND_STATIONS)
    assert scenario.queue_mw("FGU-REST", "offtake", group="rest") == pytest.approx(
        TENNET_QUEUE_OFFTAKE_MW - flevoland_offtake
    )


def test_generation_is_seeded_and_sane():
    a, b = generate_flevoland(), generate_flevoland()
    assert a.requests == b.requests
    assert generate_flevoland(seed=1).requests != a.requests
    ids = [r.id for r in a.requests]
    assert len(ids) == len(set(ids))
    first, last = dt.date(2022, 11, 17), dt.date(2026, 5, 29)
    for r in a.requests:
        assert r.kw > 0
        if r.group in ("queue", "rest"):
            assert first <= r.submitted.date() <= last
            assert r.submitted.weekday() < 5
        if r.direction == "feed-in":
            assert r.category == "none"
        assert r.small_consumer == (r.kw <= 55)
    campus = next(r for r in a.requests if r.id == "HTC-ALMERE")
    assert campus.kw == pytest.approx(1200 * 17)
    induced = [r for r in a.requests if r.group == "induced"]
    assert sum(r.kw for r in induced) == pytest.approx(3600 * 1.5)
    hortus = next(r for r in a.requests if r.group == "hortus")
    assert hortus.needed is not None and hortus.submitted.date() >= dt.date(2026, 10, 1)


def test_planned_works_use_the_original_dates():
    planned = {r["id"]: r["date"] for r in generate_flevoland(works="planned").reinforcements}
    current = {r["id"]: r["date"] for r in generate_flevoland().reinforcements}
    assert dt.date.fromisoformat(planned["TEN-LLS380"]) < dt.date.fromisoformat(
        current["TEN-LLS380"]
    )
    assert all("planned_date" not in r for r in generate_flevoland().reinforcements)
