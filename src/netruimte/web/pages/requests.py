"""The operator's queue, an applicant's requests and the "my request" page."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter, Request
from fastapi.responses import Response

from netruimte.i18n import gettext
from netruimte.register import claims, dashboard, history, moments, offers
from netruimte.web.deps import Db, TextId
from netruimte.web.i18n import request_language
from netruimte.web.pages import figures
from netruimte.web.pages.forms import Param, parse_int
from netruimte.web.pages.render import PageRoute, render, signed_in, wants_json

__all__ = ["PAGE_SIZE", "router"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

PAGE_SIZE = 50


@router.get("/queue", name="queue_page")
def queue(
    request: Request,
    db: Db,
    station: Param = None,
    category: Param = None,
    status: Param = "waiting",
    direction: Param = None,
    offset: Param = None,
) -> Response:
    """Operators: the requests in queue order, filtered by station, category, status and
    direction, with each one's rank now and its expected date in the latest forecast."""
    who = signed_in(request)
    listing = dashboard.queue_listing(
        db,
        who,
        station=station or None,
        category=category or None,
        status=None if status in ("any", "") else status,
        direction=direction or None,
        limit=PAGE_SIZE,
        offset=parse_int(offset, "offset", 0, 0, 10_000_000),
    ).to_json_dict()
    charts = {}
    lang = request_language(request)
    for way in ("offtake", "feed-in"):
        if any(r["direction"] == way for r in listing["summary"]):
            charts[way] = figures.waiting_by_station(
                listing["summary"],
                way,
                gettext(
                    lang, "{direction}: MW of the listed requests", direction=gettext(lang, way)
                ),
                lang,
            )
    return render(request, "queue.html", listing, title="Queue", extra={"charts": charts})


@router.get("/requests", name="my_requests_page")
def my_requests(request: Request, db: Db) -> Response:
    """An applicant's own requests (an operator's: every request) with rank and forecast."""
    who = signed_in(request)
    data = dashboard.my_requests(db, who).to_json_dict()
    title = "All requests" if who.is_operator else "My requests"
    return render(request, "requests.html", data, title=title)


@router.get("/requests/{request_id}", name="request_page")
def my_request(request: Request, db: Db, request_id: TextId) -> Response:
    """One request: where it stands now, when it is expected, why, and what would fit now.

    Another applicant's request answers 404, as in the API.
    """
    who = signed_in(request)
    data = dashboard.request_overview(db, who, request_id).to_json_dict()
    data["claims"] = claims.list_claims(db, who, request_id=request_id)
    upcoming = moments.next_standing(db, who, request_id)
    data["next"] = upcoming.to_json_dict() if upcoming is not None else None
    data["offers"] = offers.list_offers(db, who, request_id)
    # a person's visit marks what changed as seen; a script reading the twin does not
    data["history"] = history.request_history(
        db, who, request_id, record_visit=not wants_json(request)
    )
    charts = {}
    fc = data["forecast"]
    if fc is not None and (fc["granted_p50"] or fc["granted_on"]):
        p10, p50, p90 = fc["granted_p10"], fc["granted_p50"], fc["granted_p90"]
        if p50 is None and fc["run"]["kind"] == "forecast":
            p50 = fc["granted_on"]
        charts["expected"] = figures.expected_dates(
            dt.date.fromisoformat(data["as_of"]),
            p10,
            p50,
            p90,
            request_id,
            request_language(request),
        )
    return render(
        request,
        "request.html",
        data,
        title="Request {id}",
        title_kw={"id": request_id},
        extra={"charts": charts},
    )
