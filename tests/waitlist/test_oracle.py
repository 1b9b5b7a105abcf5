"""The engine against a brute-force oracle written from the rules (peak mode, v2 rules:
partial offers, small consumers outside the queue with reserves, voltage by connection)."""

from __future__ import annotations

import numpy as np
import pytest

from netruimte.waitlist import Scenario, compile_scenario, run_compiled
from netruimte.waitlist.kernel_types import GRANTED, WITHDRAWN
from tests.waitlist.oracle import run_oracle
from tests.waitlist.randomcase import FITS, POLICIES, random_cm_scenario, random_scenario

N_SCENARIOS = 300


def _compare(seed: int, policy: str, fit: str, sc: Scenario | None = None) -> None:
    sc = random_scenario(seed) if sc is None else sc
    c = compile_scenario(sc, policy=policy, fit=fit)
    raw = run_compiled(c)
    want = run_oracle(sc, policy, fit)
    assert list(c.moments) == want.moments
    for i, r in enumerate(sc.requests):
        got_grant = int(raw.walk.grant_m[i]) if raw.walk.status[i] == GRANTED else None
        got_withdrawn = int(raw.walk.withdrawn_m[i]) if raw.walk.status[i] == WITHDRAWN else None
        assert got_grant == want.grant[r.id], (seed, policy, fit, r.id, "grant")
        assert got_withdrawn == want.withdrawn[r.id], (seed, policy, fit, r.id, "withdrawn")
        got_offers = [
            (int(m), round(float(mw) * 1000, 6))
            for rr, m, mw in zip(raw.offer_r, raw.offer_m, raw.offer_mw, strict=True)
            if rr == i
        ]
        assert got_offers == [(m, float(k)) for m, k in want.offers[r.id]], (seed, r.id)
    # the state after every moment, node by node
    for m, rooms in enumerate(want.room_kw):
        for j, st in enumerate(sc.grid.stations):
            for d, name in enumerate(("offtake", "feed-in")):
                exp = rooms[(st.id, name)]
                got = raw.walk.room_hist_mw[d, j, m] * 1000
                if np.isinf(exp):
                    assert np.isinf(got)
                else:
                    assert got == pytest.approx(exp, abs=1e-6), (seed, m, st.id, name)


@pytest.mark.parametrize("block", range(10))
def test_engine_matches_oracle_on_random_scenarios(block: int) -> None:
    """300 seeded random scenarios, each under its own random policy and fit."""
    per = N_SCENARIOS // 10
    for seed in range(block * per, (block + 1) * per):
        sc = random_scenario(seed)
        _compare(seed, sc.policy.value, sc.fit.value)


@pytest.mark.parametrize("policy", POLICIES)
@pytest.mark.parametrize("fit", FITS)
def test_engine_matches_oracle_for_every_policy_and_fit(policy: str, fit: str) -> None:
    for seed in range(1000, 1012):
        _compare(seed, policy, fit)


@pytest.mark.parametrize("block", range(10))
def test_engine_matches_oracle_with_congestion_contracts_and_relievers(block: int) -> None:
    """300 seeded random scenarios with contracts, relievers and relief credits."""
    per = N_SCENARIOS // 10
    for seed in range(block * per, (block + 1) * per):
        sc = random_cm_scenario(seed)
        _compare(seed, sc.policy.value, sc.fit.value, sc)
