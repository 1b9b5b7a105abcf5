"""The trade-off curve: connection kW against battery size."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netruimte.errors import InputError
from netruimte.planner import (
    DEFAULT_C_RATE,
    Battery,
    Connection,
    DailyWindow,
    Restriction,
    Site,
    min_connection,
    parse_battery_range,
    tradeoff_curve,
)
from tests.planner.conftest import series, t
from tests.planner.strategies import sites


def peak_site() -> Site:
    load = np.full(96, 100.0)
    load[40:42] = 200.0
    return Site(
        name="peak", load_kw=series(load), battery=Battery(roundtrip_efficiency=1.0, soc_min=0.0)
    )


def test_curve_of_the_two_step_peak() -> None:
    """Lossless battery, power = 8 × energy. E = 0: 200. E = 12.5 (100 kW): 175.
    E = 25: 150. E = 50 (400 kW): the recharge binds, since the other 94 steps must refill
    what the peak takes: 0.5 h × (200 − L) = 23.5 h × (L − 100) → L = 2450 / 24."""
    points = tradeoff_curve(peak_site(), [0, 12.5, 25, 50], c_rate=8.0)
    assert [p.battery_energy_kwh for p in points] == [0, 12.5, 25, 50]
    assert [p.battery_power_kw for p in points] == [0, 100, 200, 400]
    got = [p.import_kw for p in points]
    assert got == pytest.approx([200, 175, 150, 2450 / 24], abs=1e-4)
    assert json.loads(json.dumps([p.to_dict() for p in points]))[1] == {
        "battery_energy_kwh": 12.5,
        "battery_power_kw": 100.0,
        "import_kw": pytest.approx(175, abs=1e-4),
    }


def test_curve_keeps_the_site_battery_efficiency_and_soc_limits() -> None:
    site = replace(peak_site(), battery=Battery(roundtrip_efficiency=0.81, soc_min=0.2))
    (point,) = tradeoff_curve(site, [50], c_rate=4.0)
    sized = replace(site, battery=Battery(energy_kwh=50, power_kw=200, roundtrip_efficiency=0.81,
                                          soc_min=0.2))  # fmt: skip
    expected = min_connection(sized, dispatch=False).import_kw
    assert expected is not None
    assert point.import_kw == pytest.approx(expected, abs=1e-4)
    # 40 kWh usable, 0.9 each way: 0.5 h × (200 − L) / 0.9 ≤ 40 → L = 128.
    assert point.import_kw == pytest.approx(128.0, abs=1e-4)


def test_site_without_battery_uses_the_default_battery() -> None:
    site = replace(peak_site(), battery=None)
    (zero, some) = tradeoff_curve(site, [0, 25], c_rate=DEFAULT_C_RATE)
    assert zero.import_kw == pytest.approx(200.0, abs=1e-4)
    # Default battery: round trip 0.9, 25 kWh, 12.5 kW: the power binds → 187.5.
    assert some.import_kw == pytest.approx(187.5, abs=1e-4)


def test_infeasible_points_have_no_import() -> None:
    """A block at 0 kW that only a big enough battery bridges."""
    site = Site(
        name="r",
        load_kw=series(np.full(96, 40.0)),
        battery=Battery(roundtrip_efficiency=1.0),
        connection=Connection(
            restrictions=(Restriction((DailyWindow(t("16:00"), t("20:00")),), 0.0),)
        ),
    )
    points = tradeoff_curve(site, [100, 160, 200], c_rate=1.0)
    assert points[0].import_kw is None
    assert points[0].to_dict()["import_kw"] is None
    assert points[1].import_kw == pytest.approx(48.0, abs=1e-4)  # 160 kWh over 20 h: 8 kW
    assert points[2].import_kw == pytest.approx(48.0, abs=1e-4)


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(sites(max_shiftable=1), st.floats(0.1, 2.0))
def test_curve_never_rises(site: Site, c_rate: float) -> None:
    energies = [0.0, 10.0, 25.0, 60.0, 150.0]
    points = tradeoff_curve(site, energies, c_rate)
    feasible = [p.import_kw for p in points if p.import_kw is not None]
    # Once feasible, stays feasible; and never rises (rounded to 1e-4 kW).
    first = next((i for i, p in enumerate(points) if p.import_kw is not None), len(points))
    assert all(p.import_kw is not None for p in points[first:])
    assert all(b <= a + 2e-4 for a, b in itertools.pairwise(feasible))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0:100:25", [0, 25, 50, 75, 100]),
        ("0:100:30", [0, 30, 60, 90]),
        ("50:50:10", [50]),
        ("0:1:0.1", [0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 1.0]),
        (" 10 : 30 : 10 ", [10, 20, 30]),
    ],
)
def test_parse_battery_range(text: str, expected: list[float]) -> None:
    assert parse_battery_range(text) == pytest.approx(expected)


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("abc", "START:STOP:STEP"),
        ("0:100", "START:STOP:STEP"),
        ("-10:100:10", "START:STOP:STEP"),
        ("0:100:0", "STEP > 0"),
        ("100:0:10", "STOP >= START"),
        ("0:1000000:1", "at most"),
    ],
)
def test_parse_battery_range_errors(text: str, words: str) -> None:
    with pytest.raises(InputError, match=words) as info:
        parse_battery_range(text)
    assert info.value.field == "battery-kwh"


def test_curve_rejects_bad_arguments() -> None:
    with pytest.raises(InputError, match="c-rate"):
        tradeoff_curve(peak_site(), [10], c_rate=0.0)
    with pytest.raises(InputError, match="energies >= 0"):
        tradeoff_curve(peak_site(), [-1], c_rate=1.0)
