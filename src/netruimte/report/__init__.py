"""HTML reports: single self-contained files (inline CSS, Plotly's JS inline, no network).

Build a :class:`Report` from sections of paragraphs, figures and tables, then
:func:`write_report` it. The site-planner, waiting-list and demo reports are built on this.
"""

from __future__ import annotations

from netruimte.report.html import (
    Details,
    Figure,
    Note,
    Paragraph,
    Report,
    Section,
    Table,
    render_html,
    write_report,
)

__all__ = [
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
