"""An operator's tools: forecasts and what-ifs, the scenario, the audit trail, users.

=========================================  ===================  =============================
page / form                                data-action          service
=========================================  ===================  =============================
``GET /operator/forecasts?reinforcement=``  edit-reinforcement  ``whatif.what_if``
``GET /operator/forecasts?left=&right=``   compare-forecasts    ``whatif.compare_runs``
``GET /operator/scenario``                 (import form, export links)
``POST /operator/scenario``                import-scenario      ``scenario_io.import_bundle``
``GET /operator/scenario/export?format=``  (a file)             ``scenario_io.export_scenario``
``GET /operator/audit?verify=1``           verify-audit         ``audit.list_entries``/``verify``
``GET /operator/users``                    (the users)          ``auth.list_users``
``POST /operator/users``                   add-user             ``auth.add_user`` (token once)
``POST /operator/users/{name}/revoke``     revoke-user          ``auth.revoke_user``
``POST /operator/users/{name}/rotate``     rotate-token         ``auth.rotate_token``
=========================================  ===================  =============================

A what-if writes nothing; a new token is shown once on the answer page and never stored.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response

from netruimte.access import audit, auth
from netruimte.errors import InputError
from netruimte.register import network, runs, scenario_io, whatif
from netruimte.web.deps import Db
from netruimte.web.pages.actions import call, database, read_form, text
from netruimte.web.pages.forms import Param, parse_day, parse_float, parse_int, text_field
from netruimte.web.pages.operator import operator_of
from netruimte.web.pages.render import PageRoute, render, wants_json

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/operator/forecasts", name="forecasts_page")
def forecasts(
    request: Request,
    db: Db,
    reinforcement: Param = None,
    date: Param = None,
    offtake_mw: Param = None,
    feedin_mw: Param = None,
    left: Param = None,
    right: Param = None,
) -> Response:
    """A reinforcement changed as a what-if, or two stored forecasts, side by side."""
    who = operator_of(request, "compare forecasts")
    comparison: whatif.WhatIf | whatif.RunComparison | None = None
    if reinforcement:
        comparison = whatif.what_if(
            db,
            who,
            reinforcement,
            date=parse_day(date, "date"),
            offtake_mw=parse_float(offtake_mw, "offtake_mw"),
            feedin_mw=parse_float(feedin_mw, "feedin_mw"),
        )
    elif left or right:
        comparison = whatif.compare_runs(
            db,
            who,
            parse_int(left, "left", 0, 1, 2**31 - 1),
            parse_int(right, "right", 0, 1, 2**31 - 1),
        )
    forecast_runs = [r for r in runs.list_runs(db, who, limit=100) if r["kind"] != runs.ALLOCATE]
    data = {
        "reinforcements": network.list_reinforcements(db),
        "runs": forecast_runs,
        "form": {
            "reinforcement": reinforcement or "",
            "date": date or "",
            "offtake_mw": offtake_mw or "",
            "feedin_mw": feedin_mw or "",
            "left": left or "",
            "right": right or "",
        },
        "comparison": comparison.to_json_dict() if comparison is not None else None,
    }
    return render(request, "forecasts.html", data, title="Forecasts and what-ifs")


@router.get("/operator/scenario", name="scenario_page")
def scenario_page(request: Request, db: Db) -> Response:
    """Import a scenario (replaces the register) and export it."""
    operator_of(request, "import or export the scenario")
    data = {"exports": [f"/operator/scenario/export?format={f}" for f in ("toml", "zip", "csv")]}
    return render(request, "scenario.html", {**data, "result": None}, title="Scenario")


@router.post("/operator/scenario", name="import_scenario_form")
async def import_scenario(request: Request) -> Response:
    """Replace the register by the uploaded scenario (a TOML with its CSVs, or a zip)."""
    await call(operator_of, request, "import a scenario")  # before the files are read
    who, form = await read_form(request, max_files=1000)
    limit = request.app.state.settings.max_upload_bytes
    files: list[tuple[str, bytes]] = []
    for value in form.getlist("files"):
        if isinstance(value, str) or not value.filename:
            continue
        content = await value.read(limit + 1)
        if len(content) > limit:
            raise InputError(f"{value.filename} is larger than {limit} bytes", field="files")
        files.append((value.filename, content))
    if not files:
        raise InputError("choose the scenario file(s) to import", field="files")
    main = text_field(text(form, "main"), "main")
    force = text(form, "force") is not None
    result = await call(
        scenario_io.import_bundle, database(request), who, files, main=main, force=force
    )
    data = {
        "exports": [f"/operator/scenario/export?format={f}" for f in ("toml", "zip", "csv")],
        "result": result.to_json_dict(),
    }
    return render(request, "scenario.html", data, title="Scenario", status=201)


@router.get("/operator/scenario/export", name="export_scenario_file")
def export_scenario(request: Request, db: Db, format: Param = "toml") -> Response:
    """The register as a scenario file (toml, zip or csv), as a download."""
    who = operator_of(request, "export the register")
    name, content, media = scenario_io.export_scenario(db, who, format or "toml")
    return Response(
        content,
        media_type=media,
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )


@router.get("/operator/audit", name="audit_page")
def audit_page(
    request: Request, db: Db, after: Param = None, verify: Param = None, limit: Param = None
) -> Response:
    """The audit trail, oldest first from ``after``, and its verification on demand."""
    operator_of(request, "read the audit trail")
    size = parse_int(limit, "limit", 100, 1, 1000)
    items = audit.list_entries(db, after_seq=parse_int(after, "after", 0, 0, 2**31 - 1), limit=size)
    data = {
        "items": items,
        "next_after": items[-1]["seq"] if len(items) == size else None,
        "verification": audit.verify(db).to_json_dict() if verify else None,
    }
    return render(request, "audit.html", data, title="Audit trail")


def _users(db: Any) -> list[dict[str, Any]]:
    return [{"name": u.name, "role": u.role.value} for u in auth.list_users(db)]


@router.get("/operator/users", name="users_page")
def users_page(request: Request, db: Db) -> Response:
    """The users and their roles; add, revoke, give a new token."""
    operator_of(request, "manage users")
    data = {"users": _users(db), "issued": None, "roles": ["applicant", "operator"]}
    return render(request, "users.html", data, title="Users")


async def _user_action(request: Request, name: str | None, what: str) -> Response:
    who, form = await read_form(request)
    operator_of(request, "manage users")
    db = database(request)
    days = parse_int(text(form, "days"), "days", auth.TOKEN_DAYS, 1, 3650)
    issued: dict[str, Any] | None = None
    if what == "add":
        user = text_field(text(form, "name"), "name", max_length=200)
        if user is None:
            raise InputError("give the user's name", field="name")
        role = text(form, "role") or "applicant"
        principal, token = await call(auth.add_user, db, user, role, days)
        issued = {"name": principal.name, "role": principal.role.value, "token": token}
    elif what == "rotate":
        assert name is not None
        token = await call(auth.rotate_token, db, name, days)
        issued = {"name": name, "token": token}
    else:
        assert name is not None
        await call(auth.revoke_user, db, name)
    del who
    data = {"users": await call(_users, db), "issued": issued, "roles": ["applicant", "operator"]}
    if wants_json(request):
        return render(request, "users.html", data, title="Users", as_json=True)
    return render(request, "users.html", data, title="Users", headers={"Cache-Control": "no-store"})


@router.post("/operator/users", name="add_user_form")
async def add_user(request: Request) -> Response:
    """Add a user; the token is shown once on the answer."""
    return await _user_action(request, None, "add")


@router.post("/operator/users/{name}/revoke", name="revoke_user_form")
async def revoke_user(request: Request, name: str) -> Response:
    """Revoke the user's token (and end its sign-ins)."""
    return await _user_action(request, name, "revoke")


@router.post("/operator/users/{name}/rotate", name="rotate_token_form")
async def rotate_token(request: Request, name: str) -> Response:
    """Give the user a new token (the old one and its sign-ins stop working)."""
    return await _user_action(request, name, "rotate")
