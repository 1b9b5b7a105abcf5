"""A request's explanation names the congestion contract or reliever whose room let it in.

Hand cases with exact text, and a cross-check on random scenarios: the requests whose
explanation names a contract are exactly the contract's ``granted_with`` (the results' "room
created and for whom"), and the requests naming a reliever are those an independent loop over
the kernel's offer log finds under the same rule.
"""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.grid import Reinforcement, Station
from netruimte.waitlist import Request, compile_scenario, run_compiled, simulate
from netruimte.waitlist.congestion import CongestionContract
from netruimte.waitlist.kernel_types import GRANTED
from tests.waitlist.helpers import grid, scenario
from tests.waitlist.randomcase import random_cm_scenario


def req(rid: str, submitted: str, **kw: object) -> Request:
    kw.setdefault("kw", 2000)
    kw.setdefault("station", "S")
    return Request(id=rid, submitted=submitted, **kw)  # type: ignore[arg-type]


def contract(mw: float, station: str = "S", until: dt.date | str = "RF") -> CongestionContract:
    return CongestionContract(
        id="C1",
        station=station,
        kind="csc",  # type: ignore[arg-type]
        mw=mw,
        start=dt.date(2026, 3, 1),
        until=until,
        eur_per_mw_year=40_000,
    )


# S is full (10 of 10 MW) until works add 3 MW on 2026-09-01.
FULL = grid(
    Station("S", name="OS Almere", offtake_mw=10, load_mw=10),
    reinforcements=(Reinforcement("RF", "S", dt.date(2026, 9, 1), offtake_mw=3.0),),
)


def parts(text: str) -> list[str]:
    return text.split("; ")


def test_a_grant_names_the_contract_that_let_it_in() -> None:
    sc = scenario(
        FULL,
        [req("firm", "2025-01-01"), req("late", "2025-02-01", kw=1000)],
        congestion_contracts=(contract(2.0),),
    )
    result = simulate(sc)
    firm, late = result.request("firm"), result.request("late")
    assert firm.granted_on == dt.date(2026, 3, 1)
    assert parts(firm.explanation)[-1] == (
        "room created by congestion contract C1 (2.000 MW at OS Almere, on 2026-03-01) let you in"
    )
    # the works let "late" in when the contract has ended: no contract named
    assert late.granted_on == dt.date(2026, 9, 1)
    assert "congestion contract" not in late.explanation
    assert result.congestion_contracts[0].granted_with == ("firm",)


def test_a_partial_offer_names_the_contract_whose_room_it_used() -> None:
    # the contract's 1 MW is the largest offer that fits the 3 MW request until the works
    sc = scenario(
        FULL,
        [req("big", "2025-01-01", kw=3000)],
        congestion_contracts=(contract(1.0, until=dt.date(2026, 8, 1)),),
        end="2026-08-01",
    )
    out = simulate(sc).request("big")
    assert out.status.value == "waiting"
    assert out.granted_kw == pytest.approx(1000)
    assert "partial offers taken: 1,000 kW on 2026-03-01" in parts(out.explanation)
    assert (
        "your partial offers used room created by congestion contract C1 (1.000 MW at OS Almere, "
        "on 2026-03-01)"
    ) in parts(out.explanation)


def test_a_grant_with_room_to_spare_names_no_contract() -> None:
    # 3 MW free plus the contract's 1 MW: after the 500 kW grant 3.5 MW are left, more than
    # the contract gave, so the grant did not need it (nor does the result list it)
    spare = grid(Station("S", name="OS Almere", offtake_mw=10, load_mw=7))
    sc = scenario(
        spare,
        [req("small", "2026-02-15", kw=500)],
        congestion_contracts=(contract(1.0, until=dt.date(2026, 12, 1)),),
    )
    result = simulate(sc)
    assert result.request("small").granted_on == dt.date(2026, 3, 1)
    assert "congestion contract" not in result.request("small").explanation
    assert result.congestion_contracts[0].granted_with == ()


def test_an_upstream_contract_is_named_with_its_own_station() -> None:
    two = grid(
        Station("T", name="TenneT region", offtake_mw=20, load_mw=20),
        Station("S", name="OS Almere", parent="T", offtake_mw=10, load_mw=2),
    )
    sc = scenario(
        two,
        [req("firm", "2025-01-01")],
        congestion_contracts=(contract(4.0, station="T", until=dt.date(2026, 12, 1)),),
    )
    out = simulate(sc).request("firm")
    assert parts(out.explanation)[-1] == (
        "room created by congestion contract C1 (4.000 MW at TenneT region, on 2026-03-01) "
        "let you in"
    )


# S full (10 of 10 MW), works add 1 MW in 2027; a school (500 kW, category 3) and a battery
# (2 MW, relief 2 MW, category 1, signed): credited 0.5 x 2 MW = 1 MW once granted.
WORKS = grid(
    Station("S", offtake_mw=10, load_mw=10),
    reinforcements=(Reinforcement("RF", "S", dt.date(2027, 1, 1), offtake_mw=1.0),),
)
SCHOOL = req("school", "2025-01-01", kw=500, category="basic-needs", evidence=True)
BATTERY = req(
    "battery", "2025-06-01", category="congestion-reliever", contract_signed=True, relief_kw=2000
)


@pytest.mark.parametrize(("policy", "day"), [("acm-2026", "2026-01-01"), ("fcfs", "2026-02-01")])
def test_a_grant_names_the_reliever_whose_relief_let_it_in(policy: str, day: str) -> None:
    # acm-2026 walks the battery first and the school fits in its credit the same moment;
    # first come first served walks the school first (no room yet): it gets in a month later
    result = simulate(scenario(WORKS, [SCHOOL, BATTERY], end="2028-01-01"), policy=policy)
    school = result.request("school")
    assert school.granted_on == dt.date.fromisoformat(day)
    assert parts(school.explanation)[-1] == (
        "room created by the relief of congestion reliever battery (1.000 MW credited at S, "
        f"on {day}) let you in"
    )
    assert "congestion reliever battery" not in result.request("battery").explanation


def test_a_grant_before_the_reliever_in_the_walk_names_no_relief() -> None:
    # the school alone fits (1 MW free): granted before the battery is walked, it used no
    # credit; nor does the battery's own grant
    roomy = grid(Station("S", offtake_mw=10, load_mw=9))
    result = simulate(scenario(roomy, [SCHOOL, BATTERY]), policy="fcfs")
    assert result.request("school").granted_on == dt.date(2026, 1, 1)
    assert "congestion reliever battery" not in result.request("school").explanation


RELIEF = "the relief of congestion reliever "


def _named(text: str, what: str) -> set[str]:
    """Helper ids named in an explanation as ``{what} ID (``."""
    out = set()
    for part in parts(text):
        rest = part
        while what in rest:
            rest = rest.split(what, 1)[1]
            out.add(rest.split(" (", 1)[0])
    return out


def _relief_oracle(sc: object) -> dict[str, set[str]]:
    """Request id -> relievers whose credit it used (an independent loop over the offer log)."""
    c = compile_scenario(sc)  # type: ignore[arg-type]
    raw = run_compiled(c)
    reqs = c.scenario.requests
    grid_ = c.scenario.grid
    out: dict[str, set[str]] = {}
    log = list(zip(raw.offer_r.tolist(), raw.offer_m.tolist(), strict=True))
    for q, rq in enumerate(reqs):
        if not (c.relief_add[q] > 0 and raw.walk.status[q] == GRANTED):
            continue
        up = set(grid_.path(rq.station))
        after = next(k for k, (r, _m) in enumerate(log) if r == q)
        nodes = [grid_.index(s) for s in up]
        for r, m in log[after + 1 :]:
            other = reqs[r]
            if other.direction.value != "offtake" or raw.walk.outside[r] or c.steered[r]:
                continue
            if rq.station not in grid_.path(other.station):
                continue
            if min(float(raw.walk.room_hist_mw[0, j, m]) for j in nodes) < c.relief_add[q] - 1e-9:
                out.setdefault(other.id, set()).add(rq.id)
    return out


@pytest.mark.parametrize("seed", range(120))
def test_explanations_name_the_helpers_the_results_count(seed: int) -> None:
    sc = random_cm_scenario(seed)
    result = simulate(sc)
    for ctr in result.congestion_contracts:
        naming = {
            r.id for r in result.requests if ctr.id in _named(r.explanation, "congestion contract ")
        }
        assert naming == set(ctr.granted_with), (seed, ctr.id)
    want = _relief_oracle(sc)
    got = {r.id: _named(r.explanation, RELIEF) for r in result.requests if RELIEF in r.explanation}
    assert got == want, seed
