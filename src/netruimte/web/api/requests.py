"""Requests, priority claims and site-plan annexes."""

from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import Query

from netruimte.register import claims
from netruimte.register import requests as svc
from netruimte.sites import stored_plans as siteplans
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.requests import (
    AnnexIn,
    ClaimDecisionIn,
    ClaimIn,
    ClaimOut,
    GrantIn,
    RequestIn,
    RequestOut,
    RequestPage,
    RequestPatch,
    WithdrawIn,
)
from netruimte.web.deps import TEXT_ID_PATTERN, Caller, Db, IntId, TextId

__all__ = ["router"]

router = resource_router("requests")

Status = Literal["waiting", "granted", "withdrawn"]


def _given(model: Any) -> dict[str, Any]:
    """The fields the caller actually gave (explicit nulls count as not given)."""
    return {k: v for k, v in model.model_dump(exclude_unset=True).items() if v is not None}


@router.get("/requests", response_model=RequestPage, summary="List requests")
def list_requests(
    db: Db,
    caller: Caller,
    status: Annotated[Status | None, Query()] = None,
    station: Annotated[str | None, Query(max_length=100, pattern=TEXT_ID_PATTERN)] = None,
    limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    offset: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> svc.RequestPage:
    """Requests in the register's order; applicants see only their own."""
    return svc.list_requests(db, caller, status=status, station=station, limit=limit, offset=offset)


@router.post("/requests", response_model=RequestOut, status_code=201, summary="File a request")
def create_request(db: Db, caller: Caller, body: RequestIn) -> svc.RequestView:
    """File a request. Applicants give the connection (submission time is the server's);
    priority comes through a claim. Operators may set every field and an ``owner``."""
    return svc.create_request(db, caller, _given(body))


@router.get("/requests/{request_id}", response_model=RequestOut, summary="One request")
def get_request(db: Db, caller: Caller, request_id: TextId) -> svc.RequestView:
    """One request (404 for another applicant's)."""
    return svc.get_request(db, caller, request_id)


@router.patch("/requests/{request_id}", response_model=RequestOut, summary="Change details")
def update_request(
    db: Db, caller: Caller, request_id: TextId, body: RequestPatch
) -> svc.RequestView:
    """Operator changes to a request's details (owner, applicant name, kW while waiting…)."""
    return svc.update_request(db, caller, request_id, body.model_dump(exclude_unset=True))


@router.post(
    "/requests/{request_id}/withdraw", response_model=RequestOut, summary="Withdraw a request"
)
def withdraw_request(
    db: Db, caller: Caller, request_id: TextId, body: WithdrawIn | None = None
) -> svc.RequestView:
    """Withdraw a waiting or granted request (a granted one frees its capacity)."""
    return svc.withdraw_request(db, caller, request_id, body.reason if body else None)


@router.post("/requests/{request_id}/grant", response_model=RequestOut, summary="Grant capacity")
def grant_request(
    db: Db, caller: Caller, request_id: TextId, body: GrantIn | None = None
) -> svc.RequestView:
    """Grant a waiting request if it fits on every node of its path (operators)."""
    return svc.grant_request(db, caller, request_id, body.on if body else None)


@router.post(
    "/requests/{request_id}/priority-claims",
    response_model=ClaimOut,
    status_code=201,
    summary="Claim priority",
)
def claim_priority(db: Db, caller: Caller, request_id: TextId, body: ClaimIn) -> claims.ClaimView:
    """Ask for a priority category with a description of the evidence."""
    return claims.claim_priority(
        db, caller, request_id, body.category, body.evidence, function=body.function
    )


@router.get(
    "/requests/{request_id}/priority-claims",
    response_model=list[ClaimOut],
    summary="A request's claims",
)
def request_claims(db: Db, caller: Caller, request_id: TextId) -> list[claims.ClaimView]:
    """The claims filed on one request."""
    return claims.list_claims(db, caller, request_id=request_id)


@router.post(
    "/requests/{request_id}/annex", response_model=RequestOut, summary="Attach a site plan"
)
def attach_annex(db: Db, caller: Caller, request_id: TextId, body: AnnexIn) -> svc.RequestView:
    """Attach a done site plan: the request gets its import profile (and its import kW)."""
    return siteplans.attach_annex(db, caller, request_id, body.site_plan_id, adopt=body.adopt)


@router.get("/priority-claims", response_model=list[ClaimOut], summary="List claims")
def list_claims(
    db: Db,
    caller: Caller,
    status: Annotated[Literal["pending", "accepted", "rejected"] | None, Query()] = None,
) -> list[claims.ClaimView]:
    """Claims (applicants: on their own requests)."""
    return claims.list_claims(db, caller, status=status)


@router.get("/priority-claims/{claim_id}", response_model=ClaimOut, summary="One claim")
def get_claim(db: Db, caller: Caller, claim_id: IntId) -> claims.ClaimView:
    """One claim (404 for another applicant's)."""
    return claims.get_claim(db, caller, claim_id)


@router.post(
    "/priority-claims/{claim_id}/decision", response_model=ClaimOut, summary="Decide a claim"
)
def decide_claim(
    db: Db, caller: Caller, claim_id: IntId, body: ClaimDecisionIn
) -> claims.ClaimView:
    """Accept or reject a pending claim (operators)."""
    return claims.decide_claim(db, caller, claim_id, body.accept, body.reason, body.score)
