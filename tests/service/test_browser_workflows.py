"""Every role's workflow in a real browser (Debian's Chromium driven by Playwright), on SQLite
and, when NETRUIMTE_TEST_POSTGRES_URL is set, on PostgreSQL.

A real ``netruimte serve`` (its job worker on) runs on a register of its own
(:data:`BROWSER_TOML`: no requests, a top station with 20 MW room); every test files the
requests it needs through the pages, clicks the buttons by their ``data-action`` and checks
what the page shows against the page's JSON twin and the API. The tab fails the test on any
console error (a script blocked by the Content-Security-Policy would show there).
Screenshots go to ``$NETRUIMTE_SCREENSHOTS`` (default ``/tmp/shots-webwork``).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import text

from netruimte.access import auth
from netruimte.access.auth import SYSTEM
from netruimte.i18n import fmt_date
from netruimte.register import scenario_io
from netruimte.storage import Database, upgrade
from tests._deps import missing
from tests.service.conftest import BACKENDS, POSTGRES_URL
from tests.service.live import live_server
from tests.service.workflow_world import WORLD_TOML

CHROMIUM = os.environ.get("NETRUIMTE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - CI installs it (and fails without it)
    missing("playwright is not installed (pip install playwright)", module=True)
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (and fails without it)
    missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)", module=True)

pytestmark = pytest.mark.slow

BROWSER_TOML = WORLD_TOML.replace(
    'id = "WTOP"\nname = "Top"\nofftake_mw = 10\nload_mw = 8',
    'id = "WTOP"\nname = "Top"\nofftake_mw = 100\nload_mw = 80',
) + "".join(
    f'\n[[station]]\nid = "{sid}"\nname = "Station {sid[1:]}"\nparent = "WTOP"\n'
    f"offtake_mw = 5\nload_mw = 3\n"
    for sid in ("WC", "WD", "WE")
)
"""The workflow register with room at the top: each test works at its own station."""


@dataclass(frozen=True)
class Site:
    url: str
    backend: str
    tokens: dict[str, str]
    shots: Path

    def api(self, who: str, method: str, path: str, **kw: Any) -> httpx.Response:
        """Call the API as ``who`` (by bearer token)."""
        headers = {"Authorization": f"Bearer {self.tokens[who]}"}
        return httpx.request(method, f"{self.url}/api/v1{path}", headers=headers, timeout=30, **kw)


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Site]:
    root = tmp_path_factory.mktemp(f"workflows-{request.param}")
    if request.param == "sqlite":
        url = f"sqlite:///{root / 'netruimte.db'}"
        db = Database(str(root / "netruimte.db"))
    else:
        assert POSTGRES_URL is not None
        url = POSTGRES_URL
        db = Database(url)
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(db)
    scenario_io.import_bundle(db, SYSTEM, [("browser.toml", BROWSER_TOML.encode())])
    tokens = {}
    for name, role in (("planner", "operator"), ("alice", "applicant"), ("bob", "applicant")):
        _, tokens[name] = auth.add_user(db, name, role)
    db.dispose()
    shots = Path(os.environ.get("NETRUIMTE_SCREENSHOTS", "/tmp/shots-webwork"))
    shots.mkdir(parents=True, exist_ok=True)
    with live_server(url, root, extra=("--no-bootstrap",)) as base:
        yield Site(base, request.param, tokens, shots)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh tab (no cookies); fails the test if the browser logged an error (a test marked
    ``refusals`` expects the 403 answers it asks for, and only those)."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    if request.node.get_closest_marker("refusals"):
        errors = [e for e in errors if "status of 403 (Forbidden)" not in e]
    assert not errors, f"the browser logged errors: {errors}"


def _shot(page: Page, site: Site, name: str) -> None:
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": 1280, "height": min(max(height, 900), 6000)})
    page.wait_for_timeout(200)
    page.screenshot(path=site.shots / f"{site.backend}-{name}.png")
    page.set_viewport_size({"width": 1280, "height": 900})


def _twin(page: Page) -> Any:
    res = page.request.get(page.url + ("&" if "?" in page.url else "?") + "format=json")
    assert res.ok, res.text()
    return res.json()


def _sign_in(page: Page, site: Site, who: str, then: str, lang: str = "en") -> None:
    """Sign in as ``who`` and go on to ``then``; the pages in ``lang`` (a cookie from here on)."""
    page.goto(f"{site.url}/login?next={then}&lang={lang}")
    page.fill("#token", site.tokens[who])
    page.click("form[action='/login'] button[type=submit]")
    page.wait_for_url(re.compile(re.escape(then) + "$"))


def _file(page: Page, site: Site, who: str, station: str, kw: str, **extra: str) -> str:
    """File a request through the form as ``who``; its id."""
    _sign_in(page, site, who, "/requests/new")
    page.select_option("select[name=station]", station)
    page.fill("input[name=kw]", kw)
    for name, value in extra.items():
        if name in ("category", "function"):
            page.select_option(f"#file-request select[name={name}]", value)
        elif name == "evidence":
            page.fill("#file-request textarea[name=evidence]", value)
        elif name == "accepts":
            page.check(f"#file-request input[name=accepts][value={value}]")
    page.click("[data-action=file-request]")
    page.wait_for_url(re.compile(r"/requests/REQ-[^/?]+$"))
    return page.url.rsplit("/", 1)[1]


def _day_after_tomorrow() -> str:
    return (dt.datetime.now(dt.UTC).date() + dt.timedelta(days=2)).isoformat()


def test_applicant_files_claims_and_withdraws(page: Page, site: Site, tmp_path: Path) -> None:
    page.goto(site.url + "/login")
    _shot(page, site, "login")
    rid = _file(page, site, "alice", "WC", "1500", accepts="tdtr")
    api = site.api("alice", "GET", f"/requests/{rid}").json()
    assert (api["station"], api["kw"], api["owner"]) == ("WC", 1500, "alice")
    assert [a["contract"] for a in api["accepts"]] == ["tdtr"]
    twin = _twin(page)
    assert twin["request"]["id"] == rid and twin["next"]["rank"] == 1
    nxt = page.locator("#next-moment").inner_text()
    assert f"Rank {twin['next']['rank']} of {twin['next']['rank_of']}" in nxt
    assert "It fits" in nxt  # 1.5 MW of WC's 2 MW
    assert page.locator("#history .event-action").all_inner_texts() == ["request.create"]
    _shot(page, site, "request-new-filed")
    # claim priority with a file as evidence
    letter = tmp_path / "brief-gemeente.pdf"
    letter.write_bytes(b"%PDF-1.4 letter")
    claim = page.locator("form[action$='/priority-claims']")
    claim.locator("select[name=category]").select_option("basic-needs")
    claim.locator("input[name=function]").fill("education")
    claim.locator("textarea[name=evidence]").fill("Letter of the municipality of 2026-11-02")
    claim.locator("input[name=evidence_file]").set_input_files(str(letter))
    page.click("[data-action=claim-priority]")
    page.wait_for_url(re.compile(re.escape(rid) + "$"))
    [made] = site.api("alice", "GET", f"/requests/{rid}/priority-claims").json()
    assert made["status"] == "pending" and "brief-gemeente.pdf (15 bytes" in made["evidence"]
    assert "priority.claim" in page.locator("#history .event-action").all_inner_texts()
    _shot(page, site, "request-claimed")
    # withdraw it
    page.fill("form[action$='/withdraw'] input[name=reason]", "plans changed")
    page.click("#actions [data-action=withdraw]")
    page.wait_for_url(re.compile(re.escape(rid) + "$"))
    assert "status withdrawn" in page.locator("p.lead").inner_text()
    assert site.api("alice", "GET", f"/requests/{rid}").json()["status"] == "withdrawn"
    page.goto(site.url + "/requests/new")
    _shot(page, site, "request-new-form")


def test_operator_previews_and_runs_a_moment_then_the_applicant_answers(
    page: Page, site: Site
) -> None:
    a = _file(page, site, "alice", "WD", "1500")
    b = _file(page, site, "bob", "WD", "1000")  # WD has 2 MW: bob is offered 500 kW
    page.context.clear_cookies()
    _sign_in(page, site, "planner", "/capacity-map")
    page.goto(site.url + "/")  # an operator's home is their work
    page.wait_for_url(re.compile(r"/operator$"))
    home = _twin(page)
    assert home["requests"]["waiting"] >= 2
    assert f"{home['requests']['waiting']} requests waiting" in page.locator("main").inner_text()
    _shot(page, site, "operator-home")
    page.click("main >> text=allocation moments")
    page.wait_for_url(re.compile(r"/operator/moments$"))
    page.fill("input[name=on]", _day_after_tomorrow())
    page.click("[data-action=preview-moment]")
    page.wait_for_url(re.compile(r"preview=1"))
    preview = _twin(page)["preview"]
    mine = {r["id"]: r for r in preview["requests"] if r["id"] in (a, b)}
    assert (mine[a]["outcome"], mine[a]["granted_kw"]) == ("grant", 1500)
    assert (mine[b]["outcome"], mine[b]["granted_kw"]) == ("offer", 500)
    for rid, row in mine.items():
        shown = page.locator(f"#preview-table tr[data-request='{rid}'] .outcome").inner_text()
        assert shown == row["outcome"]
    _shot(page, site, "operator-moment-preview")
    page.click("[data-action=run-moment]")
    page.wait_for_url(re.compile(r"/operator/moments\?ran=\d+$"))
    run_id = page.url.rsplit("=", 1)[1]
    granted = page.locator(f"#moments tr[data-run='{run_id}'] .granted").inner_text()
    run = site.api("planner", "GET", f"/runs/{run_id}").json()
    assert int(granted) == run["granted_count"] == preview["grants"] + preview["offers"]
    assert site.api("alice", "GET", f"/requests/{a}").json()["status"] == "granted"
    _shot(page, site, "operator-moments")
    # bob sees the offer and accepts it
    page.context.clear_cookies()
    _sign_in(page, site, "bob", f"/requests/{b}")
    row = page.locator(f"tr[data-offer='{b}.part1']")
    assert row.locator(".offer-status").inner_text() == "offered"
    _shot(page, site, "request-offer")
    row.locator("[data-action=accept-offer]").click()
    page.wait_for_url(re.compile(re.escape(b) + "$"))
    assert page.locator(f"tr[data-offer='{b}.part1'] .offer-status").inner_text() == "accepted"
    offers = site.api("bob", "GET", f"/requests/{b}/offers").json()
    assert [(o["kw"], o["offer_status"]) for o in offers] == [(500, "accepted")]
    assert site.api("bob", "GET", f"/requests/{b}").json()["kw"] == 500
    assert "offer.accept" in page.locator("#history .event-action").all_inner_texts()


def test_operator_decides_a_claim_with_its_evidence(page: Page, site: Site) -> None:
    rid = _file(page, site, "bob", "WE", "300", category="basic-needs", function="education",
                evidence="Permit of the school board, 2026-10-01")  # fmt: skip
    [claim] = site.api("bob", "GET", f"/requests/{rid}/priority-claims").json()
    page.context.clear_cookies()
    _sign_in(page, site, "planner", "/operator/claims")
    card = page.locator(f"section[data-claim='{claim['id']}']")
    assert "Permit of the school board" in card.locator(".evidence").inner_text()
    shown = next(c for c in _twin(page)["claims"] if c["id"] == claim["id"])
    assert shown["request_id"] == rid and shown["status"] == "pending"
    _shot(page, site, "operator-claims")
    card.locator("input[name=accept][value=true]").check()
    card.locator("input[name=reason]").fill("the school is confirmed")
    card.locator("[data-action=decide-claim]").click()
    page.wait_for_url(re.compile(r"/operator/claims$"))
    assert page.locator(f"section[data-claim='{claim['id']}']").count() == 0  # no longer pending
    decided = site.api("bob", "GET", f"/priority-claims/{claim['id']}").json()
    assert (decided["status"], decided["reason"]) == ("accepted", "the school is confirmed")


def test_operator_what_if_of_a_reinforcement(page: Page, site: Site) -> None:
    rid = _file(page, site, "alice", "WA", "1800")  # WA: 1 MW room until WA-2027 adds 2 MW
    page.context.clear_cookies()
    _sign_in(page, site, "planner", "/operator/forecasts")
    page.select_option("select[name=reinforcement]", "WA-2027")
    page.fill("#what-if input[name=date]", "2027-01-01")
    page.click("[data-action=edit-reinforcement]")
    page.wait_for_url(re.compile(r"reinforcement=WA-2027"))
    comparison = _twin(page)["comparison"]
    [row] = [r for r in comparison["requests"] if r["id"] == rid]
    assert (row["left"], row["right"]) == ("2027-03-01", "2027-01-01")
    shown = page.locator(f"#side-by-side tr[data-request='{rid}']")
    for cell, day in ((".left", row["left"]), (".right", row["right"])):  # dates per locale
        assert shown.locator(cell).inner_text() == fmt_date("en", dt.date.fromisoformat(day))
    _shot(page, site, "operator-what-if")
    site.api("alice", "POST", f"/requests/{rid}/withdraw", json={})


def test_operator_users_audit_and_scenario(page: Page, site: Site) -> None:
    _sign_in(page, site, "planner", "/operator/users")
    name = f"carol-{site.backend}"
    page.fill("form[action='/operator/users'] input[name=name]", name)
    page.click("[data-action=add-user]")
    token = page.locator("#token").inner_text().strip()
    me = httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert me.json() == {"name": name, "role": "applicant"}
    _shot(page, site, "operator-users")
    page.locator(f"tr[data-user='{name}'] [data-action=revoke-user]").click()
    page.wait_for_selector("#users")
    gone = httpx.get(f"{site.url}/api/v1/me", headers={"Authorization": f"Bearer {token}"})
    assert gone.status_code == 401
    page.goto(site.url + "/operator/audit")
    page.click("[data-action=verify-audit]")
    page.wait_for_url(re.compile(r"verify=1"))
    twin = _twin(page)
    api = site.api("planner", "GET", "/audit/verify").json()
    assert twin["verification"]["ok"] is True and api["ok"] is True
    assert "is intact" in page.locator("#verification").inner_text()
    assert page.locator("#audit tbody tr").count() == len(twin["items"])
    _shot(page, site, "operator-audit")
    page.goto(site.url + "/operator/scenario")
    exported = page.request.get(site.url + "/operator/scenario/export?format=toml")
    assert exported.ok and b'id = "WA-2027"' in exported.body()
    _shot(page, site, "operator-scenario")
    dutch = {
        "/operator": "operator-home",
        "/operator/moments": "operator-moments",
        "/operator/forecasts": "operator-forecasts",
        "/requests/new": "request-new-form",
    }
    for path, name in dutch.items():
        page.goto(f"{site.url}{path}?lang=nl")  # the same pages in Dutch
        assert page.locator("html").get_attribute("lang") == "nl"
        _shot(page, site, f"{name}-nl")


@pytest.mark.refusals
def test_an_applicant_is_refused_operator_pages(page: Page, site: Site) -> None:
    _sign_in(page, site, "alice", "/requests")
    for path in ("/operator", "/operator/moments", "/operator/users"):
        res = page.goto(site.url + path)
        assert res is not None and res.status == 403
    assert "only an operator" in page.locator("main").inner_text()
    _shot(page, site, "applicant-refused")
