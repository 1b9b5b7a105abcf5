"""Stations and queue figures in the shape of Netbeheer Nederland's capacity map.

The information model ``im-capaciteitskaart`` (Netbeheer Nederland, Apache-2.0; docs/sources.md
[capacity-map-model]) publishes per substation, for demand (offtake) and generation (feed-in):

* ``*_available_capacity`` (MW): *aanwezige transportcapaciteit*, the transport capacity present;
* ``*_quoted_capacity`` (MW): *benodigde transportcapaciteit*, the capacity required by
  contracts and quotes;
* ``*_capacity_in_queue`` (MW) and ``*_requests_in_queue`` (count): requests not yet granted;
* ``*_constraint``: colour code; ``*_alleviation_year``: when congestion is expected to be solved.

Mapping to the grid model (documented choice): ``offtake_mw = demand_available_capacity``,
``load_mw = demand_quoted_capacity``, ``feedin_mw = generation_available_capacity`` and
``feedin_load_mw = generation_quoted_capacity``. Publishing the model's own state is the
reverse: available = capacity at the date, quoted = existing load + granted, queue = waiting.

Colours are the information model's ``RAGKind`` (schema ``im_capaciteitskaart.yaml``,
Netbeheer-Nederland/im-capaciteitskaart, v1.0.0): ``transparant``, ``green``, ``amber``, ``red``;
there is no "yellow". The model leaves the derivation to the operator ("a utility should provide
details on how this RAG status is calculated"). On the operators' maps amber means congestion
is announced and a congestion-management study runs, red that congestion management offers no
(more) room and new requests wait (liander.nl, "schaarsteniveaus"). This model has no study,
so it derives the colour from its own state at the end of a simulation (documented rule,
``docs/rules.md``):

* ``transparant``: the node does not limit this direction (no capacity figure, e.g. feed-in
  at a node without ``feedin_mw``): nothing to report;
* ``red``: requests wait and their MW exceed the room left: without more room (reinforcement)
  they cannot be served; new requests wait;
* ``amber``: requests wait although their MW would fit the room left (held back upstream, by a
  strict walk, or declined partial offers), or nobody waits but less than 10 % of the capacity
  is left: the situation in which an operator announces congestion and studies it;
* ``green``: otherwise: room, nobody waiting.

``Constraint.code`` (0–3, severity) is not part of the information model; it orders colours.
Reading accepts the model's words and, from older exports of this project, ``white`` and
``yellow`` (→ green / amber), ``orange`` (→ amber) and the codes 0–3 of those exports. CSV
columns are the model's field names plus ``short_code`` (id), and the extensions ``name``,
``parent``, ``lat`` and ``lon`` (WGS84 degrees, for drawing the map).
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, fields
from enum import StrEnum
from pathlib import Path

from netruimte._util import atomic_path
from netruimte.errors import InputError
from netruimte.grid.model import Station
from netruimte.profiles.csv_io import csv_table, read_input_text

__all__ = [
    "CAPACITY_MAP_COLUMNS",
    "CapacityMapEntry",
    "Constraint",
    "constraint_colour",
    "read_capacity_map_csv",
    "stations_from_capacity_map",
    "write_capacity_map_csv",
]

AMBER_SHARE = 0.10
"""Below this share of capacity left (and no queue) a node shows amber."""


class Constraint(StrEnum):
    """Capacity-map colour: the information model's ``RAGKind``."""

    TRANSPARANT = "transparant"
    GREEN = "green"
    AMBER = "amber"
    RED = "red"

    @property
    def code(self) -> int:
        """Severity 0–3 (transparant, green, amber, red); not part of the information model."""
        return ("transparant", "green", "amber", "red").index(self.value)


_COLOUR_ALIASES = {
    "transparant": Constraint.TRANSPARANT,
    "transparent": Constraint.TRANSPARANT,
    "green": Constraint.GREEN,
    "amber": Constraint.AMBER,
    "red": Constraint.RED,
    # older exports of this project (white/yellow/orange/red = codes 0-3)
    "white": Constraint.GREEN,
    "yellow": Constraint.AMBER,
    "orange": Constraint.AMBER,
    "0": Constraint.GREEN,
    "1": Constraint.AMBER,
    "2": Constraint.AMBER,
    "3": Constraint.RED,
}


@dataclass(frozen=True, slots=True)
class CapacityMapEntry:
    """One substation row of the capacity map (MW, counts, colours)."""

    short_code: str
    demand_available_capacity: float
    demand_quoted_capacity: float = 0.0
    demand_capacity_in_queue: float = 0.0
    demand_requests_in_queue: int = 0
    demand_constraint: Constraint = Constraint.GREEN
    demand_alleviation_year: int | None = None
    generation_available_capacity: float | None = None
    generation_quoted_capacity: float = 0.0
    generation_capacity_in_queue: float = 0.0
    generation_requests_in_queue: int = 0
    generation_constraint: Constraint = Constraint.TRANSPARANT
    generation_alleviation_year: int | None = None
    name: str = ""
    parent: str | None = None
    lat: float | None = None
    lon: float | None = None


CAPACITY_MAP_COLUMNS: tuple[str, ...] = tuple(f.name for f in fields(CapacityMapEntry))
_REQUIRED = ("short_code", "demand_available_capacity")


def constraint_colour(
    capacity_mw: float,
    used_mw: float,
    queue_mw: float,
    queue_count: int,
    *,
    congestion_study: str | None = None,
) -> Constraint:
    """The ``RAGKind`` of a node from its capacity, use and queue (rule in the module docstring).

    An infinite (or NaN) capacity means the node does not limit this direction: transparant.
    ``congestion_study`` (the station's state, ``docs/congestion-management.md``): while it is
    ``announced`` or ``study`` the node is amber; with a ``result`` it is red when requests wait
    beyond the room left or less than 10 % of the capacity is left (studied, no more room),
    else the rule without a study applies.
    """
    if not math.isfinite(capacity_mw):
        return Constraint.TRANSPARANT
    room = capacity_mw - used_mw
    if congestion_study in ("announced", "study"):
        return Constraint.AMBER
    if congestion_study == "result" and (
        (queue_count > 0 and queue_mw > room + 1e-9) or room < AMBER_SHARE * capacity_mw
    ):
        return Constraint.RED
    if queue_count > 0:
        return Constraint.RED if queue_mw > room + 1e-9 else Constraint.AMBER
    if room < AMBER_SHARE * capacity_mw:
        return Constraint.AMBER
    return Constraint.GREEN


def _number(cell: str, *, source: str, line: int, field: str, integer: bool = False) -> float:
    try:
        value = float(cell.replace(",", ".")) if not integer else float(int(float(cell)))
    except ValueError:
        raise InputError(
            f"expected a number, got {cell!r}", source=source, line=line, field=field
        ) from None
    if not math.isfinite(value) or value < 0:
        raise InputError(
            f"expected a finite number >= 0, got {cell!r}", source=source, line=line, field=field
        )
    return value


def read_capacity_map_csv(path: str | Path) -> tuple[CapacityMapEntry, ...]:
    """Read capacity-map rows from a CSV with the information model's column names.

    Required columns: ``short_code`` and ``demand_available_capacity``; every other column of
    :data:`CAPACITY_MAP_COLUMNS` is optional; unknown columns are an error.
    """
    path = Path(path)
    source = str(path)
    text = read_input_text(path)
    lines = text.splitlines()
    if not lines:
        raise InputError("empty file: expected a header row", source=path, line=1)
    _, header, rows = csv_table(lines, source=path, columns=CAPACITY_MAP_COLUMNS)
    for col in _REQUIRED:
        if col not in header:
            raise InputError(f"missing required column {col!r}", source=path, line=1, field=col)
    entries: list[CapacityMapEntry] = []
    seen: set[str] = set()
    for lineno, row in rows:
        kwargs: dict[str, object] = {}
        for col, raw in zip(header, row, strict=True):
            cell = raw.strip()
            if cell == "":
                continue
            if col in ("short_code", "name", "parent"):
                kwargs[col] = cell
            elif col in ("lat", "lon"):
                try:
                    kwargs[col] = float(cell.replace(",", "."))
                except ValueError:
                    raise InputError(
                        f"expected degrees, got {cell!r}", source=path, line=lineno, field=col
                    ) from None
            elif col.endswith("_constraint"):
                colour = _COLOUR_ALIASES.get(cell.lower())
                if colour is None:
                    raise InputError(
                        f"unknown colour {cell!r}; expected the information model's "
                        "transparant/green/amber/red (older white/yellow/orange or 0-3 too)",
                        source=path,
                        line=lineno,
                        field=col,
                    )
                kwargs[col] = colour
            elif col.endswith(("_requests_in_queue", "_alleviation_year")):
                kwargs[col] = int(
                    _number(cell, source=source, line=lineno, field=col, integer=True)
                )
            else:
                kwargs[col] = _number(cell, source=source, line=lineno, field=col)
        code = kwargs.get("short_code")
        if not code:
            raise InputError("empty short_code", source=path, line=lineno, field="short_code")
        if code in seen:
            raise InputError(
                f"duplicate short_code {code!r}", source=path, line=lineno, field="short_code"
            )
        seen.add(str(code))
        if "demand_available_capacity" not in kwargs:
            raise InputError(
                "empty demand_available_capacity",
                source=path,
                line=lineno,
                field="demand_available_capacity",
            )
        entries.append(CapacityMapEntry(**kwargs))  # type: ignore[arg-type]
    return tuple(entries)


def write_capacity_map_csv(entries: Iterable[CapacityMapEntry], path: str | Path) -> None:
    """Write capacity-map rows (all columns of :data:`CAPACITY_MAP_COLUMNS`).

    Colours are written with the information model's words (``transparant``, ``green``,
    ``amber``, ``red``); an unlimited feed-in capacity is written as an empty cell. The file
    is written whole or not at all (:func:`netruimte._util.atomic_path`).
    """
    with atomic_path(path) as tmp, tmp.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(CAPACITY_MAP_COLUMNS)
        for e in entries:
            row: list[str] = []
            for col in CAPACITY_MAP_COLUMNS:
                value = getattr(e, col)
                if value is None or (isinstance(value, float) and math.isinf(value)):
                    row.append("")
                elif isinstance(value, Constraint):
                    row.append(value.value)
                elif isinstance(value, float):
                    row.append(f"{value:.6g}")
                else:
                    row.append(str(value))
            writer.writerow(row)


def stations_from_capacity_map(entries: Sequence[CapacityMapEntry]) -> tuple[Station, ...]:
    """Stations from capacity-map rows (mapping in the module docstring)."""
    return tuple(
        Station(
            id=e.short_code,
            name=e.name,
            parent=e.parent,
            offtake_mw=e.demand_available_capacity,
            load_mw=e.demand_quoted_capacity,
            feedin_mw=e.generation_available_capacity,
            feedin_load_mw=e.generation_quoted_capacity,
            lat=e.lat,
            lon=e.lon,
        )
        for e in entries
    )
