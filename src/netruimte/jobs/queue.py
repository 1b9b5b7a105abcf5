"""Jobs: long work kept off the request path, in the database so a restart loses nothing.

A job row is queued in the same transaction as the object it works for (a run, a site plan).
A worker claims the oldest queued job (``FOR UPDATE SKIP LOCKED`` on PostgreSQL, the write lock
on SQLite), marks it running under its own name ``host:pid:uuid``, keeps a heartbeat while it
works and reports progress (0–1) with a message; clients poll ``GET /api/v1/jobs/{id}``.

A job left running by a process that died is queued again: at start a worker re-queues running
jobs of dead processes on its host (and of earlier workers of its own process), and every
worker re-queues running jobs whose heartbeat is older than ``stale_after_s`` (another host's
crash). Handlers write their results idempotently, so a job that runs twice is harmless.
"""

from __future__ import annotations

import datetime as dt
import os
import socket
from dataclasses import dataclass
from typing import TypedDict, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from netruimte._util import utc_now
from netruimte.access.auth import Principal, own_rows
from netruimte.errors import NotFound
from netruimte.storage import Database
from netruimte.storage.tables import Job, Run, SitePlan

__all__ = [
    "DONE",
    "FAILED",
    "QUEUED",
    "RUNNING",
    "JobInfo",
    "JobView",
    "claim_next",
    "enqueue",
    "fail_target",
    "finish",
    "get_job",
    "heartbeat",
    "job_view",
    "list_jobs",
    "requeue_dead",
    "worker_name",
]

QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"

_Target = TypeVar("_Target", Run, SitePlan)  # the rows a job works on


def worker_name(uid: str) -> str:
    """``host:pid:uid`` of a worker in this process."""
    return f"{socket.gethostname()}:{os.getpid()}:{uid}"


@dataclass(frozen=True, slots=True)
class JobInfo:
    """What a handler gets: the job's identity and its target."""

    id: int
    kind: str
    target_id: int
    owner_id: int | None
    attempts: int


def enqueue(session: Session, kind: str, target_id: int, owner_id: int | None) -> Job:
    """Queue a job inside the caller's transaction."""
    job = Job(
        kind=kind,
        target_id=target_id,
        status=QUEUED,
        progress=0.0,
        message="queued",
        owner_id=owner_id,
        attempts=0,
        created_at=utc_now(),
    )
    session.add(job)
    session.flush()
    return job


def claim_next(db: Database, worker: str) -> JobInfo | None:
    """Claim the oldest queued job for ``worker`` (None when the queue is empty)."""
    with db.write() as session:
        stmt = select(Job).where(Job.status == QUEUED).order_by(Job.id).limit(1)
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        job = session.scalars(stmt).first()
        if job is None:
            return None
        now = utc_now()
        job.status = RUNNING
        job.worker = worker
        job.started_at = now
        job.heartbeat_at = now
        job.attempts += 1
        job.progress = 0.0
        job.message = "started"
        job.error = None
        return JobInfo(job.id, job.kind, job.target_id, job.owner_id, job.attempts)


def heartbeat(
    db: Database,
    job_id: int,
    worker: str,
    progress: float | None = None,
    message: str | None = None,
) -> bool:
    """Record that ``worker`` is alive on the job (and its progress); False if it lost the job."""
    with db.write() as session:
        job = session.get(Job, job_id)
        if job is None or job.status != RUNNING or job.worker != worker:
            return False
        job.heartbeat_at = utc_now()
        if progress is not None:
            job.progress = min(1.0, max(0.0, float(progress)))
        if message is not None:
            job.message = message[:2000]
        return True


def finish(db: Database, job_id: int, worker: str, error: str | None = None) -> bool:
    """Mark the job done (or failed with ``error``); False if the worker had lost it."""
    with db.write() as session:
        job = session.get(Job, job_id)
        if job is None or job.worker != worker or job.status != RUNNING:
            return False
        job.status = FAILED if error else DONE
        job.error = error
        job.progress = job.progress if error else 1.0
        job.message = "failed" if error else "done"
        job.finished_at = utc_now()
        return True


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def requeue_dead(db: Database, worker: str, stale_after_s: float) -> list[int]:
    """Queue again the running jobs whose worker is gone; returns their ids.

    Gone means: its heartbeat is older than ``stale_after_s``; or it ran on this host in a
    process that no longer exists; or it is an earlier worker of this very process.
    """
    host, pid, _ = worker.split(":", 2)
    cutoff = utc_now() - dt.timedelta(seconds=stale_after_s)
    out = []
    with db.write() as session:
        stmt = select(Job).where(Job.status == RUNNING)
        if not db.is_sqlite:
            stmt = stmt.with_for_update(skip_locked=True)
        for job in session.scalars(stmt):
            parts = (job.worker or "::").split(":", 2)
            dead = job.heartbeat_at is None or job.heartbeat_at < cutoff
            if not dead and len(parts) == 3 and parts[0] == host:
                other_pid = int(parts[1]) if parts[1].isdigit() else -1
                dead = (other_pid == int(pid) and job.worker != worker) or (
                    other_pid != int(pid) and not _pid_alive(other_pid)
                )
            if dead:
                job.status = QUEUED
                job.message = f"re-queued: worker {job.worker} is gone"
                job.worker = None
                job.progress = 0.0
                out.append(job.id)
    return out


class JobView(TypedDict):
    """The API's view of a job (:func:`job_view`); times are ISO text."""

    id: int
    kind: str
    target_id: int
    target: str | None
    status: str
    progress: float
    message: str
    error: str | None
    attempts: int
    created_at: str
    started_at: str | None
    finished_at: str | None


def job_view(job: Job) -> JobView:
    """The API's view of a job (with a link to what it works on)."""
    target = {
        "run": f"/api/v1/runs/{job.target_id}",
        "site-plan": f"/api/v1/site-plans/{job.target_id}",
    }
    return {
        "id": job.id,
        "kind": job.kind,
        "target_id": job.target_id,
        "target": target.get(job.kind),
        "status": job.status,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "attempts": job.attempts,
        "created_at": job.created_at.isoformat(),
        "started_at": job.started_at.isoformat() if job.started_at else None,
        "finished_at": job.finished_at.isoformat() if job.finished_at else None,
    }


def get_job(db: Database, principal: Principal, job_id: int) -> JobView:
    """One job (own jobs only for applicants)."""
    with db.read() as session:
        job = session.get(Job, job_id)
        if job is None or not principal.owns(job.owner_id):
            raise NotFound(f"no job {job_id}")
        return job_view(job)


def list_jobs(
    db: Database, principal: Principal, *, status: str | None = None, limit: int = 100
) -> list[JobView]:
    """Newest jobs first (own jobs only for applicants)."""
    with db.read() as session:
        stmt = own_rows(select(Job), principal, Job.owner_id)
        if status is not None:
            stmt = stmt.where(Job.status == status)
        return [job_view(j) for j in session.scalars(stmt.order_by(Job.id.desc()).limit(limit))]


def fail_target(db: Database, table: type[_Target], job: JobInfo, message: str) -> None:
    """Job handler on failure: mark the job's target (a run or a site plan) failed, with the
    reason."""
    with db.write() as session:
        row = session.get(table, job.target_id)
        if row is not None:
            row.status = FAILED
            row.error = message
            row.finished_at = utc_now()
