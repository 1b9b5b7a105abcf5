"""The job worker: a thread in the server that claims and runs queued jobs.

One worker per server process is enough for the embedded default (jobs are CPU-bound; the
machine's cores go to the simulation kernels); several processes or hosts may each run one
against the same PostgreSQL database, since claiming is ``FOR UPDATE SKIP LOCKED``.
:meth:`Worker.run_once` runs a single job in the caller's thread (tests, the CLI).
"""

from __future__ import annotations

import logging
import threading
import traceback
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from netruimte.errors import InputError, NetruimteError
from netruimte.jobs import queue as jobs
from netruimte.register import runs
from netruimte.sites import stored_plans as siteplans
from netruimte.storage import Database

__all__ = ["HANDLERS", "Handler", "Worker"]

log = logging.getLogger("netruimte.worker")

Progress = Callable[[float, str], None]


@dataclass(frozen=True)
class Handler:
    """What to do for a kind of job, and how to mark its target failed."""

    run: Callable[[Database, jobs.JobInfo, Progress], None]
    fail: Callable[[Database, jobs.JobInfo, str], None]


HANDLERS: Mapping[str, Handler] = {
    "run": Handler(runs.execute_run, runs.fail_run),
    "site-plan": Handler(siteplans.execute_plan, siteplans.fail_plan),
}


class Worker:
    """Claims jobs from the database and runs them, one at a time.

    Parameters
    ----------
    db
        The database.
    poll_s
        Seconds between looks at an empty queue (a job queued by this process wakes the
        worker at once through :meth:`wake`).
    heartbeat_s
        Seconds between heartbeats of a running job.
    stale_after_s
        A running job whose heartbeat is older is taken to be orphaned and queued again.
    """

    def __init__(
        self,
        db: Database,
        *,
        handlers: Mapping[str, Handler] | None = None,
        poll_s: float = 1.0,
        heartbeat_s: float = 5.0,
        stale_after_s: float = 120.0,
    ) -> None:
        self.db = db
        self.handlers = dict(HANDLERS if handlers is None else handlers)
        self.poll_s = poll_s
        self.heartbeat_s = heartbeat_s
        self.stale_after_s = stale_after_s
        self.name = jobs.worker_name(uuid.uuid4().hex[:12])
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None

    # -- lifecycle ---------------------------------------------------------------------------
    def recover(self) -> list[int]:
        """Queue again the jobs that dead workers left running (done at start)."""
        ids = jobs.requeue_dead(self.db, self.name, self.stale_after_s)
        if ids:
            log.warning("re-queued jobs left running by a dead worker: %s", ids)
        return ids

    def start(self) -> None:
        """Recover orphaned jobs and start the worker thread."""
        if self._thread is not None:
            return
        self.recover()
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="netruimte-worker", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop after the current job, and wait for it."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def wake(self) -> None:
        """Look at the queue now (a job was just queued)."""
        self._wake.set()

    @property
    def running(self) -> bool:
        """Whether the worker thread is alive."""
        return self._thread is not None and self._thread.is_alive()

    # -- work --------------------------------------------------------------------------------
    def _loop(self) -> None:
        since_recover = 0.0
        while not self._stop.is_set():
            try:
                worked = self.run_once()
            except Exception:  # the loop must survive a broken database connection
                log.exception("worker loop error")
                worked = False
            if worked:
                continue
            self._wake.wait(self.poll_s)
            self._wake.clear()
            since_recover += self.poll_s
            if since_recover >= self.stale_after_s / 2:
                since_recover = 0.0
                try:
                    self.recover()
                except Exception:
                    log.exception("worker recovery error")

    def run_once(self) -> bool:
        """Claim and run one job; False when the queue is empty."""
        job = jobs.claim_next(self.db, self.name)
        if job is None:
            return False
        handler = self.handlers.get(job.kind)
        beat_stop = threading.Event()

        def beat() -> None:
            while not beat_stop.wait(self.heartbeat_s):
                try:
                    jobs.heartbeat(self.db, job.id, self.name)
                except Exception:
                    log.exception("heartbeat failed for job %s", job.id)

        def progress(share: float, message: str) -> None:
            jobs.heartbeat(self.db, job.id, self.name, share, message)

        beater = threading.Thread(target=beat, name=f"netruimte-heartbeat-{job.id}", daemon=True)
        beater.start()
        error: str | None = None
        try:
            if handler is None:
                raise InputError(f"unknown job kind {job.kind!r}", field="kind")
            handler.run(self.db, job, progress)
        except NetruimteError as exc:  # bad input or no solution: the user's message
            error = str(exc)
        except Exception as exc:
            log.error("job %s failed:\n%s", job.id, traceback.format_exc())
            # the details (paths, values) go to the server log only, as for HTTP 500
            error = f"internal error ({type(exc).__name__}; see the server log)"
        finally:
            beat_stop.set()
            beater.join()
        if error is not None and handler is not None:
            try:
                handler.fail(self.db, job, error)
            except Exception:
                log.exception("could not mark the target of job %s failed", job.id)
        jobs.finish(self.db, job.id, self.name, error)
        return True
