"""The site-plan report, its one-page PDF and the demo's PDF in Dutch: no message id without
a translation, no English sentence left (also in the charts and the PDF text), numbers and dates
the Dutch way; the English output is what it was; ``site plan --lang``."""

from __future__ import annotations

import io
import json
import re
from pathlib import Path
from typing import Any

import pypdf
import pytest

from netruimte.i18n import Msg, catalogue, collect_missing
from netruimte.report.html import Figure, Report, Section, render_html
from tests.report.test_pdf import _demo_summary, _plan
from tests.service.test_i18n_pages import english_left

SITES = Path(__file__).parents[2] / "examples" / "sites"
_FIGURE = re.compile(r'<script>\(function\(\)\{var f=(\{.*?\});Plotly\.newPlot\("fig\d+"', re.S)


def figure_texts(html: str) -> list[str]:
    """Every trace name, axis title, annotation and bar label of the report's charts."""
    found: list[str] = []

    def walk(node: Any, key: str = "") -> None:
        if isinstance(node, dict):
            for k, v in node.items():
                walk(v, k)
        elif isinstance(node, list):
            for v in node:
                walk(v, key)
        elif isinstance(node, str) and key in ("text", "name", "x"):
            found.append(node)

    for match in _FIGURE.finditer(html):
        walk(json.loads(match.group(1)))
    return found


def english_in_figures(html: str) -> list[str]:
    """Chart texts that are an English message id with a different Dutch translation."""
    table = catalogue()
    return [t for t in figure_texts(html) if t in table and table[t] != t]


def pdf_text(data: bytes) -> tuple[int, str]:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return len(reader.pages), "\n".join(page.extract_text() for page in reader.pages)


def english_in_pdf(text: str) -> list[str]:
    """PDF lines (or their parts before a number) that are an English message id."""
    table = catalogue()
    left = []
    for line in text.splitlines():
        for part in {line.strip(), re.split(r" (?:-?EUR |€ )?-?\d", line)[0].strip()}:
            if part in table and table[part] != part:
                left.append(part)
    return left


@pytest.fixture(scope="module")
def dutch_plans(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[Path, set[str]]]:
    """Each example site planned with ``--lang nl`` (the message ids left untranslated)."""
    from typer.testing import CliRunner

    from netruimte.cli import app

    out: dict[str, tuple[Path, set[str]]] = {}
    for name in ("logistics-hub-ev", "office-pv", "bakery-g5"):
        target = tmp_path_factory.mktemp(name)
        with collect_missing() as seen:
            res = CliRunner().invoke(
                app, ["site", "plan", str(SITES / f"{name}.toml"), "--out", str(target),
                      "--lang", "nl"],
            )  # fmt: skip
            assert res.exit_code == 0, res.output
            out[name] = (target, set(seen))
    return out


@pytest.mark.parametrize("name", ["logistics-hub-ev", "office-pv", "bakery-g5"])
def test_site_plan_report_in_dutch_has_no_untranslated_string(dutch_plans, name: str) -> None:
    out, seen = dutch_plans[name]
    html = (out / "report.html").read_text(encoding="utf-8")
    assert not seen, sorted(seen)
    assert not english_left(html)
    assert not english_in_figures(html)
    assert '<html lang="nl">' in html and "<h2>Samenvatting</h2>" in html
    assert "Locatieplan: " in html and "Doel min-" in html
    assert "het jaar 2025" in html  # the period in words
    assert re.search(r"\d,\d kW", html)  # a decimal comma
    cells = re.findall(r"<td>([^<]*)</td>", html)
    english_numbers = [
        c for c in cells if re.search(r"\d\.\d+ (kW|kWh|kWp)\b|€ \d{1,3},\d{3}|years", c)
    ]
    assert not english_numbers, english_numbers  # the table cells are messages too
    assert "Aannames en gegevens" in html and "Belastingduurkromme" in html
    assert any(t.startswith("jan 2025") for t in figure_texts(html))  # the month bars
    # the summary PDF beside it is Dutch too
    pages, text = pdf_text((out / "summary.pdf").read_bytes())
    assert pages == 1
    assert not english_in_pdf(text), english_in_pdf(text)
    assert "Het besluit in cijfers" in text and "Kerncijfers" in text
    assert re.search(r"EUR \d{1,3}(\.\d{3})+", text)  # thousands with a point


def test_the_dutch_site_report_speaks_of_its_loads_and_restrictions(dutch_plans) -> None:
    html = (dutch_plans["logistics-hub-ev"][0] / "report.html").read_text(encoding="utf-8")
    assert "de flexibele last &#x27;EV truck fleet&#x27; kan" in html
    assert "(de beperkingsvensters)" in html and "tijdsblok (blokstroom)" in html
    assert "EV truck fleet (gepland)" in figure_texts(html)
    office = (dutch_plans["office-pv"][0] / "report.html").read_text(encoding="utf-8")
    assert "Het goedkoopste plan voor" in office and "kWp PV" in office
    assert "laagst mogelijke kosten (bewezen ondergrens)" in office  # min-cost: proven bound
    assert "gemaakt met pvlib uit het DWD-testreferentiejaar voor Essen" in office


def test_the_checks_find_english_in_a_chart_and_in_a_pdf() -> None:
    import plotly.graph_objects as go

    fig = go.Figure()
    fig.add_scatter(x=[1], y=[1], name="a data-made name 7")
    fig.add_scatter(x=[1], y=[2], name="planned import")  # known: translated by lookup
    fig.add_bar(x=["this plan"], y=[1])
    figure = Figure(fig, texts={"a data-made name 7": Msg("a data-made name {n}", n=7)})
    report = Report(title="Cost", sections=[Section("Cost", [figure])], lang="nl")
    with collect_missing() as seen:
        html = render_html(report)
    assert seen == {"a data-made name {n}"}  # a figure's own message is collected
    assert "geplande afname" in figure_texts(html)
    assert english_in_figures(html) == ["this plan"]  # an axis label no one translated
    assert english_in_pdf("Key figures\nSavings a year EUR 11,675\nKerncijfers") == [
        "Key figures",
        "Savings a year",
    ]
    try:
        assert not english_in_figures(html)
    except AssertionError:
        pass
    else:  # pragma: no cover - the point of this test
        raise AssertionError("the chart check let an English label through")


def test_site_summary_pdf_in_dutch() -> None:
    import datetime as dt

    from netruimte.report.pdf import site_summary_pdf

    with collect_missing() as seen:
        data = site_summary_pdf(
            _plan(), site_name="Distributiecentrum", span=Msg("the year {year}", year="2025"),
            generated_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC), lang="nl",
        )  # fmt: skip
    assert not seen, sorted(seen)
    pages, text = pdf_text(data)
    flat = text.replace("\n", " ")
    assert pages == 1 and not english_in_pdf(text)
    assert "Doel min-connection - het jaar 2025 - samenvatting voor de directie" in flat
    assert "Met het plan (132,1 kW) betaalt ze EUR 198.277 per jaar: EUR 11.675 minder." in flat
    assert "Netto contante waarde (15 jaar bij 5,0%) -EUR 24.015" in flat
    assert "Het plan verliest EUR 24.015 over 15 jaar" in flat
    assert "Gemaakt met netruimte op 2 januari 2026 03:04 UTC." in flat
    english = pdf_text(
        site_summary_pdf(
            _plan(),
            site_name="D",
            span="the year 2025",
            generated_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC),
        )
    )
    assert "pays EUR 198,277 a year: EUR 11,675 less." in english[1].replace("\n", " ")
    assert "Made with netruimte on 2026-01-02 03:04 UTC." in english[1]
    assert {"Key figures", "Savings a year"} <= set(english_in_pdf(english[1]))  # it finds them


def test_demo_summary_pdf_in_dutch() -> None:
    from netruimte.report.pdf_demo import demo_summary_pdf

    with collect_missing() as seen:
        data = demo_summary_pdf(_demo_summary(campus="2036-07-01"), horizon_year=2040, lang="nl")
    assert not seen, sorted(seen)
    pages, text = pdf_text(data)
    flat = text.replace("\n", " ")
    assert pages == 1 and not english_in_pdf(text), english_in_pdf(text)
    assert "De meeste aanvragen aangesloten vóór 2033: ACM + slimme middelen" in flat
    assert "Het ACM-kader sluit vóór 2033 10 meer aan" in flat
    assert "Wie het eerst komt, het eerst maalt: 1 juli 2036" in flat  # a date in words
    assert "75,0 MW vaste aansluiting nodig hebben in plaats van 100,0 MW (25% minder)" in flat
    assert "40.000 EUR per MW ruimte per jaar" in flat
    assert "6,5 jaar" in flat and "Bevindingen" in flat


def test_site_plan_lang_option_refuses_an_unknown_language(tmp_path: Path) -> None:
    from tests.cli.test_cli_site import run

    bad = run("site", "plan", str(SITES / "bakery-g5.toml"), "--out", str(tmp_path / "x"),
              "--lang", "de")  # fmt: skip
    assert bad.returncode == 2 and "--lang" in bad.stderr and "nl | en" in bad.stderr
    assert not (tmp_path / "x").exists()
