"""The demo's one-page council summary, from a real (small) demo run."""

from __future__ import annotations

import json
import re

import pypdf

from tests.demo.test_demo import demo  # noqa: F401  (the module's demo fixture)


def test_summary_pdf_is_one_page_with_the_summary_numbers(demo):  # noqa: F811
    out = demo.options.out_dir
    reader = pypdf.PdfReader(out / "summary.pdf")
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text().replace("\n", " ")
    summary = json.loads((out / "summary.json").read_text())
    total = summary["variants"][0]["requests"]
    assert f"{total} Flevoland requests wait" in text
    for variant in summary["variants"]:
        assert variant["label"] in text
    best = max(summary["variants"], key=lambda v: (v["by_2033"], -v["mw_years_waiting"]))
    assert f"{best['label']} ({best['by_2033']} of {total})" in text


def test_campus_cells_one_vocabulary() -> None:
    from netruimte.report.demo_data import campus_cells

    row = {"granted_on": None, "p50": None, "p90": "2039-01-01"}
    assert campus_cells(row, 2040, monte_carlo=True) == [
        "not before the horizon (2040)", "not before the horizon (2040)", "2039-01-01"
    ]  # fmt: skip
    granted = {"granted_on": "2035-01-01", "p50": None, "p90": None}
    assert campus_cells(granted, 2040, monte_carlo=False) == [
        "2035-01-01", "not simulated", "not simulated"
    ]  # fmt: skip


def test_cli_demo_text_adds_up(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from netruimte.cli import app

    out = tmp_path / "d"
    result = CliRunner().invoke(
        app, ["demo", "--out", str(out), "--runs", "2", "--businesses", "3"],
        env={"COLUMNS": "250"},
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert "never" not in text and "not before 2041" not in text
    assert "not simulated" in text and re.search(r"by the end of \d{4}", text)
    summary = json.loads((out / "summary.json").read_text())
    for row in summary["variants"]:
        done = row["requests"] - row["not_in_horizon"]
        line = next(ln for ln in text.splitlines() if row["label"] in ln)
        cells = [c.strip() for c in line.split("│") if c.strip()]
        assert cells[1] == str(row["by_2028"])
        assert cells[5] == str(done) and cells[6] == str(row["not_in_horizon"])
        assert int(cells[5]) + int(cells[6]) == row["requests"]
    assert "Room before reinforcement" in text


def test_report_campus_table_uses_the_one_vocabulary(demo) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The HTML campus table says 'not simulated' for a variant without Monte Carlo (not 'not
    before the horizon', which would contradict its granted date), as the terminal does."""
    from netruimte.report.demo import build_demo_report
    from netruimte.report.demo_data import VARIANTS
    from netruimte.report.html import Table

    report = build_demo_report(demo)
    section = next(s for s in report.sections if s.heading == "The High Tech Campus")
    table = next(b for b in section.blocks if isinstance(b, Table)).frame
    by_label = {row["scenario"]: row for row in table.to_dict("records")}
    for variant in VARIANTS:
        row = by_label[variant.label]
        if not variant.monte_carlo:
            assert row["half of the runs by (P50)"] == "not simulated"
            assert row["90 % of the runs by (P90)"] == "not simulated"
        else:
            assert row["half of the runs by (P50)"] != "not simulated"
        assert "never" not in " ".join(map(str, row.values()))


def test_demo_report_in_chromium(demo, tmp_path) -> None:  # type: ignore[no-untyped-def]  # noqa: F811
    """The demo's report in headless Chromium: no console errors, no request to the network,
    every plot rendered; the screenshot is kept for a look."""
    from playwright.sync_api import sync_playwright

    from tests.report.test_report_browser import ARGS, CHROMIUM, _open

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        try:
            page, errors = _open(browser, demo.options.out_dir / "report.html", tmp_path / "d.png")
            assert errors == []
            text = page.inner_text("body")
            assert "What changed with the corrected rules" in text
            assert "not simulated" in text  # the campus table's variant without Monte Carlo
            assert " never " not in text
            page.close()
        finally:
            browser.close()
