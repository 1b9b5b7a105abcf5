"""The register as a whole: who am I, its settings, scenario import/export, the audit trail."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Form, Query, Request, UploadFile
from fastapi.responses import Response
from sqlalchemy import func, select

from netruimte.access import audit
from netruimte.access.auth import require_operator
from netruimte.register import scenario_io
from netruimte.register.convert import load_register
from netruimte.storage.tables import Reinforcement, Station
from netruimte.storage.tables import Request as RequestRow
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.common import MeOut
from netruimte.web.api.schemas.register import AuditPage, AuditVerifyOut, ImportOut, RegisterOut
from netruimte.web.api.uploads import files_field, read_uploads
from netruimte.web.deps import Caller, Db

__all__ = ["router"]

router = resource_router("register")


@router.get("/me", response_model=MeOut, summary="Who am I")
def me(caller: Caller) -> dict[str, Any]:
    """The caller's name and role."""
    return {"name": caller.name, "role": caller.role.value}


@router.get("/register", response_model=RegisterOut, summary="The register's settings")
def register(db: Db, caller: Caller) -> dict[str, Any]:
    """Scenario settings of the register and how many objects it holds."""
    del caller
    with db.read() as session:
        reg = load_register(session)
        grouped = select(RequestRow.status, func.count()).group_by(RequestRow.status)
        counts = {status: n for status, n in session.execute(grouped)}
        counted = {
            "stations": session.scalar(select(func.count()).select_from(Station)) or 0,
            "reinforcements": session.scalar(select(func.count()).select_from(Reinforcement)) or 0,
            "requests": {s: int(counts.get(s, 0)) for s in ("waiting", "granted", "withdrawn")},
        }
        # every other field of the answer is the register's setting of that name
        settings = {k: getattr(reg, k) for k in RegisterOut.model_fields if k not in counted}
        return {**settings, **counted}


@router.post("/scenario", response_model=ImportOut, status_code=201, summary="Import a scenario")
def import_scenario(
    db: Db,
    caller: Caller,
    request: Request,
    files: Annotated[
        list[UploadFile],
        files_field("A scenario TOML and the CSV files it names, or one zip of them"),
    ],
    main: Annotated[str | None, Form(max_length=300, description="The main TOML file")] = None,
    force: Annotated[bool, Form(description="Replace applicants' requests too")] = False,
) -> dict[str, Any]:
    """Replace the register by an uploaded scenario (operators; DESIGN.md formats)."""
    require_operator(caller, "import a scenario")
    uploads = read_uploads(files, request.app.state.settings.max_upload_bytes)
    return scenario_io.import_bundle(db, caller, uploads, main=main, force=force).to_json_dict()


@router.get(
    "/scenario",
    response_model=None,
    responses={
        200: {
            "content": {"application/toml": {}, "application/zip": {}, "text/csv": {}},
            "description": "The register as a scenario file",
        }
    },
    summary="Export the register",
)
def export_scenario(
    db: Db,
    caller: Caller,
    format: Annotated[Literal["toml", "zip", "csv"], Query()] = "toml",
) -> Response:
    """The register as a scenario: TOML (requests inline), zip (with requests.csv and the
    profile files) or the request CSV (operators)."""
    name, content, media = scenario_io.export_scenario(db, caller, format)
    return Response(
        content=content,
        media_type=media,
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@router.get("/audit", response_model=AuditPage, summary="Audit entries")
def audit_entries(
    db: Db,
    caller: Caller,
    after: Annotated[int, Query(ge=0, le=2**31 - 1, description="Entries with seq after this")] = 0,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
) -> dict[str, Any]:
    """The audit trail, oldest first (operators)."""
    require_operator(caller, "read the audit trail")
    items = audit.list_entries(db, after_seq=after, limit=limit)
    return {"items": items, "next_after": items[-1]["seq"] if len(items) == limit else None}


@router.get("/audit/verify", response_model=AuditVerifyOut, summary="Verify the audit chain")
def audit_verify(db: Db, caller: Caller) -> dict[str, Any]:
    """Recompute the hash chain; reports the first broken entry (operators)."""
    require_operator(caller, "verify the audit trail")
    return audit.verify(db).to_json_dict()
