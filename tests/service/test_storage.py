"""Storage on both databases: migrations match the tables, types round-trip, transactions."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import numpy as np
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlalchemy import text
from typer.testing import CliRunner

from netruimte.cli import app as cli_app
from netruimte.errors import InputError
from netruimte.storage import (
    Database,
    current_revision,
    head_revision,
    normalise_db_url,
    resolve_db_url,
)
from netruimte.storage.tables import Base, Blob, Job, Station


def test_migrations_build_exactly_the_tables(db: Database) -> None:
    assert current_revision(db) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []


def test_instants_come_back_aware_and_equal(db: Database) -> None:
    local = dt.datetime(2026, 3, 29, 3, 15, 7, 123456, tzinfo=ZoneInfo("Europe/Amsterdam"))
    with db.write() as session:
        session.add(Job(kind="run", target_id=1, status="queued", created_at=local))
    with db.read() as session:
        job = session.get(Job, 1)
        assert job is not None
        assert job.created_at == local and job.created_at.utcoffset() == dt.timedelta(0)
    with pytest.raises(Exception, match="naive"), db.write() as session:
        session.add(
            Job(kind="run", target_id=2, status="queued", created_at=dt.datetime(2026, 1, 1))
        )
        session.flush()


def test_profiles_round_trip_bit_for_bit(db: Database) -> None:
    rng = np.random.default_rng(7)
    values = rng.normal(50.0, 20.0, 35040)
    values[:3] = (0.0, -0.0, 1e-300)
    with db.write() as session:
        session.add(
            Station(
                id="S",
                position=0,
                name="",
                offtake_mw=1,
                load_mw=0,
                feedin_load_mw=0,
                load_profile_mw=values,
            )
        )
    with db.read() as session:
        row = session.get(Station, "S")
        assert row is not None and row.load_profile_mw is not None
        assert row.load_profile_mw.tobytes() == values.astype("<f8").tobytes()
        assert not row.load_profile_mw.flags.writeable


def test_write_commits_and_rolls_back(db: Database) -> None:
    with pytest.raises(RuntimeError), db.write() as session:
        session.add(Blob(sha256="a" * 64, name="x", content=b"1"))
        session.flush()
        raise RuntimeError("interrupted")
    with db.read() as session:
        assert session.get(Blob, "a" * 64) is None
    with db.write() as session:
        session.add(Blob(sha256="b" * 64, name="y", content=b"\x00\xff"))
    with db.read() as session:
        blob = session.get(Blob, "b" * 64)
        assert blob is not None and blob.content == b"\x00\xff"


def test_sqlite_is_wal_with_foreign_keys(tmp_path: Path) -> None:
    db = Database(str(tmp_path / "x.db"))
    with db.engine.connect() as conn:
        assert conn.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert conn.execute(text("PRAGMA foreign_keys")).scalar() == 1
    db.dispose()


def test_database_urls(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    assert normalise_db_url("data/x.db") == "sqlite:///data/x.db"
    assert normalise_db_url("postgres://u@h:5/d") == "postgresql+psycopg://u@h:5/d"
    assert normalise_db_url("postgresql://u@h/d") == "postgresql+psycopg://u@h/d"
    for bad, word in (("mysql://u@h/d", "unsupported"), ("sqlite://", "in-memory"), ("", "empty")):
        with pytest.raises(InputError, match=word) as info:
            normalise_db_url(bad)
        assert info.value.field == "db"
    monkeypatch.delenv("NETRUIMTE_DB", raising=False)
    assert resolve_db_url(None) == "sqlite:///netruimte.db"
    monkeypatch.setenv("NETRUIMTE_DB", str(tmp_path / "env.db"))
    assert resolve_db_url(None) == f"sqlite:///{tmp_path / 'env.db'}"
    assert resolve_db_url("given.db") == "sqlite:///given.db"


def test_cli_db_upgrade_on_a_fresh_file(tmp_path: Path) -> None:
    path = tmp_path / "fresh.db"
    runner = CliRunner()
    res = runner.invoke(cli_app, ["db", "current", "--db", str(path)])
    assert res.exit_code == 0 and "(empty database)" in res.output
    res = runner.invoke(cli_app, ["db", "upgrade", "--db", str(path)])
    assert res.exit_code == 0 and f"revision {head_revision()}" in res.output
    res = runner.invoke(cli_app, ["db", "upgrade", "--db", str(path)])  # idempotent
    assert res.exit_code == 0
    res = runner.invoke(cli_app, ["db", "current", "--db", str(path)])
    assert f"current {head_revision()}" in res.output


def test_migration_0002_keeps_users_and_gives_their_tokens_a_year(
    db: Database, tmp_path: Path
) -> None:
    """From revision 0001 with a user: 0002 adds web_sessions and token_expires_at (one year
    from the upgrade for existing tokens); downgrade and upgrade again work."""
    from alembic import command

    from netruimte.storage import upgrade
    from netruimte.storage.migrate import alembic_config

    if db.is_sqlite:
        db = Database(str(tmp_path / "old.db"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    assert upgrade(db, "0001") == "0001"
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO users (name, role, token_hash, created_at) "
                "VALUES ('ann', 'applicant', :h, :t)"
            ),
            {"h": "a" * 64, "t": dt.datetime(2026, 1, 1, tzinfo=dt.UTC)},
        )
    before = dt.datetime.now(dt.UTC)
    assert upgrade(db) == head_revision()
    from netruimte.storage.tables import User

    with db.read() as session:
        [user] = session.query(User).all()
        left = user.token_expires_at - before
        assert dt.timedelta(days=364) < left < dt.timedelta(days=366)
    config = alembic_config(db)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0001")
    assert current_revision(db) == "0001"
    assert upgrade(db) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
