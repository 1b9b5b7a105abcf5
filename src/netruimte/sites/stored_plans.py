"""Site plans as jobs: upload a site file with its profiles, get the plan and a report.

The upload (a site TOML, ``docs/site-file.md``, plus the CSV files it names, or a zip) is
checked at once: the TOML must parse and every ``*csv`` it names must be in the upload. The
planning itself is a job that runs exactly what ``netruimte site plan SITE.toml --out DIR``
runs (:func:`netruimte.sites.plan_file.run_site_plan`): the contract's Plan JSON, the
self-contained HTML report, the planned import profile (CSV) and the request annex. An
applicant attaches a done plan to a waiting request: the request then carries the import
profile and, by default, the annex's kW, contract and capacity blocks.
"""

from __future__ import annotations

import json
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypedDict

from sqlalchemy import func, select

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal
from netruimte.errors import Conflict, InputError, NotFound, TooMany
from netruimte.jobs import queue as jobs
from netruimte.register.bundles import (
    check_references,
    load_in_tempdir,
    main_toml,
    make_bundle,
)
from netruimte.register.convert import WAITING, domain_request, load_register
from netruimte.register.requests import RequestView, owned_request, request_view
from netruimte.register.scenario_io import store_blob, store_blobs
from netruimte.storage import Database
from netruimte.storage.tables import Blob, SitePlan, SitePlanFile, Station, User

__all__ = [
    "PlanFiles",
    "PlanView",
    "attach_annex",
    "create_plan",
    "execute_plan",
    "fail_plan",
    "get_plan",
    "get_plan_import_csv",
    "get_plan_report",
    "list_plans",
    "plan_files",
    "plan_view",
]

_MAIN = "site.toml"


@dataclass(frozen=True)
class PlanFiles:
    """What ``netruimte site plan --out DIR`` writes, as read back from DIR."""

    plan: dict[str, Any]
    report_html: str
    report_html_nl: str
    """The same report in Dutch (the web page shows the one of the reader's language)."""
    import_csv: bytes | None
    annex: dict[str, Any] | None


def plan_files(site_toml: Path) -> PlanFiles:
    """Plan a site file as the CLI does and read its outputs (plan, report, profile, annex)."""
    from netruimte.sites.plan_file import run_site_plan

    with tempfile.TemporaryDirectory(prefix="netruimte-plan-") as tmp:
        out = Path(tmp)
        run_site_plan(site_toml, out, also_langs=("nl",))
        annex = out / "request.json"
        profile = out / "import.csv"
        return PlanFiles(
            plan=json.loads((out / "plan.json").read_text(encoding="utf-8")),
            report_html=(out / "report.html").read_text(encoding="utf-8"),
            report_html_nl=(out / "report.nl.html").read_text(encoding="utf-8"),
            import_csv=profile.read_bytes() if profile.exists() else None,
            annex=json.loads(annex.read_text(encoding="utf-8")) if annex.exists() else None,
        )


class PlanView(TypedDict):
    """The API's view of a stored site plan (:func:`plan_view`); times are ISO text, ``plan``
    and ``annex`` the stored JSON documents."""

    id: int
    name: str
    status: str
    job_id: int | None
    created_at: str
    finished_at: str | None
    files: list[str]
    plan: dict[str, Any] | None
    error: str | None
    report: str | None
    import_csv: str | None
    annex: dict[str, Any] | None


def plan_view(plan: SitePlan, files: list[str]) -> PlanView:
    """The API's view of a site plan."""
    done = plan.status == jobs.DONE
    return {
        "id": plan.id,
        "name": plan.name,
        "status": plan.status,
        "job_id": plan.job_id,
        "created_at": plan.created_at.isoformat(),
        "finished_at": plan.finished_at.isoformat() if plan.finished_at else None,
        "files": files,
        "plan": json.loads(plan.plan_json) if plan.plan_json else None,
        "error": plan.error,
        "report": f"/api/v1/site-plans/{plan.id}/report" if done else None,
        "import_csv": (
            f"/api/v1/site-plans/{plan.id}/import.csv" if done and plan.import_csv_blob else None
        ),
        "annex": json.loads(plan.annex_json) if plan.annex_json else None,
    }


def create_plan(
    db: Database, principal: Principal, uploads: list[tuple[str, bytes]], name: str | None = None
) -> PlanView:
    """Store an uploaded site and queue its planning job."""
    bundle = make_bundle(uploads)
    main = main_toml(bundle)
    data = check_references(bundle, main)
    base = main.rsplit("/", 1)[0] + "/" if "/" in main else ""
    # keep the files relative to the site file, which is stored as site.toml
    files = {k[len(base) :]: v for k, v in bundle.items() if k != main and k.startswith(base)}
    site_table = data.get("site")
    title = name or (site_table.get("name") if isinstance(site_table, dict) else None) or main
    size = sum(len(v) for v in files.values()) + len(bundle[main])
    if size > MAX_PLAN_BYTES:
        raise InputError(
            f"a site plan's files may hold {MAX_PLAN_BYTES // (1024 * 1024)} MB together; this "
            f"upload holds {size / (1024 * 1024):.0f} MB",
            field="files",
        )
    _check_quota(db, principal, size)
    # The files go in first, each batch in its own short transaction, so that no upload holds
    # the database's write lock for long; blobs are content-addressed, so storing one twice is
    # harmless and one left by a failed upload is only an unused copy.
    digests = store_blobs(db, files)
    with db.write() as session:
        _check_quota_in(session, principal, size)
        plan = SitePlan(
            owner_id=principal.user_id,
            name=str(title)[:300],
            status=jobs.QUEUED,
            site_toml=bundle[main].decode("utf-8"),
            created_at=utc_now(),
        )
        session.add(plan)
        session.flush()
        for fname in sorted(files):
            session.add(SitePlanFile(plan_id=plan.id, name=fname, blob=digests[fname]))
        job = jobs.enqueue(session, "site-plan", plan.id, principal.user_id)
        plan.job_id = job.id
        session.flush()
        return plan_view(plan, sorted(files))


MAX_PLAN_BYTES = 20 * 1024 * 1024
"""Largest site upload (all files together, unpacked): about 15 years of 15-minute profiles."""

MAX_OPEN_PLANS = 3
"""Site plans one applicant may have queued or running at once."""

MAX_USER_PLAN_BYTES = 500 * 1024 * 1024
"""Files one applicant may keep in site plans altogether (operators are not limited)."""


def _check_quota(db: Database, principal: Principal, size: int) -> None:
    with db.read() as session:
        _check_quota_in(session, principal, size)


def _check_quota_in(session: Any, principal: Principal, size: int) -> None:
    """TooMany (429) when an applicant has too many plans waiting or keeps too many bytes."""
    if principal.is_operator or principal.user_id is None:
        return
    mine = SitePlan.owner_id == principal.user_id
    open_plans = session.scalar(
        select(func.count())
        .select_from(SitePlan)
        .where(mine, SitePlan.status.in_((jobs.QUEUED, jobs.RUNNING)))
    )
    if open_plans >= MAX_OPEN_PLANS:
        raise TooMany(
            f"you have {open_plans} site plans waiting or running; at most {MAX_OPEN_PLANS} "
            "may be, try again when one is done",
            retry_after=30,
        )
    kept = session.scalar(
        select(func.coalesce(func.sum(func.length(Blob.content)), 0))
        .select_from(SitePlanFile)
        .join(SitePlan, SitePlan.id == SitePlanFile.plan_id)
        .join(Blob, Blob.sha256 == SitePlanFile.blob)
        .where(mine)
    )
    if int(kept or 0) + size > MAX_USER_PLAN_BYTES:
        raise TooMany(
            f"your site plans keep {int(kept or 0) / (1024 * 1024):.0f} MB of files; with this "
            f"upload that would pass the {MAX_USER_PLAN_BYTES // (1024 * 1024)} MB each "
            "applicant may keep"
        )


def _owned_plan(session: Any, principal: Principal, plan_id: int) -> SitePlan:
    plan: SitePlan | None = session.get(SitePlan, plan_id)
    if plan is None or not principal.owns(plan.owner_id):
        raise NotFound(f"no site plan {plan_id}")
    return plan


def _file_names(session: Any, plan_id: int) -> list[str]:
    return list(
        session.scalars(
            select(SitePlanFile.name)
            .where(SitePlanFile.plan_id == plan_id)
            .order_by(SitePlanFile.name)
        )
    )


def get_plan(db: Database, principal: Principal, plan_id: int) -> PlanView:
    """One site plan (own plans only for applicants)."""
    with db.read() as session:
        plan = _owned_plan(session, principal, plan_id)
        return plan_view(plan, _file_names(session, plan_id))


def get_plan_report(db: Database, principal: Principal, plan_id: int, lang: str = "en") -> str:
    """The plan's HTML report in ``lang`` (NotFound until the plan is done). A plan made
    before the reports were kept in Dutch too has its English report only."""
    with db.read() as session:
        plan = _owned_plan(session, principal, plan_id)
        if plan.report_html is None:
            raise NotFound(f"site plan {plan_id} has no report yet (status {plan.status})")
        if lang == "nl" and plan.report_html_nl is not None:
            return plan.report_html_nl
        return plan.report_html


def get_plan_import_csv(db: Database, principal: Principal, plan_id: int) -> bytes:
    """The planned import profile (CSV) of a done, feasible plan."""
    with db.read() as session:
        plan = _owned_plan(session, principal, plan_id)
        blob = session.get(Blob, plan.import_csv_blob) if plan.import_csv_blob else None
        if blob is None:
            raise NotFound(f"site plan {plan_id} has no import profile (status {plan.status})")
        return blob.content


def list_plans(db: Database, principal: Principal, limit: int = 100) -> list[PlanView]:
    """Newest plans first (own plans only for applicants)."""
    with db.read() as session:
        stmt = select(SitePlan)
        if not principal.is_operator:
            stmt = stmt.where(SitePlan.owner_id == principal.user_id)
        plans = session.scalars(stmt.order_by(SitePlan.id.desc()).limit(limit)).all()
        return [plan_view(p, _file_names(session, p.id)) for p in plans]


def execute_plan(db: Database, job: jobs.JobInfo, progress: Any) -> None:
    """Job handler: plan the stored site and keep plan, report, profile and annex."""
    with db.read() as session:
        plan = session.get(SitePlan, job.target_id)
        if plan is None:
            raise NotFound(f"site plan {job.target_id} no longer exists")
        bundle: dict[str, bytes] = {_MAIN: plan.site_toml.encode("utf-8")}
        for f in session.scalars(select(SitePlanFile).where(SitePlanFile.plan_id == plan.id)):
            blob = session.get(Blob, f.blob)
            if blob is not None:
                bundle[f.name] = blob.content
    progress(0.05, "reading the site and planning it")
    files = load_in_tempdir(bundle, _MAIN, plan_files)
    progress(0.9, "storing the plan and its report")
    with db.write() as session:
        row = session.get(SitePlan, job.target_id)
        if row is None:
            raise NotFound(f"site plan {job.target_id} no longer exists")
        row.plan_json = json.dumps(files.plan)
        row.report_html = files.report_html
        row.report_html_nl = files.report_html_nl
        row.annex_json = json.dumps(files.annex) if files.annex is not None else None
        row.import_csv_blob = (
            store_blob(session, f"site-plan-{row.id}-import.csv", files.import_csv)
            if files.import_csv is not None
            else None
        )
        row.status = jobs.DONE
        row.error = None
        row.finished_at = utc_now()


def fail_plan(db: Database, job: jobs.JobInfo, message: str) -> None:
    """Job handler on failure: the plan is failed, with the reason."""
    jobs.fail_target(db, SitePlan, job, message)


def attach_annex(
    db: Database, principal: Principal, request_id: str, plan_id: int, adopt: bool = True
) -> RequestView:
    """Attach a done, feasible site plan to a waiting request as its annex.

    The request gets the plan's import profile (laid over the representative year). With
    ``adopt`` it also takes the annex's ``kw`` (the plan's import, rounded up to 0.01 kW),
    ``contract`` and, for a time-block right, ``capacity_blocks`` and ``restricted_kw``
    (:func:`netruimte.sites.plan_file.request_annex`).
    """
    from netruimte.grid import to_representative_year
    from netruimte.profiles import read_profile_csv

    with db.write() as session:
        reg = load_register(session)
        row = owned_request(session, principal, request_id)
        plan = _owned_plan(session, principal, plan_id)
        if not principal.is_operator and plan.owner_id != row.owner_id:
            raise NotFound(f"no site plan {plan_id}")  # plans attach to requests of the same owner
        if plan.status != jobs.DONE or plan.import_csv_blob is None or plan.annex_json is None:
            raise Conflict(f"site plan {plan_id} has no feasible plan (status {plan.status})")
        blob = session.get(Blob, plan.import_csv_blob)
        if blob is None:
            raise RuntimeError(f"site plan {plan_id}: its import profile is missing")
        station = session.get(Station, row.station_id)
        db.lock_stations(session, [station.id] if station else [])
        [row] = db.lock_requests(session, [request_id])
        if row.status != WAITING:
            raise Conflict(
                f"request {request_id!r} is {row.status}; only a waiting request takes an annex"
            )
        with tempfile.TemporaryDirectory(prefix="netruimte-annex-") as tmp:
            path = Path(tmp) / "import.csv"
            path.write_bytes(blob.content)
            series = read_profile_csv(path, timezone=reg.timezone)
        annex = json.loads(plan.annex_json)
        asked = annex.get("request", {})
        before = {
            "kw": row.kw,
            "contract": row.contract,
            "capacity_blocks": row.blocks,
            "restricted_kw": row.restricted_kw,
            "site_plan_id": row.site_plan_id,
        }
        row.profile_kw = to_representative_year(series, source=f"site plan {plan_id}")
        row.profile_blob = plan.import_csv_blob
        row.profile_csv = f"site-plan-{plan_id}-import.csv"
        row.site_plan_id = plan_id
        if adopt:
            if row.direction != asked.get("direction", "offtake"):
                raise InputError(
                    f"site plan {plan_id} asks for {asked.get('direction')}, the request is "
                    f"{row.direction}",
                    field="site_plan_id",
                )
            row.kw = float(asked["kw"])
            row.contract = str(asked.get("contract", "firm"))
            row.blocks = list(asked["capacity_blocks"]) if asked.get("capacity_blocks") else None
            row.restricted_kw = float(asked.get("restricted_kw", 0.0))
        row.updated_at = utc_now()
        domain_request(row)
        audit.append(
            db,
            session,
            actor=principal,
            action="request.annex",
            obj=f"request:{request_id}",
            inputs={
                "site_plan": plan_id,
                "adopt": adopt,
                "before": before,
                "after": {
                    "kw": row.kw,
                    "contract": row.contract,
                    "capacity_blocks": row.blocks,
                    "restricted_kw": row.restricted_kw,
                },
                "profile_sha256": plan.import_csv_blob,
                "annex": annex,
            },
            policy=audit.policy_version(reg.policy, utc_now().date()),
        )
        session.flush()
        user = session.get(User, row.owner_id) if row.owner_id is not None else None
        return request_view(row, user.name if user else None)
