"""The pages in a real browser: Debian's Chromium, headless, driven by Playwright.

A real ``netruimte serve`` (uvicorn, with its job worker) runs on 127.0.0.1 on a free port, on a
temporary SQLite database bootstrapped with the Flevoland scenario, with an operator, an
applicant who owns one waiting request, and a Monte Carlo forecast. A person clicks through
the capacity map to a station, the operator's queue with a filter, the applicant's request and
the site planner; each test checks what the person sees (text, table rows, Plotly charts drawn
as SVG) against the page's JSON twin, and that the browser logged no error (a script blocked by
the pages' Content-Security-Policy would show up there). Screenshots of every page go to
``$NETRUIMTE_SCREENSHOTS`` (default: the test's temporary directory).

Never downloads a browser: Playwright drives ``/usr/bin/chromium`` (``$NETRUIMTE_CHROMIUM``).
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import numpy as np
import pandas as pd
import pytest

from netruimte.access import auth
from netruimte.access.auth import SYSTEM
from netruimte.access.bootstrap import ensure_bootstrapped
from netruimte.i18n import fmt_date
from netruimte.jobs.worker import Worker
from netruimte.register import dashboard, runs
from netruimte.register import requests as request_service
from netruimte.register.convert import today
from netruimte.storage import Database, upgrade
from tests._deps import missing

CHROMIUM = os.environ.get("NETRUIMTE_CHROMIUM", "/usr/bin/chromium")
ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]

try:
    from playwright.sync_api import Browser, BrowserContext, Page, sync_playwright
except ImportError:  # pragma: no cover - CI installs it (and fails without it)
    missing("playwright is not installed (pip install playwright)", module=True)
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (and fails without it)
    missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)", module=True)

pytestmark = pytest.mark.slow


@dataclass(frozen=True)
class Site:
    """The running server and who may sign in."""

    url: str
    operator_token: str
    applicant_token: str
    request_id: str
    other_id: str
    shots: Path


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _prepare(path: Path) -> tuple[str, str, str, str]:
    """Flevoland, two users, one request of the applicant, a Monte Carlo forecast."""
    db = Database(str(path))
    upgrade(db)
    ensure_bootstrapped(db)
    _, op = auth.add_user(db, "Liander planner", "operator")
    _, ap = auth.add_user(db, "Bakkerij De Zon", "applicant")
    with db.read() as session:
        now = dashboard.standings(session, today(session))
    # a request that waits today at Almere, somewhere in the middle of its queue
    mine = next(o.id for o in now.values() if o.station == "ALM" and (o.rank or 0) >= 2)
    other = next(o.id for o in now.values() if o.id != mine)
    request_service.update_request(db, SYSTEM, mine, {"owner": "Bakkerij De Zon"})
    runs.create_run(db, SYSTEM, runs=40, seed=11)
    assert Worker(db).run_once()
    db.dispose()
    return op, ap, mine, other


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """``netruimte serve`` on a free port (terminated at the end)."""
    root = tmp_path_factory.mktemp("browser")
    shots = Path(os.environ.get("NETRUIMTE_SCREENSHOTS", root / "screenshots"))
    shots.mkdir(parents=True, exist_ok=True)
    db_path = root / "netruimte.db"
    op, ap, mine, other = _prepare(db_path)
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRUIMTE_")}
    log = (root / "server.log").open("wb")
    proc = subprocess.Popen(
        [sys.executable, "-m", "netruimte", "serve", "--db", str(db_path), "--port", str(port)],
        cwd=root,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, (root / "server.log").read_text()
            assert time.monotonic() < deadline, "the server did not start within 60 s"
            try:
                if httpx.get(f"{url}/capacity-map?format=json", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        yield Site(url, op, ap, mine, other, shots)
    finally:
        proc.terminate()
        proc.wait(timeout=30)
        log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


def _english(context: BrowserContext) -> None:
    """Choose English with the language cookie (as the page's switch does)."""
    context.add_cookies([{"name": "netruimte_lang", "value": "en", "url": "http://127.0.0.1"}])


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab, in English (the language cookie; the service's default is Dutch,
    tested in test_browser_i18n.py); fails the test if the browser logged an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    _english(context)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not errors, f"the browser logged errors: {errors}"


def _shot(page: Page, path: Path) -> None:
    """A screenshot of the whole page: the viewport grows to the page first, because a
    full-page capture would resize the window under Plotly's responsive charts."""
    height = int(page.evaluate("document.documentElement.scrollHeight"))
    page.set_viewport_size({"width": 1280, "height": min(max(height, 900), 8000)})
    page.wait_for_timeout(300)
    page.screenshot(path=path)
    page.set_viewport_size({"width": 1280, "height": 900})


def _twin(page: Page) -> Any:
    """The JSON twin of the page shown (with the tab's cookie)."""
    res = page.request.get(page.url + ("&" if "?" in page.url else "?") + "format=json")
    assert res.ok, res.text()
    return res.json()


def _sign_in(page: Page, site: Site, token: str) -> None:
    page.fill("#token", token)
    page.click("form[action='/login'] button[type=submit]")


def _chart_drawn(page: Page, selector: str) -> None:
    page.wait_for_selector(f"{selector} .plot-container svg.main-svg", state="attached")
    assert page.locator(f"{selector} .plot-container").count() == 1


def test_capacity_map_to_a_station(page: Page, site: Site) -> None:
    page.goto(site.url + "/")
    page.click("header nav >> text=Capacity map")
    page.wait_for_url(re.compile(r"/capacity-map$"))
    twin = _twin(page)
    rows = page.locator("table.map tbody tr")
    assert rows.count() == len(twin["stations"]) == 8
    assert page.locator("table.map .badge.red").count() >= 1
    _shot(page, site.shots / "capacity-map.png")
    alm = next(s for s in twin["stations"] if s["short_code"] == "ALM")
    page.click(f"table.map >> text={alm['name']}")
    page.wait_for_url(re.compile(r"/stations/ALM$"))
    assert "OS Almere" in page.locator("h1").inner_text()
    _chart_drawn(page, "#chart-offtake")
    _chart_drawn(page, "#chart-feed-in")
    legend = page.locator("#chart-offtake .legendtext").first.text_content() or ""
    assert legend.startswith("room for new")
    station = _twin(page)
    table_rows = page.locator("table:has(caption:text('Room over time')) tbody tr")
    assert table_rows.count() == len(station["timeline"]["dates"])
    waiting = f"{station['entry']['demand_capacity_in_queue']:,.1f} MW in"
    assert (
        waiting
        in page.locator(
            ".card.c-red, .card.c-amber, .card.c-green, .card.c-transparant"
        ).first.inner_text()
    )
    _shot(page, site.shots / "station-ALM.png")


def test_operator_queue_with_a_filter(page: Page, site: Site) -> None:
    page.goto(site.url + "/queue")
    page.wait_for_url(re.compile(r"/login\?next=%2Fqueue"))
    _sign_in(page, site, site.operator_token)
    page.wait_for_url(re.compile(r"/queue$"))
    assert "Signed in as Liander planner (operator)" in page.locator("header").inner_text()
    page.select_option("select[name=station]", "ALM")
    page.select_option("select[name=direction]", "offtake")
    page.click("form.filters button[type=submit]")
    page.wait_for_url(re.compile(r"station=ALM"))
    twin = _twin(page)
    assert twin["filters"]["station"] == "ALM" and twin["total"] > 1
    rows = page.locator("table.queue tbody tr")
    assert rows.count() == min(twin["total"], twin["limit"])
    stations = rows.locator("td:nth-child(4)").all_inner_texts()
    assert set(stations) == {"ALM"}
    texts = rows.locator("td:nth-child(1)").all_inner_texts()
    ranks = [int(t.split()[0]) for t in texts if t.split() and t.split()[0].isdigit()]
    assert ranks == sorted(ranks) and ranks[0] == 1  # queue order
    assert f"{twin['total']} requests match" in page.locator("p.summary").inner_text()
    _chart_drawn(page, "#chart-offtake")
    _shot(page, site.shots / "queue-ALM.png")


def test_applicant_sees_rank_dates_and_explanation(page: Page, site: Site) -> None:
    page.goto(site.url + "/login")
    _sign_in(page, site, site.applicant_token)
    page.wait_for_url(re.compile(r"/requests$"))
    _shot(page, site.shots / "my-requests.png")
    page.click(f"table >> text={site.request_id}")
    page.wait_for_url(re.compile(rf"/requests/{site.request_id}$"))
    twin = _twin(page)
    now, fc = twin["now"], twin["forecast"]
    standing = page.locator("section:has(h2:text('Where you stand today'))").inner_text()
    assert f"Rank {now['rank']} of {now['rank_of']}" in standing
    assert now["explanation"] in standing
    expected = page.locator("section:has(h2:text('When you can expect'))").inner_text()
    assert fc["run"]["runs"] == 40
    if fc["granted_p50"] or fc["granted_p90"]:
        for key, label in (("granted_p50", "Expected (P50)"), ("granted_p90", "Cautious (P90)")):
            assert label in expected
            day = fmt_date("en", fc[key] or fc["run"]["end"])  # dates as a person reads them
            assert (day if fc[key] else f"after {day}") in expected
    else:
        assert "Not within the forecast horizon" in expected
    assert fc["explanation"] in expected
    _chart_drawn(page, "#chart-expected")
    assert "What would fit now" in page.content()
    _shot(page, site.shots / "my-request.png")
    # a request that is not hers answers 404, as one that does not exist
    for rid in (site.other_id, "NO-SUCH-REQUEST"):
        res = page.request.get(f"{site.url}/requests/{rid}")
        assert res.status == 404 and "belongs to someone else" in res.text()


def _small_csv(path: Path) -> Path:
    index = pd.date_range("2025-06-02", periods=96, freq="15min", tz="Europe/Amsterdam")
    kw = np.where((index.hour >= 17) & (index.hour < 19), 300.0, 80.0)
    lines = ["timestamp,kw", *(f"{t.isoformat()},{v}" for t, v in zip(index, kw, strict=True))]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_site_planner_upload_shows_the_plan(page: Page, site: Site, tmp_path: Path) -> None:
    page.goto(site.url + "/login?next=/site-planner")
    _sign_in(page, site, site.applicant_token)
    page.wait_for_url(re.compile(r"/site-planner$"))
    page.fill("#name", "Bakkerij De Zon")
    page.set_input_files("#load", str(_small_csv(tmp_path / "bakkerij.csv")))
    page.fill("#battery_kwh", "120")
    page.fill("#battery_kw", "60")
    _shot(page, site.shots / "site-planner.png")
    page.click("#simple button[type=submit]")
    page.wait_for_url(re.compile(r"/site-plans/\d+$"))
    page.wait_for_selector("text=Your site can live with", timeout=60_000)  # refreshes itself
    plan = _twin(page)["plan"]
    assert plan["status"] == "optimal" and plan["battery_energy_kwh"] == 120
    heading = page.locator("h2:has-text('Your site can live with')").inner_text()
    assert f"{plan['import_kw']:,.1f} kW" in heading
    assert plan["import_kw"] < plan["peak_import_before_kw"] == 300
    report = page.frame_locator("iframe.report")
    report.locator(".plot-container svg.main-svg").first.wait_for(state="attached")
    assert "Bakkerij De Zon" in report.locator("body").inner_text()
    _shot(page, site.shots / "site-plan.png")


def test_every_page_with_objects_made_in_the_test(page: Page, site: Site, tmp_path: Path) -> None:
    """A new station, a reinforcement and a request filed just now (not yet through an
    allocation moment), and a site plan: every page route renders for them, for the owner and
    for the operator, with no browser error."""
    from netruimte.web.pages import PAGE_ROUTERS

    api = f"{site.url}/api/v1"
    op = {"Authorization": f"Bearer {site.operator_token}"}
    ap = {"Authorization": f"Bearer {site.applicant_token}"}
    sid = f"T{time.monotonic_ns() % 10**8}"
    made = httpx.post(
        f"{api}/stations",
        json={"id": sid, "name": "Test station", "parent": "ALM", "offtake_mw": 2, "load_mw": 1},
        headers=op,
    )
    assert made.status_code == 201, made.text
    rf = {"id": f"{sid}-R", "station": sid, "date": "2031-01-01", "offtake_mw": 3}
    assert httpx.post(f"{api}/reinforcements", json=rf, headers=op).status_code == 201
    filed = httpx.post(f"{api}/requests", json={"station": sid, "kw": 400}, headers=ap)
    assert filed.status_code == 201, filed.text
    rid = filed.json()["id"]
    files = {"files": ("load.csv", _small_csv(tmp_path / "load.csv").read_bytes())}
    site_toml = (
        '[site]\nname = "T"\n[plan]\nobjective = "min-connection"\n[load]\ncsv = "load.csv"\n'
    )
    plan = httpx.post(
        f"{api}/site-plans",
        files=[("files", ("site.toml", site_toml.encode())), ("files", files["files"])],
        headers=ap,
    )
    assert plan.status_code == 202, plan.text
    values = {"station_id": sid, "request_id": rid, "plan_id": str(plan.json()["id"])}
    routes = sorted(
        {
            route.path  # type: ignore[attr-defined]
            for router in PAGE_ROUTERS
            for route in router.routes
            if "GET" in getattr(route, "methods", ()) and not route.path.endswith(".csv")  # type: ignore[attr-defined]
        }
    )
    assert {"/requests/{request_id}", "/stations/{station_id}", "/site-plans/{plan_id}"} <= set(
        routes
    )
    for token, who in ((site.applicant_token, "applicant"), (site.operator_token, "operator")):
        page.context.clear_cookies()
        _english(page.context)
        page.goto(site.url + "/login")
        _sign_in(page, site, token)
        page.wait_for_load_state()
        for path in routes:
            if (path == "/queue" or path.startswith("/operator")) and who == "applicant":
                continue  # operators only (403, tested in test_browser_workflows.py)
            if path in ("/operator/evidence/{sha256}", "/operator/scenario/export"):
                continue  # files, not pages
            url = site.url + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            res = page.goto(url)
            assert res is not None and res.status == 200, (who, url, res and res.status)
            assert page.locator("main, body").first.inner_text().strip()
        page.goto(f"{site.url}/requests/{rid}")
        text = page.locator("section:has(h2:text('Where you stand today'))").inner_text()
        assert "takes part from the first allocation moment" in text or "Rank" in text
        _shot(page, site.shots / f"new-request-{who}.png")


# ---- language and map (these run last: they add stations to the shared register) ----

RAG_FILL = {
    "transparant": "rgb(255, 255, 255)",
    "green": "rgb(90, 154, 90)",
    "amber": "rgb(240, 140, 46)",
    "red": "rgb(214, 69, 69)",
}
"""The fill of a station's dot per RAGKind (``.rag-*`` in netruimte.css)."""


@pytest.fixture
def dutch(browser: Browser) -> Iterator[Page]:
    """A fresh tab with no language chosen (the service's default, Dutch); fails the test if
    the browser logged an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = context.new_page()
    errors: list[str] = []
    tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    tab.on("pageerror", lambda e: errors.append(str(e)))
    tab.set_default_timeout(20_000)
    yield tab
    context.close()
    assert not errors, f"the browser logged errors: {errors}"


def _csp(res: Any) -> None:
    assert res is not None and res.status == 200
    csp = res.headers["content-security-policy"]
    assert (
        "script-src 'self'" in csp
        and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    )


def test_language_switch_works_and_sticks(dutch: Page, site: Site) -> None:
    page = dutch
    _csp(page.goto(site.url + "/"))
    assert page.locator("html").get_attribute("lang") == "nl"
    assert page.locator("header nav").inner_text().split()[:1] == ["Kaart"]
    assert "Ruimte op het net" in page.locator("h1").inner_text()
    page.click("[data-action=set-language][data-lang=en]")
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "Room on the grid" in page.locator("h1").inner_text()
    cookies = {c["name"]: c["value"] for c in page.context.cookies()}
    assert cookies["netruimte_lang"] == "en"
    page.click("header nav >> text=Capacity map")  # the choice sticks without ?lang
    page.wait_for_load_state()
    assert page.url.endswith("/capacity-map")
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.locator("table.map caption").inner_text().startswith("Capacity per station")
    page.goto(site.url + "/stations/ALM?on=2027-01-01")
    page.click("[data-action=set-language][data-lang=nl]")  # back, keeping the page's query
    page.wait_for_load_state()
    assert "on=2027-01-01" in page.url and "lang=nl" in page.url
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "cijfers op 1 januari 2027" in page.locator("main p.muted").first.inner_text()
    page.goto(site.url + "/capacity-map")
    assert page.locator("html").get_attribute("lang") == "nl"
    assert "Capaciteit per station" in page.locator("table.map caption").inner_text()
    # numbers per locale: the twin's figure, written the Dutch way
    twin = _twin(page)
    alm = next(s for s in twin["stations"] if s["short_code"] == "ALM")
    cell = page.locator("tr:has(a[href='/stations/ALM']) td.num").nth(1).inner_text()
    assert cell == f"{alm['demand_quoted_capacity']:,.1f}".replace(",", "x").replace(
        ".", ","
    ).replace("x", ".")
    _shot(page, site.shots / "capacity-map-nl.png")


def test_map_shows_the_stations_made_through_the_api(dutch: Page, site: Site) -> None:
    api = f"{site.url}/api/v1"
    op = {"Authorization": f"Bearer {site.operator_token}"}
    tag = f"M{time.monotonic_ns() % 10**6}"
    made = {
        f"{tag}G": ({"offtake_mw": 10, "load_mw": 2, "lat": 52.45, "lon": 5.35}, "green"),
        f"{tag}A": ({"offtake_mw": 10, "load_mw": 9.5, "lat": 52.62, "lon": 5.55}, "amber"),
        f"{tag}R": ({"offtake_mw": 1, "load_mw": 0.8, "lat": 52.30, "lon": 5.85}, "red"),
        f"{tag}X": ({"offtake_mw": 500, "aggregated": True, "lat": 52.0, "lon": 5.0}, None),
    }
    for sid, (body, _) in made.items():
        res = httpx.post(
            f"{api}/stations", json={"id": sid, "name": f"Kaart {sid}", **body}, headers=op
        )
        assert res.status_code == 201, res.text
    res = httpx.post(f"{api}/requests", json={"station": f"{tag}R", "kw": 500}, headers=op)
    assert res.status_code == 201, res.text
    public = httpx.get(f"{api}/public/capacity-map").json()
    rule = {e["short_code"]: e["demand_constraint"] for e in public["stations"]}
    page = dutch
    _csp(page.goto(site.url + "/map"))
    assert page.locator("h1").inner_text() == "Kaart"
    for sid, (_, colour) in made.items():
        dot = page.locator(f"#map a.station[data-station='{sid}'] circle")
        if colour is None:  # an aggregated device: listed apart, not a place on the map
            assert dot.count() == 0
            assert page.locator(f"#aggregated li[data-station='{sid}']").count() == 1
            continue
        assert rule[sid] == colour
        assert (
            page.locator(f"#map a.station[data-station='{sid}']").get_attribute("data-constraint")
            == colour
        )
        fill = dot.evaluate("e => getComputedStyle(e).fill")
        assert fill == RAG_FILL[colour], (sid, fill)
    for sid in ("ALM", "LLS", "ZWD", "ZWD20", "DRT", "EML"):  # the bundled scenario's places
        dot = page.locator(f"#map a.station[data-station='{sid}']")
        assert dot.get_attribute("data-constraint") == rule[sid]
    assert page.locator("#aggregated li[data-station='FGU-REST']").count() == 1
    assert page.locator("#map [data-station='FGU-REST']").count() == 0
    assert page.locator("path.province").count() >= 12
    _shot(page, site.shots / "map-nl.png")
    page.locator(f"#map a.station[data-station='{tag}G'] circle").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/stations/{tag}G")
    assert f"Kaart {tag}G" in page.locator("h1").inner_text()
    page.goto(site.url + "/map?lang=en&direction=feed-in")
    assert page.locator("h1").inner_text() == "Map"
    assert (
        page.locator(f"#map a.station[data-station='{tag}G']").get_attribute("data-constraint")
        == "transparant"
    )  # no feed-in limit given
    _shot(page, site.shots / "map-en-feed-in.png")


def test_every_page_in_both_languages(dutch: Page, site: Site) -> None:
    """Screenshots of every page in Dutch and in English, signed in as the applicant and the
    operator; each page names its language and the browser logs no error."""
    from netruimte.web.pages import PAGE_ROUTERS

    page = dutch
    plans = httpx.get(
        f"{site.url}/api/v1/site-plans", headers={"Authorization": f"Bearer {site.applicant_token}"}
    ).json()
    items = plans["items"] if isinstance(plans, dict) else plans
    values = {"station_id": "ALM", "request_id": site.request_id}
    if items:
        values["plan_id"] = str(items[0]["id"])
    routes = sorted(
        {
            route.path  # type: ignore[attr-defined]
            for router in PAGE_ROUTERS
            for route in router.routes
            if "GET" in getattr(route, "methods", ())
            and not route.path.endswith((".csv", "/report", "/export"))  # type: ignore[attr-defined]
        }
    )
    for token, who in ((site.applicant_token, "applicant"), (site.operator_token, "operator")):
        page.context.clear_cookies()
        page.goto(site.url + "/login")
        _sign_in(page, site, token)
        page.wait_for_load_state()
        for lang in ("nl", "en"):
            for path in routes:
                operator_only = path == "/queue" or path.startswith("/operator")
                unknown = set(re.findall(r"\{(\w+)\}", path)) - set(values)
                if (operator_only and who == "applicant") or unknown:
                    continue
                url = site.url + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
                _csp(page.goto(f"{url}?lang={lang}"))
                assert page.locator("html").get_attribute("lang") == lang, url
                name = re.sub(r"[^a-z0-9]+", "-", path.strip("/") or "home")
                _shot(page, site.shots / f"{lang}-{who}-{name}.png")
    page.context.clear_cookies()
    page.goto(site.url + "/login?lang=nl")
    _shot(page, site.shots / "nl-login.png")
