"""Engines, sessions and row locks for SQLite (embedded default) and PostgreSQL.

Every unit of work is one transaction: :meth:`Database.read` for queries, :meth:`Database.write`
for changes (committed when the block ends without an exception, rolled back otherwise, so an
interrupted write leaves no partial state).

Concurrency. On SQLite a write transaction starts with ``BEGIN IMMEDIATE``: it takes the
database's write lock at once, so writers run one after the other and a headroom check cannot
go stale before its grant is written; readers go on in parallel thanks to WAL. On PostgreSQL
writers lock the rows they decide on with ``SELECT … FOR UPDATE`` in one fixed order: station
rows (by id), then request rows, then the audit head. A fixed order means two transactions
never wait for each other in a cycle (no deadlocks).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any, TypeVar

from sqlalchemy import Engine, create_engine, event, func, select
from sqlalchemy.engine import make_url
from sqlalchemy.orm import InstrumentedAttribute, Session, sessionmaker

from netruimte.errors import InputError, NotFound
from netruimte.storage.tables import AuditHead, Request, Station

__all__ = [
    "DEFAULT_DB_URL",
    "Database",
    "get_row",
    "next_position",
    "normalise_db_url",
    "resolve_db_url",
]

DEFAULT_DB_URL = "sqlite:///netruimte.db"
"""An SQLite file ``netruimte.db`` in the working directory (override: ``--db`` or NETRUIMTE_DB)."""

_BEGIN_OPTION = "netruimte_begin"

_Row = TypeVar("_Row")


def get_row(session: Session, table: type[_Row], key: Any, what: str) -> _Row:
    """The row of ``table`` with primary key ``key``.

    Raises
    ------
    NotFound
        There is none: "no {what} {key!r}" (the API answers 404).
    """
    row = session.get(table, key)
    if row is None:
        raise NotFound(f"no {what} {key!r}")
    return row


def next_position(session: Session, column: InstrumentedAttribute[int]) -> int:
    """One past the largest ``column`` (a table's ``position``) so far; 1 in an empty table."""
    return (session.scalar(select(func.max(column))) or 0) + 1


def normalise_db_url(url: str) -> str:
    """A SQLAlchemy URL from ``url``; a plain file path means an SQLite file.

    ``postgresql://`` and ``postgres://`` select the psycopg (v3) driver.
    """
    text = url.strip()
    if not text:
        raise InputError("empty database URL", field="db")
    if "://" not in text:
        return f"sqlite:///{Path(text).expanduser()}"
    for prefix in ("postgresql://", "postgres://"):
        if text.startswith(prefix):
            return "postgresql+psycopg://" + text[len(prefix) :]
    try:
        parsed = make_url(text)
    except Exception as exc:  # sqlalchemy raises ArgumentError with its own wording
        raise InputError(f"not a database URL: {exc}", field="db") from None
    if parsed.get_backend_name() not in ("sqlite", "postgresql"):
        raise InputError(
            f"unsupported database {parsed.get_backend_name()!r}; expected sqlite:///PATH or "
            "postgresql+psycopg://USER@HOST:PORT/DB",
            field="db",
        )
    if parsed.get_backend_name() == "sqlite" and parsed.database in (None, "", ":memory:"):
        raise InputError(
            "an in-memory SQLite database cannot be shared by the server's threads; give a file",
            field="db",
        )
    return text


def resolve_db_url(url: str | None) -> str:
    """``url``, else the environment variable NETRUIMTE_DB, else :data:`DEFAULT_DB_URL`."""
    return normalise_db_url(url or os.environ.get("NETRUIMTE_DB") or DEFAULT_DB_URL)


class Database:
    """An engine plus transaction helpers.

    Parameters
    ----------
    url
        SQLAlchemy URL (``sqlite:///path.db`` or ``postgresql+psycopg://…``) or a file path.
    """

    def __init__(self, url: str) -> None:
        self.url = normalise_db_url(url)
        self.engine: Engine = _make_engine(self.url)
        self.dialect: str = self.engine.dialect.name
        self._sessions = sessionmaker(bind=self.engine, expire_on_commit=False)

    def __repr__(self) -> str:
        return f"Database({self.engine.url.render_as_string(hide_password=True)!r})"

    @property
    def is_sqlite(self) -> bool:
        """Whether this is the embedded SQLite database."""
        return self.dialect == "sqlite"

    @contextmanager
    def read(self) -> Iterator[Session]:
        """A read-only unit of work (rolled back at the end)."""
        with self._sessions() as session:
            session.connection(execution_options={_BEGIN_OPTION: "DEFERRED"})
            try:
                yield session
            finally:
                session.rollback()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: committed at the end, rolled back on any exception."""
        with self._sessions() as session:
            session.connection(execution_options={_BEGIN_OPTION: "IMMEDIATE"})
            try:
                yield session
                session.commit()
            except BaseException:
                session.rollback()
                raise

    def dispose(self) -> None:
        """Close every pooled connection."""
        self.engine.dispose()

    # -- row locks (PostgreSQL; SQLite's BEGIN IMMEDIATE already serialises writers) ---------
    def lock_stations(self, session: Session, ids: Iterable[str]) -> list[Station]:
        """Lock the station rows ``ids`` (ordered by id) and return those that exist."""
        wanted = sorted(set(ids))
        if not wanted:
            return []
        stmt = (
            select(Station)
            .where(Station.id.in_(wanted))
            .order_by(Station.id)
            .execution_options(populate_existing=True)
        )
        if not self.is_sqlite:
            stmt = stmt.with_for_update()
        return list(session.scalars(stmt))

    def lock_all_stations(self, session: Session) -> list[Station]:
        """Lock every station row (ordered by id)."""
        stmt = select(Station).order_by(Station.id).execution_options(populate_existing=True)
        if not self.is_sqlite:
            stmt = stmt.with_for_update()
        return list(session.scalars(stmt))

    def lock_requests(self, session: Session, ids: Sequence[str]) -> list[Request]:
        """Lock request rows (after the station rows, by id) and return those that exist."""
        # populate_existing: the lock may have waited for a newer committed version
        stmt = (
            select(Request)
            .where(Request.id.in_(sorted(set(ids))))
            .order_by(Request.id)
            .execution_options(populate_existing=True)
        )
        if not self.is_sqlite:
            stmt = stmt.with_for_update()
        return list(session.scalars(stmt))

    def lock_audit_head(self, session: Session) -> AuditHead:
        """Lock the audit chain's head (always the last lock a transaction takes)."""
        stmt = select(AuditHead).where(AuditHead.id == 1).execution_options(populate_existing=True)
        if not self.is_sqlite:
            stmt = stmt.with_for_update()
        head = session.scalars(stmt).one_or_none()
        if head is None:
            raise RuntimeError("the audit head row is missing: run `netruimte db upgrade`")
        return head


BUSY_TIMEOUT_S = 20.0
"""How long an SQLite statement waits for the write lock before "database is locked" (the
service then answers 503 with Retry-After)."""

POOL_TIMEOUT_S = 10.0
"""How long a request waits for a free pooled connection before the service answers 503."""


def _make_engine(url: str) -> Engine:
    backend = make_url(url).get_backend_name()
    if backend == "sqlite":
        engine = create_engine(
            url,
            connect_args={"timeout": BUSY_TIMEOUT_S, "check_same_thread": False},
            pool_pre_ping=False,
            pool_timeout=POOL_TIMEOUT_S,
        )

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            # take BEGIN over from the sqlite3 module, so that writers can BEGIN IMMEDIATE
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA journal_mode=WAL")
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute(f"PRAGMA busy_timeout={int(BUSY_TIMEOUT_S * 1000)}")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

        @event.listens_for(engine, "begin")
        def _on_begin(connection: Any) -> None:
            mode = connection.get_execution_options().get(_BEGIN_OPTION, "DEFERRED")
            connection.exec_driver_sql(f"BEGIN {mode}")

        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, pool_timeout=POOL_TIMEOUT_S
    )
