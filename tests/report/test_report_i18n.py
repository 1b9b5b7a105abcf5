"""The reports in Dutch: the waiting-list report has no untranslated string; the frame of
every report speaks the report's language; ``--lang`` on the command line."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from netruimte.i18n import collect_missing
from netruimte.report.html import Paragraph, Report, Section, Table, render_html
from netruimte.report.waitlist import build_waitlist_report
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import monte_carlo, simulate
from tests.service.test_i18n_pages import english_left

EXAMPLE = Path(__file__).parents[2] / "examples" / "waitlist" / "flevoland-small.toml"


@pytest.fixture(scope="module")
def scenario():  # type: ignore[no-untyped-def]
    return load_scenario(EXAMPLE)


@pytest.mark.parametrize("runs", [1, 8])
def test_waitlist_report_in_dutch_has_no_untranslated_string(scenario, runs: int) -> None:
    main = simulate(scenario) if runs == 1 else monte_carlo(scenario, runs=runs, seed=1)
    result = replace(main, compare=simulate(scenario, policy="fcfs"))
    report = build_waitlist_report(result, scenario)
    with collect_missing() as seen:
        html = render_html(replace(report, lang="nl"))
    assert not seen, sorted(seen)
    assert not english_left(html)
    assert '<html lang="nl">' in html and "<h2>Samenvatting</h2>" in html
    assert "Wachtrij: Flevoland" in html
    assert "Gemaakt met netruimte" in html
    # numbers and dates the Dutch way; the English report is unchanged by the language option
    assert "MW afname en" in html and "1 januari 2026" in html
    english = render_html(report)
    assert '<html lang="en">' in english and "<h2>Summary</h2>" in english
    assert "from 2026-01-01 to" in english


def test_the_report_check_finds_an_untranslated_string() -> None:
    import pandas as pd

    report = Report(
        title="A title nobody translated",
        sections=[
            Section("A heading nobody translated", [Paragraph("Summary")]),
            Section("Summary", [Table(pd.DataFrame({"a column nobody named": [1.5]}))]),
        ],
        lang="nl",
    )
    with collect_missing() as seen:
        html = render_html(report)
    assert seen == {
        "A heading nobody translated",
        "a column nobody named",
        "A title nobody translated",
    }
    assert "<h2>Samenvatting</h2>" in html and "<p>Samenvatting</p>" in html
    assert "<td>1,5</td>" in html  # a Dutch decimal comma in the table


def test_waitlist_simulate_writes_the_report_in_the_chosen_language(tmp_path: Path) -> None:
    from tests.cli.test_cli_waitlist import invoke

    out = tmp_path / "nl"
    res = invoke("simulate", str(EXAMPLE), "--out", str(out), "--lang", "nl")
    assert res.exit_code == 0, res.output
    html = (out / "report.html").read_text(encoding="utf-8")
    assert '<html lang="nl">' in html and "Samenvatting" in html
    assert '"policy"' in (out / "result.json").read_text()  # JSON keeps the API's words
    from tests.cli.test_cli_waitlist import run

    bad = run("simulate", str(EXAMPLE), "--out", str(tmp_path / "x"), "--lang", "de")
    assert bad.returncode == 2 and "--lang" in bad.stderr and "nl | en" in bad.stderr
    assert not (tmp_path / "x").exists()  # refused before anything is written
