"""Offers: part of a waiting request's kW (or an alternative right) held for the applicant.

An allocation moment makes a partial offer when the whole request does not fit (docs/rules.md,
"Partial offers"); an operator may make one by hand (:func:`make_offer`). Either way the offer
is a granted part ``ID.partN`` with ``offer_status = "offered"``: its room is held on every node
of its path, and the request waits for the rest with its place in the queue. The applicant
answers: :func:`accept_offer` keeps the part as a transport right; :func:`decline_offer` gives
the room back, returns the part's kW to the request and stops further partial offers to it
(``accept_partial`` becomes false: the applicant asked for the whole). An operator may take
back an offer not yet answered (:func:`withdraw_offer`). Every step is one audited transaction.
"""

from __future__ import annotations

import datetime as dt
from typing import TypedDict

from sqlalchemy import select
from sqlalchemy.orm import Session

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.errors import Conflict, InputError, NotFound
from netruimte.register.allocation import split_partial
from netruimte.register.convert import (
    GRANTED,
    WAITING,
    check_day,
    domain_request,
    load_register,
    today,
)
from netruimte.register.grid_state import check_fit, live_rooms, room_before
from netruimte.register.offer_state import ACCEPTED, DECLINED, OFFERED, WITHDRAWN_OFFER
from netruimte.register.requests import (
    GrantAct,
    check_submitted,
    lock_path,
    owned_request,
    record_grant,
    record_withdrawal,
)
from netruimte.storage import Database
from netruimte.storage.tables import Request

__all__ = [
    "OfferView",
    "accept_offer",
    "decline_offer",
    "list_offers",
    "make_offer",
    "offer_view",
    "parent_id",
    "withdraw_offer",
]

PART = ".part"


def parent_id(part_id: str) -> str | None:
    """The request a part ``ID.partN`` belongs to (None for a request that is no part)."""
    head, sep, n = part_id.rpartition(PART)
    return head if sep and n.isdigit() else None


class OfferView(TypedDict):
    """The API's view of an offer (:func:`offer_view`); ``on`` is ISO text."""

    id: str
    request: str | None
    kw: float
    contract: str
    capacity_blocks: list[str] | None
    restricted_kw: float
    on: str | None
    offer_status: str | None
    status: str


def offer_view(row: Request) -> OfferView:
    """The API's view of an offer (a part with an offer status)."""
    return {
        "id": row.id,
        "request": parent_id(row.id),
        "kw": row.kw,
        "contract": row.contract,
        "capacity_blocks": list(row.blocks) if row.blocks is not None else None,
        "restricted_kw": row.restricted_kw,
        "on": row.granted_on.isoformat() if row.granted_on else None,
        "offer_status": row.offer_status,
        "status": row.status,
    }


def _parts(session: Session, request_id: str) -> list[Request]:
    stmt = (
        select(Request)
        .where(
            Request.id.like(
                request_id.replace("%", r"\%").replace("_", r"\_") + PART + "%", escape="\\"
            )
        )
        .order_by(Request.position)
    )
    return [r for r in session.scalars(stmt) if parent_id(r.id) == request_id]


def list_offers(db: Database, principal: Principal, request_id: str) -> list[OfferView]:
    """The offers made on one request, oldest first (404 for another applicant's request)."""
    with db.read() as session:
        owned_request(session, principal, request_id)
        return [offer_view(r) for r in _parts(session, request_id) if r.offer_status]


def make_offer(
    db: Database,
    principal: Principal,
    request_id: str,
    kw: float,
    contract: str | None = None,
    on: dt.date | None = None,
) -> OfferView:
    """Offer ``kw`` of a waiting request (operators), under its own contract or one of the
    alternatives it accepts; the room is held on its path from ``on`` (default today).

    Raises
    ------
    InputError
        ``kw`` not between 0 and the request's kW (a whole offer is a grant), or a contract the
        request does not accept.
    Conflict
        The request is not waiting, was submitted after ``on``, or ``kw`` does not fit.
    """
    require_operator(principal, "make an offer")
    check_day(on, "on")
    with db.write() as session:
        reg = load_register(session)
        rows, stations, path = lock_path(db, session, principal, [request_id])
        row = rows[request_id]
        if row.status != WAITING:
            raise Conflict(f"request {request_id!r} is {row.status}, not waiting")
        if not 0 < kw < row.kw:
            raise InputError(
                f"an offer is part of the request: more than 0 and less than {row.kw:g} kW "
                f"(grant the request to give it all), got {kw:g}",
                field="kw",
            )
        alt = None
        if contract not in (None, "", row.contract):
            choices = {a.contract.value: a for a in domain_request(row).accepts}
            if contract not in choices:
                raise InputError(
                    f"request {request_id!r} accepts {row.contract!r}"
                    + "".join(f" or {c!r}" for c in choices)
                    + f", not {contract!r}",
                    field="contract",
                )
            alt = choices[contract]
        day = on or today(session)
        check_submitted(row, reg.timezone, day)
        rooms = live_rooms(session, stations, day)
        binding = check_fit(rooms, path, row.direction, kw)
        if binding is not None:
            raise Conflict(
                f"{kw:g} kW {row.direction} does not fit at {binding.station} on {day}: "
                f"{binding.room_mw:.3f} MW left"
            )
        now = utc_now()
        part = split_partial(session, row, kw, now)
        if alt is not None:
            part.contract = alt.contract.value
            part.blocks = list(alt.capacity_blocks) if alt.capacity_blocks is not None else None
            part.restricted_kw = alt.restricted_kw
        part.accepts = None
        part.offer_status = OFFERED
        version = audit.policy_version(reg.policy, day)
        record_grant(
            GrantAct(db, session, principal, day, now, version),
            part,
            path,
            room_before(rooms, path, row.direction),
            {"run": None, "offer_of": row.id, "contract": part.contract},
        )
        audit.append(
            db,
            session,
            actor=principal,
            action="offer.make",
            obj=f"request:{row.id}",
            inputs={"part": part.id, "part_kw": kw, "rest_kw": row.kw, "contract": part.contract},
            policy=version,
        )
        session.flush()
        return offer_view(part)


def _answerable(session: Session, principal: Principal, offer_id: str) -> str:
    request_id = parent_id(offer_id)
    if request_id is None:
        raise NotFound(f"no offer {offer_id!r}")
    owned_request(session, principal, offer_id)  # 404 for another applicant's
    return request_id


def accept_offer(db: Database, principal: Principal, offer_id: str) -> OfferView:
    """The applicant keeps the offered part as a transport right.

    Raises
    ------
    Conflict
        The offer was answered or taken back already.
    """
    with db.write() as session:
        reg = load_register(session)
        _answerable(session, principal, offer_id)
        rows, _, _ = lock_path(db, session, principal, [offer_id])
        part = rows[offer_id]
        if part.offer_status != OFFERED:
            raise Conflict(f"offer {offer_id!r} is {part.offer_status or 'no offer'}, not open")
        part.offer_status = ACCEPTED
        part.updated_at = utc_now()
        audit.append(
            db,
            session,
            actor=principal,
            action="offer.accept",
            obj=f"request:{offer_id}",
            inputs={"kw": part.kw, "contract": part.contract},
            policy=audit.policy_version(reg.policy, today(session)),
        )
        session.flush()
        return offer_view(part)


def _give_back(
    db: Database, principal: Principal, offer_id: str, outcome: str, reason: str | None
) -> OfferView:
    with db.write() as session:
        reg = load_register(session)
        request_id = _answerable(session, principal, offer_id)
        rows, _, _ = lock_path(db, session, principal, [offer_id, request_id])
        part, parent = rows[offer_id], rows.get(request_id)
        if part.offer_status != OFFERED or part.status != GRANTED:
            raise Conflict(f"offer {offer_id!r} is {part.offer_status or 'no offer'}, not open")
        now = utc_now()
        part.offer_status = outcome
        version = audit.policy_version(reg.policy, today(session))
        record_withdrawal(
            db,
            session,
            principal,
            part,
            action="offer.decline" if outcome == DECLINED else "offer.withdraw",
            reason=reason,
            policy=version,
            now=now,
        )
        if parent is not None and parent.status == WAITING:
            parent.kw += part.kw
            if outcome == DECLINED:
                parent.accept_partial = False
            parent.updated_at = now
            audit.append(
                db,
                session,
                actor=principal,
                action="offer.return",
                obj=f"request:{request_id}",
                inputs={
                    "part": offer_id,
                    "returned_kw": part.kw,
                    "kw": parent.kw,
                    "accept_partial": parent.accept_partial,
                },
                policy=version,
            )
        session.flush()
        return offer_view(part)


def decline_offer(
    db: Database, principal: Principal, offer_id: str, reason: str | None = None
) -> OfferView:
    """The applicant declines: the room is released, the kW goes back to the waiting request
    (which keeps its place) and it gets no further partial offers.

    Raises
    ------
    Conflict
        The offer was answered or taken back already.
    """
    return _give_back(db, principal, offer_id, DECLINED, reason)


def withdraw_offer(
    db: Database, principal: Principal, offer_id: str, reason: str | None = None
) -> OfferView:
    """The operator takes back an offer not yet answered (room released, kW given back)."""
    require_operator(principal, "withdraw an offer")
    return _give_back(db, principal, offer_id, WITHDRAWN_OFFER, reason)
