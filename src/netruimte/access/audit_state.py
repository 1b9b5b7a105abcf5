"""The state the audit trail vouches for: a digest of every request, station and reinforcement.

Every audit entry about one object (``request:R1``, ``station:ALM``, ``reinforcement:X``)
carries, in its inputs, ``state``: a digest of the object's decision-relevant fields right
after the decision (``"deleted"`` when it is gone). A scenario import carries the digests of
every object it created. :func:`reconcile` compares the tables as they are with the last
digest the trail holds for each object, so an edit made behind the service's back (a grant
set by hand in the database, a station's capacity changed, a row inserted or deleted) shows
up in ``audit verify`` even though the chain itself is intact. Entries written before this
existed carry no digest; their objects are reported as not covered, not as broken.

The digest covers what decides allocations: for a request its station, direction, kW,
submission, priority fields, contract, profile, status and grant date (not the owner, whom
``users remove`` may clear, nor the free-text applicant name); for a station its parent and
MW figures; for a reinforcement its station, date and MW.

Digests are versioned (``SCHEME``): an entry written with scheme 2 says so in its inputs
(``state_scheme``); an entry without it used scheme 1, the fields before migration 0003.
Scheme 2 adds the request's ``accepts``, ``accept_partial`` and ``connection_kv`` and the
station's ``connection_kv`` and ``small_consumer_reserve_mw`` (coordinates and ``aggregated``
decide nothing). Each row is compared under the scheme of the entry that last vouched for it,
so adding columns never breaks old entries. Migration 0003 also changed a stored value (v1
restricted ``blocks`` became capacity blocks); it appends an entry of its own
(``schema.upgrade`` on ``schema:0003``) with the scheme-2 digest of every row it converted or
could vouch for, so a migrated register still verifies and the trail says what changed.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from netruimte.storage.tables import Reinforcement, Request, Station

__all__ = ["DELETED", "SCHEME", "all_states", "object_state", "reconcile", "state_digest"]

DELETED = "deleted"
SCHEME = 2
"""The digest scheme of new entries (1: before migration 0003)."""
_KINDS: dict[str, Any] = {"request": Request, "station": Station, "reinforcement": Reinforcement}


def _fields(row: Any, scheme: int) -> list[Any]:
    # a copy of scheme 2 lives in migration 0003 (migrations do not import library code):
    # change neither; add a scheme 3 instead
    if isinstance(row, Request):
        # scheme 2 writes the instant in UTC, as it reads back (a new row may hold its offset)
        submitted = row.submitted if scheme == 1 else row.submitted.astimezone(dt.UTC)
        out = [
            row.id, row.station_id, row.direction, row.kw, submitted.isoformat(),
            row.category, row.evidence, row.contract_signed, row.score, row.contract,
            row.small_consumer, row.blocks, row.restricted_kw, row.profile_blob, row.status,
            row.granted_on.isoformat() if row.granted_on else None,
        ]  # fmt: skip
        if scheme >= 2:
            out += [row.accepts, row.accept_partial, row.connection_kv]
        return out
    if isinstance(row, Station):
        out = [
            row.id, row.parent_id, row.offtake_mw, row.load_mw, row.feedin_mw,
            row.feedin_load_mw,
        ]  # fmt: skip
        if scheme >= 2:
            out += [row.connection_kv, row.small_consumer_reserve_mw]
        return out
    if isinstance(row, Reinforcement):
        return [row.id, row.station_id, row.date.isoformat(), row.offtake_mw, row.feedin_mw]
    raise TypeError(f"no audited state for {type(row).__name__}")


def state_digest(row: Any, scheme: int = SCHEME) -> str:
    """16 hex characters of the SHA-256 of the row's decision-relevant fields (``scheme``)."""
    if scheme not in (1, 2):
        raise ValueError(f"unknown audit state scheme {scheme!r}")
    text = json.dumps(_fields(row, scheme), separators=(",", ":"), default=str)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def object_state(session: Session, obj: str) -> str | None:
    """The digest of ``kind:id`` now (``"deleted"`` when it is gone), None for other objects."""
    kind, _, key = obj.partition(":")
    table = _KINDS.get(kind)
    if table is None or not key:
        return None
    session.flush()
    row = session.get(table, key)
    return DELETED if row is None else state_digest(row)


def all_states(session: Session) -> dict[str, dict[str, str]]:
    """Digests of every request, station and reinforcement, per kind."""
    session.flush()
    return {
        kind: {row.id: state_digest(row) for row in session.scalars(select(table))}
        for kind, table in _KINDS.items()
    }


def reconcile(
    session: Session,
    expected: Mapping[str, tuple[str, int, int]],
    since_import: Iterable[str],
    unknown: set[str],
) -> tuple[str | None, int, int]:
    """Compare the tables with the trail's last digest of each object.

    ``expected`` maps ``kind:id`` to ``(digest, seq of the entry, its scheme)``;
    ``since_import`` names the kinds whose every row the trail covers (an import with
    digests recorded them all), so a row the trail never saw is an insertion behind its
    back. ``unknown`` holds the objects whose last entry carries no digest (written before
    digests existed). Returns the first problem (or None), how many objects were checked,
    and how many rows the trail does not cover.
    """
    covered = set(since_import)
    checked = uncovered = 0
    session.flush()
    rows_of = {kind: {r.id: r for r in session.scalars(select(t))} for kind, t in _KINDS.items()}
    now = {kind: sorted(rows) for kind, rows in rows_of.items()}
    for kind, keys in now.items():
        for key in keys:
            want = expected.get(f"{kind}:{key}")
            if want is None:
                if kind in covered and f"{kind}:{key}" not in unknown:
                    return (
                        f"{kind} {key!r} is in the database but not in the audit trail "
                        "(inserted behind the service's back)",
                        checked,
                        uncovered,
                    )
                uncovered += 1
                continue
            checked += 1
            if want[0] != state_digest(rows_of[kind][key], want[2]):
                how = "as deleted" if want[0] == DELETED else "otherwise"
                return (
                    f"{kind} {key!r} differs from the audit trail (entry {want[1]} recorded it "
                    f"{how}): changed behind the service's back",
                    checked,
                    uncovered,
                )
    for obj, (digest, seq, _scheme) in sorted(expected.items()):
        kind, _, key = obj.partition(":")
        if digest != DELETED and key not in rows_of.get(kind, {}):
            return (
                f"{kind} {key!r} is missing from the database, but entry {seq} of the audit "
                "trail recorded it (deleted behind the service's back)",
                checked,
                uncovered,
            )
    return None, checked, uncovered
