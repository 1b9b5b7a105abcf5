"""Stations, reinforcements and headroom (MW)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

from netruimte.register import network
from netruimte.web.api.schemas.common import (
    MW,
    UNSET,
    Day,
    Direction,
    Flag,
    IdStr,
    Num,
    _In,
    model_of,
)

__all__ = [
    "Delay",
    "HeadroomOut",
    "NodeRoomOut",
    "ReinforcementIn",
    "ReinforcementOut",
    "ReinforcementPatch",
    "StationIn",
    "StationOut",
    "StationPatch",
]


StationOut = model_of(network.StationView, "StationOut", "A station (MW).")
"""A station: the register's view of one, field for field (:class:`~netruimte.register.network.
StationView`)."""


class StationIn(_In):
    """A new station."""

    id: IdStr
    name: str = Field("", max_length=300)
    parent: str | None = Field(None, max_length=100)
    offtake_mw: MW
    load_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_load_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    voltage_kv: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    connection_kv: Num = Field(
        10.0, gt=0, le=1000, allow_inf_nan=False, description="kV customers connect at here"
    )
    small_consumer_reserve_mw: Num | None = Field(
        None, ge=0, le=1e6, allow_inf_nan=False, description="room reserved for small consumers"
    )
    lat: Num | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: Num | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    aggregated: Flag = False


class StationPatch(_In):
    """Changes to a station (only the fields given)."""

    # UNSET: a field that may be left out but not set to null

    name: str | None = Field(None, max_length=300)
    parent: str | None = Field(None, max_length=100)
    offtake_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    load_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_load_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    voltage_kv: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    connection_kv: Num = Field(UNSET, gt=0, le=1000, allow_inf_nan=False)
    small_consumer_reserve_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    lat: Num | None = Field(None, ge=-90, le=90, allow_inf_nan=False)
    lon: Num | None = Field(None, ge=-180, le=180, allow_inf_nan=False)
    aggregated: Flag = UNSET


class NodeRoomOut(BaseModel):
    """Headroom at one node in one direction (MW; null = unlimited)."""

    station: str
    direction: Direction
    capacity_mw: float | None
    load_mw: float
    granted_mw: float
    room_mw: float | None


class HeadroomOut(BaseModel):
    """Headroom along a station's path on a date."""

    station: str
    on: dt.date
    path: list[str]
    nodes: list[NodeRoomOut]


class Delay(_In):
    """A reinforcement's delay distribution (Monte Carlo only), months."""

    distribution: Literal["triangular", "uniform", "pert", "fixed"]
    min_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)
    mode_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)
    max_months: Num = Field(0.0, ge=0, le=1200, allow_inf_nan=False)


class ReinforcementOut(BaseModel):
    """A planned reinforcement."""

    id: str
    station: str
    date: dt.date
    offtake_mw: float
    feedin_mw: float
    delay: dict[str, Any] | None


class ReinforcementIn(_In):
    """A new reinforcement."""

    id: IdStr
    station: str = Field(min_length=1, max_length=100)
    date: Day
    offtake_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num = Field(0.0, ge=0, le=1e6, allow_inf_nan=False)
    delay: Delay | None = None


class ReinforcementPatch(_In):
    """Changes to a reinforcement."""

    station: str | None = Field(None, min_length=1, max_length=100)
    date: Day | None = None
    offtake_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    feedin_mw: Num | None = Field(None, ge=0, le=1e6, allow_inf_nan=False)
    delay: Delay | None = None
