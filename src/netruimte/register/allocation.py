"""Allocation moments: apply the policy now and grant what fits.

The waiting requests are ranked at one moment and those that fit are granted, in one
transaction that locks every station row first. The walk is the same engine as the forecast
(profile fit when the register has load profiles, partial offers: a partial offer becomes a
granted part ``ID.partN`` and the rest keeps its place; alternative rights from ``accepts`` at
the request's rank, after which the row holds the right it was granted; small consumers before
2026-07-01 from their station's reserve, outside the queue), and in peak mode each grant is
checked again against the live headroom before it is written. The ranking and every grant are
audit entries.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from netruimte._util import utc_now
from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.jobs import queue as jobs
from netruimte.register import convert
from netruimte.register.grid_state import NodeRoom, check_fit, live_rooms, room_before
from netruimte.register.offer_state import OFFERED
from netruimte.register.requests import GrantAct, record_grant
from netruimte.register.run_store import (
    ALLOCATE,
    RunView,
    checked_choice,
    owners,
    run_view,
    store_result,
)
from netruimte.storage import Database, next_position
from netruimte.storage.tables import Request, Run
from netruimte.waitlist import Fit, Policy, simulate

__all__ = ["allocate", "split_partial"]


def allocate(
    db: Database,
    principal: Principal,
    *,
    on: dt.date | None = None,
    policy: str | None = None,
    fit: str | None = None,
) -> RunView:
    """An allocation moment on ``on`` (default today): rank, grant what fits, audit it all."""
    require_operator(principal, "run an allocation moment")
    convert.check_day(on, "on")
    pol = checked_choice(Policy, policy, "policy")
    fit_ = checked_choice(Fit, fit, "fit")
    with db.write() as session:
        reg = convert.load_register(session)
        stations = db.lock_all_stations(session)
        day = on or convert.today(session)
        # the same engine as a forecast: profile fit when the register has load profiles,
        # and partial offers (docs/rules.md)
        scenario = convert.moment_scenario(session, day, stations=stations)
        used_policy, used_fit = pol or reg.policy, fit_ or reg.fit
        result = simulate(scenario, policy=used_policy, fit=used_fit)
        winners = [o for o in result.requests if o.granted_on == day]
        partials = [
            o
            for o in result.requests
            if o.granted_on is None and any(x.on == day for x in o.offers)
        ]
        rows = {r.id: r for r in db.lock_requests(session, [o.id for o in (*winners, *partials)])}
        peak = result.capacity == "peak"
        rooms = live_rooms(session, stations, day)
        path_of = convert.paths(stations)
        version = audit.policy_version(used_policy, day)
        now = utc_now()
        run = Run(
            kind=ALLOCATE,
            status=jobs.DONE,
            policy=used_policy,
            fit=used_fit,
            compare=None,
            runs=1,
            seed=None,
            start=day,
            end=day + dt.timedelta(days=1),
            created_by=principal.user_id,
            created_at=now,
            finished_at=now,
            granted_count=len(winners),
        )
        session.add(run)
        session.flush()
        ranking: dict[str, list[dict[str, Any]]] = {}
        for out in sorted(result.requests, key=lambda o: (o.station, o.direction, o.rank or 0)):
            if out.rank is not None:
                ranking.setdefault(f"{out.station}/{out.direction.value}", []).append(
                    {"id": out.id, "category": out.category.value, "rank": out.rank}
                )
        audit.append(
            db,
            session,
            actor=principal,
            action="run.ranking",
            obj=f"run:{run.id}",
            inputs={"on": day, "fit": used_fit, "ranking": ranking},
            policy=version,
        )
        act = GrantAct(db, session, principal, day, now, version)
        for out in winners:
            row = _still_waiting(rows, out.id)
            path = path_of[row.station_id]
            granted_as = _take_right(row, out.offers[-1].contract.value if out.offers else None)
            moment: dict[str, Any] = {"run": run.id, "category": out.category.value}
            if out.outside_queue:  # a small consumer from reserved room, not queue headroom
                record_grant(act, row, path, {}, {**moment, "outside_queue": True})
                continue
            binding = check_fit(rooms, path, row.direction, row.kw)
            if peak and binding is not None:  # the engine and the live rule must agree
                raise RuntimeError(
                    f"allocation engine granted {out.id} but {binding.station} has only "
                    f"{binding.room_mw:.6f} MW left; nothing was written"
                )
            before = _take_room(rooms, path, row.direction, row.kw)
            alternative = {"alternative": granted_as} if granted_as else {}
            record_grant(act, row, path, before, {**moment, "rank": out.rank, **alternative})
        for out in partials:
            row = _still_waiting(rows, out.id)
            [offer] = [x for x in out.offers if x.on == day]
            path = path_of[row.station_id]
            if peak and check_fit(rooms, path, row.direction, offer.kw) is not None:
                raise RuntimeError(f"partial offer to {out.id} does not fit; nothing was written")
            before = _take_room(rooms, path, row.direction, offer.kw)
            part = split_partial(session, row, offer.kw, now)
            part.offer_status = OFFERED  # the applicant answers it (register.offers)
            run.granted_count = (run.granted_count or 0) + 1
            record_grant(
                act,
                part,
                path,
                before,
                {"run": run.id, "rank": out.rank, "category": out.category.value}
                | {"partial_offer_of": row.id, "rest_kw": row.kw},
            )
            audit.append(  # the request itself changed: it now waits for the rest
                db,
                session,
                actor=principal,
                action="request.partial",
                obj=f"request:{row.id}",
                inputs={"run": run.id, "part": part.id, "part_kw": offer.kw, "rest_kw": row.kw},
                policy=version,
            )
        store_result(session, run, result, owners(session))
        session.flush()
        return run_view(run)


def _still_waiting(rows: dict[str, Request], request_id: str) -> Request:
    """The locked row of a request the engine granted; it must still be waiting."""
    row = rows.get(request_id)
    if row is None or row.status != convert.WAITING:
        raise RuntimeError(f"request {request_id} changed while locked; allocation aborted")
    return row


def _take_right(row: Request, contract: str | None) -> str | None:
    """Put the row under the alternative right it was granted (``accepts``); its name or None.

    The granted right replaces the row's contract, capacity blocks and restricted level; the
    other alternatives are dropped (the request holds one right now).
    """
    if contract is None or contract == row.contract:
        return None
    [alt] = [a for a in convert.domain_request(row).accepts if a.contract.value == contract]
    row.contract = alt.contract.value
    row.blocks = list(alt.capacity_blocks) if alt.capacity_blocks is not None else None
    row.restricted_kw = alt.restricted_kw
    row.accepts = None
    return contract


def _take_room(
    rooms: dict[tuple[str, str], NodeRoom], path: tuple[str, ...], direction: str, kw: float
) -> dict[str, float]:
    """Count ``kw`` as granted at every node of ``path``; the room each had before (MW)."""
    before = room_before(rooms, path, direction)
    for node in path:
        r = rooms[(node, direction)]
        rooms[(node, direction)] = NodeRoom(
            r.station, r.direction, r.capacity_mw, r.load_mw, r.granted_mw + kw / 1000
        )
    return before


def split_partial(session: Session, row: Request, kw: float, now: dt.datetime) -> Request:
    """Record a partial offer: a granted part ``ID.partN`` of ``kw``; the rest keeps its place.

    The live register has one row per contract: the part gets its own row (same applicant,
    station, submission and priority, so it is traceable to the request) and the original
    row waits for the rest with its submission time, so its place in the queue is kept.
    """
    n = 1
    while session.get(Request, f"{row.id}.part{n}") is not None:
        n += 1
    pure = dataclasses.replace(
        convert.domain_request(row), id=f"{row.id}.part{n}", kw=kw, used_kw=None
    )
    position = next_position(session, Request.position)
    part = convert.new_request_row(pure, position=position, owner_id=row.owner_id, now=now)
    session.add(part)
    row.kw = row.kw - kw
    row.updated_at = now
    session.flush()
    return part
