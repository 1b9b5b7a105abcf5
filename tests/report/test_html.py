"""Self-contained HTML reports."""

from __future__ import annotations

import re

import pandas as pd
import plotly.graph_objects as go

from netruimte.report import (
    Figure,
    Note,
    Paragraph,
    Report,
    Section,
    Table,
    render_html,
    write_report,
)


def test_report_is_self_contained_and_escaped(tmp_path):
    fig = go.Figure(go.Scatter(x=[1, 2], y=[3, 4], name="</script><b>x"))
    report = Report(
        title="Plan <BV>",
        sections=[
            Section(
                "Result",
                [
                    Paragraph("First.\n\nSecond <i>."),
                    Note("An assumption.", kind="assumption"),
                    Figure(fig, caption="A line"),
                    Table(pd.DataFrame({"name": ["a"], "kw": [1234.5]}), caption="T"),
                ],
            )
        ],
    )
    text = render_html(report)
    assert text.startswith("<!DOCTYPE html>")
    assert "Plan &lt;BV&gt;" in text and "Second &lt;i&gt;." in text
    assert "1,234.5" in text
    # Plotly's library is inline, and nothing is loaded from elsewhere.
    assert "Plotly.newPlot" in text and len(text) > 1_000_000
    assert not re.search(r"<script[^>]+src=", text)
    assert not re.search(r"<link[^>]+href=", text)
    # the figure JSON cannot close the script element early
    assert text.count("</script><b>x") == 0
    path = write_report(report, tmp_path / "r.html")
    assert path.read_text(encoding="utf-8") == text
    assert not list(tmp_path.glob("*.tmp"))


def test_report_without_figures_has_no_plotly():
    text = render_html(Report(title="t", sections=[Section("s", [Paragraph("p")])]))
    assert "Plotly" not in text and len(text) < 10_000


def test_contents_list_details_and_interactive_table() -> None:
    from netruimte.report import Details

    frame = pd.DataFrame({"id": ["b", "a"], "kW": [2.0, 10.0]})
    sections = [
        Section("Summary", [Paragraph("first")]),
        Section("One", [Table(frame, caption="t", interactive=True)]),
        Section("Sub <x>", [Details("R1 <b>", "why & how", key="R1")], level=3),
        Section("Two", []),
        Section("Three", [Table(frame)]),
        Section("Four", []),
    ]
    text = render_html(Report(title="T", sections=sections))
    nav = text[text.index('<nav class="toc">') : text.index("</nav>")]
    assert text.index("<nav") > text.index('id="summary"')  # the summary comes first
    for anchor in ("one", "sub-x", "two", "three", "four"):
        assert f'href="#{anchor}"' in nav and f'<section id="{anchor}"' in text
    assert "#summary" not in nav
    assert '<details data-key="R1"><summary>R1 &lt;b&gt;</summary><p>why &amp; how</p>' in text
    assert text.count("function nrTable") == 1 and "nrTable('table1')" in text
    assert 'data-table="table1"' in text and "nrTable('table2')" not in text
    short = render_html(Report(title="T", sections=sections[:3]))
    assert "<nav" not in short  # three top-level sections need no contents list
