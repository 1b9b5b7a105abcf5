"""Sign in with an API token (kept in an HttpOnly, SameSite=Strict cookie) and sign out."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from netruimte.services.auth import Principal, authenticate
from netruimte.services.errors import Unauthorized
from netruimte.web.pages.render import (
    COOKIE,
    PageRoute,
    Viewer,
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
    return "/queue" if principal.is_operator else "/requests"


def _login_page(
    request: Request, next_url: str, message: str | None, status: int, who: Principal | None
) -> Response:
    data = {
        "signed_in_as": None if who is None else {"name": who.name, "role": who.role.value},
        "next": next_url,
        "message": message,
        "how": (
            "Paste the token printed by `netruimte users add NAME --role operator|applicant` "
            "(or `netruimte users token NAME`). It is kept in an HttpOnly cookie until you "
            "sign out or close the browser."
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
    await run_in_threadpool(viewer, request)  # who is signed in now, for the page's header
    form = await request.form(max_files=0, max_fields=10)
    token = str(form.get("token") or "").strip()
    next_url = local_next(str(form.get("next") or ""), "")
    principal: Principal | None = None
    if token and len(token) <= MAX_TOKEN:
        try:
            principal = await run_in_threadpool(authenticate, request.app.state.db, token)
        except Unauthorized:
            principal = None
    if principal is None:
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
        token,
        httponly=True,
        samesite="strict",
        secure=request.url.scheme == "https",
        path="/",
    )
    return response


@router.post("/logout", name="logout")
def logout(request: Request) -> Response:
    """Forget the cookie (the token itself stays valid; `netruimte users token` replaces it)."""
    check_same_site(request)
    response: Response = (
        JSONResponse({"signed_out": True})
        if wants_json(request)
        else RedirectResponse("/", status_code=303)
    )
    response.delete_cookie(
        COOKIE, path="/", httponly=True, samesite="strict", secure=request.url.scheme == "https"
    )
    return response
