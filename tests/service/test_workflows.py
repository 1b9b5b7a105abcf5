"""Every role's work through the pages (in-process, SQLite and PostgreSQL): each test files
its own requests in its own register (:mod:`tests.service.workflow_world`), and checks the
result against the API's JSON and hand-solved figures.

Hand-solved moment: WA has 1 MW room, WTOP 2 MW. alice files 600 kW at WA, then bob 700 kW.
A moment today grants alice's 600 kW whole (WA keeps 0.4 MW) and offers bob the 400 kW that
fit (``accept_partial`` by default, above ``min_offer_kw`` 50): ``bob.part1`` of 400 kW, bob's
request waiting for 300 kW.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path
from typing import Any

import pytest

from netruimte.access import audit
from netruimte.i18n import catalogue, collect_missing
from netruimte.storage import Database
from netruimte.web.pages import STATIC_DIR as PAGES_DIR
from tests.service.conftest import bearer
from tests.service.workflow_world import csrf_of, make_world


@pytest.fixture
def world(db: Database) -> dict[str, str]:
    return make_world(db)


def _same_instants(view: dict[str, Any]) -> dict[str, Any]:
    """The view with ISO instants in one spelling (the API writes Z, the pages +00:00)."""
    return {k: v.replace("+00:00", "Z") if isinstance(v, str) else v for k, v in view.items()}


def sign_in(client: Any, token: str) -> str:
    """Sign the test client in (cookie) and return the session's form token."""
    client.cookies.clear()
    res = client.post("/login", data={"token": token}, follow_redirects=False)
    assert res.status_code == 303, res.text
    return csrf_of(client.get("/requests/new").text)


def file_request(client: Any, csrf: str, **fields: Any) -> str:
    """File a request through the form; the new request's id."""
    data = {"csrf_token": csrf, "station": "WA", "direction": "offtake", "contract": "firm",
            "accept_partial": "true", **fields}  # fmt: skip
    res = client.post("/requests/new", data=data, follow_redirects=False)
    assert res.status_code == 303, res.text
    return str(res.headers["location"]).rsplit("/", 1)[1]


def test_applicant_files_sees_and_withdraws_a_new_request(client, world, db) -> None:
    csrf = sign_in(client, world["alice"])
    rid = file_request(
        client,
        csrf,
        kw="600",
        accepts=["tdtr", "time-block"],
        **{"accepts.time-block.capacity_blocks": "22:00-06:00"},
    )
    api = client.get(f"/api/v1/requests/{rid}", headers=bearer(world["alice"])).json()
    assert (api["station"], api["kw"], api["owner"], api["status"]) == (
        "WA",
        600,
        "alice",
        "waiting",
    )
    assert [a["contract"] for a in api["accepts"]] == ["tdtr", "time-block"]
    assert api["accepts"][1]["capacity_blocks"] == ["22:00-06:00"]
    twin = client.get(f"/requests/{rid}?format=json").json()  # the twin marks nothing seen
    page = client.get(f"/requests/{rid}")  # the first visit
    assert client.get(f"/requests/{rid}?format=json").json()["history"]["previous_visit"]
    assert page.status_code == 200 and 'data-action="withdraw"' in page.text
    assert _same_instants(twin["request"]) == _same_instants(api)
    # filed today, it takes part from tomorrow's moment: its rank there, and it fits (0.6 of 1 MW)
    assert twin["now"]["takes_part"] is False
    assert (twin["next"]["rank"], twin["next"]["ahead_mw"], twin["next"]["fits_now"]) == (
        1,
        0,
        True,
    )
    assert 'id="next-moment"' in page.text
    assert twin["history"]["previous_visit"] is None
    assert [e["action"] for e in twin["history"]["events"]] == ["request.create"]
    long = client.post(f"/requests/{rid}/withdraw?format=json",
                       data={"csrf_token": csrf, "reason": "x" * 2001})  # fmt: skip
    assert long.status_code == 422 and long.json()["field"] == "reason"
    assert client.get(f"/requests/{rid}?format=json").json()["request"]["status"] == "waiting"
    gone = client.post(f"/requests/{rid}/withdraw", data={"csrf_token": csrf, "reason": "moved"},
                       follow_redirects=False)  # fmt: skip
    assert gone.status_code == 303
    assert (
        client.get(f"/api/v1/requests/{rid}", headers=bearer(world["alice"])).json()["status"]
        == "withdrawn"
    )
    again = client.get(f"/requests/{rid}?format=json").json()["history"]
    assert again["previous_visit"] is not None
    assert [(e["action"], e["new"]) for e in again["events"]] == [
        ("request.create", False),
        ("request.withdraw", True),
    ]


def test_a_bad_form_names_the_field_and_files_nothing(client, world) -> None:
    csrf = sign_in(client, world["alice"])
    res = client.post("/requests/new", data={"csrf_token": csrf, "station": "WA", "kw": "lots"})
    assert res.status_code == 422 and 'data-field="kw"' in res.text
    # a priority asked without evidence is refused before the request is filed
    res = client.post(
        "/requests/new",
        data={"csrf_token": csrf, "station": "WA", "kw": "100", "category": "safety",
              "function": "health-care", "evidence": ""},
    )  # fmt: skip
    assert res.status_code == 422 and 'data-field="evidence"' in res.text
    listing = client.get("/api/v1/requests", headers=bearer(world["alice"])).json()
    assert listing["items"] == []


def test_forged_and_tokenless_forms_are_refused(client, world) -> None:
    csrf = sign_in(client, world["alice"])
    base = {"station": "WA", "kw": "100"}
    assert client.post("/requests/new", data=base).status_code == 403
    assert client.post("/requests/new", data={**base, "csrf_token": "0" * 64}).status_code == 403
    forged = client.post(
        "/requests/new",
        data={**base, "csrf_token": csrf},
        headers={"Origin": "https://evil.example"},
    )
    assert forged.status_code == 403
    # the token belongs to the session: another sign-in gets another one
    other = sign_in(client, world["bob"])
    assert other != csrf
    assert client.post("/requests/new", data={**base, "csrf_token": csrf}).status_code == 403
    assert client.post("/logout", data={}).status_code == 403
    listing = client.get("/api/v1/requests", headers=bearer(world["planner"])).json()
    assert listing["items"] == []
    # a script with its bearer token (and no cookie) needs no form token
    client.cookies.clear()
    res = client.post("/requests/new?format=json", data=base, headers=bearer(world["alice"]))
    assert res.status_code == 201 and res.json()["kw"] == 100


@pytest.mark.parametrize(
    "path",
    ["/operator", "/operator/moments", "/operator/claims", "/operator/forecasts",
     "/operator/scenario", "/operator/audit", "/operator/users",
     "/operator/scenario/export"],
)  # fmt: skip
def test_an_applicant_cannot_reach_operator_pages(client, world, path: str) -> None:
    sign_in(client, world["alice"])
    assert client.get(path).status_code == 403
    assert client.get(path, params={"format": "json"}).json()["error"] == "forbidden"


def test_an_applicant_cannot_post_operator_forms(client, world) -> None:
    csrf = sign_in(client, world["alice"])
    for path, data in (
        ("/operator/moments", {}),
        ("/operator/users", {"name": "mallory", "role": "operator"}),
        ("/operator/users/alice/rotate", {}),
        ("/operator/claims/1/decision", {"accept": "true", "reason": "x"}),
    ):
        assert client.post(path, data={**data, "csrf_token": csrf}).status_code in (403, 404)
    assert [u for u in client.get("/api/v1/me", headers=bearer(world["alice"])).json()]


def test_operator_home_is_their_work(client, world) -> None:
    sign_in(client, world["planner"])
    home = client.get("/", follow_redirects=False)
    assert home.status_code == 303 and home.headers["location"] == "/operator"
    twin = client.get("/operator?format=json").json()
    assert twin["requests"] == {"waiting": 0, "granted": 0, "withdrawn": 0}
    assert twin["pending_claims"] == 0


def _moment(client: Any, world: dict[str, str]) -> tuple[str, str]:
    alice = sign_in(client, world["alice"])
    a = file_request(client, alice, kw="600")
    bob = sign_in(client, world["bob"])
    b = file_request(client, bob, kw="700")
    return a, b


def test_preview_then_run_a_moment_and_answer_the_offer(client, world, db) -> None:
    a, b = _moment(client, world)
    csrf = sign_in(client, world["planner"])
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    preview = client.get(f"/operator/moments?preview=1&format=json&on={tomorrow}").json()["preview"]
    outcome = {r["id"]: (r["outcome"], r["granted_kw"]) for r in preview["requests"]}
    assert outcome == {a: ("grant", 600), b: ("offer", 400)}
    assert (preview["grants"], preview["offers"]) == (1, 1)
    assert preview["granted_mw"] == pytest.approx(0.6) and preview["offered_mw"] == pytest.approx(
        0.4
    )
    page = client.get("/operator/moments?preview=1")
    assert 'data-action="run-moment"' in page.text and 'data-action="preview-moment"' in page.text
    ran = client.post("/operator/moments", data={"csrf_token": csrf, "on": preview["on"]},
                      follow_redirects=False)  # fmt: skip
    assert ran.status_code == 303
    op = bearer(world["planner"])
    assert client.get(f"/api/v1/requests/{a}", headers=op).json()["status"] == "granted"
    rest = client.get(f"/api/v1/requests/{b}", headers=op).json()
    assert (rest["status"], rest["kw"]) == ("waiting", 300)
    offers = client.get(f"/api/v1/requests/{b}/offers", headers=bearer(world["bob"])).json()
    assert [(o["id"], o["kw"], o["offer_status"]) for o in offers] == [
        (f"{b}.part1", 400, "offered")
    ]
    # bob declines on his page: the room goes back, the request waits for 700 kW again
    bob = sign_in(client, world["bob"])
    page = client.get(f"/requests/{b}")
    assert 'data-action="accept-offer"' in page.text and 'data-action="decline-offer"' in page.text
    res = client.post(
        f"/offers/{b}.part1/decline", data={"csrf_token": bob}, follow_redirects=False
    )
    assert res.status_code == 303 and res.headers["location"] == f"/requests/{b}"
    back = client.get(f"/api/v1/requests/{b}", headers=op).json()
    assert (back["status"], back["kw"], back["accept_partial"]) == ("waiting", 700, False)
    twin = client.get(f"/requests/{b}?format=json").json()
    assert twin["offers"][0]["offer_status"] == "declined"
    assert "offer.decline" in [e["action"] for e in twin["history"]["events"]]
    # the operator offers 300 kW by hand; bob accepts it; it holds 300 kW on WA
    csrf = sign_in(client, world["planner"])
    made = client.post(f"/requests/{b}/offers", data={"csrf_token": csrf, "kw": "300"},
                       follow_redirects=False)  # fmt: skip
    assert made.status_code == 303
    too_much = client.post(
        f"/requests/{b}/offers?format=json", data={"csrf_token": csrf, "kw": "350"}
    )
    assert too_much.status_code == 409, too_much.text
    assert "WA" in too_much.json()["message"]  # 0.1 MW left
    bob = sign_in(client, world["bob"])
    res = client.post(f"/offers/{b}.part2/accept", data={"csrf_token": bob}, follow_redirects=False)
    assert res.status_code == 303
    offers = client.get(f"/api/v1/requests/{b}/offers", headers=op).json()
    assert [(o["id"], o["kw"], o["offer_status"]) for o in offers] == [
        (f"{b}.part1", 400, "declined"),
        (f"{b}.part2", 300, "accepted"),
    ]
    assert client.get(f"/api/v1/requests/{b}", headers=op).json()["kw"] == 400
    head = client.get("/api/v1/stations/WA/headroom", headers=op).json()
    [wa] = [n for n in head["nodes"] if (n["station"], n["direction"]) == ("WA", "offtake")]
    assert wa["room_mw"] == pytest.approx(0.1) and wa["granted_mw"] == pytest.approx(0.9)
    assert audit.verify(db).ok


def test_operator_withdraws_an_open_offer(client, world) -> None:
    _, b = _moment(client, world)
    op = bearer(world["planner"])
    tomorrow = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    assert (
        client.post("/api/v1/runs/allocate", json={"on": tomorrow}, headers=op).status_code == 201
    )
    csrf = sign_in(client, world["planner"])
    res = client.post(f"/offers/{b}.part1/withdraw", data={"csrf_token": csrf, "reason": "error"},
                      follow_redirects=False)  # fmt: skip
    assert res.status_code == 303
    back = client.get(f"/api/v1/requests/{b}", headers=op).json()
    assert (back["kw"], back["accept_partial"]) == (700, True)  # withdrawn, not declined
    bob = sign_in(client, world["bob"])
    late = client.post(f"/offers/{b}.part1/accept?format=json", data={"csrf_token": bob})
    assert late.status_code == 409


def test_claim_with_evidence_file_and_operator_decision(client, world, db) -> None:
    alice = sign_in(client, world["alice"])
    res = client.post(
        "/requests/new",
        data={"csrf_token": alice, "station": "WB", "kw": "500", "category": "basic-needs",
              "function": "education", "evidence": "Letter of the municipality, 2026-11-02"},
        files={"evidence_file": ("besluit.pdf", b"%PDF-1.4 evidence", "application/pdf")},
        follow_redirects=False,
    )  # fmt: skip
    assert res.status_code == 303
    rid = res.headers["location"].rsplit("/", 1)[1]
    claims = client.get(f"/api/v1/requests/{rid}/priority-claims", headers=bearer(world["alice"]))
    [claim] = claims.json()
    assert claim["status"] == "pending" and "besluit.pdf (17 bytes, sha256 " in claim["evidence"]
    csrf = sign_in(client, world["planner"])
    page = client.get("/operator/claims?format=json").json()
    [shown] = page["claims"]
    assert shown["id"] == claim["id"] and shown["files"][0]["name"] == "besluit.pdf"
    file = client.get(f"/operator/evidence/{shown['files'][0]['sha256']}")
    assert file.content == b"%PDF-1.4 evidence"
    res = client.post(
        f"/operator/claims/{claim['id']}/decision",
        data={"csrf_token": csrf, "accept": "true", "reason": "school confirmed"},
        follow_redirects=False,
    )
    assert res.status_code == 303
    decided = client.get(f"/api/v1/priority-claims/{claim['id']}", headers=bearer(world["alice"]))
    assert decided.json()["status"] == "accepted"
    req = client.get(f"/api/v1/requests/{rid}", headers=bearer(world["alice"])).json()
    assert (req["category"], req["evidence"]) == ("basic-needs", True)
    alice = sign_in(client, world["alice"])  # alice cannot open the file
    assert client.get(f"/operator/evidence/{shown['files'][0]['sha256']}").status_code == 403


def test_what_if_moves_the_grant_with_the_reinforcement(client, world) -> None:
    alice = sign_in(client, world["alice"])
    rid = file_request(client, alice, kw="1800")  # needs WA-2027 (1 MW room before it)
    sign_in(client, world["planner"])
    base = client.get("/operator/forecasts?format=json&reinforcement=WA-2027&date=2027-03-01"
                      "&offtake_mw=0.5").json()["comparison"]  # fmt: skip
    [row] = base["requests"]
    assert row["id"] == rid and row["left"] == "2027-03-01"
    assert row["right"] is None  # 1 + 0.5 MW: never 1.8 MW within the horizon
    earlier = client.get(
        "/operator/forecasts?format=json&reinforcement=WA-2027&date=2027-01-01"
    ).json()["comparison"]
    [row] = earlier["requests"]
    assert (row["left"], row["right"], row["days"]) == ("2027-03-01", "2027-01-01", -59)
    assert (earlier["earlier"], earlier["later"]) == (1, 0)
    nothing = client.get("/operator/forecasts?format=json&reinforcement=WA-2027")
    assert nothing.status_code == 422 and nothing.json()["field"] == "date"


def test_users_audit_and_scenario_pages(client, world, db) -> None:
    csrf = sign_in(client, world["planner"])
    added = client.post("/operator/users", data={"csrf_token": csrf, "name": "carol",
                                                 "role": "applicant", "days": "30"})  # fmt: skip
    assert added.status_code == 200 and 'id="token"' in added.text
    token = added.text.split('id="token">', 1)[1].split("<", 1)[0]
    assert client.get("/api/v1/me", headers=bearer(token)).json() == {
        "name": "carol",
        "role": "applicant",
    }
    rotated = client.post("/operator/users/carol/rotate?format=json", data={"csrf_token": csrf})
    new = rotated.json()["issued"]["token"]
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 401
    assert client.get("/api/v1/me", headers=bearer(new)).status_code == 200
    client.post("/operator/users/carol/revoke", data={"csrf_token": csrf})
    assert client.get("/api/v1/me", headers=bearer(new)).status_code == 401
    trail = client.get("/operator/audit?verify=1&format=json").json()
    assert trail["verification"]["ok"] is True
    assert trail["items"][0]["action"] == "scenario.import"
    api = client.get("/api/v1/audit/verify", headers=bearer(world["planner"])).json()
    assert trail["verification"]["entries"] == api["entries"]
    exported = client.get("/operator/scenario/export?format=toml")
    assert exported.status_code == 200 and b'id = "WA-2027"' in exported.content
    changed = exported.content.replace(b"offtake_mw = 2", b"offtake_mw = 3")
    res = client.post("/operator/scenario", data={"csrf_token": csrf},
                      files={"files": ("workflows.toml", changed, "application/toml")})  # fmt: skip
    assert res.status_code == 201, res.text
    works = client.get("/api/v1/reinforcements/WA-2027", headers=bearer(world["planner"])).json()
    assert works["offtake_mw"] == 3


def test_two_stored_forecasts_side_by_side(client, world, db, run_jobs) -> None:
    alice = sign_in(client, world["alice"])
    rid = file_request(client, alice, kw="1800")  # waits for WA-2027 (2027-03-01)
    op = bearer(world["planner"])
    first = client.post("/api/v1/runs", json={}, headers=op).json()["id"]
    assert run_jobs() == 1  # the forecast reads the register when it runs
    moved = client.patch("/api/v1/reinforcements/WA-2027", json={"date": "2027-06-01"}, headers=op)
    assert moved.status_code == 200, moved.text
    second = client.post("/api/v1/runs", json={}, headers=op).json()["id"]
    assert run_jobs() == 1
    sign_in(client, world["planner"])
    page = client.get(f"/operator/forecasts?left={first}&right={second}")
    assert 'data-action="compare-forecasts"' in page.text and 'id="side-by-side"' in page.text
    twin = client.get(f"/operator/forecasts?left={first}&right={second}&format=json").json()
    [row] = [r for r in twin["comparison"]["requests"] if r["id"] == rid]
    api = [
        client.get(f"/api/v1/runs/{run}/requests/{rid}", headers=op).json()["granted_on"]
        for run in (first, second)
    ]
    assert (row["left"], row["right"]) == tuple(api) == ("2027-03-01", "2027-06-01")
    assert row["days"] == 92 and twin["comparison"]["later"] == 1


WORKFLOW_TEMPLATES = ("request_new", "_request_actions", "operator_home", "moments", "claims",
                      "forecasts", "scenario", "audit", "users")  # fmt: skip


def _workflow_msgids() -> set[str]:
    root = Path(PAGES_DIR).parent / "templates"
    found: set[str] = set()
    for name in WORKFLOW_TEMPLATES:
        source = (root / f"{name}.html").read_text()
        found |= set(re.findall(r'_\(\s*"((?:[^"\\]|\\.)*)"', source))
        found |= set(re.findall(r"_\(\s*'((?:[^'\\]|\\.)*)'\)", source))
    return found


def test_every_workflow_text_has_its_dutch_translation() -> None:
    ids = _workflow_msgids()
    assert len(ids) > 100
    assert sorted(i for i in ids if i not in catalogue()) == []


def test_workflow_pages_in_dutch_leave_nothing_untranslated(client, world) -> None:
    _, b = _moment(client, world)
    day = (dt.datetime.now(dt.UTC) + dt.timedelta(days=2)).date().isoformat()
    op = bearer(world["planner"])
    assert client.post("/api/v1/runs/allocate", json={"on": day}, headers=op).status_code == 201
    sign_in(client, world["planner"])  # bob's request page shows his open offer
    with collect_missing() as seen:
        for path in ("/operator", f"/operator/moments?preview=1&on={day}",
                     "/operator/forecasts?reinforcement=WA-2027&date=2027-01-01",
                     "/operator/audit?verify=1", "/operator/users", "/operator/scenario",
                     "/operator/claims", f"/requests/{b}", "/requests/new"):  # fmt: skip
            page = client.get(path, params={"lang": "nl"})
            assert page.status_code == 200, path
        assert "Toewijzingsmomenten" in client.get("/operator/moments?lang=nl").text
        ours = _workflow_msgids() | {
            w["what"] for w in client.get("/operator?format=json").json()["work"]
        }
        assert sorted(seen & ours) == []
