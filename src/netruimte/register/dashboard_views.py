"""The typed results of the dashboard views (:mod:`netruimte.register.dashboard`).

Frozen views the pages turn into their JSON twins with ``to_json_dict`` (the fields in
declaration order; dates and times are ISO text). Two keep a key out of their JSON where the
pages have always left it out: a standing without a rank has no ``offered_kw``, a forecast
outcome has ``detail`` only on a request's own page.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from netruimte.register.requests import RequestView
from netruimte.register.run_store import RunOutcome
from netruimte.register.view_json import JsonView

__all__ = [
    "CapacityChange",
    "Choices",
    "DirectionTimeline",
    "Filters",
    "ForecastView",
    "MyRequests",
    "NamedNode",
    "QueueItem",
    "QueueListing",
    "RequestOverview",
    "RunBrief",
    "Standing",
    "StationOutlook",
    "SummaryRow",
    "Timeline",
]


@dataclass(frozen=True)
class NamedNode(JsonView):
    """A station by id and name (its id when it has no name)."""

    id: str
    name: str


@dataclass(frozen=True)
class Standing(JsonView):
    """A waiting request's standing at one allocation moment (``takes_part`` false when it
    is not ranked then: submitted later, or not waiting)."""

    on: str
    takes_part: bool
    rank: int | None
    rank_of: int | None
    ahead_mw: float | None
    category: str | None
    fits_now: bool
    offered_kw: float | None
    """A partial offer it would get at a moment on ``on`` (the rest keeps its place)."""
    binding_station: str | None
    binding_station_name: str | None
    binding_room_mw: float | None
    blocked: bool
    alternatives: tuple[str, ...]
    explanation: str | None

    def to_json_dict(self) -> dict[str, Any]:
        """Plain dict for JSON; without ``offered_kw`` when the request takes no part."""
        out = super().to_json_dict()
        if not self.takes_part:
            del out["offered_kw"]
        return out


@dataclass(frozen=True)
class RunBrief(JsonView):
    """A forecast run in brief: what it was and when it finished."""

    id: int
    kind: str
    runs: int
    policy: str
    fit: str
    start: str
    end: str
    finished_at: str | None


@dataclass(frozen=True)
class ForecastView(JsonView):
    """A request's outcome in the latest forecast run (``detail``: the full explanation, on
    the request's own page only)."""

    run: RunBrief
    outcome: RunOutcome
    detail: str | None = None

    def to_json_dict(self) -> dict[str, Any]:
        """The run in brief, then the outcome's fields, then ``detail`` when there is one."""
        out: dict[str, Any] = {"run": self.run.to_json_dict(), **self.outcome}
        if self.detail is not None:
            out["detail"] = self.detail
        return out


@dataclass(frozen=True)
class QueueItem(JsonView):
    """One request in a listing: its details, its rank now and its forecast dates."""

    id: str
    applicant: str
    owner: str | None
    station: str
    direction: str
    kw: float
    contract: str
    submitted: str
    category: str
    eligible_category: str | None
    status: str
    granted_on: str | None
    rank_now: int | None
    rank_of_now: int | None
    fits_now: bool | None
    in_forecast: bool
    forecast_granted_on: str | None
    forecast_p50: str | None
    forecast_p90: str | None


@dataclass(frozen=True)
class Filters(JsonView):
    """The queue's filters as applied (None: any)."""

    station: str | None
    category: str | None
    status: str | None
    direction: str | None


@dataclass(frozen=True)
class Choices(JsonView):
    """The values each queue filter may take."""

    station: tuple[NamedNode, ...]
    category: tuple[str, ...]
    status: tuple[str, ...]
    direction: tuple[str, ...]


@dataclass(frozen=True)
class SummaryRow(JsonView):
    """How many requests and MW matched, per station, direction and category."""

    station: str
    direction: str
    category: str
    requests: int
    mw: float


@dataclass(frozen=True)
class QueueListing(JsonView):
    """The operator's queue, filtered, one page of it (:func:`~netruimte.register.
    dashboard.queue_listing`)."""

    as_of: str
    filters: Filters
    choices: Choices
    total: int
    limit: int
    offset: int
    forecast_run: RunBrief | None
    summary: tuple[SummaryRow, ...]
    items: tuple[QueueItem, ...]


@dataclass(frozen=True)
class MyRequests(JsonView):
    """A principal's requests with their standing and forecast (:func:`~netruimte.register.
    dashboard.my_requests`)."""

    as_of: str
    forecast_run: RunBrief | None
    items: tuple[QueueItem, ...]


@dataclass(frozen=True)
class RequestOverview(JsonView):
    """One request as its applicant sees it (:func:`~netruimte.register.dashboard.
    request_overview`)."""

    as_of: str
    request: RequestView
    station_name: str
    path: tuple[NamedNode, ...]
    now: Standing | None
    forecast: ForecastView | None
    forecast_run: RunBrief | None
    last_allocation_moment: str | None


@dataclass(frozen=True)
class DirectionTimeline(JsonView):
    """A station's room over time in one direction (MW, None where unlimited)."""

    station_room_mw: tuple[float | None, ...]
    path_room_mw: tuple[float | None, ...]
    path_binding: tuple[str | None, ...]
    """The node with the least room on the path on each date (None where unlimited)."""
    waiting_mw: float
    limited: bool


@dataclass(frozen=True)
class Timeline(JsonView):
    """The dates of a station's outlook and its room on them in both directions."""

    dates: tuple[str, ...]
    offtake: DirectionTimeline
    feedin: DirectionTimeline

    def to_json_dict(self) -> dict[str, Any]:
        """Plain dict keyed by direction (``offtake``, ``feed-in``)."""
        return {
            "dates": list(self.dates),
            "offtake": self.offtake.to_json_dict(),
            "feed-in": self.feedin.to_json_dict(),
        }


@dataclass(frozen=True)
class CapacityChange(JsonView):
    """A planned change of capacity on a station's path (MW; ``feedin_mw`` None where the
    station's feed-in is unlimited)."""

    date: str
    station: str
    station_name: str
    offtake_mw: float
    feedin_mw: float | None


@dataclass(frozen=True)
class StationOutlook(JsonView):
    """A station's capacity-map entry, room over time and anonymised queue
    (:func:`~netruimte.register.dashboard.station_outlook`)."""

    as_of: str
    horizon_end: str
    entry: dict[str, Any]
    """The station's capacity-map entry (a JSON document of the public map's fields)."""
    path: tuple[NamedNode, ...]
    timeline: Timeline
    capacity_changes: tuple[CapacityChange, ...]
    queue: tuple[dict[str, Any], ...]
    """The station's public queue cells (JSON documents, as the public queue figures)."""
    min_cell: int
