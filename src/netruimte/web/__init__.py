"""The web service (FastAPI): the JSON API in :mod:`netruimte.web.api`, the app factory
:func:`netruimte.web.app.create_app`, and (later) server-rendered pages."""

from __future__ import annotations

__all__: list[str] = []
