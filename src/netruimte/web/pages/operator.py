"""An operator's work: the home page, allocation moments, offers and priority claims.

=========================================  ==================  ==============================
page / form                                data-action         service
=========================================  ==================  ==============================
``GET /operator``                          (home)              what waits for the operator
``GET /operator/moments?on=&preview=1``    preview-moment      ``moments.preview_moment``
``POST /operator/moments``                 run-moment          ``runs.allocate``
``POST /requests/{id}/offers``             make-offer          ``offers.make_offer``
``POST /offers/{id}/withdraw``             withdraw            ``offers.withdraw_offer``
``GET /operator/claims``                   (the claims)        ``claims.list_claims`` + files
``POST /operator/claims/{id}/decision``    decide-claim        ``claims.decide_claim``
``GET /operator/evidence/{sha256}``        (a file)            ``evidence.evidence_file``
=========================================  ==================  ==============================

Every page here answers 403 to an applicant (the service's ``require_operator``).
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import func, select

from netruimte.access.auth import Principal, require_operator
from netruimte.errors import InputError
from netruimte.register import claims, evidence, moments, offers, runs
from netruimte.register.offer_state import OFFERED
from netruimte.storage import Database
from netruimte.storage.tables import PriorityClaim
from netruimte.storage.tables import Request as RequestRow
from netruimte.web.deps import Db, IntId, TextId
from netruimte.web.pages.actions import answer, call, call_with_reason, database, read_form, text
from netruimte.web.pages.forms import Param, parse_day, parse_float, text_field
from netruimte.web.pages.render import PageRoute, render, signed_in

__all__ = ["operator_of", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


def operator_of(request: Request, what: str) -> Principal:
    """The signed-in operator (Forbidden for an applicant, a sign-in for nobody)."""
    who = signed_in(request)
    require_operator(who, what)
    return who


def _home(db: Database) -> dict[str, Any]:
    with db.read() as session:
        counts = dict(
            session.execute(
                select(RequestRow.status, func.count()).group_by(RequestRow.status)
            ).all()
        )
        pending = session.scalar(
            select(func.count()).select_from(PriorityClaim).where(PriorityClaim.status == "pending")
        )
        open_offers = session.scalar(
            select(func.count()).select_from(RequestRow).where(RequestRow.offer_status == OFFERED)
        )
    return {
        "requests": {s: int(counts.get(s, 0)) for s in ("waiting", "granted", "withdrawn")},
        "pending_claims": int(pending or 0),
        "open_offers": int(open_offers or 0),
        "recent_runs": [],
        "work": [
            {"path": "/operator/moments", "what": "allocation moments"},
            {"path": "/operator/claims", "what": "priority claims"},
            {"path": "/operator/forecasts", "what": "forecasts and what-ifs"},
            {"path": "/queue", "what": "the queue"},
            {"path": "/operator/scenario", "what": "import and export the scenario"},
            {"path": "/operator/audit", "what": "the audit trail"},
            {"path": "/operator/users", "what": "users and tokens"},
        ],
    }


@router.get("/operator", name="operator_home")
def home(request: Request, db: Db) -> Response:
    """What waits for the operator: claims to decide, open offers, the latest runs."""
    who = operator_of(request, "see the operator's home page")
    data = _home(db)
    data["recent_runs"] = runs.list_runs(db, who, limit=5)
    return render(request, "operator_home.html", data, title="Operator")


@router.get("/operator/moments", name="moments_page")
def moments_page(
    request: Request,
    db: Db,
    on: Param = None,
    policy: Param = None,
    fit: Param = None,
    preview: Param = None,
) -> Response:
    """Preview an allocation moment (nothing written) and run it; the moments run so far."""
    who = operator_of(request, "see allocation moments")
    day = parse_day(on, "on")
    shown = (
        moments.preview_moment(
            db, who, on=day, policy=policy or None, fit=fit or None
        ).to_json_dict()
        if preview
        else None
    )
    done = [r for r in runs.list_runs(db, who, limit=200) if r["kind"] == runs.ALLOCATE][:20]
    data = {
        "on": on or "",
        "policy": policy or "",
        "fit": fit or "",
        "preview": shown,
        "moments": done,
        "policies": ["acm-2026", "acm-2024", "fcfs", "in-force"],
        "fits": ["first-fit", "strict"],
    }
    return render(request, "moments.html", data, title="Allocation moments")


@router.post("/operator/moments", name="run_moment_form")
async def run_moment(request: Request) -> Response:
    """Run the moment: grant what fits, make the partial offers, audit it all."""
    who, form = await read_form(request)
    day = parse_day(text(form, "on"), "on")
    policy = text_field(text(form, "policy"), "policy", max_length=40)
    fit = text_field(text(form, "fit"), "fit", max_length=40)
    view = await call(runs.allocate, database(request), who, on=day, policy=policy, fit=fit)
    return answer(request, view, f"/operator/moments?ran={view['id']}", 201)


@router.post("/requests/{request_id}/offers", name="make_offer_form")
async def make_offer(request: Request, request_id: TextId) -> Response:
    """Offer part of a waiting request's kW (operators)."""
    who, form = await read_form(request)
    kw = parse_float(text(form, "kw"), "kw", low=0.001, high=1e7)
    if kw is None:
        raise InputError("give the kW to offer", field="kw")
    contract = text_field(text(form, "contract"), "contract", max_length=20)
    on = parse_day(text(form, "on"), "on")
    view = await call(offers.make_offer, database(request), who, request_id, kw, contract, on)
    return answer(request, view, f"/requests/{request_id}", 201)


@router.post("/offers/{offer_id}/withdraw", name="withdraw_offer_form")
async def withdraw_offer(request: Request, offer_id: TextId) -> Response:
    """Take back an offer the applicant has not answered (operators)."""
    view = await call_with_reason(request, offers.withdraw_offer, offer_id)
    return answer(request, view, f"/requests/{offers.parent_id(offer_id) or offer_id}")


@router.get("/operator/claims", name="claims_page")
def claims_page(request: Request, db: Db, status: Param = "pending") -> Response:
    """Priority claims with their evidence (and the files sent with it) to decide."""
    who = operator_of(request, "decide priority claims")
    if status not in ("pending", "accepted", "rejected", "any", None, ""):
        raise InputError("expected pending | accepted | rejected | any", field="status")
    listed = claims.list_claims(db, who, status=None if status in ("any", "", None) else status)
    with db.read() as session:
        rows = {
            r.id: r
            for r in session.scalars(
                select(RequestRow).where(RequestRow.id.in_({c["request_id"] for c in listed}))
            )
        }
        items = [
            {
                **c,
                "files": [f.to_json_dict() for f in evidence.files_named(c["evidence"])],
                "applicant": rows[c["request_id"]].applicant if c["request_id"] in rows else "",
                "station": rows[c["request_id"]].station_id if c["request_id"] in rows else "",
                "kw": rows[c["request_id"]].kw if c["request_id"] in rows else None,
                "direction": rows[c["request_id"]].direction if c["request_id"] in rows else "",
            }
            for c in listed
        ]
    data = {"status": status or "any", "claims": items}
    return render(request, "claims.html", data, title="Priority claims")


@router.post("/operator/claims/{claim_id}/decision", name="decide_claim_form")
async def decide(request: Request, claim_id: IntId) -> Response:
    """Accept or reject a pending claim with a reason (and a score for a reliever)."""
    who, form = await read_form(request)
    choice = text(form, "accept")
    if choice not in ("true", "false"):
        raise InputError("accept the claim or reject it", field="accept")
    reason = text_field(text(form, "reason"), "reason", max_length=5000)
    if reason is None:
        raise InputError("give the reason of the decision", field="reason")
    score = parse_float(text(form, "score"), "score", low=-1e9, high=1e9)
    view = await call(
        claims.decide_claim, database(request), who, claim_id, choice == "true", reason, score
    )
    return answer(request, view, "/operator/claims")


@router.get("/operator/evidence/{sha256}", name="evidence_file")
def evidence_download(request: Request, db: Db, sha256: TextId) -> Response:
    """A file sent as evidence with a claim (operators), as a download."""
    who = signed_in(request)
    name, content = evidence.evidence_file(db, who, sha256)
    safe = "".join(ch for ch in name if ch.isalnum() or ch in "._- ") or "evidence"
    return Response(
        content,
        media_type="application/octet-stream",
        headers={
            "Content-Disposition": f'attachment; filename="{safe}"',
            "Cache-Control": "no-store",
            "X-Content-Type-Options": "nosniff",
        },
    )
