"""The site and waiting-list reports in headless Chromium: no console errors, every plot
rendered, the request table searchable and sortable, the business case as in plan.json.

Screenshots are written to ``$NETRUIMTE_SHOTS`` when set (else the test's tmp folder).
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from netruimte.report import write_report
from netruimte.report.site_business import eur
from netruimte.report.waitlist import build_waitlist_report
from netruimte.scenario.flevoland import generate_flevoland, to_waitlist_scenario
from netruimte.sites.plan_file import run_site_plan
from netruimte.waitlist import simulate
from tests._deps import missing

CHROMIUM = os.environ.get("NETRUIMTE_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]  # fmt: skip
SITES = Path(__file__).parents[2] / "examples" / "sites"

try:
    from playwright.sync_api import Browser, Page, sync_playwright
except ImportError:  # pragma: no cover - CI installs it (and fails without it)
    missing("playwright is not installed (pip install playwright)", module=True)
if not Path(CHROMIUM).exists():  # pragma: no cover - CI installs it (and fails without it)
    missing(f"no Chromium at {CHROMIUM} (apt-get install chromium)", module=True)

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    with sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = os.environ.get("NETRUIMTE_SHOTS")
    path = Path(folder) if folder else tmp_path_factory.mktemp("shots")
    path.mkdir(parents=True, exist_ok=True)
    return path


def _open(browser: Browser, path: Path, shot: Path) -> tuple[Page, list[str]]:
    """Open a report file, wait for every plot, take a full-page screenshot."""
    page = browser.new_page(viewport={"width": 1200, "height": 900})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.route("http*://**", lambda route: (errors.append(route.request.url), route.abort()))
    page.goto(path.as_uri())
    figures = page.locator("figure > div[id^=fig]").count()
    assert figures > 0
    page.wait_for_function(
        "n => document.querySelectorAll('figure .plot-container svg.main-svg').length >= n",
        arg=figures,
    )
    rendered = page.evaluate(
        "() => Array.from(document.querySelectorAll('figure > div[id^=fig]'))"
        ".filter(d => d.querySelector('svg.main-svg') && d.getBoundingClientRect().height > 50)"
        ".length"
    )
    assert rendered == figures, f"{figures - rendered} plots did not render in {path.name}"
    page.screenshot(path=str(shot), full_page=True)
    return page, errors


@pytest.fixture(scope="module")
def site_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    out = tmp_path_factory.mktemp("logistics")
    run_site_plan(SITES / "logistics-hub-ev.toml", out)
    return out / "report.html", json.loads((out / "plan.json").read_text())


@pytest.fixture(scope="module")
def waitlist_report(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any, Any]:
    scenario = to_waitlist_scenario(generate_flevoland())
    result = simulate(scenario)
    path = tmp_path_factory.mktemp("flevoland") / "report.html"
    write_report(build_waitlist_report(result, scenario), path)
    return path, scenario, result


def test_site_report_in_chromium(browser: Browser, shots: Path, site_report) -> None:  # type: ignore[no-untyped-def]
    path, plan = site_report
    page, errors = _open(browser, path, shots / "site-report.png")
    assert errors == []
    case = plan["business_case"]
    table = page.locator("table", has=page.locator("caption", has_text="Business case"))
    text = table.inner_text()
    for value in (case["investment_eur"], case["annual_savings_eur"], case["npv_eur"]):
        assert eur(value) in text
    assert f"{case['baseline_import_kw']:,.1f} kW" in text
    # the contents list links to every section
    links = page.locator("nav.toc a").evaluate_all("as => as.map(a => a.hash.slice(1))")
    assert "business-case" in links
    for anchor in links:
        assert page.locator(f"section#{anchor}").count() == 1
    page.close()


def test_waitlist_report_in_chromium(browser: Browser, shots: Path, waitlist_report) -> None:  # type: ignore[no-untyped-def]
    path, scenario, _ = waitlist_report
    page, errors = _open(browser, path, shots / "waitlist-report.png")
    assert errors == []
    # summary first, then the contents
    assert page.locator("main > section").first.locator("h2").inner_text() == "Summary"
    assert page.locator("main > nav.toc").count() == 1
    # the request table: every request, searchable, sortable
    table = page.locator("table", has=page.locator("caption", has_text="Every request"))
    rows = table.locator("tbody tr")
    assert rows.count() == len(scenario.requests)
    table_id = table.get_attribute("id")
    search = page.locator(f'input[data-table="{table_id}"]')
    search.fill("HTC-INDUCED")
    visible = [t for t in rows.all_inner_texts() if t.strip()]
    shown = table.locator("tbody tr:visible")
    assert 0 < shown.count() < len(scenario.requests)
    assert all("HTC-INDUCED" in t for t in shown.all_inner_texts())
    assert len(visible) == len(scenario.requests)  # hidden rows are still there
    search.fill("")
    header = table.locator("th", has_text="kW")
    header.click()
    first = [float(t.split()[0].replace(",", "")) for t in
             table.locator("tbody tr td:nth-child(3)").all_inner_texts()]  # fmt: skip
    assert first == sorted(first)
    header.click()
    again = [float(t.split()[0].replace(",", "")) for t in
             table.locator("tbody tr td:nth-child(3)").all_inner_texts()]  # fmt: skip
    assert again == sorted(first, reverse=True)
    # explanations folded per request; the aggregated requests shown apart, not per station
    aggregated = {st.id for st in scenario.grid.stations if st.aggregated}
    assert aggregated
    n_apart = sum(r.station in aggregated for r in scenario.requests)
    assert page.locator("details").count() == min(300, len(scenario.requests) - n_apart)
    assert page.locator("details[open]").count() == 0
    assert page.locator("section#aggregated-requests-shown-apart").count() == 1
    page.close()
