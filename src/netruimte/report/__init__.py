"""HTML reports: single self-contained files (inline CSS, Plotly's JS inline, no network).

Build a :class:`Report` from sections of paragraphs, figures and tables, then
:func:`write_report` it. The site-planner, waiting-list and demo reports are built on this.
The package exports what :mod:`netruimte.report.html` exports.
"""

from __future__ import annotations

from netruimte.report.html import *  # noqa: F403
from netruimte.report.html import __all__ as __all__
