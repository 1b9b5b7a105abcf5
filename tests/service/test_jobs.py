"""Jobs live in the database: claimed once, progress reported, nothing lost over a restart."""

from __future__ import annotations

import datetime as dt
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from netruimte.access.auth import SYSTEM
from netruimte.jobs import queue as jobs
from netruimte.jobs.worker import Worker
from netruimte.register import runs
from netruimte.storage import Database
from netruimte.storage.tables import Job
from netruimte.web.app import create_app
from netruimte.web.settings import Settings
from tests.service.conftest import TestClient, Users, bearer


def _dead_pid() -> int:
    proc = subprocess.Popen(["true"])
    proc.wait()
    return proc.pid


def test_job_left_running_by_a_dead_process_is_run_again(tiny: Database) -> None:
    db = tiny
    run = runs.create_run(db, SYSTEM)
    ghost = f"{socket.gethostname()}:{_dead_pid()}:crashed"
    claimed = jobs.claim_next(db, ghost)
    assert claimed is not None and claimed.id == run["job_id"]
    assert jobs.claim_next(db, "someone:1:else") is None  # running jobs are not handed out
    worker = Worker(db)
    assert worker.recover() == [run["job_id"]]
    assert worker.run_once()
    assert runs.get_run(db, SYSTEM, run["id"])["status"] == "done"
    job = jobs.get_job(db, SYSTEM, run["job_id"])
    assert (job["status"], job["attempts"]) == ("done", 2)
    # the dead worker's late report is ignored: it had lost the job
    assert not jobs.heartbeat(db, run["job_id"], ghost, 0.5, "still here?")
    assert not jobs.finish(db, run["job_id"], ghost)


def test_stale_heartbeat_of_another_host(tiny: Database) -> None:
    db = tiny
    run = runs.create_run(db, SYSTEM)
    other = "elsewhere:4242:w1"
    assert jobs.claim_next(db, other) is not None
    worker = Worker(db, stale_after_s=60)
    assert worker.recover() == []  # alive as far as anyone can tell
    with db.write() as session:
        job = session.get(Job, run["job_id"])
        assert job is not None
        job.heartbeat_at = dt.datetime.now(dt.UTC) - dt.timedelta(minutes=5)
    assert worker.recover() == [run["job_id"]]


def test_each_job_is_claimed_once(tiny: Database) -> None:
    db = tiny
    made = [runs.create_run(db, SYSTEM)["job_id"] for _ in range(8)]

    def claim_all(name: str) -> list[int]:
        got = []
        while (job := jobs.claim_next(db, name)) is not None:
            got.append(job.id)
        return got

    with ThreadPoolExecutor(max_workers=4) as pool:
        claimed = [
            j for got in pool.map(claim_all, ["h:1:a", "h:2:b", "h:3:c", "h:4:d"]) for j in got
        ]
    assert sorted(claimed) == sorted(made)


def test_progress_and_failure_are_reported(tiny: Database, monkeypatch: pytest.MonkeyPatch) -> None:
    db = tiny
    runs.create_run(db, SYSTEM, runs=40, seed=1)
    seen: list[tuple[float, str]] = []
    info = jobs.claim_next(db, "h:1:t")
    assert info is not None
    runs.execute_run(db, info, lambda share, msg: seen.append((share, msg)))
    shares = [s for s, _ in seen]
    assert shares == sorted(shares) and shares[-1] == 0.99
    assert any("40 of 40 runs" in m for _, m in seen)
    # an unexpected error fails the job and the run, with the reason, and the worker goes on
    from netruimte.register import runs as runs_module

    def boom(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise ValueError("kernel exploded")

    monkeypatch.setattr(runs_module, "simulate", boom)
    failing = runs.create_run(db, SYSTEM)
    worker = Worker(db)
    assert worker.run_once()
    job = jobs.get_job(db, SYSTEM, failing["job_id"])
    # the details stay in the server log: a job's error never shows internals (paths, values)
    expected = "internal error (ValueError; see the server log)"
    assert job["status"] == "failed" and job["error"] == expected
    got = runs.get_run(db, SYSTEM, failing["id"])
    assert got["status"] == "failed" and got["error"] == expected


def test_queued_jobs_survive_a_restart(tiny: Database, users: Users) -> None:
    """Queue with one app (no worker), stop it, start another: its worker thread runs the job."""
    op = bearer(users.operator_token)
    first = create_app(Settings(db_url=tiny.url, worker=False, bootstrap=False, migrate=False))
    with TestClient(first) as client:
        run = client.post("/api/v1/runs", json={"runs": 20, "seed": 3}, headers=op).json()
        assert client.get(f"/api/v1/jobs/{run['job_id']}", headers=op).json()["status"] == "queued"
    second = create_app(
        Settings(db_url=tiny.url, worker=True, bootstrap=False, migrate=False, poll_s=0.05)
    )
    with TestClient(second) as client:
        deadline = time.monotonic() + 60
        status = ""
        while time.monotonic() < deadline:
            status = client.get(f"/api/v1/jobs/{run['job_id']}", headers=op).json()["status"]
            if status in ("done", "failed"):
                break
            time.sleep(0.05)
        assert status == "done"
        res = client.get(f"/api/v1/runs/{run['id']}/results", headers=op).json()
        assert res["run"]["kind"] == "monte-carlo" and "granted_p50" in res["requests"][0]
        # a job queued now wakes the running worker at once
        start = time.monotonic()
        again = client.post("/api/v1/runs", json={}, headers=op).json()
        while client.get(f"/api/v1/jobs/{again['job_id']}", headers=op).json()["status"] != "done":
            assert time.monotonic() - start < 30
            time.sleep(0.02)
    assert second.state.worker is not None and not second.state.worker.running


def test_worker_command_runs_the_queue_outside_the_server(db: Database, tiny, users) -> None:
    """``netruimte worker --once`` (a process of its own in production) runs queued jobs."""
    from typer.testing import CliRunner

    from netruimte.cli import app as cli_app

    made = runs.create_run(db, SYSTEM)
    res = CliRunner().invoke(cli_app, ["worker", "--once", "--db", db.url])
    assert res.exit_code == 0 and "ran 1 job(s)" in res.output, res.output
    assert runs.get_run(db, SYSTEM, made["id"])["status"] == "done"


def test_history_names_what_changed_between_forecasts(tiny: Database) -> None:
    """R2 (basic needs, its own queue) takes 600 of A's 1 MW first, so the first forecast
    grants R1 (600 kW) nothing; with R2 withdrawn R1 fits at the first moment, 2026-01-01.
    The second forecast names the grant date as changed (its rank, first of its queue, did
    not change); the first forecast names nothing."""
    from netruimte.register import history
    from netruimte.register import requests as requests_svc

    worker = Worker(tiny)
    runs.create_run(tiny, SYSTEM)
    assert worker.run_once()
    requests_svc.withdraw_request(tiny, SYSTEM, "R2", "moved")
    runs.create_run(tiny, SYSTEM)
    assert worker.run_once()
    first, second = history.request_history(tiny, SYSTEM, "R1", record_visit=False)["forecasts"]
    assert (first["rank"], first["rank_of"], second["rank"], second["rank_of"]) == (1, 1, 1, 1)
    assert (first["granted_on"], second["granted_on"]) == (None, "2026-01-01")
    assert first["changed"] == [] and second["changed"] == ["granted_on"]
