"""The live state of the grid: headroom now, the public capacity map and queue figures.

Headroom at a node on a date, in one direction, is the v1 peak rule of DESIGN.md:
``capacity (with the reinforcements dated on or before that date) − existing load − MW granted
in the node's subtree``. A request fits when its MW fits the headroom of its station and of every
ancestor in its own direction; a node without a feed-in capacity does not limit feed-in.

The capacity map uses the field names of Netbeheer Nederland's information model
``im-capaciteitskaart`` (docs/sources.md [capacity-map-model]; mapping in
:mod:`netruimte.grid.capacity_map`): per station ``demand_*`` (offtake) and ``generation_*``
(feed-in) available capacity, quoted capacity (existing load + granted), capacity and requests in
the queue (waiting, over the subtree), the colour (``*_constraint``, and its code 0–3), the forecast
capacity after all planned works and the alleviation year of the latest forecast run.
"""

from __future__ import annotations

import copy
import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from netruimte.grid import Direction, constraint_colour
from netruimte.register.convert import (
    GRANTED,
    WAITING,
    domain_request,
    granted_mw,
    paths,
)
from netruimte.register.view_json import JsonView
from netruimte.storage.tables import (
    AuditHead,
    Reinforcement,
    Request,
    Run,
    RunStation,
    Station,
)
from netruimte.waitlist import eligible_category

__all__ = [
    "MIN_CELL",
    "NodeRoom",
    "OverAllocation",
    "capacity_map",
    "check_fit",
    "live_rooms",
    "new_over_allocation",
    "over_allocation",
    "queue_figures",
    "room_before",
]

MIN_CELL = 3
"""Queue cells with fewer requests are suppressed in public figures (no single applicant shows)."""

_TOLERANCE_MW = 1e-9


@dataclass(frozen=True, slots=True)
class NodeRoom:
    """Headroom at one node in one direction (MW)."""

    station: str
    direction: str
    capacity_mw: float
    load_mw: float
    granted_mw: float

    @property
    def room_mw(self) -> float:
        """Capacity − existing load − granted."""
        return self.capacity_mw - self.load_mw - self.granted_mw

    def to_json_dict(self) -> dict[str, Any]:
        """Plain dict (an unlimited capacity is null)."""
        finite = math.isfinite(self.capacity_mw)
        return {
            "station": self.station,
            "direction": self.direction,
            "capacity_mw": self.capacity_mw if finite else None,
            "load_mw": self.load_mw,
            "granted_mw": round(self.granted_mw, 9),
            "room_mw": round(self.room_mw, 9) if finite else None,
        }


def _capacity(
    station: Station, reinforcements: Sequence[Reinforcement], on: dt.date | None
) -> tuple[float, float]:
    off = station.offtake_mw
    feed = math.inf if station.feedin_mw is None else station.feedin_mw
    for rf in reinforcements:
        if rf.station_id == station.id and (on is None or rf.date <= on):
            off += rf.offtake_mw
            if station.feedin_mw is not None:
                feed += rf.feedin_mw
    return off, feed


def live_rooms(
    session: Session, stations: Sequence[Station], on: dt.date
) -> dict[tuple[str, str], NodeRoom]:
    """Headroom of every node and direction on ``on`` (reads the granted MW now)."""
    rfs = list(session.scalars(select(Reinforcement)))
    granted = granted_mw(session, stations)
    out: dict[tuple[str, str], NodeRoom] = {}
    for st in stations:
        off, feed = _capacity(st, rfs, on)
        for direction, cap, load in (
            (Direction.OFFTAKE.value, off, st.load_mw),
            (Direction.FEEDIN.value, feed, st.feedin_load_mw),
        ):
            out[(st.id, direction)] = NodeRoom(
                st.id, direction, cap, load, granted.get((st.id, direction), 0.0)
            )
    return out


def check_fit(
    rooms: Mapping[tuple[str, str], NodeRoom], path: Sequence[str], direction: str, kw: float
) -> NodeRoom | None:
    """The first node on ``path`` where ``kw`` does not fit, or None when it fits everywhere."""
    need = kw / 1000.0
    for node in path:
        room = rooms[(node, direction)]
        if need > room.room_mw + _TOLERANCE_MW:
            return room
    return None


def room_before(
    rooms: Mapping[tuple[str, str], NodeRoom], path: Sequence[str], direction: str
) -> dict[str, float]:
    """The room at every node of ``path`` in ``direction`` (MW), as a grant's audit records it."""
    return {node: rooms[(node, direction)].room_mw for node in path}


def over_allocation(
    session: Session, stations: Sequence[Station], on: dt.date
) -> dict[tuple[str, str], tuple[float, dt.date]]:
    """Where grants exceed the room, on ``on`` or on any later date a grant starts.

    Per ``(node, direction)``: the largest MW by which the grants in force exceed
    ``max(0, capacity − existing load)``, and the first date of that largest excess. Existing
    load above capacity alone is congestion, not over-allocation, and does not count. Only
    nodes with an excess appear.
    """
    starts = session.scalars(
        select(Request.granted_on)
        .where(Request.status == GRANTED, Request.granted_on > on)
        .distinct()
    ).all()
    rfs = list(session.scalars(select(Reinforcement)))
    out: dict[tuple[str, str], tuple[float, dt.date]] = {}
    for day in sorted({on, *(d for d in starts if d is not None)}):
        granted = granted_mw(session, stations, day)
        for st in stations:
            off, feed = _capacity(st, rfs, day)
            for direction, cap, load in (
                (Direction.OFFTAKE.value, off, st.load_mw),
                (Direction.FEEDIN.value, feed, st.feedin_load_mw),
            ):
                excess = granted.get((st.id, direction), 0.0) - max(cap - load, 0.0)
                key = (st.id, direction)
                if excess > _TOLERANCE_MW and excess > out.get(key, (0.0, day))[0]:
                    out[key] = (excess, day)
    return out


@dataclass(frozen=True)
class OverAllocation(JsonView):
    """A node where a change leaves more MW granted than there is room for: the excess, the
    first date of it (ISO) and the change that made it."""

    station: str
    direction: str
    over_mw: float
    on: str
    change: str


def new_over_allocation(
    before: Mapping[tuple[str, str], tuple[float, dt.date]],
    after: Mapping[tuple[str, str], tuple[float, dt.date]],
    what: str,
) -> list[OverAllocation]:
    """The nodes where ``after`` exceeds more than ``before`` (worst first).

    Raises nothing; the caller decides (409, or an audited forced change).
    """
    worse = [
        OverAllocation(station, direction, round(excess, 6), day.isoformat(), what)
        for (station, direction), (excess, day) in after.items()
        if excess > before.get((station, direction), (0.0, day))[0] + 1e-6
    ]
    return sorted(worse, key=lambda r: -r.over_mw)


def _alleviation(session: Session) -> dict[str, tuple[int | None, int | None]]:
    latest = session.scalars(
        select(Run.id)
        .where(Run.status == "done", Run.kind.in_(("forecast", "monte-carlo")))
        .order_by(Run.id.desc())
        .limit(1)
    ).first()
    if latest is None:
        return {}
    rows = session.scalars(select(RunStation).where(RunStation.run_id == latest)).all()
    return {r.station_id: (r.alleviation_year, r.alleviation_feedin_year) for r in rows}


def capacity_map(
    session: Session, on: dt.date, station_id: str | None = None
) -> list[dict[str, Any]]:
    """Capacity-map entries of every station (or one) on ``on``, in the information model."""
    stations = list(session.scalars(select(Station).order_by(Station.position, Station.id)))
    rfs = list(session.scalars(select(Reinforcement)))
    granted = granted_mw(session, stations, on)  # grants count from their date
    path_of = paths(stations)
    waiting_mw: dict[tuple[str, str], float] = {}
    waiting_n: dict[tuple[str, str], int] = {}
    rows = session.execute(
        select(Request.station_id, Request.direction, func.count(), func.sum(Request.kw))
        .where(Request.status == WAITING)
        .group_by(Request.station_id, Request.direction)
    ).all()
    for sid, direction, count, kw in rows:
        for node in path_of.get(sid, (sid,)):
            key = (node, direction)
            waiting_mw[key] = waiting_mw.get(key, 0.0) + float(kw) / 1000.0
            waiting_n[key] = waiting_n.get(key, 0) + int(count)
    alleviation = _alleviation(session)
    out = []
    for st in stations:
        if station_id is not None and st.id != station_id:
            continue
        off, feed = _capacity(st, rfs, on)
        off_all, feed_all = _capacity(st, rfs, None)
        entry: dict[str, Any] = {"short_code": st.id, "name": st.name, "parent": st.parent_id}
        years = alleviation.get(st.id, (None, None))
        for prefix, direction, cap, cap_all, load, year in (
            ("demand", Direction.OFFTAKE.value, off, off_all, st.load_mw, years[0]),
            ("generation", Direction.FEEDIN.value, feed, feed_all, st.feedin_load_mw, years[1]),
        ):
            quoted = load + granted.get((st.id, direction), 0.0)
            queue_mw = waiting_mw.get((st.id, direction), 0.0)
            queue_n = waiting_n.get((st.id, direction), 0)
            colour = constraint_colour(cap, quoted, queue_mw, queue_n)
            finite = math.isfinite(cap)
            entry[f"{prefix}_available_capacity"] = cap if finite else None
            entry[f"{prefix}_quoted_capacity"] = round(quoted, 6)
            entry[f"{prefix}_capacity_in_queue"] = round(queue_mw, 6)
            entry[f"{prefix}_requests_in_queue"] = queue_n
            entry[f"{prefix}_constraint"] = colour.value
            entry[f"{prefix}_constraint_code"] = colour.code
            entry[f"{prefix}_forecast_capacity"] = cap_all if math.isfinite(cap_all) else None
            entry[f"{prefix}_alleviation_year"] = year
        entry["as_of"] = on.isoformat()
        out.append(entry)
    return out


def _suppressed(counts: Mapping[tuple[str, str, str], int]) -> set[tuple[str, str, str]]:
    """The cells to hide: small ones, and enough others that no hidden cell can be worked out.

    A station's total in one direction is public (the capacity map), so hiding one small cell
    alone would not hide it: the total minus the visible cells gives it back. Complementary
    suppression: in every station and direction where a cell is hidden, the smallest visible
    cells are hidden too until the hidden cells are at least two and hold at least
    :data:`MIN_CELL` requests together (or every cell of the station is hidden; then only the
    total is known, which the map publishes anyway, and never a category's share).
    """
    groups: dict[tuple[str, str], list[tuple[int, str]]] = {}
    for (sid, direction, category), n in counts.items():
        groups.setdefault((sid, direction), []).append((n, category))
    hidden: set[tuple[str, str, str]] = set()
    for (sid, direction), group in groups.items():
        group.sort()
        cut = sum(1 for n, _ in group if n < MIN_CELL)
        if cut == 0:
            continue
        while cut < len(group) and (cut < 2 or sum(n for n, _ in group[:cut]) < MIN_CELL):
            cut += 1
        hidden.update((sid, direction, category) for _, category in group[:cut])
    return hidden


def queue_figures(session: Session, on: dt.date) -> dict[str, Any]:
    """Anonymised waiting-list figures: count and MW per station, direction and category.

    Categories are those the requests rank in after the eligibility checks. Cells with fewer
    than :data:`MIN_CELL` requests show ``null`` (``suppressed: true``) so that no single
    applicant's request can be read off, and so do enough other cells of the same station and
    direction that the station's total (public in the capacity map) minus the visible cells
    reveals no hidden one (:func:`_suppressed`).
    """
    head = session.get(AuditHead, 1)
    key = (str(session.get_bind().engine.url), head.seq if head else -1, head.hash if head else "")
    with _QUEUE_LOCK:
        hit = _QUEUE_CACHE.get(key)
        if hit is not None:
            _QUEUE_CACHE.move_to_end(key)
    if hit is None:
        hit = _queue_cells(session)
        with _QUEUE_LOCK:
            _QUEUE_CACHE[key] = hit
            while len(_QUEUE_CACHE) > 8:
                _QUEUE_CACHE.popitem(last=False)
    return {"as_of": on.isoformat(), **copy.deepcopy(hit)}


_QUEUE_CACHE: OrderedDict[tuple[str, int, str], dict[str, Any]] = OrderedDict()
_QUEUE_LOCK = threading.Lock()


def _queue_cells(session: Session) -> dict[str, Any]:
    """The figures of :func:`queue_figures` (they do not depend on the date asked for: the
    queue is the one waiting now). Kept per database and head of the audit trail, as every
    change of a request is audited: an anonymous caller cannot make the server repeat the
    work by asking again."""
    rows = session.scalars(
        select(Request).where(Request.status == WAITING).order_by(Request.station_id)
    ).all()
    cells: dict[tuple[str, str, str], list[float]] = {}
    for row in rows:
        category = eligible_category(domain_request(row)).value
        cells.setdefault((row.station_id, row.direction, category), []).append(row.kw)
    hidden = _suppressed({key: len(kws) for key, kws in cells.items()})
    out = []
    for (sid, direction, category), kws in sorted(cells.items()):
        small = (sid, direction, category) in hidden
        out.append(
            {
                "station": sid,
                "direction": direction,
                "category": category,
                "requests": None if small else len(kws),
                "mw": None if small else round(sum(kws) / 1000.0, 3),
                "suppressed": small,
            }
        )
    totals = {
        direction: {
            "requests": sum(1 for r in rows if r.direction == direction),
            "mw": round(sum(r.kw for r in rows if r.direction == direction) / 1000.0, 3),
        }
        for direction in (Direction.OFFTAKE.value, Direction.FEEDIN.value)
    }
    return {"min_cell": MIN_CELL, "cells": out, "totals": totals}
