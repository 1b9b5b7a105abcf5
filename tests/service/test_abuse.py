"""The service under abuse: every attack of issue 12 that once gave a 500, a stall or a leak.

Each test reproduces one attack against the app (in-process) and checks the answer: a 4xx
naming the problem, never a server error, never an internal path in a message.
"""

from __future__ import annotations

import io
import sqlite3
import struct
import threading
import tracemalloc
import zipfile
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import text

from netruimte.access.auth import SYSTEM
from netruimte.errors import InputError
from netruimte.register import bundles, grid_state, scenario_io
from netruimte.register import requests as request_service
from netruimte.sites import stored_plans as siteplans
from netruimte.storage import Database
from netruimte.storage import database as database_module
from netruimte.web.app import create_app
from netruimte.web.settings import Settings
from tests.service.conftest import TINY_TOML, TestClient, Users, bearer
from tests.service.test_siteplans import SITE, _files, _load_csv


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


def _no_internals(message: str) -> None:
    for leak in ("/tmp", "netruimte-upload", "Traceback", "site-packages", "/work/"):
        assert leak not in message, message


# -- pages --------------------------------------------------------------------------------------


def test_my_request_page_of_a_request_not_yet_ranked(client, tiny, users: Users) -> None:
    """A request filed today has not been through an allocation moment: the page shows it."""
    alice = bearer(users.alice_token)
    filed = client.post("/api/v1/requests", json={"station": "A", "kw": 250}, headers=alice)
    assert filed.status_code == 201, filed.text
    rid = filed.json()["id"]
    page = client.get(f"/requests/{rid}", headers=alice)
    assert page.status_code == 200, page.text[:2000]
    assert "Alternatives are computed once your request takes part." in page.text
    twin = client.get(f"/requests/{rid}", params={"format": "json"}, headers=alice).json()
    assert twin["now"]["takes_part"] is False and twin["now"]["fits_now"] is False
    listing = client.get("/requests", headers=alice)
    assert listing.status_code == 200 and rid in listing.text


# -- uploads ------------------------------------------------------------------------------------


def test_zip_with_too_many_entries_is_refused(
    client, tiny, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(bundles, "MAX_BUNDLE_FILES", 50)
    entries = {"site.toml": SITE.encode(), "load.csv": _load_csv()}
    entries |= {f"x/{i}.txt": b"x" for i in range(60)}
    res = client.post(
        "/api/v1/site-plans",
        files=[("files", ("site.zip", _zip(entries)))],
        headers=bearer(users.alice_token),
    )
    assert res.status_code == 422, res.text
    assert "more than 50 files" in res.json()["message"]


def _lying_zip(real: bytes, claimed: int) -> bytes:
    """A zip whose headers claim ``claimed`` bytes for an entry that unpacks to ``real``."""
    data = bytearray(_zip({"site.toml": SITE.encode(), "load.csv": real}))
    size = struct.pack("<I", len(real))
    assert data.count(size) == 2  # the local header and the central directory
    return bytes(data.replace(size, struct.pack("<I", claimed)))


@pytest.mark.parametrize("claimed", [1000, 2**31])
def test_zip_bomb_is_refused_without_unpacking_it(
    monkeypatch: pytest.MonkeyPatch, claimed: int
) -> None:
    """Headers that lie (too small or too large) are never trusted: the real bytes count,
    read in chunks, and memory stays bounded."""
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 20 * 1024 * 1024)
    bomb = _lying_zip(b"\0" * (200 * 1024 * 1024 + 7), claimed)
    assert len(bomb) < 1024 * 1024
    tracemalloc.start()
    try:
        with pytest.raises(InputError) as err:
            bundles.make_bundle([("bomb.zip", bomb)])
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 60 * 1024 * 1024, peak
    assert "too large" in str(err.value) or "cannot unpack" in str(err.value)


def test_honest_zip_bomb_answers_422(client, tiny, users: Users, monkeypatch) -> None:
    monkeypatch.setattr(bundles, "MAX_BUNDLE_BYTES", 5 * 1024 * 1024)
    bomb = _zip({"site.toml": SITE.encode(), "load.csv": b"\0" * (30 * 1024 * 1024)})
    res = client.post(
        "/api/v1/site-plans",
        files=[("files", ("site.zip", bomb))],
        headers=bearer(users.alice_token),
    )
    assert res.status_code == 422 and "too large" in res.json()["message"]


def test_file_and_folder_of_the_same_name_is_refused(client, tiny, users: Users) -> None:
    entries = {"site.toml": SITE.encode(), "load.csv": _load_csv(), "load.csv/x.csv": b"a"}
    res = client.post(
        "/api/v1/site-plans",
        files=[("files", ("site.zip", _zip(entries)))],
        headers=bearer(users.alice_token),
    )
    assert res.status_code == 422, res.text
    assert "both a file and a folder" in res.json()["message"]
    _no_internals(res.text)


def test_long_file_names_are_refused_without_internal_paths(client, tiny, users: Users) -> None:
    long = "a" * 300 + ".csv"
    site = SITE.replace('csv = "load.csv"', f'csv = "{long}"')
    res = client.post(
        "/api/v1/site-plans",
        files=[("files", ("site.toml", site.encode())), ("files", (long, _load_csv()))],
        headers=bearer(users.alice_token),
    )
    assert res.status_code == 422, res.text
    assert "too long" in res.json()["message"]
    _no_internals(res.text)


def test_job_errors_never_show_the_temporary_folder(
    client, tiny, users: Users, run_jobs: Callable[[], int]
) -> None:
    """A site whose CSV is not a profile fails as a job with the file named as uploaded."""
    alice = bearer(users.alice_token)
    made = client.post(
        "/api/v1/site-plans", files=_files(load=b"timestamp,kw\nnot a time,1\n"), headers=alice
    )
    assert made.status_code == 202, made.text
    assert run_jobs() == 1
    plan = client.get(f"/api/v1/site-plans/{made.json()['id']}", headers=alice).json()
    assert plan["status"] == "failed" and "load.csv" in plan["error"]
    _no_internals(plan["error"])
    job = client.get(f"/api/v1/jobs/{plan['job_id']}", headers=alice).json()
    _no_internals(job["error"])


NESTED = "[scenario]\nname = 'x'\nstart = 2026-01-01\nend = 2027-01-01\nx = " + "[" * 50_000


@pytest.mark.parametrize(
    ("toml", "field", "words"),
    [
        (NESTED, None, "nested too deeply"),
        ("a = " + "{b = " * 5000 + "1" + "}" * 5000, None, "nested too deeply"),
        (TINY_TOML.replace('fit = "first-fit"', 'timezone = "Mars/Olympus"'), "timezone", "zone"),
        (TINY_TOML.replace('end = "2027-01-01"', 'end = "9999-01-01"'), "end", "2200-12-31"),
        (TINY_TOML.replace("kw = 600", "kw = 1e308", 1), "kw", "<= 1e+07"),
    ],
)
def test_bad_scenarios_answer_422_naming_the_field(
    client, tiny, users: Users, toml: str, field: str | None, words: str
) -> None:
    res = client.post(
        "/api/v1/scenario",
        files=[("files", ("s.toml", toml.encode()))],
        data={"force": "true"},
        headers=bearer(users.operator_token),
    )
    assert res.status_code == 422, res.text
    body = res.json()
    assert words in body["message"] and body["source"] == "s.toml"
    if field is not None:
        assert body["field"] == field
    _no_internals(res.text)


def test_scenario_with_too_many_requests_is_refused_before_loading(
    client, tiny, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(scenario_io, "MAX_SCENARIO_REQUESTS", 2)
    res = client.post(
        "/api/v1/scenario",
        files=[("files", ("s.toml", TINY_TOML.encode()))],
        headers=bearer(users.operator_token),
    )
    assert res.status_code == 422 and "at most 2" in res.json()["message"], res.text
    csv = "id,applicant,station,kw,submitted\n" + "".join(
        f"C{i},x,A,10,2025-01-01T00:00:00+01:00\n" for i in range(3)
    )
    head = TINY_TOML.split("[[station]]")[0].replace('fit = "first-fit"', 'requests_csv = "r.csv"')
    rest = "[[station]]" + TINY_TOML.split("[[station]]", 1)[1].split("[[request]]")[0]
    res = client.post(
        "/api/v1/scenario",
        files=[("files", ("s.toml", (head + rest).encode())), ("files", ("r.csv", csv.encode()))],
        headers=bearer(users.operator_token),
    )
    assert res.status_code == 422 and "about 3 requests" in res.json()["message"], res.text


def test_patch_to_null_is_refused(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    for key in ("applicant", "kw", "contract"):
        res = client.patch("/api/v1/requests/R1", json={key: None}, headers=op)
        assert res.status_code == 422 and res.json()["field"] == key, res.text
    with pytest.raises(InputError, match="cannot be removed"):
        request_service.update_request(client.app.state.db, SYSTEM, "R1", {"applicant": None})
    assert client.get("/api/v1/requests/R1", headers=op).json()["applicant"] == "Bakery"


# -- body size, quota, busy ---------------------------------------------------------------------


def test_bodies_over_the_limit_answer_413(db: Database, tiny, users: Users) -> None:
    app = create_app(
        Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False, max_upload_bytes=4096)
    )
    op = bearer(users.operator_token)
    with TestClient(app) as client:
        big = client.post(
            "/api/v1/scenario", files=[("files", ("s.toml", b"#" * 10_000))], headers=op
        )
        assert big.status_code == 413 and big.json()["error"] == "too-large"
        fine = client.post(
            "/api/v1/scenario", files=[("files", ("s.toml", b"#" * 100))], headers=op
        )
        assert fine.status_code == 422  # within the limit: read and judged
        json_body = b'{"station": "A", "kw": 1, "applicant": "' + b"x" * 2_000_000 + b'"}'
        res = client.post(
            "/api/v1/requests",
            content=json_body,
            headers={**op, "Content-Type": "application/json"},
        )
        assert res.status_code == 413

        def chunks():  # type: ignore[no-untyped-def]  # no Content-Length: counted as it comes
            for _ in range(100):
                yield b"x" * 100_000

        res = client.post(
            "/api/v1/requests", content=chunks(), headers={**op, "Content-Type": "application/json"}
        )
        assert res.status_code == 413
        assert client.get("/api/v1/me", headers=op).status_code == 200


def test_open_site_plans_per_applicant_are_limited(
    client, tiny, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(siteplans, "MAX_OPEN_PLANS", 2)
    alice = bearer(users.alice_token)
    for _ in range(2):
        assert client.post("/api/v1/site-plans", files=_files(), headers=alice).status_code == 202
    res = client.post("/api/v1/site-plans", files=_files(), headers=alice)
    assert res.status_code == 429 and res.headers["Retry-After"] == "30", res.text
    bob = bearer(users.bob_token)  # the quota is per applicant
    assert client.post("/api/v1/site-plans", files=_files(), headers=bob).status_code == 202


def test_stored_bytes_per_applicant_are_limited(
    client, tiny, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(siteplans, "MAX_USER_PLAN_BYTES", int(len(_load_csv()) * 1.5))
    alice = bearer(users.alice_token)
    assert client.post("/api/v1/site-plans", files=_files(), headers=alice).status_code == 202
    res = client.post("/api/v1/site-plans", files=_files(), headers=alice)
    assert res.status_code == 429 and "MB" in res.json()["message"], res.text


def test_site_upload_larger_than_a_plan_may_be_is_refused(
    client, tiny, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(siteplans, "MAX_PLAN_BYTES", 1000)
    res = client.post("/api/v1/site-plans", files=_files(), headers=bearer(users.alice_token))
    assert res.status_code == 422 and "MB together" in res.json()["message"], res.text


def test_sqlite_busy_answers_503_with_retry_after(
    tmp_path, sqlite_template, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Another process holds the write lock: writes wait a bounded time, then 503."""
    import shutil

    from netruimte.access import auth

    monkeypatch.setattr(database_module, "BUSY_TIMEOUT_S", 0.2)
    path = tmp_path / "busy.db"
    shutil.copyfile(sqlite_template, path)
    db = Database(str(path))
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    _, token = auth.add_user(db, "op", "operator")
    db.dispose()
    app = create_app(Settings(db_url=str(path), worker=False, bootstrap=False, migrate=False))
    held, release = threading.Event(), threading.Event()

    def hold() -> None:  # another process's writer, as plain sqlite3
        conn = sqlite3.connect(path, isolation_level=None)
        conn.execute("BEGIN IMMEDIATE")
        held.set()
        release.wait(30)
        conn.execute("ROLLBACK")
        conn.close()

    thread = threading.Thread(target=hold)
    thread.start()
    try:
        assert held.wait(10)
        with TestClient(app) as client:
            op = bearer(token)
            res = client.post("/api/v1/requests/R1/grant", json={}, headers=op)
            assert res.status_code == 503, res.text
            assert res.headers["Retry-After"] == "2" and res.json()["error"] == "busy"
            page = client.get("/", headers=op)  # readers go on (WAL)
            assert page.status_code == 200, page.text
            release.set()
            thread.join()
            assert client.post("/api/v1/requests/R1/grant", json={}, headers=op).status_code in (
                200,
                409,
            )
    finally:
        release.set()
        thread.join()
    with Database(str(path)).engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM requests")).scalar() == 3


# -- strict types and limits in the schema ------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url", "body", "params", "field"),
    [
        ("get", "/api/v1/public/capacity-map", None, {"on": "0"}, "on"),
        ("get", "/api/v1/public/capacity-map", None, {"on": "9999-01-01"}, "on"),
        ("get", "/api/v1/stations/A/headroom", None, {"on": "1700000000"}, "on"),
        ("patch", "/api/v1/stations/A", {"load_mw": False}, None, "load_mw"),
        ("patch", "/api/v1/stations/A", {"offtake_mw": "5"}, None, "offtake_mw"),
        ("post", "/api/v1/requests", {"station": "A", "kw": True}, None, "kw"),
        ("post", "/api/v1/requests", {"station": "A", "kw": 1e308}, None, "kw"),
        ("post", "/api/v1/requests/R1/grant", {"on": 0}, None, "on"),
        ("post", "/api/v1/requests/R1/grant", {"on": "9999-12-31"}, None, "on"),
        ("post", "/api/v1/runs", {"runs": True}, None, "runs"),
        ("post", "/api/v1/runs", {"runs": 2.5}, None, "runs"),
        ("post", "/api/v1/requests", {"station": "A", "kw": 1, "evidence": 1}, None, "evidence"),
        (
            "post",
            "/api/v1/requests",
            {"station": "A", "kw": 1, "submitted": "9999-01-01T00:00:00Z"},
            None,
            "submitted",
        ),
    ],
)
def test_loose_types_and_out_of_range_values_are_refused(
    client, tiny, users: Users, method: str, url: str, body, params, field: str
) -> None:
    res = client.request(
        method.upper(), url, json=body, params=params, headers=bearer(users.operator_token)
    )
    assert res.status_code == 422, res.text
    assert res.json()["field"] == field


def test_limits_are_in_the_openapi_document(client) -> None:
    spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    kw = schemas["RequestIn"]["properties"]["kw"]
    assert kw["maximum"] == 1e7 and kw["exclusiveMinimum"] == 0 and kw["type"] == "number"
    day = schemas["GrantIn"]["properties"]["on"]["anyOf"][0]
    assert day["format"] == "date" and day["pattern"].startswith("^(19[0-9]{2}|2[01][0-9]{2}|2200)")
    on = next(
        p
        for p in spec["paths"]["/api/v1/public/capacity-map"]["get"]["parameters"]
        if p["name"] == "on"
    )
    assert on["schema"]["anyOf"][0]["pattern"] == day["pattern"]
    assert schemas["RequestIn"]["properties"]["applicant"]["anyOf"][0]["maxLength"] == 300


def test_405_names_every_method_of_the_path(client) -> None:
    res = client.put("/api/v1/requests")
    assert res.status_code == 405 and res.headers["Allow"] == "GET, POST"
    res = client.post("/api/v1/stations/A")
    assert res.status_code == 405 and res.headers["Allow"] == "DELETE, GET, PATCH"


# -- exports and public figures -----------------------------------------------------------------


def test_exports_escape_formulas_and_import_them_back(client, tiny, users: Users) -> None:
    """OWASP CSV injection: text that starts like a formula is written with a quote before it,
    and an import of the export gives back exactly the text."""
    op = bearer(users.operator_token)
    names = ['=HYPERLINK("http://x")', "+31 6", "-2", "@SUM(A1)", "'=x", "''", "\tTab", "Plain"]
    for i, name in enumerate(names):
        res = client.post(
            "/api/v1/requests",
            json={"station": "A", "kw": 10 + i, "applicant": name, "owner": "alice"},
            headers=op,
        )
        assert res.status_code == 201, res.text
    station = {"id": "S9", "name": "=cmd|' /C calc'!A0", "parent": "TOP", "offtake_mw": 1}
    assert client.post("/api/v1/stations", json=station, headers=op).status_code == 201
    text = client.get("/api/v1/scenario", params={"format": "csv"}, headers=op).text
    import csv as csv_module

    rows = list(csv_module.DictReader(io.StringIO(text)))
    cells = [r["applicant"] for r in rows]
    for cell in cells:
        assert not cell.startswith(("=", "+", "-", "@", "\t", "\r")), cell
    assert '\'=HYPERLINK("http://x")' in cells and "''=x" in cells and "Plain" in cells
    capacity = client.get("/api/v1/public/capacity-map.csv").text
    assert "'=cmd" in capacity and ",=cmd" not in capacity
    exported = client.get("/api/v1/scenario", params={"format": "zip"}, headers=op).content
    res = client.post(
        "/api/v1/scenario",
        files=[("files", ("scenario.zip", exported))],
        data={"force": "true"},
        headers=op,
    )
    assert res.status_code == 201, res.text
    back = client.get("/api/v1/requests", params={"limit": 500}, headers=op).json()["items"]
    kept = [n for n in names if n != "\tTab"]  # the loader strips blanks around every cell
    assert sorted(kept) == sorted(r["applicant"] for r in back if r["applicant"] in names)


def test_hidden_queue_cells_cannot_be_worked_out_from_the_station_totals(
    client, tiny, users: Users
) -> None:
    """At A: four requests rank as "none" and R2 alone as basic needs. The map publishes A's
    five; showing "none" = 4 would give away R2's MW (total minus visible)."""
    op = bearer(users.operator_token)
    for kw in (100, 200, 300):
        assert (
            client.post("/api/v1/requests", json={"station": "A", "kw": kw}, headers=op).status_code
            == 201
        )
    cells = client.get("/api/v1/public/queue").json()["cells"]
    at_a = {c["category"]: c for c in cells if c["station"] == "A" and c["direction"] == "offtake"}
    assert set(at_a) == {"none", "basic-needs"}
    assert all(c["suppressed"] and c["mw"] is None for c in at_a.values()), at_a


@settings(max_examples=200, deadline=None, derandomize=True)
@given(
    st.dictionaries(
        st.tuples(
            st.sampled_from("ABC"),
            st.sampled_from(["offtake", "feed-in"]),
            st.text("xyzw", min_size=1, max_size=2),
        ),
        st.integers(1, 8),
        max_size=20,
    )
)
def test_complementary_suppression_invariants(counts: dict[tuple[str, str, str], int]) -> None:
    hidden = grid_state._suppressed(counts)
    assert {k for k, n in counts.items() if n < grid_state.MIN_CELL} <= hidden
    groups: dict[tuple[str, str], list[tuple[str, str, str]]] = {}
    for key in counts:
        groups.setdefault(key[:2], []).append(key)
    for keys in groups.values():
        gone = [k for k in keys if k in hidden]
        if not gone or len(gone) == len(keys):
            continue
        # what the public total minus the visible cells reveals: the hidden cells' sum
        assert len(gone) >= 2 and sum(counts[k] for k in gone) >= grid_state.MIN_CELL


# -- operator changes under existing grants -----------------------------------------------------


def test_shrinking_under_grants_answers_409_unless_forced_and_audited(
    client, tiny, users: Users
) -> None:
    """A: 5 MW + 2 MW from 2026-07-01, load 4 MW, so 3 MW room today; R1 and R2 (0.6 MW each)
    are granted. 3.5 MW base leaves 1.5 MW room (fine); 3 MW leaves 1 MW < 1.2 MW (409, 0.2 MW
    over); then cancelling the reinforcement leaves 3.5 - 4 < 0: all 1.2 MW over (409)."""
    op = bearer(users.operator_token)
    for rid in ("R1", "R2"):
        res = client.post(f"/api/v1/requests/{rid}/grant", json={}, headers=op)
        assert res.status_code == 200, res.text
    assert client.patch("/api/v1/stations/A", json={"offtake_mw": 3.5}, headers=op).is_success
    res = client.patch("/api/v1/stations/A", json={"offtake_mw": 3}, headers=op)
    assert res.status_code == 409, res.text
    assert "A (offtake)" in res.json()["message"] and "0.2 MW" in res.json()["message"]
    res = client.delete("/api/v1/reinforcements/A-2026", headers=op)
    assert res.status_code == 409 and "by 1.2 MW" in res.json()["message"], res.text
    res = client.patch("/api/v1/stations/A", json={"load_mw": 4.5}, headers=op)
    assert res.status_code == 409, res.text
    assert client.get("/api/v1/stations/A", headers=op).json()["offtake_mw"] == 3.5
    # forced: recorded, audited with the excess, and visible as negative room
    res = client.delete("/api/v1/reinforcements/A-2026", params={"force": "true"}, headers=op)
    assert res.status_code == 204, res.text
    entries = client.get("/api/v1/audit", params={"limit": 1000}, headers=op).json()["items"]
    last = entries[-1]
    assert last["action"] == "reinforcement.delete"
    [over] = last["inputs"]["over_allocated"]
    assert over["station"] == "A" and over["over_mw"] == pytest.approx(1.2)
    room = client.get("/api/v1/stations/A/headroom", headers=op).json()["nodes"][0]
    assert room["room_mw"] == pytest.approx(3.5 - 4 - 1.2)


def test_future_dated_grants_count_from_their_date(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    res = client.post("/api/v1/requests/R1/grant", json={"on": "2035-01-01"}, headers=op)
    assert res.status_code == 200, res.text

    def quoted(on: str) -> float:
        cmap = client.get("/api/v1/public/capacity-map", params={"on": on}).json()
        [a] = [e for e in cmap["stations"] if e["short_code"] == "A"]
        return float(a["demand_quoted_capacity"])

    assert quoted("2034-12-31") == pytest.approx(4.0)  # load only: the grant is not in force
    assert quoted("2035-01-01") == pytest.approx(4.6)
    # a shrink that only bites once the 2035 grant is in force is refused too
    res = client.patch("/api/v1/stations/A", json={"load_mw": 6.5}, headers=op)
    assert res.status_code == 409 and "2035-01-01" in res.json()["message"], res.text


def test_public_queue_figures_are_kept_per_audit_head(client, tiny, users: Users) -> None:
    """An anonymous caller cannot make the server recount the queue by asking again (kept per
    head of the audit trail), and every change shows at once."""
    first = client.get("/api/v1/public/queue").json()
    again = client.get("/api/v1/public/queue", params={"on": "2030-01-01"}).json()
    assert again["cells"] == first["cells"] and again["as_of"] == "2030-01-01"
    op = bearer(users.operator_token)
    for kw in (100, 200, 300):
        assert client.post(
            "/api/v1/requests", json={"station": "B", "kw": kw}, headers=op
        ).is_success
    after = client.get("/api/v1/public/queue").json()
    assert after["totals"]["offtake"]["requests"] == first["totals"]["offtake"]["requests"] + 3
