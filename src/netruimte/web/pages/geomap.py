"""The geographic map ``/map``: stations at their coordinates on an outline of the Netherlands.

Drawn on the server as inline SVG (no map library, no script, nothing fetched): the outline is
the bundled ``netruimte/data/map/provinces_2024.geojson`` (CBS/PDOK gebiedsindelingen, CC BY
4.0; ``docs/sources.md``), projected equirectangularly with the scale of longitude taken at
52.2° N (the middle of the country), which keeps shapes true to within a few per cent over the
Netherlands. A station with ``lat``/``lon`` is a dot coloured by the capacity map's rule
(RAGKind: transparant, green, amber, red) for the chosen direction, linked to its station page;
stations that share a place are fanned out around it so each stays clickable. Aggregated
modelling devices (``aggregated = true``, such as the rest of a TenneT region) are not places:
they are listed apart, as are stations without coordinates.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlalchemy import select

from netruimte.errors import InputError
from netruimte.register import grid_state
from netruimte.register.convert import check_day, today
from netruimte.storage.tables import Station
from netruimte.web.api.public import COLOURS
from netruimte.web.deps import Db
from netruimte.web.pages.forms import OnText, parse_day
from netruimte.web.pages.render import PageRoute, Viewer, render

__all__ = ["LAT0_DEG", "Outline", "Projection", "load_outline", "router", "svg_path"]

router = APIRouter(route_class=PageRoute, include_in_schema=False)

LAT0_DEG = 52.2
"""Latitude whose scale the projection keeps (the middle of the Netherlands)."""

OUTLINE_SOURCE = (
    "CBS/PDOK gebiedsindelingen, provincie_gegeneraliseerd 2024 "
    "(via github.com/cartomap/nl), CC BY 4.0"
)
FLEVOLAND_BOX = (5.12, 52.25, 6.03, 52.86)
"""(west, south, east, north) in degrees: the least the main map shows."""

MAIN_WIDTH_PX = 760.0
INSET_WIDTH_PX = 190.0
MARKER_R_PX = 9.0
FAN_PX = 13.0
"""Stations closer than this on the map are fanned out around their common place."""


@dataclass(frozen=True)
class Outline:
    """One province: its CBS code, name and rings (lists of (lon, lat) in degrees)."""

    code: str
    name: str
    rings: tuple[tuple[tuple[float, float], ...], ...]


@lru_cache(maxsize=1)
def load_outline() -> tuple[Outline, ...]:
    """The bundled province outlines (read once)."""
    path = resources.files("netruimte.data") / "map" / "provinces_2024.geojson"
    data = json.loads(path.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        geometry = feature["geometry"]
        polygons = (
            [geometry["coordinates"]] if geometry["type"] == "Polygon" else geometry["coordinates"]
        )
        rings = tuple(
            tuple((float(x), float(y)) for x, y in ring) for polygon in polygons for ring in polygon
        )
        props = feature["properties"]
        out.append(Outline(code=props["statcode"], name=props["statnaam"], rings=rings))
    return tuple(out)


@dataclass(frozen=True)
class Projection:
    """Degrees to SVG pixels: equirectangular, x east and y south from the box's north-west.

    Parameters
    ----------
    box
        (west, south, east, north) in degrees.
    width_px
        Width of the drawing; the height follows from the box's shape.
    """

    box: tuple[float, float, float, float]
    width_px: float

    @property
    def px_per_deg(self) -> float:
        """Pixels per degree of latitude (a degree of longitude is cos(52.2°) of it)."""
        west, _, east, _ = self.box
        return self.width_px / ((east - west) * math.cos(math.radians(LAT0_DEG)))

    @property
    def height_px(self) -> float:
        """Height of the drawing (pixels)."""
        _, south, _, north = self.box
        return (north - south) * self.px_per_deg

    def xy(self, lon: float, lat: float) -> tuple[float, float]:
        """The pixel position of a point (may lie outside the drawing)."""
        west, _, _, north = self.box
        k = self.px_per_deg
        return ((lon - west) * math.cos(math.radians(LAT0_DEG)) * k, (north - lat) * k)


def svg_path(rings: Iterable[Sequence[tuple[float, float]]], proj: Projection) -> str:
    """An SVG path (``M … L … Z`` per ring, one decimal) of rings in degrees."""
    parts = []
    for ring in rings:
        points = [proj.xy(lon, lat) for lon, lat in ring]
        head, *rest = points
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in rest) + "Z"
        )
    return "".join(parts)


def _main_box(points: Sequence[tuple[float, float]]) -> tuple[float, float, float, float]:
    """Flevoland, widened to hold every placed station with a margin."""
    west, south, east, north = FLEVOLAND_BOX
    if points:
        west = min(west, *(lon for lon, _ in points))
        east = max(east, *(lon for lon, _ in points))
        south = min(south, *(lat for _, lat in points))
        north = max(north, *(lat for _, lat in points))
    pad_lon = max(0.08, 0.08 * (east - west))
    pad_lat = max(0.05, 0.08 * (north - south))
    return (west - pad_lon, south - pad_lat, east + pad_lon, north + pad_lat)


def _fan(positions: list[tuple[float, float]]) -> list[tuple[float, float]]:
    """Positions with the ones that would overlap spread on a small circle around their mean."""
    out = list(positions)
    groups: list[list[int]] = []
    for i, (x, y) in enumerate(positions):
        for group in groups:
            gx, gy = positions[group[0]]
            if math.hypot(x - gx, y - gy) < FAN_PX:
                group.append(i)
                break
        else:
            groups.append([i])
    for group in groups:
        if len(group) < 2:
            continue
        cx = sum(positions[i][0] for i in group) / len(group)
        cy = sum(positions[i][1] for i in group) / len(group)
        radius = FAN_PX * max(1.0, len(group) / math.pi)
        for k, i in enumerate(group):
            angle = -math.pi / 2 + 2 * math.pi * k / len(group)
            out[i] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle))
    return out


def _direction(value: str | None) -> str:
    if value in (None, "", "offtake"):
        return "offtake"
    if value == "feed-in":
        return "feed-in"
    raise InputError(f"unknown direction {value!r}; expected offtake | feed-in", field="direction")


DirectionText = Annotated[str | None, Query(max_length=20)]


@router.get("/map", name="map_page")
def map_page(
    request: Request, db: Db, who: Viewer, on: OnText = None, direction: DirectionText = None
) -> Response:
    """Every station with coordinates on the map, coloured as on the capacity map."""
    del who
    way = _direction(direction)
    prefix = "demand" if way == "offtake" else "generation"
    day = parse_day(on, "on")
    check_day(day, "on")
    with db.read() as session:
        as_of = day or today(session)
        entries = grid_state.capacity_map(session, as_of)
        places = {
            sid: (lat, lon, bool(aggregated))
            for sid, lat, lon, aggregated in session.execute(
                select(Station.id, Station.lat, Station.lon, Station.aggregated)
            )
        }
    placed: list[dict[str, Any]] = []
    aggregated: list[dict[str, Any]] = []
    unplaced: list[dict[str, Any]] = []
    for e in entries:
        lat, lon, is_aggregated = places.get(e["short_code"], (None, None, False))
        item = {
            "short_code": e["short_code"],
            "name": e["name"],
            "lat": lat,
            "lon": lon,
            "constraint": e[f"{prefix}_constraint"],
            "constraint_code": e[f"{prefix}_constraint_code"],
            "url": f"/stations/{e['short_code']}",
        }
        if is_aggregated:
            aggregated.append(item)
        elif lat is None or lon is None:
            unplaced.append(item)
        else:
            placed.append(item)
    data = {
        "as_of": as_of.isoformat(),
        "direction": way,
        "stations": placed,
        "aggregated": aggregated,
        "unplaced": unplaced,
        "colours": COLOURS,
        "outline": {"source": OUTLINE_SOURCE, "provinces": len(load_outline())},
    }
    return render(request, "map.html", data, title="Map", extra={"svg": _drawing(placed)})


def _drawing(placed: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """What the template draws: the main map and the inset of the whole country (pixels)."""
    outline = load_outline()
    main = Projection(_main_box([(s["lon"], s["lat"]) for s in placed]), MAIN_WIDTH_PX)
    west = min(lon for o in outline for ring in o.rings for lon, _ in ring)
    east = max(lon for o in outline for ring in o.rings for lon, _ in ring)
    south = min(lat for o in outline for ring in o.rings for _, lat in ring)
    north = max(lat for o in outline for ring in o.rings for _, lat in ring)
    inset = Projection((west - 0.05, south - 0.05, east + 0.05, north + 0.05), INSET_WIDTH_PX)
    spots = _fan([main.xy(s["lon"], s["lat"]) for s in placed])
    box_w, box_s, box_e, box_n = main.box
    x0, y0 = inset.xy(box_w, box_n)
    x1, y1 = inset.xy(box_e, box_s)
    return {
        "main": {
            "width": round(main.width_px, 1),
            "height": round(main.height_px, 1),
            "provinces": [
                {"code": o.code, "name": o.name, "d": svg_path(o.rings, main)} for o in outline
            ],
            "markers": [
                {**s, "x": round(x, 1), "y": round(y, 1), "r": MARKER_R_PX}
                for s, (x, y) in zip(placed, spots, strict=True)
            ],
        },
        "inset": {
            "width": round(inset.width_px, 1),
            "height": round(inset.height_px, 1),
            "provinces": [{"code": o.code, "d": svg_path(o.rings, inset)} for o in outline],
            "frame": {
                "x": round(x0, 1),
                "y": round(y0, 1),
                "w": round(x1 - x0, 1),
                "h": round(y1 - y0, 1),
            },
        },
    }
