"""The geographic map: projection, the bundled outline, and ``/map`` against the API."""

from __future__ import annotations

import math
import re
from importlib import resources

import pytest

from netruimte.web.pages.geomap import (
    LAT0_DEG,
    MARKER_R_PX,
    Projection,
    _fan,
    load_outline,
    svg_path,
)
from tests.service.conftest import Users, bearer

# stations the tests create through the API, with the colour the capacity-map rule gives
# (capacity - used = room; a queue larger than the room is red, any queue amber, < 10 % left
# amber, else green; no feed-in limit is transparant)
STATIONS = [
    (
        {"id": "GRN", "name": "Groen", "offtake_mw": 10, "load_mw": 2, "lat": 52.50, "lon": 5.50},
        "green",
    ),
    (
        {
            "id": "AMB",
            "name": "Oranje",
            "offtake_mw": 10,
            "load_mw": 9.5,
            "lat": 52.40,
            "lon": 5.30,
        },
        "amber",
    ),
    (
        {
            "id": "RED",
            "name": "Rood",
            "offtake_mw": 1,
            "load_mw": 0.8,
            "feedin_mw": 5,
            "lat": 52.60,
            "lon": 5.70,
        },
        "red",
    ),
    (
        {
            "id": "TWIN",
            "name": "Naast Rood",
            "offtake_mw": 10,
            "load_mw": 2,
            "lat": 52.60,
            "lon": 5.70,
        },
        "green",
    ),
]


def test_projection_is_hand_solvable() -> None:
    proj = Projection((5.0, 52.0, 6.0, 53.0), 100.0)
    cos0 = math.cos(math.radians(LAT0_DEG))
    assert proj.xy(5.0, 53.0) == (0.0, 0.0)  # north-west corner
    x, y = proj.xy(6.0, 52.0)  # south-east corner
    assert x == pytest.approx(100.0) and y == pytest.approx(100.0 / cos0)
    assert proj.height_px == pytest.approx(100.0 / cos0)
    # a degree of latitude is 1/cos(52.2°) = 1.63 times a degree of longitude
    assert (proj.xy(5.0, 52.0)[1] - proj.xy(5.0, 53.0)[1]) / (
        proj.xy(6.0, 53.0)[0] - proj.xy(5.0, 53.0)[0]
    ) == pytest.approx(1.0 / cos0)
    assert svg_path([[(5.0, 53.0), (6.0, 53.0), (5.0, 52.0)]], proj) == (
        f"M0.0 0.0L100.0 0.0L0.0 {100.0 / cos0:.1f}Z"
    )


def test_the_bundled_outline_is_the_twelve_provinces_and_small() -> None:
    outline = load_outline()
    assert len(outline) == 12
    names = {o.name for o in outline}
    assert {"Flevoland", "Groningen", "Limburg", "Zeeland", "Fryslân"} <= names
    flevo = next(o for o in outline if o.code == "PV24")
    lons = [lon for ring in flevo.rings for lon, _ in ring]
    lats = [lat for ring in flevo.rings for _, lat in ring]
    assert 5.1 < min(lons) < 5.2 and 5.9 < max(lons) < 6.1  # Almere … Kraggenburg
    assert 52.2 < min(lats) < 52.3 and 52.8 < max(lats) < 52.9
    for o in outline:  # every ring is closed
        assert all(ring[0] == ring[-1] for ring in o.rings), o.name
    size = len((resources.files("netruimte.data") / "map" / "provinces_2024.geojson").read_bytes())
    assert size < 300_000


def test_stations_at_one_place_are_fanned_out_apart() -> None:
    spots = _fan([(100.0, 100.0), (100.0, 100.0), (300.0, 50.0)])
    assert spots[2] == (300.0, 50.0)
    (ax, ay), (bx, by) = spots[0], spots[1]
    assert math.hypot(ax - bx, ay - by) >= 2 * MARKER_R_PX
    assert ((ax + bx) / 2, (ay + by) / 2) == pytest.approx((100.0, 100.0))


def test_map_shows_the_stations_coloured_and_linked(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    for body, _ in STATIONS:
        made = client.post("/api/v1/stations", json=body, headers=op)
        assert made.status_code == 201, made.text
    for body in (
        {
            "id": "AGG",
            "name": "Rest of the region",
            "offtake_mw": 1000,
            "aggregated": True,
            "lat": 52.0,
            "lon": 5.0,
        },
        {"id": "NOC", "name": "Nowhere", "offtake_mw": 5},
    ):
        assert client.post("/api/v1/stations", json=body, headers=op).status_code == 201
    made = client.post("/api/v1/requests", json={"station": "RED", "kw": 500}, headers=op)
    assert made.status_code == 201, made.text
    twin = client.get("/map", params={"format": "json"}).json()
    api_map = client.get("/api/v1/public/capacity-map").json()
    api = {e["short_code"]: e for e in api_map["stations"]}
    placed = {s["short_code"]: s for s in twin["stations"]}
    assert set(placed) == {"GRN", "AMB", "RED", "TWIN"}  # tiny's stations have no coordinates
    for body, colour in STATIONS:
        s = placed[body["id"]]
        assert s["constraint"] == colour == api[body["id"]]["demand_constraint"]
        assert (s["lat"], s["lon"]) == (body["lat"], body["lon"])
        assert s["url"] == f"/stations/{body['id']}"
    assert [s["short_code"] for s in twin["aggregated"]] == ["AGG"]
    assert {s["short_code"] for s in twin["unplaced"]} == {"TOP", "A", "B", "NOC"}
    html = client.get("/map").text
    for body, colour in STATIONS:
        marker = re.search(
            rf'<a href="/stations/{body["id"]}" class="station" data-station="{body["id"]}" '
            rf'data-constraint="(\w+)">\s*<circle class="rag rag-(\w+)" cx="([\d.]+)" '
            rf'cy="([\d.]+)"',
            html,
        )
        assert marker is not None, body["id"]
        assert marker.group(1) == marker.group(2) == colour
    # GRN lies north-east of AMB; the map keeps that
    grn = re.search(r'data-station="GRN"[^>]*>\s*<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', html)
    amb = re.search(r'data-station="AMB"[^>]*>\s*<circle[^>]*cx="([\d.]+)" cy="([\d.]+)"', html)
    assert grn and amb
    assert float(grn.group(1)) > float(amb.group(1))  # GRN is east of AMB
    assert float(grn.group(2)) < float(amb.group(2))  # and north of it
    assert (
        'data-station="AGG"' in html
        and '<circle class="rag rag-' not in html.split('id="aggregated"')[1].split("</ul>")[0]
    )
    feed = client.get("/map", params={"format": "json", "direction": "feed-in"}).json()
    colours = {s["short_code"]: s["constraint"] for s in feed["stations"]}
    assert colours["GRN"] == "transparant" and colours["RED"] == "green"  # 5 MW feed-in, unused
    bad = client.get("/map", params={"direction": "sideways", "format": "json"})
    assert bad.status_code == 422 and bad.json()["field"] == "direction"
