"""Site plans: upload a site file with its profiles, poll, get the plan and its report."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response

from netruimte.sites import stored_plans as siteplans
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.siteplans import SitePlanOut
from netruimte.web.api.uploads import files_field, read_uploads
from netruimte.web.deps import Caller, Db, IntId, wake_worker

__all__ = ["router"]

router = resource_router("site plans")


@router.get("/site-plans", response_model=list[SitePlanOut], summary="List site plans")
def list_plans(db: Db, caller: Caller) -> list[siteplans.PlanView]:
    """Newest first (applicants: their own)."""
    return siteplans.list_plans(db, caller)


@router.post(
    "/site-plans",
    response_model=SitePlanOut,
    status_code=202,
    summary="Plan a site",
    dependencies=[Depends(wake_worker)],
)
def create_plan(
    db: Db,
    caller: Caller,
    request: Request,
    files: Annotated[
        list[UploadFile],
        files_field("The site TOML and the CSV files it names (or one zip of them)"),
    ],
    name: Annotated[str | None, Form(max_length=300)] = None,
) -> siteplans.PlanView:
    """Upload a site (``docs/site-file.md``); the planning runs as a job
    (``/api/v1/jobs/{job_id}``)."""
    uploads = read_uploads(files, request.app.state.settings.max_upload_bytes)
    return siteplans.create_plan(db, caller, uploads, name=name)


@router.get("/site-plans/{plan_id}", response_model=SitePlanOut, summary="One site plan")
def get_plan(db: Db, caller: Caller, plan_id: IntId) -> siteplans.PlanView:
    """Status and, when done, the contract's Plan JSON (404 for another applicant's)."""
    return siteplans.get_plan(db, caller, plan_id)


@router.get(
    "/site-plans/{plan_id}/report",
    response_model=None,
    responses={200: {"content": {"text/html": {}}, "description": "Self-contained HTML"}},
    summary="The plan's report",
)
def plan_report(db: Db, caller: Caller, plan_id: IntId) -> HTMLResponse:
    """A self-contained HTML report of the plan (opens offline)."""
    return HTMLResponse(siteplans.get_plan_report(db, caller, plan_id))


@router.get(
    "/site-plans/{plan_id}/import.csv",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}, "description": "Profile CSV (kW)"}},
    summary="The planned import profile",
)
def plan_import(db: Db, caller: Caller, plan_id: IntId) -> Response:
    """The planned import (kW, 15 minutes) as a profile CSV of the interface contract."""
    content = siteplans.get_plan_import_csv(db, caller, plan_id)
    return Response(content=content, media_type="text/csv")
