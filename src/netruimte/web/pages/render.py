"""What every page shares: templates, the JSON twin, sign-in by cookie, error pages.

**JSON twin.** Every page is built from one JSON-able dict: the template renders it, and the
same URL answers it as JSON with ``?format=json`` or with an ``Accept`` header that prefers
``application/json`` over ``text/html``. Errors follow suit: an HTML error page for a person,
the API's error body (``{"error", "message", "field", "source", "line"}``) for the JSON twin.

**Sign-in.** ``POST /login`` checks an API token and starts a server-side session whose id
goes in the cookie :data:`COOKIE` (``HttpOnly``, ``SameSite=Strict``, ``Path=/``, ``Secure``
over https); sign-out ends the session (:mod:`netruimte.access.auth`). Pages
also accept ``Authorization: Bearer <token>``, so the JSON twins work from scripts. A page that
needs a sign-in sends a person to ``/login?next=…`` and answers 401 to the JSON twin. Forms
that change something are refused when the browser says they come from another site (the
``Origin`` header or ``Sec-Fetch-Site``), on top of the cookie's ``SameSite=Strict``, and when
they lack the session's form token (:func:`csrf_token`, a hidden field ``csrf_token`` in every
form; checked by :func:`check_form`). A script that sends its bearer token needs no form token:
a forged cross-site post cannot carry an ``Authorization`` header.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
from collections.abc import Callable, Coroutine, Mapping
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import quote, urlencode, urlsplit

import jinja2
from fastapi import Depends, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.routing import APIRoute
from markupsafe import Markup
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from netruimte import __version__
from netruimte.access.auth import Principal, authenticate, authenticate_session
from netruimte.errors import Forbidden, InputError, NoSolutionError, ServiceError, Unauthorized
from netruimte.explain_i18n import translate_explanation
from netruimte.web.errors import BUSY_RETRY_AFTER_S, error_body, is_busy
from netruimte.web.i18n import LANGUAGES, gettext, install_template_globals, request_language
from netruimte.web.pages.assets import plotly_url
from netruimte.web.pages.figures import CATEGORY_LABELS

__all__ = [
    "COOKIE",
    "CSP",
    "CSRF_FIELD",
    "PageRoute",
    "Viewer",
    "check_form",
    "check_same_site",
    "csrf_token",
    "local_next",
    "render",
    "signed_in",
    "templates",
    "viewer",
    "wants_json",
]

log = logging.getLogger("netruimte.web")

COOKIE = "netruimte_session"
"""The sign-in cookie: a server-side session id (never the API token); HttpOnly,
SameSite=Strict, Secure over https."""

CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data: blob:; frame-src 'self'; form-action 'self'; "
    "frame-ancestors 'self'; base-uri 'none'; object-src 'none'"
)
"""Pages load scripts only from this server (Plotly and ``charts.js``); no inline scripts.
Styles may be inline because Plotly sets them on the elements it draws."""

TEMPLATES_DIR = Path(__file__).resolve().parent.parent / "templates"


@jinja2.pass_context
def _category(context: Any, value: Any) -> str:
    """A priority category as a person reads it (the framework's number and name)."""
    if value is None:
        return "–"
    label = CATEGORY_LABELS.get(str(value))
    return str(value) if label is None else gettext(context.get("lang", "en"), label)


def _figure(figure: Mapping[str, Any], element_id: str, label: str) -> Markup:
    """A chart placeholder and its figure as JSON; ``charts.js`` draws it with Plotly."""
    data = jinja2.utils.htmlsafe_json_dumps(dict(figure))  # escapes <, >, & and quotes
    return Markup(
        f'<div class="chart" id="{element_id}" data-figure="{element_id}-data" role="img" '
        f'aria-label="{Markup.escape(label)}"></div>'
        f'<script type="application/json" id="{element_id}-data">{data}</script>'
    )


templates = jinja2.Environment(
    loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
    autoescape=True,
    undefined=jinja2.StrictUndefined,
    trim_blocks=True,
    lstrip_blocks=True,
)
install_template_globals(templates)
templates.globals["explain"] = jinja2.pass_context(
    lambda context, text: translate_explanation(context.get("lang", "en"), text)
)
templates.filters["category"] = _category
templates.globals["figure"] = _figure
templates.globals["version"] = __version__


def wants_json(request: Request) -> bool:
    """Whether to answer the JSON twin: ``?format=json``, or an Accept preferring JSON.

    Raises
    ------
    InputError
        ``format`` is neither ``html`` nor ``json``.
    """
    fmt = request.query_params.get("format")
    if fmt is not None:
        if fmt not in ("html", "json"):
            raise InputError(f"unknown format {fmt!r}; expected html | json", field="format")
        return fmt == "json"
    best: dict[str, float] = {}
    for part in request.headers.get("accept", "").split(","):
        media, _, params = part.strip().partition(";")
        quality = 1.0
        for param in params.split(";"):
            key, _, value = param.strip().partition("=")
            if key == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        media = media.strip().lower()
        if media in ("application/json", "text/html"):
            best[media] = max(best.get(media, 0.0), quality)
    return best.get("application/json", 0.0) > best.get("text/html", 0.0)


def _bearer(request: Request) -> str | None:
    header = request.headers.get("authorization", "")
    scheme, _, credentials = header.partition(" ")
    if scheme.lower() == "bearer" and credentials.strip():
        return credentials.strip()
    return None


def _token(request: Request) -> str | None:
    """The bearer token, else the session id of the cookie (whichever the request holds)."""
    return _bearer(request) or request.cookies.get(COOKIE) or None


def viewer(request: Request) -> Principal | None:
    """Who is looking: from a bearer header or the sign-in cookie; None when signed out.

    A token that no longer works (rotated, or the database was replaced) counts as signed out.
    """
    if getattr(request.state, "viewer_checked", False):
        cached: Principal | None = request.state.viewer
        return cached
    token = _bearer(request)
    cookie = request.cookies.get(COOKIE)
    principal: Principal | None = None
    try:
        if token is not None:
            principal = authenticate(request.app.state.db, token)
        elif cookie:
            principal = authenticate_session(request.app.state.db, cookie)
    except Unauthorized:
        principal = None
    request.state.viewer = principal
    request.state.viewer_checked = True
    return principal


Viewer = Annotated[Principal | None, Depends(viewer)]


def signed_in(request: Request) -> Principal:
    """The signed-in viewer (Unauthorized otherwise: a redirect to /login for a person)."""
    principal = viewer(request)
    if principal is None:
        stale = _token(request) is not None
        raise Unauthorized(
            "your sign-in is no longer valid; sign in again" if stale else "please sign in"
        )
    return principal


def local_next(value: str | None, default: str = "/") -> str:
    """A redirect target that stays on this site (a path, never another host)."""
    if not value or not value.startswith("/") or value.startswith("//") or "\\" in value:
        return default
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return default
    return value


def check_same_site(request: Request) -> None:
    """Refuse a form posted from another site (Forbidden)."""
    if request.headers.get("sec-fetch-site", "same-origin") not in ("same-origin", "none"):
        raise Forbidden("this form may only be sent from this site")
    origin = request.headers.get("origin")
    # "null" is an opaque origin (a sandboxed frame, such as a report): not this site either
    if origin and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise Forbidden("this form may only be sent from this site")


CSRF_FIELD = "csrf_token"
"""The hidden form field that carries the session's form token."""


def csrf_token(request: Request) -> str:
    """The form token of this browser's sign-in: an HMAC-SHA256 keyed by the session id.

    Only a page of this site, read with the session cookie, can know it (the id is a 256-bit
    secret in an HttpOnly cookie); it changes with every sign-in. Empty when signed out.
    """
    session_id = request.cookies.get(COOKIE)
    if not session_id:
        return ""
    return hmac.new(session_id.encode(), b"netruimte form token", hashlib.sha256).hexdigest()


def check_form(request: Request, form: Mapping[str, Any]) -> None:
    """Refuse a form from another site or without this session's form token (Forbidden).

    A request with a bearer token needs no form token (no ambient credential to forge); a
    request without a session has nothing to protect (the page then asks for a sign-in).
    """
    check_same_site(request)
    if _bearer(request) is not None:
        return
    expected = csrf_token(request)
    if not expected:
        return
    sent = form.get(CSRF_FIELD)
    if not isinstance(sent, str) or not hmac.compare_digest(sent.encode(), expected.encode()):
        raise Forbidden(
            "this form's security token is missing or out of date; reload the page and "
            "send it again"
        )


def _nav(request: Request) -> dict[str, Any]:
    principal = viewer(request)
    return {
        "path": request.url.path,
        "user": None
        if principal is None
        else {"name": principal.name, "role": principal.role.value},
    }


def _language_links(request: Request) -> dict[str, str]:
    """This page in each language: its path and query with ``lang`` set."""
    kept = [(k, v) for k, v in request.query_params.multi_items() if k != "lang"]
    return {code: request.url.path + "?" + urlencode([*kept, ("lang", code)]) for code in LANGUAGES}


def render(
    request: Request,
    template: str,
    data: Mapping[str, Any],
    *,
    title: str,
    title_kw: Mapping[str, Any] | None = None,
    status: int = 200,
    headers: Mapping[str, str] | None = None,
    extra: Mapping[str, Any] | None = None,
    as_json: bool | None = None,
) -> Response:
    """The page: ``data`` as JSON for the twin, else the template rendered with it.

    ``title`` is an English message id (translated, its placeholders filled from
    ``title_kw``). ``extra`` is for the template only (presentation such as chart figures built from
    ``data``); the JSON twin is ``data`` alone. ``as_json`` overrides the negotiation.
    """
    if wants_json(request) if as_json is None else as_json:
        return JSONResponse(dict(data), status_code=status, headers={"Vary": "Accept"})
    lang = request_language(request)
    html = templates.get_template(template).render(
        data=data,
        title=gettext(lang, title, **(title_kw or {})),
        nav=_nav(request),
        request_path=request.url.path,
        plotly_url=plotly_url(),
        csrf=csrf_token(request),
        lang=lang,
        language_links=_language_links(request),
        **(extra or {}),
    )
    return HTMLResponse(
        html,
        status_code=status,
        headers={
            "Content-Security-Policy": CSP,
            "Vary": "Accept, Cookie",
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
            "Referrer-Policy": "same-origin",
            **(headers or {}),
        },
    )


_TITLES = {
    400: "Bad request",
    401: "Please sign in",
    403: "Not allowed",
    404: "Not found",
    409: "Not possible now",
    422: "Please check your input",
    429: "Too many attempts",
    500: "Something went wrong",
    503: "Busy",
}


def _error_page(
    request: Request, status: int, message: str, retry_after: int | None = None, **where: Any
) -> Response:
    body = error_body(status, message, where.get("field"), where.get("source"), where.get("line"))
    headers = {"WWW-Authenticate": "Bearer"} if status == 401 else {}
    if retry_after is not None:
        headers["Retry-After"] = str(retry_after)
    try:
        as_json = wants_json(request)
    except InputError:
        as_json = False
    if as_json:
        return JSONResponse(body, status_code=status, headers=headers)
    if status == 401:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        note = "" if message == "please sign in" else "&expired=1"
        return RedirectResponse(f"/login?next={quote(target, safe='')}{note}", status_code=303)
    return render(
        request,
        "error.html",
        {"status": status, **body},
        title=_TITLES.get(status, "Error"),
        status=status,
        headers=headers,
        as_json=False,
    )


Handler = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(APIRoute):
    """A route of a page: its errors become pages (or the API's JSON error for the twin)."""

    def get_route_handler(self) -> Handler:
        original = super().get_route_handler()

        async def handler(request: Request) -> Response:
            try:
                return await original(request)
            except ServiceError as exc:
                return _error_page(request, exc.status, exc.message, exc.retry_after)
            except InputError as exc:
                return _error_page(
                    request, 422, str(exc), field=exc.field, source=exc.source, line=exc.line
                )
            except NoSolutionError as exc:
                return _error_page(request, 409, f"no solution: {exc}")
            except RequestValidationError as exc:
                errors = exc.errors()
                first = errors[0] if errors else {}
                loc = [str(p) for p in first.get("loc", ()) if p not in ("query", "path", "body")]
                field = ".".join(loc) or None
                return _error_page(
                    request, 422, f"{field}: {first.get('msg', 'invalid')}", field=field
                )
            except (OperationalError, PoolTimeout) as exc:
                if not is_busy(exc):
                    log.exception("internal error on %s %s", request.method, request.url.path)
                    return _error_page(request, 500, "internal server error (see the server log)")
                return _error_page(
                    request,
                    503,
                    "the service is busy; try again in a few seconds",
                    BUSY_RETRY_AFTER_S,
                )
            except Exception:  # a person gets a page too; the details go to the server log
                log.exception("internal error on %s %s", request.method, request.url.path)
                return _error_page(request, 500, "internal server error (see the server log)")

        return handler
