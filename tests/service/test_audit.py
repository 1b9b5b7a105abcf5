"""The audit trail: appended with every decision, hash-chained, and any tampering found."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

import pytest
from sqlalchemy import delete, text, update
from typer.testing import CliRunner

from netruimte.access import audit
from netruimte.access.audit import GENESIS_HASH, canonical_json, entry_hash
from netruimte.access.auth import SYSTEM
from netruimte.cli import app as cli_app
from netruimte.register import claims, requests, runs
from netruimte.storage import Database
from netruimte.storage.tables import AuditEntry, Reinforcement, Request, Station
from tests.service.conftest import Users


@pytest.fixture
def busy(tiny: Database, users: Users) -> Database:
    """A register with every kind of decision in its trail."""
    db = tiny
    made = requests.create_request(db, users.alice, {"station": "B", "kw": 40})
    claim = claims.claim_priority(
        db, users.alice, made["id"], "safety", "police station permit 2026", function="police"
    )
    claims.decide_claim(db, users.operator, claim["id"], True, "checked")
    runs.allocate(db, users.operator, on=dt.date(2026, 1, 1))
    requests.withdraw_request(db, users.alice, made["id"], "no longer needed")
    return db


def _set(db: Database, seq: int, **values: object) -> None:
    with db.engine.begin() as conn:
        conn.execute(update(AuditEntry).where(AuditEntry.seq == seq).values(**values))


def test_every_decision_is_in_the_chain(busy: Database) -> None:
    entries = audit.list_entries(busy, limit=1000)
    actions = [e["action"] for e in entries]
    expected = (
        "scenario.import",
        "user.add",
        "request.create",
        "priority.claim",
        "priority.decision",
        "run.ranking",
        "request.grant",
        "request.withdraw",
    )
    for action in expected:
        assert action in actions
    assert [e["seq"] for e in entries] == list(range(1, len(entries) + 1))
    prev = GENESIS_HASH
    for e in entries:  # recompute by hand from the documented formula
        text = canonical_json(
            {k: e[k] for k in ("seq", "at", "actor", "action", "object", "policy_version")}
            | {"inputs": canonical_json(e["inputs"])}
        )
        assert e["prev_hash"] == prev and e["hash"] == entry_hash(prev, text)
        prev = e["hash"]
    grant = next(e for e in entries if e["action"] == "request.grant")
    assert grant["actor"] == "op" and grant["policy_version"].startswith("acm-2026/netruimte-")
    assert set(grant["inputs"]) >= {"on", "kw", "direction", "path", "room_before_mw", "run"}
    decision = next(e for e in entries if e["action"] == "priority.decision")
    assert decision["inputs"]["accepted"] is True and decision["inputs"]["category"] == "safety"
    result = audit.verify(busy)
    assert result.ok and result.entries == len(entries) and result.head_hash == prev


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("actor", "mallory"),
        ("action", "request.withdraw"),
        ("object", "request:R9"),
        ("policy_version", "fcfs/netruimte-0.0.0"),
        ("inputs", '{"kw":1}'),
        ("at", "2020-01-01T00:00:00.000000+00:00"),
    ],
)
def test_an_edited_entry_is_found(busy: Database, field: str, value: str) -> None:
    _set(busy, 4, **{field: value})
    result = audit.verify(busy)
    assert not result.ok and result.first_bad_seq == 4
    assert "entry 4 was edited" in (result.problem or "")


def test_an_edit_with_a_recomputed_hash_breaks_the_next_link(busy: Database) -> None:
    entries = audit.list_entries(busy, limit=1000)
    e = entries[3]
    text = canonical_json(
        {k: e[k] for k in ("seq", "at", "actor", "action", "object", "policy_version")}
        | {"inputs": canonical_json({"forged": True})}
    )
    _set(busy, 4, inputs=canonical_json({"forged": True}), hash=entry_hash(e["prev_hash"], text))
    result = audit.verify(busy)
    assert not result.ok and result.first_bad_seq == 5 and "prev_hash" in (result.problem or "")


def test_deleted_entries_are_found(busy: Database) -> None:
    last = audit.verify(busy).head_seq
    with busy.engine.begin() as conn:
        conn.execute(delete(AuditEntry).where(AuditEntry.seq == 3))
    result = audit.verify(busy)
    assert (result.ok, result.first_bad_seq) == (False, 3) and "missing" in (result.problem or "")
    with busy.engine.begin() as conn:  # delete the tail instead (entry 3 stays deleted too)
        conn.execute(delete(AuditEntry).where(AuditEntry.seq >= 3))
    result = audit.verify(busy)
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert f"entries 3..{last} are missing" in (result.problem or "")


def test_non_canonical_inputs_are_found(busy: Database) -> None:
    entries = audit.list_entries(busy, limit=5)
    spaced = json.dumps(entries[1]["inputs"], sort_keys=True, indent=1)
    _set(busy, 2, inputs=spaced)
    result = audit.verify(busy)
    assert (result.ok, result.first_bad_seq) == (False, 2) and "canonical" in (result.problem or "")


def test_cli_verify_exit_codes(busy: Database) -> None:
    runner = CliRunner()
    ok = runner.invoke(cli_app, ["audit", "verify", "--db", busy.url])
    assert ok.exit_code == 0 and "audit chain intact" in ok.output
    as_json = runner.invoke(cli_app, ["audit", "verify", "--db", busy.url, "--json"])
    assert json.loads(as_json.output)["ok"] is True
    _set(busy, 2, actor="mallory")
    bad = runner.invoke(cli_app, ["audit", "verify", "--db", busy.url])
    assert bad.exit_code == 1 and "broken at entry 2" in bad.output


def test_canonical_json_is_order_free_and_strict() -> None:
    a = canonical_json({"b": 1, "a": [dt.date(2026, 1, 2), 0.1]})
    assert a == canonical_json({"a": [dt.date(2026, 1, 2), 0.1], "b": 1})
    assert a == '{"a":["2026-01-02",0.1],"b":1}'
    assert canonical_json({"x": float("inf")}) == '{"x":"inf"}'
    with pytest.raises(TypeError):
        canonical_json({"x": object()})


def test_the_hash_covers_the_seven_columns_in_canonical_form() -> None:
    entry = AuditEntry(
        seq=7,
        at="2026-01-02T03:04:05.000006+00:00",
        actor="op",
        action="request.grant",
        object="request:R-1",
        policy_version="none/netruimte-0",
        inputs='{"kw":1}',
        prev_hash="p" * 64,
        hash="h" * 64,
    )
    text = (
        '{"action":"request.grant","actor":"op","at":"2026-01-02T03:04:05.000006+00:00",'
        '"inputs":"{\\"kw\\":1}","object":"request:R-1","policy_version":"none/netruimte-0",'
        '"seq":7}'
    )
    assert audit._entry_text(entry) == text
    assert entry_hash("p" * 64, text) == hashlib.sha256(("p" * 64 + text).encode()).hexdigest()


def test_the_verification_json_is_every_field_in_order() -> None:
    result = audit.AuditVerification(False, 4, 5, "h", 3, "entry 3 was edited", 7, 1)
    document = result.to_json_dict()
    assert document == {
        "ok": False,
        "entries": 4,
        "head_seq": 5,
        "head_hash": "h",
        "first_bad_seq": 3,
        "problem": "entry 3 was edited",
        "objects_checked": 7,
        "objects_not_covered": 1,
    }
    assert list(document) == [
        "ok", "entries", "head_seq", "head_hash", "first_bad_seq", "problem",
        "objects_checked", "objects_not_covered",
    ]  # fmt: skip


def test_appends_in_one_transaction_roll_back_together(tiny: Database) -> None:
    head = audit.verify(tiny).head_seq
    with pytest.raises(RuntimeError), tiny.write() as session:
        audit.append(tiny, session, actor=SYSTEM, action="test.one", obj="x", inputs={})
        audit.append(tiny, session, actor=SYSTEM, action="test.two", obj="x", inputs={})
        raise RuntimeError("abort")
    assert audit.verify(tiny).head_seq == head and audit.verify(tiny).ok


def _verify_problem(db: Database) -> str | None:
    result = audit.verify(db)
    assert result.first_bad_seq is None  # the chain itself stays intact in every case
    return result.problem


@pytest.mark.parametrize(
    ("edit", "words"),
    [
        (update(Request).where(Request.id == "R3").values(status="granted"), "request 'R3'"),
        (update(Request).where(Request.id == "R1").values(kw=1.0), "request 'R1'"),
        (update(Station).where(Station.id == "B").values(offtake_mw=50.0), "station 'B'"),
        (
            update(Reinforcement).where(Reinforcement.id == "A-2026").values(offtake_mw=9.0),
            "reinforcement 'A-2026'",
        ),
        (delete(Request).where(Request.id == "R3"), "missing from the database"),
    ],
)
def test_verify_reconciles_the_tables_with_the_trail(busy: Database, edit, words: str) -> None:
    """A direct edit of the tables (a grant set by hand, a capacity changed, a row deleted)
    leaves the chain intact, but the rows no longer match the trail's last digests."""
    ok = audit.verify(busy)
    assert ok.ok and ok.objects_checked >= 7 and ok.objects_not_covered == 0, ok
    with busy.engine.begin() as conn:
        conn.execute(edit)
    problem = _verify_problem(busy)
    assert problem is not None and words in problem, problem
    runner = CliRunner()
    res = runner.invoke(cli_app, ["audit", "verify", "--db", busy.url])
    assert res.exit_code == 1 and "tables disagree" in res.output


def test_verify_finds_a_row_inserted_behind_the_service(busy: Database) -> None:
    with busy.engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO stations (id, position, name, parent_id, offtake_mw, load_mw, "
                "feedin_load_mw) VALUES ('X', 99, 'X', NULL, 1, 0, 0)"
            )
        )
    problem = _verify_problem(busy)
    assert problem is not None and "station 'X'" in problem and "inserted" in problem


def test_changes_through_the_service_keep_the_tables_reconciled(
    busy: Database, users: Users
) -> None:
    from netruimte.register import network

    network.update_station(busy, users.operator, "B", {"offtake_mw": 6.0})
    network.delete_reinforcement(busy, users.operator, "A-2026", force=True)
    requests.update_request(busy, users.operator, "R2", {"owner": "alice"})
    assert audit.verify(busy).ok, audit.verify(busy).problem
