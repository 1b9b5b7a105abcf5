"""Priority claims: an applicant asks for a category with evidence; an operator decides.

Under the 2026 framework priority is given only when the party asks for it (docs/sources.md
[acm-2026]):

* categories 2 (safety) and 3 (basic needs) need a declared function and the evidence of
  table 4, and only offtake qualifies: on acceptance the request's ``evidence`` becomes true;
* category 1 (congestion reliever) needs the operator's assessment and a signed contract: on
  acceptance ``contract_signed`` becomes true and the operator's efficiency ``score`` is set.

While a claim is pending the request carries the asked category but ranks as "none" (no
evidence yet); a rejected claim sets the request back to "none". Claim and decision are both
audit entries, with the policy version in force.
"""

from __future__ import annotations

from typing import TypedDict

from sqlalchemy import select

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, own_rows, require_operator
from netruimte.errors import Conflict, InputError, NotFound
from netruimte.register.convert import WAITING, domain_request, load_register
from netruimte.register.requests import owned_request
from netruimte.storage import Database
from netruimte.storage.tables import PriorityClaim, Request, Station
from netruimte.waitlist import FUNCTIONS, Category

__all__ = ["claim_priority", "claim_view", "decide_claim", "get_claim", "list_claims"]

PENDING, ACCEPTED, REJECTED = "pending", "accepted", "rejected"
_MIN_EVIDENCE_CHARS = 10


class ClaimView(TypedDict):
    """The API's view of a priority claim (:func:`claim_view`); times are ISO text."""

    id: int
    request_id: str
    category: str
    function: str | None
    evidence: str
    status: str
    claimed_at: str
    decided_at: str | None
    reason: str | None
    score: float | None


def claim_view(claim: PriorityClaim) -> ClaimView:
    """The API's view of a claim."""
    return {
        "id": claim.id,
        "request_id": claim.request_id,
        "category": claim.category,
        "function": claim.function,
        "evidence": claim.evidence,
        "status": claim.status,
        "claimed_at": claim.claimed_at.isoformat(),
        "decided_at": claim.decided_at.isoformat() if claim.decided_at else None,
        "reason": claim.reason,
        "score": claim.score,
    }


def claim_priority(
    db: Database,
    principal: Principal,
    request_id: str,
    category: str,
    evidence: str,
    function: str | None = None,
) -> ClaimView:
    """File a claim on a waiting request (the caller's own, or any for an operator)."""
    try:
        cat = Category(category)
    except ValueError:
        raise InputError(
            f"unknown category {category!r}; expected congestion-reliever | safety | basic-needs",
            field="category",
        ) from None
    if cat is Category.NONE:
        raise InputError("claim a priority category, not 'none'", field="category")
    if cat in (Category.SAFETY, Category.BASIC_NEEDS) and not function:
        raise InputError(f"a {cat.label} claim needs the declared function", field="function")
    if function is not None and function not in FUNCTIONS:
        raise InputError(
            f"unknown function {function!r}; expected one of {', '.join(FUNCTIONS)}",
            field="function",
        )
    if len(evidence.strip()) < _MIN_EVIDENCE_CHARS:
        raise InputError(
            f"describe the evidence (at least {_MIN_EVIDENCE_CHARS} characters: which document, "
            "issued by whom, when)",
            field="evidence",
        )
    with db.write() as session:
        reg = load_register(session)
        row = owned_request(session, principal, request_id)
        station = session.get(Station, row.station_id)
        db.lock_stations(session, [station.id] if station is not None else [])
        [row] = db.lock_requests(session, [request_id])
        if row.status != WAITING:
            raise Conflict(
                f"request {request_id!r} is {row.status}; only a waiting request can claim"
            )
        pending = session.scalars(
            select(PriorityClaim).where(
                PriorityClaim.request_id == request_id, PriorityClaim.status == PENDING
            )
        ).first()
        if pending is not None:
            raise Conflict(f"claim {pending.id} on request {request_id!r} is still pending")
        now = utc_now()
        row.category = cat.value
        if function is not None:
            row.function = function
        row.evidence = False
        row.contract_signed = False
        row.updated_at = now
        domain_request(row)  # e.g. feed-in asking for category 2/3 is allowed, it ranks as none
        claim = PriorityClaim(
            request_id=request_id,
            category=cat.value,
            function=function,
            evidence=evidence.strip(),
            status=PENDING,
            claimed_by=principal.user_id,
            claimed_at=now,
        )
        session.add(claim)
        session.flush()
        audit.append(
            db,
            session,
            actor=principal,
            action="priority.claim",
            obj=f"request:{request_id}",
            inputs={
                "claim": claim.id,
                "category": cat.value,
                "function": function,
                "evidence": claim.evidence,
                "direction": row.direction,
            },
            policy=audit.policy_version(reg.policy, now.date()),
        )
        return claim_view(claim)


def _owned_claim(
    principal: Principal, claim: PriorityClaim | None, request: Request | None
) -> None:
    if claim is None or request is None or not principal.owns(request.owner_id):
        raise NotFound("no such priority claim")


def get_claim(db: Database, principal: Principal, claim_id: int) -> ClaimView:
    """One claim (own requests' claims only for applicants)."""
    with db.read() as session:
        claim = session.get(PriorityClaim, claim_id)
        request = session.get(Request, claim.request_id) if claim is not None else None
        _owned_claim(principal, claim, request)
        assert claim is not None
        return claim_view(claim)


def list_claims(
    db: Database, principal: Principal, request_id: str | None = None, status: str | None = None
) -> list[ClaimView]:
    """Claims of one request, or all (operators) / all own (applicants)."""
    with db.read() as session:
        stmt = select(PriorityClaim).join(Request, Request.id == PriorityClaim.request_id)
        if request_id is not None:
            owned_request(session, principal, request_id)
            stmt = stmt.where(PriorityClaim.request_id == request_id)
        stmt = own_rows(stmt, principal, Request.owner_id)
        if status is not None:
            stmt = stmt.where(PriorityClaim.status == status)
        return [claim_view(c) for c in session.scalars(stmt.order_by(PriorityClaim.id))]


def decide_claim(
    db: Database,
    principal: Principal,
    claim_id: int,
    accept: bool,
    reason: str,
    score: float | None = None,
) -> ClaimView:
    """Accept or reject a pending claim (operators only)."""
    require_operator(principal, "decide on a priority claim")
    if not reason.strip():
        raise InputError("give the reason for the decision", field="reason")
    with db.write() as session:
        reg = load_register(session)
        claim = session.get(PriorityClaim, claim_id)
        if claim is None:
            raise NotFound("no such priority claim")
        request = session.get(Request, claim.request_id)
        if request is None:
            raise NotFound("no such priority claim")
        db.lock_stations(session, [request.station_id])
        [request] = db.lock_requests(session, [claim.request_id])
        if claim.status != PENDING:
            raise Conflict(f"claim {claim_id} is {claim.status} already")
        cat = Category(claim.category)
        if score is not None and cat is not Category.CONGESTION_RELIEVER:
            raise InputError("a score is only for congestion relievers", field="score")
        now = utc_now()
        claim.status = ACCEPTED if accept else REJECTED
        claim.decided_by = principal.user_id
        claim.decided_at = now
        claim.reason = reason.strip()
        claim.score = score
        if request.status == WAITING:
            if not accept:
                request.category = Category.NONE.value
                request.evidence = False
                request.contract_signed = False
                request.score = None
            elif cat is Category.CONGESTION_RELIEVER:
                request.contract_signed = True
                request.score = score
            else:
                request.evidence = True
            request.updated_at = now
            domain_request(request)
        audit.append(
            db,
            session,
            actor=principal,
            action="priority.decision",
            obj=f"request:{request.id}",
            inputs={
                "claim": claim_id,
                "accepted": accept,
                "category": cat.value,
                "reason": claim.reason,
                "score": score,
                "request_status": request.status,
            },
            policy=audit.policy_version(reg.policy, now.date()),
        )
        session.flush()
        return claim_view(claim)
