"""An applicant's work: file a request, withdraw it, claim priority, answer an offer.

=====================================  ===============  ======================================
page / form                            data-action      service
=====================================  ===============  ======================================
``GET /requests/new``                  (the form)       stations and the choices of each field
``POST /requests/new``                 file-request     ``requests.create_request`` (+ a claim)
``POST /requests/{id}/withdraw``       withdraw         ``requests.withdraw_request``
``POST /requests/{id}/priority-claims`` claim-priority  ``claims.claim_priority`` (+ evidence)
``POST /offers/{id}/accept``           accept-offer     ``offers.accept_offer``
``POST /offers/{id}/decline``          decline-offer    ``offers.decline_offer``
=====================================  ===============  ======================================

Form fields carry the API's names (``station``, ``kw``, ``direction``, ``contract``,
``capacity_blocks``, ``restricted_kw``, ``accepts``, ``accept_partial``, ``category``,
``function``, ``evidence``). ``accepts`` is a checkbox per alternative contract; a time-block
alternative takes its blocks and level from ``accepts.time-block.capacity_blocks`` and
``accepts.time-block.restricted_kw``. Priority is asked for with the filing: the request is
filed, then a claim with the evidence (text, and a file kept by its SHA-256 that operators
can open) goes to the operator, as through the API.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy import select
from starlette.datastructures import FormData

from netruimte.errors import InputError
from netruimte.register import evidence, offers
from netruimte.register import requests as svc
from netruimte.register.claims import ClaimView
from netruimte.storage import Database
from netruimte.storage.tables import Station
from netruimte.waitlist.requests import FUNCTIONS, Category, Contract
from netruimte.web.deps import Db, TextId
from netruimte.web.pages.actions import (
    answer,
    call,
    call_with_reason,
    database,
    read_form,
    text,
    texts,
    upload,
)
from netruimte.web.pages.forms import Param, parse_day, parse_float, text_field
from netruimte.web.pages.render import PageRoute, render, signed_in, wants_json

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

ALTERNATIVES = ("tdtr", "time-block", "non-firm")


def _choices(db: Database) -> dict[str, Any]:
    with db.read() as session:
        stations = [
            {"id": s.id, "name": s.name}
            for s in session.scalars(select(Station).order_by(Station.position, Station.id))
        ]
    return {
        "stations": stations,
        "directions": ["offtake", "feed-in"],
        "contracts": [c.value for c in Contract],
        "alternatives": list(ALTERNATIVES),
        "categories": [c.value for c in Category],
        "functions": sorted(FUNCTIONS),
    }


def _blocks(value: str | None, field: str) -> list[str] | None:
    if value is None or not value.strip():
        return None
    return [b.strip() for b in value.replace(";", ",").split(",") if b.strip()]


def request_fields(form: FormData) -> dict[str, Any]:
    """The API's request fields from the form (what an applicant may give)."""
    fields: dict[str, Any] = {}
    station = text_field(text(form, "station"), "station", max_length=100)
    if station is None:
        raise InputError("choose the station you connect to", field="station")
    fields["station"] = station
    kw = parse_float(text(form, "kw"), "kw", low=0.001, high=1e7)
    if kw is None:
        raise InputError("give the capacity you need in kW", field="kw")
    fields["kw"] = kw
    for name in ("direction", "contract", "function", "applicant", "ean"):
        value = text_field(text(form, name), name)
        if value is not None:
            fields[name] = value
    blocks = _blocks(text(form, "capacity_blocks"), "capacity_blocks")
    if blocks is not None:
        fields["capacity_blocks"] = blocks
    restricted = parse_float(text(form, "restricted_kw"), "restricted_kw")
    if restricted is not None:
        fields["restricted_kw"] = restricted
    kv = parse_float(text(form, "connection_kv"), "connection_kv", low=0.001, high=1000)
    if kv is not None:
        fields["connection_kv"] = kv
    needed = parse_day(text(form, "needed"), "needed")
    if needed is not None:
        fields["needed"] = needed
    fields["accept_partial"] = text(form, "accept_partial") is not None
    if text(form, "small_consumer") is not None:
        fields["small_consumer"] = True
    accepts: list[dict[str, Any]] = []
    for contract in texts(form, "accepts"):
        if contract not in ALTERNATIVES:
            raise InputError(
                f"unknown alternative {contract!r}; expected {' | '.join(ALTERNATIVES)}",
                field="accepts",
            )
        if contract == "time-block":
            alt: dict[str, Any] = {"contract": contract}
            alt_blocks = _blocks(
                text(form, "accepts.time-block.capacity_blocks"),
                "accepts.time-block.capacity_blocks",
            )
            if alt_blocks is not None:
                alt["capacity_blocks"] = alt_blocks
            level = parse_float(
                text(form, "accepts.time-block.restricted_kw"), "accepts.time-block.restricted_kw"
            )
            if level is not None:
                alt["restricted_kw"] = level
            accepts.append(alt)
        else:
            accepts.append({"contract": contract})
    if accepts:
        fields["accepts"] = accepts
    return fields


@router.get("/requests/new", name="new_request_page")
def new_request(
    request: Request,
    db: Db,
    station: Param = None,
) -> Response:
    """The form to file a request (its JSON twin: the choices of every field)."""
    signed_in(request)
    data = {**_choices(db), "form": {"station": station} if station else {}, "error": None}
    return render(request, "request_new.html", data, title="File a request")


async def _claim(
    request: Request, db: Database, who: Any, request_id: str, form: FormData
) -> ClaimView | None:
    category = text_field(text(form, "category"), "category", max_length=40)
    if category in (None, "none"):
        return None
    description = text(form, "evidence") or ""
    file = await upload(form, "evidence_file", request.app.state.settings.max_upload_bytes)
    function = text_field(text(form, "function"), "function", max_length=60)
    return await call(
        evidence.claim_with_evidence, db, who, request_id, category, description, function, file
    )


@router.post("/requests/new", name="file_request")
async def file_request(request: Request) -> Response:
    """File the request (and its priority claim); a person goes on to the request's page."""
    who, form = await read_form(request, max_files=1)
    db = database(request)
    try:
        fields = request_fields(form)
        category = text_field(text(form, "category"), "category", max_length=40)
        if category not in (None, "none"):  # check the claim before anything is filed
            evidence.check_claim(category, text(form, "evidence"), fields.get("function"))
        view = await call(svc.create_request, db, who, fields)
    except InputError as exc:
        if wants_json(request):
            raise
        data = {
            **await call(_choices, db),
            "form": {k: v for k, v in form.items() if isinstance(v, str) and k != "csrf_token"},
            "accepts": texts(form, "accepts"),
            "error": {"message": str(exc), "field": exc.field},
        }
        return render(request, "request_new.html", data, title="File a request", status=422)
    claim = await _claim(request, db, who, view["id"], form)
    return answer(request, {**view, "claim": claim}, f"/requests/{view['id']}", 201)


@router.post("/requests/{request_id}/withdraw", name="withdraw_request_form")
async def withdraw(request: Request, request_id: TextId) -> Response:
    """Withdraw the request (a granted one frees its capacity)."""
    view = await call_with_reason(request, svc.withdraw_request, request_id)
    return answer(request, view, f"/requests/{request_id}")


@router.post("/requests/{request_id}/priority-claims", name="claim_priority_form")
async def claim(request: Request, request_id: TextId) -> Response:
    """Claim a priority category with evidence (text and an optional file)."""
    who, form = await read_form(request, max_files=1)
    if text_field(text(form, "category"), "category", max_length=40) in (None, "none"):
        raise InputError("choose the priority category you claim", field="category")
    view = await _claim(request, database(request), who, request_id, form)
    return answer(request, view, f"/requests/{request_id}", 201)


def _back(offer_id: str) -> str:
    return f"/requests/{offers.parent_id(offer_id) or offer_id}"


@router.post("/offers/{offer_id}/accept", name="accept_offer_form")
async def accept(request: Request, offer_id: TextId) -> Response:
    """Accept an offer: the part becomes the applicant's transport right."""
    who, _ = await read_form(request)
    view = await call(offers.accept_offer, database(request), who, offer_id)
    return answer(request, view, _back(offer_id))


@router.post("/offers/{offer_id}/decline", name="decline_offer_form")
async def decline(request: Request, offer_id: TextId) -> Response:
    """Decline an offer: the room goes back, the request waits for the whole."""
    view = await call_with_reason(request, offers.decline_offer, offer_id)
    return answer(request, view, _back(offer_id))
