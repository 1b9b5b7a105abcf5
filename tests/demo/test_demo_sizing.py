"""The demo's cost-optimal sizing: the LP's homogeneity, and type sizing equals a direct solve."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest

from netruimte.planner.lp import Mode, ModelSpec, build_model, lp_inputs, min_cost
from netruimte.planner.lp.plan import penalty_eur_per_kwh
from netruimte.planner.site import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    Objective,
    Restriction,
    ShiftableLoad,
    Site,
    Tariff,
)

SCALE = 4.0  # a power of two: scaling is exact in floating point, so the models compare exactly


def _small_site() -> Site:
    """Three days with every feature that carries kW or kWh."""
    index = pd.date_range("2025-03-03", periods=3 * 96, freq="15min", tz="Europe/Amsterdam")
    hours = np.asarray(index.hour + index.minute / 60.0)
    rng = np.random.default_rng(7)
    load = 40.0 + 30.0 * np.exp(-(((hours - 12.0) / 3.0) ** 2)) + rng.uniform(0, 5, len(index))
    sun = np.clip(np.sin((hours - 6.0) / 12.0 * np.pi), 0.0, None) * 0.8
    price = pd.Series(0.15 + 0.1 * np.cos(hours / 24.0 * 2 * np.pi), index=index)
    return Site(
        name="small",
        load_kw=pd.Series(load, index=index, name="kw"),
        objective=Objective.MIN_COST,
        pv=PV(kw_per_kwp=pd.Series(sun, index=index), kwp=10.0, max_kwp=40.0,
              cost_eur_per_kwp_year=65.0),
        battery=Battery(energy_kwh=5.0, power_kw=2.0, max_energy_kwh=80.0, max_power_kw=40.0,
                        cost_eur_per_kwh_year=30.0, cost_eur_per_kw_year=10.0, soc_min=0.1),
        shiftable=(ShiftableLoad("ev", daily_kwh=60.0, max_kw=15.0,
                                 window=DailyWindow(dt.time(19), dt.time(7))),),
        curtailable=(CurtailableLoad("process", max_kw=8.0, cost_eur_per_kwh=0.5),),
        connection=Connection(
            import_kw=None,
            export_kw=6.0,
            restrictions=(Restriction((DailyWindow(dt.time(17), dt.time(19)),), import_kw=55.0),),
        ),
        tariff=Tariff(contracted_eur_per_kw_year=35.0, kwmax_eur_per_kw_month=2.8,
                      energy_eur_per_kwh=price, feed_in_eur_per_kwh=0.04),
    )  # fmt: skip


def _scaled(site: Site, s: float) -> Site:
    """Every kW and kWh of ``site`` (load, assets, bounds, limits) times ``s``; prices kept."""
    assert site.pv is not None and site.battery is not None
    pv = dataclasses.replace(site.pv, kwp=site.pv.kwp * s, max_kwp=site.pv.max_kwp * s)
    b = site.battery
    battery = dataclasses.replace(
        b, energy_kwh=b.energy_kwh * s, power_kw=b.power_kw * s,
        max_energy_kwh=b.max_energy_kwh * s, max_power_kw=b.max_power_kw * s,
    )  # fmt: skip
    c = site.connection
    connection = Connection(
        import_kw=None if c.import_kw is None else c.import_kw * s,
        export_kw=None if c.export_kw is None else c.export_kw * s,
        restrictions=tuple(
            dataclasses.replace(r, import_kw=r.import_kw * s) for r in c.restrictions
        ),
    )
    return dataclasses.replace(
        site,
        load_kw=site.load_kw * s,
        pv=pv,
        battery=battery,
        shiftable=tuple(
            dataclasses.replace(x, daily_kwh=x.daily_kwh * s, max_kw=x.max_kw * s)
            for x in site.shiftable
        ),
        curtailable=tuple(dataclasses.replace(x, max_kw=x.max_kw * s) for x in site.curtailable),
        connection=connection,
    )


def test_scaled_model_is_the_same_lp_with_scaled_bounds():
    """Every family of docs/formulation.md: the matrix and the costs are unchanged, every
    bound and right-hand side (the only places kW/kWh enter) is multiplied by ``s``."""
    site = _small_site()
    inp, big = lp_inputs(site), lp_inputs(_scaled(site, SCALE))
    assert penalty_eur_per_kwh(inp) == penalty_eur_per_kwh(big)  # λ is a price: scale-free
    spec = ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty_eur_per_kwh(inp))
    a, b = build_model(inp, spec), build_model(big, spec)
    assert (a.num_col, a.num_row) == (b.num_col, b.num_row)
    np.testing.assert_array_equal(a.a_start, b.a_start)
    np.testing.assert_array_equal(a.a_index, b.a_index)
    np.testing.assert_array_equal(a.a_value, b.a_value)
    np.testing.assert_array_equal(a.col_cost, b.col_cost)
    for lo_hi in ("col_lower", "col_upper", "row_lower", "row_upper"):
        np.testing.assert_array_equal(getattr(a, lo_hi) * SCALE, getattr(b, lo_hi), lo_hi)
    assert a.offset * SCALE == b.offset


@pytest.mark.parametrize("method", ["lp", "decomposition"])
def test_min_cost_scales_exactly(method):
    """The optimum of the scaled site is ``s`` times the optimum (same LP up to the scale)."""
    site = _small_site()
    one = min_cost(site, method=method)
    big = min_cost(_scaled(site, SCALE), method=method)
    assert one.annual_cost_eur is not None and big.annual_cost_eur is not None
    if method == "lp":
        assert big.annual_cost_eur == pytest.approx(SCALE * one.annual_cost_eur, rel=1e-9)
        for name in ("import_kw", "pv_kwp", "battery_energy_kwh", "battery_power_kw"):
            assert getattr(big, name) == pytest.approx(SCALE * getattr(one, name), rel=1e-6)
    else:  # each within its proven gap of the same (scaled) optimum
        assert one.lower_bound_eur is not None and big.lower_bound_eur is not None
        assert SCALE * one.lower_bound_eur <= big.annual_cost_eur * (1 + 1e-9)
        assert big.lower_bound_eur <= SCALE * one.annual_cost_eur * (1 + 1e-9)


def test_demo_business_equals_a_direct_min_cost_solve():
    """One sampled business: its type's plan scaled to it costs what min-cost finds for the
    business directly, within the two proven gaps (lower bounds below both plans)."""
    from netruimte.demo.run import _Shapes, _TypeCache, plan_business
    from netruimte.scenario.flevoland import PROFILE_YEAR, generate_flevoland

    smart = [r for r in generate_flevoland().requests if r.smart and r.group == "queue"]
    request = smart[len(smart) // 3]
    types = _TypeCache(_Shapes(PROFILE_YEAR), 0.5)
    plan = plan_business(request, "17:00-21:00", types)
    sizing = types.sizing(request).scaled(request.kw / 1000.0)
    direct = min_cost(types.reference_site(request, request.kw))
    assert direct.annual_cost_eur is not None and direct.lower_bound_eur is not None
    assert plan.annual_cost_eur is not None and plan.cost_gap is not None
    assert plan.annual_cost_eur == pytest.approx(sizing.annual_cost_eur, rel=1e-12)
    # both are plans of the same LP; each lower bound is below the other's plan
    assert sizing.lower_bound_eur <= direct.annual_cost_eur * (1 + 1e-9)
    assert direct.lower_bound_eur <= plan.annual_cost_eur * (1 + 1e-9)
    gap = max(plan.cost_gap, direct.gap or 0.0)
    assert abs(plan.annual_cost_eur - direct.annual_cost_eur) <= gap * direct.annual_cost_eur
    # the request follows the plan: the firm request is the contracted kW
    assert plan.firm_kw == pytest.approx(min(sizing.contracted_kw, request.kw))
    assert 0.0 <= plan.flex_kw <= request.flex_share * request.kw + 1e-6
    assert plan.pv_kwp <= request.pv_kwp_per_kw * request.kw + 1e-6
    assert plan.battery_kwh <= request.battery_kwh_per_kw * request.kw + 1e-6
