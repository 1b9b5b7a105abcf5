"""Offers keep the books: whatever an operator and an applicant do with offers, the request's
kW and its live parts add up to what was asked, no node is allocated beyond its room, and the
audit trail still vouches for every row (hypothesis, on SQLite)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from netruimte.access import audit, auth
from netruimte.errors import Conflict, InputError
from netruimte.register import network, offers
from netruimte.register import requests as request_service
from netruimte.storage import Database
from tests.service.workflow_world import make_world

OPS = st.lists(
    st.tuples(
        st.sampled_from(["make", "accept", "decline", "withdraw"]),
        st.integers(min_value=1, max_value=900),  # kW of an offer
        st.integers(min_value=1, max_value=4),  # which part
    ),
    min_size=1,
    max_size=8,
)


@settings(
    max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(ops=OPS)
def test_offers_add_up_and_stay_within_the_room(
    ops: list[tuple[str, int, int]], sqlite_template: Path, tmp_path_factory: pytest.TempPathFactory
) -> None:
    path = tmp_path_factory.mktemp("offers") / "netruimte.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(str(path))
    try:
        make_world(db)
        op = auth.authenticate(db, auth.rotate_token(db, "planner"))
        bob = auth.authenticate(db, auth.rotate_token(db, "bob"))
        asked = 1200.0
        rid = request_service.create_request(db, bob, {"station": "WA", "kw": asked})["id"]
        for kind, kw, n in ops:
            part = f"{rid}.part{n}"
            try:
                if kind == "make":
                    offers.make_offer(db, op, rid, float(kw))
                elif kind == "accept":
                    offers.accept_offer(db, bob, part)
                elif kind == "decline":
                    offers.decline_offer(db, bob, part)
                else:
                    offers.withdraw_offer(db, op, part)
            except (Conflict, InputError):
                pass  # refused as a whole: nothing may have changed (checked below)
            except Exception as exc:  # a missing part is NotFound
                assert type(exc).__name__ == "NotFound", exc
            live = [o for o in offers.list_offers(db, op, rid) if o["status"] == "granted"]
            rest = request_service.get_request(db, op, rid)["kw"]
            assert rest + sum(o["kw"] for o in live) == pytest.approx(asked)
            assert all(o["offer_status"] in ("offered", "accepted") for o in live)
            room = network.station_headroom(db, "WA", None)
            assert all(n["room_mw"] is None or n["room_mw"] >= -1e-9 for n in room["nodes"])
        assert audit.verify(db).ok
    finally:
        db.dispose()
