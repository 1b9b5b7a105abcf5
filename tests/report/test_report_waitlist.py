"""The waiting-list report builder, its numbers, and the applicant's account."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.errors import InputError
from netruimte.grid import Grid, Reinforcement, Station
from netruimte.report import Details, Figure, Note, Paragraph, Table, render_html
from netruimte.report.applicant import applicant_account, render_account
from netruimte.report.waitlist import build_waitlist_report, synthetic_note
from netruimte.report.waitlist_data import (
    category_summary,
    group_by_top,
    kaplan_meier,
    queue_mw,
    requests_frame,
    stations_frame,
    timeline,
)
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import Request, Scenario, monte_carlo, simulate
from tests.waitlist.national import national_scenario

EXAMPLE = Path(__file__).parents[2] / "examples" / "waitlist" / "flevoland-small.toml"


@pytest.fixture(scope="module")
def example() -> Scenario:
    return load_scenario(EXAMPLE)


@pytest.fixture(scope="module")
def reduced() -> Scenario:
    return national_scenario(4, n_regions=3, n_stations=24, n_offtake=700, n_feedin=400, years=4)


# -- Kaplan-Meier ---------------------------------------------------------------------------


def test_kaplan_meier_by_hand():
    # months: granted after 0, 1, 2; seen waiting until 1 and 3 (censored)
    curve = kaplan_meier(np.array([0, 1, 1, 2, 3]), np.array([True, True, False, True, False]))
    # S(0) = 4/5, S(1) = 4/5 * 3/4, S(2) = 0.6 * 1/2 (risk set {2, 3}), S(3) = 0.3
    assert curve.connected == pytest.approx([0.2, 0.4, 0.7, 0.7])
    assert curve.median_text() == "2" and curve.n == 5 and curve.followed == 3
    never = kaplan_meier(np.array([5, 7]), np.array([False, False]))
    assert never.connected.max() == 0 and never.median_text() == "> 7"
    assert kaplan_meier(np.array([], dtype=np.int64), np.array([], dtype=bool)).median_text() == "–"


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(0, 30), min_size=1, max_size=40))
def test_kaplan_meier_without_censoring_is_the_empirical_cdf(durations):
    d = np.array(durations)
    curve = kaplan_meier(d, np.ones(d.size, dtype=bool))
    for t, share in zip(curve.months, curve.connected, strict=True):
        assert share == pytest.approx(np.mean(d <= t))


# -- numbers from a result ------------------------------------------------------------------


def test_queue_equals_the_waiting_mw_of_runs_cut_at_each_moment(example, reduced):
    """An independent check: cut the horizon after moment k; the cut run's stations report
    the queue at k as their waiting MW."""
    for sc, policy in ((example, "acm-2026"), (example, "fcfs"), (reduced, "in-force")):
        res = simulate(sc, policy=policy)
        tl = timeline(sc, res)
        queue = {d: queue_mw(sc, tl, d) for d in ("offtake", "feed-in")}
        moments = res.moments
        for k in (0, 5, 17, 30, len(moments) - 1):
            cut = (
                res
                if k == len(moments) - 1
                else simulate(replace(sc, end=moments[k + 1]), policy=policy)
            )
            for j, stn in enumerate(cut.stations):
                assert queue["offtake"].iloc[k, j] == pytest.approx(stn.waiting_mw, abs=1e-6)
                assert queue["feed-in"].iloc[k, j] == pytest.approx(stn.waiting_feedin_mw, abs=1e-6)
        own = queue_mw(sc, tl, "offtake", subtree=False)
        tops = group_by_top(own, sc)
        for top in tops.columns:
            assert np.allclose(tops[top], queue["offtake"][top])


def test_timeline_waits_match_the_explanations(example):
    res = simulate(example)
    tl = timeline(example, res)
    for i, out in enumerate(res.requests):
        said = re.search(r"after waiting (\d+) months", out.explanation)
        if out.granted_on is None:
            assert tl.wait_m[i] == -1
        else:
            assert tl.wait_m[i] == (int(said.group(1)) if said else 0)
    summary = category_summary(tl)
    assert summary["requests"].sum() == 21
    assert summary["granted"].sum() == sum(o.granted_on is not None for o in res.requests)
    assert summary["withdrawn"].sum() == 1
    safety = summary.set_index("category").loc["safety (2)"]
    assert safety["median wait (months)"] == "54"


def test_frames_have_one_row_per_request_and_policy(example):
    res = simulate(example, compare="fcfs")
    req = requests_frame(example, res)
    assert len(req) == 42 and list(req["policy"].unique()) == ["acm-2026", "fcfs"]
    assert "granted_p50" not in req.columns
    # under fcfs the older requests at Almere and the region take the partial offers first
    assert req.loc[req["id"] == "R-002", "wait_months"].tolist() == [54, 84]
    sta = stations_frame(res)
    assert len(sta) == 8
    assert sta.loc[sta["id"] == "ALM", "room_feedin_mw"].isna().all()  # no feed-in limit
    mc = monte_carlo(example, 8, 2)
    assert {"granted_p10", "granted_p50", "granted_p90", "withdrawn_share"} <= set(
        requests_frame(example, mc).columns
    )


def test_result_of_another_scenario_is_refused(example, reduced):
    with pytest.raises(InputError, match="does not belong"):
        timeline(reduced, simulate(example))


# -- the report -----------------------------------------------------------------------------


def _blocks(report):
    return [(s.heading, b) for s in report.sections for b in s.blocks]


def test_report_structure_plain_run(example):
    report = build_waitlist_report(simulate(example), example)
    top = [s.heading for s in report.sections if s.level == 2]
    assert top == [
        "Summary", "Queue over time", "Headroom over time", "Connections per year",
        "How long requests wait", "Stations", "Tables", "Every request",
    ]  # fmt: skip
    # one sub-section per station with requests, each request's explanation folded in it
    per_station = [s for s in report.sections if s.level == 3]
    asked = {r.station for r in example.requests}
    assert len(per_station) == len(asked)
    folded = [b for s in per_station for b in s.blocks if isinstance(b, Details)]
    assert sorted(d.key for d in folded) == sorted(r.id for r in example.requests)
    blocks = _blocks(report)
    kinds = [type(b) for _, b in blocks]
    # plots first, then tables
    assert max(i for i, k in enumerate(kinds) if k is Figure) < kinds.index(Table)
    assert not any(isinstance(b, Note) and b.kind == "warning" for _, b in blocks)
    summary = " ".join(b.text for h, b in blocks if h == "Summary" and isinstance(b, Paragraph))
    assert "21 requests at 4 stations" in summary and "1 withdrew" in summary


def test_report_with_compare_runs_and_synthetic_note(example):
    result = monte_carlo(example, 10, 3, compare="fcfs")
    note = synthetic_note(example.name, "SYNTHETIC example: made-up numbers.")
    report = build_waitlist_report(result, example, synthetic=note)
    headings = [s.heading for s in report.sections]
    assert "acm-2026 compared with fcfs" in headings and "Uncertainty over 10 runs" in headings
    blocks = _blocks(report)
    warning = [b for _, b in blocks if isinstance(b, Note) and b.kind == "warning"]
    assert warning and warning[0].text == "SYNTHETIC example: made-up numbers."
    assert report.sections[0].blocks[0] is warning[0]  # the first thing a reader sees
    tables = [b for _, b in blocks if isinstance(b, Table)]
    captions = " ".join(t.caption for t in tables)
    assert "compared with fcfs" in captions and "Monte Carlo over 10 runs" in captions
    assert tables[-1].interactive
    requests = tables[-1].frame
    assert {"P10", "P50", "P90", "connected (acm-2026)", "connected (fcfs)"} <= set(
        requests.columns
    )
    text = render_html(report)
    assert "Plotly.newPlot" in text and not re.search(r"<script[^>]+src=", text)


def test_report_when_nothing_waits():
    grid = Grid((Station("A", offtake_mw=10.0),))
    sc = Scenario(
        name="roomy",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 6, 1),
        grid=grid,
        requests=(Request("R1", "A", 100.0, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),),
    )
    report = build_waitlist_report(simulate(sc), sc)
    queue = next(s for s in report.sections if s.heading == "Queue over time")
    assert isinstance(queue.blocks[0], Paragraph) and "No request waits" in queue.blocks[0].text
    render_html(report)


def test_report_groups_many_stations_by_region(reduced):
    report = build_waitlist_report(simulate(reduced), reduced, max_stations=5)
    fig = next(b for _, b in _blocks(report) if isinstance(b, Figure))
    names = [trace.name for trace in fig.figure.data]
    assert all(name.startswith("TenneT region") for name in names) and len(names) == 3
    assert "top-level station" in fig.caption


def test_synthetic_note():
    assert synthetic_note("x", "Made-up numbers.\nThe requests are SYNTHETIC.") == (
        "Made-up numbers. The requests are SYNTHETIC."
    )
    assert "named \u201cnational (synthetic)\u201d" in (
        synthetic_note("national (synthetic)") or ""
    )
    assert synthetic_note("Flevoland 2026", "# sources") is None


# -- the applicant's account ----------------------------------------------------------------


def test_account_snapshots_and_reinforcement(example):
    acc = applicant_account(example, "R-016")
    assert acc.at_join is not None and acc.last_wait is not None
    assert acc.at_join.on == dt.date(2026, 1, 1) and acc.at_join.binding_station == "ALM"
    assert acc.at_join.next_reinforcement is not None
    assert acc.at_join.next_reinforcement.id == "ALM-2030"
    assert acc.last_wait.on == dt.date(2032, 12, 1) and acc.last_wait.binding_station == "FGU"
    assert [rf.id for rf in acc.freed_by] == ["FGU-2033"]
    assert acc.wait_months == 84
    # a request that fits at once has no snapshot
    now = applicant_account(example, "R-005")
    assert now.at_join is None and now.last_wait is None and now.wait_months == 0
    assert "connected at once" in render_account(now)


def test_account_of_a_request_still_waiting_at_the_end():
    grid = Grid(
        (Station("T", offtake_mw=100.0, load_mw=99.0), Station("S", 50.0, parent="T")),
        (Reinforcement("T-2040", "T", dt.date(2040, 1, 1), offtake_mw=50.0),),
    )
    sc = Scenario(
        name="full",
        start=dt.date(2026, 1, 1),
        end=dt.date(2027, 1, 1),
        grid=grid,
        requests=(
            Request("A", "S", 600.0, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),
            Request("B", "S", 2000.0, dt.datetime(2025, 2, 1, tzinfo=dt.UTC)),
        ),
        policy="fcfs",
    )
    acc = applicant_account(sc, "B")
    assert acc.outcome.granted_on is None and acc.last_wait is not None
    assert acc.last_wait.on == dt.date(2026, 12, 1)
    assert acc.last_wait.binding_station == "T"
    # the 400 kW the region had left were offered to B at once (a partial offer)
    assert acc.last_wait.binding_room_mw == pytest.approx(0.0)
    assert acc.last_wait.granted_kw == pytest.approx(400.0)
    assert acc.outcome.granted_kw == pytest.approx(400.0)
    assert (acc.last_wait.rank, acc.last_wait.rank_of, acc.last_wait.ahead_mw) == (1, 1, 0.0)
    # at the first moment A (ranked ahead) was granted: it counts as ahead then
    assert acc.at_join is not None
    assert (acc.at_join.rank, acc.at_join.rank_of) == (2, 2)
    assert acc.at_join.ahead_mw == pytest.approx(0.6)
    text = render_account(acc)
    assert "no requests ranked ahead of you" in text
    assert "not connected before the end of the horizon (2027-01-01)" in text
    assert (
        "room expected when T-2040 adds 50 MW at T (planned 2040-01-01) (after the horizon)" in text
    )
    assert "you need 1.600 MW more (you hold 400 kW from partial offers)" in text
    assert "What you can do:" not in text  # nothing fits now: no alternative to offer
    with pytest.raises(InputError, match="unknown request"):
        applicant_account(sc, "C")


def test_one_colour_per_station_across_charts(example):
    report = build_waitlist_report(simulate(example), example)
    figures = [b for _, b in _blocks(report) if isinstance(b, Figure)]
    queue, headroom = (
        figures[0].figure,
        next(
            f.figure for s in report.sections if s.heading == "Headroom over time" for f in s.blocks
        ),
    )
    in_queue = {t.name: t.line.color for t in queue.data if t.line.color != "#b8c2cc"}
    in_headroom = {t.name: t.line.color for t in headroom.data}
    common = set(in_queue) & set(in_headroom)
    assert common, "the example shows some station in both charts"
    for name in common:
        assert in_queue[name] == in_headroom[name]
    assert len(set(in_queue.values())) == len(in_queue)  # different stations, different colours


def test_aggregated_station_is_shown_apart(example):
    """A station marked aggregated leaves the charts and the per-station parts and gets its
    own section; the totals still count it. Its name alone does not make it aggregated."""
    from dataclasses import replace

    named = tuple(replace(st, name=f"{st.name}, aggregated") for st in example.grid.stations)
    by_name = replace(example, grid=replace(example.grid, stations=named))
    plain = build_waitlist_report(simulate(by_name), by_name)
    assert "Aggregated requests (shown apart)" not in [s.heading for s in plain.sections]

    stations = tuple(
        replace(st, name=f"{st.name} (rest)", aggregated=True) if st.id == "LLS" else st
        for st in example.grid.stations
    )
    grid = replace(example.grid, stations=stations)
    scenario = replace(example, grid=grid)
    report = build_waitlist_report(simulate(scenario), scenario)
    headings = [s.heading for s in report.sections]
    assert "Aggregated requests (shown apart)" in headings
    assert not any("(LLS)" in h for h in headings)
    figures = [b for _, b in _blocks(report) if isinstance(b, Figure)]
    assert not any("(rest)" in (t.name or "") for f in figures for t in f.figure.data)
    summary = next(s for s in report.sections if s.heading == "Summary").blocks
    n = len(scenario.requests)
    assert any(isinstance(b, Paragraph) and f"{n} requests" in b.text for b in summary)
