"""The pricing functions and the business case: hand-solvable cases and properties."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.errors import InputError
from netruimte.planner import PV, Battery, Economics, ShiftableLoad, Site, Tariff
from netruimte.planner.cost import (
    baseline_dispatch,
    business_case,
    investment_eur,
    net_present_value,
    simple_payback_years,
    span_years,
    tariff_cost,
)
from netruimte.scenario.site_toml import parse_window

from .conftest import TZ, series


def _year_site(**kwargs: object) -> Site:
    idx = pd.date_range("2025-01-01", "2025-12-31 23:45", freq="15min", tz=TZ)
    load = pd.Series(10.0, index=idx)
    load.iloc[100] = 50.0  # one peak quarter-hour in January
    return Site("year", load, **kwargs)  # type: ignore[arg-type]


def test_npv_by_hand() -> None:
    assert net_present_value(1000.0, 100.0, 0.0, 15) == pytest.approx(500.0)
    assert net_present_value(1000.0, 100.0, 0.1, 2) == pytest.approx(-1000 + 100 / 1.1 + 100 / 1.21)
    assert net_present_value(0.0, -50.0, 0.0, 3) == pytest.approx(-150.0)


def test_payback_by_hand() -> None:
    assert simple_payback_years(1000.0, 100.0) == pytest.approx(10.0)
    assert simple_payback_years(0.0, 100.0) == 0.0
    assert simple_payback_years(1000.0, 0.0) is None
    assert simple_payback_years(1000.0, -5.0) is None


def test_investment_by_hand() -> None:
    kw = series([0.5] * 4)
    site = Site(
        "s", series([1.0] * 4),
        pv=PV(kw, kwp=10, capex_eur_per_kwp=800.0),
        battery=Battery(capex_eur_per_kwh=300.0, capex_eur_per_kw=100.0),
    )  # fmt: skip
    assert investment_eur(site, 2.0, 10.0, 5.0) == pytest.approx(2 * 800 + 10 * 300 + 5 * 100)


def test_whole_year_tariff_is_the_annual_tariff() -> None:
    site = _year_site(tariff=Tariff(30.0, 2.0, 0.2, 0.05))
    assert span_years(site.index) == pytest.approx(1.0)
    base = baseline_dispatch(site)
    lines = {line.item: line.eur for line in tariff_cost(site, base, 50.0)}
    kwh = float(site.load_kw.sum()) * 0.25
    assert lines["contracted import capacity"] == pytest.approx(50 * 30)
    # January's peak is 50 kW, the other eleven months 10 kW.
    assert lines["monthly peak import (kW max)"] == pytest.approx((50 + 11 * 10) * 2.0)
    assert lines["imported energy"] == pytest.approx(kwh * 0.2)
    assert lines["exported energy (feed-in)"] == 0.0


def test_business_case_by_hand_whole_year() -> None:
    """A battery that shaves the one 50 kW peak to 10 kW: savings = 40 kW × 30 + 40 kW × 2."""
    site = _year_site(
        tariff=Tariff(30.0, 2.0, 0.2),
        battery=Battery(capex_eur_per_kwh=300.0, capex_eur_per_kw=100.0),
        economics=Economics(discount_rate=0.0, lifetime_years=10, downtime_eur_per_month=1000.0,
                            wait_months=6),
    )  # fmt: skip
    plan = pd.DataFrame({"import_kw": 10.0, "export_kw": 0.0}, index=site.index)
    # The battery's 10 kWh is recharged elsewhere: the same energy, so the same energy cost.
    plan.iloc[101:105, 0] = 20.0  # 4 × 10 kW × 0.25 h = 10 kWh recharged at 20 kW
    case = business_case(site, plan, 20.0, added_battery_energy_kwh=10.0,
                         added_battery_power_kw=40.0)  # fmt: skip
    assert case.baseline_import_kw == 50.0
    energy = float(site.load_kw.sum()) * 0.25 * 0.2
    assert case.baseline_annual_cost_eur == pytest.approx(50 * 30 + (50 + 110) * 2 + energy)
    assert case.plan_annual_cost_eur == pytest.approx(20 * 30 + (20 + 110) * 2 + energy)
    assert case.annual_savings_eur == pytest.approx(30 * 30 + 30 * 2)
    assert case.investment_eur == pytest.approx(10 * 300 + 40 * 100)
    assert case.simple_payback_years == pytest.approx(7000 / 960)
    assert case.npv_eur == pytest.approx(-7000 + 10 * 960)
    assert case.waiting_cost_eur == pytest.approx(6000.0)
    assert case.npv_with_waiting_eur == pytest.approx(-7000 + 9600 + 6000)
    doc = case.to_json_dict()
    for key in ("baseline_import_kw", "baseline_annual_cost_eur", "plan_annual_cost_eur",
                "investment_eur", "annual_savings_eur", "simple_payback_years", "npv_eur",
                "discount_rate", "lifetime_years"):  # fmt: skip
        assert key in doc


def test_baseline_runs_flexible_loads_on_arrival() -> None:
    """Two hours of load at 5 kW, a flexible 10 kWh at up to 8 kW in 00:00-02:00: on arrival
    it runs 8 kW for 1.25 h (5 steps) then stops: peak 13 kW."""
    window = parse_window("00:00-02:00")
    site = Site("f", series([5.0] * 8), shiftable=(ShiftableLoad("ev", 10.0, 8.0, window),))
    base = baseline_dispatch(site)
    assert base["import_kw"].tolist() == pytest.approx([13.0] * 5 + [5.0] * 3)
    assert float(base["import_kw"].sum()) * 0.25 == pytest.approx(10.0 + 10.0)


def test_baseline_exports_pv_surplus_up_to_the_limit() -> None:
    from netruimte.planner import Connection

    site = Site("p", series([1.0, 1.0]), pv=PV(series([1.0, 0.0]), kwp=5.0),
                connection=Connection(export_kw=2.0))  # fmt: skip
    base = baseline_dispatch(site)
    assert base["import_kw"].tolist() == [0.0, 1.0]
    assert base["export_kw"].tolist() == [2.0, 0.0]  # 4 kW surplus, 2 kW allowed
    assert baseline_dispatch(site, with_installed_pv=False)["import_kw"].tolist() == [1.0, 1.0]


def test_invest_in_all_counts_installed_assets() -> None:
    site = Site(
        "a", series([4.0] * 4),
        battery=Battery(energy_kwh=2.0, power_kw=1.0, capex_eur_per_kwh=100.0,
                        capex_eur_per_kw=10.0),
        economics=Economics(invest_in="all"),
    )  # fmt: skip
    plan = pd.DataFrame({"import_kw": 4.0, "export_kw": 0.0}, index=site.index)
    assert business_case(site, plan, 4.0).investment_eur == pytest.approx(210.0)
    new_only = Site("a", site.load_kw, battery=site.battery)
    assert business_case(new_only, plan, 4.0).investment_eur == 0.0


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"discount_rate": -0.1}, "economics.discount_rate"),
        ({"lifetime_years": 0}, "economics.lifetime_years"),
        ({"lifetime_years": 2.5}, "economics.lifetime_years"),
        ({"wait_months": math.nan}, "economics.wait_months"),
        ({"invest_in": "some"}, "economics.invest_in"),
    ],
)
def test_economics_refuses_bad_values(kwargs: dict[str, object], field: str) -> None:
    with pytest.raises(InputError) as info:
        Economics(**kwargs)  # type: ignore[arg-type]
    assert info.value.field == field


@settings(max_examples=40, deadline=None)
@given(
    st.lists(st.floats(0, 500), min_size=4, max_size=40),
    st.floats(0, 1), st.floats(0, 100), st.floats(0, 10), st.floats(0, 0.5),
)  # fmt: skip
def test_plan_equal_to_baseline_saves_nothing(
    load: list[float], rate: float, contracted: float, kwmax: float, price: float
) -> None:
    """Property: a "plan" that is the baseline itself saves nothing and its NPV is minus its
    investment; shaving import never raises the cost."""
    site = Site("h", series(load), tariff=Tariff(contracted, kwmax, price),
                economics=Economics(discount_rate=rate))  # fmt: skip
    base = baseline_dispatch(site)
    peak = float(base["import_kw"].max())
    case = business_case(site, base, peak)
    assert case.annual_savings_eur == pytest.approx(0.0, abs=1e-6)
    assert case.simple_payback_years is None
    assert case.npv_eur == pytest.approx(0.0, abs=1e-6)
    shaved = base.assign(import_kw=np.minimum(base["import_kw"], peak * 0.9))
    lower = business_case(site, shaved, peak * 0.9)
    assert lower.annual_savings_eur >= -1e-6
