"""Hand-solvable min-connection cases with exact answers (derivations in the docstrings)."""

from __future__ import annotations

import re

import numpy as np
import pandas as pd
import pytest

from netruimte.conventions import year_index
from netruimte.errors import InputError
from netruimte.planner import (
    L_TOLERANCE_KW,
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    Method,
    PlanStatus,
    Restriction,
    ShiftableLoad,
    Site,
    min_connection,
)
from tests.planner.conftest import assert_feasible, series, t

# The engine returns the smallest feasible limit found by bisection: within L_TOLERANCE_KW
# above the exact value (plus float noise).
EXACT = L_TOLERANCE_KW + 1e-7


def peak_site(battery: Battery | None, **kw: object) -> Site:
    """One day at 100 kW with a two-step peak of 200 kW at 10:00-10:30."""
    load = np.full(96, 100.0)
    load[40:42] = 200.0
    return Site(name="peak", load_kw=series(load), battery=battery, **kw)  # type: ignore[arg-type]


def test_no_battery_no_flex_is_the_peak_of_load_minus_pv() -> None:
    load = series([10, 50, 30, 80, 20, 0, 0, 5])
    pv = PV(kw_per_kwp=series([0, 0, 0, 0.5, 0, 0, 0, 0]), kwp=40)
    site = Site(name="x", load_kw=load, pv=pv)
    result = min_connection(site)
    assert result.import_kw == pytest.approx(60.0, abs=EXACT)  # 80 - 0.5 * 40 = 60 > 50
    assert result.peak_import_before_kw == pytest.approx(60.0)
    assert result.method is Method.KERNEL
    assert_feasible(site, result)


def test_two_step_peak_shaved_by_a_lossless_battery() -> None:
    """Shave the 2 steps of 200 kW to L: energy 2 × (200 − L) × 0.25 h ≤ 25 kWh → L = 150."""
    site = peak_site(Battery(energy_kwh=25, power_kw=200, roundtrip_efficiency=1.0))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(150.0, abs=EXACT)
    assert result.peak_import_after_kw == pytest.approx(150.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    assert d["battery_discharge_kw"].iloc[40:42].to_numpy() == pytest.approx([50, 50], abs=1e-4)


def test_two_step_peak_with_losses() -> None:
    """Round trip 0.81 (0.9 each way): 0.5 h × (200 − L) / 0.9 ≤ 25 kWh → L = 155."""
    site = peak_site(Battery(energy_kwh=25, power_kw=200, roundtrip_efficiency=0.81))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(155.0, abs=EXACT)
    assert_feasible(site, result)


def test_battery_power_limits_the_shave() -> None:
    """Plenty of energy but 30 kW of power: L = 200 − 30 = 170."""
    site = peak_site(Battery(energy_kwh=500, power_kw=30))
    assert min_connection(site).import_kw == pytest.approx(170.0, abs=EXACT)


def test_soc_limits_shrink_the_usable_energy() -> None:
    """50 kWh at 20–70 %: 25 kWh usable, lossless → L = 150 as with 25 kWh."""
    battery = Battery(energy_kwh=50, power_kw=200, roundtrip_efficiency=1.0, soc_min=0.2,
                      soc_max=0.7)  # fmt: skip
    site = peak_site(battery)
    result = min_connection(site)
    assert result.import_kw == pytest.approx(150.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    assert d["soc_kwh"].min() >= 10.0 - 1e-9
    assert d["soc_kwh"].max() <= 35.0 + 1e-9


def test_curtailable_load_reduces_the_peak_but_not_below_zero_load() -> None:
    """Curtail up to 30 kW: L = 200 − 30 = 170. Two loads add up: 30 + 50 → 120."""
    site = peak_site(None, curtailable=(CurtailableLoad("line", 30, 0.5),))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(170.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    # Only the peak is curtailed: everywhere else the load is served in full.
    assert d["curtailed_kw"].iloc[40:42].to_numpy() == pytest.approx([30, 30], abs=1e-4)
    assert d["curtailed_kw"].drop(d.index[40:42]).max() == pytest.approx(0.0, abs=1e-9)
    both = peak_site(None, curtailable=(CurtailableLoad("a", 30), CurtailableLoad("b", 50)))
    assert min_connection(both).import_kw == pytest.approx(120.0, abs=EXACT)
    # A reduction never exceeds the load itself: 500 kW curtailable on a 200 kW load → 0.
    everything = peak_site(None, curtailable=(CurtailableLoad("all", 500),))
    result = min_connection(everything)
    assert result.import_kw == pytest.approx(0.0, abs=EXACT)
    assert_feasible(everything, result)


def test_restriction_bridged_by_a_battery() -> None:
    """40 kW all day; 16:00–20:00 import 0 kW. The battery delivers 4 h × 40 kW = 160 kWh,
    recharged in the other 20 h: 20 h × (L − 40) × 0.9 ≥ 160 / 0.9 → L = 40 + 160 / 16.2."""
    restriction = Restriction((DailyWindow(t("16:00"), t("20:00")),), 0.0)
    site = Site(
        name="r",
        load_kw=series(np.full(96, 40.0)),
        battery=Battery(energy_kwh=200, power_kw=50, roundtrip_efficiency=0.81),
        connection=Connection(restrictions=(restriction,)),
    )
    result = min_connection(site)
    assert result.import_kw == pytest.approx(40 + 160 / 16.2, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    in_window = d.between_time("16:00", "19:45")
    assert in_window["import_kw"].max() == pytest.approx(0.0, abs=1e-9)


@pytest.mark.parametrize(
    ("battery", "words"),
    [
        (None, "no battery to bridge it"),
        (Battery(energy_kwh=100, power_kw=50), "cannot store enough"),
        (Battery(energy_kwh=1000, power_kw=20), "battery's power"),
    ],
)
def test_restriction_that_cannot_be_bridged_is_infeasible(
    battery: Battery | None, words: str
) -> None:
    """40 kW in a 4-hour window at 0 kW needs 160 kWh (more with losses) at 40 kW."""
    restriction = Restriction((DailyWindow(t("16:00"), t("20:00")),), 0.0)
    site = Site(
        name="r",
        load_kw=series(np.full(96, 40.0)),
        battery=battery,
        connection=Connection(restrictions=(restriction,)),
    )
    result = min_connection(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.import_kw is None and result.dispatch is None
    assert result.reason is not None and words in result.reason
    assert re.search(r"2025-01-06T1[6-9]:", result.reason)  # names the time


def test_restriction_all_day_cannot_be_recharged() -> None:
    """Import 0 kW around the clock: the battery drains every day and never recovers."""
    restriction = Restriction((DailyWindow(t("00:00"), t("00:00")),), 0.0)
    site = Site(
        name="r",
        load_kw=series(np.full(96, 1.0)),
        battery=Battery(energy_kwh=1000, power_kw=50),
        connection=Connection(restrictions=(restriction,)),
    )
    result = min_connection(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None and "state of charge it started with" in result.reason


def test_shiftable_load_spreads_over_its_window() -> None:
    """No base load; 10 kWh within 00:00–02:00 (2 h) at ≤ 20 kW → L = 5 kW."""
    ev = ShiftableLoad("EV", daily_kwh=10, max_kw=20, window=DailyWindow(t("00:00"), t("02:00")))
    site = Site(name="s", load_kw=series(np.zeros(96)), shiftable=(ev,))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(5.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    assert d["shiftable_kw:EV"].sum() * 0.25 == pytest.approx(10.0)


def test_shiftable_window_too_short_names_the_load_and_day() -> None:
    ev = ShiftableLoad("EV", daily_kwh=10, max_kw=4, window=DailyWindow(t("00:00"), t("02:00")))
    site = Site(name="s", load_kw=series(np.zeros(96)), shiftable=(ev,))
    result = min_connection(site)
    assert result.status is PlanStatus.INFEASIBLE
    assert result.reason is not None
    assert "'EV'" in result.reason and "2025-01-06" in result.reason and "8 kWh" in result.reason


def test_shiftable_occurrence_cut_by_the_profile_start_gets_its_share() -> None:
    """Profile from 00:00; window 22:00–02:00 (4 h). The occurrence of the day before has 2 of
    its 4 hours inside: it needs 8 × 2/4 = 4 kWh in 2 h (2 kW). The occurrence that starts at
    22:00 is cut at midnight by the profile's end: 4 kWh in 2 h again. L = 2 kW."""
    ev = ShiftableLoad("EV", daily_kwh=8, max_kw=50, window=DailyWindow(t("22:00"), t("02:00")))
    site = Site(name="s", load_kw=series(np.zeros(96)), shiftable=(ev,))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(2.0, abs=EXACT)
    assert_feasible(site, result)


def test_shiftable_load_moves_into_battery_savings() -> None:
    """Four steps, load [20, 40, 0, 30] kW, battery 30 kWh, 80 kW, round trip 0.64 (0.8 each
    way), a shiftable load of 10 kWh at ≤ 20 kW in all four steps.

    At the optimum the load takes the headroom of steps 0 and 3 ((L − 20) and (L − 30) kW ×
    0.25 h, which otherwise would charge at 0.8), 5 kWh in step 2, and the rest from the
    battery (costing 1/0.8 per kWh); step 2's remaining headroom charges. The battery must
    end where it started:
    0.8 (L/4 − 5) = [(40 − L)/4 + 5 − (2L − 50)/4] / 0.8  →  0.91 L = 30.7  →  L = 3070/91.

    Only a start above the lowest feasible one reaches this: the engine's search over the
    start is needed here (checking the lowest start alone gives 34.57 kW).
    """
    ev = ShiftableLoad("EV", daily_kwh=10, max_kw=20, window=DailyWindow(t("00:00"), t("01:00")))
    site = Site(
        name="golden",
        load_kw=series([20, 40, 0, 30]),
        battery=Battery(energy_kwh=30, power_kw=80, roundtrip_efficiency=0.64),
        shiftable=(ev,),
    )
    result = min_connection(site)
    assert result.import_kw == pytest.approx(3070 / 91, abs=EXACT)
    assert_feasible(site, result)


def test_overlapping_shiftable_windows_use_the_lp() -> None:
    """Two loads of 10 kWh in the same 2-hour window: 20 kWh in 2 h → L = 10 kW."""
    window = DailyWindow(t("00:00"), t("02:00"))
    loads = (ShiftableLoad("a", 10, 20, window), ShiftableLoad("b", 10, 20, window))
    site = Site(name="o", load_kw=series(np.zeros(96)), shiftable=loads)
    result = min_connection(site)
    assert result.method is Method.LP
    assert result.import_kw == pytest.approx(10.0, abs=1e-6)
    assert_feasible(site, result)


def test_min_connection_can_be_zero() -> None:
    """PV above the load and a battery that carries the night: no import needed."""
    load = series(np.full(8, 10.0))
    pv = PV(kw_per_kwp=series([1, 1, 1, 1, 0, 0, 0, 0]), kwp=40)
    site = Site(
        name="z",
        load_kw=load,
        pv=pv,
        battery=Battery(energy_kwh=100, power_kw=30, roundtrip_efficiency=1.0),
        connection=Connection(export_kw=0.0),
    )
    result = min_connection(site)
    assert result.import_kw == pytest.approx(0.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    # 30 kW surplus for 1 h = 30 kWh; the night needs 10 kWh, charged just in time; the rest
    # of the PV is curtailed (export limit 0).
    assert d["battery_charge_kw"].sum() * 0.25 == pytest.approx(10.0, abs=1e-6)
    assert d["pv_curtailed_kw"].sum() * 0.25 == pytest.approx(20.0, abs=1e-6)


def test_export_limit_bounds_feed_in_and_pv_is_curtailed() -> None:
    load = series(np.full(8, 10.0))
    pv = PV(kw_per_kwp=series([1, 1, 0, 0, 0, 0, 0, 0]), kwp=100)
    site = Site(name="e", load_kw=load, pv=pv, connection=Connection(export_kw=30.0))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(10.0, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    assert d["export_kw"].iloc[:2].to_numpy() == pytest.approx([30, 30])
    assert d["pv_curtailed_kw"].iloc[:2].to_numpy() == pytest.approx([60, 60])


def test_negative_base_load_is_rejected() -> None:
    site = Site(name="n", load_kw=series([1.0, -2.0, 3.0, 0.0]))
    with pytest.raises(InputError, match="base load >= 0"):
        min_connection(site)


def test_dst_year_shiftable_window_of_eleven_hours() -> None:
    """2025, constant 10 kW, 24 kWh a day in 19:00–07:00 at ≤ 100 kW, no battery.

    The night the clocks go forward the window lasts 11 h (24/11 kW); otherwise 12 h (2 kW),
    13 h in autumn; the occurrence cut at 1 January 00:00 needs 7/12 of 24 kWh in 7 h (2 kW).
    So L = 10 + 24/11.
    """
    idx = year_index(2025)
    assert len(idx) == 35040
    ev = ShiftableLoad("EV", 24, 100, DailyWindow(t("19:00"), t("07:00")))
    site = Site(name="dst", load_kw=pd.Series(10.0, index=idx), shiftable=(ev,))
    result = min_connection(site)
    assert result.import_kw == pytest.approx(10 + 24 / 11, abs=EXACT)
    assert_feasible(site, result)
    d = result.dispatch
    assert d is not None
    spring = d.loc["2025-03-29 19:00":"2025-03-30 06:45", "shiftable_kw:EV"]
    assert len(spring) == 44
    assert spring.sum() * 0.25 == pytest.approx(24.0)
    autumn = d.loc["2025-10-25 19:00":"2025-10-26 06:45", "shiftable_kw:EV"]
    assert len(autumn) == 52


def test_dst_year_with_battery_and_restriction() -> None:
    """A leap year with a daily block 16:00–20:00 at 0 kW and 40 kW of load. The battery holds
    exactly what a block takes (160 kWh / 0.9), so it must recharge fully between blocks. The
    gap before the block on the spring DST day lasts 19 h instead of 20 h, and binds:
    19 h × 0.9 × (L − 40) = 160 / 0.9 → L = 40 + 160 / (0.81 × 19)."""
    idx = year_index(2024)  # a leap year: 35,136 steps
    assert len(idx) == 35136
    restriction = Restriction((DailyWindow(t("16:00"), t("20:00")),), 0.0)
    site = Site(
        name="dst",
        load_kw=pd.Series(40.0, index=idx),
        battery=Battery(energy_kwh=160 / 0.9, power_kw=50, roundtrip_efficiency=0.81),
        connection=Connection(restrictions=(restriction,)),
    )
    result = min_connection(site)
    assert result.import_kw == pytest.approx(40 + 160 / (0.81 * 19), abs=EXACT)
    assert_feasible(site, result)
