"""Monte Carlo: reproducible, run-independent, percentiles as documented."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from netruimte.grid import DelayDistribution, Grid, Reinforcement, Station
from netruimte.waitlist import Request, compile_scenario, monte_carlo, run_grants, run_seeds
from netruimte.waitlist.simulation import grants_on_threads
from tests.waitlist.helpers import scenario
from tests.waitlist.randomcase import random_scenario


def _one_reinforcement(delay: DelayDistribution | None, **kw: object) -> object:
    g = Grid(
        (Station("S", offtake_mw=10, load_mw=10),),
        (Reinforcement("RF", "S", dt.date(2026, 3, 1), offtake_mw=1, delay=delay),),
    )
    return scenario(g, [Request("x", "S", 1000, "2020-01-01", **kw)], end="2031-01-01")  # type: ignore[arg-type]


def test_fixed_delay_moves_every_run_by_whole_months() -> None:
    sc = _one_reinforcement(DelayDistribution("fixed", mode_months=3))
    res = monte_carlo(sc, 5, 1)  # type: ignore[arg-type]
    out = res.request("x")
    assert out.granted_on == dt.date(2026, 3, 1)  # deterministic run: no delay
    assert (out.granted_p10, out.granted_p50, out.granted_p90) == (dt.date(2026, 6, 1),) * 3
    payload = res.to_json_dict()["requests"][0]
    assert payload["granted_p50"] == "2026-06-01"
    assert set(payload) == {
        "id",
        "category",
        "rank",
        "granted_on",
        "granted_kw",
        "offers",
        "explanation",
        "granted_p10",
        "granted_p50",
        "granted_p90",
    }


def test_uniform_delay_percentiles_are_ordered_and_within_range() -> None:
    sc = _one_reinforcement(DelayDistribution("uniform", min_months=0, max_months=24))
    out = monte_carlo(sc, 400, 3).request("x")  # type: ignore[arg-type]
    assert (
        out.granted_p10 is not None and out.granted_p90 is not None and out.granted_p50 is not None
    )
    assert (
        dt.date(2026, 3, 1)
        <= out.granted_p10
        <= out.granted_p50
        <= out.granted_p90
        <= dt.date(2028, 4, 1)
    )
    # median delay of U(0, 24) is 12 months: 2027-03 give or take sampling noise
    assert dt.date(2026, 12, 1) <= out.granted_p50 <= dt.date(2027, 6, 1)


def test_withdrawal_probability_and_conditional_percentiles() -> None:
    sc = _one_reinforcement(None, withdraw_per_year=0.9)
    out = monte_carlo(sc, 300, 5).request("x")  # type: ignore[arg-type]
    # grant at 2026-03-01 unless withdrawn in the first two months: P = 1 - 0.1**(2/12) ~ 0.32
    assert out.withdrawn_share == pytest.approx(1 - 0.1 ** (59 / 365.25), abs=0.08)
    assert out.granted_p50 == dt.date(2026, 3, 1)


def test_seeded_runs_are_identical_and_independent_of_workers() -> None:
    sc = random_scenario(11, n_requests=25)
    a = monte_carlo(sc, 30, 99, workers=1).to_json_dict()
    b = monte_carlo(sc, 30, 99, workers=2).to_json_dict()
    assert a == b


def test_runs_are_independent_of_each_other() -> None:
    """Run i uses SeedSequence(seed).spawn(n)[i]: the same numbers whatever n or order."""
    sc = random_scenario(12, n_requests=25)
    c = compile_scenario(sc)
    ten = grants_on_threads(1)(c, run_seeds(7, 10), lambda _: None)
    twenty = grants_on_threads(2)(c, run_seeds(7, 20), lambda _: None)
    assert np.array_equal(ten, twenty[:10])
    alone = run_grants(c, run_seeds(7, 10)[6])
    assert np.array_equal(alone, ten[6])


def test_bad_runs_is_an_input_error() -> None:
    from netruimte.errors import InputError

    with pytest.raises(InputError, match="runs"):
        run_seeds(1, 0)
