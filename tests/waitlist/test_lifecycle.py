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
    ("used_kw", "connection_kv", "request_kv", "released"),
    [
        (2000, 10.0, None, True),  # uses 40 % of 5 MW: at most half
        (3500, 10.0, None, True),  # 1.5 MW unused below 110 kV (threshold 1 MW)
        (4500, 10.0, None, False),  # 90 % used and 0.5 MW unused
        (3500, 150.0, None, False),  # 1.5 MW unused, connected at 150 kV: threshold 10 MW
        (3500, 150.0, 10.0, True),  # the request's own 10 kV connection: threshold 1 MW
        (3500, 10.0, 150.0, False),  # a 150 kV connection at a station whose default is 10
    ],
)
def test_use_it_or_lose_it_releases_after_twelve_months(
    used_kw: float, connection_kv: float, request_kv: float | None, released: bool
) -> None:
    # the station's upper voltage does not matter: a 10 kV customer at a 150/10 kV station
    # has the 1 MW threshold (Stcrt 2024-13531)
    g = Grid((Station("S", offtake_mw=10, load_mw=5, voltage_kv=150, connection_kv=connection_kv),))
    reqs = [
        Request("big", "S", 5000, "2020-01-01", used_kw=used_kw, connection_kv=request_kv),
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
    result = simulate(scenario(g, reqs, partial_offers=False))
    payload = result.to_json_dict()
    assert list(payload) == ["policy", "fit", "requests", "stations"]
    assert payload["requests"][1] == {
        "id": "wait",
        "category": "none",
        "rank": 1,
        "granted_on": None,
        "granted_kw": 0.0,
        "offers": [],
        "explanation": payload["requests"][1]["explanation"],
    }
    assert payload["requests"][0]["offers"] == [
        {"on": "2026-01-01", "kw": 500.0, "contract": "firm"}
    ]
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
