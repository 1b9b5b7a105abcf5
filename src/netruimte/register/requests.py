"""Requests on the waiting list: create, read, withdraw, grant, attach a site-plan annex.

Who may set what. An applicant files a request for itself: station, kW, direction, contract and
the connection's details; the time of submission is the server's clock (nobody can move
forward in first-come-first-served by backdating). Priority comes only through a claim with
evidence that an operator decides (:mod:`netruimte.register.claims`). An operator
may set every field, file on behalf of an applicant (``owner``) and grant capacity.

A grant is one transaction: the station rows on the request's path are locked, the request row
is locked and checked to be waiting, the headroom on the grant date is computed from the granted
MW committed so far, and the grant is written with its audit entry. Two grants that share a
node therefore run one after the other, and no node is ever allocated beyond its capacity.
"""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, own_rows, require_operator
from netruimte.errors import Conflict, Forbidden, InputError, NotFound
from netruimte.register.convert import (
    GRANTED,
    WAITING,
    WITHDRAWN,
    accepts_json,
    accepts_of,
    check_day,
    domain_request,
    load_register,
    new_request_row,
    paths,
    request_fields,
    today,
)
from netruimte.register.grid_state import check_fit, live_rooms, room_before
from netruimte.storage import Database, next_position
from netruimte.storage.tables import Request, Station, User
from netruimte.waitlist import Request as WaitRequest
from netruimte.waitlist import eligible_category
from netruimte.waitlist.requests import BLOCKS_REFUSED

__all__ = [
    "APPLICANT_FIELDS",
    "OPERATOR_FIELDS",
    "GrantAct",
    "RequestPage",
    "RequestView",
    "check_submitted",
    "create_request",
    "get_request",
    "grant_request",
    "list_requests",
    "lock_path",
    "owned_request",
    "record_grant",
    "record_withdrawal",
    "request_view",
    "update_request",
    "withdraw_request",
]

APPLICANT_FIELDS = frozenset(
    {
        "station",
        "kw",
        "direction",
        "contract",
        "small_consumer",
        "function",
        "ean",
        "needed",
        "capacity_blocks",
        "restricted_kw",
        "accepts",
        "accept_partial",
        "connection_kv",
        "applicant",
    }
)
"""Fields an applicant may give when filing a request."""

OPERATOR_FIELDS = APPLICANT_FIELDS | {
    "id",
    "owner",
    "submitted",
    "category",
    "evidence",
    "contract_signed",
    "score",
    "used_kw",
    "withdraw_per_year",
    "withdrawn",
}
"""Fields only an operator may give (priority, submission time, ownership…)."""

_UPDATABLE = frozenset(
    {
        "owner", "applicant", "kw", "contract", "function", "ean", "used_kw",
        "withdraw_per_year", "accepts", "accept_partial", "connection_kv",
    }
)  # fmt: skip
_REQUIRED = frozenset({"applicant", "kw", "contract", "accept_partial"})
"""Fields every request has: a change may not set them to null."""


class RequestView(TypedDict):
    """The API's view of a request (:func:`request_view`); dates and times are ISO text."""

    id: str
    owner: str | None
    applicant: str
    station: str
    direction: str
    kw: float
    submitted: str
    category: str
    eligible_category: str | None
    function: str | None
    evidence: bool
    contract: str
    small_consumer: bool
    contract_signed: bool
    score: float | None
    ean: str | None
    needed: str | None
    capacity_blocks: list[str] | None
    restricted_kw: float
    accepts: list[dict[str, Any]]
    accept_partial: bool
    connection_kv: float | None
    used_kw: float | None
    withdraw_per_year: float | None
    withdrawn: str | None
    profile_csv: str | None
    has_profile: bool
    site_plan_id: int | None
    status: str
    granted_on: str | None
    granted_at: str | None
    withdrawn_at: str | None
    created_at: str
    updated_at: str


class RequestPage(TypedDict):
    """One page of requests (:func:`list_requests`)."""

    total: int
    limit: int
    offset: int
    items: list[RequestView]


def request_view(row: Request, owner: str | None = None) -> RequestView:
    """The API's view of a request."""
    try:
        eligible: str | None = eligible_category(domain_request(row)).value
    except InputError:
        eligible = None
    return {
        "id": row.id,
        "owner": owner,
        "applicant": row.applicant,
        "station": row.station_id,
        "direction": row.direction,
        "kw": row.kw,
        "submitted": row.submitted.astimezone(dt.UTC).isoformat(),
        "category": row.category,
        "eligible_category": eligible,
        "function": row.function,
        "evidence": row.evidence,
        "contract": row.contract,
        "small_consumer": row.small_consumer,
        "contract_signed": row.contract_signed,
        "score": row.score,
        "ean": row.ean,
        "needed": row.needed.isoformat() if row.needed else None,
        "capacity_blocks": row.blocks,
        "restricted_kw": row.restricted_kw,
        "accepts": row.accepts or [],
        "accept_partial": row.accept_partial,
        "connection_kv": row.connection_kv,
        "used_kw": row.used_kw,
        "withdraw_per_year": row.withdraw_per_year,
        "withdrawn": row.withdrawn.isoformat() if row.withdrawn else None,
        "profile_csv": row.profile_csv,
        "has_profile": row.profile_kw is not None,
        "site_plan_id": row.site_plan_id,
        "status": row.status,
        "granted_on": row.granted_on.isoformat() if row.granted_on else None,
        "granted_at": row.granted_at.isoformat() if row.granted_at else None,
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "created_at": row.created_at.isoformat(),
        "updated_at": row.updated_at.isoformat(),
    }


def _owner_name(session: Session, owner_id: int | None) -> str | None:
    if owner_id is None:
        return None
    user = session.get(User, owner_id)
    return user.name if user is not None else None


def owned_request(session: Session, principal: Principal, request_id: str) -> Request:
    """The request, if the principal may see it; NotFound otherwise (never 403)."""
    row = session.get(Request, request_id)
    if row is None or not principal.owns(row.owner_id):
        raise NotFound(f"no request {request_id!r}")
    return row


def get_request(db: Database, principal: Principal, request_id: str) -> RequestView:
    """One request (own requests only for applicants)."""
    with db.read() as session:
        row = owned_request(session, principal, request_id)
        return request_view(row, _owner_name(session, row.owner_id))


def list_requests(
    db: Database,
    principal: Principal,
    *,
    status: str | None = None,
    station: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> RequestPage:
    """Requests by position (applicants see their own only)."""
    if status is not None and status not in (WAITING, GRANTED, WITHDRAWN):
        raise InputError(
            f"unknown status {status!r}; expected waiting | granted | withdrawn", field="status"
        )
    with db.read() as session:
        stmt = own_rows(select(Request), principal, Request.owner_id)
        if status is not None:
            stmt = stmt.where(Request.status == status)
        if station is not None:
            stmt = stmt.where(Request.station_id == station)
        total = session.scalar(select(func.count()).select_from(stmt.subquery())) or 0
        rows = session.scalars(
            stmt.order_by(Request.position, Request.id).limit(limit).offset(offset)
        ).all()
        names = {u.id: u.name for u in session.scalars(select(User))}
        items = [request_view(r, names.get(r.owner_id or -1)) for r in rows]
    return {"total": total, "limit": limit, "offset": offset, "items": items}


def _new_id(session: Session) -> str:
    while True:
        candidate = f"REQ-{secrets.token_hex(5).upper()}"
        if session.get(Request, candidate) is None:
            return candidate


def _user_id(session: Session, name: str) -> int:
    user = session.scalars(select(User).where(User.name == name)).one_or_none()
    if user is None:
        raise InputError(f"no user named {name!r}", field="owner")
    return user.id


def create_request(db: Database, principal: Principal, fields: Mapping[str, Any]) -> RequestView:
    """File a request (see the module docstring for who may set which field)."""
    allowed = OPERATOR_FIELDS if principal.is_operator else APPLICANT_FIELDS
    if fields.get("blocks") is not None:
        raise InputError(BLOCKS_REFUSED, field="blocks")
    for key in fields:
        if key not in allowed and not (key == "blocks" and fields[key] is None):
            if key in OPERATOR_FIELDS:
                raise Forbidden(
                    f"only an operator may set '{key}' (priority comes through a claim with "
                    "evidence: POST /api/v1/requests/{id}/priority-claims)"
                )
            raise InputError(f"unknown field {key!r}", field=key)
    for key in ("station", "kw"):
        if fields.get(key) is None:
            raise InputError(f"a request needs '{key}'", field=key)
    for key in ("submitted", "needed", "withdrawn"):
        check_day(fields.get(key), key)
    now = utc_now()
    with db.write() as session:
        reg = load_register(session)
        station = session.get(Station, str(fields["station"]))
        if station is None:
            raise InputError(f"unknown station {fields['station']!r}", field="station")
        rid = fields.get("id") or _new_id(session)
        if session.get(Request, rid) is not None:
            raise Conflict(f"a request {rid!r} exists already")
        if principal.is_operator:
            owner_id = _user_id(session, fields["owner"]) if fields.get("owner") else None
        else:
            owner_id = principal.user_id
        submitted = fields.get("submitted") or now
        if isinstance(submitted, dt.datetime) and submitted.tzinfo is None:
            submitted = submitted.replace(tzinfo=ZoneInfo(reg.timezone))
        blocks = fields.get("capacity_blocks")
        pure = WaitRequest(
            id=rid,
            station=station.id,
            kw=fields["kw"],
            submitted=submitted,
            direction=fields.get("direction") or "offtake",  # type: ignore[arg-type]
            applicant=fields.get("applicant") or principal.name,
            category=fields.get("category") or "none",  # type: ignore[arg-type]
            function=fields.get("function"),
            evidence=bool(fields.get("evidence", False)),
            contract=fields.get("contract") or "firm",  # type: ignore[arg-type]
            small_consumer=bool(fields.get("small_consumer", False)),
            contract_signed=bool(fields.get("contract_signed", False)),
            score=fields.get("score"),
            ean=fields.get("ean"),
            needed=fields.get("needed"),
            capacity_blocks=tuple(blocks) if blocks is not None else None,
            restricted_kw=fields.get("restricted_kw") or 0.0,
            used_kw=fields.get("used_kw"),
            withdraw_per_year=fields.get("withdraw_per_year"),
            withdrawn=fields.get("withdrawn"),
            accept_partial=bool(fields.get("accept_partial", True)),
            connection_kv=fields.get("connection_kv"),
            accepts=accepts_of(fields.get("accepts")),
        )
        position = next_position(session, Request.position)
        row = new_request_row(pure, position=position, owner_id=owner_id, now=now)
        session.add(row)
        session.flush()
        inputs = {k: v for k, v in request_fields(pure).items() if k != "profile_kw"}
        audit.append(
            db,
            session,
            actor=principal,
            action="request.create",
            obj=f"request:{rid}",
            inputs={**inputs, "owner_id": owner_id},
            policy=audit.policy_version(reg.policy, now.date()),
        )
        return request_view(row, _owner_name(session, owner_id))


def update_request(
    db: Database, principal: Principal, request_id: str, fields: Mapping[str, Any]
) -> RequestView:
    """Operator changes to a request's details (not its status or priority)."""
    require_operator(principal, "change a request's details")
    for key in fields:
        if key not in _UPDATABLE:
            changeable = ", ".join(sorted(_UPDATABLE))
            raise InputError(
                f"field {key!r} cannot be changed here; changeable: {changeable}", field=key
            )
        if fields[key] is None and key in _REQUIRED:
            raise InputError(f"{key} cannot be removed (null); give a value", field=key)
    with db.write() as session:
        reg = load_register(session)
        row = owned_request(session, principal, request_id)
        stations = list(session.scalars(select(Station)))
        db.lock_stations(session, paths(stations).get(row.station_id, (row.station_id,)))
        [row] = db.lock_requests(session, [request_id])
        if "kw" in fields and row.status != WAITING:
            raise Conflict(
                f"request {request_id!r} is {row.status}; only a waiting request's kW can change"
            )
        before = {k: getattr(row, "owner_id" if k == "owner" else k) for k in fields}
        for key, value in fields.items():
            if key == "owner":
                row.owner_id = _user_id(session, value) if value else None
            elif key == "accepts":
                row.accepts = accepts_json(accepts_of(value))
            else:
                setattr(row, key, value)
        domain_request(row)  # validate the result as a whole
        row.updated_at = utc_now()
        audit.append(
            db,
            session,
            actor=principal,
            action="request.update",
            obj=f"request:{request_id}",
            inputs={"before": before, "after": dict(fields)},
            policy=audit.policy_version(reg.policy, utc_now().date()),
        )
        session.flush()
        return request_view(row, _owner_name(session, row.owner_id))


def lock_path(
    db: Database, session: Session, principal: Principal, ids: Sequence[str]
) -> tuple[dict[str, Request], list[Station], tuple[str, ...]]:
    """Check that ``principal`` may change ``ids[0]``, lock its path's stations, then the rows
    ``ids`` (the service's lock order: stations first); the rows by id, every station and the
    path."""
    first = owned_request(session, principal, ids[0])
    stations = list(session.scalars(select(Station)))
    path = paths(stations).get(first.station_id, (first.station_id,))
    db.lock_stations(session, path)
    rows = {r.id: r for r in db.lock_requests(session, list(ids))}
    if ids[0] not in rows:
        raise NotFound(f"no request {ids[0]!r}")
    return rows, stations, path


def _lock_for_change(
    db: Database, session: Session, principal: Principal, request_id: str
) -> tuple[Request, list[Station], tuple[str, ...]]:
    rows, stations, path = lock_path(db, session, principal, [request_id])
    return rows[request_id], stations, path


def record_withdrawal(
    db: Database,
    session: Session,
    principal: Principal,
    row: Request,
    *,
    action: str,
    reason: str | None,
    policy: str,
    now: dt.datetime,
    extra: Mapping[str, Any] | None = None,
) -> None:
    """Mark ``row`` withdrawn at ``now`` and append its audit entry (``action``, with the MW it
    releases: all of it when it was granted), in the caller's transaction.

    One place for withdrawing a request (:func:`withdraw_request`) and an offered part
    (:mod:`netruimte.register.offers`); ``extra`` adds fields to the audit entry.
    """
    previous = row.status
    row.status = WITHDRAWN
    row.withdrawn_at = now
    row.updated_at = now
    audit.append(
        db,
        session,
        actor=principal,
        action=action,
        obj=f"request:{row.id}",
        inputs={
            **(extra or {}),
            "kw": row.kw,
            "direction": row.direction,
            "station": row.station_id,
            "released_mw": row.kw / 1000.0 if previous == GRANTED else 0.0,
            "reason": reason,
        },
        policy=policy,
    )


def check_submitted(row: Request, timezone: str, day: dt.date) -> None:
    """Raise Conflict when ``row`` was submitted after ``day`` (its local date in ``timezone``):
    nothing is granted or offered before it was asked for."""
    submitted = row.submitted.astimezone(ZoneInfo(timezone)).date()
    if submitted > day:
        raise Conflict(f"request {row.id!r} was submitted on {submitted}, after {day}")


def withdraw_request(
    db: Database, principal: Principal, request_id: str, reason: str | None = None
) -> RequestView:
    """Withdraw a waiting or granted request (a granted one frees its capacity)."""
    with db.write() as session:
        reg = load_register(session)
        row, _, _ = _lock_for_change(db, session, principal, request_id)
        if row.status == WITHDRAWN:
            raise Conflict(f"request {request_id!r} is withdrawn already")
        now = utc_now()
        record_withdrawal(
            db,
            session,
            principal,
            row,
            action="request.withdraw",
            reason=reason,
            policy=audit.policy_version(reg.policy, now.date()),
            now=now,
            extra={"previous_status": row.status},
        )
        session.flush()
        return request_view(row, _owner_name(session, row.owner_id))


@dataclass(frozen=True)
class GrantAct:
    """What every grant written in one transaction shares: who grants, on which day, the
    clock time, the policy version, and the transaction itself."""

    db: Database
    session: Session
    principal: Principal
    day: dt.date
    now: dt.datetime
    policy: str


def record_grant(
    act: GrantAct,
    row: Request,
    path: Sequence[str],
    room_before_mw: Mapping[str, float],
    run: Mapping[str, Any],
) -> None:
    """Mark ``row`` granted on ``act.day`` and append its audit entry, in ``act``'s transaction.

    One place for a grant by hand (:func:`grant_request`), by an offer
    (:mod:`netruimte.register.offers`) and by an allocation moment
    (:mod:`netruimte.register.allocation`); ``run`` adds that moment's run id, rank and
    category (or ``{"run": None}``).
    """
    row.status = GRANTED
    row.granted_on = act.day
    row.granted_at = act.now
    row.updated_at = act.now
    audit.append(
        act.db,
        act.session,
        actor=act.principal,
        action="request.grant",
        obj=f"request:{row.id}",
        inputs={
            "on": act.day,
            "kw": row.kw,
            "direction": row.direction,
            "path": list(path),
            "room_before_mw": dict(room_before_mw),
            **run,
        },
        policy=act.policy,
    )


def grant_request(
    db: Database, principal: Principal, request_id: str, on: dt.date | None = None
) -> RequestView:
    """Grant a waiting request on ``on`` (default today) if it fits on every node of its path.

    Raises
    ------
    Conflict
        Not waiting, submitted after ``on``, or no room on some node (named, with its room).
    """
    require_operator(principal, "grant capacity")
    check_day(on, "on")
    with db.write() as session:
        reg = load_register(session)
        row, stations, path = _lock_for_change(db, session, principal, request_id)
        if row.status != WAITING:
            raise Conflict(f"request {request_id!r} is {row.status}, not waiting")
        day = on or today(session)
        check_submitted(row, reg.timezone, day)
        rooms = live_rooms(session, stations, day)
        binding = check_fit(rooms, path, row.direction, row.kw)
        if binding is not None:
            raise Conflict(
                f"request {request_id!r} ({row.kw:g} kW {row.direction}) does not fit at "
                f"{binding.station} on {day}: {binding.room_mw:.3f} MW left"
            )
        act = GrantAct(
            db, session, principal, day, utc_now(), audit.policy_version(reg.policy, day)
        )
        record_grant(act, row, path, room_before(rooms, path, row.direction), {"run": None})
        session.flush()
        return request_view(row, _owner_name(session, row.owner_id))
