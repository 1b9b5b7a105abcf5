"""Authorization on every route of the API.

The routes come from the app itself (its OpenAPI document): a route added without an entry in
:data:`ROUTES` fails :func:`test_every_route_has_an_authorization_rule`. For each route the
rule says what an applicant (alice) gets when she aims at another applicant's (bob's) objects:

* ``public``: answers without a token;
* ``shared``: any signed-in user may read it;
* ``operator``: 403 for an applicant, before any object is looked up (so the answer is the
  same for bob's objects and for ids that do not exist: nothing leaks);
* ``foreign``: 404 for bob's object, exactly as for an id that does not exist;
* ``listing``: alice's list holds her own objects and none of bob's;
* ``create``: alice may create, and what she creates is hers.

Every non-public route answers 401 without a token. After all of alice's attempts, bob's
objects and the audit trail are unchanged.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from netruimte.access import audit
from netruimte.storage import Database
from tests.service.conftest import Users, bearer
from tests.service.test_siteplans import _files

V = "/api/v1"


@dataclass(frozen=True)
class Rule:
    """What an applicant may do on a route (see the module docstring)."""

    kind: str
    body: dict[str, Any] | None = None
    files: bool = False
    lists: tuple[str, Callable[[Any], set[Any]]] | None = None
    """For listings: which of bob's ids must not show, and how to read the ids listed."""


def _items(body: Any) -> set[Any]:
    return {item["id"] for item in (body["items"] if isinstance(body, dict) else body)}


ROUTES: dict[tuple[str, str], Rule] = {
    ("GET", f"{V}/public/capacity-map"): Rule("public"),
    ("GET", f"{V}/public/capacity-map.csv"): Rule("public"),
    ("GET", f"{V}/public/capacity-map/{{station_id}}"): Rule("public"),
    ("GET", f"{V}/public/queue"): Rule("public"),
    ("GET", f"{V}/me"): Rule("shared"),
    ("GET", f"{V}/register"): Rule("shared"),
    ("POST", f"{V}/scenario"): Rule("operator", files=True),
    ("GET", f"{V}/scenario"): Rule("operator"),
    ("GET", f"{V}/audit"): Rule("operator"),
    ("GET", f"{V}/audit/verify"): Rule("operator"),
    ("GET", f"{V}/stations"): Rule("shared"),
    ("POST", f"{V}/stations"): Rule("operator", {"id": "X", "offtake_mw": 1}),
    ("GET", f"{V}/stations/{{station_id}}"): Rule("shared"),
    ("PATCH", f"{V}/stations/{{station_id}}"): Rule("operator", {"offtake_mw": 1}),
    ("DELETE", f"{V}/stations/{{station_id}}"): Rule("operator"),
    ("GET", f"{V}/stations/{{station_id}}/headroom"): Rule("shared"),
    ("GET", f"{V}/reinforcements"): Rule("shared"),
    ("POST", f"{V}/reinforcements"): Rule(
        "operator", {"id": "X", "station": "A", "date": "2030-01-01"}
    ),
    ("GET", f"{V}/reinforcements/{{reinforcement_id}}"): Rule("shared"),
    ("PATCH", f"{V}/reinforcements/{{reinforcement_id}}"): Rule("operator", {"offtake_mw": 9}),
    ("DELETE", f"{V}/reinforcements/{{reinforcement_id}}"): Rule("operator"),
    ("GET", f"{V}/requests"): Rule("listing", lists=("request_id", _items)),
    ("POST", f"{V}/requests"): Rule("create", {"station": "A", "kw": 5}),
    ("GET", f"{V}/requests/{{request_id}}"): Rule("foreign"),
    ("PATCH", f"{V}/requests/{{request_id}}"): Rule("operator", {"owner": "alice"}),
    ("POST", f"{V}/requests/{{request_id}}/withdraw"): Rule("foreign", {}),
    ("POST", f"{V}/requests/{{request_id}}/grant"): Rule("operator", {}),
    ("POST", f"{V}/requests/{{request_id}}/priority-claims"): Rule(
        "foreign", {"category": "safety", "function": "police", "evidence": "forged evidence"}
    ),
    ("GET", f"{V}/requests/{{request_id}}/priority-claims"): Rule("foreign"),
    ("POST", f"{V}/requests/{{request_id}}/annex"): Rule("foreign", {"site_plan_id": 1}),
    ("GET", f"{V}/requests/{{request_id}}/offers"): Rule("foreign"),
    ("POST", f"{V}/requests/{{request_id}}/offers"): Rule("operator", {"kw": 5}),
    ("POST", f"{V}/offers/{{offer_id}}/accept"): Rule("foreign", {}),
    ("POST", f"{V}/offers/{{offer_id}}/decline"): Rule("foreign", {}),
    ("POST", f"{V}/offers/{{offer_id}}/withdraw"): Rule("operator", {}),
    ("GET", f"{V}/priority-claims"): Rule("listing", lists=("claim_id", _items)),
    ("GET", f"{V}/priority-claims/{{claim_id}}"): Rule("foreign"),
    ("POST", f"{V}/priority-claims/{{claim_id}}/decision"): Rule(
        "operator", {"accept": True, "reason": "self-service"}
    ),
    ("GET", f"{V}/runs"): Rule("shared"),
    ("POST", f"{V}/runs"): Rule("operator", {}),
    ("POST", f"{V}/runs/allocate"): Rule("operator", {"on": "2026-01-01"}),
    ("GET", f"{V}/runs/{{run_id}}"): Rule("shared"),
    ("GET", f"{V}/runs/{{run_id}}/results"): Rule(
        "listing", lists=("request_id", lambda b: {r["id"] for r in b["requests"]})
    ),
    ("GET", f"{V}/runs/{{run_id}}/requests/{{request_id}}"): Rule("foreign"),
    ("GET", f"{V}/jobs"): Rule("listing", lists=("job_id", _items)),
    ("GET", f"{V}/jobs/{{job_id}}"): Rule("foreign"),
    ("GET", f"{V}/site-plans"): Rule("listing", lists=("plan_id", _items)),
    ("POST", f"{V}/site-plans"): Rule("create", files=True),
    ("GET", f"{V}/site-plans/{{plan_id}}"): Rule("foreign"),
    ("GET", f"{V}/site-plans/{{plan_id}}/report"): Rule("foreign"),
    ("GET", f"{V}/site-plans/{{plan_id}}/import.csv"): Rule("foreign"),
}


def api_routes(client) -> set[tuple[str, str]]:  # type: ignore[no-untyped-def]
    """Every operation of the app's API, from its own OpenAPI document."""
    paths = client.app.openapi()["paths"]
    return {(m.upper(), p) for p, ops in paths.items() for m in ops if p.startswith(V)}


def test_every_route_has_an_authorization_rule(client) -> None:
    routes = api_routes(client)
    assert routes, "no API routes found"
    missing = sorted(routes - set(ROUTES))
    stale = sorted(set(ROUTES) - routes)
    assert not missing, f"routes without an authorization rule and test: {missing}"
    assert not stale, f"rules for routes that no longer exist: {stale}"


@dataclass
class World:
    """Bob's objects (the targets) and alice's own."""

    ids: dict[str, Any]
    alice_own: dict[str, Any]


@pytest.fixture
def world(client, tiny, users: Users, run_jobs: Callable[[], int]) -> World:
    alice, bob, op = (
        bearer(users.alice_token),
        bearer(users.bob_token),
        bearer(users.operator_token),
    )
    bob_req = client.post(f"{V}/requests", json={"station": "B", "kw": 20}, headers=bob).json()
    claim = client.post(
        f"{V}/requests/{bob_req['id']}/priority-claims",
        json={"category": "basic-needs", "function": "housing", "evidence": "permit 2026-123"},
        headers=bob,
    ).json()
    offer = client.post(f"{V}/requests/{bob_req['id']}/offers", json={"kw": 10}, headers=op)
    assert offer.status_code == 201, offer.text
    bob_plan = client.post(f"{V}/site-plans", files=_files(), headers=bob).json()
    alice_req = client.post(f"{V}/requests", json={"station": "A", "kw": 30}, headers=alice).json()
    alice_plan = client.post(f"{V}/site-plans", files=_files(), headers=alice).json()
    run = client.post(f"{V}/runs", json={}, headers=op).json()
    run_jobs()
    return World(
        ids={
            "station_id": "A",
            "reinforcement_id": "A-2026",
            "request_id": bob_req["id"],
            "claim_id": claim["id"],
            "offer_id": offer.json()["id"],
            "plan_id": bob_plan["id"],
            "job_id": bob_plan["job_id"],
            "run_id": run["id"],
        },
        alice_own={
            "request_id": alice_req["id"],
            "plan_id": alice_plan["id"],
            "job_id": alice_plan["job_id"],
        },
    )


def _call(client, method: str, url: str, rule: Rule, token: str | None):  # type: ignore[no-untyped-def]
    headers = bearer(token) if token else {}
    if rule.files:
        files = _files() if "site-plans" in url else [("files", ("s.toml", b"[scenario]\n"))]
        return client.request(method, url, files=files, headers=headers)
    if rule.body is not None:
        return client.request(method, url, json=rule.body, headers=headers)
    return client.request(method, url, headers=headers)


def _snapshot(client, users: Users, w: World, db: Database) -> dict[str, Any]:  # type: ignore[no-untyped-def]
    bob = bearer(users.bob_token)
    i = w.ids
    return {
        "request": client.get(f"{V}/requests/{i['request_id']}", headers=bob).json(),
        "claims": client.get(f"{V}/requests/{i['request_id']}/priority-claims", headers=bob).json(),
        "offers": client.get(f"{V}/requests/{i['request_id']}/offers", headers=bob).json(),
        "plan": client.get(f"{V}/site-plans/{i['plan_id']}", headers=bob).json(),
        "job": client.get(f"{V}/jobs/{i['job_id']}", headers=bob).json(),
        "audit_head": audit.verify(db).head_seq,
    }


def test_applicant_cannot_reach_another_applicants_objects(
    client, world: World, users: Users, db: Database
) -> None:
    before = _snapshot(client, users, world, db)
    failures: list[str] = []
    for (method, path), rule in sorted(ROUTES.items()):
        if rule.kind == "create":
            continue  # changes the register on purpose; checked below
        url = path.format(**world.ids)
        res = _call(client, method, url, rule, users.alice_token)
        anon = _call(client, method, url, rule, None)
        where = f"{method} {path}"
        if rule.kind == "public":
            if anon.status_code != 200:
                failures.append(f"{where}: public route answered {anon.status_code}")
            continue
        if anon.status_code != 401:
            failures.append(f"{where}: without a token answered {anon.status_code}, not 401")
        if rule.kind == "shared" and res.status_code != 200:
            failures.append(f"{where}: applicant read answered {res.status_code}")
        elif rule.kind in ("operator", "foreign"):
            # the same answer for bob's object and for an object that does not exist
            ghost = path.format(
                **{k: (999999 if isinstance(v, int) else "NOPE") for k, v in world.ids.items()}
            )
            ghost_res = _call(client, method, ghost, rule, users.alice_token)
            want = 403 if rule.kind == "operator" else 404
            got = (res.status_code, ghost_res.status_code)
            if got != (want, want):
                failures.append(f"{where}: bob's object / none answered {got}, not {want}")
            elif res.json()["error"] != ghost_res.json()["error"]:
                failures.append(f"{where}: the error differs for bob's object and none")
        elif rule.kind == "listing":
            assert rule.lists is not None
            key, read = rule.lists
            if res.status_code != 200:
                failures.append(f"{where}: listing answered {res.status_code}")
            elif world.ids[key] in read(res.json()):
                failures.append(f"{where}: lists bob's {key} {world.ids[key]}")
    # an annex of bob's plan to alice's own request is refused the same way
    res = client.post(
        f"{V}/requests/{world.alice_own['request_id']}/annex",
        json={"site_plan_id": world.ids["plan_id"]},
        headers=bearer(users.alice_token),
    )
    if res.status_code != 404:
        failures.append(f"annex of bob's plan to alice's request answered {res.status_code}")
    after = _snapshot(client, users, world, db)
    if before != after:
        failures.append("bob's objects or the audit trail changed")
    assert not failures, "\n".join(failures)


def test_listings_hold_own_objects_and_creations_are_own(
    client, world: World, users: Users
) -> None:
    alice = bearer(users.alice_token)
    ids = [r["id"] for r in client.get(f"{V}/requests", headers=alice).json()["items"]]
    assert ids == [world.alice_own["request_id"]]
    plans = [p["id"] for p in client.get(f"{V}/site-plans", headers=alice).json()]
    assert plans == [world.alice_own["plan_id"]]
    jobs = [j["id"] for j in client.get(f"{V}/jobs", headers=alice).json()]
    assert jobs == [world.alice_own["job_id"]]
    assert client.get(f"{V}/priority-claims", headers=alice).json() == []
    results = client.get(f"{V}/runs/{world.ids['run_id']}/results", headers=alice).json()
    assert [r["id"] for r in results["requests"]] == [world.alice_own["request_id"]]
    own = client.get(
        f"{V}/runs/{world.ids['run_id']}/requests/{world.alice_own['request_id']}", headers=alice
    )
    assert own.status_code == 200
    made = client.post(f"{V}/requests", json={"station": "A", "kw": 5}, headers=alice).json()
    assert made["owner"] == "alice"
    plan = client.post(f"{V}/site-plans", files=_files(), headers=alice).json()
    bob = bearer(users.bob_token)
    assert client.get(f"{V}/requests/{made['id']}", headers=bob).status_code == 404
    assert client.get(f"{V}/site-plans/{plan['id']}", headers=bob).status_code == 404
    assert client.get(f"{V}/jobs/{plan['job_id']}", headers=bob).status_code == 404
