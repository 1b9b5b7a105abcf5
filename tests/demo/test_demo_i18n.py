"""The demo's report and council summary in Dutch (the demo's default language): no message
id without a translation, no English sentence left in the text, the charts or the PDF; the
CLI's ``--lang``."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace

from netruimte.i18n import collect_missing
from netruimte.report.demo import build_demo_report
from netruimte.report.html import render_html
from netruimte.report.pdf_demo import demo_summary_pdf
from tests.demo.test_demo import demo  # noqa: F401  (the module's demo fixture)
from tests.report.test_report_i18n_site import (
    english_in_figures,
    english_in_pdf,
    figure_texts,
    pdf_text,
)
from tests.service.test_i18n_pages import english_left


def test_demo_report_in_dutch_has_no_untranslated_string(demo) -> None:  # noqa: F811
    report = build_demo_report(demo)
    with collect_missing() as seen:
        html = render_html(replace(report, lang="nl"))
    assert not seen, sorted(seen)
    assert not english_left(html), english_left(html)
    assert not english_in_figures(html), english_in_figures(html)
    assert '<html lang="nl">' in html and "netruimte: wachten op netruimte in Flevoland" in html
    assert "Kern: onder de geldende regels worden" in html
    assert "Waarom, onder de geldende regels: " in html  # the engine's explanation follows
    assert "Ruimte vóór versterking" in html and "Maatschappelijke voorrang" in html
    texts = figure_texts(html)
    assert "Afname bij de stations in Flevoland" in texts and "aanvragen aangesloten" in texts
    assert "3 basisbehoeften" in texts  # a category on the wait chart's axis
    cells = re.findall(r"<td>([^<]*)</td>", html)
    assert "niet vóór de horizon (2041)" in cells or "niet gesimuleerd" in cells
    assert not [c for c in cells if "not before the horizon" in c or c == "not simulated"]
    # the English report keeps its words
    english = render_html(report)
    assert "Headline: under the rules in force" in english and '<html lang="en">' in english


def test_demo_summary_pdf_in_dutch(demo) -> None:  # noqa: F811
    summary = json.loads((demo.options.out_dir / "summary.json").read_text())
    with collect_missing() as seen:
        data = demo_summary_pdf(summary, horizon_year=demo.scenario.end.year, lang="nl")
    assert not seen, sorted(seen)
    pages, text = pdf_text(data)
    assert pages == 1 and not english_in_pdf(text), english_in_pdf(text)
    assert "Bevindingen" in text and "Per variant" in text
    assert "Wie het eerst komt, het eerst maalt" in text


def test_demo_lang_option_refuses_an_unknown_language(tmp_path) -> None:
    bad = subprocess.run(
        [sys.executable, "-m", "netruimte", "demo", "--out", str(tmp_path / "x"), "--lang", "de"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert bad.returncode == 2 and "--lang" in bad.stderr and "nl | en" in bad.stderr
    assert not (tmp_path / "x").exists()
