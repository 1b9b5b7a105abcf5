"""The request's language, and translation in templates.

**Choosing.** ``?lang=nl`` or ``?lang=en`` on any page shows it in that language and sets the
cookie :data:`COOKIE` (a year, ``SameSite=Lax``, not HttpOnly-relevant: it holds no secret);
after that the cookie wins; without either, the service's default
(:attr:`~netruimte.web.settings.Settings.language`, ``NETRUIMTE_LANGUAGE``, Dutch unless set).
An unknown ``?lang`` is a 422 naming the field ``lang``.

**Templates.** Every template gets the globals

- ``_("Withdraw")``, ``_("{n} MW ahead", n=x)``: the text in the request's language;
- ``fmt_number(x, digits=1)``: nl ``1.234,5``, en ``1,234.5``;
- ``fmt_date(d, style="long")``: nl ``7 december 2026`` (short ``07-12-2026``), en ``7 Dec 2026``;
- ``lang``: ``"nl"`` or ``"en"``;
- ``translated(msg)``: a message that may have no translation (a service's error message),
  or None (then show it marked ``lang="en"``; it is not collected as missing);

and the filters ``num``, ``day`` and ``when`` format per locale too.

**Python.** ``gettext(lang, msgid, **kw)`` (from :mod:`netruimte.i18n`, re-exported here) and
``request_language(request)``. Message catalogues: ``netruimte/web/locale/*.nl.toml``.
"""

from __future__ import annotations

from typing import Any

import jinja2
from starlette.datastructures import MutableHeaders
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from netruimte.errors import InputError
from netruimte.i18n import (
    LANGUAGES,
    Language,
    catalogue,
    check_language,
    collect_missing,
    fmt_date,
    fmt_datetime,
    fmt_number,
    gettext,
    missing,
)
from netruimte.web.errors import error_body

__all__ = [
    "COOKIE",
    "COOKIE_MAX_AGE_S",
    "LANGUAGES",
    "LanguageCookie",
    "collect_missing",
    "fmt_date",
    "fmt_number",
    "gettext",
    "install_template_globals",
    "missing",
    "request_language",
]

COOKIE = "netruimte_lang"
COOKIE_MAX_AGE_S = 365 * 24 * 3600


def _query_language(request: Request) -> Language | None:
    raw = request.query_params.get("lang")
    return None if raw is None else check_language(raw)


def request_language(request: Request) -> Language:
    """The language of a request: ``?lang``, else the cookie, else the service's default.

    A cookie with an unknown value is ignored (it may come from an older version); an
    unknown ``?lang`` is refused by :class:`LanguageCookie` before any page runs.
    """
    cached = getattr(request.state, "lang", None)
    for language in LANGUAGES:  # narrows the cached value to a Language
        if cached == language:
            return language
    chosen: Language | None
    try:
        chosen = _query_language(request)
    except InputError:
        chosen = None
    if chosen is None:
        cookie = request.cookies.get(COOKIE)
        if cookie in LANGUAGES:
            chosen = check_language(cookie)
    if chosen is None:
        settings = getattr(request.app.state, "settings", None)
        chosen = check_language(getattr(settings, "language", "nl"))
    request.state.lang = chosen
    return chosen


class LanguageCookie:
    """ASGI middleware: ``?lang=nl|en`` sets the language cookie on the answer.

    An unknown value answers 422 (the API's error body) naming the field ``lang``.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        try:
            chosen = _query_language(request)
        except InputError as exc:
            body = error_body(422, str(exc), exc.field)
            await JSONResponse(body, status_code=422)(scope, receive, send)
            return
        if chosen is None:
            await self.app(scope, receive, send)
            return
        secure = scope.get("scheme") == "https"

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                cookie = f"{COOKIE}={chosen}; Path=/; Max-Age={COOKIE_MAX_AGE_S}; SameSite=Lax" + (
                    "; Secure" if secure else ""
                )
                headers.append("set-cookie", cookie)
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _lang(context: Any) -> str:
    value = context.get("lang", "en")
    return value if value in LANGUAGES else "en"


@jinja2.pass_context
def _translate(context: Any, msgid: str, **kw: Any) -> str:
    return gettext(_lang(context), msgid, **kw)


@jinja2.pass_context
def _fmt_number(context: Any, value: Any, digits: int = 1) -> str:
    return fmt_number(_lang(context), value, digits)


@jinja2.pass_context
def _fmt_date(context: Any, value: Any, style: str = "long") -> str:
    return fmt_date(_lang(context), value, style)


@jinja2.pass_context
def _fmt_when(context: Any, value: Any) -> str:
    try:
        return fmt_datetime(_lang(context), value)
    except ValueError:
        return str(value)


@jinja2.pass_context
def _translated(context: Any, msgid: str) -> str | None:
    """The translation of a message that may have none (a service's error message): the
    text in the page's language, or None to show the English original marked ``lang="en"``."""
    lang = _lang(context)
    if lang == "en":
        return msgid
    return catalogue().get(msgid)


def install_template_globals(env: jinja2.Environment) -> None:
    """Give ``env`` the globals ``_``, ``fmt_number``, ``fmt_date`` and the filters
    ``num``, ``day``, ``when`` (all in the language of the template's ``lang`` variable)."""
    env.globals["_"] = _translate
    env.globals["fmt_number"] = _fmt_number
    env.globals["fmt_date"] = _fmt_date
    env.globals["translated"] = _translated
    env.filters["num"] = _fmt_number
    env.filters["day"] = _fmt_date
    env.filters["when"] = _fmt_when
