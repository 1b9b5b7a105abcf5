"""Infeasible plans: the LP planner says why, when and by how much."""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.planner import (
    Battery,
    Connection,
    DailyWindow,
    Objective,
    Restriction,
    ShiftableLoad,
    Site,
    min_connection,
)
from netruimte.planner.lp import PlanStatus, min_connection_lp, min_cost
from tests.planner.conftest import series


def _site(load: list[float], **kwargs: object) -> Site:
    return Site(name="x", load_kw=series(load), objective=Objective.MIN_COST, **kwargs)  # type: ignore[arg-type]


def _window(start: str, end: str) -> DailyWindow:
    h0, m0 = (int(p) for p in start.split(":"))
    h1, m1 = (int(p) for p in end.split(":"))
    return DailyWindow(dt.time(h0, m0), dt.time(h1, m1))


def test_power_shortfall_names_the_step_and_the_kw() -> None:
    """At 00:30 the load is 30 kW, the limit 10 kW and the largest battery 15 kW: 5 kW short."""
    site = _site(
        [5.0, 5.0, 30.0, 5.0],
        battery=Battery(max_energy_kwh=100.0, max_power_kw=15.0, roundtrip_efficiency=1.0),
        connection=Connection(import_kw=10.0),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None
    assert "at 2025-01-06T00:30+01:00" in result.reason
    assert "by 5 kW" in result.reason
    assert "full 15 kW" in result.reason
    assert "import limit of 10 kW" in result.reason
    assert result.import_kw is None
    assert result.dispatch is None
    assert result.annual_cost_eur is None
    assert result.peak_import_after_kw is None
    assert result.to_json_dict()["status"] == "infeasible"


def test_energy_shortfall_is_reported_when_the_battery_runs_empty() -> None:
    """A restriction allows 0 kW for an hour of 10 kW load (10 kWh); the largest battery holds
    5 kWh, so it bridges the first half hour and the load is 10 kW short from 00:30."""
    site = _site(
        [10.0] * 6,
        battery=Battery(max_energy_kwh=5.0, max_power_kw=100.0, roundtrip_efficiency=1.0),
        connection=Connection(
            import_kw=None, restrictions=(Restriction((_window("00:00", "01:00"),), 0.0),)
        ),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None
    assert "at 2025-01-06T00:30+01:00" in result.reason
    assert "restriction window's import limit of 0 kW by 10 kW" in result.reason
    assert "cannot hold enough energy" in result.reason
    assert "2 quarter-hours short, 5 kWh in all" in result.reason


def test_no_battery_is_said_plainly() -> None:
    site = _site(
        [10.0] * 4,
        connection=Connection(restrictions=(Restriction((_window("00:15", "00:30"),), 4.0),)),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None
    assert "at 2025-01-06T00:15+01:00" in result.reason
    assert "by 6 kW" in result.reason
    assert "no battery" in result.reason


def test_shiftable_window_too_short_for_its_energy() -> None:
    site = _site(
        [1.0] * 8,
        shiftable=(ShiftableLoad("ev", 100.0, 10.0, _window("00:00", "01:00")),),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None
    assert "'ev' needs 100 kWh on 2025-01-06" in result.reason
    assert "delivers at most 10 kWh" in result.reason


def test_min_connection_lp_infeasible_agrees_with_fast_engine() -> None:
    site = _site(
        [10.0, 10.0, 10.0, 10.0],
        battery=Battery(energy_kwh=1.0, power_kw=2.0, roundtrip_efficiency=1.0),
        connection=Connection(restrictions=(Restriction((_window("00:30", "01:00"),), 5.0),)),
    )
    lp = min_connection_lp(site)
    fast = min_connection(site)
    assert fast.status is PlanStatus.INFEASIBLE
    assert lp.status is PlanStatus.INFEASIBLE
    assert lp.reason is not None
    assert "at 2025-01-06T00:30+01:00" in lp.reason
    assert "by 3 kW" in lp.reason  # 10 − 5 − 2 kW of battery power
    assert "full 2 kW" in lp.reason


def test_feasible_with_the_largest_assets_is_not_reported_infeasible() -> None:
    """The power shortfall disappears with 20 kW of battery allowed (and enough quarter-hours
    with 5 kW of room to recharge the 5 kWh it needs)."""
    site = _site(
        [5.0, 5.0, 30.0, 5.0, 5.0, 5.0],
        battery=Battery(
            max_energy_kwh=100.0,
            max_power_kw=20.0,
            roundtrip_efficiency=1.0,
            cost_eur_per_kw_year=1.0,
            cost_eur_per_kwh_year=1.0,
        ),
        connection=Connection(import_kw=10.0),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.OPTIMAL
    assert result.battery_power_kw == pytest.approx(20.0, abs=1e-6)
    assert result.battery_energy_kwh == pytest.approx(5.0, abs=1e-6)
    assert result.reason is None


def test_a_battery_below_a_millionth_of_a_kw_is_no_battery() -> None:
    """A new battery capped at 1.2e-7 kWh and kW (below HiGHS's tolerances) once made the full
    min-cost LP 'Infeasible' (a property test found it); it is now no battery, and the plan is
    the plan without one: import the load, at no cost under a zero tariff."""
    tiny = Battery(max_energy_kwh=1.192092896e-07, max_power_kw=1.192092896e-07)
    load = [3.0] + [1.0] * 83
    with_tiny = min_cost(_site(load, battery=tiny), method="lp")
    without = min_cost(_site(load), method="lp")
    assert with_tiny.status is PlanStatus.OPTIMAL
    assert with_tiny.battery_energy_kwh == 0.0 and with_tiny.battery_power_kw == 0.0
    assert with_tiny.import_kw == without.import_kw == 3.0
