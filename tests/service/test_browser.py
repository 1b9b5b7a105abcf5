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

from netruimte.services import auth, dashboard, runs
from netruimte.services import requests as request_service
from netruimte.services.auth import SYSTEM
from netruimte.services.bootstrap import ensure_bootstrapped
from netruimte.services.convert import today
from netruimte.services.worker import Worker
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
    from playwright.sync_api import Browser, Page, sync_playwright
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


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A fresh browser tab (no cookies); fails the test if the browser logged an error."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
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
            assert (fc[key] or f"after {fc['run']['end']}") in expected
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
        page.goto(site.url + "/login")
        _sign_in(page, site, token)
        page.wait_for_load_state()
        for path in routes:
            if path == "/queue" and who == "applicant":
                continue  # operators only (403, tested elsewhere)
            url = site.url + re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], path)
            res = page.goto(url)
            assert res is not None and res.status == 200, (who, url, res and res.status)
            assert page.locator("main, body").first.inner_text().strip()
        page.goto(f"{site.url}/requests/{rid}")
        text = page.locator("section:has(h2:text('Where you stand today'))").inner_text()
        assert "takes part from the first allocation moment" in text or "Rank" in text
        _shot(page, site.shots / f"new-request-{who}.png")
