"""The site planner: upload a load profile (or a whole site file), see the plan and its report.

The simple form takes a load CSV (``docs/profiles.md``) and, optionally, installed PV and a
battery, writes the site TOML of ``docs/site-file.md`` (objective ``min-connection``) and
queues the same job as ``POST /api/v1/site-plans``; the advanced form takes a site TOML with
the CSV files it names (or a zip). The plan page follows the job and, when it is done, shows
the Plan JSON's figures, the self-contained HTML report (in a sandboxed frame) and lets the
owner attach the plan to one of its waiting requests.
"""

from __future__ import annotations

import json
from pathlib import Path, PurePosixPath
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from netruimte.access.auth import Principal
from netruimte.errors import InputError
from netruimte.jobs import queue as jobs
from netruimte.register import requests as request_service
from netruimte.register.bundles import load_in_tempdir
from netruimte.sites import stored_plans as siteplans
from netruimte.storage import Database
from netruimte.web.deps import Db, IntId
from netruimte.web.i18n import request_language
from netruimte.web.pages.forms import parse_float, text_field
from netruimte.web.pages.render import (
    PageRoute,
    check_form,
    check_same_site,
    render,
    signed_in,
    wants_json,
)

__all__ = ["ALMERE", "ECONOMIC_FIELDS", "router", "site_toml"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ALMERE = (52.37, 5.21)
"""Default PV location (Almere), changeable in the form."""

MAX_FILES = 50

ECONOMIC_FIELDS: dict[str, tuple[str, str, float | None, float]] = {
    # form field = site-file key: (section, label, example default, highest value)
    "contracted_eur_per_kw_year": ("tariff", "Contracted capacity (EUR/kW/year)", 30.0, 1e4),
    "kwmax_eur_per_kw_month": ("tariff", "Monthly peak, kW max (EUR/kW/month)", 2.5, 1e3),
    "energy_eur_per_kwh": ("tariff", "Energy (EUR/kWh)", 0.20, 10.0),
    "feed_in_eur_per_kwh": ("tariff", "Feed-in (EUR/kWh)", 0.0, 10.0),
    "discount_rate": ("economics", "Discount rate (fraction a year)", 0.05, 1.0),
    "lifetime_years": ("economics", "Lifetime of the assets (years)", 15, 100),
    "downtime_eur_per_month": ("economics", "Cost of waiting (EUR/month)", 0.0, 1e9),
    "wait_months": ("economics", "Months until a larger connection", 0.0, 1200),
    "capex_eur_per_kwh": ("battery", "Battery price (EUR/kWh, one-off)", None, 1e5),
    "capex_eur_per_kw": ("battery", "Battery inverter price (EUR/kW, one-off)", None, 1e5),
    "capex_eur_per_kwp": ("pv", "PV price (EUR/kWp, one-off)", None, 1e5),
}
"""The tariff and business-case fields of the simple form. The defaults are EXAMPLE values
(the example sites' tariffs and the documented economics defaults), shown as such in the form:
grid operators publish their own tariffs each year."""


def _toml_text(value: str) -> str:
    # a JSON string literal is a valid TOML basic string (same escapes, \\uXXXX included)
    return json.dumps(value, ensure_ascii=True)


def site_toml(
    name: str,
    *,
    year: int | None,
    pv_kwp: float | None,
    latitude: float,
    longitude: float,
    battery_kwh: float | None,
    battery_kw: float | None,
    prices: dict[str, float] | None = None,
    invest_in: str = "new",
) -> str:
    """The site file of the simple form (``docs/site-file.md``), load in ``load.csv``.

    ``prices`` maps keys of :data:`ECONOMIC_FIELDS` to numbers (tariff, economics and one-off
    prices); ``invest_in`` is ``economics.invest_in`` (``"all"``: the PV and battery are
    still to be bought)."""
    prices = prices or {}

    def section(name: str) -> list[str]:
        out = []
        for key, (where, _, _, _) in ECONOMIC_FIELDS.items():
            if where == name and prices.get(key) is not None:
                value = prices[key]
                out.append(f"{key} = {int(value) if key == 'lifetime_years' else value!r}")
        return out

    lines = ["[site]", f"name = {_toml_text(name)}", 'timezone = "Europe/Amsterdam"']
    if year is not None:
        lines.append(f"year = {year}")
    lines += ["", "[plan]", 'objective = "min-connection"', "", "[load]", 'csv = "load.csv"']
    if pv_kwp:
        lines += [
            "",
            "[pv]",
            f"kwp = {pv_kwp!r}",
            f"latitude = {latitude!r}",
            f"longitude = {longitude!r}",
            *section("pv"),
        ]
    if battery_kwh or battery_kw:
        if not (battery_kwh and battery_kw):
            raise InputError(
                "a battery needs both its energy (kWh) and its power (kW)",
                field="battery_kw" if battery_kwh else "battery_kwh",
            )
        lines += ["", "[battery]", f"energy_kwh = {battery_kwh!r}", f"power_kw = {battery_kw!r}",
                  *section("battery")]  # fmt: skip
    if section("tariff"):
        lines += ["", "[tariff]", *section("tariff")]
    economics = section("economics")
    if invest_in != "new":
        economics.append(f'invest_in = "{invest_in}"')
    if economics:
        lines += ["", "[economics]", *economics]
    return "\n".join(lines) + "\n"


def _profile_year(content: bytes, source: str) -> int:
    """Check a load CSV as the planner will read it; the calendar year of its first day.

    Errors name the file as uploaded, with the line and column.
    """
    from netruimte.profiles import read_profile_csv

    series = load_in_tempdir({source: content}, source, read_profile_csv)
    return int(series.index[0].year)


def _upload_name(filename: str) -> str:
    name = PurePosixPath(filename.replace("\\", "/")).name.strip()
    return name if name and not name.startswith(".") else "load.csv"


async def _read(upload: UploadFile, limit: int, used: int) -> bytes:
    content = await upload.read(limit - used + 1)
    if used + len(content) > limit:
        raise InputError(f"the upload is larger than {limit} bytes", field="files")
    return content


def _text(form: Any, key: str) -> str | None:
    """A text field of the form (a file sent under a text field's name is refused)."""
    value = form.get(key)
    if value is None or isinstance(value, str):
        return value
    raise InputError("expected text, got a file", field=key)


async def _uploads(request: Request, form: Any) -> tuple[list[tuple[str, bytes]], str | None]:
    """The bundle of either form: ``(files, name)``."""
    limit: int = request.app.state.settings.max_upload_bytes
    name = text_field(_text(form, "name"), "name")
    if _text(form, "mode") == "files":
        files = [f for f in form.getlist("files") if isinstance(f, UploadFile) and f.filename]
        if not files:
            raise InputError("choose the site TOML and the CSV files it names", field="files")
        out, used = [], 0
        for upload in files:
            content = await _read(upload, limit, used)
            used += len(content)
            out.append((str(upload.filename), content))
        return out, name
    load = form.get("load")
    if not isinstance(load, UploadFile) or not load.filename:
        raise InputError("choose a load profile CSV", field="load")
    content = await _read(load, limit, 0)
    if not content.strip():
        raise InputError(f"{load.filename} is empty", field="load")
    pv_kwp = parse_float(_text(form, "pv_kwp"), "pv_kwp", high=1e6)
    latitude = parse_float(_text(form, "latitude"), "latitude", low=-90, high=90)
    longitude = parse_float(_text(form, "longitude"), "longitude", low=-180, high=180)
    battery_kwh = parse_float(_text(form, "battery_kwh"), "battery_kwh", high=1e7)
    battery_kw = parse_float(_text(form, "battery_kw"), "battery_kw", high=1e7)
    prices = {}
    for key, (_, _, _, high) in ECONOMIC_FIELDS.items():
        value = parse_float(_text(form, key), key, high=high)
        if value is not None:
            if key == "lifetime_years" and (value != int(value) or value < 1):
                raise InputError(f"expected a whole number of years from 1 to 100, got {value:g}",
                                 field=key)  # fmt: skip
            prices[key] = value
    to_buy = _text(form, "invest_in") == "all"
    # checked now, so a bad file is an error on this page rather than a failed job
    year = await run_in_threadpool(_profile_year, content, _upload_name(str(load.filename)))
    toml = site_toml(
        name or Path(str(load.filename)).stem or "My site",
        year=year if pv_kwp else None,  # generated PV needs the load's calendar year
        pv_kwp=pv_kwp,
        latitude=ALMERE[0] if latitude is None else latitude,
        longitude=ALMERE[1] if longitude is None else longitude,
        battery_kwh=battery_kwh,
        battery_kw=battery_kw,
        prices=prices,
        invest_in="all" if to_buy else "new",
    )
    return [("site.toml", toml.encode("utf-8")), ("load.csv", content)], name


def _planner_data(db: Database, who: Principal, error: dict[str, Any] | None) -> dict[str, Any]:
    return {
        "plans": siteplans.list_plans(db, who, limit=50),
        "error": error,
        "defaults": {"latitude": ALMERE[0], "longitude": ALMERE[1]},
        "economic_fields": [
            {"name": key, "section": where, "label": label, "example": example}
            for key, (where, label, example, _) in ECONOMIC_FIELDS.items()
        ],
        "csv_format": (
            "A header row, a 'timestamp' column (ISO 8601 with UTC offset, or local time in "
            "Europe/Amsterdam) and one of 'kw' (average kW in the quarter-hour) or 'kwh' "
            "(energy in the quarter-hour); whole days of 15-minute steps. ';' with a decimal "
            "comma works too."
        ),
    }


@router.get("/site-planner", name="site_planner_page")
def planner(request: Request, db: Db) -> Response:
    """The upload forms and the signed-in user's plans."""
    who = signed_in(request)
    return render(request, "site_planner.html", _planner_data(db, who, None), title="Site planner")


@router.post("/site-planner", name="site_planner_upload")
async def upload(request: Request) -> Response:
    """Queue a plan of the uploaded site; a person goes on to the plan's page."""
    check_same_site(request)
    who = await run_in_threadpool(signed_in, request)
    db: Database = request.app.state.db
    async with request.form(max_files=MAX_FILES, max_fields=50) as form:
        check_form(request, form)
        try:
            files, name = await _uploads(request, form)
            plan = await run_in_threadpool(siteplans.create_plan, db, who, files, name)
        except InputError as exc:
            if wants_json(request):
                raise
            error = {"message": str(exc), "field": exc.field, "source": exc.source}
            data = await run_in_threadpool(_planner_data, db, who, error)
            return render(request, "site_planner.html", data, title="Site planner", status=422)
    worker = getattr(request.app.state, "worker", None)
    if worker is not None:
        worker.wake()
    if wants_json(request):
        return JSONResponse(plan, status_code=202)
    return RedirectResponse(f"/site-plans/{plan['id']}", status_code=303)


@router.get("/site-plans/{plan_id}", name="site_plan_page")
def plan_page(request: Request, db: Db, plan_id: IntId) -> Response:
    """A plan: its job's progress, then its figures, report and annex (404 if not yours)."""
    who = signed_in(request)
    plan = siteplans.get_plan(db, who, plan_id)
    job = jobs.get_job(db, who, plan["job_id"]) if plan["job_id"] is not None else None
    waiting: list[dict[str, Any]] = []
    if plan["annex"] is not None:
        listing = request_service.list_requests(db, who, status="waiting", limit=1000)
        waiting = [
            {"id": r["id"], "station": r["station"], "kw": r["kw"], "applicant": r["applicant"]}
            for r in listing["items"]
            if r["owner"] == who.name  # a plan attaches to requests of the same owner
        ]
    data = {
        **plan,
        "job": job,
        "report_page": f"/site-plans/{plan_id}/report" if plan["report"] else None,
        "import_csv_page": f"/site-plans/{plan_id}/import.csv" if plan["import_csv"] else None,
        "attachable_requests": waiting,
    }
    finished = plan["status"] in (jobs.DONE, jobs.FAILED)
    headers = None if finished else {"Refresh": "2"}
    return render(
        request,
        "site_plan.html",
        data,
        title="Site plan {id}: {name}",
        title_kw={"id": plan_id, "name": plan["name"]},
        headers=headers,
        extra={"finished": finished},
    )


REPORT_CSP = "sandbox allow-scripts allow-downloads; frame-ancestors 'self'"
"""The report runs its own inline Plotly in an opaque origin: it cannot reach this site."""


@router.get("/site-plans/{plan_id}/report", name="site_plan_report_file")
def plan_report(request: Request, db: Db, plan_id: IntId) -> Response:
    """The plan's self-contained HTML report (a file; its JSON twin is the plan page's)."""
    who = signed_in(request)
    if wants_json(request):
        return JSONResponse(siteplans.get_plan(db, who, plan_id))
    html = siteplans.get_plan_report(db, who, plan_id, request_language(request))
    return HTMLResponse(
        html,
        headers={
            "Content-Security-Policy": REPORT_CSP,
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )


@router.get("/site-plans/{plan_id}/import.csv", name="site_plan_import_file")
def plan_import(request: Request, db: Db, plan_id: IntId) -> Response:
    """The planned import profile as a CSV download (a file, like the API's)."""
    who = signed_in(request)
    content = siteplans.get_plan_import_csv(db, who, plan_id)
    return Response(
        content,
        media_type="text/csv",
        headers={
            "Content-Disposition": f'attachment; filename="site-plan-{plan_id}-import.csv"',
            "Cache-Control": "no-store",
        },
    )


@router.post("/site-plans/{plan_id}/attach", name="site_plan_attach")
async def attach(request: Request, plan_id: IntId) -> Response:
    """Attach the plan to a waiting request of the same owner; go on to the request's page."""
    check_same_site(request)
    who = await run_in_threadpool(signed_in, request)
    form = await request.form(max_files=0, max_fields=10)
    check_form(request, form)
    request_id = text_field(_text(form, "request_id"), "request_id", max_length=100)
    if request_id is None:
        raise InputError("choose the request to attach the plan to", field="request_id")
    db: Database = request.app.state.db
    view = await run_in_threadpool(siteplans.attach_annex, db, who, request_id, plan_id)
    if wants_json(request):
        return JSONResponse(view)
    return RedirectResponse(f"/requests/{request_id}", status_code=303)
