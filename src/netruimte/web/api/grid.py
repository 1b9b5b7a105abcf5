"""Stations and reinforcements (read: anyone signed in; change: operators)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Response

from netruimte.register import network
from netruimte.web.api.routing import resource_router
from netruimte.web.api.schemas.common import Day, list_of
from netruimte.web.api.schemas.grid import (
    HeadroomOut,
    ReinforcementIn,
    ReinforcementOut,
    ReinforcementPatch,
    StationIn,
    StationOut,
    StationPatch,
)
from netruimte.web.deps import Caller, Db, TextId

__all__ = ["router"]

Force = Annotated[
    bool,
    Query(
        description="Record the change even when grants then exceed the room (the excess is "
        "audited and shows on the capacity map); without it such a change answers 409"
    ),
]

router = resource_router("grid")


@router.get("/stations", response_model=list_of(StationOut), summary="List stations")
def list_stations(db: Db, caller: Caller) -> list[network.StationView]:
    """All stations, parents before their children's order as imported."""
    del caller
    return network.list_stations(db)


@router.post("/stations", response_model=StationOut, status_code=201, summary="Add a station")
def create_station(db: Db, caller: Caller, body: StationIn) -> network.StationView:
    """Add a station (operators)."""
    return network.create_station(db, caller, body.model_dump())


@router.get("/stations/{station_id}", response_model=StationOut, summary="One station")
def get_station(db: Db, caller: Caller, station_id: TextId) -> network.StationView:
    """One station."""
    del caller
    return network.get_station(db, station_id)


@router.patch("/stations/{station_id}", response_model=StationOut, summary="Change a station")
def update_station(
    db: Db, caller: Caller, station_id: TextId, body: StationPatch, force: Force = False
) -> network.StationView:
    """Change a station's figures or parent (operators; only the fields given); 409 when the
    grants would exceed the room (unless ``force``)."""
    return network.update_station(
        db, caller, station_id, body.model_dump(exclude_unset=True), force=force
    )


@router.delete("/stations/{station_id}", status_code=204, summary="Remove a station")
def delete_station(db: Db, caller: Caller, station_id: TextId) -> Response:
    """Remove a station that nothing refers to (operators)."""
    network.delete_station(db, caller, station_id)
    return Response(status_code=204)


@router.get(
    "/stations/{station_id}/headroom", response_model=HeadroomOut, summary="Headroom on a date"
)
def headroom(
    db: Db, caller: Caller, station_id: TextId, on: Annotated[Day | None, Query()] = None
) -> network.HeadroomView:
    """Headroom along the station's path (itself and its ancestors) in both directions."""
    del caller
    return network.station_headroom(db, station_id, on)


@router.get("/reinforcements", response_model=list[ReinforcementOut], summary="List reinforcements")
def list_reinforcements(db: Db, caller: Caller) -> list[network.ReinforcementView]:
    """All planned reinforcements."""
    del caller
    return network.list_reinforcements(db)


@router.post(
    "/reinforcements",
    response_model=ReinforcementOut,
    status_code=201,
    summary="Plan a reinforcement",
)
def create_reinforcement(
    db: Db, caller: Caller, body: ReinforcementIn
) -> network.ReinforcementView:
    """Plan a reinforcement (operators)."""
    fields = body.model_dump()
    return network.create_reinforcement(db, caller, fields)


@router.get(
    "/reinforcements/{reinforcement_id}",
    response_model=ReinforcementOut,
    summary="One reinforcement",
)
def get_reinforcement(
    db: Db, caller: Caller, reinforcement_id: TextId
) -> network.ReinforcementView:
    """One reinforcement."""
    del caller
    return network.get_reinforcement(db, reinforcement_id)


@router.patch(
    "/reinforcements/{reinforcement_id}",
    response_model=ReinforcementOut,
    summary="Change a reinforcement",
)
def update_reinforcement(
    db: Db, caller: Caller, reinforcement_id: TextId, body: ReinforcementPatch, force: Force = False
) -> network.ReinforcementView:
    """Change a reinforcement's date, MW, station or delay (operators); 409 when grants would
    exceed the room (unless ``force``)."""
    return network.update_reinforcement(
        db, caller, reinforcement_id, body.model_dump(exclude_unset=True), force=force
    )


@router.delete(
    "/reinforcements/{reinforcement_id}", status_code=204, summary="Cancel a reinforcement"
)
def delete_reinforcement(
    db: Db, caller: Caller, reinforcement_id: TextId, force: Force = False
) -> Response:
    """Cancel a planned reinforcement (operators); 409 when grants rely on it (unless
    ``force``)."""
    network.delete_reinforcement(db, caller, reinforcement_id, force=force)
    return Response(status_code=204)
