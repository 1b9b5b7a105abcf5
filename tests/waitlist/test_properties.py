"""Hypothesis properties: nothing lost or granted twice, no node above capacity, seeded runs."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from netruimte.waitlist import compile_scenario, monte_carlo, run_compiled, simulate
from netruimte.waitlist.kernel_types import GRANTED, WAITING, WITHDRAWN
from tests.waitlist.randomcase import FITS, POLICIES, random_scenario
from tests.waitlist.test_profile_fit import _random_profile_scenario

SEEDS = st.integers(min_value=0, max_value=10**6)


@settings(max_examples=60, deadline=None)
@given(SEEDS, st.sampled_from(POLICIES), st.sampled_from(FITS))
def test_no_request_lost_or_granted_twice(seed: int, policy: str, fit: str) -> None:
    sc = random_scenario(seed)
    c = compile_scenario(sc, policy=policy, fit=fit)
    raw = run_compiled(c)
    assert set(np.unique(raw.walk.status)) <= {WAITING, GRANTED, WITHDRAWN}
    granted = raw.walk.status == GRANTED
    # a grant happens once, at a moment the request takes part, never after withdrawal
    assert np.all(raw.walk.grant_m[granted] >= c.start_m[granted])
    assert np.all(raw.walk.grant_m[~granted] == -1)
    assert np.all(raw.walk.withdrawn_m[raw.walk.status != WITHDRAWN] == -1)
    # the capacity taken at every node is exactly the sum of its subtree's grants
    result = simulate(sc, policy=policy, fit=fit)
    assert len(result.requests) == len(sc.requests)
    assert [r.id for r in result.requests] == [r.id for r in sc.requests]
    # partial offers count; small consumers served from reserved room do not
    contracted = np.where(raw.walk.released_m >= 0, c.used_mw, raw.walk.granted_mw)
    holds = (raw.walk.granted_mw > 0) & ~raw.walk.outside
    for j, node in enumerate(result.stations):
        below = [
            i
            for i in range(c.n_requests)
            if holds[i] and c.direction[i] == 0 and j in c.anc[c.station[i]]
        ]
        assert node.allocated_mw == pytest.approx(float(contracted[below].sum()), abs=1e-9)
    # waiting requests are counted once, at the end
    waiting = int(np.sum((raw.walk.status == WAITING) & (raw.walk.last_m >= 0)))
    tops = [s for s in result.stations if s.parent is None]
    assert sum(s.waiting_count + s.waiting_feedin_count for s in tops) == waiting


@settings(max_examples=60, deadline=None)
@given(SEEDS, st.sampled_from(POLICIES), st.sampled_from(FITS))
def test_no_node_ever_above_capacity(seed: int, policy: str, fit: str) -> None:
    sc = random_scenario(seed)
    raw = run_compiled(compile_scenario(sc, policy=policy, fit=fit))
    assert np.all(raw.walk.room_hist_mw >= -1e-9)


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_no_node_ever_above_capacity_in_any_quarter_hour(seed: int) -> None:
    sc = _random_profile_scenario(seed)
    c = compile_scenario(sc)
    raw = run_compiled(c)
    assert np.all(raw.walk.room_hist_mw >= -1e-9)
    last = len(c.moments) - 1
    for d in range(2):
        for node in range(c.anc.shape[0]):
            p = c.pnode[d, node]
            if p >= 0:
                assert np.all(raw.used_prof[p] <= raw.cap[d, node, last] + 1e-9)


@settings(max_examples=15, deadline=None)
@given(SEEDS, st.integers(min_value=0, max_value=2**32 - 1))
def test_seeded_monte_carlo_runs_are_identical(seed: int, mc_seed: int) -> None:
    sc = random_scenario(seed, n_requests=15)
    a = monte_carlo(sc, 8, mc_seed, workers=1)
    b = monte_carlo(sc, 8, mc_seed, workers=2)
    assert a.to_json_dict() == b.to_json_dict()


@settings(max_examples=60, deadline=None)
@given(SEEDS, st.sampled_from(POLICIES), st.sampled_from(FITS))
def test_granted_kw_never_above_kw_and_offers_sum_to_it(seed: int, policy: str, fit: str) -> None:
    sc = random_scenario(seed)
    result = simulate(sc, policy=policy, fit=fit)
    for req, out in zip(sc.requests, result.requests, strict=True):
        assert 0 <= out.granted_kw <= req.kw + 1e-6
        assert sum(o.kw for o in out.offers) == pytest.approx(out.granted_kw, abs=1e-6)
        assert (out.granted_on is not None) == (out.granted_kw == pytest.approx(req.kw))
        dates = [o.on for o in out.offers]
        assert dates == sorted(dates) and len(set(dates)) == len(dates)  # one offer a moment
        if out.granted_on is not None:
            assert dates[-1] == out.granted_on
        if not sc.partial_offers or not req.accept_partial:
            assert len(out.offers) <= 1  # whole grants only
        for o in out.offers[:-1] if out.granted_on is not None else out.offers:
            assert o.kw >= sc.min_offer_kw - 1e-6  # no partial offer below the minimum


@settings(max_examples=30, deadline=None)
@given(st.integers(min_value=0, max_value=10**6))
def test_partial_offers_in_profile_mode_keep_every_quarter_hour_under_capacity(seed: int) -> None:
    sc = replace(_random_profile_scenario(seed), partial_offers=True, min_offer_kw=1.0)
    c = compile_scenario(sc)
    raw = run_compiled(c)
    assert np.all(raw.walk.room_hist_mw >= -1e-9)
    assert np.all(raw.walk.granted_mw <= c.mw + 1e-12)
    last = len(c.moments) - 1
    for d in range(2):
        for node in range(c.anc.shape[0]):
            p = c.pnode[d, node]
            if p >= 0:
                assert np.all(raw.used_prof[p] <= raw.cap[d, node, last] + 1e-9)
