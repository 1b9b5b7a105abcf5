"""Every error answer is JSON: ``{"error", "message", "field", "source", "line"}``.

Bad input is 422 naming the field (a body field as ``kw``, a query parameter as ``on``), an
unknown or foreign object 404, a role that may not act 403, a missing or wrong token 401, a
state that forbids the action 409. Unexpected failures are 500 with a generic message (the
details go to the server log, not to the caller).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from starlette.exceptions import HTTPException

from netruimte.errors import InputError, NoSolutionError, ServiceError, Unauthorized

__all__ = [
    "BUSY_RETRY_AFTER_S",
    "ERROR_RESPONSES",
    "error_body",
    "install_error_handlers",
    "is_busy",
]

log = logging.getLogger("netruimte.web")

_KINDS = {
    400: "bad-request",
    401: "unauthorized",
    403: "forbidden",
    404: "not-found",
    405: "method-not-allowed",
    409: "conflict",
    413: "too-large",
    422: "input",
    429: "too-many",
    500: "internal",
    503: "busy",
}


def error_body(
    status: int,
    message: str,
    field: str | None = None,
    source: str | None = None,
    line: int | None = None,
) -> dict[str, Any]:
    """The JSON body of an error answer."""
    return {
        "error": _KINDS.get(status, "error"),
        "message": message,
        "field": field,
        "source": source,
        "line": line,
    }


def _json(
    status: int, body: dict[str, Any], headers: Mapping[str, str] | None = None
) -> JSONResponse:
    return JSONResponse(status_code=status, content=body, headers=headers)


def _field(loc: tuple[Any, ...]) -> str:
    parts = [str(p) for p in loc if p not in ("body", "query", "path", "header")]
    return ".".join(parts) or ".".join(str(p) for p in loc)


def install_error_handlers(app: FastAPI) -> None:
    """Register the handlers that turn exceptions into the JSON error body."""

    @app.exception_handler(ServiceError)
    async def _service(_: Request, exc: ServiceError) -> JSONResponse:
        headers = {"WWW-Authenticate": "Bearer"} if isinstance(exc, Unauthorized) else {}
        if exc.retry_after is not None:
            headers["Retry-After"] = str(exc.retry_after)
        return _json(exc.status, error_body(exc.status, exc.message), headers)

    @app.exception_handler(OperationalError)
    async def _database(request: Request, exc: OperationalError) -> JSONResponse:
        if not is_busy(exc):
            return await _internal(request, exc)
        log.warning("database busy on %s %s: %s", request.method, request.url.path, exc.orig)
        return _busy()

    @app.exception_handler(PoolTimeout)
    async def _pool(request: Request, exc: PoolTimeout) -> JSONResponse:
        log.warning("no database connection free on %s %s", request.method, request.url.path)
        return _busy()

    @app.exception_handler(InputError)
    async def _input(_: Request, exc: InputError) -> JSONResponse:
        return _json(422, error_body(422, str(exc), exc.field, exc.source, exc.line))

    @app.exception_handler(NoSolutionError)
    async def _no_solution(_: Request, exc: NoSolutionError) -> JSONResponse:
        return _json(409, error_body(409, f"no solution: {exc}"))

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        errors = exc.errors()
        parts = []
        for err in errors[:5]:
            parts.append(f"{_field(tuple(err.get('loc', ())))}: {err.get('msg', 'invalid')}")
        field = _field(tuple(errors[0].get("loc", ()))) if errors else None
        message = "; ".join(parts) or "invalid request"
        return _json(422, error_body(422, message, field))

    @app.exception_handler(HTTPException)
    async def _http(request: Request, exc: HTTPException) -> JSONResponse:
        headers = dict(exc.headers or {})
        allowed = _allowed(app, request) if exc.status_code == 405 else None
        if allowed is not None:  # every method of the path, not only the first route's
            headers["Allow"] = ", ".join(allowed)
        return _json(exc.status_code, error_body(exc.status_code, str(exc.detail)), headers)

    @app.exception_handler(Exception)
    async def _internal(request: Request, exc: Exception) -> JSONResponse:
        log.exception("internal error on %s %s", request.method, request.url.path)
        return _json(500, error_body(500, "internal server error (see the server log)"))


def _allowed(app: FastAPI, request: Request) -> list[str] | None:
    """The methods the OpenAPI document gives the request's path (several routes may share
    one path, and the router names only the first one's); None for a path not in it."""
    path = request.url.path
    for template, operations in app.openapi().get("paths", {}).items():
        pattern = re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template))
        if re.fullmatch(pattern, path):
            return sorted(m.upper() for m in operations)
    return None


def is_busy(exc: BaseException) -> bool:
    """Whether a database error means "locked or busy, try again" rather than a fault."""
    if isinstance(exc, PoolTimeout):
        return True
    if not isinstance(exc, OperationalError):
        return False
    text = str(exc.orig).lower()
    return any(
        word in text for word in ("database is locked", "database is busy", "lock timeout")
    ) or getattr(exc.orig, "sqlstate", None) in ("55P03", "40001", "40P01")


def _busy() -> JSONResponse:
    return _json(
        503,
        error_body(503, "the service is busy; try again in a few seconds"),
        {"Retry-After": str(BUSY_RETRY_AFTER_S)},
    )


BUSY_RETRY_AFTER_S = 2
"""Seconds a client is asked to wait (``Retry-After``) when the database is busy."""

ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: {"description": "Malformed request (e.g. broken multipart data)"},
    401: {"description": "No valid bearer token"},
    403: {"description": "The caller's role may not do this"},
    404: {"description": "No such object, or another applicant's"},
    409: {"description": "The action does not fit the current state"},
    422: {"description": "Bad input; `field` names it"},
    503: {"description": "The database is busy; try again after `Retry-After` seconds"},
}
"""Error answers documented on every authenticated route (body: ``ErrorOut``)."""
