"""Fixtures of the service tests: every database test runs on SQLite and, when
NETRUIMTE_TEST_POSTGRES_URL is set (CI sets it, see .ci/postgres.sh), on PostgreSQL too."""

from __future__ import annotations

import hashlib
import hmac
import os
import shutil
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import text

from netruimte.access import auth
from netruimte.access.auth import SYSTEM, Principal
from netruimte.jobs.worker import Worker
from netruimte.register import scenario_io
from netruimte.storage import Database, upgrade
from netruimte.storage.tables import Base
from netruimte.web.app import create_app
from netruimte.web.pages.render import COOKIE
from netruimte.web.settings import Settings
from tests._deps import missing

with warnings.catch_warnings():  # starlette asks for httpx2; httpx works the same here
    warnings.simplefilter("ignore")
    from fastapi.testclient import TestClient

POSTGRES_URL = os.environ.get("NETRUIMTE_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", *(["postgresql"] if POSTGRES_URL else [])]

TINY_TOML = """\
[scenario]
name = "tiny"
start = "2026-01-01"
end = "2027-01-01"
policy = "acm-2026"
fit = "first-fit"

[[station]]
id = "TOP"
name = "Top"
offtake_mw = 10
load_mw = 8
feedin_mw = 10
feedin_load_mw = 2

[[station]]
id = "A"
name = "Station A"
parent = "TOP"
offtake_mw = 5
load_mw = 4
feedin_mw = 3
feedin_load_mw = 1

[[station]]
id = "B"
name = "Station B"
parent = "TOP"
offtake_mw = 5
load_mw = 3

[[reinforcement]]
id = "A-2026"
station = "A"
date = "2026-07-01"
offtake_mw = 2

[[request]]
id = "R1"
applicant = "Bakery"
station = "A"
kw = 600
submitted = "2025-01-01T09:00:00+01:00"
function = "retail"

[[request]]
id = "R2"
applicant = "School"
station = "A"
kw = 600
submitted = "2025-02-01T09:00:00+01:00"
category = "basic-needs"
function = "education"
evidence = true

[[request]]
id = "R3"
applicant = "Warehouse"
station = "B"
kw = 1500
submitted = "2025-03-01T09:00:00+01:00"
function = "logistics"
"""
"""Hand-solvable: at 2026-01-01 A has 1 MW room, B 2 MW, TOP 2 MW (see test_api.py)."""


def _truncate(db: Database) -> None:
    names = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with db.engine.begin() as conn:
        conn.execute(text(f"TRUNCATE TABLE {names} RESTART IDENTITY CASCADE"))
        conn.execute(
            text("INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, :h)"), {"h": "0" * 64}
        )


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """An SQLite file with the migrations applied, copied for each test."""
    path = tmp_path_factory.mktemp("template") / "template.db"
    db = Database(str(path))
    upgrade(db)
    db.dispose()
    return path


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    """The PostgreSQL test database, emptied and migrated once per session."""
    if not POSTGRES_URL:
        missing("NETRUIMTE_TEST_POSTGRES_URL is not set (no PostgreSQL to test against)")
    db = Database(POSTGRES_URL)
    with db.engine.begin() as conn:
        conn.execute(text("DROP SCHEMA public CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    upgrade(db)
    db.dispose()
    yield POSTGRES_URL


@pytest.fixture(params=BACKENDS)
def db(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path) -> Iterator[Database]:
    """An empty, migrated database (one per test)."""
    if request.param == "sqlite":
        path = tmp_path / "netruimte.db"
        shutil.copyfile(sqlite_template, path)
        database = Database(str(path))
    else:
        database = Database(request.getfixturevalue("postgres_url"))
        _truncate(database)
    yield database
    database.dispose()


@dataclass(frozen=True)
class Users:
    """An operator and two applicants, with their tokens."""

    operator: Principal
    operator_token: str
    alice: Principal
    alice_token: str
    bob: Principal
    bob_token: str


@pytest.fixture
def users(db: Database) -> Users:
    """Add an operator and applicants alice and bob."""
    op, op_t = auth.add_user(db, "op", "operator")
    a, a_t = auth.add_user(db, "alice", "applicant")
    b, b_t = auth.add_user(db, "bob", "applicant")
    return Users(op, op_t, a, a_t, b, b_t)


@pytest.fixture
def tiny(db: Database) -> Database:
    """The database with the tiny scenario imported."""
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    return db


@pytest.fixture
def client(db: Database) -> Iterator[TestClient]:
    """A test client of the app on the test database (no worker thread, no bootstrap).

    Its pages speak English unless a test asks ``?lang=nl`` (the service's default is Dutch);
    the Dutch pages are tested in test_i18n.py.
    """
    app = create_app(
        Settings(db_url=db.url, worker=False, bootstrap=False, migrate=False, language="en")
    )
    with TestClient(app) as c:
        yield c


def form_token(client: TestClient) -> str:
    """The form token of the test client's sign-in (as every page's forms carry it)."""
    session_id = client.cookies.get(COOKIE)
    assert session_id, "sign in first"
    return hmac.new(session_id.encode(), b"netruimte form token", hashlib.sha256).hexdigest()


def bearer(token: str) -> dict[str, str]:
    """The Authorization header of a token."""
    return {"Authorization": f"Bearer {token}"}


@pytest.fixture
def run_jobs(db: Database) -> Callable[[], int]:
    """Run every queued job in this thread; returns how many ran."""

    def _run() -> int:
        worker = Worker(db)
        count = 0
        while worker.run_once():
            count += 1
        return count

    return _run
