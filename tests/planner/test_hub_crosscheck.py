"""The hub engine against an independent LP of the joint problem on random hubs of 2–5 members.

Two families: hubs that are one site (no own limits, batteries scaled copies of one another:
the aggregate kernel answers) and general hubs (own import/export limits, restriction windows,
batteries of any shape: the joint LP answers). Both must agree with
:func:`tests.planner.hub_reference_lp.reference_hub_min_connection` to 1e-4 kW, feasible or
not, and every dispatch must pass the independent check.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    PlanStatus,
    Restriction,
    ShiftableLoad,
    Site,
    min_connection,
)
from netruimte.planner.hub import (
    Hub,
    HubMethod,
    aggregate_reason,
    hub_min_connection,
    verify_hub_dispatch,
)
from tests.planner.hub_reference_lp import reference_hub_min_connection
from tests.planner.strategies import START_DAYS, TZ, windows

SETTINGS = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOL_KW = 1e-4


@st.composite
def _member(
    draw: st.DrawFn, number: int, idx: pd.DatetimeIndex, shape: Battery | None, limits: bool
) -> Site:
    n = len(idx)
    load = draw(arrays(np.float64, n, elements=st.floats(0.0, 80.0)))
    pv = None
    if draw(st.booleans()):
        sun = draw(arrays(np.float64, n, elements=st.floats(0.0, 1.0)))
        pv = PV(pd.Series(sun, index=idx), kwp=draw(st.floats(0.0, 60.0)))
    bat = None
    if draw(st.booleans()):
        if shape is None:  # any battery
            bat = Battery(
                energy_kwh=draw(st.floats(1.0, 120.0)),
                power_kw=draw(st.floats(1.0, 60.0)),
                roundtrip_efficiency=draw(st.floats(0.6, 1.0)),
                soc_min=draw(st.floats(0.0, 0.2)),
                soc_max=draw(st.floats(0.8, 1.0)),
            )
        else:  # a scaled copy of the hub's battery shape
            scale = draw(st.floats(0.2, 3.0))
            bat = Battery(shape.energy_kwh * scale, shape.power_kw * scale,
                          roundtrip_efficiency=shape.roundtrip_efficiency,
                          soc_min=shape.soc_min, soc_max=shape.soc_max)  # fmt: skip
    curtailable = ()
    if draw(st.booleans()):
        curtailable = (CurtailableLoad("line", draw(st.floats(0.0, 20.0))),)
    shiftable = ()
    if draw(st.integers(0, 2)) == 0:
        window = draw(windows(max_hours=10))
        hours = ((window.end.hour * 60 + window.end.minute) - (
            window.start.hour * 60 + window.start.minute)) % 1440 / 60  # fmt: skip
        max_kw = draw(st.floats(5.0, 40.0))
        share = draw(st.floats(0.0, 0.9))
        shiftable = (ShiftableLoad("ev", share * max_kw * hours, max_kw, window),)
    connection = Connection(export_kw=None)
    if limits:
        restrictions = ()
        if draw(st.booleans()):
            restrictions = (Restriction((draw(windows(max_hours=4)),), draw(st.floats(0, 80))),)
        connection = Connection(
            import_kw=draw(st.one_of(st.none(), st.floats(40.0, 200.0))),
            export_kw=draw(st.one_of(st.none(), st.floats(0.0, 40.0))),
            restrictions=restrictions,
        )
    return Site(f"m{number}", pd.Series(load, index=idx), pv=pv, battery=bat,
                curtailable=curtailable, shiftable=shiftable, connection=connection)  # fmt: skip


@st.composite
def hubs(draw: st.DrawFn, *, limits: bool) -> Hub:
    """A random hub of 2–5 members on 24–96 quarter-hours (DST days included)."""
    n = draw(st.integers(24, 96))
    day = draw(st.sampled_from(START_DAYS))
    offset = draw(st.integers(0, 95))
    idx = pd.date_range(pd.Timestamp(day).tz_localize(TZ), periods=n + offset, freq="15min")
    idx = idx[offset:]
    shape = None
    if not limits:
        shape = Battery(
            draw(st.floats(10.0, 100.0)),
            draw(st.floats(5.0, 60.0)),
            roundtrip_efficiency=draw(st.floats(0.6, 1.0)),
            soc_min=draw(st.floats(0.0, 0.2)),
            soc_max=draw(st.floats(0.8, 1.0)),
        )
    members = tuple(draw(_member(k, idx, shape, limits)) for k in range(draw(st.integers(2, 5))))
    export = draw(st.one_of(st.none(), st.floats(0.0, 50.0)))
    return Hub("random", members, export_kw=export)


def _agrees(hub: Hub, *, force_lp: bool = False) -> HubMethod:
    reference = reference_hub_min_connection(hub)
    result = hub_min_connection(hub, force_lp=force_lp)
    if reference is None:
        assert result.status is PlanStatus.INFEASIBLE, result.import_kw
        return result.method
    assert result.status is PlanStatus.OPTIMAL, result.reason
    assert result.import_kw is not None
    assert result.import_kw == pytest.approx(reference, abs=TOL_KW)
    assert result.dispatches is not None and result.soc_start_kwh is not None
    assert verify_hub_dispatch(hub, result.import_kw, result.dispatches, result.soc_start_kwh,
                               tol=1e-5) == []  # fmt: skip
    return result.method


@SETTINGS
@given(hubs(limits=False))
def test_hubs_that_are_one_site_agree_with_the_reference_lp(hub):
    assert aggregate_reason(hub) is None
    assert _agrees(hub) in (HubMethod.AGGREGATE_KERNEL, HubMethod.AGGREGATE_LP)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hubs(limits=False))
def test_the_joint_lp_agrees_on_hubs_that_are_one_site(hub):
    assert _agrees(hub, force_lp=True) is HubMethod.JOINT_LP


@SETTINGS
@given(hubs(limits=True))
def test_general_hubs_agree_with_the_reference_lp(hub):
    method = _agrees(hub)
    if aggregate_reason(hub) is not None:
        assert method is HubMethod.JOINT_LP


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hubs(limits=False))
def test_the_joint_connection_is_at_most_the_sum_of_the_members_alone(hub):
    """Each member's own feasible dispatch, run side by side, is a joint dispatch: sharing
    never needs more than the sum of the members' own connections."""
    result = hub_min_connection(hub, dispatch=False)
    alone = [min_connection(site) for site in hub.members]
    if any(a.import_kw is None for a in alone):
        return  # some member is infeasible alone (a shiftable window too short)
    assert result.import_kw is not None
    assert result.import_kw <= sum(a.import_kw or 0.0 for a in alone) + 2e-5
