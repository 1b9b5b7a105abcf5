"""The tables of the service (SQLAlchemy 2 declarative models).

One database holds one *register*: the grid (stations, reinforcements), the waiting list
(requests, priority claims), allocation runs and their results, site plans, background jobs,
users and the hash-chained audit trail. The data model is described in ``docs/service.md``;
the schema itself is created by the Alembic migrations in ``storage/migrations``.

Types that must behave the same on SQLite and PostgreSQL:

* instants are stored in UTC and always come back tz-aware (:class:`AwareDateTime`);
* profiles (one value per quarter-hour of the representative year) are float64 arrays stored
  as little-endian bytes (:class:`FloatArray`);
* audit times are ISO 8601 text, so the hashed text never depends on a driver's rounding.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    JSON,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
    TypeDecorator,
    false,
    true,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

__all__ = [
    "AuditEntry",
    "AuditHead",
    "AwareDateTime",
    "Base",
    "Blob",
    "FloatArray",
    "Job",
    "PriorityClaim",
    "Register",
    "Reinforcement",
    "Request",
    "RequestVisit",
    "Run",
    "RunRequest",
    "RunStation",
    "SitePlan",
    "SitePlanFile",
    "Station",
    "User",
    "WebSession",
]

ID_LENGTH = 100
"""Longest station, reinforcement or request id."""


class AwareDateTime(TypeDecorator[dt.datetime]):
    """A tz-aware instant, stored as UTC (naive on SQLite, ``timestamptz`` on PostgreSQL)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: dt.datetime | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored; give a tz-aware instant")
        utc = value.astimezone(dt.UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> dt.datetime | None:
        if value is None:
            return None
        if not isinstance(value, dt.datetime):
            value = dt.datetime.fromisoformat(str(value))
        out: dt.datetime = value
        if out.tzinfo is None:
            return out.replace(tzinfo=dt.UTC)
        return out.astimezone(dt.UTC)


class FloatArray(TypeDecorator[npt.NDArray[np.float64]]):
    """A 1-D float64 array stored as little-endian bytes."""

    impl = LargeBinary
    cache_ok = True

    def process_bind_param(self, value: npt.NDArray[np.float64] | None, dialect: Dialect) -> Any:
        if value is None:
            return None
        return np.ascontiguousarray(value, dtype="<f8").tobytes()

    def process_result_value(self, value: Any, dialect: Dialect) -> npt.NDArray[np.float64] | None:
        if value is None:
            return None
        arr = np.frombuffer(bytes(value), dtype="<f8").astype(np.float64)
        arr.setflags(write=False)
        return arr


NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with a naming convention (stable constraint names for migrations)."""

    metadata = MetaData(naming_convention=NAMING)


class User(Base):
    """An operator or an applicant; the API token is stored only as its SHA-256 hex digest."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    role: Mapped[str] = mapped_column(String(20))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    token_expires_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class WebSession(Base):
    """A browser's sign-in: the cookie holds a random session id, the table its SHA-256.

    A session ends at sign-out (the row is deleted), after ``idle`` without a request
    (``last_seen_at``), at ``expires_at`` whatever happens, and with its user's token
    (rotated, revoked) or the user.
    """

    __tablename__ = "web_sessions"

    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    last_seen_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    expires_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class Register(Base):
    """The register's scenario settings (one row, ``id = 1``)."""

    __tablename__ = "register"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    policy: Mapped[str] = mapped_column(String(20))
    fit: Mapped[str] = mapped_column(String(20))
    capacity: Mapped[str | None] = mapped_column(String(20))
    timezone: Mapped[str] = mapped_column(String(64))
    withdraw_per_year: Mapped[float] = mapped_column(Float)
    nonfirm_min_share: Mapped[float] = mapped_column(Float)
    tdtr_max_restricted_share: Mapped[float] = mapped_column(Float)
    reservation_lead_months: Mapped[int] = mapped_column(Integer)
    runs: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int | None] = mapped_column(Integer)
    use_it_or_lose_it: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    partial_offers: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    min_offer_kw: Mapped[float] = mapped_column(Float, default=50.0, server_default="50")
    source: Mapped[str | None] = mapped_column(String(500))
    imported_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class Blob(Base):
    """A file kept byte for byte (profile CSVs, site files), addressed by its SHA-256."""

    __tablename__ = "blobs"

    sha256: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    content: Mapped[bytes] = mapped_column(LargeBinary)


class Station(Base):
    """A node of the grid (see :class:`netruimte.grid.Station`)."""

    __tablename__ = "stations"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300), default="")
    parent_id: Mapped[str | None] = mapped_column(
        String(ID_LENGTH), ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    offtake_mw: Mapped[float] = mapped_column(Float)
    load_mw: Mapped[float] = mapped_column(Float)
    feedin_mw: Mapped[float | None] = mapped_column(Float)
    feedin_load_mw: Mapped[float] = mapped_column(Float)
    voltage_kv: Mapped[float | None] = mapped_column(Float)
    load_csv: Mapped[str | None] = mapped_column(String(300))
    load_blob: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    load_profile_mw: Mapped[npt.NDArray[np.float64] | None] = mapped_column(FloatArray())
    feedin_load_csv: Mapped[str | None] = mapped_column(String(300))
    feedin_load_blob: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    feedin_load_profile_mw: Mapped[npt.NDArray[np.float64] | None] = mapped_column(FloatArray())
    connection_kv: Mapped[float] = mapped_column(Float, default=10.0, server_default="10")
    small_consumer_reserve_mw: Mapped[float | None] = mapped_column(Float)
    lat: Mapped[float | None] = mapped_column(Float)
    lon: Mapped[float | None] = mapped_column(Float)
    aggregated: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class Reinforcement(Base):
    """Capacity added at a station from a date on."""

    __tablename__ = "reinforcements"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    station_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    date: Mapped[dt.date] = mapped_column(Date)
    offtake_mw: Mapped[float] = mapped_column(Float, default=0.0)
    feedin_mw: Mapped[float] = mapped_column(Float, default=0.0)
    delay: Mapped[dict[str, Any] | None] = mapped_column(JSON)


class Request(Base):
    """A connection request: the scenario's request fields plus its live status."""

    __tablename__ = "requests"

    id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    applicant: Mapped[str] = mapped_column(String(300), default="")
    station_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("stations.id", ondelete="RESTRICT"), index=True
    )
    direction: Mapped[str] = mapped_column(String(20))
    kw: Mapped[float] = mapped_column(Float)
    submitted: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    category: Mapped[str] = mapped_column(String(40))
    function: Mapped[str | None] = mapped_column(String(60))
    evidence: Mapped[bool] = mapped_column(Boolean, default=False)
    contract: Mapped[str] = mapped_column(String(20))
    small_consumer: Mapped[bool] = mapped_column(Boolean, default=False)
    contract_signed: Mapped[bool] = mapped_column(Boolean, default=False)
    score: Mapped[float | None] = mapped_column(Float)
    profile_csv: Mapped[str | None] = mapped_column(String(300))
    profile_blob: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    profile_kw: Mapped[npt.NDArray[np.float64] | None] = mapped_column(FloatArray())
    ean: Mapped[str | None] = mapped_column(String(18))
    needed: Mapped[dt.date | None] = mapped_column(Date)
    blocks: Mapped[list[str] | None] = mapped_column(JSON)
    """The capacity blocks of a time-block right (full kW inside; restricted windows before
    migration 0003)."""
    restricted_kw: Mapped[float] = mapped_column(Float, default=0.0)
    accepts: Mapped[list[dict[str, Any]] | None] = mapped_column(JSON)
    accept_partial: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    connection_kv: Mapped[float | None] = mapped_column(Float)
    used_kw: Mapped[float | None] = mapped_column(Float)
    withdraw_per_year: Mapped[float | None] = mapped_column(Float)
    withdrawn: Mapped[dt.date | None] = mapped_column(Date)
    status: Mapped[str] = mapped_column(String(20), index=True)
    granted_on: Mapped[dt.date | None] = mapped_column(Date)
    granted_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    withdrawn_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    site_plan_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("site_plans.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    updated_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    offer_status: Mapped[str | None] = mapped_column(String(20))
    """A granted part that is an offer: offered | accepted | declined | withdrawn (0004)."""


class RequestVisit(Base):
    """When a user last opened a request's page (the page shows what changed since)."""

    __tablename__ = "request_visits"

    user_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("requests.id", ondelete="CASCADE"), primary_key=True
    )
    seen_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())


class PriorityClaim(Base):
    """An applicant's claim to a priority category, and the operator's decision on it."""

    __tablename__ = "priority_claims"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(
        String(ID_LENGTH), ForeignKey("requests.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(40))
    function: Mapped[str | None] = mapped_column(String(60))
    evidence: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20))
    claimed_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    claimed_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    decided_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    decided_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    score: Mapped[float | None] = mapped_column(Float)


class Job(Base):
    """Long work off the request path (site plans, forecasts, Monte Carlo runs).

    ``status``: queued → running → done | failed. ``worker`` names the process that runs it
    (``host:pid:uuid``) and ``heartbeat_at`` proves it is alive; a job whose worker died is
    queued again.
    """

    __tablename__ = "jobs"
    __table_args__ = (Index("ix_jobs_status_id", "status", "id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(30))
    target_id: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20))
    progress: Mapped[float] = mapped_column(Float, default=0.0)
    message: Mapped[str] = mapped_column(Text, default="")
    error: Mapped[str | None] = mapped_column(Text)
    owner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    worker: Mapped[str | None] = mapped_column(String(200))
    heartbeat_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    started_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())


class Run(Base):
    """An allocation run: a forecast, a Monte Carlo forecast, or an allocation moment."""

    __tablename__ = "runs"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20))
    policy: Mapped[str] = mapped_column(String(20))
    fit: Mapped[str] = mapped_column(String(20))
    compare: Mapped[str | None] = mapped_column(String(20))
    runs: Mapped[int] = mapped_column(Integer, default=1)
    seed: Mapped[int | None] = mapped_column(Integer)
    start: Mapped[dt.date] = mapped_column(Date)
    end: Mapped[dt.date] = mapped_column(Date)
    created_by: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    job_id: Mapped[int | None] = mapped_column(Integer)
    result_json: Mapped[str | None] = mapped_column(Text)
    granted_count: Mapped[int | None] = mapped_column(Integer)
    error: Mapped[str | None] = mapped_column(Text)


class RunRequest(Base):
    """One request's outcome in a run (owner copied so results stay private after changes)."""

    __tablename__ = "run_requests"

    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    request_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    owner_id: Mapped[int | None] = mapped_column(Integer, index=True)
    station_id: Mapped[str] = mapped_column(String(ID_LENGTH))
    category: Mapped[str] = mapped_column(String(40))
    status: Mapped[str] = mapped_column(String(20))
    rank: Mapped[int | None] = mapped_column(Integer)
    rank_of: Mapped[int | None] = mapped_column(Integer)
    granted_on: Mapped[dt.date | None] = mapped_column(Date)
    granted_p10: Mapped[dt.date | None] = mapped_column(Date)
    granted_p50: Mapped[dt.date | None] = mapped_column(Date)
    granted_p90: Mapped[dt.date | None] = mapped_column(Date)
    explanation: Mapped[str] = mapped_column(Text)
    detail: Mapped[str] = mapped_column(Text)


class RunStation(Base):
    """A station at the end of a run's horizon (MW over its subtree)."""

    __tablename__ = "run_stations"

    run_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    station_id: Mapped[str] = mapped_column(String(ID_LENGTH), primary_key=True)
    position: Mapped[int] = mapped_column(Integer)
    offtake_mw: Mapped[float] = mapped_column(Float)
    allocated_mw: Mapped[float] = mapped_column(Float)
    waiting_mw: Mapped[float] = mapped_column(Float)
    alleviation_year: Mapped[int | None] = mapped_column(Integer)
    alleviation_feedin_year: Mapped[int | None] = mapped_column(Integer)


class SitePlan(Base):
    """A site plan: the uploaded site file and profiles, then the plan and its report."""

    __tablename__ = "site_plans"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    owner_id: Mapped[int | None] = mapped_column(
        Integer, ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(300))
    status: Mapped[str] = mapped_column(String(20))
    site_toml: Mapped[str] = mapped_column(Text)
    job_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[dt.datetime] = mapped_column(AwareDateTime())
    finished_at: Mapped[dt.datetime | None] = mapped_column(AwareDateTime())
    plan_json: Mapped[str | None] = mapped_column(Text)
    report_html: Mapped[str | None] = mapped_column(Text)
    report_html_nl: Mapped[str | None] = mapped_column(Text)
    """The report in Dutch (0005); null for plans made before."""
    import_csv_blob: Mapped[str | None] = mapped_column(String(64), ForeignKey("blobs.sha256"))
    annex_json: Mapped[str | None] = mapped_column(Text)
    error: Mapped[str | None] = mapped_column(Text)


class SitePlanFile(Base):
    """A file uploaded with a site plan, under the name the site file refers to."""

    __tablename__ = "site_plan_files"

    plan_id: Mapped[int] = mapped_column(
        Integer, ForeignKey("site_plans.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(300), primary_key=True)
    blob: Mapped[str] = mapped_column(String(64), ForeignKey("blobs.sha256"))


class AuditEntry(Base):
    """One decision in the hash-chained audit trail (see :mod:`netruimte.access.audit`)."""

    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    at: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(60))
    object: Mapped[str] = mapped_column(String(200))
    policy_version: Mapped[str] = mapped_column(String(60))
    inputs: Mapped[str] = mapped_column(Text)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))


class AuditHead(Base):
    """The chain's last sequence number and hash (one row; locked by every append)."""

    __tablename__ = "audit_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    seq: Mapped[int] = mapped_column(Integer)
    hash: Mapped[str] = mapped_column(String(64))
