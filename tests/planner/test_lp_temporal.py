"""The time decomposition of min-cost against the monolithic LP, on random small sites.

Sites start a day or two before a month ends, so the profile has two segments (two calendar
months) that the decomposition solves apart, tied by the contracted kW, the sizing and the
state of charge at the month start. Every feature can appear: PV and battery sizing,
restriction windows, a fixed or chosen import limit, monthly kW-max, a price series,
curtailable and shiftable loads (a window across the month start is split there, and the
energy it receives before the start is one more master variable).
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from netruimte.planner import PV, Battery, Connection, Objective, Site, Tariff
from netruimte.planner.lp import PlanStatus, lp_inputs, min_cost
from netruimte.planner.lp.builder import Mode, ModelSpec, build_model
from netruimte.planner.lp.decompose import initial_sizing
from netruimte.planner.lp.plan import penalty_eur_per_kwh
from netruimte.planner.lp.segments import sizing_bounds, split_occurrences
from netruimte.planner.lp.solve import LpSolver, SolveStatus
from netruimte.planner.lp.temporal import (
    segment_bounds,
    solve_by_time_decomposition,
    time_decomposable,
)
from tests.planner.strategies import sites
from tests.planner.test_lp_properties import SETTINGS, _check_plan, _solve, cost_sites

# The last day of a month (after the spring DST switch; in winter and autumn), so that a
# profile of 100-200 quarter-hours crosses into the next month.
MONTH_ENDS = ("2025-01-31", "2025-03-31", "2025-10-31")


def crossing_sites() -> st.SearchStrategy[Site]:
    return cost_sites(base=sites(max_shiftable=1, min_steps=100, start_days=MONTH_ENDS))


@settings(SETTINGS, max_examples=60)
@given(crossing_sites())
def test_time_decomposition_is_within_its_gap_of_the_full_lp(site: Site) -> None:
    _check_within_gap(site)


@st.composite
def night_window_sites(draw: st.DrawFn) -> Site:
    """A crossing site with one more shiftable load whose daily window runs over midnight,
    so that its occurrence on the month's last night is split at the month start."""
    import datetime as dt

    from netruimte.planner import DailyWindow, ShiftableLoad

    site = draw(crossing_sites())
    start = dt.time(draw(st.integers(18, 23)), 15 * draw(st.integers(0, 3)))
    stop = dt.time(draw(st.integers(1, 7)))
    max_kw = draw(st.floats(1.0, 40.0))
    hours = (24 - start.hour - start.minute / 60) + stop.hour
    daily_kwh = draw(st.floats(0.0, 0.9 * max_kw * hours))
    night = ShiftableLoad("night", daily_kwh, max_kw, DailyWindow(start, stop))
    return dataclasses.replace(site, shiftable=(*site.shiftable, night))


@settings(SETTINGS, max_examples=40)
@given(night_window_sites())
def test_a_split_window_is_within_its_gap_of_the_full_lp(site: Site) -> None:
    """Every feature, and a window cut at the month start (its energy before the start a
    master variable): the plan by months is still within its proven gap of the full LP."""
    _check_within_gap(site)


def _check_within_gap(site: Site) -> None:
    inp = lp_inputs(site)
    if not time_decomposable(inp):
        event("not decomposable")
        return  # unbounded contracted kW
    if split_occurrences(inp, segment_bounds(inp)):
        event("a window split at the month start")
    full = _solve(site, method="lp")
    split = _solve(site, method="temporal")
    if full is None or split is None:
        assert full is None and split is None
        return
    assert full.status is split.status
    if full.status is PlanStatus.INFEASIBLE:
        event("infeasible")
        return
    event("compared")
    assert split.method == "temporal"
    _check_plan(site, split)
    assert full.annual_cost_eur is not None
    assert split.annual_cost_eur is not None
    assert split.lower_bound_eur is not None and split.gap is not None
    # Solver tolerances: HiGHS's 1e-7 on kW-sized columns priced at tens of EUR per kW gives
    # objective noise of ~1e-5 EUR; a site whose optimum is ~1e-5 EUR (found by hypothesis:
    # 1.04e-5 EUR from the full LP, 1.2e-7 EUR from the decomposition) needs a floor above it.
    money = 1e-5 * max(10.0, abs(full.annual_cost_eur))
    # The full LP's optimum lies between the bounds the time decomposition proved ...
    assert split.lower_bound_eur <= full.annual_cost_eur + money
    # ... so its plan is at most the gap it reports above the optimum, and that gap is 0.1 %.
    assert split.annual_cost_eur >= full.annual_cost_eur - money
    assert (
        split.annual_cost_eur
        <= full.annual_cost_eur + split.gap * abs(split.annual_cost_eur) + money
    )
    # The engine stops at upper − lower <= max(1e-3 × |upper|, 1e-6 EUR); the reported cost is
    # re-priced from the plan, so on a site of ~1e-4 EUR the absolute test needs the same floor.
    assert split.gap <= 1e-3 + 1e-9 or split.annual_cost_eur - split.lower_bound_eur <= money


def _two_month_site(**tariff: float) -> Site:
    """Two days across 31 January / 1 February: flat 10 kW, a cheap night and a dear day."""
    index = pd.date_range("2025-01-31", periods=192, freq="15min", tz="Europe/Amsterdam")
    hour = np.asarray(index.hour)
    price = pd.Series(np.where((hour >= 8) & (hour < 20), 0.40, 0.10), index=index)
    return Site(
        name="two months",
        load_kw=pd.Series(np.where((hour >= 8) & (hour < 20), 40.0, 10.0), index=index),
        objective=Objective.MIN_COST,
        pv=PV(
            kw_per_kwp=pd.Series(np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None), index=index),
            max_kwp=50.0,
            cost_eur_per_kwp_year=60.0,
        ),
        battery=Battery(
            max_energy_kwh=300.0,
            max_power_kw=60.0,
            cost_eur_per_kwh_year=20.0,
            cost_eur_per_kw_year=10.0,
            roundtrip_efficiency=0.9,
        ),
        connection=Connection(import_kw=None, export_kw=20.0),
        tariff=Tariff(energy_eur_per_kwh=price, feed_in_eur_per_kwh=0.02, **tariff),
    )


@pytest.mark.parametrize("kwmax", [0.0, 5.0])
def test_two_months_match_the_full_lp(kwmax: float) -> None:
    site = _two_month_site(contracted_eur_per_kw_year=3000.0, kwmax_eur_per_kw_month=kwmax)
    inp = lp_inputs(site)
    assert len(segment_bounds(inp)) == 2
    full = min_cost(site, method="lp")
    split = min_cost(site, method="temporal")
    assert split.method == "temporal"
    assert full.annual_cost_eur is not None and split.annual_cost_eur is not None
    assert split.lower_bound_eur is not None
    assert split.lower_bound_eur <= full.annual_cost_eur * (1 + 1e-7)
    assert full.annual_cost_eur <= split.annual_cost_eur <= full.annual_cost_eur * (1 + 1e-3)
    # The battery carries energy across the month start: the plan's state of charge is one
    # trajectory (the dispatch checker in min_cost refuses a jump).
    assert split.dispatch is not None
    soc = split.dispatch["soc_kwh"].to_numpy()
    first_feb = int(np.flatnonzero(split.dispatch.index.month == 2)[0])
    assert abs(soc[first_feb] - soc[first_feb - 1]) <= 0.25 * split.battery_power_kw + 1e-6


@pytest.mark.parametrize("kwmax", [0.0, 5.0])
def test_day_segments_match_the_full_lp(kwmax: float) -> None:
    """Two days cut into two segments by the month start, and into 192 / 96 = 2 segments
    of a day each by ``segment_days=1`` as well: 31 January and 1 February. With a kW-max
    tariff each month's M_m is a master variable; the answer is the full LP's."""
    site = _two_month_site(contracted_eur_per_kw_year=3000.0, kwmax_eur_per_kw_month=kwmax)
    inp = lp_inputs(site)
    assert list(segment_bounds(inp, 1)) == list(segment_bounds(inp)) == [0, 96]
    three = _two_month_site(contracted_eur_per_kw_year=3000.0, kwmax_eur_per_kw_month=kwmax)
    index = pd.date_range("2025-01-30", periods=288, freq="15min", tz="Europe/Amsterdam")
    three = _resample_site(three, index)
    inp = lp_inputs(three)
    assert list(segment_bounds(inp)) == [0, 192]
    assert list(segment_bounds(inp, 1)) == [0, 96, 192]
    penalty = penalty_eur_per_kwh(inp)
    model = build_model(inp, ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty))
    optimum = LpSolver(model).solve_optimal("the full LP").objective
    x0 = initial_sizing(inp, tuple(model.columns.sizing()))
    solution, _, report = solve_by_time_decomposition(
        model, x0, penalty_eur_per_kwh=penalty, segment_days=1
    )
    assert solution is not None
    assert report.lower_bound_eur <= optimum * (1 + 1e-7)
    assert optimum * (1 - 1e-7) <= report.upper_bound_eur <= optimum * (1 + 1e-3)


def test_a_plan_trimmed_to_its_peak_import_reports_its_own_cost() -> None:
    """Hand-solvable: 2 kW in the first quarter-hour of 31 January and nothing after, a free
    battery of up to 1 kWh / 1 kW (no losses), 100 quarter-hours into 1 February. The battery
    gives 1 kW at the peak, so the least contracted kW is 1 and the cost is
    0.125 EUR/kW/year × 25 h / 8,760 h + 2 EUR/kW/month × 96 / 2,976 of January (found by
    hypothesis: the decomposition stopped at a contracted kW of 1.1, the plan's peak import
    is 1, and the report kept the dearer 1.1 as its upper bound)."""
    index = pd.date_range("2025-01-31", periods=100, freq="15min", tz="Europe/Amsterdam")
    load = pd.Series(0.0, index=index)
    load.iloc[0] = 2.0
    site = Site(
        name="one peak",
        load_kw=load,
        battery=Battery(max_energy_kwh=1.0, max_power_kw=1.0, roundtrip_efficiency=1.0),
        connection=Connection(import_kw=None),
        tariff=Tariff(contracted_eur_per_kw_year=0.125, kwmax_eur_per_kw_month=2.0),
    )
    exact = 0.125 * 25.0 / 8760.0 + 2.0 * 96.0 / 2976.0
    for method in ("lp", "temporal"):
        result = min_cost(site, method=method)
        assert result.import_kw == pytest.approx(1.0, abs=1e-7)
        assert result.annual_cost_eur == pytest.approx(exact, rel=1e-7)
        assert result.lower_bound_eur is not None
        assert result.lower_bound_eur <= result.annual_cost_eur + 1e-12
    assert result.method == "temporal"
    assert result.report is not None
    assert result.report.upper_bound_eur == result.annual_cost_eur
    assert result.report.gap == result.gap


def _resample_site(site: Site, index: pd.DatetimeIndex) -> Site:
    """The two-month site's day/night pattern on another index."""
    hour = np.asarray(index.hour)
    day = (hour >= 8) & (hour < 20)
    pv = site.pv
    assert pv is not None
    return dataclasses.replace(
        site,
        load_kw=pd.Series(np.where(day, 40.0, 10.0), index=index),
        pv=dataclasses.replace(
            pv,
            kw_per_kwp=pd.Series(np.clip(np.sin((hour - 6) / 12 * np.pi), 0, None), index=index),
        ),
        tariff=dataclasses.replace(
            site.tariff, energy_eur_per_kwh=pd.Series(np.where(day, 0.40, 0.10), index=index)
        ),
    )


def test_a_window_across_the_month_start_is_split_there() -> None:
    """A night window from 31 January 22:00 to 1 February 06:00 is cut at the month start:
    the energy it receives before midnight is a master variable, and the plan by months is
    the LP's within its gap, with the whole 50 kWh delivered inside the window."""
    import datetime as dt

    from netruimte.planner import DailyWindow, ShiftableLoad

    site = _two_month_site(contracted_eur_per_kw_year=3000.0)
    night = DailyWindow(dt.time(22), dt.time(6))
    site = dataclasses.replace(site, shiftable=(ShiftableLoad("ev", 50.0, 20.0, night),))
    inp = lp_inputs(site)
    bounds = segment_bounds(inp)
    assert len(bounds) == 2 and time_decomposable(inp)
    (cut,) = split_occurrences(inp, bounds)
    # 8 quarter-hours before midnight (at most 20 kW × 2 h = 40 kWh), 24 after (120 kWh).
    assert cut.after == 1 and cut.energy_kwh == pytest.approx(50.0)
    assert cut.lower_kwh == pytest.approx(0.0) and cut.upper_kwh == pytest.approx(40.0)
    assert cut.first_guess_kwh == pytest.approx(50.0 * 8 / 32)
    by_months = min_cost(site, method="temporal")
    full = min_cost(site, method="lp")
    assert by_months.method == "temporal"
    assert by_months.annual_cost_eur is not None and full.annual_cost_eur is not None
    assert by_months.gap is not None and by_months.lower_bound_eur is not None
    assert by_months.lower_bound_eur <= full.annual_cost_eur + 1e-6
    assert full.annual_cost_eur - 1e-6 <= by_months.annual_cost_eur
    # The gap is relative to the plan's cost (upper − lower <= gap × upper), not the optimum's.
    assert (
        by_months.annual_cost_eur
        <= full.annual_cost_eur + by_months.gap * by_months.annual_cost_eur + 1e-6
    )
    dispatch = by_months.dispatch
    assert dispatch is not None
    night_steps = dispatch.loc["2025-01-31 22:00":"2025-02-01 05:45", "shiftable_kw:ev"]
    assert len(night_steps) == 32
    assert float(night_steps.sum()) * 0.25 == pytest.approx(50.0, abs=1e-5)


def test_the_first_kw_carries_the_flexible_loads() -> None:
    """Flat 10 kW and a night window that needs 50 kWh in 8 hours: the first contracted kW is
    10 + 50 / 8 = 16.25 kW (each night's energy spread over its window, the nights the
    profile cuts at either end pro rata), not the 10 kW peak of the load alone."""
    import datetime as dt

    from netruimte.planner import DailyWindow, ShiftableLoad
    from netruimte.planner.lp.segments import contracted_guess_kw

    site = _two_month_site(contracted_eur_per_kw_year=30.0)
    site = dataclasses.replace(
        site,
        load_kw=pd.Series(10.0, index=site.load_kw.index),
        shiftable=(ShiftableLoad("ev", 50.0, 20.0, DailyWindow(dt.time(22), dt.time(6))),),
    )
    inp = lp_inputs(site)
    names = ("pv_new_kwp", "battery_new_kwh", "battery_new_kw")
    assert contracted_guess_kw(inp, names, np.zeros(3)) == pytest.approx(16.25)
    no_flex = lp_inputs(dataclasses.replace(site, shiftable=()))
    assert contracted_guess_kw(no_flex, names, np.zeros(3)) == pytest.approx(10.0)


@settings(SETTINGS, max_examples=15)
@given(crossing_sites())
def test_the_segments_on_two_threads_give_the_plan_of_one(site: Site) -> None:
    """The months of an evaluation are solved on two threads: each in its own HiGHS instance,
    so the order in which they finish changes nothing (same plan, same bounds)."""
    if not time_decomposable(lp_inputs(site)):
        event("not decomposable")
        return
    one = _solve(site, method="temporal", workers=1)
    two = _solve(site, method="temporal", workers=2)
    if one is None or two is None:
        assert one is None and two is None
        return
    assert one.status is two.status
    if one.status is PlanStatus.INFEASIBLE:
        event("infeasible")
        return
    event("compared")
    assert one.annual_cost_eur == two.annual_cost_eur
    assert one.lower_bound_eur == two.lower_bound_eur
    assert one.report is not None and two.report is not None
    assert one.report.evaluations == two.report.evaluations


@settings(SETTINGS, max_examples=25)
@given(crossing_sites())
def test_every_bound_of_every_variant_brackets_the_full_lp(site: Site) -> None:
    """Re-solving a segment from the basis it had at the stability centre (or from its last
    one), and cutting the months into days: after every evaluation the lower bound stays at
    or below the optimum of the same (elastic) model solved as one LP, and the plan at or
    above it, within the proven gap."""
    inp = lp_inputs(site)
    if not time_decomposable(inp):
        event("not decomposable")
        return
    penalty = penalty_eur_per_kwh(inp)
    model = build_model(inp, ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty))
    full = LpSolver(model).solve()
    if full.status is not SolveStatus.OPTIMAL:
        # Infeasible even with unserved energy allowed (a shiftable load that cannot run,
        # which min_cost reports before solving) or unbounded (importing to export pays).
        assert full.status in (SolveStatus.INFEASIBLE, SolveStatus.UNBOUNDED)
        event(f"full LP {full.status.name.lower()}")
        return
    optimum = full.objective
    money = 1e-5 * max(1.0, abs(optimum))
    x0 = initial_sizing(inp, tuple(model.columns.sizing()))
    # Month segments from either basis, and day segments (each month's kW-max a master
    # variable when a month is split).
    for warm_from_centre, segment_days in ((True, None), (False, None), (True, 1)):
        solution, _, report = solve_by_time_decomposition(
            model,
            x0,
            penalty_eur_per_kwh=penalty,
            warm_from_centre=warm_from_centre,
            segment_days=segment_days,
        )
        assert all(it.lower_bound_eur <= optimum + money for it in report.history)
        assert report.lower_bound_eur <= optimum + money
        if solution is None:
            event("no plan")
            continue
        event("compared")
        assert report.upper_bound_eur >= optimum - money
        assert solution.objective == report.upper_bound_eur
        assert report.upper_bound_eur - report.lower_bound_eur <= max(
            1e-3 * abs(report.upper_bound_eur), 2e-6
        )


def test_sizing_bounds_give_only_what_changed() -> None:
    """A segment holding 10 kWp, 100 kWh and 50 kW is moved to 10 kWp, 120 kWh, 50 kW: only
    the state-of-charge bounds change. A new kWp changes PV only where the sun shines."""
    site = _two_month_site(contracted_eur_per_kw_year=3000.0, kwmax_eur_per_kw_month=5.0)
    inp = lp_inputs(site)
    spec = ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty_eur_per_kwh(inp))
    model = build_model(inp, spec)
    cols, inp = model.columns, model.inputs
    shape = inp.pv_kw_per_kwp
    battery = inp.battery
    everything, _, _ = sizing_bounds(cols, shape, battery, 10.0, 100.0, 50.0)
    assert len(everything) == 4 * inp.steps
    soc, low, high = sizing_bounds(cols, shape, battery, 10.0, 120.0, 50.0, (10.0, 100.0, 50.0))
    assert cols.soc_kwh is not None
    np.testing.assert_array_equal(soc, cols.soc_kwh)
    np.testing.assert_allclose(high, battery.soc_max * 120.0)
    np.testing.assert_allclose(low, battery.soc_min * 120.0)
    pv, _, high = sizing_bounds(cols, shape, battery, 12.0, 120.0, 50.0, (10.0, 120.0, 50.0))
    assert cols.pv_kw is not None
    np.testing.assert_array_equal(pv, cols.pv_kw[shape > 0])
    np.testing.assert_allclose(high, 12.0 * shape[shape > 0])
    none, _, _ = sizing_bounds(cols, shape, battery, 12.0, 120.0, 50.0, (12.0, 120.0, 50.0))
    assert len(none) == 0
