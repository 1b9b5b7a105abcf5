"""Withdrawal, use it or lose it, result JSON and the published capacity-map state."""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.grid import Constraint, Grid, Station
from netruimte.waitlist import Request, Status, UseItOrLoseIt, explain, simulate
from tests.waitlist.helpers import monthly_mw, scenario


def test_withdrawn_request_leaves_the_queue_and_frees_its_place() -> None:
    g = Grid((Station("S", offtake_mw=10, load_mw=10),), monthly_mw("S", 1.0, "2026-03-01", 1))
    reqs = [
        Request("first", "S", 1000, "2020-01-01", withdrawn=dt.date(2026, 2, 15)),
        Request("second", "S", 1000, "2021-01-01"),
    ]
    result = simulate(scenario(g, reqs))
    first = result.request("first")
    assert (first.status, first.withdrawn_on, first.granted_on) == (
        Status.WITHDRAWN,
        dt.date(2026, 3, 1),
        None,
    )
    assert result.request("second").granted_on == dt.date(2026, 3, 1)
    assert "withdrawn on 2026-03-01" in first.explanation


@pytest.mark.parametrize(
    ("used_kw", "voltage_kv", "released"),
    [
        (2000, None, True),  # uses 40 % of 5 MW: at most half
        (3500, None, True),  # 1.5 MW unused below 110 kV (threshold 1 MW)
        (4500, None, False),  # 90 % used and 0.5 MW unused
        (3500, 150.0, False),  # 1.5 MW unused at 150 kV: the threshold is 10 MW
    ],
)
def test_use_it_or_lose_it_releases_after_twelve_months(
    used_kw: float, voltage_kv: float | None, released: bool
) -> None:
    g = Grid((Station("S", offtake_mw=10, load_mw=5, voltage_kv=voltage_kv),))
    reqs = [
        Request("big", "S", 5000, "2020-01-01", used_kw=used_kw),
        Request("next", "S", 1000, "2021-01-01"),
    ]
    sc = scenario(g, reqs, end="2028-01-01", use_it_or_lose_it=UseItOrLoseIt())
    result = simulate(sc)
    big = result.request("big")
    assert big.granted_on == dt.date(2026, 1, 1)
    if released:
        assert big.released_on == dt.date(2027, 1, 1)
        assert result.request("next").granted_on == dt.date(2027, 1, 1)
        assert "use it or lose it" in big.explanation
        assert result.stations[0].allocated_mw == pytest.approx(used_kw / 1000 + 1)
    else:
        assert big.released_on is None
        assert result.request("next").granted_on is None
    # without the opt-in nothing is released
    assert simulate(scenario(g, reqs, end="2028-01-01")).request("big").released_on is None


def test_small_consumers_and_other_rights_keep_their_contract() -> None:
    g = Grid((Station("S", offtake_mw=10, load_mw=5),))
    reqs = [Request("sc", "S", 50, "2020-01-01", small_consumer=True, used_kw=1)]
    sc = scenario(g, reqs, end="2028-01-01", use_it_or_lose_it=UseItOrLoseIt())
    assert simulate(sc).request("sc").released_on is None


def test_result_json_shape_and_capacity_map() -> None:
    g = Grid(
        (
            Station("T", offtake_mw=20, load_mw=10, feedin_mw=5, name="Top"),
            Station("A", offtake_mw=10, load_mw=9, parent="T"),
        )
    )
    reqs = [
        Request("ok", "A", 500, "2020-01-01"),
        Request("wait", "A", 2000, "2020-02-01"),
        Request("pv", "T", 1000, "2020-01-01", direction="feed-in"),
    ]
    result = simulate(scenario(g, reqs))
    payload = result.to_json_dict()
    assert list(payload) == ["policy", "fit", "requests", "stations"]
    assert payload["requests"][1] == {
        "id": "wait",
        "category": "none",
        "rank": 1,
        "granted_on": None,
        "explanation": payload["requests"][1]["explanation"],
    }
    assert payload["stations"] == [
        {"id": "T", "offtake_mw": 20.0, "allocated_mw": 0.5, "waiting_mw": 2.0},
        {"id": "A", "offtake_mw": 10.0, "allocated_mw": 0.5, "waiting_mw": 2.0},
    ]
    entries = {e.short_code: e for e in result.capacity_map()}
    assert entries["A"].demand_available_capacity == 10
    assert entries["A"].demand_quoted_capacity == pytest.approx(9.5)
    assert entries["A"].demand_requests_in_queue == 1
    assert entries["A"].demand_constraint is Constraint.RED
    assert entries["T"].generation_quoted_capacity == pytest.approx(1.0)
    frame = result.room_frame()
    assert frame.shape == (12, 2) and frame.iloc[0]["A"] == pytest.approx(0.5)
    assert "Binding node: full at A" in explain(result, "wait")
    with pytest.raises(KeyError):
        explain(result, "nope")
