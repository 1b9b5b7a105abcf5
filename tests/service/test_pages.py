"""The server-rendered pages (in-process): JSON twins, sign-in, object rules, hand-solved views.

"Today" is fixed at :data:`TODAY` (after the tiny scenario's reinforcement A-2026 of 2026-07-01),
so the standings are hand-solvable: A has 7 − 4 = 3 MW room, B 2 MW, TOP 2 MW. At an
allocation moment today under acm-2026/first-fit the walk takes R2 (basic needs, 0.6 MW: fits),
R1 (0.6 MW: fits, TOP keeps 0.8 MW), then R3 (1.5 MW at B: TOP is full with 0.8 MW left).
"""

from __future__ import annotations

import datetime as dt
import gzip
import re
import tomllib
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from fastapi.routing import APIRoute

from netruimte.access.auth import SYSTEM
from netruimte.register import dashboard, runs
from netruimte.register import requests as request_service
from netruimte.storage import Database
from netruimte.web.pages import PAGE_ROUTERS, planner, public
from netruimte.web.pages.render import COOKIE, PageRoute, local_next, templates, wants_json
from tests.service.conftest import Users, bearer, form_token
from tests.service.test_siteplans import SITE, _files, _load_csv

TODAY = dt.date(2026, 8, 3)

FILE_ROUTES = {
    "/site-plans/{plan_id}/import.csv": "a CSV download (the API's file, for the browser)",
    "/operator/evidence/{sha256}": "a claim's evidence file, as sent",
    "/operator/scenario/export": "the register as a scenario file (the API's export)",
}
"""GET page routes that are files, not pages: no JSON twin (each with the reason)."""


@pytest.fixture
def today(monkeypatch: pytest.MonkeyPatch) -> dt.date:
    """Fix the pages' "today" (the register's date) at :data:`TODAY`."""
    monkeypatch.setattr(dashboard, "today", lambda session: TODAY)
    monkeypatch.setattr(public, "today", lambda session: TODAY)
    return TODAY


@pytest.fixture
def world(
    client, tiny, users: Users, db: Database, run_jobs: Callable[[], int], today: dt.date
) -> Iterator[dict[str, Any]]:
    """R1 and R2 are alice's, R3 is bob's; a Monte Carlo forecast and one plan of each."""
    request_service.update_request(db, SYSTEM, "R1", {"owner": "alice"})
    request_service.update_request(db, SYSTEM, "R2", {"owner": "alice"})
    request_service.update_request(db, SYSTEM, "R3", {"owner": "bob"})
    run = runs.create_run(db, SYSTEM, runs=20, seed=3)
    plans = {}
    for name in ("alice", "bob"):
        made = client.post(
            "/api/v1/site-plans", files=_files(), headers=bearer(getattr(users, f"{name}_token"))
        )
        assert made.status_code == 202, made.text
        plans[name] = made.json()["id"]
    assert run_jobs() == 3
    yield {"run": run["id"], "plans": plans}


def _signed(client, token: str) -> None:  # type: ignore[no-untyped-def]
    res = client.post("/login", data={"token": token}, follow_redirects=False)
    assert res.status_code == 303, res.text


def page_routes() -> list[APIRoute]:
    """Every GET route of the pages' routers (all that ``install`` adds besides assets)."""
    out = []
    for router in PAGE_ROUTERS:
        for route in router.routes:
            assert isinstance(route, APIRoute)
            if "GET" in route.methods:
                out.append(route)
    return out


def test_every_page_has_a_json_twin(client, world, users: Users) -> None:
    routes = page_routes()
    assert len(routes) >= 10
    values = {
        "station_id": "A",
        "request_id": "R1",
        "plan_id": str(world["plans"]["alice"]),
    }
    op = bearer(users.operator_token)
    checked = []
    for route in routes:
        assert isinstance(route, PageRoute), f"{route.path} is not a page route"
        if route.path in FILE_ROUTES:
            continue
        url = re.sub(r"\{(\w+)\}", lambda m: values[m.group(1)], route.path)
        html = client.get(url, headers=op)
        assert html.status_code == 200, (url, html.text[:500])
        assert html.headers["content-type"].startswith("text/html"), url
        twin = client.get(url, params={"format": "json"}, headers=op)
        assert twin.status_code == 200 and twin.headers["content-type"] == "application/json"
        accept = client.get(url, headers={**op, "Accept": "application/json"})
        assert accept.json() == twin.json(), url
        checked.append(route.path)
    assert {"/", "/capacity-map", "/stations/{station_id}", "/queue", "/requests/{request_id}"} <= (
        set(checked)
    )
    bad = client.get("/capacity-map", params={"format": "xml"})
    assert bad.status_code == 422 and bad.headers["content-type"].startswith("text/html")
    assert "expected html | json" in bad.text


def test_pages_are_not_in_the_openapi_document(client) -> None:
    paths = client.app.openapi()["paths"]
    assert paths and all(p.startswith("/api/v1") for p in paths)


def test_sign_in_sets_a_strict_httponly_cookie_and_sign_out_clears_it(client, users) -> None:
    form = client.get("/login")
    assert form.status_code == 200 and 'name="token"' in form.text
    bad = client.post("/login", data={"token": "nope"}, follow_redirects=False)
    assert (
        bad.status_code == 401
        and "not valid" in bad.text
        and COOKIE not in bad.headers.get("set-cookie", "")
    )
    res = client.post(
        "/login", data={"token": users.alice_token, "next": "/site-planner"}, follow_redirects=False
    )
    assert res.status_code == 303 and res.headers["location"] == "/site-planner"
    cookie = res.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie
    assert "SameSite=strict" in cookie and "Path=/" in cookie and "Secure" not in cookie
    assert client.get("/requests").status_code == 200  # the cookie signs the browser in
    # an operator lands on the queue, an open redirect is refused
    res = client.post(
        "/login",
        data={"token": users.operator_token, "next": "//evil.example/x"},
        follow_redirects=False,
    )
    assert res.headers["location"] == "/operator"
    out = client.post("/logout", data={"csrf_token": form_token(client)}, follow_redirects=False)
    assert out.status_code == 303 and f'{COOKIE}=""' in out.headers["set-cookie"]
    client.cookies.clear()
    gone = client.get("/requests", follow_redirects=False)
    assert gone.status_code == 303 and gone.headers["location"] == "/login?next=%2Frequests"


def test_forms_from_another_site_are_refused(client, users: Users) -> None:
    for headers in (
        {"Origin": "https://evil.example"},
        {"Origin": "null"},  # a sandboxed frame
        {"Sec-Fetch-Site": "cross-site"},
    ):
        res = client.post("/login", data={"token": users.alice_token}, headers=headers)
        assert res.status_code == 403 and "set-cookie" not in res.headers
    ok = client.post(
        "/login",
        data={"token": users.alice_token},
        headers={"Origin": "http://testserver", "Sec-Fetch-Site": "same-origin"},
        follow_redirects=False,
    )
    assert ok.status_code == 303


def test_signed_out_person_is_sent_to_login_and_the_twin_gets_401(client, tiny) -> None:
    for url in ("/queue", "/requests", "/requests/R1", "/site-planner", "/site-plans/1"):
        page = client.get(url, follow_redirects=False)
        assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
        twin = client.get(url, params={"format": "json"})
        assert twin.status_code == 401 and twin.json()["error"] == "unauthorized"
        assert twin.headers["www-authenticate"] == "Bearer"
    stale = client.get("/requests", headers=bearer("not-a-token"), follow_redirects=False)
    assert stale.headers["location"].endswith("&expired=1")
    for url in ("/", "/capacity-map", "/stations/A", "/login"):
        assert client.get(url).status_code == 200


def test_same_object_rules_as_the_api(client, world, users: Users) -> None:
    """Alice gets 404 for bob's objects (as for missing ones) and 403 for the queue."""
    alice = bearer(users.alice_token)
    bob_plan = world["plans"]["bob"]
    for url in (
        "/requests/R3",
        "/requests/NOPE",
        f"/site-plans/{bob_plan}",
        f"/site-plans/{bob_plan}/report",
        f"/site-plans/{bob_plan}/import.csv",
        "/site-plans/999",
    ):
        page = client.get(url, headers=alice)
        assert page.status_code == 404, url
        assert "belongs to someone else" in page.text or url.endswith(".csv")
        twin = client.get(url, params={"format": "json"}, headers=alice)
        assert twin.status_code == 404 and twin.json()["error"] == "not-found"
    assert client.get("/requests/R1", headers=alice).status_code == 200
    queue = client.get("/queue", headers=alice)
    assert queue.status_code == 403 and "only an operator" in queue.text
    mine = client.get("/requests", params={"format": "json"}, headers=alice).json()
    assert [r["id"] for r in mine["items"]] == ["R1", "R2"]
    attach = client.post(f"/site-plans/{bob_plan}/attach", data={"request_id": "R1"}, headers=alice)
    assert attach.status_code == 404
    attach = client.post(
        f"/site-plans/{world['plans']['alice']}/attach", data={"request_id": "R3"}, headers=alice
    )
    assert attach.status_code == 404


def test_my_request_shows_rank_dates_explanation_and_alternatives(
    client, world, users: Users
) -> None:
    alice, bob = bearer(users.alice_token), bearer(users.bob_token)
    r1 = client.get("/requests/R1", params={"format": "json"}, headers=alice).json()
    now = r1["now"]
    assert (now["rank"], now["rank_of"], now["fits_now"]) == (2, 2, True)
    assert now["ahead_mw"] == pytest.approx(0.6) and now["category"] == "none"
    # the forecast block is the API's outcome of the same run
    api = client.get(f"/api/v1/runs/{world['run']}/requests/R1", headers=alice).json()
    fc = r1["forecast"]
    assert fc["run"]["id"] == world["run"] and fc["run"]["runs"] == 20
    for key in ("rank", "granted_on", "granted_p10", "granted_p50", "granted_p90", "detail"):
        assert fc[key] == api[key], key
    # R1 is offered the 400 kW Station A has left; the region is full after R3's partial
    # offer, so the rest never comes within the horizon
    assert fc["granted_p50"] is None and fc["explanation"] == api["explanation"]
    assert "partial offers taken: 400 kW on 2026-01-01" in fc["explanation"]
    r3 = client.get("/requests/R3", params={"format": "json"}, headers=bob).json()["now"]
    assert (r3["rank"], r3["rank_of"], r3["fits_now"]) == (1, 1, False)
    # the 800 kW TOP has left would be offered to R3 today (a partial offer)
    assert (r3["binding_station"], r3["binding_room_mw"]) == ("TOP", pytest.approx(0.0))
    assert r3["offered_kw"] == pytest.approx(800.0) and r3["alternatives"] == []
    page = client.get("/requests/R3", headers=bob).text
    assert "Rank <strong>1</strong> of 1" in page
    assert "Part of it fits today:</strong> 800 kW would be offered" in page
    assert "Not within the forecast horizon (to 1 Jan 2027)" in page  # TOP is never reinforced
    page = client.get("/requests/R1", headers=alice).text
    assert fc["explanation"] in page
    assert 'class="chart"' not in page  # no connection date within the horizon: no chart
    page = client.get("/requests/R2", headers=alice).text  # R2 is connected at once
    assert 'class="chart"' in page and "/assets/plotly-" in page


def test_standing_follows_every_change_of_the_register(client, world, users: Users) -> None:
    """The standings are kept per head of the audit trail: a grant shows at once."""
    alice = bearer(users.alice_token)

    def r1_now() -> tuple[int, int]:
        now = client.get("/requests/R1", params={"format": "json"}, headers=alice).json()["now"]
        return now["rank"], now["rank_of"]

    assert r1_now() == r1_now() == (2, 2)
    granted = client.post(
        "/api/v1/requests/R2/grant", json={"on": str(TODAY)}, headers=bearer(users.operator_token)
    )
    assert granted.status_code == 200, granted.text
    assert r1_now() == (1, 1)  # R2 no longer waits ahead of it


def test_queue_filters_and_order(client, world, users: Users) -> None:
    op = bearer(users.operator_token)

    def ids(**params: str) -> list[str]:
        body = client.get("/queue", params={**params, "format": "json"}, headers=op).json()
        assert body["total"] == len(body["items"])
        return [r["id"] for r in body["items"]]

    assert ids() == ["R2", "R1", "R3"]  # station A in rank order, then B
    assert ids(station="B") == ["R3"]
    assert ids(category="basic-needs") == ["R2"]
    assert ids(category="none", station="A") == ["R1"]
    assert ids(direction="feed-in") == []
    assert ids(status="granted") == []
    assert ids(status="any") == ["R2", "R1", "R3"]
    body = client.get("/queue", params={"format": "json"}, headers=op).json()
    assert [(r["rank_now"], r["fits_now"]) for r in body["items"]] == [
        (1, True),
        (2, True),
        (1, False),
    ]
    assert body["summary"] == [
        {
            "station": "A",
            "direction": "offtake",
            "category": "basic-needs",
            "requests": 1,
            "mw": 0.6,
        },
        {"station": "A", "direction": "offtake", "category": "none", "requests": 1, "mw": 0.6},
        {"station": "B", "direction": "offtake", "category": "none", "requests": 1, "mw": 1.5},
    ]
    html = client.get("/queue", params={"station": "A"}, headers=op).text
    assert html.count('href="/requests/R') == 2 and "R3" not in html
    for key, value in (("station", "X"), ("category", "vip"), ("direction", "up")):
        bad = client.get("/queue", params={key: value}, headers=op)
        assert bad.status_code == 422 and key in bad.text
        twin = client.get("/queue", params={key: value, "format": "json"}, headers=op)
        assert twin.json()["field"] == key


def test_station_outlook_is_hand_solvable(client, tiny) -> None:
    body = client.get("/stations/A", params={"on": "2026-01-01", "format": "json"}).json()
    t = body["timeline"]
    assert t["dates"] == ["2026-01-01", "2026-07-01", "2027-01-01"]
    off = t["offtake"]
    assert off["station_room_mw"] == [1, 3, 3]  # 5 (+2 from July) − 4
    assert off["path_room_mw"] == [1, 2, 2]  # TOP: 10 − 8
    assert off["path_binding"] == ["A", "TOP", "TOP"]
    assert off["waiting_mw"] == pytest.approx(1.2)
    feed = t["feed-in"]
    assert feed["station_room_mw"] == [2, 2, 2] and feed["path_room_mw"] == [2, 2, 2]
    assert body["capacity_changes"] == [
        {
            "date": "2026-07-01",
            "station": "A",
            "station_name": "Station A",
            "offtake_mw": 2.0,
            "feedin_mw": 0.0,
        }
    ]
    assert [n["id"] for n in body["path"]] == ["A", "TOP"]
    b = client.get("/stations/B", params={"on": "2026-01-01", "format": "json"}).json()
    assert b["timeline"]["feed-in"]["station_room_mw"] == [None, None]  # B does not limit
    assert b["timeline"]["feed-in"]["path_room_mw"] == [8, 8]  # TOP does
    page = client.get("/stations/A", params={"on": "2026-01-01"}).text
    assert "Station A" in page and 'id="chart-offtake"' in page and "not shown" in page
    assert client.get("/stations/NOPE").status_code == 404


def test_capacity_map_page_shows_every_station_with_its_colour(client, tiny) -> None:
    page = client.get("/capacity-map", params={"on": "2026-01-01"})
    assert page.status_code == 200
    assert page.headers["content-security-policy"].startswith("default-src 'self'")
    html = page.text
    for sid in ("TOP", "A", "B"):
        assert f'href="/stations/{sid}"' in html
    assert html.count('class="badge red"') >= 2  # TOP and A offtake (and the legend)
    assert "congestion announced" in html  # B: amber
    # TOP first, its children indented under it
    assert html.index('"/stations/TOP"') < html.index('"/stations/A"')
    assert 'class="station depth-1"' in html
    twin = client.get("/capacity-map", params={"on": "2026-01-01", "format": "json"}).json()
    api = client.get("/api/v1/public/capacity-map", params={"on": "2026-01-01"}).json()
    assert twin["stations"] == api["stations"]
    bad = client.get("/capacity-map", params={"on": "1 May"})
    assert bad.status_code == 422 and "YYYY-MM-DD" in bad.text


def test_plotly_is_served_locally_with_caching(client) -> None:
    from plotly.offline import get_plotlyjs, get_plotlyjs_version

    url = f"/assets/plotly-{get_plotlyjs_version()}.min.js"
    plain = client.get(url, headers={"Accept-Encoding": "identity"})
    assert plain.status_code == 200 and plain.text == get_plotlyjs()
    assert plain.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert plain.headers["content-type"].startswith("text/javascript")
    raw = client.get(url, headers={"Accept-Encoding": "gzip"})
    assert raw.headers.get("content-encoding") == "gzip" and raw.text == get_plotlyjs()
    again = client.get(url, headers={"If-None-Match": plain.headers["etag"]})
    assert again.status_code == 304
    assert client.get("/assets/plotly-0.0.1.min.js").status_code == 404
    css = client.get("/static/netruimte.css")
    assert css.status_code == 200 and "badge" in css.text
    assert client.get("/static/charts.js").status_code == 200
    assert len(gzip.compress(plain.content)) < len(plain.content)


def test_site_planner_simple_form_plans_the_uploaded_csv(
    client, tiny, users: Users, db: Database, run_jobs: Callable[[], int]
) -> None:
    _signed(client, users.alice_token)
    res = client.post(
        "/site-planner",
        data={
            "mode": "simple",
            "name": 'Bakkerij "De Zon"',
            "battery_kwh": "200",
            "battery_kw": "100",
            "csrf_token": form_token(client),
        },
        files={"load": ("my-load.csv", _load_csv(), "text/csv")},
        follow_redirects=False,
    )
    assert res.status_code == 303, res.text
    url = res.headers["location"]
    waiting = client.get(url)
    assert waiting.headers.get("refresh") == "2" and "Planning" in waiting.text
    assert run_jobs() == 1
    body = client.get(url, params={"format": "json"}).json()
    assert body["name"] == 'Bakkerij "De Zon"' and body["files"] == ["load.csv"]
    # the same plan as the API's upload of the equivalent site file
    api = client.post(
        "/api/v1/site-plans", files=_files(), headers=bearer(users.alice_token)
    ).json()
    run_jobs()
    same = client.get(f"/api/v1/site-plans/{api['id']}", headers=bearer(users.alice_token))
    assert body["plan"]["import_kw"] == pytest.approx(same.json()["plan"]["import_kw"])
    assert body["plan"]["status"] == "optimal" and body["plan"]["battery_energy_kwh"] == 200
    page = client.get(url)
    assert "Your site can live with" in page.text and "refresh" not in page.headers
    assert 'sandbox="allow-scripts allow-downloads"' in page.text
    report = client.get(body["report_page"])
    assert report.status_code == 200 and "sandbox" in report.headers["content-security-policy"]
    # the report follows the reader's language (both are made with the plan)
    dutch = client.get(body["report_page"], params={"lang": "nl"}).text
    english = client.get(body["report_page"], params={"lang": "en"}).text
    assert '<html lang="nl">' in dutch and "Locatieplan: Bakkerij" in dutch
    assert "Samenvatting" in dutch and "kan Bakkerij" in dutch
    assert '<html lang="en">' in english and "Site plan: Bakkerij" in english
    csv = client.get(body["import_csv_page"])
    assert csv.status_code == 200 and csv.text.startswith("timestamp,")
    # attach it to alice's request from the page
    request_service.update_request(db, SYSTEM, "R1", {"owner": "alice"})
    done = client.post(
        f"{url}/attach",
        data={"request_id": "R1", "csrf_token": form_token(client)},
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/requests/R1"
    r1 = client.get("/api/v1/requests/R1", headers=bearer(users.alice_token)).json()
    assert r1["site_plan_id"] == body["id"] and r1["kw"] == body["annex"]["request"]["kw"]


def test_site_planner_errors_name_the_field(client, tiny, users: Users) -> None:
    _signed(client, users.alice_token)
    cases = [
        (
            {"mode": "simple"},
            {"load": ("l.csv", b"timestamp,kw\nnot a time,1\n", "text/csv")},
            "l.csv, line 2",
        ),
        (
            {"mode": "simple", "battery_kwh": "100"},
            {"load": ("l.csv", _load_csv(), "text/csv")},
            "battery_kw",
        ),
        (
            {"mode": "simple", "pv_kwp": "-1"},
            {"load": ("l.csv", _load_csv(), "text/csv")},
            "pv_kwp",
        ),
        ({"mode": "simple"}, {}, "load"),
        ({"mode": "files"}, {"files": ("site.toml", SITE.encode(), "text/plain")}, "load.csv"),
    ]
    for data, files, needle in cases:
        res = client.post(
            "/site-planner", data={**data, "csrf_token": form_token(client)}, files=files or None
        )
        assert res.status_code == 422, (data, res.text[:300])
        assert needle in res.text and 'role="alert"' in res.text
    twin = client.post(
        "/site-planner",
        params={"format": "json"},
        data={"mode": "simple", "pv_kwp": "x", "csrf_token": form_token(client)},
        files={"load": ("l.csv", _load_csv(), "text/csv")},
    )
    assert twin.status_code == 422 and twin.json()["field"] == "pv_kwp"


def test_site_toml_of_the_simple_form_is_the_documented_site_file() -> None:
    text = planner.site_toml(
        'Café "Het Hoekje"\nline two',
        year=2025,
        pv_kwp=12.5,
        latitude=52.4,
        longitude=5.2,
        battery_kwh=50.0,
        battery_kw=25.0,
    )
    data = tomllib.loads(text)
    assert data == {
        "site": {
            "name": 'Café "Het Hoekje"\nline two',
            "timezone": "Europe/Amsterdam",
            "year": 2025,
        },
        "plan": {"objective": "min-connection"},
        "load": {"csv": "load.csv"},
        "pv": {"kwp": 12.5, "latitude": 52.4, "longitude": 5.2},
        "battery": {"energy_kwh": 50.0, "power_kw": 25.0},
    }
    bare = tomllib.loads(
        planner.site_toml(
            "x", year=None, pv_kwp=None, latitude=0, longitude=0, battery_kwh=None, battery_kw=None
        )
    )
    assert set(bare) == {"site", "plan", "load"}


class _Req:
    def __init__(self, accept: str | None = None, fmt: str | None = None) -> None:
        self.headers = {"accept": accept} if accept is not None else {}
        self.query_params = {"format": fmt} if fmt is not None else {}


@pytest.mark.parametrize(
    ("accept", "fmt", "expected"),
    [
        ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", None, False),
        ("application/json", None, True),
        ("*/*", None, False),
        (None, None, False),
        ("text/html;q=0.5, application/json", None, True),
        ("application/json;q=0.2, text/html", None, False),
        ("application/json", "html", False),
        ("text/html", "json", True),
    ],
)
def test_wants_json(accept: str | None, fmt: str | None, expected: bool) -> None:
    assert wants_json(_Req(accept, fmt)) is expected  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("/queue?station=A", "/queue?station=A"),
        ("//evil.example", "/"),
        ("https://evil.example/", "/"),
        ("/\\evil.example", "/"),
        ("queue", "/"),
        (None, "/"),
    ],
)
def test_local_next_stays_on_this_site(value: str | None, expected: str) -> None:
    assert local_next(value) == expected


def test_a_wide_table_scrolls_in_its_own_box() -> None:
    """The ``wide_table`` macro the capacity map, station, queue and request list share."""
    page = templates.from_string(
        '{% from "_table.html" import wide_table %}'
        '{% call wide_table("map") %}\n  <tbody></tbody>\n{% endcall %}\n'
        "{% call wide_table() %}\n  <tbody></tbody>\n{% endcall %}\n<h2>next</h2>"
    ).render()
    assert page == (
        '<div class="table-wrap">\n<table class="map">\n  <tbody></tbody>\n</table>\n</div>\n'
        '<div class="table-wrap">\n<table>\n  <tbody></tbody>\n</table>\n</div>\n<h2>next</h2>'
    )


@pytest.mark.parametrize(
    ("url", "key", "longest"),
    [
        ("/queue", "station", 100),
        ("/operator/forecasts", "left", 100),
        ("/operator/moments", "policy", 100),
        ("/requests/new", "station", 100),
        ("/capacity-map", "on", 40),
        ("/map", "on", 40),
    ],
)
def test_page_query_text_has_its_length_limit(client, tiny, users, url, key, longest) -> None:
    """The pages' shared query-text parameters (``forms.Param``, ``forms.OnText``)."""
    op = bearer(users.operator_token)
    limit = f"{key}: String should have at most {longest} characters"
    refused = client.get(url, params={key: "x" * (longest + 1)}, headers=op)
    assert refused.status_code == 422 and limit in refused.text, (url, refused.text[-800:])
    taken = client.get(url, params={key: "x" * longest}, headers=op)  # the page's own answer
    assert "should have at most" not in taken.text, url
