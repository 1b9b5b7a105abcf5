"""Rows every plan meets (the master's outer approximation of the sizes that serve a site):
a hand-solved case, and a property test that the full LP's optimal plan meets every row
generated anywhere in the box."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest
from hypothesis import event, given, settings
from hypothesis import strategies as st

from netruimte.planner import Battery, Connection, Objective, Site, Tariff
from netruimte.planner.lp import PlanStatus, lp_inputs, min_cost
from netruimte.planner.lp.plan_rows import violated_plan_rows
from tests.planner.test_lp_properties import SETTINGS, _solve, cost_sites

NAMES = ("battery_new_kwh", "battery_new_kw")


def _peak_days_site() -> Site:
    """Two days: 10 kW at night, 40 kW from 08:00 to 20:00; a lossless battery."""
    index = pd.date_range("2025-01-31", periods=192, freq="15min", tz="Europe/Amsterdam")
    hour = np.asarray(index.hour)
    return Site(
        name="peak days",
        load_kw=pd.Series(np.where((hour >= 8) & (hour < 20), 40.0, 10.0), index=index),
        objective=Objective.MIN_COST,
        battery=Battery(max_energy_kwh=1000.0, max_power_kw=100.0, roundtrip_efficiency=1.0),
        connection=Connection(import_kw=None),
        tariff=Tariff(energy_eur_per_kwh=0.2, contracted_eur_per_kw_year=100.0),
    )


def test_the_rows_of_two_peak_days_by_hand() -> None:
    """At 20 kW and no battery: each day needs 12 h × 20 kW = 240 kWh from the battery,
    both days with the night between 240 − 120 + 240 = 360 kWh (the worst run). Along that
    run the need 1080 − 36 C meets E = 0 at C = 30; there one day still needs 120 kWh, and
    its need 12 (40 − C) meets 0 at C = 40: the row is E >= 12 (40 − C), i.e.
    −12 C − E <= −480. The worst step lacks 20 kW: C + P >= 40."""
    inp = lp_inputs(_peak_days_site())
    assert inp.battery.eta == pytest.approx(1.0)
    depth = inp.battery.soc_max - inp.battery.soc_min
    y = np.array([0.0, 0.0, 20.0])  # kWh, kW, contracted kW
    energy, power = violated_plan_rows(inp, NAMES, 2, y, tol=0.0)
    a, b = energy
    assert a == pytest.approx([-depth, 0.0, -12.0])
    assert b == pytest.approx(-480.0)
    a, b = power
    assert a == pytest.approx([0.0, -1.0, -1.0])
    assert b == pytest.approx(-40.0)
    # 240 kWh carry one day at 20 kW, but the night refills only 12 h × 10 kW = 120: the two
    # days need 360. Along that run 1080 − 36 C meets 240 kWh at C = 23.3, where it is still
    # the worst run: E >= 1080 − 36 C.
    ((a, b),) = violated_plan_rows(inp, NAMES, 2, np.array([240.0 / depth, 20.0, 20.0]), 0.0)
    assert a == pytest.approx([-depth, 0.0, -36.0])
    assert b == pytest.approx(-1080.0)
    # At 25 kW both runs need 180 kWh: a battery of 181 kWh and 15 kW meets every row.
    assert violated_plan_rows(inp, NAMES, 2, np.array([181.0 / depth, 15.0, 25.0]), 1e-6) == []


def test_rows_cut_the_points_that_leave_load_unserved() -> None:
    """On the row's side that it allows the full LP serves the two days; just beyond it, not."""
    site = _peak_days_site()
    inp = lp_inputs(site)
    depth = inp.battery.soc_max - inp.battery.soc_min
    assert site.battery is not None
    for contracted, served in ((30.0, True), (29.0, False)):
        # The row asks 12 (40 − C) kWh: 120 at 30 kW, 132 at 29 kW; the battery has 121.
        fixed = dataclasses.replace(
            site,
            battery=dataclasses.replace(
                site.battery,
                energy_kwh=121.0 / depth,
                power_kw=12.0,
                max_energy_kwh=0.0,
                max_power_kw=0.0,
            ),
            connection=Connection(import_kw=contracted),
            objective=Objective.MIN_COST,
        )
        plan = min_cost(fixed, method="lp")
        assert (plan.status is PlanStatus.OPTIMAL) is served, (contracted, plan.status)


@st.composite
def sized_points(draw: st.DrawFn) -> tuple[Site, list[float]]:
    site = draw(cost_sites())
    fractions = draw(st.lists(st.floats(0.0, 1.0), min_size=12, max_size=12))
    return site, fractions


@settings(SETTINGS, max_examples=60)
@given(sized_points())
def test_the_optimal_plan_meets_every_row(case: tuple[Site, list[float]]) -> None:
    """Rows generated at random points of the box hold at the full LP's optimal sizes and
    contracted kW (a plan, so it must meet every necessary condition; it lies on the edge
    of the feasible set when the connection is dear, so the rows are tested where tight)."""
    site, fractions = case
    inp = lp_inputs(site)
    if site.tariff.contracted_eur_per_kw_year <= 0 and inp.import_limit_kw is None:
        event("no contracted kW to choose")
    plan = _solve(site, method="lp")
    if plan is None or plan.status is not PlanStatus.OPTIMAL or plan.import_kw is None:
        event("no plan")
        return
    names = ("pv_new_kwp", "battery_new_kwh", "battery_new_kw")
    bat = inp.battery
    best = np.array(
        [
            plan.pv_kwp - inp.pv_kwp,
            plan.battery_energy_kwh - bat.energy_kwh,
            plan.battery_power_kw - bat.power_kw,
            plan.import_kw,
        ]
    )
    upper = np.array([inp.pv_max_kwp, bat.max_energy_kwh, bat.max_power_kw, 2 * plan.import_kw])
    tol = 1e-6 * max(1.0, float(inp.load_kw.max()))
    count = 0
    for i in range(0, 12, 4):
        y = np.array(fractions[i : i + 4]) * upper
        for a, b in violated_plan_rows(inp, names, 3, y, 0.0):
            count += 1
            assert a @ best <= b + tol, (y, a, b, a @ best)
    event("rows checked" if count else "no row violated")
