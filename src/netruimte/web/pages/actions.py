"""What every page that changes something shares: read the form, check it, answer.

A form is read with its size limits, then checked (:func:`~netruimte.web.pages.render.
check_form`: same site and the session's form token). After the change a person is sent on
(303) to the page that shows the result; the JSON twin (``?format=json`` or an ``Accept``
preferring JSON) answers the service's view of what changed, as the API would.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import FormData, UploadFile

from netruimte.access.auth import Principal
from netruimte.errors import InputError
from netruimte.storage import Database
from netruimte.web.pages.forms import text_field
from netruimte.web.pages.render import check_form, signed_in, wants_json

__all__ = [
    "answer",
    "call",
    "call_with_reason",
    "database",
    "form_of",
    "read_form",
    "text",
    "texts",
    "upload",
]

T = TypeVar("T")


async def read_form(
    request: Request, *, max_files: int = 0, max_fields: int = 60
) -> tuple[Principal, FormData]:
    """The signed-in viewer and the checked form (Forbidden: forged; Unauthorized: signed out)."""
    form = await request.form(max_files=max_files, max_fields=max_fields)
    check_form(request, form)
    who = await run_in_threadpool(signed_in, request)
    return who, form


def form_of(form: FormData) -> dict[str, Any]:
    """The form as plain values (several values of one name as a list; no files, no token)."""
    out: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        if values:
            out[key] = values if len(values) > 1 else values[0]
    return out


def text(form: FormData, name: str) -> str | None:
    """One text field (None when absent; a file in its place is refused)."""
    value = form.get(name)
    if value is None:
        return None
    if not isinstance(value, str):
        raise InputError("expected text, got a file", field=name)
    return value


def texts(form: FormData, name: str) -> list[str]:
    """Every text value of a field that may repeat (checkboxes)."""
    return [v for v in form.getlist(name) if isinstance(v, str) and v.strip()]


async def upload(form: FormData, name: str, max_bytes: int) -> tuple[str, bytes] | None:
    """The file sent as ``name`` (None when none was chosen), at most ``max_bytes``."""
    value = form.get(name)
    if not isinstance(value, UploadFile) or not value.filename:
        return None
    content = await value.read(max_bytes + 1)
    if len(content) > max_bytes:
        raise InputError(f"the file is larger than {max_bytes} bytes", field=name)
    return value.filename, content


async def call(fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run a (blocking) service call off the event loop."""
    return await run_in_threadpool(fn, *args, **kwargs)


def answer(request: Request, view: Any, then: str, status: int = 200) -> Response:
    """The JSON twin's answer, or a person's way on to ``then`` (303)."""
    if wants_json(request):
        return JSONResponse(view, status_code=status)
    return RedirectResponse(then, status_code=303)


def database(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


REASON_MAX_CHARS = 2000
"""Longest reason given with a withdrawal or a declined offer (characters)."""


async def call_with_reason(
    request: Request, change: Callable[[Database, Principal, str, str | None], T], target: str
) -> T:
    """Read the form's optional ``reason`` and make the change with it:
    ``change(db, viewer, target, reason)`` (a withdrawal, a declined or withdrawn offer)."""
    who, form = await read_form(request)
    reason = text_field(text(form, "reason"), "reason", max_length=REASON_MAX_CHARS)
    return await call(change, database(request), who, target, reason)
