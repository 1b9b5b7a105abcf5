"""Rows to pure types and back: the register as a :class:`netruimte.waitlist.Scenario`.

The simulation never sees the database: a run builds a frozen scenario from the rows and hands
it to :func:`netruimte.waitlist.simulate`. Capacity already granted in the live register is
folded into the stations' existing load (every node on the granted request's path carries its
kW), so a forecast starts from the register as it is and only the waiting requests are
allocated. In a load profile a grant is folded as the claim of its right: a time-block right
its full kW inside its capacity blocks and ``restricted_kw`` outside, a non-firm right nothing,
firm and TDTR rights their full kW in every quarter-hour (the TDTR's restricted quarter-hours
are fixed at the grant but not stored: **choice**, the safe side). The peak figures
(``load_mw``, also used by peak mode, where every right claims its kW) carry the full kW.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from enum import Enum
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import numpy.typing as npt
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from netruimte.conventions import FIRST_DATE, LAST_DATE
from netruimte.errors import Conflict, InputError
from netruimte.grid import DelayDistribution, Direction, Grid
from netruimte.grid import Reinforcement as GridReinforcement
from netruimte.grid import Station as GridStation
from netruimte.grid.representative import DEFAULT_TIME_BLOCKS, STEPS_PER_DAY, block_mask
from netruimte.storage.tables import Register, Reinforcement, Request, Station
from netruimte.waitlist import Request as WaitRequest
from netruimte.waitlist import Scenario, UseItOrLoseIt
from netruimte.waitlist.requests import Alternative, Category, Contract, coerce_enum
from netruimte.waitlist.rules import SMALL_CONSUMERS_JOIN, Policy
from netruimte.waitlist.scenario import CapacityMode, Fit

__all__ = [
    "GRANTED",
    "MAX_DAY",
    "MIN_DAY",
    "REGISTER_SETTINGS",
    "WAITING",
    "WITHDRAWN",
    "accepts_json",
    "accepts_of",
    "build_scenario",
    "check_day",
    "domain_request",
    "granted_mw",
    "granted_shape_mw",
    "grid_of",
    "load_register",
    "moment_scenario",
    "new_request_row",
    "paths",
    "register_settings",
    "request_fields",
    "reserve_used_mw",
    "today",
]

REGISTER_SETTINGS = (
    "name", "start", "end", "policy", "fit", "capacity", "timezone", "withdraw_per_year",
    "nonfirm_min_share", "tdtr_max_restricted_share", "reservation_lead_months", "runs", "seed",
    "partial_offers", "min_offer_kw",
)  # fmt: skip
"""The register's settings: :class:`Register` columns named as the scenario's fields and as
the keys of the scenario TOML's ``[scenario]`` table (in its order)."""


def register_settings(scenario: Scenario) -> dict[str, Any]:
    """The :data:`REGISTER_SETTINGS` columns of a scenario (policy, fit, capacity as text)."""
    values = {name: getattr(scenario, name) for name in REGISTER_SETTINGS}
    return {k: v.value if isinstance(v, Enum) else v for k, v in values.items()}


WAITING, GRANTED, WITHDRAWN = "waiting", "granted", "withdrawn"

MIN_DAY, MAX_DAY = FIRST_DATE, LAST_DATE
"""Dates the service accepts (the simulation counts in int64 nanoseconds from 1970)."""


def check_day(day: dt.date | dt.datetime | None, field: str) -> None:
    """Raise InputError (naming ``field``) unless MIN_DAY <= ``day`` <= MAX_DAY."""
    if day is None:
        return
    value = day.date() if isinstance(day, dt.datetime) else day
    if not MIN_DAY <= value <= MAX_DAY:
        raise InputError(f"expected a date from {MIN_DAY} to {MAX_DAY}, got {value}", field=field)


def load_register(session: Session) -> Register:
    """The register's settings row (Conflict when no scenario has been imported)."""
    reg = session.get(Register, 1)
    if reg is None:
        raise Conflict("the register is empty: import a scenario first (POST /api/v1/scenario)")
    return reg


def today(session: Session) -> dt.date:
    """Today's date in the register's time zone (UTC when there is no register)."""
    reg = session.get(Register, 1)
    zone = ZoneInfo(reg.timezone) if reg is not None else dt.UTC
    return dt.datetime.now(zone).date()


def paths(stations: Sequence[Station]) -> dict[str, tuple[str, ...]]:
    """Each station's path: itself, then its ancestors (bottom-up)."""
    parent = {s.id: s.parent_id for s in stations}
    out: dict[str, tuple[str, ...]] = {}
    for sid in parent:
        chain = [sid]
        nxt = parent[sid]
        while nxt is not None and nxt not in chain:
            chain.append(nxt)
            nxt = parent.get(nxt)
        out[sid] = tuple(chain)
    return out


def _outside_queue() -> Any:
    """Grants to small consumers before they joined the list: served from reserved room,
    never queue headroom (docs/rules.md, "Small consumers")."""
    return and_(
        Request.small_consumer.is_(True),
        Request.granted_on.is_not(None),
        Request.granted_on < SMALL_CONSUMERS_JOIN,
    )


def reserve_used_mw(session: Session, stations: Sequence[Station]) -> dict[str, float]:
    """MW of each station's ``small_consumer_reserve_mw`` already granted to small consumers.

    An offtake small consumer granted before 2026-07-01 drew from the nearest station on its
    path with a reserve (its own first), as in the engine.
    """
    has_reserve = {s.id for s in stations if s.small_consumer_reserve_mw is not None}
    rows = session.execute(
        select(Request.station_id, Request.kw).where(
            Request.status == GRANTED,
            Request.direction == Direction.OFFTAKE.value,
            _outside_queue(),
        )
    ).all()
    path_of = paths(stations)
    out: dict[str, float] = {}
    for station_id, kw in rows:
        node = next((n for n in path_of.get(station_id, ()) if n in has_reserve), None)
        if node is not None:
            out[node] = out.get(node, 0.0) + float(kw) / 1000.0
    return out


def granted_mw(
    session: Session, stations: Sequence[Station], on: dt.date | None = None
) -> dict[tuple[str, str], float]:
    """MW granted in each node's subtree, per ``(station id, direction)``.

    With ``on``, only the grants in force on that date (granted on or before it) count: a grant
    dated 2035 is not part of today's map. Without it every grant counts, as a new grant
    must also fit alongside the grants dated after it.
    """
    stmt = select(Request.station_id, Request.direction, func.sum(Request.kw)).where(
        Request.status == GRANTED, ~_outside_queue()
    )
    if on is not None:
        stmt = stmt.where(or_(Request.granted_on.is_(None), Request.granted_on <= on))
    rows = session.execute(stmt.group_by(Request.station_id, Request.direction)).all()
    path_of = paths(stations)
    out: dict[tuple[str, str], float] = {}
    for station_id, direction, kw in rows:
        for node in path_of.get(station_id, (station_id,)):
            key = (node, direction)
            out[key] = out.get(key, 0.0) + float(kw) / 1000.0
    return out


def _delay(raw: Mapping[str, Any] | None) -> DelayDistribution | None:
    if raw is None:
        return None
    return DelayDistribution(
        distribution=str(raw["distribution"]),
        min_months=float(raw.get("min_months", 0.0)),
        mode_months=float(raw.get("mode_months", 0.0)),
        max_months=float(raw.get("max_months", 0.0)),
    )


def granted_shape_mw(
    session: Session, stations: Sequence[Station]
) -> dict[tuple[str, str], npt.NDArray[np.float64]]:
    """Per ``(node, direction)``: one day (96 quarter-hours, MW) to add to the full-kW fold.

    A granted time-block right claims ``restricted_kw − kw`` less outside its capacity blocks,
    a non-firm right ``kw`` less all day (see the module docstring).
    """
    rows = session.execute(
        select(
            Request.station_id,
            Request.direction,
            Request.kw,
            Request.contract,
            Request.blocks,
            Request.restricted_kw,
        ).where(
            Request.status == GRANTED,
            Request.contract.in_([Contract.TIME_BLOCK.value, Contract.NON_FIRM.value]),
            ~_outside_queue(),
        )
    ).all()
    path_of = paths(stations)
    out: dict[tuple[str, str], npt.NDArray[np.float64]] = {}
    for station_id, direction, kw, contract, blocks, restricted_kw in rows:
        if contract == Contract.NON_FIRM.value:
            day = np.full(STEPS_PER_DAY, -kw / 1000.0)
        else:
            inside = block_mask(list(blocks or DEFAULT_TIME_BLOCKS), STEPS_PER_DAY)
            day = np.where(inside, 0.0, (min(restricted_kw, kw) - kw) / 1000.0)
        for node in path_of.get(station_id, (station_id,)):
            key = (node, direction)
            out[key] = out[key] + day if key in out else day
    return out


def _folded(
    profile: npt.NDArray[np.float64] | None,
    mw: float,
    day: npt.NDArray[np.float64] | None,
) -> npt.NDArray[np.float64] | None:
    if profile is None:
        return None
    folded = profile + mw
    if day is not None:
        folded = np.maximum(folded + np.tile(day, profile.size // STEPS_PER_DAY), 0.0)
    return folded


def grid_of(
    stations: Sequence[Station],
    reinforcements: Sequence[Reinforcement],
    granted: Mapping[tuple[str, str], float] | None = None,
    reserve_used: Mapping[str, float] | None = None,
    shapes: Mapping[tuple[str, str], npt.NDArray[np.float64]] | None = None,
) -> Grid:
    """The pure grid; ``granted`` MW (per node and direction) are added to existing load,
    ``shapes`` (:func:`granted_shape_mw`) to the load profiles on top, and ``reserve_used``
    MW taken from the stations' small-consumer reserves."""
    add = granted or {}
    used = reserve_used or {}
    shape = shapes or {}
    off_key, feed_key = Direction.OFFTAKE.value, Direction.FEEDIN.value
    out = []
    for s in sorted(stations, key=lambda s: (s.position, s.id)):
        off = add.get((s.id, Direction.OFFTAKE.value), 0.0)
        feed = add.get((s.id, Direction.FEEDIN.value), 0.0)
        out.append(
            GridStation(
                id=s.id,
                name=s.name,
                parent=s.parent_id,
                offtake_mw=s.offtake_mw,
                load_mw=s.load_mw + off,
                feedin_mw=s.feedin_mw,
                feedin_load_mw=s.feedin_load_mw + feed,
                load_profile_mw=_folded(s.load_profile_mw, off, shape.get((s.id, off_key))),
                feedin_load_profile_mw=_folded(
                    s.feedin_load_profile_mw, feed, shape.get((s.id, feed_key))
                ),
                voltage_kv=s.voltage_kv,
                connection_kv=s.connection_kv,
                small_consumer_reserve_mw=(
                    None
                    if s.small_consumer_reserve_mw is None
                    else max(0.0, s.small_consumer_reserve_mw - used.get(s.id, 0.0))
                ),
                lat=s.lat,
                lon=s.lon,
                aggregated=s.aggregated,
            )
        )
    rfs = [
        GridReinforcement(
            id=r.id,
            station=r.station_id,
            date=r.date,
            offtake_mw=r.offtake_mw,
            feedin_mw=r.feedin_mw,
            delay=_delay(r.delay),
        )
        for r in sorted(reinforcements, key=lambda r: (r.position, r.id))
    ]
    return Grid(tuple(out), tuple(rfs))


def accepts_json(accepts: Sequence[Alternative]) -> list[dict[str, Any]] | None:
    """The ``accepts`` column of a request's alternatives (None when it lists none)."""
    if not accepts:
        return None
    return [
        {
            "contract": a.contract.value,
            "capacity_blocks": list(a.capacity_blocks) if a.capacity_blocks is not None else None,
            "restricted_kw": a.restricted_kw,
        }
        for a in accepts
    ]


def accepts_of(raw: Sequence[Mapping[str, Any]] | None) -> tuple[Alternative, ...]:
    """The alternatives of an ``accepts`` column (validated by :class:`Alternative`)."""
    return tuple(
        Alternative(
            contract=a["contract"],
            capacity_blocks=(
                tuple(a["capacity_blocks"]) if a.get("capacity_blocks") is not None else None
            ),
            restricted_kw=a.get("restricted_kw", 0.0),
        )
        for a in raw or ()
    )


def domain_request(row: Request) -> WaitRequest:
    """The pure request of a row (validates every field)."""
    where = f"request {row.id!r}"
    return WaitRequest(
        id=row.id,
        station=row.station_id,
        kw=row.kw,
        submitted=row.submitted,
        direction=Direction(row.direction),
        applicant=row.applicant,
        category=coerce_enum(Category, row.category, field="category", where=where),
        function=row.function,
        evidence=row.evidence,
        contract=coerce_enum(Contract, row.contract, field="contract", where=where),
        small_consumer=row.small_consumer,
        contract_signed=row.contract_signed,
        score=row.score,
        profile_kw=row.profile_kw,
        profile_csv=row.profile_csv,
        ean=row.ean,
        needed=row.needed,
        capacity_blocks=tuple(row.blocks) if row.blocks is not None else None,
        restricted_kw=row.restricted_kw,
        used_kw=row.used_kw,
        withdraw_per_year=row.withdraw_per_year,
        withdrawn=row.withdrawn,
        accept_partial=row.accept_partial,
        connection_kv=row.connection_kv,
        accepts=accepts_of(row.accepts),
    )


def request_fields(req: WaitRequest) -> dict[str, Any]:
    """Column values of a pure request (profile arrays included, status not)."""
    return {
        "id": req.id,
        "station_id": req.station,
        "kw": req.kw,
        "submitted": req.submitted,
        "direction": req.direction.value,
        "applicant": req.applicant,
        "category": req.category.value,
        "function": req.function,
        "evidence": req.evidence,
        "contract": req.contract.value,
        "small_consumer": req.small_consumer,
        "contract_signed": req.contract_signed,
        "score": req.score,
        "profile_kw": None if req.profile_kw is None else np.asarray(req.profile_kw),
        "profile_csv": req.profile_csv,
        "ean": req.ean,
        "needed": req.needed,
        "blocks": list(req.capacity_blocks) if req.capacity_blocks is not None else None,
        "restricted_kw": req.restricted_kw,
        "used_kw": req.used_kw,
        "withdraw_per_year": req.withdraw_per_year,
        "withdrawn": req.withdrawn,
        "accepts": accepts_json(req.accepts),
        "accept_partial": req.accept_partial,
        "connection_kv": req.connection_kv,
    }


def new_request_row(
    req: WaitRequest, *, position: int, owner_id: int | None, now: dt.datetime
) -> Request:
    """A new waiting row for ``req`` (not yet added to a session)."""
    return Request(
        **request_fields(req),
        position=position,
        owner_id=owner_id,
        status=WAITING,
        created_at=now,
        updated_at=now,
    )


def moment_scenario(
    session: Session,
    day: dt.date,
    *,
    stations: Sequence[Station] | None = None,
    capacity: str | None = None,
) -> Scenario:
    """The scenario of one allocation moment on ``day``: the register over a one-day horizon,
    without use-it-or-lose-it (nothing is taken back at a moment). The allocation moment,
    its preview and the standings now all walk this one scenario."""
    scenario = build_scenario(
        session, start=day, end=day + dt.timedelta(days=1), capacity=capacity, stations=stations
    )
    return dataclasses.replace(scenario, use_it_or_lose_it=None)


def build_scenario(
    session: Session,
    *,
    start: dt.date | None = None,
    end: dt.date | None = None,
    capacity: str | None = None,
    statuses: Iterable[str] = (WAITING,),
    fold_granted: bool = True,
    stations: Sequence[Station] | None = None,
) -> Scenario:
    """The register as a scenario: waiting requests over a grid with grants folded in.

    Parameters
    ----------
    start, end
        Horizon (default: the register's).
    capacity
        ``"peak"`` or ``"profile"`` (default: the register's setting).
    statuses
        Which requests take part (default: the waiting ones).
    fold_granted
        Add granted MW to the existing load of every node on their path.
    stations
        Station rows already loaded (and locked) by the caller.
    """
    reg = load_register(session)
    station_rows = (
        list(stations) if stations is not None else list(session.scalars(select(Station)))
    )
    rf_rows = list(session.scalars(select(Reinforcement)))
    granted = granted_mw(session, station_rows) if fold_granted else {}
    reserve = reserve_used_mw(session, station_rows) if fold_granted else {}
    shapes = granted_shape_mw(session, station_rows) if fold_granted else {}
    grid = grid_of(station_rows, rf_rows, granted, reserve, shapes)
    rows = session.scalars(
        select(Request)
        .where(Request.status.in_(list(statuses)))
        .order_by(Request.position, Request.id)
    ).all()
    uioli = UseItOrLoseIt(**reg.use_it_or_lose_it) if reg.use_it_or_lose_it else None
    mode = capacity if capacity is not None else reg.capacity
    return Scenario(
        name=reg.name,
        start=start or reg.start,
        end=end or reg.end,
        grid=grid,
        requests=tuple(domain_request(r) for r in rows),
        policy=coerce_enum(Policy, reg.policy, field="policy"),
        fit=coerce_enum(Fit, reg.fit, field="fit"),
        capacity=None if mode is None else coerce_enum(CapacityMode, mode, field="capacity"),
        timezone=reg.timezone,
        use_it_or_lose_it=uioli,
        withdraw_per_year=reg.withdraw_per_year,
        nonfirm_min_share=reg.nonfirm_min_share,
        tdtr_max_restricted_share=reg.tdtr_max_restricted_share,
        reservation_lead_months=reg.reservation_lead_months,
        runs=reg.runs,
        seed=reg.seed,
        partial_offers=reg.partial_offers,
        min_offer_kw=reg.min_offer_kw,
        source=reg.source,
    )
