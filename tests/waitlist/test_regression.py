"""With whole grants, no small consumers and the v1 voltages, the engine gives the v1 outputs.

The fixture was captured with the engine before the contract-v2 rules (see
``tests/waitlist/regression.py``); this recomputes every fingerprint and compares it, and runs
the Monte Carlo of one pinned scenario on Dask against the same pinned numbers.
"""

from __future__ import annotations

import json

import pytest

from tests.waitlist.regression import FIXTURE, MC_RUNS, MC_SEED, fingerprint, scenarios

PINNED = json.loads(FIXTURE.read_text())
CASES = dict(scenarios())


@pytest.mark.parametrize("name", sorted(CASES))
def test_v1_equivalent_scenarios_give_the_v1_outputs(name: str) -> None:
    sc = CASES[name]
    assert not sc.partial_offers
    assert not any(r.small_consumer for r in sc.requests)
    got = fingerprint(sc)
    want = PINNED[name]
    assert set(got) == set(want)
    for key in sorted(want):
        assert got[key] == want[key], (name, key)


def test_dask_monte_carlo_gives_the_pinned_v1_percentiles() -> None:
    from netruimte.scale.montecarlo import monte_carlo_distributed

    sc = CASES["national-peak"]
    res = monte_carlo_distributed(sc, MC_RUNS, MC_SEED, chunk=5)
    got = [
        [r["granted_p10"], r["granted_p50"], r["granted_p90"]]
        for r in res.to_json_dict()["requests"]
    ]
    assert got == PINNED["national-peak"]["percentiles"]
