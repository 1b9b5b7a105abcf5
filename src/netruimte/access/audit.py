"""The audit trail: every decision appended, hash-chained, verifiable.

An entry is ``(seq, at, actor, action, object, policy_version, inputs, prev_hash, hash)``.
``inputs`` is canonical JSON (sorted keys, no spaces, UTF-8); the entry's canonical text is
the JSON object of its first seven fields, and

    hash = sha256(prev_hash + canonical text)

with ``prev_hash`` the previous entry's hash (64 zeros before the first). A single-row head
holds the last ``seq`` and ``hash``; an append locks it (the last lock of any transaction, see
:mod:`netruimte.storage.database`) and is written in the same transaction as the decision it
records, so there is never a decision without its entry or an entry without its decision.

:func:`verify` recomputes the chain: an edited entry no longer matches its hash, an entry whose
hash was recomputed breaks the next entry's ``prev_hash``, a deleted entry leaves a gap in
``seq``, and a deleted tail disagrees with the head. It reports the first broken ``seq``.
It then reconciles the tables with the trail: every entry about a request, station or
reinforcement carries a digest of the object after the decision (:mod:`.audit_state`), and
the rows as they are must match the last digest of each.
Anyone with write access to the database can still rewrite the whole chain and the head; to
guard against that, publish the head hash (``netruimte audit verify`` prints it) elsewhere.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import math
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from typing import Any

import numpy as np
from sqlalchemy import select
from sqlalchemy.orm import Session

from netruimte import __version__
from netruimte.access.audit_state import SCHEME, all_states, object_state, reconcile
from netruimte.access.auth import Principal
from netruimte.storage import Database
from netruimte.storage.tables import AuditEntry, AuditHead

__all__ = [
    "GENESIS_HASH",
    "AuditVerification",
    "append",
    "canonical_json",
    "entry_hash",
    "list_entries",
    "policy_version",
    "verify",
]

GENESIS_HASH = "0" * 64
_BATCH = 2000


def _plain(value: Any) -> Any:
    """JSON-ready copy: dates as ISO text, enums as values, numpy scalars as Python numbers."""
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    if isinstance(value, set | frozenset):
        return sorted(_plain(v) for v in value)
    if isinstance(value, Enum):
        return _plain(value.value)
    if isinstance(value, dt.datetime | dt.date):
        return value.isoformat()
    if isinstance(value, np.generic):
        return _plain(value.item())
    if isinstance(value, float) and not math.isfinite(value):
        return None if math.isnan(value) else ("inf" if value > 0 else "-inf")
    if value is None or isinstance(value, str | int | float | bool):
        return value
    raise TypeError(f"cannot put {type(value).__name__} into an audit entry")


def canonical_json(value: Any) -> str:
    """Canonical JSON text: sorted keys, no whitespace, UTF-8, no NaN."""
    return json.dumps(
        _plain(value), sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


# the columns of an entry its hash covers (all but prev_hash and hash themselves)
_HASHED = ("seq", "at", "actor", "action", "object", "policy_version", "inputs")


def _entry_text(entry: AuditEntry) -> str:
    """The canonical text of an entry's hashed columns (see :func:`entry_hash`)."""
    return canonical_json({name: getattr(entry, name) for name in _HASHED})


def entry_hash(prev_hash: str, canonical_entry: str) -> str:
    """``sha256(prev_hash + canonical entry)`` as hex."""
    return hashlib.sha256((prev_hash + canonical_entry).encode("utf-8")).hexdigest()


def policy_version(policy: str | None = None, on: dt.date | None = None) -> str:
    """The policy and code version a decision was taken under, e.g. ``acm-2026/netruimte-0.1.0``.

    ``in-force`` is resolved to the rule in force on ``on``; no policy gives ``none``.
    """
    from netruimte.waitlist.rules import rule_in_force

    name = policy or "none"
    if name == "in-force" and on is not None:
        name = f"in-force:{rule_in_force(on).name}"
    return f"{name}/netruimte-{__version__}"


def append(
    db: Database,
    session: Session,
    *,
    actor: Principal | str,
    action: str,
    obj: str,
    inputs: Mapping[str, Any],
    policy: str | None = None,
) -> AuditEntry:
    """Append an entry inside the caller's write transaction (locks the head).

    Parameters
    ----------
    actor
        Who decided (a principal or a name).
    action
        What kind of decision, e.g. ``request.grant``, ``run.ranking``, ``priority.claim``.
    obj
        What it is about, e.g. ``request:R-001``.
    inputs
        What the decision was based on (JSON-able; dates become ISO text).
    policy
        The policy version string (see :func:`policy_version`); default ``none/…``.
    """
    state = object_state(session, obj) if action != "scenario.import" else None
    if state is not None:  # what the trail vouches for (see audit_state)
        inputs = {**inputs, "state": state, "state_scheme": SCHEME}
    elif action == "scenario.import":
        inputs = {**inputs, "state": all_states(session), "state_scheme": SCHEME}
    head = db.lock_audit_head(session)
    seq = head.seq + 1
    at = dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")
    actor_name = actor.name if isinstance(actor, Principal) else str(actor)
    version = policy if policy is not None else policy_version(None)
    entry = AuditEntry(
        seq=seq,
        at=at,
        actor=actor_name,
        action=action,
        object=obj,
        policy_version=version,
        inputs=canonical_json(inputs),
        prev_hash=head.hash,
    )
    entry.hash = entry_hash(head.hash, _entry_text(entry))
    session.add(entry)
    head.seq = seq
    head.hash = entry.hash
    session.flush()
    return entry


@dataclass(frozen=True, slots=True)
class AuditVerification:
    """The outcome of :func:`verify`."""

    ok: bool
    entries: int
    head_seq: int
    head_hash: str
    first_bad_seq: int | None
    problem: str | None
    objects_checked: int = 0
    objects_not_covered: int = 0

    def to_json_dict(self) -> dict[str, Any]:
        """Plain dict for JSON output: the fields in their order (all plain values)."""
        return dataclasses.asdict(self)


def verify(db: Database) -> AuditVerification:
    """Recompute the whole chain and report the first broken entry (if any)."""
    with db.read() as session:
        head = session.get(AuditHead, 1)
        head_seq = head.seq if head is not None else -1
        head_hash = head.hash if head is not None else ""

        def broken(seq: int, count: int, problem: str) -> AuditVerification:
            return AuditVerification(False, count, head_seq, head_hash, seq, problem)

        if head is None:
            return broken(0, 0, "the audit head row is missing")
        expected_seq = 1
        prev = GENESIS_HASH
        count = 0
        last_seq = 0
        # kind:id -> last digest, its entry and its digest scheme
        expected: dict[str, tuple[str, int, int]] = {}
        covered: set[str] = set()  # kinds whose every row the trail has seen
        unknown: set[str] = set()  # objects last touched by an entry without a digest
        while True:
            rows = session.scalars(
                select(AuditEntry)
                .where(AuditEntry.seq >= expected_seq)
                .order_by(AuditEntry.seq)
                .limit(_BATCH)
            ).all()
            if not rows:
                break
            for e in rows:
                if e.seq != expected_seq:
                    return broken(
                        expected_seq,
                        count,
                        f"entry {expected_seq} is missing (deleted): the next entry is {e.seq}",
                    )
                if e.prev_hash != prev:
                    return broken(
                        e.seq,
                        count,
                        f"entry {e.seq}: prev_hash does not match the hash of entry {e.seq - 1} "
                        "(an earlier entry was edited or replaced)",
                    )
                try:
                    canonical_inputs = canonical_json(json.loads(e.inputs))
                except (ValueError, TypeError):
                    canonical_inputs = None
                if canonical_inputs != e.inputs:
                    return broken(e.seq, count, f"entry {e.seq}: inputs are not canonical JSON")
                if entry_hash(prev, _entry_text(e)) != e.hash:
                    return broken(
                        e.seq, count, f"entry {e.seq} was edited: its hash does not match"
                    )
                _expect(e, json.loads(e.inputs), expected, covered, unknown)
                prev = e.hash
                last_seq = e.seq
                expected_seq += 1
                count += 1
        if last_seq != head_seq:
            if last_seq < head_seq:
                problem = (
                    f"entries {last_seq + 1}..{head_seq} are missing (deleted): the head says "
                    f"the chain ends at {head_seq}"
                )
            else:
                problem = f"the head says the chain ends at {head_seq}, but entry {last_seq} exists"
            return broken(min(last_seq, head_seq) + 1, count, problem)
        if prev != head_hash:
            return broken(last_seq, count, f"entry {last_seq} does not match the head's hash")
        mismatch, checked, uncovered = reconcile(session, expected, covered, unknown)
        return AuditVerification(
            mismatch is None,
            count,
            head_seq,
            head_hash,
            None,
            mismatch,
            objects_checked=checked,
            objects_not_covered=uncovered,
        )


def _expect(
    entry: AuditEntry,
    inputs: Any,
    expected: dict[str, tuple[str, int, int]],
    covered: set[str],
    unknown: set[str],
) -> None:
    """Fold one entry into what the trail says the tables hold (see :mod:`.audit_state`)."""
    state = inputs.get("state") if isinstance(inputs, dict) else None
    scheme = inputs.get("state_scheme", 1) if isinstance(inputs, dict) else 1
    if entry.action == "scenario.import":
        expected.clear()
        unknown.clear()
        covered.clear()
        if isinstance(state, dict):
            for kind, rows in state.items():
                covered.add(kind)
                expected.update(
                    {f"{kind}:{key}": (d, entry.seq, scheme) for key, d in rows.items()}
                )
        return
    if entry.action == "schema.upgrade":  # a migration vouches for the rows it may change
        if isinstance(state, dict):
            for kind, rows in state.items():
                for key, d in rows.items():
                    expected[f"{kind}:{key}"] = (d, entry.seq, scheme)
                    unknown.discard(f"{kind}:{key}")
        return
    kind = entry.object.partition(":")[0]
    if kind not in ("request", "station", "reinforcement"):
        return
    if isinstance(state, str):
        expected[entry.object] = (state, entry.seq, scheme)
        unknown.discard(entry.object)
    else:
        expected.pop(entry.object, None)
        unknown.add(entry.object)


def list_entries(db: Database, *, after_seq: int = 0, limit: int = 100) -> list[dict[str, Any]]:
    """Entries with ``seq > after_seq`` (oldest first), as plain dicts."""
    with db.read() as session:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > after_seq)
            .order_by(AuditEntry.seq)
            .limit(max(1, min(limit, 1000)))
        ).all()
        return [
            {
                "seq": e.seq,
                "at": e.at,
                "actor": e.actor,
                "action": e.action,
                "object": e.object,
                "policy_version": e.policy_version,
                "inputs": json.loads(e.inputs),
                "prev_hash": e.prev_hash,
                "hash": e.hash,
            }
            for e in rows
        ]
