"""One hand-made case per rule, with exact answers."""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.grid import Reinforcement, Station
from netruimte.waitlist import Category, Request, eligible_category, simulate
from netruimte.waitlist.rules import RankingInputs
from tests.waitlist.helpers import grid, monthly_mw, run, scenario

ONE_PER_MONTH = grid(
    Station("S", offtake_mw=10, load_mw=10),
    reinforcements=monthly_mw("S", 1.0, "2026-01-01", 12),
)


def req(rid: str, submitted: str, **kw: object) -> Request:
    kw.setdefault("kw", 1000)
    kw.setdefault("station", "S")
    return Request(id=rid, submitted=submitted, **kw)  # type: ignore[arg-type]


def test_category_order_under_acm_2026() -> None:
    """1 MW room per month, four 1 MW requests: cat 1, 2, 3, none, whatever their dates."""
    reqs = [
        req("none", "2020-01-01"),
        req("cat3", "2021-01-01", category="basic-needs", function="education", evidence=True),
        req("cat2", "2022-01-01", category="safety", function="police", evidence=True),
        req("cat1", "2023-01-01", category="congestion-reliever", contract_signed=True, score=0.5),
    ]
    got = run(scenario(ONE_PER_MONTH, reqs))
    assert got == {
        "cat1": "2026-01-01",
        "cat2": "2026-02-01",
        "cat3": "2026-03-01",
        "none": "2026-04-01",
    }


def test_fcfs_ignores_categories() -> None:
    reqs = [
        req("none", "2020-01-01"),
        req("cat2", "2022-01-01", category="safety", evidence=True),
    ]
    assert run(scenario(ONE_PER_MONTH, reqs), policy="fcfs") == {
        "none": "2026-01-01",
        "cat2": "2026-02-01",
    }


def test_missing_evidence_ranks_as_none() -> None:
    reqs = [
        req("early-none", "2020-01-01"),
        req("no-evidence", "2021-01-01", category="basic-needs", function="education"),
        req("late-none", "2022-01-01"),
    ]
    result = simulate(scenario(ONE_PER_MONTH, reqs))
    assert {r.id: r.category for r in result.requests}["no-evidence"] is Category.NONE
    assert run(scenario(ONE_PER_MONTH, reqs)) == {
        "early-none": "2026-01-01",
        "no-evidence": "2026-02-01",
        "late-none": "2026-03-01",
    }
    assert "without evidence" in result.request("no-evidence").explanation


def test_feed_in_never_gets_category_2_or_3() -> None:
    r = req("f", "2020-01-01", direction="feed-in", category="safety", evidence=True)
    assert eligible_category(r) is Category.NONE
    g = grid(
        Station("S", offtake_mw=10, load_mw=0, feedin_mw=10, feedin_load_mw=10),
        reinforcements=(
            Reinforcement("a", "S", dt.date(2026, 1, 1), feedin_mw=1),
            Reinforcement("b", "S", dt.date(2026, 2, 1), feedin_mw=1),
        ),
    )
    reqs = [
        req("feed-safety", "2022-01-01", direction="feed-in", category="safety", evidence=True),
        req("feed-none", "2021-01-01", direction="feed-in"),
    ]
    assert run(scenario(g, reqs)) == {"feed-safety": "2026-02-01", "feed-none": "2026-01-01"}
    result = simulate(scenario(g, reqs))
    assert "feed-in never gets category 2/3" in result.request("feed-safety").explanation


def test_fcfs_inside_a_category_then_id() -> None:
    reqs = [
        req("b", "2021-06-01T10:00:00+02:00", category="basic-needs", evidence=True),
        req("a", "2021-06-01T10:00:00+02:00", category="basic-needs", evidence=True),
        req("c", "2021-01-01", category="basic-needs", evidence=True),
    ]
    assert run(scenario(ONE_PER_MONTH, reqs)) == {
        "c": "2026-01-01",
        "a": "2026-02-01",
        "b": "2026-03-01",
    }


def test_category_1_by_score_under_2026_and_by_date_under_2024() -> None:
    reqs = [
        req("low", "2020-01-01", category="congestion-reliever", contract_signed=True, score=0.2),
        req("high", "2021-01-01", category="congestion-reliever", contract_signed=True, score=0.9),
        req("none", "2022-01-01", category="congestion-reliever", contract_signed=True),
        req("unsigned", "2019-01-01", category="congestion-reliever", score=1.0),
    ]
    assert run(scenario(ONE_PER_MONTH, reqs), policy="acm-2026") == {
        "high": "2026-01-01",
        "low": "2026-02-01",
        "none": "2026-03-01",
        "unsigned": "2026-04-01",
    }
    assert run(scenario(ONE_PER_MONTH, reqs), policy="acm-2024") == {
        "low": "2026-01-01",
        "high": "2026-02-01",
        "none": "2026-03-01",
        "unsigned": "2026-04-01",
    }


def test_small_consumers_stand_outside_the_queue_before_2026_07_01() -> None:
    """Small consumers draw no queue headroom before 2026-07-01 (no reserve modelled)."""
    g = grid(
        Station("S", offtake_mw=10, load_mw=10),
        reinforcements=monthly_mw("S", 0.05, "2026-05-01", 4),
    )
    reqs = [
        req("big-early", "2020-01-01", kw=50, category="basic-needs", evidence=True),
        req("small-late", "2025-01-01", kw=50, small_consumer=True),
        req("big-2", "2020-02-01", kw=50, category="basic-needs", evidence=True),
        req("small-2", "2025-02-01", kw=50, small_consumer=True),
    ]
    sc = scenario(g, reqs, start="2026-04-01")
    # the full station does not hold them up, and they take nothing from the queue: each
    # monthly 50 kW goes to the queue in rank order
    assert run(sc) == {
        "small-late": "2026-04-01",
        "small-2": "2026-04-01",
        "big-early": "2026-05-01",
        "big-2": "2026-06-01",
    }
    for policy in ("fcfs", "acm-2024", "in-force"):  # under every regime
        assert run(sc, policy=policy)["small-2"] == "2026-04-01"
    out = simulate(sc).request("small-2")
    assert out.outside_queue and out.rank is None
    assert simulate(sc).stations[0].allocated_mw == pytest.approx(0.1)  # the two big ones


def test_small_consumer_reserve_is_a_first_come_line_then_they_join_the_list() -> None:
    g = grid(
        Station("S", offtake_mw=10, load_mw=10, small_consumer_reserve_mw=0.06),
        reinforcements=monthly_mw("S", 0.05, "2026-05-01", 4),
    )
    reqs = [
        req("big-early", "2020-01-01", kw=50, category="basic-needs", evidence=True),
        req("small-late", "2025-01-01", kw=50, small_consumer=True),
        req("big-2", "2020-02-01", kw=50, category="basic-needs", evidence=True),
        req("small-2", "2025-02-01", kw=50, small_consumer=True),
        req("small-3", "2025-03-01", kw=10, small_consumer=True),
    ]
    sc = scenario(g, reqs, start="2026-04-01")
    # 60 kW reserved: small-late takes 50; small-2 (50) does not fit the 10 left and small-3
    # queues behind it in the reserve's own line (first come, first served) although 10 kW
    # would fit. From 2026-07-01 they join the list, ranked by purpose (none, after the
    # category-3 requests) and take the queue's room: July's 50 kW goes to small-2; the
    # reserve serves only moments before 2026-07-01, so small-3 waits for August's 50 kW.
    assert run(sc) == {
        "small-late": "2026-04-01",
        "big-early": "2026-05-01",
        "big-2": "2026-06-01",
        "small-2": "2026-07-01",
        "small-3": "2026-08-01",
    }


def test_start_not_on_the_first_is_a_moment() -> None:
    g = grid(Station("S", offtake_mw=10, load_mw=0))
    sc = scenario(g, [req("x", "2026-01-10"), req("y", "2026-01-20")], start="2026-01-15")
    assert sc.moments[:2] == (dt.date(2026, 1, 15), dt.date(2026, 2, 1))
    assert run(sc) == {"x": "2026-01-15", "y": "2026-02-01"}


def test_upstream_node_blocks_a_request_with_local_room() -> None:
    g = grid(
        Station("TOP", offtake_mw=100, load_mw=99.5, name="Region"),
        Station("S", offtake_mw=10, load_mw=0, parent="TOP", name="Station"),
    )
    reqs = [req("x", "2020-01-01"), req("small", "2021-01-01", kw=400)]
    whole = simulate(scenario(g, reqs, partial_offers=False))
    assert whole.request("x").granted_on is None
    assert whole.request("x").binding_station == "TOP"
    assert "Region has 0.100 MW left" in whole.request("x").explanation
    assert whole.request("small").granted_on == dt.date(2026, 1, 1)
    # with partial offers the first in line is offered the 500 kW the region has left
    result = simulate(scenario(g, reqs))
    x = result.request("x")
    assert (x.granted_on, x.granted_kw, x.binding_station) == (None, 500, "TOP")
    assert result.request("small").granted_kw == 0


def test_strict_versus_first_fit() -> None:
    g = grid(
        Station("TOP", offtake_mw=10, load_mw=8),
        Station("A", offtake_mw=10, load_mw=0, parent="TOP"),
        Station("B", offtake_mw=10, load_mw=0, parent="TOP"),
        Station("C", offtake_mw=10, load_mw=10, parent=None),
    )
    reqs = [
        req("big", "2020-01-01", station="A", kw=3000),
        req("small-same-path", "2021-01-01", station="B", kw=1000),
        req("other-tree", "2021-02-01", station="C", kw=1000, direction="feed-in"),
        req("feedin-same-path", "2021-03-01", station="A", kw=1000, direction="feed-in"),
    ]
    sc = scenario(g, reqs, end="2026-02-01", partial_offers=False)
    assert run(sc, fit="first-fit") == {
        "big": None,
        "small-same-path": "2026-01-01",
        "other-tree": "2026-01-01",
        "feedin-same-path": "2026-01-01",
    }
    strict = simulate(sc, fit="strict")
    assert {r.id: r.granted_on is not None for r in strict.requests} == {
        "big": False,
        "small-same-path": False,  # TOP is full for "big": nothing below TOP passes it
        "other-tree": True,
        "feedin-same-path": True,  # other direction
    }
    assert strict.request("small-same-path").blocked
    assert "(strict)" in strict.request("small-same-path").explanation


def test_node_without_feedin_limit_does_not_limit_feed_in() -> None:
    g = grid(Station("S", offtake_mw=1, load_mw=1))
    assert run(scenario(g, [req("pv", "2020-01-01", direction="feed-in", kw=50_000)])) == {
        "pv": "2026-01-01"
    }


def test_ranking_inputs_order_ids_by_string() -> None:
    reqs = [req("b", "2020-01-01"), req("a", "2020-01-01"), req("c", "2020-01-01")]
    inputs = RankingInputs.from_requests(reqs)
    assert list(inputs.id_rank) == [1, 0, 2]


@pytest.mark.parametrize("policy", ["fcfs", "acm-2024", "acm-2026", "in-force"])
def test_every_policy_reports_eligible_category(policy: str) -> None:
    reqs = [req("x", "2020-01-01", category="safety", evidence=True)]
    result = simulate(scenario(ONE_PER_MONTH, reqs), policy=policy)
    assert result.to_json_dict()["requests"][0]["category"] == "safety"
