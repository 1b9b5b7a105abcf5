"""A small document model for self-contained HTML reports, and its renderer.

A report must open on a machine without network (a grid operator's laptop, an e-mail
attachment), so everything is inline: the CSS, Plotly's JavaScript (once per file) and each
figure's data as JSON.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import pandas as pd

from netruimte import __version__
from netruimte._util import write_atomic
from netruimte.i18n import Msg, fmt_datetime, gettext, lookup

__all__ = [
    "Block",
    "Details",
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
    texts: Mapping[str, str] = field(default_factory=dict)
    """Text in the figure (a trace name, an axis title, an annotation) -> its message (a
    :class:`~netruimte.i18n.Msg`), for texts made of words and data; translated (and, when
    missing, collected) as the report is rendered. Other texts are looked up as they are."""


@dataclass(frozen=True)
class Table:
    """A table from a DataFrame; numbers are formatted with ``float_format``.

    A cell may be a :class:`~netruimte.i18n.Msg` (a number with its unit, a sentence), which
    is translated when rendered; build such a frame with ``dtype=object``, or pandas (3 and
    later) turns the messages into plain ``str``."""

    frame: pd.DataFrame
    caption: str = ""
    float_format: str = "{:,.1f}"
    index: bool = False
    max_rows: int = 500
    interactive: bool = False
    """A search box over the rows and headers that sort the rows when clicked (inline JS)."""
    headers: Mapping[str, str] = field(default_factory=dict)
    """Column name -> its message (a :class:`~netruimte.i18n.Msg` with placeholders), for
    names made of words and data ("connected (fcfs)"); other names are message ids."""


@dataclass(frozen=True)
class Details:
    """Folded text: ``summary`` is shown, ``text`` opens on a click (``<details>``).

    ``key`` is matched by the search box of an interactive table (the row's first cell), so
    searching a request also narrows its explanation.
    """

    summary: str
    text: str
    key: str = ""


Block = Paragraph | Note | Figure | Table | Details


@dataclass(frozen=True)
class Section:
    """A heading and its blocks, rendered in order."""

    heading: str
    blocks: Sequence[Block] = ()
    level: int = 2
    """2: a section of its own (in the contents list); 3: a sub-section of the one before."""


@dataclass(frozen=True)
class Report:
    """A whole report."""

    title: str
    sections: Sequence[Section]
    subtitle: str = ""
    generated_at: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    lang: str = "en"
    """``nl`` or ``en``: every heading, text, caption and column name is an English message
    id translated when rendered (:mod:`netruimte.i18n`); numbers in tables per locale."""


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
nav.toc ol{columns:2;margin:.3rem 0}nav.toc a{color:#12355b}
section.sub{margin-left:1.2rem}h3{color:#12355b;margin:.2rem 0}
input.filter{width:100%;max-width:28rem;padding:.35rem .5rem;margin:.3rem 0;font-size:.95rem}
th.sortable{cursor:pointer}th.sortable:after{content:" \\2195";color:#8aa1b9}
details{border-bottom:1px solid #e3e6ea;padding:.25rem 0}summary{cursor:pointer}
details p{margin:.3rem 0 .3rem 1.2rem}
@media print{nav.toc,input.filter{display:none}section{box-shadow:none}}
footer{color:#6b7680;font-size:.8rem;text-align:center;padding:1rem}
"""


def _paragraphs(text: str, lang: str = "en") -> str:
    if isinstance(text, Msg):  # one message, translated whole, may hold several paragraphs
        parts = [p.strip() for p in text.in_language(lang).split("\n\n") if p.strip()]
        return "".join(f"<p>{html.escape(p)}</p>" for p in parts)
    parts = [p.strip() for p in text.split("\n\n") if p.strip()]
    return "".join(f"<p>{html.escape(gettext(lang, p))}</p>" for p in parts)


def _t(lang: str, text: str) -> str:
    """``text`` (an English message id) in ``lang``, escaped for HTML."""
    return html.escape(gettext(lang, text))


def _local_number(lang: str, text: str) -> str:
    """A number formatted the English way (1,234.5), written per locale."""
    if lang != "nl":
        return text
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def _known_words(node: Any, lang: str, texts: Mapping[str, str] | None = None) -> Any:
    """A figure's titles, axis titles, annotations and trace names in ``lang``: those of
    ``texts`` (English text -> message) translated, others where a catalogue knows them
    (names of stations and such stay as they are)."""
    known = texts or {}
    if isinstance(node, dict):
        return {
            k: (
                (gettext(lang, known[v]) if v in known else lookup(lang, v))
                if k in ("text", "name") and isinstance(v, str)
                else _known_words(v, lang, known)
            )
            for k, v in node.items()
        }
    if isinstance(node, list):  # bar labels on an axis are list items
        return [
            gettext(lang, known[v]) if isinstance(v, str) and v in known else
            _known_words(v, lang, known)
            for v in node
        ]  # fmt: skip
    return node


def _figure_json(figure: Any, lang: str = "en", texts: Mapping[str, str] | None = None) -> str:
    if hasattr(figure, "to_plotly_json"):
        import plotly.io

        text = str(plotly.io.to_json(figure, validate=False))
    else:
        text = json.dumps(figure)
    if lang != "en":
        text = json.dumps(_known_words(json.loads(text), lang, texts))
    # A literal "</script>" inside the JSON would end the script element early.
    return text.replace("</", "<\\/")


_TABLE_JS = """
function nrTable(id){var t=document.getElementById(id);if(!t)return;
var input=document.querySelector('input[data-table="'+id+'"]');
if(input){input.addEventListener('input',function(){var q=input.value.toLowerCase();
t.querySelectorAll('tbody tr').forEach(function(r){
r.style.display=r.textContent.toLowerCase().indexOf(q)>=0?'':'none';});
document.querySelectorAll('details[data-key]').forEach(function(d){
d.style.display=d.textContent.toLowerCase().indexOf(q)>=0?'':'none';});});}
t.querySelectorAll('th').forEach(function(th,k){th.classList.add('sortable');
th.addEventListener('click',function(){var body=t.tBodies[0];
var rows=Array.prototype.slice.call(body.rows);var up=th.dataset.dir!=='asc';
th.dataset.dir=up?'asc':'desc';
function val(r){var c=r.cells[k];var s=c?c.textContent.trim():'';
if(/^\\d{4}[-\\u2011]\\d\\d/.test(s))return s;
var m=s.replace(/,/g,'').replace('\\u2212','-').match(/^-?\\d+(\\.\\d+)?/);
return m?parseFloat(m[0]):s.toLowerCase();}
rows.sort(function(a,b){var x=val(a),y=val(b);
if(typeof x!==typeof y){x=String(x);y=String(y);}return (x<y?-1:x>y?1:0)*(up?1:-1);});
rows.forEach(function(r){body.appendChild(r);});});});}
"""


def _slug(text: str, used: set[str]) -> str:
    base = "".join(ch if ch.isalnum() else "-" for ch in text.lower()).strip("-") or "section"
    base = "-".join(part for part in base.split("-") if part)[:60]
    slug, k = base, 2
    while slug in used:
        slug, k = f"{base}-{k}", k + 1
    used.add(slug)
    return slug


def _table_html(table: Table, table_id: str = "", lang: str = "en") -> str:
    frame = table.frame.head(table.max_rows)
    if table.index:
        frame = frame.reset_index()
    head = "".join(f"<th>{_t(lang, table.headers.get(str(c), str(c)))}</th>" for c in frame.columns)
    rows = []
    for record in frame.itertuples(index=False):
        cells = []
        for value in record:
            if isinstance(value, float):
                text = (
                    "" if pd.isna(value) else _local_number(lang, table.float_format.format(value))
                )
            else:
                text = (
                    ""
                    if value is None
                    else lookup(lang, value)
                    if isinstance(value, str)
                    else str(value)
                )
            cells.append(f"<td>{html.escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    caption = f"<caption>{_t(lang, table.caption)}</caption>" if table.caption else ""
    more = ""
    if len(table.frame) > table.max_rows:
        left = len(table.frame) - table.max_rows
        more = f"<p>… {_t(lang, '{n} more rows in the CSV/JSON output.').format(n=left)}</p>"
    body = "".join(rows)
    if table.interactive and table_id:
        search = (
            f'<input type="search" class="filter" data-table="{table_id}" '
            f'placeholder="{_t(lang, "Search this table (and the explanations)…")}" '
            f'aria-label="{_t(lang, "Search")}">'
        )
        return (
            f'{search}<table id="{table_id}">{caption}<thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>{more}<script>nrTable('{table_id}');</script>"
        )
    return f"<table>{caption}<thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>{more}"


def render_html(report: Report) -> str:
    """The whole report as one HTML document (UTF-8 text).

    With four or more top-level sections a contents list follows the first section (the
    summary), linking to each section and sub-section."""
    lang = report.lang
    body: list[str] = []
    figure_count = 0
    table_count = 0
    needs_plotly = False
    needs_tables = False
    used: set[str] = set()
    toc: list[tuple[int, str, str]] = []
    for section in report.sections:
        anchor = _slug(section.heading, used)
        toc.append((section.level, anchor, gettext(lang, section.heading)))
        tag = "h3" if section.level >= 3 else "h2"
        parts = [f"<{tag}>{_t(lang, section.heading)}</{tag}>"]
        for block in section.blocks:
            if isinstance(block, Paragraph):
                parts.append(_paragraphs(block.text, lang))
            elif isinstance(block, Note):
                parts.append(
                    f'<div class="note {block.kind}"><b>{_t(lang, block.kind)}</b>'
                    f"{_paragraphs(block.text, lang)}</div>"
                )
            elif isinstance(block, Table):
                table_count += 1
                needs_tables = needs_tables or block.interactive
                parts.append(_table_html(block, f"table{table_count}", lang))
            elif isinstance(block, Details):
                key = f' data-key="{html.escape(block.key)}"' if block.key else ""
                parts.append(
                    f"<details{key}><summary>{_t(lang, block.summary)}</summary>"
                    f"{_paragraphs(block.text, lang)}</details>"
                )
            else:
                needs_plotly = True
                figure_count += 1
                div_id = f"fig{figure_count}"
                caption = (
                    f"<figcaption>{_t(lang, block.caption)}</figcaption>" if block.caption else ""
                )
                parts.append(
                    f'<figure><div id="{div_id}" style="height:{block.height_px}px"></div>{caption}'
                    f"<script>(function(){{var f={_figure_json(block.figure, lang, block.texts)};"
                    f'Plotly.newPlot("{div_id}",f.data,f.layout||{{}},'
                    "{responsive:true,displaylogo:false});})();</script></figure>"
                )
        sub = ' class="sub"' if section.level >= 3 else ""
        body.append(f'<section id="{anchor}"{sub}>' + "".join(parts) + "</section>")
    if sum(1 for level, _, _ in toc if level < 3) >= 4:
        items, open_sub = [], False
        for level, anchor, heading in toc[1:]:
            link = f'<a href="#{anchor}">{html.escape(heading)}</a>'
            if level >= 3:
                items.append(("" if open_sub else "<ol>") + f"<li>{link}</li>")
                open_sub = True
            else:
                close = "</ol></li>" if open_sub else "</li>" if items else ""
                items.append(f"{close}<li>{link}")
                open_sub = False
        items.append("</ol></li>" if open_sub else "</li>")
        nav = (
            f'<nav class="toc"><section><h2>{_t(lang, "Contents")}</h2>'
            f"<ol>{''.join(items)}</ol></section></nav>"
        )
        body.insert(1, nav)
    plotly_js = ""
    if needs_plotly:
        from plotly.offline import get_plotlyjs

        plotly_js = f"<script>{get_plotlyjs()}</script>"
    if needs_tables:
        plotly_js += f"<script>{_TABLE_JS}</script>"
    subtitle = f"<p>{_t(lang, report.subtitle)}</p>" if report.subtitle else ""
    stamp = fmt_datetime(lang, report.generated_at)
    footer = gettext(
        lang,
        "Made with netruimte {version} on {stamp}. Self-contained: works offline.",
        version=__version__,
        stamp=stamp,
    )
    title = _t(lang, report.title)
    return (
        f'<!DOCTYPE html>\n<html lang="{html.escape(lang)}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{title}</title><style>{_CSS}</style>{plotly_js}</head>"
        f"<body><header><h1>{title}</h1>{subtitle}</header>"
        f"<main>{''.join(body)}</main>"
        f"<footer>{html.escape(footer)}</footer></body></html>\n"
    )


def write_report(report: Report, path: str | Path) -> Path:
    """Render and write the report whole (temporary file, then rename)."""
    return write_atomic(path, render_html(report))
