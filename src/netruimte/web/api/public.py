"""Public routes (no token): the capacity map and anonymised queue figures."""

from __future__ import annotations

import datetime as dt
import tempfile
from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import Response

from netruimte.conventions import csv_safe_text
from netruimte.errors import NotFound
from netruimte.grid import CapacityMapEntry as MapEntry
from netruimte.grid import Constraint, write_capacity_map_csv
from netruimte.register import grid_state
from netruimte.register.convert import check_day, today
from netruimte.web.api.schemas.common import Day, ErrorOut
from netruimte.web.api.schemas.public import CapacityMapEntry, CapacityMapOut, QueueOut
from netruimte.web.deps import Db, TextId

__all__ = ["router"]

router = APIRouter(
    prefix="/public",
    tags=["public"],
    responses={404: {"model": ErrorOut}, 422: {"model": ErrorOut}},
)

COLOURS = {
    "transparant": "the node does not limit this direction: nothing to report (code 0)",
    "green": "room, no queue (code 1)",
    "amber": "congestion announced: requests wait although their MW would fit, or less than "
    "10 % left (code 2)",
    "red": "no solution without more room: the queue exceeds the room left (code 3)",
}

OnQuery = Annotated[
    Day | None, Query(description="Date of the map (default today in the register's zone)")
]


def _day(session: Any, on: dt.date | None) -> dt.date:
    check_day(on, "on")
    return on or today(session)


@router.get("/capacity-map", response_model=CapacityMapOut, summary="Capacity map")
def capacity_map(db: Db, on: OnQuery = None) -> dict[str, Any]:
    """Every station in the field names of Netbeheer Nederland's capacity map."""
    with db.read() as session:
        day = _day(session, on)
        return {"as_of": day, "colours": COLOURS, "stations": grid_state.capacity_map(session, day)}


def _safe(value: Any) -> Any:
    return csv_safe_text(value) if isinstance(value, str) else value


@router.get(
    "/capacity-map.csv",
    response_model=None,
    responses={200: {"content": {"text/csv": {}}, "description": "CSV of the capacity map"}},
    summary="Capacity map as CSV",
)
def capacity_map_csv(db: Db, on: OnQuery = None) -> Response:
    """The capacity map as CSV (the information model's columns and colour words)."""
    with db.read() as session:
        entries = grid_state.capacity_map(session, _day(session, on))
    rows = []
    for e in entries:
        rows.append(
            MapEntry(
                **{
                    k: _safe(v)  # names: never formulas
                    for k, v in e.items()
                    if k in MapEntry.__dataclass_fields__ and not k.endswith("_constraint")
                },
                demand_constraint=Constraint(e["demand_constraint"]),
                generation_constraint=Constraint(e["generation_constraint"]),
            )
        )
    with tempfile.TemporaryDirectory(prefix="netruimte-map-") as tmp:
        path = Path(tmp) / "capacity-map.csv"
        write_capacity_map_csv(rows, path)
        text = path.read_text(encoding="utf-8")
    return Response(content=text, media_type="text/csv")


@router.get(
    "/capacity-map/{station_id}", response_model=CapacityMapEntry, summary="One station's entry"
)
def capacity_map_station(db: Db, station_id: TextId, on: OnQuery = None) -> dict[str, Any]:
    """One station of the capacity map."""
    with db.read() as session:
        entries = grid_state.capacity_map(session, _day(session, on), station_id)
    if not entries:
        raise NotFound(f"no station {station_id!r}")
    return entries[0]


@router.get("/queue", response_model=QueueOut, summary="Anonymised queue figures")
def queue(db: Db, on: OnQuery = None) -> dict[str, Any]:
    """Waiting requests per station, direction and category; small cells suppressed."""
    with db.read() as session:
        return grid_state.queue_figures(session, _day(session, on))
