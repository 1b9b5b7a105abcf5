"""The public capacity map and the anonymised queue (no token needed)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, Field

from netruimte.web.api.schemas.common import Category, Direction

__all__ = [
    "CapacityMapEntry",
    "CapacityMapOut",
    "QueueCell",
    "QueueOut",
    "QueueTotal",
]


class CapacityMapEntry(BaseModel):
    """One station in the information model's field names (MW, counts, colours)."""

    short_code: str
    name: str
    parent: str | None
    demand_available_capacity: float
    demand_quoted_capacity: float
    demand_capacity_in_queue: float
    demand_requests_in_queue: int
    demand_constraint: Literal["transparant", "green", "amber", "red"]
    demand_constraint_code: int = Field(ge=0, le=3)
    demand_forecast_capacity: float
    demand_alleviation_year: int | None
    generation_available_capacity: float | None
    generation_quoted_capacity: float
    generation_capacity_in_queue: float
    generation_requests_in_queue: int
    generation_constraint: Literal["transparant", "green", "amber", "red"]
    generation_constraint_code: int = Field(ge=0, le=3)
    generation_forecast_capacity: float | None
    generation_alleviation_year: int | None
    as_of: dt.date


class CapacityMapOut(BaseModel):
    """The public capacity map."""

    as_of: dt.date
    colours: dict[str, str]
    stations: list[CapacityMapEntry]


class QueueCell(BaseModel):
    """Waiting requests of one station, direction and category (null when suppressed)."""

    station: str
    direction: Direction
    category: Category
    requests: int | None
    mw: float | None
    suppressed: bool


class QueueTotal(BaseModel):
    """All waiting requests in one direction."""

    requests: int
    mw: float


class QueueOut(BaseModel):
    """Anonymised waiting-list figures."""

    as_of: dt.date
    min_cell: int
    cells: list[QueueCell]
    totals: dict[Direction, QueueTotal]
