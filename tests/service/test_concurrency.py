"""Consistency under concurrency and failure, on SQLite and PostgreSQL.

Many threads grant at once (and allocation moments run between them): no node ever carries
more than its capacity, every request is granted at most once, and the audit chain stays one
unbroken chain. A write that fails half-way, or a process killed inside its transaction,
leaves nothing behind.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import sys
import textwrap
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from netruimte.access import audit
from netruimte.access.auth import SYSTEM
from netruimte.errors import Conflict
from netruimte.register import requests, runs, scenario_io
from netruimte.storage import Database
from netruimte.storage.tables import AuditHead, Register, Request, Run, Station
from tests.service.conftest import TINY_TOML

ON = dt.date(2026, 1, 1)
N_PER_STATION = 20

GRID = """\
[scenario]
name = "contention"
start = "2026-01-01"
end = "2027-01-01"

[[station]]
id = "TOP"
offtake_mw = 15
[[station]]
id = "A"
parent = "TOP"
offtake_mw = 10
[[station]]
id = "B"
parent = "TOP"
offtake_mw = 10
"""


def _contention(db: Database) -> list[str]:
    """TOP 15 MW over A and B of 10 MW each; 20 requests of 1 MW at each child."""
    lines = [GRID]
    ids = []
    for station in ("A", "B"):
        for k in range(N_PER_STATION):
            rid = f"{station}{k:02d}"
            ids.append(rid)
            lines.append(
                f'[[request]]\nid = "{rid}"\nstation = "{station}"\nkw = 1000\n'
                f'submitted = "2025-01-{k + 1:02d}T09:00:00+01:00"\n'
            )
    scenario_io.import_bundle(db, SYSTEM, [("c.toml", "\n".join(lines).encode())])
    return ids


def _granted(db: Database) -> dict[str, float]:
    with db.read() as session:
        rows = session.execute(
            select(Request.station_id, func.sum(Request.kw))
            .where(Request.status == "granted")
            .group_by(Request.station_id)
        )
        return {sid: float(kw) / 1000 for sid, kw in rows}


def _try_grant(db: Database, rid: str) -> str:
    try:
        requests.grant_request(db, SYSTEM, rid, ON)
    except Conflict:
        return "conflict"
    return "granted"


def test_parallel_grants_never_exceed_capacity(db: Database) -> None:
    ids = _contention(db)
    with ThreadPoolExecutor(max_workers=12) as pool:
        outcomes = Counter(pool.map(lambda rid: _try_grant(db, rid), ids))
    granted = _granted(db)
    assert granted.get("A", 0) <= 10 and granted.get("B", 0) <= 10
    assert granted.get("A", 0) + granted.get("B", 0) == 15  # TOP is the binding node
    assert outcomes == {"granted": 15, "conflict": 25}
    check = audit.verify(db)
    assert check.ok, check.problem
    grants = [e for e in audit.list_entries(db, limit=1000) if e["action"] == "request.grant"]
    assert len(grants) == 15 and len({e["object"] for e in grants}) == 15


def test_allocation_moments_and_grants_at_once(db: Database) -> None:
    ids = _contention(db)

    def work(k: int) -> str:
        if k % 5 == 0:
            runs.allocate(db, SYSTEM, on=ON)
            return "run"
        return _try_grant(db, ids[k])

    with ThreadPoolExecutor(max_workers=10) as pool:
        list(pool.map(work, range(len(ids))))
    granted = _granted(db)
    assert granted.get("A", 0) <= 10 and granted.get("B", 0) <= 10
    assert granted.get("A", 0) + granted.get("B", 0) == 15
    entries = audit.list_entries(db, limit=1000)
    grants = Counter(e["object"] for e in entries if e["action"] == "request.grant")
    assert sum(grants.values()) == 15 and set(grants.values()) == {1}  # never granted twice
    assert audit.verify(db).ok


def test_failed_allocation_writes_nothing(db: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    head = audit.verify(db).head_seq
    real = audit.append
    calls = {"n": 0}

    def failing(*args, **kwargs):  # type: ignore[no-untyped-def]
        calls["n"] += 1
        if kwargs.get("action") == "request.grant":
            raise RuntimeError("disk full")  # after the run row and the ranking were written
        return real(*args, **kwargs)

    monkeypatch.setattr(audit, "append", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        runs.allocate(db, SYSTEM, on=ON)
    assert calls["n"] == 2  # the ranking, then the first grant
    monkeypatch.setattr(audit, "append", real)
    assert _granted(db) == {}
    with db.read() as session:
        assert session.scalar(select(func.count()).select_from(Run)) == 0
        assert session.get(AuditHead, 1).seq == head  # type: ignore[union-attr]
    assert audit.verify(db).ok
    # and it works afterwards: R2 whole, partial offers to R1 and R3 (tests/service/test_api.py)
    assert runs.allocate(db, SYSTEM, on=ON)["granted_count"] == 3


def test_failed_import_keeps_the_old_register(
    db: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])

    def broken(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise OSError("connection lost")

    other = TINY_TOML.replace('name = "tiny"', 'name = "other"')
    monkeypatch.setattr(scenario_io, "_store", broken)
    with pytest.raises(OSError, match="connection lost"):
        scenario_io.import_bundle(db, SYSTEM, [("other.toml", other.encode())])
    with db.read() as session:
        assert session.get(Register, 1).name == "tiny"  # type: ignore[union-attr]
        assert session.scalar(select(func.count()).select_from(Station)) == 3
        assert session.scalar(select(func.count()).select_from(Request)) == 3


def test_process_killed_inside_a_write_leaves_nothing(db: Database) -> None:
    scenario_io.import_bundle(db, SYSTEM, [("tiny.toml", TINY_TOML.encode())])
    head = audit.verify(db).head_seq
    script = textwrap.dedent(
        f"""
        import os, signal
        from netruimte.access import audit
        from netruimte.access.auth import SYSTEM
        from netruimte.storage import Database
        from netruimte.storage.tables import Request
        db = Database({db.url!r})
        with db.write() as session:
            row = session.get(Request, "R3")
            row.status = "granted"
            audit.append(db, session, actor=SYSTEM, action="request.grant", obj="request:R3",
                         inputs={{}})
            session.flush()
            os.kill(os.getpid(), signal.SIGKILL)  # dies holding the write lock, uncommitted
        """
    )
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, timeout=120)
    assert proc.returncode == -9, proc.stderr.decode()
    with db.read() as session:
        assert session.get(Request, "R3").status == "waiting"  # type: ignore[union-attr]
    assert audit.verify(db).head_seq == head
    requests.grant_request(db, SYSTEM, "R3", ON)  # the database is not left locked
    assert audit.verify(db).ok
