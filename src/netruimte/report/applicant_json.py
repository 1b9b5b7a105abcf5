"""An applicant's account as JSON, and the request list ``waitlist explain`` offers (pure).

:func:`account_json` is ``netruimte waitlist explain --json``: the same facts as
:func:`netruimte.report.applicant.render_account`, as fields, plus the rendered text.
:func:`list_requests` filters a scenario's requests by station (the station or any station
below it), asked category and applicant (case-insensitive substring), so a user can find the id
to explain.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from netruimte.errors import InputError
from netruimte.report.applicant import ApplicantAccount, Snapshot, render_account
from netruimte.waitlist.requests import Category, Request
from netruimte.waitlist.scenario import Scenario

__all__ = ["account_json", "list_requests", "request_row"]


def _iso(day: dt.date | None) -> str | None:
    return None if day is None else day.isoformat()


def _snapshot(snap: Snapshot | None) -> dict[str, Any] | None:
    if snap is None:
        return None
    return {
        "on": snap.on.isoformat(),
        "rank": snap.rank,
        "rank_of": snap.rank_of,
        "ahead_mw": snap.ahead_mw,
        "binding_station": snap.binding_station,
        "binding_room_mw": snap.binding_room_mw,
        "blocked": snap.blocked,
        "alternatives": list(snap.alternatives),
        "next_reinforcement": None
        if snap.next_reinforcement is None
        else {"id": snap.next_reinforcement.id, "date": snap.next_reinforcement.date.isoformat()},
    }


def account_json(acc: ApplicantAccount) -> dict[str, Any]:
    """The account as one JSON object (dates ``YYYY-MM-DD`` or ``null``; MW and kW numbers).

    ``granted_on`` is ``null`` when the request is not connected within the horizon
    (``horizon_end``); ``granted_p10/p50/p90`` are present with Monte Carlo runs only.
    """
    req, out = acc.request, acc.outcome
    doc: dict[str, Any] = {
        "id": req.id,
        "applicant": req.applicant,
        "station": req.station,
        "station_name": acc.names.get(req.station, req.station),
        "path": list(acc.path),
        "direction": req.direction.value,
        "kw": req.kw,
        "contract": req.contract.value,
        "submitted": req.submitted.date().isoformat(),
        "policy": acc.policy,
        "fit": acc.fit,
        "asked_category": out.asked_category.value,
        "category": out.category.value,
        "why": acc.why,
        "status": out.status.value,
        "rank": out.rank,
        "rank_of": out.rank_of,
        "ahead_mw": out.ahead_mw,
        "binding_station": out.binding_station,
        "binding_room_mw": out.binding_room_mw,
        "granted_on": _iso(out.granted_on),
        "wait_months": acc.wait_months,
        "joined": _iso(acc.joined),
        "at_join": _snapshot(acc.at_join),
        "last_wait": _snapshot(acc.last_wait),
        "freed_by": [{"id": rf.id, "date": rf.date.isoformat()} for rf in acc.freed_by],
        "alternatives": list(out.alternatives),
        "horizon_end": acc.horizon_end.isoformat(),
        "runs": acc.runs,
        "note": acc.note,
        "text": render_account(acc),
    }
    if acc.runs > 1:
        doc["granted_p10"] = _iso(out.granted_p10)
        doc["granted_p50"] = _iso(out.granted_p50)
        doc["granted_p90"] = _iso(out.granted_p90)
    return doc


def _below(scenario: Scenario, station: str) -> set[str]:
    """``station`` and every station under it."""
    children: dict[str, list[str]] = {}
    for st in scenario.grid.stations:
        if st.parent is not None:
            children.setdefault(st.parent, []).append(st.id)
    found, todo = set(), [station]
    while todo:
        sid = todo.pop()
        found.add(sid)
        todo.extend(children.get(sid, []))
    return found


def request_row(req: Request) -> dict[str, Any]:
    """One line of the request list (JSON object)."""
    return {
        "id": req.id,
        "station": req.station,
        "applicant": req.applicant,
        "category": req.category.value,
        "direction": req.direction.value,
        "kw": req.kw,
        "submitted": req.submitted.date().isoformat(),
    }


def list_requests(
    scenario: Scenario,
    *,
    station: str | None = None,
    category: str | None = None,
    applicant: str | None = None,
) -> list[Request]:
    """The scenario's requests that match every filter given, in file order.

    Raises
    ------
    InputError
        An unknown station (field ``--station``) or category (field ``--category``).
    """
    requests: Sequence[Request] = scenario.requests
    if station is not None:
        known = {st.id for st in scenario.grid.stations}
        if station not in known:
            sample = ", ".join(sorted(known)[:8]) + (", ..." if len(known) > 8 else "")
            raise InputError(f"unknown station {station!r}; expected one of {sample}",
                             field="--station")  # fmt: skip
        inside = _below(scenario, station)
        requests = [r for r in requests if r.station in inside]
    if category is not None:
        choices = [c.value for c in Category]
        if category not in choices:
            raise InputError(f"unknown category {category!r}; expected one of {', '.join(choices)}",
                             field="--category")  # fmt: skip
        requests = [r for r in requests if r.category.value == category]
    if applicant is not None:
        needle = applicant.casefold()
        requests = [r for r in requests if needle in r.applicant.casefold()]
    return list(requests)
