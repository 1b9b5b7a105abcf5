"""First start and the service commands: `serve`, `users add`, the bundled scenario."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
from sqlalchemy import select
from typer.testing import CliRunner

from netruimte.access import auth
from netruimte.access.bootstrap import default_scenario
from netruimte.cli import app as cli_app
from netruimte.scenario.flevoland import generate_flevoland
from netruimte.storage import Database
from netruimte.storage.tables import User
from netruimte.web.app import create_app
from netruimte.web.settings import Settings
from tests.service.conftest import TestClient, bearer

NETRUIMTE = [sys.executable, "-m", "netruimte"]


def test_empty_register_gets_the_bundled_flevoland_scenario(db: Database) -> None:
    app = create_app(Settings(db_url=db.url, worker=False, bootstrap=True, migrate=True))
    with TestClient(app) as client:
        _, token = auth.add_user(db, "op", "operator")
        reg = client.get("/api/v1/register", headers=bearer(token)).json()
        assert reg["name"].startswith("Flevoland") and reg["source"] == "bundled:flevoland"
        assert reg["requests"]["waiting"] == len(generate_flevoland().requests)
        alm = client.get("/api/v1/public/capacity-map/ALM").json()
        assert (alm["demand_available_capacity"], alm["demand_quoted_capacity"]) == (59, 70)
        assert alm["demand_constraint"] == "red"  # over-contracted: required > available
    # a second start leaves the register alone
    app = create_app(Settings(db_url=db.url, worker=False, bootstrap=True, migrate=True))
    with TestClient(app) as client:
        reg2 = client.get("/api/v1/register", headers=bearer(token)).json()
        assert reg2["imported_at"] == reg["imported_at"]


def test_default_scenario_is_the_generated_flevoland() -> None:
    scenario = default_scenario()
    flevoland = generate_flevoland()
    assert [r.id for r in scenario.requests] == [r.id for r in flevoland.requests]
    assert {s.id for s in scenario.grid.stations} == {s["id"] for s in flevoland.stations}


def test_users_add_prints_the_token_once_and_stores_a_hash(db: Database) -> None:
    runner = CliRunner()
    res = runner.invoke(
        cli_app, ["users", "add", "Gemeente Almere", "--role", "applicant", "--db", db.url]
    )
    assert res.exit_code == 0, res.output
    token = res.stdout.strip().splitlines()[-1]
    assert len(token) == 43
    with db.read() as session:
        user = session.scalars(select(User)).one()
        assert user.token_hash == auth.hash_token(token) and token not in user.token_hash
    assert auth.authenticate(db, token).name == "Gemeente Almere"
    listed = runner.invoke(cli_app, ["users", "list", "--db", db.url, "--json"])
    assert '"role": "applicant"' in listed.output and token not in listed.output
    rotated = runner.invoke(cli_app, ["users", "token", "Gemeente Almere", "--db", db.url])
    new = rotated.stdout.strip()
    assert new != token and auth.authenticate(db, new).name == "Gemeente Almere"


def test_cli_exit_code_2_on_bad_input(tmp_path: Path) -> None:
    url = str(tmp_path / "c.db")
    env = {**os.environ, "NETRUIMTE_DB": url}
    bad = subprocess.run(
        [*NETRUIMTE, "users", "add", "x", "--role", "king"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert bad.returncode == 2 and "field 'role'" in bad.stderr and bad.stdout == ""


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_on_a_fresh_machine(tmp_path: Path) -> None:
    """`netruimte serve` in an empty directory: creates ./netruimte.db and serves Flevoland."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRUIMTE_")}
    proc = subprocess.Popen(
        [*NETRUIMTE, "serve", "--port", str(port)],
        cwd=tmp_path,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        deadline = time.monotonic() + 90
        body = None
        while time.monotonic() < deadline and proc.poll() is None:
            try:
                res = httpx.get(f"http://127.0.0.1:{port}/api/v1/public/capacity-map", timeout=2)
                if res.status_code == 200:
                    body = res.json()
                    break
            except httpx.HTTPError:
                time.sleep(0.2)
        assert body is not None, proc.stderr.read().decode() if proc.stderr else ""
        assert {"ALM", "LLS", "FGU"} <= {s["short_code"] for s in body["stations"]}
        spec = httpx.get(f"http://127.0.0.1:{port}/openapi.json", timeout=5).json()
        assert spec["info"]["title"] == "netruimte" and "/api/v1/runs" in spec["paths"]
        assert (tmp_path / "netruimte.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=30)
