"""The API end to end on the tiny scenario: hand-solved allocations, grants, capacity map,
requests, claims, forecasts cross-checked against the library, and the error format."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest

from netruimte.access import audit
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.storage import Database
from netruimte.waitlist import explain, simulate
from tests.service.conftest import TINY_TOML, Users, bearer

JAN, JUL = "2026-01-01", "2026-07-01"


def _tiny_scenario(tmp_path: Path):  # type: ignore[no-untyped-def]
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_TOML, encoding="utf-8")
    return load_scenario(path)


def _status(client, token: str, rid: str) -> tuple[str, str | None]:  # type: ignore[no-untyped-def]
    body = client.get(f"/api/v1/requests/{rid}", headers=bearer(token)).json()
    return body["status"], body["granted_on"]


def _map(client, on: str) -> dict[str, dict]:  # type: ignore[no-untyped-def,type-arg]
    res = client.get("/api/v1/public/capacity-map", params={"on": on})
    assert res.status_code == 200
    return {e["short_code"]: e for e in res.json()["stations"]}


def test_public_capacity_map_is_exact_and_needs_no_token(client, tiny, users: Users) -> None:
    m = _map(client, JAN)
    top, a, b = m["TOP"], m["A"], m["B"]
    # TOP: 10 MW, 8 used, all three requests (2.7 MW) wait, 2 MW room -> red
    assert top["demand_available_capacity"] == 10
    assert top["demand_quoted_capacity"] == 8
    assert top["demand_capacity_in_queue"] == pytest.approx(2.7)
    assert top["demand_requests_in_queue"] == 3
    assert (top["demand_constraint"], top["demand_constraint_code"]) == ("red", 3)
    assert (top["generation_constraint"], top["generation_requests_in_queue"]) == ("green", 0)
    # A: 1 MW room, 1.2 MW wait -> red; B: 2 MW room, 1.5 MW waits (held back by TOP) -> amber
    assert (a["demand_capacity_in_queue"], a["demand_constraint"]) == (pytest.approx(1.2), "red")
    assert (b["demand_capacity_in_queue"], b["demand_constraint"]) == (1.5, "amber")
    assert b["generation_available_capacity"] is None  # B does not limit feed-in
    assert a["demand_forecast_capacity"] == 7  # after A-2026
    assert _map(client, JUL)["A"]["demand_available_capacity"] == 7
    one = client.get("/api/v1/public/capacity-map/B", params={"on": JAN}).json()
    assert one == b
    csv = client.get("/api/v1/public/capacity-map.csv", params={"on": JAN})
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")
    header, *rows = csv.text.strip().splitlines()
    assert header.startswith("short_code,demand_available_capacity")
    assert any(r.startswith("B,") and ",amber," in r for r in rows)
    missing = client.get("/api/v1/public/capacity-map/NOPE")
    assert missing.status_code == 404 and missing.json()["error"] == "not-found"


def test_queue_figures_suppress_small_cells(client, tiny) -> None:
    body = client.get("/api/v1/public/queue", params={"on": JAN}).json()
    assert body["totals"]["offtake"] == {"requests": 3, "mw": 2.7}
    assert body["min_cell"] == 3
    # every cell of the tiny queue has fewer than 3 requests: no single request shows
    assert body["cells"] and all(c["suppressed"] and c["mw"] is None for c in body["cells"])
    assert {(c["station"], c["category"]) for c in body["cells"]} == {
        ("A", "none"),
        ("A", "basic-needs"),
        ("B", "none"),
    }


def test_allocation_moments_acm_2026_exact(client, tiny, users: Users, db: Database) -> None:
    op = bearer(users.operator_token)
    first = client.post("/api/v1/runs/allocate", json={"on": JAN}, headers=op)
    assert first.status_code == 201, first.text
    # basic needs with evidence ranks first at A and fits (A 0.4, TOP 1.4 MW left); R1 is
    # offered the 400 kW A has left (part R1.part1; 200 kW keep their place); R3 is offered the
    # 1,000 kW TOP has left (part R3.part1; 500 kW wait): three grants, nobody over capacity
    assert first.json()["granted_count"] == 3
    assert _status(client, users.operator_token, "R2") == ("granted", JAN)
    assert _status(client, users.operator_token, "R1") == ("waiting", None)
    assert _status(client, users.operator_token, "R1.part1") == ("granted", JAN)
    assert _status(client, users.operator_token, "R3.part1") == ("granted", JAN)
    kw = {
        rid: client.get(f"/api/v1/requests/{rid}", headers=op).json()["kw"]
        for rid in ("R1", "R1.part1", "R3", "R3.part1")
    }
    assert kw == {"R1": 200, "R1.part1": 400, "R3": 500, "R3.part1": 1000}
    m = _map(client, JAN)
    assert m["A"]["demand_quoted_capacity"] == pytest.approx(5.0)
    assert m["TOP"]["demand_quoted_capacity"] == pytest.approx(10.0)
    # A: no room, 0.2 MW wait -> red; B: 1 MW room, 0.5 MW waits (held back by TOP) -> amber
    assert m["A"]["demand_constraint"] == "red" and m["B"]["demand_constraint"] == "amber"
    # July: A-2026 adds 2 MW at A, but TOP has nothing left: nobody gets more
    second = client.post("/api/v1/runs/allocate", json={"on": JUL}, headers=op).json()
    assert second["granted_count"] == 0
    res = client.get(f"/api/v1/runs/{second['id']}/results", headers=op).json()
    r3 = next(r for r in res["requests"] if r["id"] == "R3")
    assert r3["granted_on"] is None
    assert "Top has 0.000 MW left, you need 0.500 MW" in r3["explanation"]
    entries = audit.list_entries(db, limit=1000)
    ranking = next(e for e in entries if e["action"] == "run.ranking")
    assert [r["id"] for r in ranking["inputs"]["ranking"]["A/offtake"]] == ["R2", "R1"]
    assert ranking["policy_version"].startswith("acm-2026/")
    grants = [e for e in entries if e["action"] == "request.grant"]
    assert [e["object"] for e in grants] == ["request:R2", "request:R1.part1", "request:R3.part1"]
    assert grants[1]["inputs"]["partial_offer_of"] == "R1"
    assert audit.verify(db).ok


def test_allocation_moment_fcfs_exact(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    run = client.post("/api/v1/runs/allocate", json={"on": JAN, "policy": "fcfs"}, headers=op)
    # R1 first (first submitted, fits whole); R2 is offered A's 400 kW; R3 TOP's 1,000 kW
    assert run.json()["granted_count"] == 3 and run.json()["policy"] == "fcfs"
    assert _status(client, users.operator_token, "R1") == ("granted", JAN)
    assert _status(client, users.operator_token, "R2") == ("waiting", None)
    assert _status(client, users.operator_token, "R2.part1") == ("granted", JAN)


def test_grant_checks_every_node_and_withdraw_frees(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    ok = client.post("/api/v1/requests/R3/grant", json={"on": JAN}, headers=op)
    assert ok.status_code == 200 and ok.json()["status"] == "granted"
    # R1 fits A (1 MW) but TOP has 0.5 MW left after R3
    refused = client.post("/api/v1/requests/R1/grant", json={"on": JAN}, headers=op)
    assert refused.status_code == 409
    assert "TOP" in refused.json()["message"] and "0.500 MW left" in refused.json()["message"]
    again = client.post("/api/v1/requests/R3/grant", json={"on": JAN}, headers=op)
    assert again.status_code == 409 and "not waiting" in again.json()["message"]
    head = client.get("/api/v1/stations/A/headroom", params={"on": JAN}, headers=op).json()
    rooms = {(n["station"], n["direction"]): n for n in head["nodes"]}
    assert head["path"] == ["A", "TOP"]
    assert rooms[("TOP", "offtake")]["room_mw"] == pytest.approx(0.5)
    withdrawn = client.post("/api/v1/requests/R3/withdraw", json={"reason": "moved"}, headers=op)
    assert withdrawn.json()["status"] == "withdrawn"
    assert client.post("/api/v1/requests/R1/grant", json={"on": JAN}, headers=op).status_code == 200
    early = client.post("/api/v1/requests/R2/grant", json={"on": "2024-12-31"}, headers=op)
    assert early.status_code == 409 and "submitted" in early.json()["message"]


def test_forecast_run_is_the_library_simulation(
    client, tiny, users: Users, run_jobs: Callable[[], int], tmp_path: Path
) -> None:
    op = bearer(users.operator_token)
    queued = client.post("/api/v1/runs", json={"compare": "fcfs"}, headers=op)
    assert queued.status_code == 202, queued.text
    run = queued.json()
    assert run["status"] == "queued" and run["kind"] == "forecast"
    job = client.get(f"/api/v1/jobs/{run['job_id']}", headers=op).json()
    assert job["status"] == "queued" and job["target"] == f"/api/v1/runs/{run['id']}"
    assert run_jobs() == 1
    job = client.get(f"/api/v1/jobs/{run['job_id']}", headers=op).json()
    assert (job["status"], job["progress"]) == ("done", 1.0)
    res = client.get(f"/api/v1/runs/{run['id']}/results", headers=op).json()
    expected = simulate(_tiny_scenario(tmp_path), compare="fcfs")
    assert {k: res[k] for k in ("policy", "fit", "requests", "stations", "compare")} == (
        expected.to_json_dict()
    )
    one = client.get(f"/api/v1/runs/{run['id']}/requests/R1", headers=op).json()
    assert one["detail"] == explain(expected, "R1")
    assert one["explanation"] == expected.request("R1").explanation


def test_applicant_files_claims_and_sees_only_own(client, tiny, users: Users) -> None:
    alice, op = bearer(users.alice_token), bearer(users.operator_token)
    before = dt.datetime.now(dt.UTC)
    made = client.post("/api/v1/requests", json={"station": "A", "kw": 250}, headers=alice)
    assert made.status_code == 201, made.text
    req = made.json()
    assert req["owner"] == "alice" and req["applicant"] == "alice" and req["status"] == "waiting"
    submitted = dt.datetime.fromisoformat(req["submitted"])
    assert before - dt.timedelta(seconds=1) <= submitted <= dt.datetime.now(dt.UTC)
    mine = client.get("/api/v1/requests", headers=alice).json()
    assert mine["total"] == 1 and [r["id"] for r in mine["items"]] == [req["id"]]
    assert client.get("/api/v1/requests", headers=op).json()["total"] == 4
    # priority only through a claim; backdating is refused
    for field, value in (("submitted", "2020-01-01T00:00:00Z"), ("evidence", True)):
        bad = client.post(
            "/api/v1/requests", json={"station": "A", "kw": 1, field: value}, headers=alice
        )
        assert bad.status_code == 403 and field in bad.json()["message"]
    claim = client.post(
        f"/api/v1/requests/{req['id']}/priority-claims",
        json={
            "category": "basic-needs",
            "function": "education",
            "evidence": "BRIN 12AB, DUO 2026",
        },
        headers=alice,
    )
    assert claim.status_code == 201 and claim.json()["status"] == "pending"
    pending = client.get(f"/api/v1/requests/{req['id']}", headers=alice).json()
    assert (pending["category"], pending["eligible_category"]) == ("basic-needs", "none")
    twice = client.post(
        f"/api/v1/requests/{req['id']}/priority-claims",
        json={"category": "safety", "function": "police", "evidence": "another claim text"},
        headers=alice,
    )
    assert twice.status_code == 409
    refused = client.post(
        f"/api/v1/priority-claims/{claim.json()['id']}/decision",
        json={"accept": True, "reason": "self-approval"},
        headers=alice,
    )
    assert refused.status_code == 403
    decided = client.post(
        f"/api/v1/priority-claims/{claim.json()['id']}/decision",
        json={"accept": True, "reason": "school registration checked"},
        headers=op,
    )
    assert decided.json()["status"] == "accepted"
    after = client.get(f"/api/v1/requests/{req['id']}", headers=alice).json()
    assert (after["evidence"], after["eligible_category"]) == (True, "basic-needs")
    gone = client.post(f"/api/v1/requests/{req['id']}/withdraw", headers=alice)
    assert gone.json()["status"] == "withdrawn"
    assert client.post(f"/api/v1/requests/{req['id']}/withdraw", headers=alice).status_code == 409


def test_operator_files_for_an_applicant_and_reassigns(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    made = client.post(
        "/api/v1/requests",
        json={
            "id": "PAPER-1",
            "station": "B",
            "kw": 100,
            "owner": "bob",
            "submitted": "2024-05-01T10:00:00+02:00",
            "category": "safety",
            "function": "police",
            "evidence": True,
        },
        headers=op,
    )
    assert made.status_code == 201, made.text
    assert made.json()["eligible_category"] == "safety"
    assert made.json()["submitted"].startswith("2024-05-01T08:00:00")
    dup = client.post(
        "/api/v1/requests", json={"id": "PAPER-1", "station": "B", "kw": 1}, headers=op
    )
    assert dup.status_code == 409
    bob = bearer(users.bob_token)
    assert client.get("/api/v1/requests/PAPER-1", headers=bob).status_code == 200
    moved = client.patch("/api/v1/requests/PAPER-1", json={"owner": "alice"}, headers=op)
    assert moved.json()["owner"] == "alice"
    assert client.get("/api/v1/requests/PAPER-1", headers=bob).status_code == 404


def test_errors_are_json_and_name_the_field(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    res = client.post("/api/v1/requests", json={"station": "A", "kw": -5}, headers=op)
    assert res.status_code == 422
    assert res.json()["error"] == "input" and res.json()["field"] == "kw"
    res = client.post("/api/v1/requests", json={"station": "A", "kw": 5, "colour": 1}, headers=op)
    assert res.status_code == 422 and res.json()["field"] == "colour"
    res = client.post("/api/v1/requests", json={"station": "ZZZ", "kw": 5}, headers=op)
    assert res.status_code == 422 and res.json()["field"] == "station"
    res = client.post(
        "/api/v1/requests", json={"station": "A", "kw": 5, "function": "spaceport"}, headers=op
    )
    assert res.status_code == 422 and res.json()["field"] == "function"
    res = client.get("/api/v1/public/capacity-map", params={"on": "yesterday"})
    assert res.status_code == 422 and res.json()["field"] == "on"
    res = client.post("/api/v1/requests", content=b"{not json", headers=op)
    assert res.status_code == 422 and res.json()["error"] == "input"
    res = client.get("/api/v1/requests")
    assert res.status_code == 401 and res.headers["www-authenticate"] == "Bearer"
    res = client.get("/api/v1/requests", headers=bearer("not-a-token"))
    assert res.status_code == 401 and res.json()["message"] == "invalid token"
    res = client.get("/api/v1/nothing-here", headers=op)
    assert res.status_code == 404 and res.json()["error"] == "not-found"
    res = client.post("/api/v1/runs", json={"runs": 0}, headers=op)
    assert res.status_code == 422 and res.json()["field"] == "runs"
    res = client.post("/api/v1/runs", json={"start": "2030-01-01", "end": "2029-01-01"}, headers=op)
    assert res.status_code == 422 and res.json()["field"] == "end"


def test_stations_and_reinforcements_crud(client, tiny, users: Users, db: Database) -> None:
    op, alice = bearer(users.operator_token), bearer(users.alice_token)
    assert [s["id"] for s in client.get("/api/v1/stations", headers=alice).json()] == [
        "TOP",
        "A",
        "B",
    ]
    body = {"id": "C", "parent": "TOP", "offtake_mw": 4, "load_mw": 1}
    assert client.post("/api/v1/stations", json=body, headers=alice).status_code == 403
    made = client.post("/api/v1/stations", json=body, headers=op)
    assert made.status_code == 201 and made.json()["parent"] == "TOP"
    cycle = client.patch("/api/v1/stations/TOP", json={"parent": "C"}, headers=op)
    assert cycle.status_code == 422 and "cycle" in cycle.json()["message"]
    assert client.get("/api/v1/stations/TOP", headers=op).json()["parent"] is None
    rf = {"id": "C-2027", "station": "C", "date": "2027-01-01", "offtake_mw": 3}
    assert client.post("/api/v1/reinforcements", json=rf, headers=op).status_code == 201
    busy = client.delete("/api/v1/stations/C", headers=op)
    assert busy.status_code == 409 and "reinforcements" in busy.json()["message"]
    feed = client.patch("/api/v1/reinforcements/C-2027", json={"feedin_mw": 1}, headers=op)
    assert feed.status_code == 422 and feed.json()["field"] == "feedin_mw"  # C has no feed-in
    moved = client.patch("/api/v1/reinforcements/C-2027", json={"date": "2028-01-01"}, headers=op)
    assert moved.json()["date"] == "2028-01-01"
    assert client.delete("/api/v1/reinforcements/C-2027", headers=op).status_code == 204
    assert client.delete("/api/v1/stations/C", headers=op).status_code == 204
    assert client.get("/api/v1/stations/C", headers=op).status_code == 404
    actions = [e["action"] for e in audit.list_entries(db, limit=1000)]
    for action in (
        "station.create",
        "reinforcement.create",
        "reinforcement.update",
        "reinforcement.delete",
        "station.delete",
    ):
        assert action in actions
    assert audit.verify(db).ok


def test_register_me_and_audit_routes(client, tiny, users: Users) -> None:
    op, alice = bearer(users.operator_token), bearer(users.alice_token)
    assert client.get("/api/v1/me", headers=alice).json() == {"name": "alice", "role": "applicant"}
    reg = client.get("/api/v1/register", headers=alice).json()
    assert reg["name"] == "tiny" and reg["requests"] == {"waiting": 3, "granted": 0, "withdrawn": 0}
    imported_at = reg.pop("imported_at")
    assert imported_at.endswith("Z")
    assert reg == {
        "name": "tiny",
        "start": "2026-01-01",
        "end": "2027-01-01",
        "policy": "acm-2026",
        "fit": "first-fit",
        "capacity": None,
        "timezone": "Europe/Amsterdam",
        "source": "upload:tiny.toml",
        "stations": 3,
        "reinforcements": 1,
        "requests": {"waiting": 3, "granted": 0, "withdrawn": 0},
    }
    assert client.get("/api/v1/audit", headers=alice).status_code == 403
    page = client.get("/api/v1/audit", params={"limit": 2}, headers=op).json()
    assert [e["seq"] for e in page["items"]] == [1, 2] and page["next_after"] == 2
    assert page["items"][0]["action"] == "scenario.import"
    verify = client.get("/api/v1/audit/verify", headers=op).json()
    assert verify["ok"] and verify["entries"] == verify["head_seq"] >= 4


def test_time_block_requests_use_capacity_blocks_and_old_blocks_are_refused(
    client, tiny, users: Users
) -> None:
    op = bearer(users.operator_token)
    body = {"station": "A", "kw": 100, "contract": "time-block", "restricted_kw": 0}
    old = client.post("/api/v1/requests", json={**body, "blocks": ["16:00-20:00"]}, headers=op)
    assert old.status_code == 422 and 'becomes capacity_blocks = [\\"20:00-16:00\\"]' in old.text
    new = client.post(
        "/api/v1/requests", json={**body, "capacity_blocks": ["22:00-06:00"]}, headers=op
    )
    assert new.status_code == 201, new.text
    assert new.json()["capacity_blocks"] == ["22:00-06:00"]
