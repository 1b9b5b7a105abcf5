"""Read-only views for the dashboard pages (``netruimte.web.pages``).

Nothing here changes the register. Three views the JSON API does not give in one answer:

* :func:`station_outlook`: a station's room over time, from today to the end of the register's
  horizon, if nothing more were granted: ``capacity on the date (planned reinforcements counted
  from their date) − existing load − MW granted now``, at the station and the smallest along
  its path, next to the MW waiting at the station. Public: every figure can also be read off
  the public capacity map (``?on=DATE``).
* :func:`standings`: where every waiting request stands *now*: the register's policy applied at
  one allocation moment today, exactly as ``POST /api/v1/runs/allocate`` ranks and walks
  (peak headroom, grants folded in), but nothing is written. It gives each request's rank, the
  MW ahead of it, whether it would be granted today, the full node, and the alternatives that
  would fit now (the engine's own, ``docs/rules.md``).
* :func:`queue_listing`, :func:`request_overview` and :func:`my_requests`: the operator's queue
  with filters (station, category, status, direction) and an applicant's requests, each with
  its standing now and its expected date from the latest forecast (P50/P90 from the latest
  Monte Carlo run, else the date of the latest deterministic forecast).

Object-level rules are those of the API: an applicant sees only its own requests (another's
answers :class:`~netruimte.errors.NotFound`), the queue is for operators only, and
forecast outcomes follow the owner recorded with the run.
"""

from __future__ import annotations

import datetime as dt
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from sqlalchemy import case, select
from sqlalchemy.orm import Session

from netruimte.access.auth import Principal, own_rows, require_operator
from netruimte.errors import InputError, NotFound
from netruimte.grid import Direction
from netruimte.jobs import queue as jobs
from netruimte.register import grid_state
from netruimte.register.convert import (
    GRANTED,
    WAITING,
    WITHDRAWN,
    check_day,
    domain_request,
    load_register,
    moment_scenario,
    paths,
    today,
)
from netruimte.register.dashboard_views import (
    CapacityChange,
    Choices,
    DirectionTimeline,
    Filters,
    ForecastView,
    MyRequests,
    NamedNode,
    QueueItem,
    QueueListing,
    RequestOverview,
    RunBrief,
    Standing,
    StationOutlook,
    SummaryRow,
    Timeline,
)
from netruimte.register.requests import owned_request, request_view
from netruimte.register.run_store import ALLOCATE, FORECAST, MONTE_CARLO, run_outcome
from netruimte.storage import Database
from netruimte.storage.tables import (
    AuditHead,
    Reinforcement,
    Request,
    Run,
    RunRequest,
    Station,
    User,
)
from netruimte.waitlist import Category, RequestOutcome, eligible_category, simulate

__all__ = [
    "CATEGORIES",
    "DIRECTIONS",
    "STATUSES",
    "latest_forecast_run",
    "my_requests",
    "queue_listing",
    "request_overview",
    "standing_view",
    "standings",
    "station_outlook",
]

CATEGORIES = tuple(c.value for c in Category)
DIRECTIONS = tuple(d.value for d in Direction)
STATUSES = (WAITING, GRANTED, WITHDRAWN)


def _choice(value: str | None, choices: Sequence[str], field: str) -> str | None:
    if value is None or value == "":
        return None
    if value not in choices:
        raise InputError(f"unknown {field} {value!r}; expected {' | '.join(choices)}", field=field)
    return value


def _day(session: Session, on: dt.date | None) -> dt.date:
    check_day(on, "on")
    return on or today(session)


def _mw(value: float) -> float | None:
    return round(value, 6) if math.isfinite(value) else None


# --- a station's room over time --------------------------------------------------------------


def station_outlook(db: Database, station_id: str, on: dt.date | None = None) -> StationOutlook:
    """A station's capacity-map entry, its room over time and its anonymised queue.

    Returns
    -------
    StationOutlook
        ``entry`` (the capacity-map entry), ``path`` (the station, then its ancestors: ids and
        names), ``timeline`` per direction (``dates`` from ``on`` to the horizon's end, the
        room at the station and the smallest room on its path on each date, MW, null where
        the capacity is unlimited, and the node with that smallest room; ``waiting_mw`` at
        the station), ``capacity_changes`` (the
        planned changes of capacity on the path after ``on``) and ``queue`` (the public queue
        figures of this station).

    Raises
    ------
    NotFound
        No such station.
    """
    with db.read() as session:
        reg = load_register(session)
        day = _day(session, on)
        stations = list(session.scalars(select(Station).order_by(Station.position, Station.id)))
        by_id = {s.id: s for s in stations}
        if station_id not in by_id:
            raise NotFound(f"no station {station_id!r}")
        [entry] = grid_state.capacity_map(session, day, station_id)
        path = paths(stations)[station_id]
        rfs = session.scalars(
            select(Reinforcement)
            .where(Reinforcement.station_id.in_(path), Reinforcement.date > day)
            .order_by(Reinforcement.date, Reinforcement.id)
        ).all()
        dates = sorted({day, *(rf.date for rf in rfs), *([reg.end] if reg.end > day else [])})
        rooms = [grid_state.live_rooms(session, stations, d) for d in dates]
        queue = grid_state.queue_figures(session, day)
        timelines: dict[str, DirectionTimeline] = {}
        for direction, prefix in (
            (Direction.OFFTAKE.value, "demand"),
            (Direction.FEEDIN.value, "generation"),
        ):
            own = [r[(station_id, direction)].room_mw for r in rooms]
            tightest = [_tightest(r, path, direction) for r in rooms]
            along = [r[(n, direction)].room_mw for r, n in zip(rooms, tightest, strict=True)]
            timelines[direction] = DirectionTimeline(
                station_room_mw=tuple(_mw(v) for v in own),
                path_room_mw=tuple(_mw(v) for v in along),
                path_binding=tuple(
                    n if math.isfinite(v) else None for n, v in zip(tightest, along, strict=True)
                ),
                waiting_mw=entry[f"{prefix}_capacity_in_queue"],
                limited=any(math.isfinite(v) for v in along),
            )
        changes = tuple(
            CapacityChange(
                date=rf.date.isoformat(),
                station=rf.station_id,
                station_name=by_id[rf.station_id].name or rf.station_id,
                offtake_mw=rf.offtake_mw,
                feedin_mw=rf.feedin_mw if by_id[rf.station_id].feedin_mw is not None else None,
            )
            for rf in rfs
        )
        return StationOutlook(
            as_of=day.isoformat(),
            horizon_end=reg.end.isoformat(),
            entry=entry,
            path=tuple(NamedNode(n, by_id[n].name or n) for n in path),
            timeline=Timeline(
                dates=tuple(d.isoformat() for d in dates),
                offtake=timelines[Direction.OFFTAKE.value],
                feedin=timelines[Direction.FEEDIN.value],
            ),
            capacity_changes=changes,
            queue=tuple(
                sorted(
                    (c for c in queue["cells"] if c["station"] == station_id),
                    key=lambda c: (c["direction"] != "offtake", Category(c["category"]).number),
                )
            ),
            min_cell=queue["min_cell"],
        )


def _tightest(
    rooms: dict[tuple[str, str], grid_state.NodeRoom], path: Sequence[str], direction: str
) -> str:
    """The node on ``path`` with the least room in ``direction`` (the first of equals)."""
    return min(path, key=lambda node: rooms[(node, direction)].room_mw)


# --- where the waiting requests stand now ----------------------------------------------------


_CACHE: OrderedDict[tuple[str, int, str, dt.date], dict[str, RequestOutcome]] = OrderedDict()
_CACHE_LOCK = threading.Lock()
_CACHE_SIZE = 8


def standings(session: Session, day: dt.date) -> dict[str, RequestOutcome]:
    """Each waiting request's outcome at one allocation moment on ``day`` (nothing written).

    The scenario is the one ``allocation.allocate`` builds (``convert.moment_scenario``): the
    waiting requests over the grid with
    the grants folded in, peak headroom, no use-it-or-lose-it; the register's policy and fit.
    A request submitted after ``day`` does not take part (it is absent from the answer).

    The answer is kept per database, day and head of the audit trail: every change to
    requests, stations, reinforcements or the register is audited in its own transaction, so
    a new head means a new state (the head's hash, not only its number, tells a database that
    was emptied and filled again apart).
    """
    head = session.get(AuditHead, 1)
    key = (
        str(session.get_bind().engine.url),
        head.seq if head else -1,
        head.hash if head else "",
        day,
    )
    with _CACHE_LOCK:
        hit = _CACHE.get(key)
        if hit is not None:
            _CACHE.move_to_end(key)
            return hit
    out = _standings(session, day)
    with _CACHE_LOCK:
        _CACHE[key] = out
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return out


def _standings(session: Session, day: dt.date) -> dict[str, RequestOutcome]:
    reg = load_register(session)
    scenario = moment_scenario(session, day, capacity="peak")
    if not scenario.requests:
        return {}
    result = simulate(scenario, policy=reg.policy, fit=reg.fit)
    return {o.id: o for o in result.requests if o.rank is not None}


def standing_view(out: RequestOutcome | None, day: dt.date, names: dict[str, str]) -> Standing:
    """One request's standing at the moment on ``day`` (``takes_part`` false when not ranked)."""
    if out is None:
        return Standing(
            on=day.isoformat(),
            takes_part=False,
            rank=None,
            rank_of=None,
            ahead_mw=None,
            category=None,
            fits_now=False,
            offered_kw=None,
            binding_station=None,
            binding_station_name=None,
            binding_room_mw=None,
            blocked=False,
            alternatives=(),
            explanation=None,
        )
    binding = out.binding_station
    return Standing(
        on=day.isoformat(),
        takes_part=True,
        rank=out.rank,
        rank_of=out.rank_of,
        ahead_mw=None if out.ahead_mw is None else round(out.ahead_mw, 6),
        category=out.category.value,
        fits_now=out.granted_on is not None,
        offered_kw=None
        if out.granted_on is not None
        else round(sum(o.kw for o in out.offers if o.on == day), 3) or None,
        binding_station=binding,
        binding_station_name=names.get(binding, binding) if binding else None,
        binding_room_mw=None if out.binding_room_mw is None else round(out.binding_room_mw, 6),
        blocked=out.blocked,
        alternatives=tuple(out.alternatives),
        explanation=out.explanation,
    )


def _eligible(row: Request) -> str | None:
    """The category a request ranks in after the eligibility checks (None if invalid)."""
    try:
        return eligible_category(domain_request(row)).value
    except InputError:
        return None


def _names(session: Session) -> dict[str, str]:
    return {s.id: s.name or s.id for s in session.scalars(select(Station))}


# --- forecasts ---------------------------------------------------------------------------------


def latest_forecast_run(session: Session, request_ids: Iterable[str] | None = None) -> Run | None:
    """The latest done Monte Carlo run, else the latest done deterministic forecast.

    With ``request_ids``, only runs holding at least one of them count.
    """
    stmt = select(Run).where(Run.status == jobs.DONE, Run.kind.in_((FORECAST, MONTE_CARLO)))
    if request_ids is not None:
        ids = list(request_ids)
        if not ids:
            return None
        held = select(RunRequest.run_id).where(RunRequest.request_id.in_(ids))
        stmt = stmt.where(Run.id.in_(held))
    mc_first = case((Run.kind == MONTE_CARLO, 0), else_=1)
    return session.scalars(stmt.order_by(mc_first, Run.id.desc()).limit(1)).first()


def _run_brief(run: Run | None) -> RunBrief | None:
    if run is None:
        return None
    return RunBrief(
        id=run.id,
        kind=run.kind,
        runs=run.runs,
        policy=run.policy,
        fit=run.fit,
        start=run.start.isoformat(),
        end=run.end.isoformat(),
        finished_at=run.finished_at.isoformat() if run.finished_at else None,
    )


def _forecasts(
    session: Session, principal: Principal, ids: Sequence[str], full: bool = False
) -> tuple[RunBrief | None, dict[str, ForecastView]]:
    """The latest forecast's outcome of each request the principal may see in it."""
    run = latest_forecast_run(session, ids)
    if run is None:
        return None, {}
    rows = session.scalars(
        select(RunRequest).where(RunRequest.run_id == run.id, RunRequest.request_id.in_(ids))
    ).all()
    brief = _run_brief(run)
    assert brief is not None
    return brief, {
        r.request_id: ForecastView(brief, run_outcome(r), r.detail if full else None)
        for r in rows
        if principal.owns(r.owner_id)
    }


# --- the pages' listings -----------------------------------------------------------------------


def _item(
    row: Request,
    owner: str | None,
    now: dict[str, RequestOutcome],
    forecast: dict[str, ForecastView],
) -> QueueItem:
    view = request_view(row, owner)
    out = now.get(row.id) if row.status == WAITING else None
    fc = forecast[row.id].outcome if row.id in forecast else None
    return QueueItem(
        id=row.id,
        applicant=row.applicant,
        owner=owner,
        station=row.station_id,
        direction=row.direction,
        kw=row.kw,
        contract=row.contract,
        submitted=view["submitted"],
        category=row.category,
        eligible_category=view["eligible_category"],
        status=row.status,
        granted_on=view["granted_on"],
        rank_now=out.rank if out else None,
        rank_of_now=out.rank_of if out else None,
        fits_now=(out.granted_on is not None) if out else None,
        in_forecast=fc is not None,
        forecast_granted_on=fc["granted_on"] if fc else None,
        forecast_p50=fc["granted_p50"] if fc else None,
        forecast_p90=fc["granted_p90"] if fc else None,
    )


def queue_listing(
    db: Database,
    principal: Principal,
    *,
    station: str | None = None,
    category: str | None = None,
    status: str | None = WAITING,
    direction: str | None = None,
    limit: int = 100,
    offset: int = 0,
) -> QueueListing:
    """The operator's queue: requests filtered and in queue order, with their standing now.

    ``category`` filters on the category a request ranks in after the eligibility checks;
    ``status`` None means any. Waiting requests come per station (register order) and
    direction in their rank now; the others follow in register order. ``summary`` gives the
    count and MW per station, direction and category of everything that matched.

    Raises
    ------
    Forbidden
        The caller is not an operator.
    InputError
        An unknown filter value or station (``field`` names the filter).
    """
    require_operator(principal, "see the whole queue")
    category = _choice(category, CATEGORIES, "category")
    status = _choice(status, STATUSES, "status")
    direction = _choice(direction, DIRECTIONS, "direction")
    if not 1 <= limit <= 1000:
        raise InputError("limit must be from 1 to 1000", field="limit")
    if offset < 0:
        raise InputError("offset must be 0 or more", field="offset")
    with db.read() as session:
        day = today(session)
        stations = list(session.scalars(select(Station).order_by(Station.position, Station.id)))
        order = {s.id: k for k, s in enumerate(stations)}
        station = _choice(station, list(order), "station")
        stmt = select(Request)
        if status is not None:
            stmt = stmt.where(Request.status == status)
        if station is not None:
            stmt = stmt.where(Request.station_id == station)
        if direction is not None:
            stmt = stmt.where(Request.direction == direction)
        rows = list(session.scalars(stmt.order_by(Request.position, Request.id)))
        names = {u.id: u.name for u in session.scalars(select(User))}
        now = standings(session, day) if status in (None, WAITING) else {}
        eligible = {r.id: _eligible(r) for r in rows}
        if category is not None:
            rows = [r for r in rows if eligible[r.id] == category]

        def key(r: Request) -> tuple[int, int, bool, int, float]:
            out = now.get(r.id) if r.status == WAITING else None
            waiting = 0 if r.status == WAITING else 1
            rank = out.rank if out is not None and out.rank is not None else 10**9
            feedin = r.direction != Direction.OFFTAKE.value  # offtake first
            return (waiting, order.get(r.station_id, 10**9), feedin, rank, r.position)

        rows.sort(key=key)
        summary: dict[tuple[str, str, str], list[float]] = {}
        for r in rows:
            cat = eligible[r.id] or r.category
            summary.setdefault((r.station_id, r.direction, cat), []).append(r.kw)
        page = rows[offset : offset + limit]
        run, forecast = _forecasts(session, principal, [r.id for r in page])
        items = tuple(_item(r, names.get(r.owner_id or -1), now, forecast) for r in page)
        return QueueListing(
            as_of=day.isoformat(),
            filters=Filters(station, category, status, direction),
            choices=Choices(
                station=tuple(NamedNode(s.id, s.name or s.id) for s in stations),
                category=CATEGORIES,
                status=STATUSES,
                direction=DIRECTIONS,
            ),
            total=len(rows),
            limit=limit,
            offset=offset,
            forecast_run=run,
            summary=tuple(
                SummaryRow(sid, d, c, len(kws), round(sum(kws) / 1000.0, 3))
                for (sid, d, c), kws in sorted(
                    summary.items(),
                    key=lambda kv: (
                        order.get(kv[0][0], 10**9),
                        kv[0][1] != Direction.OFFTAKE.value,
                        Category(kv[0][2]).number,
                    ),
                )
            ),
            items=items,
        )


def my_requests(db: Database, principal: Principal, limit: int = 200) -> MyRequests:
    """The principal's own requests (an operator: every request) with standing and forecast."""
    with db.read() as session:
        day = today(session)
        stmt = own_rows(select(Request), principal, Request.owner_id)
        rows = list(session.scalars(stmt.order_by(Request.position, Request.id).limit(limit)))
        names = {u.id: u.name for u in session.scalars(select(User))}
        now = standings(session, day) if any(r.status == WAITING for r in rows) else {}
        run, forecast = _forecasts(session, principal, [r.id for r in rows])
        return MyRequests(
            as_of=day.isoformat(),
            forecast_run=run,
            items=tuple(_item(r, names.get(r.owner_id or -1), now, forecast) for r in rows),
        )


def request_overview(db: Database, principal: Principal, request_id: str) -> RequestOverview:
    """One request as its applicant sees it: details, standing now, the latest forecast.

    Raises
    ------
    NotFound
        No such request, or another applicant's.
    """
    with db.read() as session:
        row = owned_request(session, principal, request_id)
        owner = session.get(User, row.owner_id) if row.owner_id is not None else None
        view = request_view(row, owner.name if owner else None)
        day = today(session)
        names = _names(session)
        path = paths(list(session.scalars(select(Station)))).get(row.station_id, ())
        now = (
            standing_view(standings(session, day).get(row.id), day, names)
            if (row.status == WAITING)
            else None
        )
        run, forecast = _forecasts(session, principal, [row.id], full=True)
        latest_allocation = session.scalars(
            select(Run.start).where(Run.kind == ALLOCATE).order_by(Run.id.desc()).limit(1)
        ).first()
        return RequestOverview(
            as_of=day.isoformat(),
            request=view,
            station_name=names.get(row.station_id, row.station_id),
            path=tuple(NamedNode(n, names.get(n, n)) for n in path),
            now=now,
            forecast=forecast.get(row.id),
            forecast_run=run,
            last_allocation_moment=latest_allocation.isoformat() if latest_allocation else None,
        )
