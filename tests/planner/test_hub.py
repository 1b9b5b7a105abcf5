"""Energy hubs: hand cases with exact answers, the one-member hub, and the min-cost joint LP."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    PlanStatus,
    Restriction,
    ShiftableLoad,
    Site,
    Tariff,
    min_connection,
)
from netruimte.planner.hub import (
    Hub,
    HubMethod,
    HubResult,
    aggregate_reason,
    hub_min_connection,
    hub_net_import_kw,
    verify_hub_dispatch,
)
from netruimte.planner.hub_lp import solve_hub_lp
from netruimte.planner.site import Objective
from netruimte.scenario.site_toml import load_site
from netruimte.sites.hub_plan import plan_hub
from tests.planner.conftest import index, series
from tests.planner.hub_reference_lp import reference_hub_min_connection

DAY = 96
UNLIMITED = Connection(export_kw=None)


def _peak_load() -> Site:
    """120 kW for the first two hours of the day, 40 kW after."""
    load = np.full(DAY, 40.0)
    load[:8] = 120.0
    return Site("workshop", series(load))


def _battery(connection: Connection = UNLIMITED, efficiency: float = 0.81) -> Site:
    """A member with only a 100 kWh / 50 kW battery."""
    return Site("battery", series(np.zeros(DAY)),
                battery=Battery(100.0, 50.0, roundtrip_efficiency=efficiency),
                connection=connection)  # fmt: skip


def _checked(hub: Hub, result: HubResult) -> None:
    assert result.status is PlanStatus.OPTIMAL, result.reason
    assert result.import_kw is not None and result.dispatches is not None
    assert result.soc_start_kwh is not None
    assert verify_hub_dispatch(hub, result.import_kw, result.dispatches, result.soc_start_kwh) == []


# --- hand cases ---------------------------------------------------------------------------


def test_two_complementary_loads_share_one_connection():
    """Two members peaking at different times: alone 100 + 100 kW, together 100 kW."""
    first = np.where(np.arange(DAY) < 48, 100.0, 0.0)
    a = Site("morning", series(first))
    b = Site("evening", series(100.0 - first))
    hub = Hub("pair", (a, b))
    result = hub_min_connection(hub)
    _checked(hub, result)
    assert result.method is HubMethod.AGGREGATE_KERNEL
    assert result.import_kw == pytest.approx(100.0, abs=1e-5)
    alone = [min_connection(s).import_kw for s in (a, b)]
    assert alone == [pytest.approx(100.0), pytest.approx(100.0)]


def test_a_neighbours_battery_shaves_the_hub_peak_exactly():
    """Workshop 120 kW for 2 h, 40 kW otherwise; the neighbour's battery (100 kWh, 50 kW,
    round trip 0.81, so 0.9 each way) discharges at most 100 kWh × 0.9 / 2 h = 45 kW through
    the peak: the joint connection is 120 − 45 = 75 kW (recharging 111.1 kWh over 22 h at
    35 kW of room is easy). Alone: 120 kW and 0 kW."""
    hub = Hub("hub", (_peak_load(), _battery()))
    assert aggregate_reason(hub) is None
    result = hub_min_connection(hub)
    _checked(hub, result)
    assert result.method is HubMethod.AGGREGATE_KERNEL
    assert result.import_kw == pytest.approx(75.0, abs=1e-4)
    lp = hub_min_connection(hub, force_lp=True)
    _checked(hub, lp)
    assert lp.method is HubMethod.JOINT_LP
    assert lp.import_kw == pytest.approx(75.0, abs=1e-6)
    assert reference_hub_min_connection(hub) == pytest.approx(75.0, abs=1e-6)
    plan = plan_hub(hub)
    assert plan.sum_member_import_kw == pytest.approx(120.0)
    assert plan.import_kw is not None and plan.import_kw < plan.sum_member_import_kw
    assert plan.diversity_gain_kw == pytest.approx(45.0, abs=1e-4)
    assert [m.import_kw_alone for m in plan.members] == [pytest.approx(120.0), 0.0]


def test_own_connection_limits_of_a_member_bind():
    """The battery's own cable: export 30 kW caps its help at 30 kW (hub 90 kW); import 0 kW
    means it can never recharge, so it cannot help at all (hub 120 kW)."""
    capped = Hub("hub", (_peak_load(), _battery(Connection(import_kw=10.0, export_kw=30.0))))
    assert aggregate_reason(capped) is not None
    result = hub_min_connection(capped)
    _checked(capped, result)
    assert result.method is HubMethod.JOINT_LP
    assert result.import_kw == pytest.approx(90.0, abs=1e-6)
    cut_off = Hub("hub", (_peak_load(), _battery(Connection(import_kw=0.0, export_kw=None))))
    result = hub_min_connection(cut_off)
    _checked(cut_off, result)
    assert result.import_kw == pytest.approx(120.0, abs=1e-6)


def test_cable_pooling_solar_park_battery_and_load_behind_one_connection():
    """A 300 kW solar park for 4 h, a 400 kWh / 100 kW battery (lossless) and a steady 100 kW
    load. Of the day's 2,400 kWh the park covers 400 kWh directly and stores 400 kWh (the
    battery charges at most 100 kW for 4 h); the grid brings the other 1,600 kWh over the
    20 dark hours: 80 kW. Alone: 100 + 0 + 0 kW."""
    sun = np.zeros(DAY)
    sun[40:56] = 1.0
    park = Site("park", series(np.zeros(DAY)), pv=PV(series(sun), kwp=300.0),
                connection=UNLIMITED)  # fmt: skip
    lossless = Battery(400.0, 100.0, roundtrip_efficiency=1.0)
    store = Site("battery", series(np.zeros(DAY)), battery=lossless, connection=UNLIMITED)
    load = Site("load", series(np.full(DAY, 100.0)))
    hub = Hub("pool", (park, store, load), export_kw=0.0)
    result = hub_min_connection(hub)
    _checked(hub, result)
    assert result.import_kw == pytest.approx(80.0, abs=1e-4)
    assert hub_min_connection(hub, force_lp=True).import_kw == pytest.approx(80.0, abs=1e-6)
    assert sum(min_connection(s).import_kw or 0.0 for s in hub.members) == pytest.approx(100.0)
    # The park's surplus beyond the battery is curtailed (the hub exports nothing) ...
    net = hub_net_import_kw(result.dispatches or ())
    assert net.min() >= -1e-6
    # ... or exported when the shared cable allows it, which does not change the import.
    export = dataclasses.replace(hub, export_kw=250.0)
    again = hub_min_connection(export)
    _checked(export, again)
    assert again.import_kw == pytest.approx(80.0, abs=1e-4)


def test_infeasible_hub_names_the_member_and_load():
    """A shiftable load that cannot get its energy makes the hub infeasible, with the reason."""
    late = ShiftableLoad("charger", daily_kwh=100.0, max_kw=10.0, window=_window("18:00-20:00"))
    a = Site("a", series(np.ones(DAY)), shiftable=(late,))
    hub = Hub("h", (a, Site("b", series(np.ones(DAY)))))
    result = hub_min_connection(hub)
    assert result.status is PlanStatus.INFEASIBLE and result.import_kw is None
    assert "charger" in (result.reason or "")
    b = dataclasses.replace(hub.members[1], connection=Connection(import_kw=0.5))
    hub = Hub("h", (hub.members[0], b))
    result = hub_min_connection(hub)
    assert result.status is PlanStatus.INFEASIBLE and "charger" in (result.reason or "")
    cut = Hub("h", (Site("a", series(np.ones(DAY))), b))  # b needs 1 kW, its cable holds 0.5
    result = hub_min_connection(cut)
    assert result.status is PlanStatus.INFEASIBLE and result.method is HubMethod.JOINT_LP
    assert "own connection" in (result.reason or "")


def _window(text: str):
    from netruimte.scenario.site_toml import parse_window

    return parse_window(text)


# --- one member -----------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["bakery-g5.toml", "logistics-hub-ev.toml", "office-pv.toml"])
def test_one_member_hub_equals_the_single_site_plan(name):
    """A hub of one member is that site: the same exact engine gives the same kW, bit for bit,
    and the joint LP agrees to 1e-4 kW."""
    from pathlib import Path

    site = load_site(Path(__file__).parents[2] / "examples" / "sites" / name)
    site = dataclasses.replace(site, objective=Objective.MIN_CONNECTION)
    hub = Hub(site.name, (site,), export_kw=site.connection.export_kw)
    single = min_connection(site)
    result = hub_min_connection(hub)
    assert result.method is HubMethod.AGGREGATE_KERNEL
    assert result.import_kw == single.import_kw
    assert result.dispatches is not None and single.dispatch is not None
    assert result.dispatches[0]["import_kw"].max() <= single.import_kw + 1e-6  # type: ignore[operator]


def test_one_member_hub_joint_lp_equals_single_site_on_a_short_profile():
    load = np.tile(np.r_[np.full(32, 20.0), np.full(32, 90.0), np.full(32, 30.0)], 2)
    site = Site(
        "s", series(load), pv=PV(series(np.tile(np.r_[np.zeros(40), np.ones(16), np.zeros(40)],
                                                2)), kwp=30.0),
        battery=Battery(80.0, 30.0, roundtrip_efficiency=0.9, soc_min=0.1),
        curtailable=(CurtailableLoad("line", 5.0),),
        shiftable=(ShiftableLoad("ev", 60.0, 20.0, _window("19:00-07:00")),),
        connection=Connection(export_kw=10.0, restrictions=(
            Restriction((_window("16:00-18:00"),), 60.0),)),
    )  # fmt: skip
    hub = Hub("one", (site,))
    single = min_connection(site).import_kw
    assert single is not None
    assert hub_min_connection(hub).import_kw == single
    lp = hub_min_connection(hub, force_lp=True)
    _checked(hub, lp)
    assert lp.import_kw == pytest.approx(single, abs=1e-4)


# --- min-cost -------------------------------------------------------------------------------


def test_min_cost_sizes_a_members_battery_for_the_hub():
    """Contracted kW cost 100 EUR/kW/year; a new battery at the neighbour costs 20 EUR/kW and
    10 EUR/kWh a year (lossless). Each kW shaved off the 120 kW peak needs 1 kW and 2 kWh:
    40 < 100 EUR, so the hub shaves down to the energy bound: 1,120 kWh over 24 h = 46.67 kW
    (battery 73.33 kW / 146.67 kWh). Cost over the one-day span: (100 × 46.67 + 40 × 73.33)
    / 365 = 7,600 / 365 EUR."""
    neighbour = Site(
        "neighbour", series(np.zeros(DAY)),
        battery=Battery(0.0, 0.0, max_energy_kwh=1000.0, max_power_kw=1000.0,
                        cost_eur_per_kwh_year=10.0, cost_eur_per_kw_year=20.0,
                        roundtrip_efficiency=1.0),
        connection=UNLIMITED,
        tariff=Tariff(energy_eur_per_kwh=5.0),  # the member's own bill is not the hub's
    )  # fmt: skip
    hub = Hub("h", (_peak_load(), neighbour), objective=Objective.MIN_COST, import_kw=None,
              tariff=Tariff(contracted_eur_per_kw_year=100.0))  # fmt: skip
    solved = solve_hub_lp(hub, Objective.MIN_COST)
    assert solved.import_kw == pytest.approx(1120.0 / 24.0, abs=1e-5)
    size = solved.sizing[1]
    assert size.added_battery_power_kw == pytest.approx(120.0 - 1120.0 / 24.0, abs=1e-5)
    assert size.added_battery_energy_kwh == pytest.approx(2 * (120.0 - 1120.0 / 24.0), abs=1e-4)
    assert solved.cost_eur == pytest.approx(7600.0 / 365.0, rel=1e-7)
    plan = plan_hub(hub)
    assert plan.feasible and plan.method == "joint-lp"
    assert plan.annual_cost_eur == pytest.approx(7600.0 / 365.0, rel=1e-7)
    assert plan.members[1].added_battery_energy_kwh == pytest.approx(146.6667, abs=1e-3)


def test_min_cost_with_a_fixed_joint_import_and_feed_in_revenue():
    """A fixed joint import of 60 kW with a 300 kWh / 50 kW battery allowed: the plan keeps
    to 60 kW; energy at 0.2 EUR/kWh on the joint import is what is paid."""
    neighbour = Site("n", series(np.zeros(DAY)),
                     battery=Battery(0.0, 0.0, max_energy_kwh=300.0, max_power_kw=80.0,
                                     roundtrip_efficiency=1.0), connection=UNLIMITED)  # fmt: skip
    hub = Hub("h", (_peak_load(), neighbour), objective=Objective.MIN_COST, import_kw=60.0,
              tariff=Tariff(energy_eur_per_kwh=0.2))  # fmt: skip
    plan = plan_hub(hub)
    assert plan.feasible and plan.import_kw == 60.0
    assert plan.peak_import_after_kw is not None and plan.peak_import_after_kw <= 60.0 + 1e-6
    assert plan.annual_cost_eur == pytest.approx(1120.0 * 0.2, rel=1e-6)
    too_small = dataclasses.replace(hub, import_kw=40.0)
    plan = plan_hub(too_small)
    assert not plan.feasible and plan.reason


# --- the model's own checks -----------------------------------------------------------------


def test_hub_refuses_repeated_names_and_different_indexes():
    a = Site("a", series(np.ones(8)))
    with pytest.raises(InputError, match="unique"):
        Hub("h", (a, a))
    later = Site("b", series(np.ones(8), start="2025-01-07 00:00"))
    with pytest.raises(InputError, match="same steps"):
        Hub("h", (a, later))
    utc = Site("c", pd.Series(np.ones(8), index=index(8).tz_convert("UTC")), timezone="UTC")
    with pytest.raises(InputError, match="time zone"):
        Hub("h", (a, utc))
    with pytest.raises(InputError, match="at least one"):
        Hub("h", ())


def test_aggregate_reason_names_what_breaks_the_single_site_reduction():
    a = _peak_load()
    other = dataclasses.replace(_battery(), battery=Battery(100.0, 25.0, roundtrip_efficiency=0.81),
                                name="slow")  # fmt: skip
    assert "differ" in (aggregate_reason(Hub("h", (a, _battery(), other))) or "")
    scaled = dataclasses.replace(other, battery=Battery(200.0, 100.0, roundtrip_efficiency=0.81))
    assert aggregate_reason(Hub("h", (a, _battery(), scaled))) is None
    windows = (Restriction((_window("16:00-18:00"),), 10.0),)
    windowed = dataclasses.replace(a, connection=Connection(restrictions=windows))
    assert "restriction" in (aggregate_reason(Hub("h", (windowed, _battery()))) or "")
    assert aggregate_reason(Hub("h", (windowed,))) is None  # alone: the hub's one point


def test_a_window_the_clocks_skip_makes_the_hub_infeasible_by_either_method():
    """A member's load needs energy in 02:00-02:45 on the night the clocks skip that hour
    (found by the random cross-check): no dispatch can deliver it, whichever engine runs."""
    idx = pd.date_range(pd.Timestamp("2025-03-29 20:00").tz_localize("Europe/Amsterdam"),
                        periods=40, freq="15min")  # fmt: skip
    skipped = ShiftableLoad("pump", 1.0, 10.0, _window("02:00-02:45"))
    a = Site("a", pd.Series(np.zeros(40), index=idx), shiftable=(skipped,))
    b = Site("b", pd.Series(np.zeros(40), index=idx), connection=Connection(import_kw=5.0))
    for hub in (Hub("h", (a, b)), Hub("h", (a, dataclasses.replace(b, connection=UNLIMITED)))):
        result = hub_min_connection(hub)
        assert result.status is PlanStatus.INFEASIBLE, result.method
        assert "pump" in (result.reason or "") and "skip" in (result.reason or "")
    assert reference_hub_min_connection(Hub("h", (a, b))) is None


def test_one_member_min_cost_hub_equals_the_single_site_lp():
    """A one-member hub whose joint tariff is the member's own: the joint LP's cost and sizing
    equal the single-site LP's (``min_cost(method="lp")``, an exact optimum) on two days with
    prices, PV and a battery to size, kW-max and feed-in."""
    from netruimte.planner.lp import min_cost

    n = 2 * DAY
    hours = np.arange(n) / 4.0 % 24
    load = 60.0 + 40.0 * np.exp(-(((hours - 18.0) / 2.0) ** 2))
    sun = np.clip(np.sin((hours - 6.0) / 12.0 * np.pi), 0.0, None)
    price = pd.Series(0.20 + 0.10 * np.exp(-(((hours - 18.0) / 2.0) ** 2)), index=index(n))
    tariff = Tariff(contracted_eur_per_kw_year=30.0, kwmax_eur_per_kw_month=2.5,
                    energy_eur_per_kwh=price, feed_in_eur_per_kwh=0.05)  # fmt: skip
    site = Site(
        "s", series(load), objective=Objective.MIN_COST,
        pv=PV(series(sun), kwp=20.0, max_kwp=100.0, cost_eur_per_kwp_year=60.0),
        battery=Battery(max_energy_kwh=300.0, max_power_kw=100.0, cost_eur_per_kwh_year=20.0,
                        cost_eur_per_kw_year=10.0),
        curtailable=(CurtailableLoad("line", 10.0, 0.4),),
        connection=Connection(export_kw=30.0), tariff=tariff,
    )  # fmt: skip
    single = min_cost(site, method="lp")
    hub = Hub("one", (site,), objective=Objective.MIN_COST, import_kw=None, export_kw=30.0,
              tariff=tariff)  # fmt: skip
    solved = solve_hub_lp(hub, Objective.MIN_COST)
    assert solved.cost_eur == pytest.approx(single.annual_cost_eur, rel=1e-6)
    assert solved.import_kw == pytest.approx(single.import_kw, abs=1e-3)
    plan = plan_hub(hub)
    assert plan.annual_cost_eur == pytest.approx(single.annual_cost_eur, rel=1e-6)
    assert plan.members[0].import_kw_alone == pytest.approx(single.import_kw, abs=1e-3)
