"""Contract v2 of the waiting list: new request, station and register fields; capacity blocks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-07

* ``requests``: ``accepts`` (JSON list of alternative rights), ``accept_partial`` (default
  true), ``connection_kv`` (null = the station's);
* ``stations``: ``connection_kv`` (default 10), ``small_consumer_reserve_mw``, ``lat``, ``lon``
  (null = not set), ``aggregated`` (default false);
* ``register``: ``partial_offers`` (default true), ``min_offer_kw`` (default 50).

``requests.blocks`` held the windows in which a time-block right was **restricted** (contract
v1); from now on it holds the capacity blocks (full kW inside). Every stored list is replaced by
its complement over the day (quarter-hour precision), so a stored right keeps its meaning; the
downgrade turns them back. A list covering the whole day has no complement a right can hold and
stops the migration with the request's id.

The audit trail vouches for each row with a digest (``access/audit_state.py``); a changed
``blocks`` would no longer match it. When the trail has entries, the upgrade appends one entry
``schema.upgrade`` on ``schema:0003`` with the scheme-2 digest of every request, station and
reinforcement and the list of converted requests (old and new windows), hash-chained like any
entry. Everything here is self-contained (window arithmetic, digests, canonical JSON) so that
later changes to library code cannot change what this migration does.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STEPS = 96
_WINDOW = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def _mask(windows: Sequence[str]) -> list[bool]:
    """Quarter-hours of the day inside any window (a window ending before it starts wraps)."""
    inside = [False] * _STEPS
    for text in windows:
        match = _WINDOW.match(str(text))
        if match is None:
            raise RuntimeError(f"migration 0003: not a daily window 'HH:MM-HH:MM': {text!r}")
        h1, m1, h2, m2 = (int(g) for g in match.groups())
        start, end = h1 * 4 + m1 // 15, h2 * 4 + m2 // 15
        steps = range(start, end) if end > start else [*range(start, _STEPS), *range(end)]
        for step in steps:
            inside[step] = True
    return inside


def _windows(inside: list[bool]) -> list[str]:
    """The runs of True as sorted ``HH:MM-HH:MM`` windows (wrapping midnight where they do)."""

    def hhmm(step: int) -> str:
        return f"{step // 4:02d}:{step % 4 * 15:02d}"

    if all(inside):
        return ["00:00-24:00"]
    first_out = inside.index(False)
    runs: list[str] = []
    t = 0
    while t < _STEPS:
        step = (first_out + 1 + t) % _STEPS
        if inside[step]:
            begin, length = step, 0
            while t < _STEPS and inside[(first_out + 1 + t) % _STEPS]:
                length += 1
                t += 1
            end = (begin + length) % _STEPS
            runs.append(f"{hhmm(begin)}-{'24:00' if end == 0 else hhmm(end)}")
        else:
            t += 1
    return sorted(runs)


def complement(windows: Sequence[str], request_id: str) -> list[str]:
    """The daily windows outside ``windows``."""
    outside = [not x for x in _mask(windows)]
    if not any(outside):
        raise RuntimeError(
            f"migration 0003: request {request_id!r} has blocks {list(windows)!r} covering the "
            "whole day, which has no complement; edit the row and run the upgrade again"
        )
    return _windows(outside)


_requests = sa.table(
    "requests",
    sa.column("id", sa.String),
    sa.column("station_id", sa.String),
    sa.column("direction", sa.String),
    sa.column("kw", sa.Float),
    sa.column("submitted", sa.DateTime(timezone=True)),
    sa.column("category", sa.String),
    sa.column("evidence", sa.Boolean),
    sa.column("contract_signed", sa.Boolean),
    sa.column("score", sa.Float),
    sa.column("contract", sa.String),
    sa.column("small_consumer", sa.Boolean),
    sa.column("blocks", sa.JSON),
    sa.column("restricted_kw", sa.Float),
    sa.column("profile_blob", sa.String),
    sa.column("status", sa.String),
    sa.column("granted_on", sa.Date),
    sa.column("accepts", sa.JSON),
    sa.column("accept_partial", sa.Boolean),
    sa.column("connection_kv", sa.Float),
)
_stations = sa.table(
    "stations",
    sa.column("id", sa.String),
    sa.column("parent_id", sa.String),
    sa.column("offtake_mw", sa.Float),
    sa.column("load_mw", sa.Float),
    sa.column("feedin_mw", sa.Float),
    sa.column("feedin_load_mw", sa.Float),
    sa.column("connection_kv", sa.Float),
    sa.column("small_consumer_reserve_mw", sa.Float),
)
_reinforcements = sa.table(
    "reinforcements",
    sa.column("id", sa.String),
    sa.column("station_id", sa.String),
    sa.column("date", sa.Date),
    sa.column("offtake_mw", sa.Float),
    sa.column("feedin_mw", sa.Float),
)
_log = sa.table(
    "audit_log",
    sa.column("seq", sa.Integer),
    sa.column("at", sa.String),
    sa.column("actor", sa.String),
    sa.column("action", sa.String),
    sa.column("object", sa.String),
    sa.column("policy_version", sa.String),
    sa.column("inputs", sa.Text),
    sa.column("prev_hash", sa.String),
    sa.column("hash", sa.String),
)
_head = sa.table(
    "audit_head", sa.column("id", sa.Integer), sa.column("seq", sa.Integer), sa.column("hash")
)


def _iso(value: dt.datetime) -> str:
    """The instant as the service reads it back: tz-aware UTC."""
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.astimezone(dt.UTC).isoformat()


def _digest(fields: list[Any]) -> str:
    """Scheme 2 of the audit state digest (a frozen copy of ``audit_state.state_digest``)."""
    text = json.dumps(fields, separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _canonical(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _states(conn: sa.Connection) -> dict[str, dict[str, str]]:
    r = _requests.c
    requests = {
        row.id: _digest(
            [
                row.id,
                row.station_id,
                row.direction,
                row.kw,
                _iso(row.submitted),
                row.category,
                row.evidence,
                row.contract_signed,
                row.score,
                row.contract,
                row.small_consumer,
                row.blocks,
                row.restricted_kw,
                row.profile_blob,
                row.status,
                row.granted_on.isoformat() if row.granted_on else None,
                row.accepts,
                row.accept_partial,
                row.connection_kv,
            ]
        )
        for row in conn.execute(sa.select(_requests).order_by(r.id))
    }
    stations = {
        row.id: _digest(
            [
                row.id,
                row.parent_id,
                row.offtake_mw,
                row.load_mw,
                row.feedin_mw,
                row.feedin_load_mw,
                row.connection_kv,
                row.small_consumer_reserve_mw,
            ]
        )
        for row in conn.execute(sa.select(_stations))
    }
    reinforcements = {
        row.id: _digest(
            [row.id, row.station_id, row.date.isoformat(), row.offtake_mw, row.feedin_mw]
        )
        for row in conn.execute(sa.select(_reinforcements))
    }
    return {"request": requests, "station": stations, "reinforcement": reinforcements}


def _record(conn: sa.Connection, converted: list[dict[str, Any]]) -> None:
    """Append ``schema.upgrade`` to a trail that has entries (see the module docstring)."""
    head = conn.execute(sa.select(_head.c.seq, _head.c.hash).where(_head.c.id == 1)).first()
    if head is None or head.seq < 1:
        return  # no trail yet: nothing vouches for the rows, nothing to keep in step
    seq = head.seq + 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    inputs = _canonical(
        {
            "revision": revision,
            "blocks_to_capacity_blocks": converted,
            "state": _states(conn),
            "state_scheme": 2,
        }
    )
    actor, action, obj, policy = "migration 0003", "schema.upgrade", "schema:0003", "none"
    text = _canonical(
        {
            "seq": seq,
            "at": at,
            "actor": actor,
            "action": action,
            "object": obj,
            "policy_version": policy,
            "inputs": inputs,
        }
    )
    digest = hashlib.sha256((head.hash + text).encode("utf-8")).hexdigest()
    conn.execute(
        _log.insert().values(
            seq=seq,
            at=at,
            actor=actor,
            action=action,
            object=obj,
            policy_version=policy,
            inputs=inputs,
            prev_hash=head.hash,
            hash=digest,
        )
    )
    conn.execute(_head.update().where(_head.c.id == 1).values(seq=seq, hash=digest))


def _convert_blocks(conn: sa.Connection) -> list[dict[str, Any]]:
    r = _requests.c
    converted: list[dict[str, Any]] = []
    rows = conn.execute(sa.select(r.id, r.blocks).where(r.blocks.is_not(None)).order_by(r.id))
    for row in rows.all():
        if row.blocks is None:  # JSON null
            continue
        new = complement(row.blocks, row.id)
        converted.append({"request": row.id, "restricted": list(row.blocks), "capacity": new})
        conn.execute(_requests.update().where(r.id == row.id).values(blocks=new))
    return converted


def upgrade() -> None:
    # plain ALTER TABLE (no batch copy): SQLite adds and drops columns in place, and a copy of
    # a table other tables point at fails under foreign keys
    op.add_column("requests", sa.Column("accepts", sa.JSON(), nullable=True))
    op.add_column(
        "requests",
        sa.Column("accept_partial", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column("requests", sa.Column("connection_kv", sa.Float(), nullable=True))
    op.add_column(
        "stations", sa.Column("connection_kv", sa.Float(), server_default="10", nullable=False)
    )
    op.add_column("stations", sa.Column("small_consumer_reserve_mw", sa.Float(), nullable=True))
    op.add_column("stations", sa.Column("lat", sa.Float(), nullable=True))
    op.add_column("stations", sa.Column("lon", sa.Float(), nullable=True))
    op.add_column(
        "stations",
        sa.Column("aggregated", sa.Boolean(), server_default=sa.false(), nullable=False),
    )
    op.add_column(
        "register",
        sa.Column("partial_offers", sa.Boolean(), server_default=sa.true(), nullable=False),
    )
    op.add_column(
        "register", sa.Column("min_offer_kw", sa.Float(), server_default="50", nullable=False)
    )
    conn = op.get_bind()
    converted = _convert_blocks(conn)
    _record(conn, converted)


def downgrade() -> None:
    conn = op.get_bind()
    _convert_blocks(conn)  # the complement of the complement: restricted windows again
    for table, column in (
        ("register", "min_offer_kw"),
        ("register", "partial_offers"),
        ("stations", "aggregated"),
        ("stations", "lon"),
        ("stations", "lat"),
        ("stations", "small_consumer_reserve_mw"),
        ("stations", "connection_kv"),
        ("requests", "connection_kv"),
        ("requests", "accept_partial"),
        ("requests", "accepts"),
    ):
        op.drop_column(table, column)
