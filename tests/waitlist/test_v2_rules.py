"""Hand-made cases for the contract-v2 rules, each outcome worked out from the rules by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from netruimte.grid import Grid, Reinforcement, Station
from netruimte.waitlist import Request, simulate
from netruimte.waitlist.requests import Alternative
from tests.waitlist.helpers import grid, run, scenario

STEPS = 96


def req(rid: str, submitted: str, **kw: object) -> Request:
    kw.setdefault("kw", 1000)
    kw.setdefault("station", "S")
    return Request(id=rid, submitted=submitted, **kw)  # type: ignore[arg-type]


# --- 1. partial offers ------------------------------------------------------------------------
# 2 MW free; a priority school asks 3 MW, a later office 1.5 MW (the audit's example).
TWO_FREE = grid(
    Station("S", offtake_mw=10, load_mw=8),
    reinforcements=(Reinforcement("S-1", "S", dt.date(2026, 6, 1), offtake_mw=1.0),),
)
SCHOOL = req("school", "2024-01-01", kw=3000, category="basic-needs", evidence=True)
OFFICE = req("office", "2025-01-01", kw=1500)


def test_first_in_line_is_offered_what_is_there() -> None:
    result = simulate(scenario(TWO_FREE, [SCHOOL, OFFICE]))
    school, office = result.request("school"), result.request("office")
    # 2026-01: the school is offered the 2,000 kW there are; the rest keeps its place, so the
    # office behind it gets nothing; 2026-06: 1 MW more completes the school's 3,000 kW
    assert [(o.on, o.kw) for o in school.offers] == [
        (dt.date(2026, 1, 1), 2000.0),
        (dt.date(2026, 6, 1), 1000.0),
    ]
    assert school.granted_kw == 3000 and school.granted_on == dt.date(2026, 6, 1)
    assert office.granted_kw == 0 and office.granted_on is None
    payload = result.to_json_dict()["requests"][0]
    assert payload["granted_kw"] == 3000.0
    assert payload["offers"][0] == {"on": "2026-01-01", "kw": 2000.0, "contract": "firm"}


def test_whole_grants_reproduce_the_old_outcomes() -> None:
    sc = scenario(TWO_FREE, [SCHOOL, OFFICE], partial_offers=False)
    # first-fit: the school does not fit whole and the smaller office takes the room; with
    # 0.5 + 1 MW free from June the school's 3 MW never fit (the error the audit found)
    assert run(sc, fit="first-fit") == {"school": None, "office": "2026-01-01"}
    # strict: the office is held back behind the school; in June 3 MW are free: the school
    assert run(sc, fit="strict") == {"school": "2026-06-01", "office": None}


def test_an_applicant_may_decline_partial_offers() -> None:
    school = req("school", "2024-01-01", kw=3000, category="basic-needs", evidence=True,
                 accept_partial=False)  # fmt: skip
    got = simulate(scenario(TWO_FREE, [school, OFFICE]))
    # passed over whole (first-fit): the office fits; in June only 1.5 MW are free: 3 MW don't
    assert got.request("office").granted_on == dt.date(2026, 1, 1)
    assert got.request("school").granted_kw == 0


def test_no_offer_below_the_minimum() -> None:
    g = grid(Station("S", offtake_mw=10, load_mw=9.96))  # 40 kW free
    assert simulate(scenario(g, [SCHOOL])).request("school").granted_kw == 0  # 40 < 50
    sc = scenario(g, [SCHOOL], min_offer_kw=25)
    assert simulate(sc).request("school").granted_kw == 40


def test_partial_offer_is_the_smallest_room_along_the_path() -> None:
    g = grid(
        Station("TOP", offtake_mw=100, load_mw=99.3),  # 700 kW upstream
        Station("S", offtake_mw=10, load_mw=8.8, parent="TOP"),  # 1,200 kW locally
    )
    out = simulate(scenario(g, [SCHOOL])).request("school")
    assert out.granted_kw == 700 and out.binding_station == "TOP"


# --- 5. alternative rights offered in queue order ------------------------------------------------
def _peaky() -> Grid:
    """10 MW; existing load 5 MW, 9 MW from 16:00 to 20:00: 5 MW free, 1 MW in the peak."""
    load = np.full(STEPS, 5.0)
    load[16 * 4 : 20 * 4] = 9.0
    return Grid((Station("S", offtake_mw=10, load_mw=9, load_profile_mw=load),))


def test_alternative_right_is_offered_at_the_requests_rank() -> None:
    night = Alternative("time-block", capacity_blocks=("20:00-16:00",))
    a = req("A", "2024-01-01", kw=3000, accepts=("tdtr", night))
    b = req("B", "2024-02-01", kw=3000)
    result = simulate(scenario(_peaky(), [a, b], end="2026-02-01"))
    ra, rb = result.request("A"), result.request("B")
    # A's firm 3 MW does not fit the 1 MW peak; TDTR would be restricted in 16 of 96
    # quarter-hours (16.7 % > 15 %); the time-block right fits: A gets it whole, at its rank
    assert ra.granted_on == dt.date(2026, 1, 1)
    assert [(o.kw, o.contract.value) for o in ra.offers] == [(3000.0, "time-block")]
    assert "as time-block (an alternative right it accepts)" in ra.explanation
    # then B: 2 MW left outside the peak, 1 MW inside: B is offered min(2, 1) = 1,000 kW firm
    assert rb.granted_kw == 1000 and rb.granted_on is None
    # without A's alternatives A takes the 1,000 kW partial offer and B gets nothing
    plain = simulate(scenario(_peaky(), [req("A", "2024-01-01", kw=3000), b], end="2026-02-01"))
    assert plain.request("A").granted_kw == 1000 and plain.request("B").granted_kw == 0


def test_alternatives_are_a_profile_mode_rule() -> None:
    a = req("A", "2024-01-01", kw=3000, accepts=("non-firm",))
    sc = scenario(_peaky(), [a], end="2026-02-01", capacity="peak", partial_offers=False)
    assert run(sc) == {"A": None}  # peak mode: every right claims its kW (v1 contract)


def test_accepts_is_validated() -> None:
    with pytest.raises(Exception, match="its own contract"):
        req("x", "2024-01-01", contract="tdtr", accepts=("tdtr",))
    with pytest.raises(Exception, match="names a contract twice"):
        req("x", "2024-01-01", accepts=("tdtr", "tdtr"))


# --- 7. explanations that agree with the forecast ------------------------------------------------
def test_explanation_digits_never_contradict() -> None:
    g = grid(Station("S", offtake_mw=10, load_mw=9.04))  # 960 kW free
    out = simulate(scenario(g, [req("x", "2024-01-01")], partial_offers=False)).request("x")
    assert "has 0.960 MW left, you need 1.000 MW" in out.explanation


def test_expected_date_comes_from_every_work_on_the_path() -> None:
    g = grid(
        Station("TOP", offtake_mw=100, load_mw=100, name="Region"),
        Station("S", offtake_mw=10, load_mw=10, parent="TOP", name="Station"),
        reinforcements=(
            Reinforcement("LOCAL-2030", "S", dt.date(2030, 7, 1), offtake_mw=5),
            Reinforcement("UP-2034", "TOP", dt.date(2034, 1, 1), offtake_mw=50),
        ),
    )
    out = simulate(scenario(g, [req("x", "2024-01-01")], end="2027-01-01")).request("x")
    # the local work alone does not help: the region binds until 2034
    assert out.expected_on == dt.date(2034, 1, 1)
    assert out.expected_works == ("LOCAL-2030", "UP-2034")
    assert out.binding_over_time == (
        ("S", dt.date(2030, 7, 1)),
        ("TOP", dt.date(2034, 1, 1)),
    )
    assert "expected on 2034-01-01 after LOCAL-2030 and UP-2034" in out.explanation
    assert "Station until 2030-07-01, then Region until 2034-01-01" in out.explanation


def test_who_went_ahead_and_why() -> None:
    g = grid(
        Station("S", offtake_mw=10, load_mw=8),
        reinforcements=(Reinforcement("S-1", "S", dt.date(2026, 3, 1), offtake_mw=1.0),),
    )
    reqs = [
        req("cat3", "2025-06-01", kw=2500, category="basic-needs", evidence=True),
        req("none", "2024-01-01", kw=1000),
    ]
    out = simulate(scenario(g, reqs)).request("none")
    # the category-3 request ranks above the older one: 2,000 kW in January (partial), then
    # the rest (500 kW) in March; 500 kW of March's MW are left, but 'none' needs 1,000 kW
    assert "went ahead of you at S: 1 higher-ranked request(s) (1 basic needs)" in out.explanation
    assert "has 0.500 MW left, you need 0.500 MW more" not in out.explanation
    assert out.granted_kw == 500  # March: the 500 kW left is offered to it


# --- smaller corrections ---------------------------------------------------------------------
def test_drinking_water_is_safety_only_from_the_2025_ruling() -> None:
    from netruimte.waitlist.rules import ACM_2024, FCFS, function_note

    water = req("w", "2024-01-01", category="basic-needs", function="drinking-water", evidence=True)
    before, after = dt.date(2025, 3, 1), dt.date(2025, 4, 1)
    assert function_note(water, ACM_2024, before) is None  # category 3 then: as declared
    assert "under safety" in (function_note(water, ACM_2024, after) or "")
    assert "2020" in FCFS.source and "dispute" in FCFS.source


# --- the v2 keys in a scenario file, and the map export -----------------------------------------
V2_TOML = """
[scenario]
start = "2026-01-01"
end = "2026-03-01"
partial_offers = true
min_offer_kw = 100

[[station]]
id = "S"
offtake_mw = 10
load_mw = 9.5
connection_kv = 20
small_consumer_reserve_mw = 0.1
lat = 52.37
lon = 5.22

[[request]]
id = "big"
station = "S"
kw = 800
submitted = "2025-01-01"
accept_partial = true
connection_kv = 10
accepts = ["tdtr", { contract = "time-block", capacity_blocks = ["22:00-06:00"] }]

[[request]]
id = "home"
station = "S"
kw = 40
submitted = "2025-02-01"
small_consumer = true
"""


def test_v2_keys_load_and_the_map_exports_ragkind_and_coordinates(tmp_path) -> None:
    from netruimte.grid import read_capacity_map_csv, stations_from_capacity_map
    from netruimte.grid.capacity_map import write_capacity_map_csv
    from netruimte.scenario.waitlist_toml import load_scenario

    path = tmp_path / "v2.toml"
    path.write_text(V2_TOML)
    sc = load_scenario(path)
    st = sc.grid.station("S")
    assert (st.connection_kv, st.small_consumer_reserve_mw, st.lat, st.lon) == (
        20.0, 0.1, 52.37, 5.22,
    )  # fmt: skip
    big = sc.request("big")
    assert sc.partial_offers and sc.min_offer_kw == 100 and big.connection_kv == 10
    assert [a.contract.value for a in big.accepts] == ["tdtr", "time-block"]
    assert big.accepts[1].capacity_blocks == ("22:00-06:00",)
    result = simulate(sc)
    # 500 kW free: 'big' is offered 500 kW (>= 100); 'home' is served from the reserve
    assert result.request("big").granted_kw == 500
    home = result.request("home")
    assert home.outside_queue and home.granted_on == dt.date(2026, 1, 1)
    [entry] = result.capacity_map()
    assert entry.demand_constraint.value == "red"  # 300 kW wait, nothing left
    assert (entry.lat, entry.lon) == (52.37, 5.22)
    out = tmp_path / "map.csv"
    write_capacity_map_csv(result.capacity_map(), out)
    text = out.read_text()
    assert ",red," in text and "yellow" not in text and "orange" not in text
    [back] = stations_from_capacity_map(read_capacity_map_csv(out))
    assert (back.lat, back.lon) == (52.37, 5.22)
