"""Results are bit for bit those pinned before build_result was made fast (golden.py).

Every field of every request, station and congestion contract, the compared run and the Result
JSON, on 62 runs: the national generator (congested, alternatives, withdrawals, two contracts)
under every policy and fit in peak and profile mode and with whole grants, the Flevoland scenario
in peak and profile mode, the example file with a comparison, 24 random scenarios with contracts
and relievers, and two Monte Carlo sets.
"""

from __future__ import annotations

import dataclasses
import json

import pytest

from netruimte.waitlist import Status, compile_scenario, run_compiled
from netruimte.waitlist.explain import build_result, expectation
from tests.waitlist.golden import FIXTURE, _national, cases, digests

PINNED = json.loads(FIXTURE.read_text())
CASES = dict(cases())


def test_every_case_is_pinned() -> None:
    assert sorted(PINNED) == sorted(CASES)


@pytest.mark.parametrize("name", sorted(CASES))
def test_results_are_the_pinned_ones(name: str) -> None:
    got = digests(CASES[name]())
    want = PINNED[name]
    differ = sorted(k for k in want if got[k] != want[k])
    assert not differ, f"{name}: {', '.join(differ)} differ (diff the full dumps: see golden.py)"


def test_the_pin_sees_one_changed_character() -> None:
    result = CASES["random-cm-1"]()
    first = result.requests[0]
    changed = dataclasses.replace(first, explanation=first.explanation + ".")
    other = dataclasses.replace(result, requests=(changed, *result.requests[1:]))
    a, b = digests(result), digests(other)
    assert a["requests"] != b["requests"]
    assert a["json"] != b["json"]
    assert a["stations"] == b["stations"]


def test_the_public_expectation_agrees_with_the_results() -> None:
    # build_result shares the per-path facts between requests; expectation() searches alone
    sc = dataclasses.replace(_national(), capacity="peak")
    c = compile_scenario(sc)
    raw = run_compiled(c)
    result = build_result(c, raw)
    checked = 0
    for i, out in enumerate(result.requests):
        if out.status is Status.WAITING and out.ranked_on is not None:
            exp = expectation(c, raw, i)
            assert (exp.on, exp.works, exp.binding) == (
                out.expected_on,
                out.expected_works,
                out.binding_over_time,
            )
            checked += 1
    assert checked > 100
