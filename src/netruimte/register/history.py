"""What changed for a request: its decisions, offers and forecasts, new since the last visit.

The history of a request is read from two records the service keeps anyway: the audit trail
(every decision about the request and its parts ``ID.partN``: filing, claims, grants, offers
and their answers, withdrawal) and the forecast runs that included it (rank and expected
dates per run). The page of the request marks what is newer than the viewer's previous visit
(``request_visits``, migration 0004) and then records this visit.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any, NotRequired, TypedDict

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from netruimte.access.auth import Principal
from netruimte.register.requests import owned_request
from netruimte.storage import Database
from netruimte.storage.tables import AuditEntry, RequestVisit, Run, RunRequest

__all__ = ["HistoryEvent", "HistoryForecast", "RequestHistory", "request_history"]

MAX_EVENTS = 200


class HistoryEvent(TypedDict):
    """A decision about the request or one of its parts (an audit entry, summarised)."""

    seq: int
    at: str
    actor: str
    action: str
    object: str
    details: dict[str, Any]
    new: NotRequired[bool]


class HistoryForecast(TypedDict):
    """The request in one finished forecast run; ``changed`` names what differs from the
    run before. Dates and times are ISO text."""

    run: int
    kind: str
    at: str | None
    rank: int | None
    rank_of: int | None
    granted_on: str | None
    granted_p50: str | None
    granted_p90: str | None
    changed: list[str]
    new: NotRequired[bool]


class RequestHistory(TypedDict):
    """What :func:`request_history` returns."""

    previous_visit: str | None
    events: list[HistoryEvent]
    forecasts: list[HistoryForecast]
    new_count: int


_SHOWN = ("kw", "part", "part_kw", "rest_kw", "returned_kw", "category", "contract", "reason",
          "previous_status", "on", "rank", "accept", "score", "released_mw")  # fmt: skip


def _summary(inputs: dict[str, Any]) -> dict[str, Any]:
    return {k: inputs[k] for k in _SHOWN if inputs.get(k) is not None}


def _events(session: Session, request_id: str) -> list[HistoryEvent]:
    escaped = request_id.replace("\\", "\\\\").replace("%", r"\%").replace("_", r"\_")
    stmt = (
        select(AuditEntry)
        .where(
            or_(
                AuditEntry.object == f"request:{request_id}",
                AuditEntry.object.like(f"request:{escaped}.part%", escape="\\"),
            )
        )
        .order_by(AuditEntry.seq)
    )
    out: list[HistoryEvent] = []
    for e in session.scalars(stmt):
        inputs = json.loads(e.inputs)
        out.append(
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "object": e.object.partition(":")[2],
                "details": _summary(inputs),
            }
        )
    return out[-MAX_EVENTS:]


def _forecasts(session: Session, request_id: str) -> list[HistoryForecast]:
    stmt = (
        select(RunRequest, Run)
        .join(Run, Run.id == RunRequest.run_id)
        .where(RunRequest.request_id == request_id, Run.kind != "allocate")
        .where(Run.finished_at.is_not(None))
        .order_by(Run.finished_at, Run.id)
    )
    rows: list[HistoryForecast] = []
    for rr, run in session.execute(stmt):
        on, p50, p90 = (
            d.isoformat() if d else None for d in (rr.granted_on, rr.granted_p50, rr.granted_p90)
        )
        shown: dict[str, object] = {
            "rank": rr.rank,
            "granted_on": on,
            "granted_p50": p50,
            "granted_p90": p90,
        }
        before = rows[-1] if rows else None
        rows.append(
            {
                "run": run.id,
                "kind": run.kind,
                "at": run.finished_at.astimezone(dt.UTC).isoformat() if run.finished_at else None,
                "rank": rr.rank,
                "rank_of": rr.rank_of,
                "granted_on": on,
                "granted_p50": p50,
                "granted_p90": p90,
                "changed": (
                    [k for k, v in shown.items() if v != before.get(k)]
                    if before is not None
                    else []
                ),
            }
        )
    return rows


def request_history(
    db: Database, principal: Principal, request_id: str, *, record_visit: bool = True
) -> RequestHistory:
    """The request's decisions and forecasts, oldest first, each marked ``new`` when it is
    later than the viewer's previous visit; the visit is then recorded.

    Returns
    -------
    RequestHistory
        ``previous_visit`` (ISO instant or null: the first visit), ``events`` (audit entries
        ``{seq, at, actor, action, object, details, new}``), ``forecasts`` (``{run, kind, at,
        rank, rank_of, granted_on, granted_p50, granted_p90, changed, new}``; ``changed`` names
        what differs from the run before) and ``new_count``.
    """
    with db.write() as session:
        owned_request(session, principal, request_id)
        visit = (
            session.get(RequestVisit, (principal.user_id, request_id))
            if principal.user_id is not None
            else None
        )
        since = visit.seen_at.astimezone(dt.UTC) if visit is not None else None
        events = _events(session, request_id)
        forecasts = _forecasts(session, request_id)
        for item in (*events, *forecasts):
            at = dt.datetime.fromisoformat(item["at"]) if item["at"] else None
            item["new"] = since is not None and at is not None and at > since
        now = dt.datetime.now(dt.UTC)
        if record_visit and principal.user_id is not None:
            if visit is None:
                session.add(
                    RequestVisit(user_id=principal.user_id, request_id=request_id, seen_at=now)
                )
            else:
                visit.seen_at = now
        return {
            "previous_visit": since.isoformat() if since is not None else None,
            "events": events,
            "forecasts": forecasts,
            "new_count": sum(1 for i in (*events, *forecasts) if i["new"]),
        }
