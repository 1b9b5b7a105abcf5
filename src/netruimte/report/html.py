"""A small document model for self-contained HTML reports, and its renderer.

A report must open on a machine without network (a grid operator's laptop, an e-mail
attachment), so everything is inline: the CSS, Plotly's JavaScript (once per file) and each
figure's data as JSON.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from netruimte import __version__

__all__ = [
    "Block",
    "Figure",
    "Note",
    "Paragraph",
    "Report",
    "Section",
    "Table",
    "render_html",
    "write_report",
]


@dataclass(frozen=True)
class Paragraph:
    """Plain text; blank lines separate paragraphs. Text is escaped, never interpreted as HTML."""

    text: str


@dataclass(frozen=True)
class Note:
    """A boxed remark: an assumption, a source, or a warning the reader must not miss."""

    text: str
    kind: Literal["assumption", "source", "warning", "info"] = "info"


@dataclass(frozen=True)
class Figure:
    """A Plotly figure (``plotly.graph_objects.Figure`` or its dict) with a caption."""

    figure: Any
    caption: str = ""
    height_px: int = 420


@dataclass(frozen=True)
class Table:
    """A table from a DataFrame; numbers are formatted with ``float_format``."""

    frame: pd.DataFrame
    caption: str = ""
    float_format: str = "{:,.1f}"
    index: bool = False
    max_rows: int = 500


Block = Paragraph | Note | Figure | Table


@dataclass(frozen=True)
class Section:
    """A heading and its blocks, rendered in order."""

    heading: str
    blocks: Sequence[Block] = ()


@dataclass(frozen=True)
class Report:
    """A whole report."""

    title: str
    sections: Sequence[Section]
    subtitle: str = ""
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))


_CSS = """
body{font-family:system-ui,-apple-system,'Segoe UI',Roboto,sans-serif;margin:0;color:#1d2733;
background:#f6f7f9;line-height:1.45}
header{background:#12355b;color:#fff;padding:1.4rem 2rem}header h1{margin:0 0 .3rem 0}
header p{margin:0;opacity:.85}main{max-width:1100px;margin:0 auto;padding:1rem 2rem 3rem}
section{background:#fff;border-radius:8px;padding:1rem 1.4rem;margin:1.2rem 0;
box-shadow:0 1px 3px rgba(0,0,0,.08)}h2{margin-top:.2rem;color:#12355b}
table{border-collapse:collapse;width:100%;font-size:.9rem;margin:.4rem 0}
th,td{border-bottom:1px solid #e3e6ea;padding:.3rem .5rem;text-align:right}
th:first-child,td:first-child{text-align:left}th{background:#eef1f5}
caption{caption-side:top;text-align:left;font-weight:600;padding:.3rem 0}
.note{border-left:4px solid #8aa1b9;background:#f2f5f8;padding:.5rem .8rem;margin:.6rem 0}
.note.assumption{border-color:#d99b2b;background:#fdf6e8}.note.source{border-color:#4f8a5b;
background:#eef7f0}.note.warning{border-color:#c0392b;background:#fbeeee}
.note b{text-transform:uppercase;font-size:.75rem;letter-spacing:.05em}
figure{margin:.6rem 0}figcaption{font-size:.85rem;color:#56616d}
footer{color:#6b7680;font-size:.8rem;text-align:center;padding:1rem}
"""


def _paragraphs(text: str) -> str:
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(p)}</p>" for p in parts)


def _figure_json(figure: Any) -> str:
    if hasattr(figure, "to_plotly_json"):
        import plotly.io

        text = str(plotly.io.to_json(figure, validate=False))
    else:
        text = json.dumps(figure)
    # A literal "</script>" inside the JSON would end the script element early.
    return text.replace("</", "<\\/")


def _table_html(table: Table) -> str:
    frame = table.frame.head(table.max_rows)
    if table.index:
        frame = frame.reset_index()
    head = "".join(f"<th>{html.escape(str(c))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                text = "" if pd.isna(value) else table.float_format.format(value)
            else:
                text = "" if value is None else str(value)
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{html.escape(table.caption)}</caption>" if table.caption else ""
    more = ""
    if len(table.frame) > table.max_rows:
        more = f"<p>… {len(table.frame) - table.max_rows} more rows in the CSV/JSON output.</p>"
    body = "".join(rows)
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text)."""
    body: list[str] = []
    figure_count = 0
    needs_plotly = False
    for section in report.sections:
        parts = [f"<h2>{html.escape(section.heading)}</h2>"]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(_paragraphs(block.text))
            elif isinstance(block, Note):
                parts.append(
                    f'<div class="note {block.kind}"><b>{block.kind}</b>'
                    f"{_paragraphs(block.text)}</div>"
                )
            elif isinstance(block, Table):
                parts.append(_table_html(block))
            else:
                needs_plotly = True
                figure_count += 1
                div_id = f"fig{figure_count}"
                caption = (
                    f"<figcaption>{html.escape(block.caption)}</figcaption>"
                    if block.caption
                    else ""
                )
                parts.append(
                    f'<figure><div id="{div_id}" style="height:{block.height_px}px"></div>{caption}'
                    f"<script>(function(){{var f={_figure_json(block.figure)};"
                    f'Plotly.newPlot("{div_id}",f.data,f.layout||{{}},'
                    "{responsive:true,displaylogo:false});})();</script></figure>"
                )
        body.append("<section>" + "".join(parts) + "</section>")
    plotly_js = ""
    if needs_plotly:
        from plotly.offline import get_plotlyjs

        plotly_js = f"<script>{get_plotlyjs()}</script>"
    subtitle = f"<p>{html.escape(report.subtitle)}</p>" if report.subtitle else ""
    stamp = report.generated_at.strftime("%Y-%m-%d %H:%M UTC")
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{html.escape(report.title)}</title><style>{_CSS}</style>{plotly_js}</head>"
        f"<body><header><h1>{html.escape(report.title)}</h1>{subtitle}</header>"
        f"<main>{''.join(body)}</main>"
        f"<footer>Made with netruimte {__version__} on {stamp}. Self-contained: works offline."
        "</footer></body></html>\n"
    )


def write_report(report: Report, path: str | Path) -> Path:
    """Render and write the report whole (temporary file, then rename)."""
    path = Path(path)
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(render_html(report), encoding="utf-8")
    tmp.replace(path)
    return path
