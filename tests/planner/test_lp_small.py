"""The LP planner on tiny sites whose optimum is worked out by hand.

Costs per profile span: a yearly amount ``A`` costs ``A × year_fraction`` over a profile of
``n`` quarter-hours, with ``year_fraction = n / 4 / 24 / 365``. The helper :func:`per_span`
turns "EUR for this profile" into the yearly tariff that gives it, so the hand calculations
stay in round numbers.
"""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from netruimte.planner import (
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
from netruimte.planner.lp import PlanStatus, lp_inputs, min_connection_lp, min_cost
from tests.planner.conftest import series

HOURS_PER_YEAR = 8760.0


def per_span(eur: float, n: int) -> float:
    """The yearly amount that costs ``eur`` over a profile of ``n`` quarter-hours."""
    return eur * HOURS_PER_YEAR / (n * 0.25)


def site_of(load: list[float], **kwargs: object) -> Site:
    return Site(name="tiny", load_kw=series(load), objective=Objective.MIN_COST, **kwargs)  # type: ignore[arg-type]


def battery(**kwargs: float) -> Battery:
    base = {"roundtrip_efficiency": 1.0}
    base.update(kwargs)
    return Battery(**base)


def test_no_assets_contracted_is_the_peak_and_cost_is_exact() -> None:
    load = [10.0, 20.0, 30.0, 15.0]
    site = site_of(
        load,
        tariff=Tariff(contracted_eur_per_kw_year=per_span(2.0, 4), energy_eur_per_kwh=0.1),
        connection=Connection(import_kw=None),
    )
    result = min_cost(site)
    assert result.status is PlanStatus.OPTIMAL
    assert result.import_kw == pytest.approx(30.0, abs=1e-7)
    energy = 0.1 * sum(load) * 0.25
    assert result.annual_cost_eur == pytest.approx(2.0 * 30.0 + energy, abs=1e-7)
    assert result.cost_breakdown["contracted_eur"] == pytest.approx(60.0, abs=1e-7)
    assert result.cost_breakdown["energy_eur"] == pytest.approx(energy, abs=1e-9)
    assert result.peak_import_before_kw == pytest.approx(30.0)
    assert result.method == "lp"  # nothing to size: one LP
    assert result.gap == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize("method", ["lp", "decomposition"])
def test_battery_is_worth_exactly_fifteen_kw_of_shaving(method: str) -> None:
    """Load 10, 10, 10, 30 kW. Shaving the last step to L needs P = 30 − L kW and
    E = (30 − L)/4 kWh, recharged in the three earlier steps with L − 10 kW of room each:
    3 (L − 10) >= 30 − L, so L >= 15. Contracted 3 EUR/kW beats battery 1 EUR/kW + 2 EUR/kWh
    (= 1.5 EUR per kW of shaving): shave to exactly L = 15."""
    n = 4
    site = site_of(
        [10.0, 10.0, 10.0, 30.0],
        battery=battery(
            max_energy_kwh=100.0,
            max_power_kw=100.0,
            cost_eur_per_kw_year=per_span(1.0, n),
            cost_eur_per_kwh_year=per_span(2.0, n),
        ),
        tariff=Tariff(contracted_eur_per_kw_year=per_span(3.0, n)),
    )
    result = min_cost(site, method=method)  # type: ignore[arg-type]
    assert result.status is PlanStatus.OPTIMAL
    assert result.import_kw == pytest.approx(15.0, abs=1e-6)
    assert result.battery_power_kw == pytest.approx(15.0, abs=1e-6)
    assert result.battery_energy_kwh == pytest.approx(3.75, abs=1e-6)
    assert result.annual_cost_eur == pytest.approx(3.0 * 15 + 1.0 * 15 + 2.0 * 3.75, abs=1e-5)
    assert result.method == method


def test_battery_too_dear_is_not_bought() -> None:
    """Same site, contracted 1.4 EUR/kW is below the 1.5 EUR a kW of shaving costs."""
    n = 4
    site = site_of(
        [10.0, 10.0, 10.0, 30.0],
        battery=battery(
            max_energy_kwh=100.0,
            max_power_kw=100.0,
            cost_eur_per_kw_year=per_span(1.0, n),
            cost_eur_per_kwh_year=per_span(2.0, n),
        ),
        tariff=Tariff(contracted_eur_per_kw_year=per_span(1.4, n)),
    )
    result = min_cost(site)
    assert result.battery_power_kw == pytest.approx(0.0, abs=1e-6)
    assert result.import_kw == pytest.approx(30.0, abs=1e-6)
    assert result.annual_cost_eur == pytest.approx(1.4 * 30, abs=1e-5)


def _two_months() -> pd.Series:
    """January and February 2025 at 10 kW, a 30 kW spike in January and 20 kW in February."""
    idx = pd.date_range(
        pd.Timestamp("2025-01-01").tz_localize("Europe/Amsterdam"),
        pd.Timestamp("2025-03-01").tz_localize("Europe/Amsterdam"),
        freq="15min",
        inclusive="left",
    )
    load = pd.Series(10.0, index=idx)
    load.iloc[1000] = 30.0  # 11 January
    load.iloc[4000] = 20.0  # 12 February
    return load


def test_kwmax_is_charged_per_month() -> None:
    """Without assets each month pays its own highest quarter-hour: (30 + 20) × price."""
    site = Site(
        name="months",
        load_kw=_two_months(),
        tariff=Tariff(kwmax_eur_per_kw_month=5.0),
        objective=Objective.MIN_COST,
    )
    result = min_cost(site)
    assert result.cost_breakdown["kwmax_eur"] == pytest.approx(5.0 * 50.0, abs=1e-6)
    assert result.annual_cost_eur == pytest.approx(250.0, abs=1e-6)


def test_battery_shaves_both_months_then_only_january() -> None:
    """Each kW of battery power up to 10 kW shaves both months (2 × 5 EUR); beyond that only
    January (5 EUR). A kW of power with its quarter-hour of energy costs 7 EUR here, so the
    optimum is exactly 10 kW / 2.5 kWh: January peaks at 20, February at 10."""
    load = _two_months()
    n = len(load)
    site = Site(
        name="months",
        load_kw=load,
        battery=battery(
            max_energy_kwh=100.0,
            max_power_kw=100.0,
            cost_eur_per_kw_year=per_span(6.0, n),
            cost_eur_per_kwh_year=per_span(4.0, n),
        ),
        tariff=Tariff(kwmax_eur_per_kw_month=5.0),
        objective=Objective.MIN_COST,
    )
    result = min_cost(site, gap_tolerance=1e-9)
    assert result.battery_power_kw == pytest.approx(10.0, abs=1e-4)
    assert result.battery_energy_kwh == pytest.approx(2.5, abs=1e-4)
    dispatch = result.dispatch
    assert dispatch is not None
    monthly = dispatch["import_kw"].groupby(dispatch.index.month).max()
    assert monthly[1] == pytest.approx(20.0, abs=1e-4)
    assert monthly[2] == pytest.approx(10.0, abs=1e-4)
    assert result.annual_cost_eur == pytest.approx(5 * 30 + 6 * 10 + 4 * 2.5, abs=1e-3)


def test_partial_month_weights_and_year_fraction() -> None:
    inputs = lp_inputs(site_of([1.0] * 8))  # 2 hours on 6 January 2025
    assert inputs.months == 1
    assert inputs.month_weight[0] == pytest.approx(8 / (31 * 96))
    assert inputs.year_fraction == pytest.approx(2 / HOURS_PER_YEAR)
    year = pd.date_range(
        pd.Timestamp("2024-01-01").tz_localize("Europe/Amsterdam"),
        pd.Timestamp("2025-01-01").tz_localize("Europe/Amsterdam"),
        freq="15min",
        inclusive="left",
    )
    leap = lp_inputs(Site(name="leap", load_kw=pd.Series(1.0, index=year)))
    assert leap.year_fraction == 1.0  # exactly one year, although 366 days
    assert leap.months == 12
    np.testing.assert_allclose(leap.month_weight, 1.0)  # DST months included


def test_pv_is_bought_up_to_the_self_consumed_amount() -> None:
    """PV shape 0, 1, 1, 0 per kWp; load 5 kW. A kWp saves 2 × 0.25 kWh × 0.4 EUR = 0.2 EUR
    while it is self-consumed (up to 5 kWp) and earns 2 × 0.25 × 0.02 = 0.01 EUR exported;
    it costs 0.1 EUR: buy exactly 5 kWp."""
    n = 4
    shape = series([0.0, 1.0, 1.0, 0.0])
    site = site_of(
        [5.0] * 4,
        pv=PV(kw_per_kwp=shape, kwp=0.0, max_kwp=50.0, cost_eur_per_kwp_year=per_span(0.1, n)),
        connection=Connection(import_kw=None, export_kw=None),
        tariff=Tariff(energy_eur_per_kwh=0.4, feed_in_eur_per_kwh=0.02),
    )
    result = min_cost(site, gap_tolerance=1e-9)
    assert result.pv_kwp == pytest.approx(5.0, abs=1e-6)
    assert result.annual_cost_eur == pytest.approx(0.5 + 0.4 * 5 * 2 * 0.25, abs=1e-6)


def test_restriction_window_needs_a_battery_of_exactly_five_kw() -> None:
    """Load 15 kW, fixed limit 20 kW, 10 kW in 00:30-00:45: 5 kW for one quarter-hour from a
    battery (1.25 kWh), recharged before or after within the 5 kW of room."""
    n = 4
    site = site_of(
        [15.0] * 4,
        battery=battery(
            max_energy_kwh=100.0,
            max_power_kw=100.0,
            cost_eur_per_kw_year=per_span(1.0, n),
            cost_eur_per_kwh_year=per_span(1.0, n),
        ),
        connection=Connection(
            import_kw=20.0,
            restrictions=(
                Restriction((DailyWindow(dt.time(0, 30), dt.time(0, 45)),), import_kw=10.0),
            ),
        ),
        tariff=Tariff(contracted_eur_per_kw_year=per_span(1.0, n)),
    )
    result = min_cost(site, gap_tolerance=1e-9)
    assert result.status is PlanStatus.OPTIMAL
    assert result.battery_power_kw == pytest.approx(5.0, abs=1e-6)
    assert result.battery_energy_kwh == pytest.approx(1.25, abs=1e-6)
    assert result.import_kw == 20.0  # the fixed limit is the contracted kW
    assert result.annual_cost_eur == pytest.approx(20.0 + 5.0 + 1.25, abs=1e-5)
    assert result.dispatch is not None
    assert result.dispatch["import_kw"].iloc[2] == pytest.approx(10.0, abs=1e-6)


def test_shiftable_load_is_spread_under_the_contracted_price() -> None:
    """10 kW base; 5 kWh to deliver between 00:00 and 01:00 at up to 20 kW: 5 kW flat."""
    n = 4
    site = site_of(
        [10.0] * 4,
        shiftable=(ShiftableLoad("ev", 5.0, 20.0, DailyWindow(dt.time(0, 0), dt.time(1, 0))),),
        tariff=Tariff(contracted_eur_per_kw_year=per_span(1.0, n)),
    )
    result = min_cost(site)
    assert result.import_kw == pytest.approx(15.0, abs=1e-6)
    assert result.dispatch is not None
    np.testing.assert_allclose(result.dispatch["shiftable_kw:ev"], 5.0, atol=1e-6)


def test_curtailment_when_cheaper_than_contracted_capacity() -> None:
    """Curtailing 10 kW for a quarter-hour costs 2.5 kWh × 0.4 = 1 EUR and saves 10 kW × 0.3."""
    n = 4
    site = site_of(
        [10.0, 10.0, 10.0, 30.0],
        curtailable=(CurtailableLoad("cooling", 10.0, 0.4),),
        tariff=Tariff(contracted_eur_per_kw_year=per_span(0.3, n)),
    )
    result = min_cost(site)
    assert result.import_kw == pytest.approx(20.0, abs=1e-6)
    assert result.cost_breakdown["curtailment_eur"] == pytest.approx(1.0, abs=1e-6)
    assert result.annual_cost_eur == pytest.approx(6.0 + 1.0, abs=1e-6)


def test_battery_arbitrage_on_a_price_series() -> None:
    """Prices 0.1 / 0.5 / 0.1 / 0.5 EUR/kWh, load 4 kW, lossless free battery up to 1 kWh /
    4 kW: charge 4 kW in the cheap steps, discharge in the dear ones, import 8, 0, 8, 0."""
    prices = series([0.1, 0.5, 0.1, 0.5])
    site = site_of(
        [4.0] * 4,
        battery=battery(energy_kwh=1.0, power_kw=4.0),
        tariff=Tariff(energy_eur_per_kwh=prices),
    )
    result = min_cost(site)
    assert result.dispatch is not None
    np.testing.assert_allclose(result.dispatch["import_kw"], [8.0, 0.0, 8.0, 0.0], atol=1e-6)
    assert result.annual_cost_eur == pytest.approx(0.1 * 2 * 8 * 0.25, abs=1e-9)


def test_min_connection_lp_exact() -> None:
    """Load 10, 40, 10, 10 kW; 5 kWh / 100 kW lossless battery: the 40 kW step needs
    (40 − L)/4 <= 5 kWh, so L = 20 (recharging needs only L >= 17.5)."""
    site = site_of([10.0, 40.0, 10.0, 10.0], battery=battery(energy_kwh=5.0, power_kw=100.0))
    result = min_connection_lp(site)
    assert result.status is PlanStatus.OPTIMAL
    assert result.import_kw == pytest.approx(20.0, abs=1e-7)
    assert result.annual_cost_eur is None
    priced = min_connection_lp(site, priced=True)
    assert priced.annual_cost_eur == pytest.approx(0.0, abs=1e-9)
    assert priced.import_kw == pytest.approx(20.0, abs=1e-7)


def test_plan_json_has_exactly_the_contract_keys() -> None:
    result = min_cost(site_of([1.0, 2.0]))
    assert list(result.to_json_dict()) == [
        "status",
        "objective",
        "import_kw",
        "export_kw",
        "pv_kwp",
        "battery_energy_kwh",
        "battery_power_kw",
        "peak_import_before_kw",
        "peak_import_after_kw",
        "annual_cost_eur",
        "reason",
    ]
    assert result.to_json_dict()["objective"] == "min-cost"
    assert result.to_json_dict()["status"] == "optimal"
