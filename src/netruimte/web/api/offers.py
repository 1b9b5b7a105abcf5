"""Offers: a part of a waiting request held for the applicant (make, accept, decline, withdraw)."""

from __future__ import annotations

from pydantic import BaseModel, Field

from netruimte.register import offers
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.common import Day, Num, list_of, model_of
from netruimte.web.deps import Caller, Db, TextId

__all__ = ["router"]

router = resource_router("offers")


class OfferIn(BaseModel):
    """An operator's offer of part of a waiting request."""

    model_config = {"extra": "forbid"}
    kw: Num = Field(gt=0, le=1e7, allow_inf_nan=False)
    contract: str | None = Field(None, max_length=20)
    on: Day | None = None


class AnswerIn(BaseModel):
    """Why an offer is declined or taken back (optional)."""

    model_config = {"extra": "forbid"}
    reason: str | None = Field(None, max_length=2000)


OfferOut = model_of(
    offers.OfferView,
    "OfferOut",
    "An offer: a granted part ``ID.partN`` and the applicant's answer.",
)


@router.get("/requests/{request_id}/offers", response_model=list_of(OfferOut), summary="Offers")
def list_offers(db: Db, caller: Caller, request_id: TextId) -> list[offers.OfferView]:
    """The offers made on a request, oldest first."""
    return offers.list_offers(db, caller, request_id)


@router.post(
    "/requests/{request_id}/offers", response_model=OfferOut, status_code=201, summary="Offer"
)
def make_offer(db: Db, caller: Caller, request_id: TextId, body: OfferIn) -> offers.OfferView:
    """Offer part of a waiting request's kW (operators); the room is held until answered."""
    return offers.make_offer(db, caller, request_id, body.kw, body.contract, body.on)


@router.post("/offers/{offer_id}/accept", response_model=OfferOut, summary="Accept an offer")
def accept_offer(db: Db, caller: Caller, offer_id: TextId) -> offers.OfferView:
    """The applicant keeps the offered part as a transport right."""
    return offers.accept_offer(db, caller, offer_id)


@router.post("/offers/{offer_id}/decline", response_model=OfferOut, summary="Decline an offer")
def decline_offer(
    db: Db, caller: Caller, offer_id: TextId, body: AnswerIn | None = None
) -> offers.OfferView:
    """The applicant declines: room released, the kW back on the request."""
    return offers.decline_offer(db, caller, offer_id, body.reason if body else None)


@router.post("/offers/{offer_id}/withdraw", response_model=OfferOut, summary="Withdraw an offer")
def withdraw_offer(
    db: Db, caller: Caller, offer_id: TextId, body: AnswerIn | None = None
) -> offers.OfferView:
    """The operator takes back an offer not yet answered."""
    return offers.withdraw_offer(db, caller, offer_id, body.reason if body else None)
