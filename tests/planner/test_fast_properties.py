"""Properties of min-connection on random sites: feasible dispatches, monotonicity."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from netruimte.planner import (
    PV,
    Battery,
    CurtailableLoad,
    PlanStatus,
    ShiftableLoad,
    Site,
    min_connection,
    verify_dispatch,
)
from netruimte.planner.prepare import occurrences_of
from tests.planner.conftest import assert_feasible
from tests.planner.strategies import sites

# Two answers of the bisection differ by at most its tolerance (1e-5 kW) plus float noise.
MONOTONE_KW = 3e-5
PROPERTY = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def limit(site: Site) -> float | None:
    result = min_connection(site, dispatch=False)
    return result.import_kw if result.status is PlanStatus.OPTIMAL else None


@PROPERTY
@given(sites(max_shiftable=2, max_steps=300))
def test_dispatch_keeps_every_rule(site: Site) -> None:
    """Import ≤ limit, SoC within bounds and ending ≥ its start, balance in every step,
    shiftable energy per occurrence, export ≤ export_kw: all checked by verify_dispatch."""
    result = min_connection(site)
    if result.status is PlanStatus.OPTIMAL:
        assert_feasible(site, result)
        assert result.peak_import_after_kw is not None
        assert result.peak_import_after_kw <= result.import_kw + 1e-6  # type: ignore[operator]
    else:
        assert result.reason and result.import_kw is None and result.dispatch is None


@PROPERTY
@given(sites(battery=True), st.floats(1.0, 4.0))
def test_a_larger_battery_never_needs_a_larger_connection(site: Site, factor: float) -> None:
    small = limit(site)
    bat = site.battery
    assert bat is not None
    big = limit(
        replace(
            site,
            battery=replace(
                bat, energy_kwh=bat.energy_kwh * factor, power_kw=bat.power_kw * factor
            ),
        )
    )
    if small is not None:
        assert big is not None and big <= small + MONOTONE_KW


@PROPERTY
@given(sites(), st.floats(0.0, 40.0))
def test_a_curtailable_load_never_raises_the_connection(site: Site, max_kw: float) -> None:
    before = limit(site)
    more = (*site.curtailable, CurtailableLoad("extra", max_kw, 1.0))
    after = limit(replace(site, curtailable=more))
    if before is not None:
        assert after is not None and after <= before + MONOTONE_KW


@PROPERTY
@given(sites(), st.floats(0.0, 60.0))
def test_pv_never_raises_the_connection(site: Site, kwp: float) -> None:
    shape = np.clip(np.sin(np.linspace(0, 3 * np.pi, len(site.index))), 0, None)
    extra = pd.Series(shape, index=site.index)
    before = limit(site)
    if site.pv is None:
        pv = PV(kw_per_kwp=extra, kwp=kwp)
    else:
        pv = replace(site.pv, kwp=site.pv.kwp + kwp)
    after = limit(replace(site, pv=pv))
    if before is not None:
        assert after is not None and after <= before + MONOTONE_KW


@PROPERTY
@given(sites(min_shiftable=1, max_shiftable=1), st.floats(1.0, 3.0))
def test_making_a_fixed_load_shiftable_never_raises_the_connection(
    site: Site, headroom: float
) -> None:
    """Site A has the shiftable energy as a fixed part of the base load (spread evenly over
    each occurrence's window); site B may shift it. B can do what A does, so L_B ≤ L_A.
    Raising the load's max_kw (site C) never hurts either. (No curtailable loads here: they
    would reduce the fixed part of A's base load too.)"""
    site = replace(site, curtailable=())
    occurrences, missing = occurrences_of(site)
    assume(not missing)
    load = site.shiftable[0]
    fixed = np.zeros(len(site.index))
    for occ in occurrences:
        steps = occ.window_steps()
        fixed[steps] = occ.energy_kwh / (len(steps) * 0.25)
    assume(bool((fixed <= load.max_kw + 1e-9).all()))
    as_fixed = replace(site, load_kw=site.load_kw + fixed, shiftable=())
    fixed_limit = limit(as_fixed)
    shiftable_limit = limit(site)
    wider = replace(site, shiftable=(replace(load, max_kw=load.max_kw * headroom),))
    wider_limit = limit(wider)
    if fixed_limit is not None:
        assert shiftable_limit is not None and shiftable_limit <= fixed_limit + MONOTONE_KW
    if shiftable_limit is not None:
        assert wider_limit is not None and wider_limit <= shiftable_limit + MONOTONE_KW


@PROPERTY
@given(sites(min_restrictions=1, battery=True), st.floats(0.0, 50.0))
def test_a_looser_restriction_never_raises_the_connection(site: Site, more_kw: float) -> None:
    before = limit(site)
    looser = tuple(
        replace(r, import_kw=r.import_kw + more_kw) for r in site.connection.restrictions
    )
    after = limit(replace(site, connection=replace(site.connection, restrictions=looser)))
    if before is not None:
        assert after is not None and after <= before + MONOTONE_KW


@PROPERTY
@given(sites(battery=True, max_shiftable=1), st.floats(0.0, 20.0))
def test_more_load_never_lowers_the_connection(site: Site, more_kw: float) -> None:
    """Adding c kW to the base load in every step never lowers L; without restriction
    windows it raises L by at most c (the old dispatch with c kW more import still works)."""
    before = limit(site)
    after = limit(replace(site, load_kw=site.load_kw + more_kw))
    if after is not None:
        assert before is not None and after >= before - MONOTONE_KW
    if before is not None and not site.connection.restrictions:
        assert after is not None and after <= before + more_kw + MONOTONE_KW


def _feasible_site() -> tuple[Site, pd.DataFrame, float, float]:
    load = np.full(96, 100.0)
    load[40:42] = 200.0
    index = pd.date_range(pd.Timestamp("2025-01-06").tz_localize("Europe/Amsterdam"),
                          periods=96, freq="15min")  # fmt: skip
    site = Site(
        name="peak",
        load_kw=pd.Series(load, index=index),
        battery=Battery(energy_kwh=25, power_kw=200, roundtrip_efficiency=0.81),
        shiftable=(),
    )
    result = min_connection(site)
    assert result.dispatch is not None and result.import_kw is not None
    assert result.soc_start_kwh is not None
    return site, result.dispatch, result.import_kw, result.soc_start_kwh


@pytest.mark.parametrize(
    ("column", "step", "delta", "words"),
    [
        ("import_kw", 40, 5.0, "import above the limit"),
        ("export_kw", 3, 1.0, "export above export_kw"),
        ("battery_charge_kw", 10, 1.0, "state of charge does not follow"),
        ("soc_kwh", 95, -30.0, "state of charge outside its limits"),
        ("curtailed_kw", 5, 1.0, "curtailment above its maximum"),
        ("pv_used_kw", 7, 1.0, "PV split"),
    ],
)
def test_verify_dispatch_catches_broken_dispatches(
    column: str, step: int, delta: float, words: str
) -> None:
    site, frame, limit_kw, start = _feasible_site()
    assert verify_dispatch(site, limit_kw, frame, soc_start_kwh=start) == []
    broken = frame.copy()
    broken.iloc[step, broken.columns.get_loc(column)] += delta
    problems = verify_dispatch(site, limit_kw, broken, soc_start_kwh=start)
    assert any(words in p for p in problems), problems


def test_verify_dispatch_catches_a_lost_balance_and_a_falling_end_soc() -> None:
    site, frame, limit_kw, start = _feasible_site()
    broken = frame.copy()
    broken.iloc[20, broken.columns.get_loc("load_kw")] += 1.0  # the column is informative
    broken.iloc[20, broken.columns.get_loc("import_kw")] -= 1.0
    assert any("balance" in p for p in verify_dispatch(site, limit_kw, broken,
                                                       soc_start_kwh=start))  # fmt: skip
    # Claim a higher start: the end now lies below it (and the recursion breaks).
    problems = verify_dispatch(site, limit_kw, frame, soc_start_kwh=start + 5.0)
    assert any("below its start" in p for p in problems)


def test_verify_dispatch_checks_shiftable_energy_and_windows() -> None:
    from netruimte.planner import DailyWindow
    from tests.planner.conftest import series, t

    ev = ShiftableLoad("EV", daily_kwh=10, max_kw=20, window=DailyWindow(t("00:00"), t("02:00")))
    site = Site(name="s", load_kw=series(np.zeros(96)), shiftable=(ev,))
    result = min_connection(site)
    assert result.dispatch is not None and result.import_kw is not None
    frame = result.dispatch.copy()
    column = frame.columns.get_loc("shiftable_kw:EV")
    frame.iloc[50, column] = 1.0  # outside the window, and 0.25 kWh too much
    frame.iloc[50, frame.columns.get_loc("import_kw")] = 1.0
    problems = verify_dispatch(site, 10.0, frame, soc_start_kwh=0.0)
    assert any("outside its window" in p for p in problems)
    assert any("receives" in p for p in problems) is False  # the occurrence itself is intact
    frame = result.dispatch.copy()
    frame.iloc[0, column] += 4.0
    frame.iloc[0, frame.columns.get_loc("import_kw")] += 4.0
    problems = verify_dispatch(site, 10.0, frame, soc_start_kwh=0.0)
    assert any("receives" in p for p in problems)
