"""A wrong policy or fit name passed to the engine is bad input (InputError), not a crash."""

from __future__ import annotations

import datetime as dt

import pytest

from netruimte.errors import InputError
from netruimte.grid import Grid, Station
from netruimte.waitlist import Request, Scenario, compile_scenario, monte_carlo, simulate


def _scenario() -> Scenario:
    return Scenario(
        name="tiny",
        start=dt.date(2026, 1, 1),
        end=dt.date(2026, 3, 1),
        grid=Grid((Station("A", offtake_mw=1.0),)),
        requests=(Request("R1", "A", 100.0, dt.datetime(2025, 1, 1, tzinfo=dt.UTC)),),
    )


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda sc: compile_scenario(sc, policy="acm2026"), "policy"),
        (lambda sc: simulate(sc, fit="firstfit"), "fit"),
        (lambda sc: simulate(sc, compare="FCFS!"), "policy"),
        (lambda sc: monte_carlo(sc, 2, 1, policy="nope"), "policy"),
    ],
)
def test_unknown_policy_or_fit_is_an_input_error(call, field):
    with pytest.raises(InputError, match="expected") as info:
        call(_scenario())
    assert info.value.field == field
    assert "acm-2026" in str(info.value) or "first-fit" in str(info.value)


def test_names_and_enums_still_accepted():
    sc = _scenario()
    assert simulate(sc, policy=" fcfs ", fit="strict").policy == "fcfs"
    assert compile_scenario(sc, policy=sc.policy, fit=sc.fit).policy is sc.policy
