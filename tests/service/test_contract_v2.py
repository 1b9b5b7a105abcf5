"""Contract v2 in the live service: alternative rights and small consumers in allocation
moments (hand-solved, through the API), and the new fields through the API and scenario I/O."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from netruimte.access import audit
from netruimte.access.auth import SYSTEM
from netruimte.register import scenario_io
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.storage import Database
from tests.service.conftest import Users, bearer

JAN, FEB = "2026-01-01", "2026-02-01"


def _day_csv() -> bytes:
    """One winter weekday: 0.5 MW all day, 0.8 MW in the evening peak 16:00-20:00."""
    lines = ["timestamp,mw"]
    start = dt.datetime(2025, 1, 8, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    for q in range(96):
        at = start + dt.timedelta(minutes=15 * q)
        lines.append(f"{at.isoformat()},{0.8 if 64 <= q < 80 else 0.5}")
    return ("\n".join(lines) + "\n").encode()


PROFILE_TOML = """\
[scenario]
name = "evening peak"
start = "2026-01-01"
end = "2027-01-01"
policy = "fcfs"

[[station]]
id = "S"
offtake_mw = 1
load_csv = "s-load.csv"
"""


def test_moment_grants_an_alternative_right_at_its_rank(client, db: Database, users: Users) -> None:
    """S (1 MW) carries 0.5 MW, and 0.8 MW from 16:00 to 20:00 (0.2 MW room). X (400 kW,
    first) does not fit firm, but accepts a time-block right with full kW 20:00-16:00: 0.4 <=
    0.5 MW in every quarter-hour inside, 0 in the peak, so it is granted under that right at
    its rank. Y (300 kW, behind it) accepts the same right, but only 0.1 MW is left: it waits.
    A month later W (150 kW, time-block 16:00-20:00 only) fits the peak's 0.2 MW, which X's
    right leaves free (folded as its claim, not as 400 kW all day); Y still waits."""
    op = bearer(users.operator_token)
    res = client.post(
        "/api/v1/scenario",
        files=[
            ("files", ("s.toml", PROFILE_TOML.encode())),
            ("files", ("s-load.csv", _day_csv())),
        ],
        headers=op,
    )
    assert res.status_code == 201, res.text
    alt = {"contract": "time-block", "capacity_blocks": ["20:00-16:00"]}
    for rid, kw, submitted in (
        ("X", 400, "2025-06-01T09:00+02:00"),
        ("Y", 300, "2025-07-01T09:00+02:00"),
    ):
        made = client.post(
            "/api/v1/requests",
            json={"id": rid, "station": "S", "kw": kw, "submitted": submitted, "accepts": [alt],
                  "accept_partial": False},
            headers=op,
        )  # fmt: skip
        assert made.status_code == 201, made.text
        assert made.json()["accepts"] == [{**alt, "restricted_kw": 0.0}]
        assert made.json()["accept_partial"] is False
    run = client.post("/api/v1/runs/allocate", json={"on": JAN}, headers=op)
    assert run.status_code == 201, run.text
    assert run.json()["granted_count"] == 1
    x = client.get("/api/v1/requests/X", headers=op).json()
    assert (x["status"], x["granted_on"]) == ("granted", JAN)
    assert (x["contract"], x["capacity_blocks"], x["accepts"]) == (
        "time-block",
        ["20:00-16:00"],
        [],
    )
    y = client.get("/api/v1/requests/Y", headers=op).json()
    assert (y["status"], y["contract"]) == ("waiting", "firm")
    grant = next(e for e in audit.list_entries(db, limit=100) if e["action"] == "request.grant")
    assert grant["object"] == "request:X" and grant["inputs"]["alternative"] == "time-block"
    made = client.post(
        "/api/v1/requests",
        json={"id": "W", "station": "S", "kw": 150, "contract": "time-block",
              "capacity_blocks": ["16:00-20:00"], "submitted": "2025-12-01T09:00+01:00"},
        headers=op,
    )  # fmt: skip
    assert made.status_code == 201, made.text
    second = client.post("/api/v1/runs/allocate", json={"on": FEB}, headers=op).json()
    assert second["granted_count"] == 1
    assert client.get("/api/v1/requests/W", headers=op).json()["status"] == "granted"
    assert client.get("/api/v1/requests/Y", headers=op).json()["status"] == "waiting"
    assert audit.verify(db).ok


RESERVE_TOML = """\
[scenario]
name = "reserve"
start = "2025-12-01"
end = "2027-01-01"
policy = "acm-2026"

[[station]]
id = "F"
offtake_mw = 5
load_mw = 5
small_consumer_reserve_mw = 0.1

[[request]]
id = "L"
station = "F"
kw = 500
submitted = "2025-01-01T09:00:00+01:00"

[[request]]
id = "SC1"
station = "F"
kw = 20
small_consumer = true
submitted = "2025-11-01T09:00:00+01:00"

[[request]]
id = "SC2"
station = "F"
kw = 90
small_consumer = true
submitted = "2025-11-02T09:00:00+01:00"
"""


def test_moment_serves_small_consumers_from_the_reserve(client, db: Database, users: Users) -> None:
    """F is full (5 of 5 MW) and keeps 100 kW for small consumers. On 2026-01-01 (before they
    join the list) SC1 (20 kW) is connected from the reserve, outside the queue; SC2 (90 kW)
    does not fit the 80 kW left and waits in the reserve's line, also at the next moment (the
    reserve remembers SC1); L (500 kW) gets nothing. Raising the reserve to 200 kW connects
    SC2. The queue's headroom never moves."""
    op = bearer(users.operator_token)
    scenario_io.import_bundle(db, SYSTEM, [("r.toml", RESERVE_TOML.encode())])

    def status(rid: str) -> tuple[str, str | None]:
        body = client.get(f"/api/v1/requests/{rid}", headers=op).json()
        return body["status"], body["granted_on"]

    first = client.post("/api/v1/runs/allocate", json={"on": JAN}, headers=op)
    assert first.status_code == 201, first.text
    assert first.json()["granted_count"] == 1
    assert [status(r) for r in ("SC1", "SC2", "L")] == [
        ("granted", JAN),
        ("waiting", None),
        ("waiting", None),
    ]
    second = client.post("/api/v1/runs/allocate", json={"on": FEB}, headers=op).json()
    assert second["granted_count"] == 0 and status("SC2") == ("waiting", None)
    grant = next(e for e in audit.list_entries(db, limit=100) if e["action"] == "request.grant")
    assert grant["object"] == "request:SC1" and grant["inputs"]["outside_queue"] is True
    patched = client.patch(
        "/api/v1/stations/F", json={"small_consumer_reserve_mw": 0.2}, headers=op
    )
    assert patched.status_code == 200, patched.text
    assert patched.json()["small_consumer_reserve_mw"] == 0.2
    third = client.post("/api/v1/runs/allocate", json={"on": "2026-03-01"}, headers=op).json()
    assert third["granted_count"] == 1
    assert status("SC2") == ("granted", "2026-03-01") and status("L") == ("waiting", None)
    m = client.get("/api/v1/public/capacity-map", params={"on": "2026-03-01"}).json()
    [f] = m["stations"]
    assert f["demand_quoted_capacity"] == 5  # the reserve's 110 kW are not queue headroom
    assert audit.verify(db).ok


FULL_TOML = """\
[scenario]
name = "all v2 keys"
start = "2026-01-01"
end = "2028-01-01"
policy = "acm-2026"
partial_offers = false
min_offer_kw = 100

[[station]]
id = "TOP"
offtake_mw = 50
connection_kv = 150
lat = 52.37
lon = 5.22
aggregated = true

[[station]]
id = "ALM"
parent = "TOP"
offtake_mw = 10
small_consumer_reserve_mw = 2

[[request]]
id = "R1"
station = "ALM"
kw = 800
submitted = "2025-01-01T09:00:00+01:00"
accept_partial = false
connection_kv = 20
accepts = ["tdtr", { contract = "time-block", capacity_blocks = ["22:00-06:00"], \
restricted_kw = 50 }]

[[request]]
id = "R2"
station = "ALM"
kw = 300
submitted = "2025-02-01T09:00:00+01:00"
contract = "time-block"
capacity_blocks = ["20:00-16:00"]
accepts = ["non-firm"]
"""


def test_scenario_round_trip_keeps_the_v2_fields(
    client, db: Database, users: Users, tmp_path: Path
) -> None:
    """Import a scenario with every v2 key, read it through the API, export it as TOML and
    load that: the same stations, requests and settings. The request CSV cannot hold an
    alternative with blocks: that export is refused with a reason."""
    op = bearer(users.operator_token)
    imported = client.post(
        "/api/v1/scenario", files=[("files", ("full.toml", FULL_TOML.encode()))], headers=op
    )
    assert imported.status_code == 201, imported.text
    stations = {s["id"]: s for s in client.get("/api/v1/stations", headers=op).json()}
    assert {k: stations["TOP"][k] for k in ("connection_kv", "lat", "lon", "aggregated")} == {
        "connection_kv": 150,
        "lat": 52.37,
        "lon": 5.22,
        "aggregated": True,
    }
    assert stations["ALM"]["small_consumer_reserve_mw"] == 2
    assert stations["ALM"]["connection_kv"] == 10 and stations["ALM"]["aggregated"] is False
    r1 = client.get("/api/v1/requests/R1", headers=op).json()
    assert (r1["accept_partial"], r1["connection_kv"]) == (False, 20)
    assert r1["accepts"] == [
        {"contract": "tdtr", "capacity_blocks": None, "restricted_kw": 0.0},
        {"contract": "time-block", "capacity_blocks": ["22:00-06:00"], "restricted_kw": 50.0},
    ]
    exported = client.get("/api/v1/scenario", params={"format": "toml"}, headers=op)
    assert exported.status_code == 200, exported.text
    original_path, again_path = tmp_path / "full.toml", tmp_path / "again.toml"
    original_path.write_text(FULL_TOML, encoding="utf-8")
    again_path.write_bytes(exported.content)
    original, again = load_scenario(original_path), load_scenario(again_path)
    assert again.grid.stations == original.grid.stations
    assert again.requests == original.requests
    assert (again.partial_offers, again.min_offer_kw) == (False, 100)
    refused = client.get("/api/v1/scenario", params={"format": "csv"}, headers=op)
    assert refused.status_code == 409 and "format=toml" in refused.json()["message"]


def test_api_refuses_bad_v2_fields(client, tiny, users: Users) -> None:
    """Strict types and limits, as the other fields; errors name the field."""
    op = bearer(users.operator_token)
    bad = [
        ({"accepts": [{"contract": "firm"}]}, "accepts"),
        ({"accepts": [{"contract": "tdtr", "capacity_blocks": ["22:00-06:00"]}]}, "accepts"),
        ({"accept_partial": 1}, "accept_partial"),
        ({"connection_kv": 0}, "connection_kv"),
        ({"connection_kv": "10"}, "connection_kv"),
    ]
    for extra, field in bad:
        res = client.post("/api/v1/requests", json={"station": "A", "kw": 10, **extra}, headers=op)
        assert res.status_code == 422, (extra, res.text)
        assert field in res.text, (extra, res.text)
    for patch in ({"lat": 91}, {"aggregated": "yes"}, {"connection_kv": None}):
        res = client.patch("/api/v1/stations/A", json=patch, headers=op)
        assert res.status_code == 422, (patch, res.text)
    schema = client.get("/openapi.json").json()["components"]["schemas"]
    assert schema["StationIn"]["properties"]["lat"]["anyOf"][0]["maximum"] == 90
    assert schema["RequestIn"]["properties"]["accepts"]["anyOf"][0]["maxItems"] == 3


def test_operator_changes_the_v2_fields_of_a_request(
    client, db: Database, tiny, users: Users
) -> None:
    """PATCH sets and clears accepts, accept_partial and connection_kv; a contract listed as
    its own alternative is refused (the whole request is validated); the trail verifies."""
    op = bearer(users.operator_token)
    patch = {"accepts": [{"contract": "non-firm"}], "accept_partial": False, "connection_kv": 20}
    res = client.patch("/api/v1/requests/R1", json=patch, headers=op)
    assert res.status_code == 200, res.text
    body = res.json()
    assert body["accepts"] == [
        {"contract": "non-firm", "capacity_blocks": None, "restricted_kw": 0.0}
    ]
    assert (body["accept_partial"], body["connection_kv"]) == (False, 20)
    own = client.patch("/api/v1/requests/R1", json={"contract": "non-firm"}, headers=op)
    assert own.status_code == 422 and own.json()["field"] == "accepts"
    cleared = client.patch(
        "/api/v1/requests/R1", json={"accepts": None, "connection_kv": None}, headers=op
    )
    assert (cleared.json()["accepts"], cleared.json()["connection_kv"]) == ([], None)
    assert (
        client.patch("/api/v1/requests/R1", json={"accept_partial": None}, headers=op).status_code
        == 422
    )
    assert audit.verify(db).ok
