"""Scenario import and export through the API: the formats of DESIGN.md, profiles kept byte
for byte, exact round trips, and uploads that cannot reach the server's own files."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from netruimte.register.convert import build_scenario
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.storage import Database
from netruimte.waitlist import monte_carlo, simulate
from tests.service.conftest import TINY_TOML, Users, bearer

EXAMPLE = Path(__file__).parents[2] / "examples" / "waitlist"
FILES = ("flevoland-small.toml", "alm-load.csv", "office-import.csv")


def _upload(names: tuple[str, ...] = FILES) -> list[tuple[str, tuple[str, bytes]]]:
    return [("files", (n, (EXAMPLE / n).read_bytes())) for n in names]


def _same_scenario(a, b) -> None:  # type: ignore[no-untyped-def]
    """Two scenarios hold the same stations, reinforcements, requests and settings."""
    assert (a.name, a.start, a.end, a.policy, a.fit, a.capacity, a.timezone) == (
        b.name,
        b.start,
        b.end,
        b.policy,
        b.fit,
        b.capacity,
        b.timezone,
    )
    assert (a.runs, a.seed, a.withdraw_per_year, a.use_it_or_lose_it) == (
        b.runs,
        b.seed,
        b.withdraw_per_year,
        b.use_it_or_lose_it,
    )
    assert a.grid.stations == b.grid.stations
    assert a.grid.reinforcements == b.grid.reinforcements
    for sa, sb in zip(a.grid.stations, b.grid.stations, strict=True):
        for name in ("load_profile_mw", "feedin_load_profile_mw"):
            pa, pb = getattr(sa, name), getattr(sb, name)
            assert (pa is None) == (pb is None)
            if pa is not None:
                np.testing.assert_array_equal(pa, pb)
    # the profile file may sit under another name (profiles/…); its content is compared below
    assert [replace(r, profile_csv=None) for r in a.requests] == [
        replace(r, profile_csv=None) for r in b.requests
    ]
    for ra, rb in zip(a.requests, b.requests, strict=True):
        assert (ra.profile_kw is None) == (rb.profile_kw is None)
        if ra.profile_kw is not None:
            np.testing.assert_array_equal(ra.profile_kw, rb.profile_kw)


def test_import_with_profiles_and_export_zip_round_trip(
    client, db: Database, users: Users, tmp_path: Path, run_jobs: Callable[[], int]
) -> None:
    op = bearer(users.operator_token)
    res = client.post("/api/v1/scenario", files=_upload(), headers=op)
    assert res.status_code == 201, res.text
    original = load_scenario(EXAMPLE / "flevoland-small.toml")
    assert res.json()["requests"] == len(original.requests)
    with db.read() as session:
        stored = build_scenario(session, statuses=("waiting",))
    _same_scenario(stored, original)
    # a single TOML cannot hold the profiles
    toml = client.get("/api/v1/scenario", params={"format": "toml"}, headers=op)
    assert toml.status_code == 409 and "format=zip" in toml.json()["message"]
    exported = client.get("/api/v1/scenario", params={"format": "zip"}, headers=op)
    assert exported.status_code == 200
    assert exported.headers["content-type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(exported.content))
    names = set(archive.namelist())
    assert {"scenario.toml", "requests.csv", "register-status.csv"} <= names
    profiles = sorted(n for n in names if n.startswith("profiles/"))
    assert len(profiles) == 2  # the kept files, byte for byte
    kept = {archive.read(n) for n in profiles}
    assert kept == {
        (EXAMPLE / "alm-load.csv").read_bytes(),
        (EXAMPLE / "office-import.csv").read_bytes(),
    }
    archive.extractall(tmp_path / "export")
    _same_scenario(load_scenario(tmp_path / "export" / "scenario.toml"), original)
    # importing the export gives the same register again
    again = client.post(
        "/api/v1/scenario", files=[("files", ("scenario.zip", exported.content))], headers=op
    )
    assert again.status_code == 201, again.text
    with db.read() as session:
        _same_scenario(build_scenario(session, statuses=("waiting",)), original)
    # and a Monte Carlo forecast over it is the library's, run for run
    run = client.post("/api/v1/runs", json={"runs": 30, "seed": 11}, headers=op).json()
    assert run["kind"] == "monte-carlo"
    assert run_jobs() == 1
    got = client.get(f"/api/v1/runs/{run['id']}/results", headers=op).json()
    expected = monte_carlo(original, 30, 11, workers=1).to_json_dict()
    assert {k: got[k] for k in ("policy", "fit", "requests", "stations")} == expected


def test_toml_export_round_trip_and_granted_marks(
    client, tiny, users: Users, tmp_path: Path
) -> None:
    op = bearer(users.operator_token)
    client.post("/api/v1/requests/R3/grant", json={"on": "2026-01-01"}, headers=op)
    client.post("/api/v1/requests/R1/withdraw", headers=op)
    res = client.get("/api/v1/scenario", headers=op)
    assert res.status_code == 200 and res.headers["content-type"].startswith("application/toml")
    text = res.text
    assert "# granted on 2026-01-01 in the live register" in text
    assert 'id = "R1"' not in text  # withdrawn requests left the list
    path = tmp_path / "export.toml"
    path.write_text(text, encoding="utf-8")
    exported = load_scenario(path)
    source = tmp_path / "tiny.toml"
    source.write_text(TINY_TOML, encoding="utf-8")
    original = load_scenario(source)
    assert exported.grid.stations == original.grid.stations
    assert exported.grid.reinforcements == original.grid.reinforcements
    assert exported.requests == tuple(r for r in original.requests if r.id != "R1")
    assert simulate(exported).to_json_dict()["stations"] is not None
    csv = client.get("/api/v1/scenario", params={"format": "csv"}, headers=op)
    assert csv.text.splitlines()[0].startswith("id,applicant,station,direction,kw,submitted")
    assert len(csv.text.strip().splitlines()) == 3  # header + R2 + R3


def test_import_refuses_to_drop_applicants_requests(client, tiny, users: Users) -> None:
    op = bearer(users.operator_token)
    client.post(
        "/api/v1/requests", json={"station": "A", "kw": 10}, headers=bearer(users.alice_token)
    )
    res = client.post(
        "/api/v1/scenario", files=[("files", ("t.toml", TINY_TOML.encode()))], headers=op
    )
    assert res.status_code == 409 and "force" in res.json()["message"]
    forced = client.post(
        "/api/v1/scenario",
        files=[("files", ("t.toml", TINY_TOML.encode()))],
        data={"force": "true"},
        headers=op,
    )
    assert forced.status_code == 201
    assert client.get("/api/v1/requests", headers=op).json()["total"] == 3


@pytest.mark.parametrize(
    ("ref", "message"),
    [
        ("/etc/passwd", "relative"),
        ("../secret.csv", "outside the upload"),
        ("missing.csv", "not in the upload"),
    ],
)
def test_import_never_reads_outside_the_upload(
    client, db: Database, users: Users, ref: str, message: str
) -> None:
    toml = TINY_TOML.replace("load_mw = 3\n", f'load_mw = 3\nload_csv = "{ref}"\n')
    res = client.post(
        "/api/v1/scenario",
        files=[("files", ("s.toml", toml.encode()))],
        headers=bearer(users.operator_token),
    )
    assert res.status_code == 422
    body = res.json()
    assert body["field"] == "load_csv" and message in body["message"] and body["source"] == "s.toml"


def test_import_errors_name_file_and_line(client, db: Database, users: Users) -> None:
    op = bearer(users.operator_token)
    bad = TINY_TOML.replace("kw = 1500", 'kw = "lots"')
    res = client.post("/api/v1/scenario", files=[("files", ("s.toml", bad.encode()))], headers=op)
    assert res.status_code == 422
    body = res.json()
    assert (body["source"], body["field"]) == ("s.toml", "kw")
    headers = [n for n, line in enumerate(TINY_TOML.splitlines(), 1) if line == "[[request]]"]
    assert body["line"] == headers[2]  # the table of R3
    broken = client.post(
        "/api/v1/scenario", files=[("files", ("s.toml", b"[scenario"))], headers=op
    )
    assert broken.status_code == 422 and "TOML" in broken.json()["message"]
    alice = client.post(
        "/api/v1/scenario",
        files=[("files", ("s.toml", TINY_TOML.encode()))],
        headers=bearer(users.alice_token),
    )
    assert alice.status_code == 403
    assert client.get("/api/v1/scenario", headers=bearer(users.alice_token)).status_code == 403
    empty = client.get("/api/v1/scenario", headers=op)
    assert empty.status_code == 409 and "empty" in empty.json()["message"]


def test_every_register_setting_survives_import_and_export(db: Database, tmp_path: Path) -> None:
    """Each of the register's settings, none at its default, goes in and comes out the same."""
    from netruimte.access.auth import SYSTEM
    from netruimte.register import scenario_io
    from netruimte.register.convert import REGISTER_SETTINGS
    from netruimte.storage.tables import Register
    from netruimte.waitlist.rules import Policy
    from netruimte.waitlist.scenario import CapacityMode, Fit

    other = {c.key for c in Register.__table__.columns} - set(REGISTER_SETTINGS)
    assert other == {"id", "use_it_or_lose_it", "source", "imported_at"}
    source = tmp_path / "tiny.toml"
    source.write_text(TINY_TOML, encoding="utf-8")
    tiny = load_scenario(source)
    changed = replace(
        tiny,
        name="every setting",
        policy=Policy.FCFS,
        fit=Fit.STRICT,
        capacity=CapacityMode.PEAK,
        timezone="UTC",
        withdraw_per_year=0.05,
        nonfirm_min_share=0.3,
        tdtr_max_restricted_share=0.2,
        reservation_lead_months=24,
        runs=7,
        seed=9,
        partial_offers=False,
        min_offer_kw=75.0,
    )
    kept = [n for n in REGISTER_SETTINGS if getattr(changed, n) == getattr(tiny, n)]
    assert kept == ["start", "end"]  # every other setting differs from the tiny scenario's
    scenario_io.import_scenario(db, changed, SYSTEM)
    name, content, _ = scenario_io.export_scenario(db, SYSTEM, "toml")
    path = tmp_path / name
    path.write_bytes(content)
    back = load_scenario(path)
    assert {n: getattr(back, n) for n in REGISTER_SETTINGS} == {
        n: getattr(changed, n) for n in REGISTER_SETTINGS
    }
    keys = [line.split(" = ")[0] for line in content.decode().split("[[station]]")[0].splitlines()]
    assert [k for k in keys if k in REGISTER_SETTINGS] == list(REGISTER_SETTINGS)


@pytest.mark.parametrize("sep", [",", ";"])
def test_a_request_csv_profile_is_found_with_either_separator(sep: str) -> None:
    """The bundle's pre-scan reads a request CSV's ``profile_csv`` column with the separator
    the requests reader will use (``profiles.csv_io.csv_separator``), relative to the CSV."""
    from netruimte.errors import InputError
    from netruimte.register.bundles import csv_references

    main = '[scenario]\nrequests_csv = "data/requests.csv"\n'
    rows = sep.join(["id", "station", "kw", "profile_csv"]) + "\n"
    rows += sep.join(["R1", "S1", "100", "profiles/r1.csv"]) + "\n"
    bundle = {
        "scenario.toml": main.encode(),
        "data/requests.csv": rows.encode(),
        "data/profiles/r1.csv": b"timestamp,kw\n",
    }
    assert csv_references(bundle, "scenario.toml") == {("request", "R1"): "data/profiles/r1.csv"}
    del bundle["data/profiles/r1.csv"]
    with pytest.raises(InputError) as missing:
        csv_references(bundle, "scenario.toml")
    assert missing.value.source == "data/requests.csv"
    assert missing.value.line == 2
    assert missing.value.field == "profile_csv"
