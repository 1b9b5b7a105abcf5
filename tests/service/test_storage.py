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


def test_migration_0003_turns_blocks_into_capacity_blocks_and_still_verifies(
    db: Database, tmp_path: Path
) -> None:
    """From 0002 with a station, a time-block request (v1 restricted windows) and a trail
    vouching for both: 0003 adds the v2 columns with their defaults, stores the complement of
    the windows, appends a ``schema.upgrade`` entry, and ``audit verify`` still passes (and
    still catches an edit). Downgrade restores the restricted windows."""
    import hashlib
    import json

    from alembic import command

    from netruimte.access import audit
    from netruimte.access.audit import GENESIS_HASH, _entry_text, entry_hash
    from netruimte.storage import upgrade
    from netruimte.storage.migrate import alembic_config
    from netruimte.storage.tables import AuditEntry, Request
    from netruimte.storage.tables import Station as StationRow

    if db.is_sqlite:
        db = Database(str(tmp_path / "old.db"))
    else:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    assert upgrade(db, "0002") == "0002"
    submitted = dt.datetime(2026, 1, 1, 8, tzinfo=dt.UTC)

    def v1(fields: list[object]) -> str:  # the digest as 0002's code wrote it
        raw = json.dumps(fields, separators=(",", ":"), default=str)
        return hashlib.sha256(raw.encode()).hexdigest()[:16]

    state = {
        "request": {
            "T1": v1(
                [
                    "T1",
                    "A",
                    "offtake",
                    100.0,
                    submitted.isoformat(),
                    "none",
                    False,
                    False,
                    None,
                    "time-block",
                    False,
                    ["16:00-20:00"],
                    0.0,
                    None,
                    "waiting",
                    None,
                ]
            )
        },
        "station": {"A": v1(["A", None, 5.0, 1.0, None, 0.0])},
        "reinforcement": {},
    }
    inputs = json.dumps({"state": state}, sort_keys=True, separators=(",", ":"))
    at = "2026-01-01T08:00:00.000000+00:00"
    first = AuditEntry(
        seq=1,
        at=at,
        actor="system",
        action="scenario.import",
        object="register",
        policy_version="none",
        inputs=inputs,
    )
    digest = entry_hash(GENESIS_HASH, _entry_text(first))
    with db.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stations (id, position, name, offtake_mw, load_mw, feedin_load_mw) "
                "VALUES ('A', 0, '', 5.0, 1.0, 0.0)"
            )
        )
        conn.execute(
            text(
                "INSERT INTO requests (id, position, applicant, station_id, direction, kw, "
                "submitted, category, evidence, contract, small_consumer, contract_signed, "
                "blocks, restricted_kw, status, created_at, updated_at) VALUES ('T1', 0, '', "
                "'A', 'offtake', 100.0, :t, 'none', false, 'time-block', false, false, :b, 0.0, "
                "'waiting', :t, :t)"
            ),
            {"t": submitted if not db.is_sqlite else "2026-01-01 08:00:00.000000",
             "b": json.dumps(["16:00-20:00"])},
        )  # fmt: skip
        conn.execute(
            text(
                "INSERT INTO audit_log (seq, at, actor, action, object, policy_version, inputs, "
                "prev_hash, hash) VALUES (1, :at, 'system', 'scenario.import', 'register', "
                "'none', :i, :p, :h)"
            ),
            {"at": at, "i": inputs, "p": GENESIS_HASH, "h": digest},
        )
        conn.execute(text("UPDATE audit_head SET seq = 1, hash = :h WHERE id = 1"), {"h": digest})
    assert upgrade(db) == head_revision()
    with db.read() as session:
        [req] = session.query(Request).all()
        assert req.blocks == ["20:00-16:00"]  # full kW outside the old restricted window
        assert (req.accepts, req.accept_partial, req.connection_kv) == (None, True, None)
        [st] = session.query(StationRow).all()
        assert (st.connection_kv, st.small_consumer_reserve_mw, st.aggregated) == (10, None, False)
        [_, entry] = session.query(AuditEntry).order_by(AuditEntry.seq).all()
        assert (entry.action, entry.object) == ("schema.upgrade", "schema:0003")
        converted = json.loads(entry.inputs)["blocks_to_capacity_blocks"]
        assert converted == [
            {"request": "T1", "restricted": ["16:00-20:00"], "capacity": ["20:00-16:00"]}
        ]
    result = audit.verify(db)
    assert result.ok and result.entries == 2 and result.objects_checked == 2, result.problem
    with db.engine.begin() as conn:  # an edit behind the service's back is still caught
        conn.execute(text("UPDATE requests SET connection_kv = 150"))
    assert not audit.verify(db).ok
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE requests SET connection_kv = NULL"))
    assert audit.verify(db).ok
    config = alembic_config(db)
    with db.engine.begin() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "0002")
    assert current_revision(db) == "0002"
    with db.engine.connect() as conn:
        blocks = conn.execute(text("SELECT blocks FROM requests")).scalar_one()
    assert json.loads(blocks) if isinstance(blocks, str) else blocks == ["16:00-20:00"]
    assert upgrade(db) == head_revision()
    with db.engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    assert diff == []
