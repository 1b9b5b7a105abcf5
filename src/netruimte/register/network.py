"""Stations and reinforcements of the register: read by anyone signed in, changed by operators.

Every change is checked against the whole grid before it is committed (unknown parents,
cycles, feed-in reinforcements at nodes without a feed-in capacity: the rules of
:class:`netruimte.grid.Grid`), locks the station rows it touches, and is an audit entry.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypedDict

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from netruimte.access import audit
from netruimte.access.auth import Principal, require_operator
from netruimte.errors import Conflict, InputError, NotFound
from netruimte.grid import DelayDistribution
from netruimte.register.convert import check_day, grid_of, load_register, paths, today
from netruimte.register.grid_state import live_rooms, new_over_allocation, over_allocation
from netruimte.storage import Database, get_row, next_position
from netruimte.storage.tables import Reinforcement, Request, Station

__all__ = [
    "HeadroomView",
    "ReinforcementView",
    "StationView",
    "create_reinforcement",
    "create_station",
    "delete_reinforcement",
    "delete_station",
    "get_reinforcement",
    "get_station",
    "list_reinforcements",
    "list_stations",
    "station_headroom",
    "update_reinforcement",
    "update_station",
]

STATION_FIELDS = frozenset(
    {
        "name", "parent", "offtake_mw", "load_mw", "feedin_mw", "feedin_load_mw", "voltage_kv",
        "connection_kv", "small_consumer_reserve_mw", "lat", "lon", "aggregated",
    }
)  # fmt: skip
REINFORCEMENT_FIELDS = frozenset({"station", "date", "offtake_mw", "feedin_mw", "delay"})


def _audit(
    db: Database,
    session: Session,
    principal: Principal,
    policy: str,
    action: str,
    obj: str,
    inputs: Mapping[str, Any],
) -> None:
    """The audit entry of a change to the grid, under today's version of the register's policy."""
    audit.append(
        db,
        session,
        actor=principal,
        action=action,
        obj=obj,
        inputs=inputs,
        policy=audit.policy_version(policy, today(session)),
    )


def _only(fields: Mapping[str, Any], allowed: frozenset[str]) -> None:
    """InputError naming the first field of ``fields`` not in ``allowed``."""
    extra = sorted(set(fields) - allowed)
    if extra:
        raise InputError(f"unknown field {extra[0]!r}", field=extra[0])


@dataclass(frozen=True)
class _GuardedChange:
    """A change to the grid that may not leave grants above capacity: the over-allocation
    before it, then (:meth:`audit`) the check after it and its audit entry."""

    db: Database
    session: Session
    principal: Principal
    policy: str
    force: bool
    day: dt.date
    excess_before: dict[tuple[str, str], tuple[float, dt.date]]

    @classmethod
    def start(
        cls, db: Database, session: Session, principal: Principal, policy: str, force: bool
    ) -> _GuardedChange:
        """Note today's over-allocation, before the change."""
        day = today(session)
        stations = list(session.scalars(select(Station)))
        return cls(
            db, session, principal, policy, force, day, over_allocation(session, stations, day)
        )

    def audit(self, what: str, action: str, obj: str, inputs: Mapping[str, Any]) -> None:
        """Flush the change; Conflict when it leaves more MW granted than there is room for
        (:func:`_guard`); else its audit entry, with the excess when forced."""
        self.session.flush()
        over = _guard(self.session, self.excess_before, self.day, what, self.force)
        _audit(self.db, self.session, self.principal, self.policy, action, obj, {**inputs, **over})


def _guard(
    session: Session,
    before: Mapping[tuple[str, str], tuple[float, dt.date]],
    day: dt.date,
    what: str,
    force: bool,
) -> dict[str, Any]:
    """Conflict when the change (flushed) leaves more MW granted than there is room for;
    with ``force`` the excess is returned for the audit entry instead."""
    stations = list(session.scalars(select(Station)))
    worse = new_over_allocation(before, over_allocation(session, stations, day), what)
    if not worse:
        return {}
    if not force:
        first = worse[0]
        raise Conflict(
            f"{what}: the grants at {first.station} ({first.direction}) would exceed its "
            f"room by {first.over_mw:g} MW from {first.on}"
            + (f" (and at {len(worse) - 1} more node(s))" if len(worse) > 1 else "")
            + "; withdraw or move grants first, or repeat with force=true to record the "
            "over-allocation (audited, shown on the capacity map)"
        )
    return {"over_allocated": [w.to_json_dict() for w in worse]}


class StationView(TypedDict):
    """The API's view of a station (:func:`station_view`; profiles summarised, not sent)."""

    id: str
    name: str
    parent: str | None
    offtake_mw: float
    load_mw: float
    feedin_mw: float | None
    feedin_load_mw: float
    voltage_kv: float | None
    connection_kv: float
    small_consumer_reserve_mw: float | None
    lat: float | None
    lon: float | None
    aggregated: bool
    load_csv: str | None
    feedin_load_csv: str | None
    has_load_profile: bool
    has_feedin_load_profile: bool


class ReinforcementView(TypedDict):
    """The API's view of a reinforcement (:func:`reinforcement_view`); the date is ISO text."""

    id: str
    station: str
    date: str
    offtake_mw: float
    feedin_mw: float
    delay: dict[str, Any] | None


class HeadroomView(TypedDict):
    """Headroom on a station's path on a day (:func:`station_headroom`): the path from the
    station up, and the room of each node in both directions (``NodeRoom.to_json_dict``)."""

    station: str
    on: str
    path: list[str]
    nodes: list[dict[str, Any]]


def station_view(s: Station) -> StationView:
    """The API's view of a station (profiles summarised, not sent)."""
    return {
        "id": s.id,
        "name": s.name,
        "parent": s.parent_id,
        "offtake_mw": s.offtake_mw,
        "load_mw": s.load_mw,
        "feedin_mw": s.feedin_mw,
        "feedin_load_mw": s.feedin_load_mw,
        "voltage_kv": s.voltage_kv,
        "connection_kv": s.connection_kv,
        "small_consumer_reserve_mw": s.small_consumer_reserve_mw,
        "lat": s.lat,
        "lon": s.lon,
        "aggregated": s.aggregated,
        "load_csv": s.load_csv,
        "feedin_load_csv": s.feedin_load_csv,
        "has_load_profile": s.load_profile_mw is not None,
        "has_feedin_load_profile": s.feedin_load_profile_mw is not None,
    }


def reinforcement_view(r: Reinforcement) -> ReinforcementView:
    """The API's view of a reinforcement."""
    return {
        "id": r.id,
        "station": r.station_id,
        "date": r.date.isoformat(),
        "offtake_mw": r.offtake_mw,
        "feedin_mw": r.feedin_mw,
        "delay": r.delay,
    }


def _validate_grid(session: Session) -> None:
    session.flush()
    stations = list(session.scalars(select(Station)))
    rfs = list(session.scalars(select(Reinforcement)))
    grid_of(stations, rfs)  # raises InputError naming the problem


def _check_numbers(fields: Mapping[str, Any]) -> None:
    for key, value in fields.items():
        if (
            key.endswith(("_mw", "_kv"))
            and value is not None
            and (not isinstance(value, int | float) or not math.isfinite(value) or value < 0)
        ):
            raise InputError(f"expected a finite number >= 0, got {value!r}", field=key)


def list_stations(db: Database) -> list[StationView]:
    """All stations in the register's order."""
    with db.read() as session:
        rows = session.scalars(select(Station).order_by(Station.position, Station.id))
        return [station_view(s) for s in rows]


def get_station(db: Database, station_id: str) -> StationView:
    """One station."""
    with db.read() as session:
        return station_view(get_row(session, Station, station_id, "station"))


def station_headroom(db: Database, station_id: str, on: dt.date | None) -> HeadroomView:
    """Headroom on the station's path in both directions on ``on`` (default today)."""
    check_day(on, "on")
    with db.read() as session:
        load_register(session)
        get_row(session, Station, station_id, "station")
        stations = list(session.scalars(select(Station)))
        day = on or today(session)
        rooms = live_rooms(session, stations, day)
        path = paths(stations)[station_id]
        return {
            "station": station_id,
            "on": day.isoformat(),
            "path": list(path),
            "nodes": [rooms[(n, d)].to_json_dict() for n in path for d in ("offtake", "feed-in")],
        }


def create_station(db: Database, principal: Principal, fields: Mapping[str, Any]) -> StationView:
    """Add a station (operators)."""
    require_operator(principal, "add a station")
    sid = str(fields.get("id") or "").strip()
    if not sid:
        raise InputError("a station needs an id", field="id")
    _only(fields, STATION_FIELDS | {"id"})
    if fields.get("offtake_mw") is None:
        raise InputError("a station needs offtake_mw", field="offtake_mw")
    _check_numbers(fields)
    with db.write() as session:
        reg = load_register(session)
        if session.get(Station, sid) is not None:
            raise Conflict(f"a station {sid!r} exists already")
        parent = fields.get("parent")
        if parent is not None:
            db.lock_stations(session, [parent])
        position = next_position(session, Station.position)
        row = Station(
            id=sid,
            position=position,
            name=fields.get("name") or "",
            parent_id=parent,
            offtake_mw=float(fields["offtake_mw"]),
            load_mw=float(fields.get("load_mw") or 0.0),
            feedin_mw=fields.get("feedin_mw"),
            feedin_load_mw=float(fields.get("feedin_load_mw") or 0.0),
            voltage_kv=fields.get("voltage_kv"),
            connection_kv=float(fields.get("connection_kv") or 10.0),
            small_consumer_reserve_mw=fields.get("small_consumer_reserve_mw"),
            lat=fields.get("lat"),
            lon=fields.get("lon"),
            aggregated=bool(fields.get("aggregated", False)),
        )
        if parent is not None and session.get(Station, parent) is None:
            raise InputError(f"unknown parent station {parent!r}", field="parent")
        session.add(row)
        _validate_grid(session)
        _audit(db, session, principal, reg.policy, "station.create", f"station:{sid}", dict(fields))
        return station_view(row)


def update_station(
    db: Database,
    principal: Principal,
    station_id: str,
    fields: Mapping[str, Any],
    force: bool = False,
) -> StationView:
    """Change a station's figures or parent (operators).

    A change that leaves grants above capacity (anywhere, on any date a grant is in force) is
    refused with Conflict unless ``force``; a forced one is audited with the excess.
    """
    require_operator(principal, "change a station")
    _only(fields, STATION_FIELDS)
    _check_numbers(fields)
    with db.write() as session:
        reg = load_register(session)
        stations = list(session.scalars(select(Station)))
        if not any(s.id == station_id for s in stations):
            raise NotFound(f"no station {station_id!r}")
        lock = set(paths(stations)[station_id])
        if fields.get("parent"):
            lock |= set(paths(stations).get(fields["parent"], ()))
        locked = {s.id: s for s in db.lock_stations(session, lock)}
        row = locked[station_id]
        change = _GuardedChange.start(db, session, principal, reg.policy, force)
        before = {k: getattr(row, "parent_id" if k == "parent" else k) for k in fields}
        for key, value in fields.items():
            if key == "parent":
                if value is not None and session.get(Station, value) is None:
                    raise InputError(f"unknown parent station {value!r}", field="parent")
                row.parent_id = value
            elif key in ("offtake_mw", "load_mw", "feedin_load_mw", "connection_kv", "aggregated"):
                if value is None:
                    raise InputError(f"{key} cannot be empty", field=key)
                setattr(row, key, value if key == "aggregated" else float(value))
            else:
                setattr(row, key, value if key != "name" else (value or ""))
        _validate_grid(session)
        what, obj = f"station {station_id}", f"station:{station_id}"
        change.audit(what, "station.update", obj, {"before": before, "after": dict(fields)})
        return station_view(row)


def delete_station(db: Database, principal: Principal, station_id: str) -> None:
    """Remove a station without children, reinforcements or requests (operators)."""
    require_operator(principal, "remove a station")
    with db.write() as session:
        reg = load_register(session)
        rows = db.lock_stations(session, [station_id])
        if not rows:
            raise NotFound(f"no station {station_id!r}")
        for model, column, what in (
            (Station, Station.parent_id, "child stations"),
            (Reinforcement, Reinforcement.station_id, "reinforcements"),
            (Request, Request.station_id, "requests"),
        ):
            n = session.scalar(select(func.count()).select_from(model).where(column == station_id))
            if n:
                raise Conflict(f"station {station_id!r} has {n} {what}; remove them first")
        session.delete(rows[0])
        _audit(
            db,
            session,
            principal,
            reg.policy,
            "station.delete",
            f"station:{station_id}",
            station_view(rows[0]),
        )


def _delay(value: Any) -> dict[str, Any] | None:
    if value is None:
        return None
    if not isinstance(value, Mapping):
        raise InputError("delay must be an object with a distribution", field="delay")
    try:
        dist = DelayDistribution(
            distribution=str(value.get("distribution")),
            min_months=float(value.get("min_months", 0.0)),
            mode_months=float(value.get("mode_months", 0.0)),
            max_months=float(value.get("max_months", 0.0)),
        )
    except (TypeError, ValueError) as exc:
        if isinstance(exc, InputError):
            raise
        raise InputError(f"delay: {exc}", field="delay") from None
    return {
        "distribution": dist.distribution,
        "min_months": dist.min_months,
        "mode_months": dist.mode_months,
        "max_months": dist.max_months,
    }


def list_reinforcements(db: Database) -> list[ReinforcementView]:
    """All reinforcements in the register's order."""
    with db.read() as session:
        rows = session.scalars(
            select(Reinforcement).order_by(Reinforcement.position, Reinforcement.id)
        )
        return [reinforcement_view(r) for r in rows]


def get_reinforcement(db: Database, rid: str) -> ReinforcementView:
    """One reinforcement."""
    with db.read() as session:
        return reinforcement_view(get_row(session, Reinforcement, rid, "reinforcement"))


def create_reinforcement(
    db: Database, principal: Principal, fields: Mapping[str, Any]
) -> ReinforcementView:
    """Plan a reinforcement (operators)."""
    require_operator(principal, "plan a reinforcement")
    rid = str(fields.get("id") or "").strip()
    if not rid:
        raise InputError("a reinforcement needs an id", field="id")
    for key in ("station", "date"):
        if fields.get(key) is None:
            raise InputError(f"a reinforcement needs '{key}'", field=key)
    check_day(fields["date"], "date")
    _check_numbers(fields)
    with db.write() as session:
        reg = load_register(session)
        if session.get(Reinforcement, rid) is not None:
            raise Conflict(f"a reinforcement {rid!r} exists already")
        if not db.lock_stations(session, [fields["station"]]):
            raise InputError(f"unknown station {fields['station']!r}", field="station")
        position = next_position(session, Reinforcement.position)
        row = Reinforcement(
            id=rid,
            position=position,
            station_id=fields["station"],
            date=fields["date"],
            offtake_mw=float(fields.get("offtake_mw") or 0.0),
            feedin_mw=float(fields.get("feedin_mw") or 0.0),
            delay=_delay(fields.get("delay")),
        )
        session.add(row)
        _validate_grid(session)
        _audit(
            db,
            session,
            principal,
            reg.policy,
            "reinforcement.create",
            f"reinforcement:{rid}",
            reinforcement_view(row),
        )
        return reinforcement_view(row)


def update_reinforcement(
    db: Database, principal: Principal, rid: str, fields: Mapping[str, Any], force: bool = False
) -> ReinforcementView:
    """Change a reinforcement's date, MW or delay (operators); a change that leaves grants
    above capacity is refused unless ``force`` (see :func:`update_station`)."""
    require_operator(principal, "change a reinforcement")
    _only(fields, REINFORCEMENT_FIELDS)
    _check_numbers(fields)
    with db.write() as session:
        reg = load_register(session)
        row = get_row(session, Reinforcement, rid, "reinforcement")
        lock = {row.station_id}
        if fields.get("station"):
            lock.add(fields["station"])
        locked = {s.id for s in db.lock_stations(session, lock)}
        change = _GuardedChange.start(db, session, principal, reg.policy, force)
        before = reinforcement_view(row)
        for key, value in fields.items():
            if key == "station":
                if value not in locked:
                    raise InputError(f"unknown station {value!r}", field="station")
                row.station_id = value
            elif key == "delay":
                row.delay = _delay(value)
            elif key == "date":
                if value is None:
                    raise InputError("date cannot be empty", field="date")
                check_day(value, "date")
                row.date = value
            else:
                setattr(row, key, float(value or 0.0))
        _validate_grid(session)
        after = {"before": before, "after": reinforcement_view(row)}
        change.audit(f"reinforcement {rid}", "reinforcement.update", f"reinforcement:{rid}", after)
        return reinforcement_view(row)


def delete_reinforcement(db: Database, principal: Principal, rid: str, force: bool = False) -> None:
    """Cancel a planned reinforcement (operators); refused when grants rely on it, unless
    ``force`` (see :func:`update_station`)."""
    require_operator(principal, "cancel a reinforcement")
    with db.write() as session:
        reg = load_register(session)
        row = get_row(session, Reinforcement, rid, "reinforcement")
        db.lock_stations(session, [row.station_id])
        change = _GuardedChange.start(db, session, principal, reg.policy, force)
        before = reinforcement_view(row)
        session.delete(row)
        what = f"cancelling reinforcement {rid}"
        change.audit(what, "reinforcement.delete", f"reinforcement:{rid}", before)
