"""The web service: ``create_app(settings)`` builds the FastAPI app.

At start the app applies the database migrations (``settings.migrate``), imports the bundled
Flevoland scenario into an empty register (``settings.bootstrap``) and starts the job worker
thread (``settings.worker``); at shutdown it stops the worker after its current job.

Layout: ``web/api`` holds the JSON API (``/api/v1``, OpenAPI at ``/openapi.json``);
server-rendered pages go in ``web/pages`` with ``web/templates`` and ``web/static``, added to
the app by :func:`create_app` when present.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI
from starlette.concurrency import run_in_threadpool

from netruimte import __version__
from netruimte.access.bootstrap import ensure_bootstrapped
from netruimte.jobs.worker import Worker
from netruimte.storage import Database, upgrade
from netruimte.web.api import router as api_router
from netruimte.web.errors import install_error_handlers
from netruimte.web.i18n import LanguageCookie
from netruimte.web.limits import BodyLimit
from netruimte.web.settings import Settings

__all__ = ["create_app"]

log = logging.getLogger("netruimte.web")

DESCRIPTION = """\
The shared side of netruimte: the waiting list of a congested grid, allocation runs under the
ACM prioritisation framework with explanations, site plans as jobs, and a public capacity map
in the field names of Netbeheer Nederland's information model.

Authentication: `Authorization: Bearer <token>`, with a token from
`netruimte users add NAME --role operator|applicant`. Operators may do everything; applicants
see and change only their own requests, site plans and jobs (another applicant's objects answer
404). The `/api/v1/public` routes need no token.

Errors are JSON: `{"error", "message", "field", "source", "line"}`.
"""


def _startup(app: FastAPI, settings: Settings) -> None:
    db: Database = app.state.db
    if settings.migrate:
        revision = upgrade(db)
        log.info("database at revision %s (%r)", revision, db)
    if settings.bootstrap and ensure_bootstrapped(db):
        log.info("imported the bundled Flevoland scenario into the empty register")
    worker: Worker | None = app.state.worker
    if worker is not None:
        worker.start()


def create_app(settings: Settings | None = None) -> FastAPI:
    """Build the app (nothing touches the database until the app starts)."""
    settings = settings or Settings.from_env()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        await run_in_threadpool(_startup, app, settings)
        try:
            yield
        finally:
            worker: Worker | None = app.state.worker
            if worker is not None:
                await run_in_threadpool(worker.stop)
            app.state.db.dispose()

    app = FastAPI(
        title="netruimte",
        version=__version__,
        description=DESCRIPTION,
        openapi_url="/openapi.json",
        docs_url=None,  # the interactive docs load scripts from a CDN; the service is offline
        redoc_url=None,
        lifespan=lifespan,
    )
    db = Database(settings.db_url)
    app.state.settings = settings
    app.state.db = db
    app.state.worker = (
        Worker(db, poll_s=settings.poll_s, stale_after_s=settings.stale_after_s)
        if settings.worker
        else None
    )
    install_error_handlers(app)
    app.add_middleware(BodyLimit, upload_bytes=settings.max_upload_bytes)
    app.add_middleware(LanguageCookie)
    app.include_router(api_router)
    _include_pages(app)
    _tidy_openapi(app)
    return app


def _tidy_openapi(app: FastAPI) -> None:
    """Document file answers (CSV, HTML, TOML, zip) with their own media types only."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            spec = build()
            for operations in spec.get("paths", {}).values():
                for operation in operations.values():
                    ok = operation.get("responses", {}).get("200", {}).get("content", {})
                    if len(ok) > 1 and ok.get("application/json") == {"schema": {}}:
                        del ok["application/json"]
            app.openapi_schema = spec
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]


def _include_pages(app: FastAPI) -> None:
    """Mount the server-rendered pages when ``netruimte.web.pages`` provides ``install(app)``."""
    try:
        pages = importlib.import_module("netruimte.web.pages")
    except ModuleNotFoundError as exc:
        if exc.name != "netruimte.web.pages":
            raise
        return
    pages.install(app)
