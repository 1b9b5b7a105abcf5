"""Hand cases for congestion management: contracts and congestion relievers (exact answers)."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.errors import InputError
from netruimte.grid import Reinforcement, Station
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import Request, compile_scenario, run_compiled, simulate
from netruimte.waitlist.congestion import CongestionContract
from netruimte.waitlist.kernel_types import GRANTED
from tests.waitlist.helpers import grid, run, scenario
from tests.waitlist.randomcase import FITS, random_cm_scenario, random_scenario

# imported here, not inside a @given test: that module defines @given tests of its own, and
# applying @given while another runs is refused by hypothesis (nested given)
from tests.waitlist.test_profile_fit import _random_profile_scenario

STEPS = 96


def req(rid: str, submitted: str, **kw: object) -> Request:
    kw.setdefault("kw", 2000)
    kw.setdefault("station", "S")
    return Request(id=rid, submitted=submitted, **kw)  # type: ignore[arg-type]


# --- a CSC / CBC-A lets a firm request in before the reinforcement, and ends at it -----------
# S is full (10 of 10 MW); works add 3 MW on 2026-09-01. A firm 2 MW request waits for them.
FULL = grid(
    Station("S", offtake_mw=10, load_mw=10),
    reinforcements=(Reinforcement("RF", "S", dt.date(2026, 9, 1), offtake_mw=3.0),),
)
FIRM = req("firm", "2025-01-01")
LATE = req("late", "2025-02-01", kw=1000)


def csc(kind: str = "csc", until: dt.date | str = "RF") -> CongestionContract:
    return CongestionContract(
        id="C1",
        station="S",
        kind=kind,  # type: ignore[arg-type]
        mw=2.0,
        start=dt.date(2026, 3, 1),
        until=until,
        eur_per_mw_year=40_000,
    )


def test_without_a_contract_the_firm_request_waits_for_the_works() -> None:
    assert run(scenario(FULL, [FIRM, LATE])) == {"firm": "2026-09-01", "late": "2026-09-01"}


@pytest.mark.parametrize("kind", ["csc", "cbc-a"])
def test_a_contract_lets_the_firm_request_in_before_the_works(kind: str) -> None:
    result = simulate(scenario(FULL, [FIRM, LATE], congestion_contracts=(csc(kind),)))
    got = {r.id: r.granted_on for r in result.requests}
    # March: the contract's 2 MW take the firm request; September: the contract ends as the
    # works count (13 MW, 12 used), so the later 1 MW request fits only then
    assert got == {"firm": dt.date(2026, 3, 1), "late": dt.date(2026, 9, 1)}
    room = result.room_frame()["S"]
    assert room[dt.date(2026, 2, 1)] == pytest.approx(0.0)  # full, no contract yet
    assert room[dt.date(2026, 3, 1)] == pytest.approx(0.0)
    assert room[dt.date(2026, 8, 1)] == pytest.approx(0.0)
    assert room[dt.date(2026, 9, 1)] == pytest.approx(0.0)  # 13 - 12 - late's 1
    (out,) = result.congestion_contracts
    assert out.counts_from == dt.date(2026, 3, 1)
    assert out.counts_until == dt.date(2026, 9, 1)
    assert out.active_moments == 6
    assert out.years_active == pytest.approx(184 / 365.25)
    assert out.cost_eur == pytest.approx(2 * 40_000 * 184 / 365.25)
    assert out.granted_with == ("firm",)
    assert out.granted_with_kw == pytest.approx(2000)
    payload = result.to_json_dict()["congestion_contracts"][0]
    assert payload["id"] == "C1" and payload["granted_with"] == ["firm"]


def test_a_contract_until_a_delayed_reinforcement_ends_when_the_delayed_one_counts() -> None:
    sc = scenario(FULL, [FIRM, LATE], congestion_contracts=(csc(),))
    c = compile_scenario(sc)
    late_rf = np.array([c.moments.index(dt.date(2026, 11, 1))], dtype=np.int64)
    raw = run_compiled(c, reinforcement_m=late_rf)
    oct_, nov = c.moments.index(dt.date(2026, 10, 1)), c.moments.index(dt.date(2026, 11, 1))
    # the contract still counts in October (12 MW: firm in, no room for late), and ends in
    # November as the works count (13 MW: late's 1 MW fits)
    assert raw.cap[0, 0, oct_] == pytest.approx(12.0)
    assert raw.cap[0, 0, nov] == pytest.approx(13.0)
    assert int(raw.walk.grant_m[1]) == nov


def test_a_contract_ending_on_a_date_stops_counting_then() -> None:
    sc = scenario(FULL, [FIRM], congestion_contracts=(csc(until=dt.date(2026, 5, 15)),))
    result = simulate(sc)
    assert result.request("firm").granted_on == dt.date(2026, 3, 1)
    (out,) = result.congestion_contracts
    assert out.counts_until == dt.date(2026, 6, 1) and out.active_moments == 3
    # the firm request keeps its right: June to August the station is over its capacity
    assert result.room_frame()["S"][dt.date(2026, 6, 1)] == pytest.approx(-2.0)


# --- a CBC-T window lets a time-block request in (profile mode) -----------------------------
# The station is full 16:00-20:00 (10 of 10 MW) and carries 9.5 MW otherwise.
LOAD = np.full(STEPS, 9.5)
LOAD[64:80] = 10.0
PEAKY = grid(Station("S", offtake_mw=10, load_mw=10, load_profile_mw=LOAD))
EVENING = req(
    "evening",
    "2025-01-01",
    contract="time-block",
    capacity_blocks=("16:00-20:00",),
    restricted_kw=0,
)
ALL_DAY = req("firm", "2025-01-02")
CBC_T = CongestionContract(
    id="T1",
    station="S",
    kind="cbc-t",
    mw=2.0,
    start=dt.date(2026, 1, 1),
    until=dt.date(2030, 1, 1),
    windows=("16:00-20:00",),
    eur_per_mw_year=25_000,
)


def test_a_cbc_t_window_lets_a_time_block_request_in() -> None:
    base = scenario(PEAKY, [EVENING, ALL_DAY], capacity="profile", partial_offers=False)
    assert run(base) == {"evening": None, "firm": None}
    with_t = scenario(
        PEAKY,
        [EVENING, ALL_DAY],
        capacity="profile",
        partial_offers=False,
        congestion_contracts=(CBC_T,),
    )
    # inside 16:00-20:00 the contract makes 2 MW: the evening block fits exactly; outside
    # the windows it makes nothing, so the all-day firm 2 MW (0.5 MW free) still waits
    result = simulate(with_t)
    assert {r.id: r.granted_on for r in result.requests} == {
        "evening": dt.date(2026, 1, 1),
        "firm": None,
    }
    assert result.congestion_contracts[0].granted_with == ("evening",)


def test_cbc_a_acts_all_day_so_the_firm_request_fits_too() -> None:
    cbc_a = CongestionContract(
        id="A1", station="S", kind="cbc-a", mw=2.0, start=dt.date(2026, 1, 1),
        until=dt.date(2030, 1, 1),
    )  # fmt: skip
    sc = scenario(
        PEAKY, [ALL_DAY], capacity="profile", partial_offers=False, congestion_contracts=(cbc_a,)
    )
    assert run(sc) == {"firm": "2026-01-01"}


def test_in_peak_mode_a_cbc_t_counts_its_whole_mw() -> None:
    sc = scenario(PEAKY, [ALL_DAY], capacity="peak", congestion_contracts=(CBC_T,))
    assert run(sc) == {"firm": "2026-01-01"}


# --- a congestion reliever that relieves lets a school in earlier --------------------------
# S is full (10 of 10 MW); works add 1 MW on 2027-01-01. A school asks 500 kW (category 3),
# a battery 2 MW with 2 MW of relief at the station's peak (category 1, contract signed).
WORKS = grid(
    Station("S", offtake_mw=10, load_mw=10),
    reinforcements=(Reinforcement("RF", "S", dt.date(2027, 1, 1), offtake_mw=1.0),),
)
SCHOOL = req("school", "2025-01-01", kw=500, category="basic-needs", evidence=True)


def battery(relief_kw: float) -> Request:
    return req(
        "battery",
        "2025-06-01",
        category="congestion-reliever",
        contract_signed=True,
        relief_kw=relief_kw,
    )


def test_a_reliever_that_relieves_connects_the_school_sooner() -> None:
    sc = scenario(WORKS, [SCHOOL, battery(2000)], end="2028-01-01")
    # acm-2026 ranks the battery first: steered, it claims no peak room, is granted in
    # January and credits 0.5 x 2 MW = 1 MW, in which the school's 500 kW fit at once
    assert run(sc) == {"school": "2026-01-01", "battery": "2026-01-01"}
    # first come first served walks the school first (no room), then the battery: the
    # school gets the credited room a month later. Relievers first is sooner, not later.
    assert run(sc, policy="fcfs") == {"school": "2026-02-01", "battery": "2026-01-01"}


def test_without_relief_the_reliever_first_rule_delays_the_school() -> None:
    sc = scenario(WORKS, [SCHOOL, battery(0)], end="2028-01-01")
    # the old model: the battery claims 2 MW like any firm request; in 2027 it is offered
    # the 1 MW the works bring and the school, ranked behind it, never gets in
    result = simulate(sc)
    assert result.request("school").granted_on is None
    assert [(o.on, o.kw) for o in result.request("battery").offers] == [
        (dt.date(2027, 1, 1), 1000.0)
    ]


def test_no_credit_means_no_room_for_others() -> None:
    sc = scenario(WORKS, [SCHOOL, battery(2000)], end="2028-01-01", relief_credit=0.0)
    assert run(sc) == {"school": "2027-01-01", "battery": "2026-01-01"}


def test_relief_is_credited_upstream_too() -> None:
    g = grid(
        Station("R", offtake_mw=10, load_mw=10),
        Station("S", parent="R", offtake_mw=5, load_mw=0),
        Station("T", parent="R", offtake_mw=5, load_mw=0),
    )
    school_t = req("school", "2025-01-01", kw=500, station="T", category="basic-needs",
                   evidence=True)  # fmt: skip
    assert run(scenario(g, [school_t, battery(2000)])) == {
        "school": "2026-01-01",
        "battery": "2026-01-01",
    }


# --- bad input --------------------------------------------------------------------------------
def test_bad_contracts_are_refused_with_the_field() -> None:
    with pytest.raises(InputError) as err:
        CongestionContract(id="X", station="S", kind="cbc-t", mw=1, start=dt.date(2026, 1, 1),
                           until=dt.date(2027, 1, 1))  # fmt: skip
    assert err.value.field == "windows"
    with pytest.raises(InputError) as err:
        CongestionContract(id="X", station="S", kind="cbc", mw=1, start=dt.date(2026, 1, 1),
                           until=dt.date(2027, 1, 1))  # type: ignore[arg-type]  # fmt: skip
    assert err.value.field == "kind"
    with pytest.raises(InputError) as err:
        scenario(FULL, [FIRM], congestion_contracts=(csc(until="NOPE"),))
    assert err.value.field == "until" and "NOPE" in err.value.message
    with pytest.raises(InputError) as err:
        scenario(FULL, [FIRM], relief_credit=1.5)
    assert err.value.field == "congestion_management.relief_credit"
    with pytest.raises(InputError) as err:
        req("x", "2025-01-01", relief_kw=100)
    assert err.value.field == "relief_kw"


# --- properties -------------------------------------------------------------------------------
@settings(max_examples=60, deadline=None)
@given(st.integers(min_value=0, max_value=10**6), st.sampled_from(FITS))
def test_no_node_above_capacity_contracts_and_credited_relief(seed: int, fit: str) -> None:
    """At every moment, every offtake node on the path of a request offered room then holds
    no more than its capacity + the contracts counting then + the relief credited so far."""
    sc = random_cm_scenario(seed)
    c = compile_scenario(sc, fit=fit)
    raw = run_compiled(c)
    g = sc.grid
    n_m = len(c.moments)
    # the effective capacity rebuilt independently from the inputs
    want = g.capacity_mw(c.moments, reinforcement_moments=raw.reinforcement_m)
    days = [m.toordinal() for m in c.moments]
    rf_day = {rf.id: rf.date for rf in g.reinforcements}
    for ctr in sc.congestion_contracts:
        until = ctr.until if isinstance(ctr.until, dt.date) else rf_day[ctr.until]
        on = [ctr.start.toordinal() <= d < until.toordinal() for d in days]
        for node in g.ancestors[g.index(ctr.station)]:
            if node >= 0:
                want[0, node, on] += ctr.mw
    for i, r in enumerate(sc.requests):
        if c.steered[i] and raw.walk.status[i] == GRANTED:
            for node in g.ancestors[g.index(r.station)]:
                if node >= 0:
                    want[0, node, int(raw.walk.grant_m[i]) :] += (
                        sc.relief_credit * r.relief_kw / 1000
                    )
    assert raw.cap == pytest.approx(want, abs=1e-9)
    for r, m in zip(raw.offer_r, raw.offer_m, strict=True):
        if c.direction[r] != 0 or raw.walk.outside[r]:
            continue
        for node in g.ancestors[c.station[r]]:
            if node >= 0 and not c.steered[r]:
                assert raw.walk.room_hist_mw[0, node, m] >= -1e-9, (seed, int(r), int(m), int(node))
    assert n_m == raw.walk.room_hist_mw.shape[2]


def test_scenarios_without_contracts_compile_as_before() -> None:
    sc = random_scenario(7)
    c = compile_scenario(sc)
    assert c.ctr_mw.size == 0 and not c.steered.any() and not c.relief_add.any()
    assert simulate(sc).congestion_contracts == ()
    assert "congestion_contracts" not in simulate(sc).to_json_dict()


# --- the scenario file -----------------------------------------------------------------------
TOML = """
[scenario]
start = 2026-01-01
end = 2027-01-01

[[station]]
id = "S"
offtake_mw = 10
load_mw = 10
congestion_study = "study"

[[reinforcement]]
id = "RF"
station = "S"
date = 2026-09-01
offtake_mw = 3

[congestion_management]
relief_credit = 0.25

[[congestion_contract]]
id = "C1"
station = "S"
kind = "csc"
mw = 2
start = 2026-03-01
until = "RF"
eur_per_mw_year = 40000

[[congestion_contract]]
id = "T1"
station = "S"
kind = "cbc-t"
mw = 1
start = "2026-01-01"
until = "2026-06-01"
windows = ["16:00-20:00"]

[[request]]
id = "firm"
station = "S"
kw = 2000
submitted = 2025-01-01

[[request]]
id = "battery"
station = "S"
kw = 1000
submitted = 2025-01-01
category = "congestion-reliever"
contract_signed = true
relief_kw = 800
"""


def test_the_scenario_file_reads_contracts_credit_relief_and_study(tmp_path: Path) -> None:
    path = tmp_path / "cm.toml"
    path.write_text(TOML)
    sc = load_scenario(path)
    assert sc.relief_credit == 0.25
    c1, t1 = sc.congestion_contracts
    assert (c1.kind.value, c1.mw, c1.until, c1.eur_per_mw_year) == ("csc", 2.0, "RF", 40000.0)
    assert (t1.until, t1.windows) == (dt.date(2026, 6, 1), ("16:00-20:00",))
    assert sc.request("battery").relief_kw == 800
    assert sc.grid.station("S").congestion_study == "study"
    result = simulate(sc)
    # January: T1 (1 MW, peak mode) + battery credit 0.2 MW is 1.2 MW: not enough for
    # 2 MW whole, so 1,200 kW are offered; March: C1 adds 2 MW and the rest (800 kW) fits
    firm = result.request("firm")
    assert [(o.on, o.kw) for o in firm.offers] == [
        (dt.date(2026, 1, 1), 1200.0),
        (dt.date(2026, 3, 1), 800.0),
    ]
    # T1 was needed in January for the firm offer; the steered battery took no room
    assert result.congestion_contracts[1].granted_with == ("firm",)
    assert result.congestion_contracts[1].granted_with_kw == pytest.approx(1200)
    # the study running makes the station amber on the map, whatever its room
    (entry,) = result.capacity_map()
    assert entry.demand_constraint.value == "amber"


@pytest.mark.parametrize(
    ("old", "new", "field", "line"),
    [
        ('kind = "csc"', 'kind = "cbc"', "kind", 21),
        ('until = "RF"', 'until = "RF9"', "until", 21),
        ("mw = 2\n", "mw = -2\n", "mw", 21),
        ('windows = ["16:00-20:00"]', "", "windows", 30),
        ("eur_per_mw_year = 40000", "eur = 40000", "eur", 21),
        ("relief_credit = 0.25", "relief_credit = 2", "congestion_management.relief_credit", None),
        ('congestion_study = "study"', 'congestion_study = "maybe"', "congestion_study", 6),
    ],
)
def test_bad_keys_name_the_file_line_and_field(
    tmp_path: Path, old: str, new: str, field: str, line: int | None
) -> None:
    path = tmp_path / "cm.toml"
    assert old in TOML
    path.write_text(TOML.replace(old, new, 1))
    with pytest.raises(InputError) as err:
        load_scenario(path)
    assert err.value.field == field
    assert err.value.source == str(path)
    if line is not None:
        assert err.value.line == line


def test_a_study_result_with_no_room_left_is_red() -> None:
    from netruimte.grid.capacity_map import constraint_colour

    assert constraint_colour(10, 10, 0, 0).value == "amber"
    assert constraint_colour(10, 10, 0, 0, congestion_study="result").value == "red"
    assert constraint_colour(10, 5, 0, 0, congestion_study="result").value == "green"
    assert constraint_colour(10, 5, 0, 0, congestion_study="announced").value == "amber"
    assert constraint_colour(10, 5, 6, 1, congestion_study="result").value == "red"


@settings(max_examples=25, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_profile_mode_contract_equivalences(seed: int) -> None:
    """Profile mode, random stations and requests: a CBC-T whose window is the whole day is a
    CBC-A; a CSC counting over the whole horizon is the same as that much more capacity."""
    sc = _random_profile_scenario(seed)
    rng = np.random.default_rng([seed, 5])
    target = sc.grid.stations[int(rng.integers(0, len(sc.grid)))]
    mw = float(rng.integers(1, 6))

    def with_contract(kind: str, windows: tuple[str, ...]) -> dict[str, str | None]:
        ctr = CongestionContract(
            id="K", station=target.id, kind=kind, mw=mw,  # type: ignore[arg-type]
            start=sc.start, until=dt.date(2100, 1, 1), windows=windows,
        )  # fmt: skip
        return run(replace(sc, congestion_contracts=(ctr,)))

    all_day = with_contract("cbc-t", ("00:00-24:00",))
    assert all_day == with_contract("cbc-a", ())
    assert all_day == with_contract("csc", ())
    # the contract counts at its station and every node above it: raise them all
    above = set(sc.grid.path(target.id))
    bigger = replace(
        sc.grid,
        stations=tuple(
            replace(s, offtake_mw=s.offtake_mw + mw) if s.id in above else s
            for s in sc.grid.stations
        ),
    )
    assert all_day == run(replace(sc, grid=bigger))


# --- a request and a congestion contract check their id and station the same way -----------
@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda rid, station: req(rid, "2025-01-01", station=station), "request"),
        (
            lambda rid, station: CongestionContract(
                rid, station, "csc", 1.0, dt.date(2025, 1, 1), dt.date(2026, 1, 1)
            ),
            "congestion contract",
        ),
    ],
)
def test_id_and_station_are_checked(make: object, what: str) -> None:
    build = make  # (id, station) -> the object
    assert callable(build)
    with pytest.raises(InputError) as err:
        build("  ", "S")
    assert (err.value.message, err.value.field) == (f"a {what} needs a non-empty string id", "id")
    with pytest.raises(InputError) as err:
        build("x1", "")
    assert (err.value.message, err.value.field) == (
        f"{what} 'x1': station must be a station id",
        "station",
    )
    with pytest.raises(InputError) as err:
        build(7, "S")
    assert err.value.field == "id"


def test_restricted_and_used_kw_are_checked_alike() -> None:
    for name in ("restricted_kw", "used_kw"):
        for value in (-1.0, 2500.0):
            with pytest.raises(InputError) as err:
                req("r1", "2025-01-01", **{name: value})
            assert err.value.message == f"request 'r1': {name} must be between 0 and kw (2000)"
            assert err.value.field == name
        assert getattr(req("r1", "2025-01-01", **{name: 500}), name) == 500.0
    assert req("r1", "2025-01-01").used_kw is None  # optional
    with pytest.raises(InputError) as err:
        req("r1", "2025-01-01", restricted_kw=None)  # not optional
    assert err.value.field == "restricted_kw"
