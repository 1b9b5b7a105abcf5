"""Public pages (no sign-in): the start page, the capacity map and a station's outlook."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response

from netruimte.i18n import gettext
from netruimte.register import dashboard, grid_state
from netruimte.register.convert import check_day, today
from netruimte.web.api.public import COLOURS
from netruimte.web.deps import Db, TextId
from netruimte.web.i18n import request_language
from netruimte.web.pages import figures
from netruimte.web.pages.forms import OnText, parse_day
from netruimte.web.pages.render import PageRoute, Viewer, render, wants_json

__all__ = ["router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)


@router.get("/", name="home")
def home(request: Request, db: Db, who: Viewer) -> Response:
    """What the service is, and where to go; an operator's home is their work (/operator)."""
    if who is not None and who.is_operator and not wants_json(request):
        return RedirectResponse("/operator", status_code=303)
    with db.read() as session:
        day = today(session)
        entries = grid_state.capacity_map(session, day)
    counts: dict[str, int] = {}
    for e in entries:
        counts[e["demand_constraint"]] = counts.get(e["demand_constraint"], 0) + 1
    pages = [
        {"url": "/map", "title": "Map", "who": "everyone"},
        {"url": "/capacity-map", "title": "Capacity map", "who": "everyone"},
        {"url": "/queue", "title": "Queue", "who": "operators"},
        {"url": "/requests", "title": "My requests", "who": "signed in"},
        {"url": "/site-planner", "title": "Site planner", "who": "signed in"},
        {"url": "/login", "title": "Sign in", "who": "everyone"},
    ]
    data = {
        "as_of": day.isoformat(),
        "stations": len(entries),
        "offtake_colours": counts,
        "pages": pages,
        "api": "/api/v1",
        "openapi": "/openapi.json",
        "signed_in": who is not None,
    }
    return render(request, "home.html", data, title="netruimte")


@router.get("/capacity-map", name="capacity_map_page")
def capacity_map(request: Request, db: Db, who: Viewer, on: OnText = None) -> Response:
    """Every station's room and queue, coloured as on Netbeheer Nederland's map."""
    del who
    day = parse_day(on, "on")
    check_day(day, "on")
    with db.read() as session:
        as_of = day or today(session)
        entries = grid_state.capacity_map(session, as_of)
    data = {"as_of": as_of.isoformat(), "colours": COLOURS, "stations": entries}
    return render(
        request, "capacity_map.html", data, title="Capacity map", extra={"rows": _tree(entries)}
    )


def _tree(entries: list[dict[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
    """Entries in tree order (each station right after its parent) with their depth."""
    ids = {e["short_code"] for e in entries}
    children: dict[str | None, list[dict[str, Any]]] = {}
    for e in entries:
        parent = e["parent"] if e["parent"] in ids else None
        children.setdefault(parent, []).append(e)
    out: list[tuple[int, dict[str, Any]]] = []
    stack = [(0, e) for e in reversed(children.get(None, []))]
    seen: set[str] = set()
    while stack:
        depth, entry = stack.pop()
        if entry["short_code"] in seen:
            continue
        seen.add(entry["short_code"])
        out.append((depth, entry))
        stack.extend((depth + 1, c) for c in reversed(children.get(entry["short_code"], [])))
    out.extend((0, e) for e in entries if e["short_code"] not in seen)  # a cycle: still shown
    return out


@router.get("/stations/{station_id}", name="station_page")
def station(
    request: Request, db: Db, who: Viewer, station_id: TextId, on: OnText = None
) -> Response:
    """One station: its map entry, room over time, planned capacity and anonymised queue."""
    day = parse_day(on, "on")
    outlook = dashboard.station_outlook(db, station_id, day).to_json_dict()
    name = outlook["entry"]["name"] or station_id
    charts: dict[str, Any] = {}
    lang = request_language(request)
    for direction in ("offtake", "feed-in"):
        if outlook["timeline"][direction]["limited"]:
            charts[direction] = figures.room_over_time(
                outlook["timeline"],
                direction,
                station_id,
                gettext(
                    lang, "{direction}: room over time (MW)", direction=gettext(lang, direction)
                ),
                lang,
            )
    page: dict[str, Any] = {
        **outlook,
        "operator_queue": f"/queue?station={station_id}"
        if who is not None and who.is_operator
        else None,
    }
    return render(
        request,
        "station.html",
        page,
        title="{name} ({id})",
        title_kw={"name": name, "id": station_id},
        extra={"charts": charts},
    )
