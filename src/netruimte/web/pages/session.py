"""Sign in with an API token (a server-side session, its id in an HttpOnly, SameSite=Strict
cookie) and sign out (the session ends). Wrong tokens are rate limited per client (429)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from netruimte.access.auth import Principal, end_session, start_session
from netruimte.errors import TooMany, Unauthorized
from netruimte.web.pages.render import (
    COOKIE,
    PageRoute,
    Viewer,
    check_form,
    check_same_site,
    local_next,
    render,
    viewer,
    wants_json,
)

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

MAX_TOKEN = 200


def _home_of(principal: Principal) -> str:
    return "/operator" if principal.is_operator else "/requests"


def _login_page(
    request: Request, next_url: str, message: str | None, status: int, who: Principal | None
) -> Response:
    data = {
        "signed_in_as": None if who is None else {"name": who.name, "role": who.role.value},
        "next": next_url,
        "message": message,
        "how": (
            "Paste the token printed by `netruimte users add NAME --role operator|applicant` "
            "(or `netruimte users token NAME`). The browser then keeps a sign-in that ends "
            "when you sign out, after 8 hours without use, or after 7 days."
        ),
    }
    return render(request, "login.html", data, title="Sign in", status=status)


@router.get("/login", name="login_page")
def login_form(
    request: Request,
    who: Viewer,
    next_url: Annotated[str | None, Query(alias="next", max_length=2000)] = None,
    expired: Annotated[str | None, Query(max_length=5)] = None,
) -> Response:
    """The sign-in form."""
    message = "Your sign-in is no longer valid: please sign in again." if expired else None
    return _login_page(request, local_next(next_url, ""), message, 200, who)


@router.post("/login", name="login")
async def login(request: Request) -> Response:
    """Check the token; on success set the cookie and go on to ``next`` (or the role's page)."""
    check_same_site(request)
    throttle = request.app.state.sign_in_throttle
    client = request.client.host if request.client is not None else "unknown"
    wait = throttle.retry_after(client)
    if wait is not None:
        raise TooMany(f"too many wrong sign-ins; try again in {wait} s", retry_after=wait)
    await run_in_threadpool(viewer, request)  # who is signed in now, for the page's header
    form = await request.form(max_files=0, max_fields=10)
    token = str(form.get("token") or "").strip()
    next_url = local_next(str(form.get("next") or ""), "")
    principal: Principal | None = None
    session_id = ""
    if token and len(token) <= MAX_TOKEN:
        try:
            principal, session_id = await run_in_threadpool(
                start_session, request.app.state.db, token
            )
        except Unauthorized:
            principal = None
    if principal is None:
        throttle.failed(client)
        if wants_json(request):
            raise Unauthorized("invalid token")
        return _login_page(
            request, next_url, "That token is not valid. Check it and try again.", 401, None
        )
    target = next_url or _home_of(principal)
    response: Response
    if wants_json(request):
        response = JSONResponse(
            {"name": principal.name, "role": principal.role.value, "next": target}
        )
    else:
        response = RedirectResponse(target, status_code=303)
    response.set_cookie(
        COOKIE,
        session_id,
        httponly=True,
        samesite="strict",
        secure=_secure(request),
        path="/",
    )
    return response


def _secure(request: Request) -> bool:
    """The Secure flag: as configured (``NETRUIMTE_SECURE_COOKIES``), else over https (behind
    a reverse proxy: with ``--forwarded-allow-ips`` uvicorn takes the scheme from the proxy's
    ``X-Forwarded-Proto``)."""
    configured: bool | None = request.app.state.settings.secure_cookies
    return configured if configured is not None else request.url.scheme == "https"


@router.post("/logout", name="logout")
async def logout(request: Request) -> Response:
    """End the session (its id stops working at once) and forget the cookie; the API token
    itself is not touched."""
    check_form(request, await request.form(max_files=0, max_fields=10))
    await run_in_threadpool(end_session, request.app.state.db, request.cookies.get(COOKIE))
    response: Response = (
        JSONResponse({"signed_out": True})
        if wants_json(request)
        else RedirectResponse("/", status_code=303)
    )
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=_secure(request)
    )
    return response
