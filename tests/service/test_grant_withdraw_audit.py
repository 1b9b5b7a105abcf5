"""Grants, withdrawals and offers write the same audit entries from one place each.

``record_grant``, ``record_withdrawal`` and ``check_submitted`` (register.requests) serve the
grant by hand, the offer and the allocation moment; these hand-solved cases pin what each
writes. The tiny register on 2026-01-01: A has 5 − 4 = 1 MW room, B 5 − 3 = 2 MW, TOP
10 − 8 = 2 MW (offtake).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from netruimte.access import audit
from netruimte.errors import Conflict
from netruimte.register import offers, requests
from netruimte.storage import Database
from tests.service.conftest import Users

DAY = dt.date(2026, 1, 1)


def _last(db: Database, action: str) -> dict[str, Any]:
    """The inputs of the latest audit entry of ``action`` (without the audited state)."""
    entries = [e for e in audit.list_entries(db, limit=1000) if e["action"] == action]
    inputs = dict(entries[-1]["inputs"])
    inputs.pop("state", None)
    inputs.pop("state_scheme", None)
    return inputs


def test_a_grant_by_hand_then_its_withdrawal(tiny: Database, users: Users) -> None:
    requests.grant_request(tiny, users.operator, "R1", on=DAY)
    assert _last(tiny, "request.grant") == {
        "on": "2026-01-01",
        "kw": 600.0,
        "direction": "offtake",
        "path": ["A", "TOP"],
        "room_before_mw": {"A": 1.0, "TOP": 2.0},
        "run": None,
    }
    view = requests.withdraw_request(tiny, users.operator, "R1", "moved")
    assert view["status"] == "withdrawn"
    assert _last(tiny, "request.withdraw") == {
        "previous_status": "granted",
        "kw": 600.0,
        "direction": "offtake",
        "station": "A",
        "released_mw": 0.6,
        "reason": "moved",
    }


def test_withdrawing_a_waiting_request_releases_nothing(tiny: Database, users: Users) -> None:
    requests.withdraw_request(tiny, users.operator, "R3", None)
    assert _last(tiny, "request.withdraw") == {
        "previous_status": "waiting",
        "kw": 1500.0,
        "direction": "offtake",
        "station": "B",
        "released_mw": 0.0,
        "reason": None,
    }


def test_an_offer_is_a_grant_and_a_decline_a_withdrawal(tiny: Database, users: Users) -> None:
    offer = offers.make_offer(tiny, users.operator, "R3", 500.0, on=DAY)
    assert (offer["id"], offer["request"], offer["offer_status"]) == ("R3.part1", "R3", "offered")
    assert _last(tiny, "request.grant") == {
        "on": "2026-01-01",
        "kw": 500.0,
        "direction": "offtake",
        "path": ["B", "TOP"],
        "room_before_mw": {"B": 2.0, "TOP": 2.0},
        "run": None,
        "offer_of": "R3",
        "contract": "firm",
    }
    offers.decline_offer(tiny, users.operator, "R3.part1", "all or nothing")
    # the part was granted, so all of it is released; a part has no previous status to tell
    assert _last(tiny, "offer.decline") == {
        "kw": 500.0,
        "direction": "offtake",
        "station": "B",
        "released_mw": 0.5,
        "reason": "all or nothing",
    }
    assert _last(tiny, "offer.return") == {
        "part": "R3.part1",
        "returned_kw": 500.0,
        "kw": 1500.0,
        "accept_partial": False,
    }


def test_nothing_is_granted_or_offered_before_it_was_asked_for(
    tiny: Database, users: Users
) -> None:
    early = dt.date(2024, 12, 31)
    expected = "request 'R1' was submitted on 2025-01-01, after 2024-12-31"
    with pytest.raises(Conflict, match=expected):
        requests.grant_request(tiny, users.operator, "R1", on=early)
    with pytest.raises(Conflict, match=expected):
        offers.make_offer(tiny, users.operator, "R1", 100.0, on=early)
