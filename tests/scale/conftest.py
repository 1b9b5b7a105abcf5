"""A real Dask cluster for the scale tests: ``dask scheduler`` and ``dask worker`` processes.

Each cluster is a scheduler and workers started as subprocesses on 127.0.0.1 on a free port
(``--nthreads 1``, no nanny, so killing a worker's process kills the worker for good). Start-up
waits are bounded; the processes are ended on exit even when the test fails, and the workers
also quit by themselves (``--death-timeout``) if the scheduler ever disappears.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from distributed import Client

START_TIMEOUT_S = 60.0
ROOT = Path(__file__).parents[2]


@dataclass
class DaskProcesses:
    """A running scheduler and its workers."""

    address: str
    scheduler: subprocess.Popen[bytes]
    workers: list[subprocess.Popen[bytes]]
    logs: Path

    def worker_pids(self) -> set[int]:
        return {w.pid for w in self.workers}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _wait_for_port(port: int, proc: subprocess.Popen[bytes], deadline: float, log: Path) -> None:
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dask scheduler exited early:\n{log.read_text()[-3000:]}")
        with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
            return
        time.sleep(0.1)
    raise TimeoutError(f"dask scheduler did not listen on {port}:\n{log.read_text()[-3000:]}")


def _stop(procs: list[subprocess.Popen[bytes]]) -> None:
    for proc in procs:
        if proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGTERM)
    deadline = time.monotonic() + 3  # then SIGKILL: a busy worker may not stop at once
    for proc in procs:
        try:
            proc.wait(timeout=max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=5)


@contextlib.contextmanager
def dask_processes(
    logs: Path, n_workers: int = 2, scheduler_config: dict[str, str] | None = None
) -> Iterator[DaskProcesses]:
    """Start ``dask scheduler`` and ``n_workers`` ``dask worker`` processes; stop them after.

    ``scheduler_config``: extra ``DASK_…`` environment variables for the scheduler. The
    processes run in the repository root with it on ``PYTHONPATH``, so tasks may use functions
    from ``tests``.
    """
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(p for p in (str(ROOT), os.environ.get("PYTHONPATH")) if p),
    }
    logs.mkdir(parents=True, exist_ok=True)
    port = _free_port()
    address = f"tcp://127.0.0.1:{port}"
    dask = [sys.executable, "-m", "dask"]
    started: list[subprocess.Popen[bytes]] = []
    handles = []
    try:
        log = logs / "scheduler.log"
        handle = log.open("wb")
        handles.append(handle)
        scheduler = subprocess.Popen(
            [*dask, "scheduler", "--host", "127.0.0.1", "--port", str(port), "--no-dashboard"],
            stdout=handle,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,  # its own process group: killed as a group
            cwd=ROOT,
            env={**env, **(scheduler_config or {})},
        )
        started.append(scheduler)
        deadline = time.monotonic() + START_TIMEOUT_S
        _wait_for_port(port, scheduler, deadline, log)
        workers = []
        for k in range(n_workers):
            handle = (logs / f"worker-{k}.log").open("wb")
            handles.append(handle)
            worker = subprocess.Popen(
                [
                    *dask, "worker", address, "--nthreads", "1", "--no-nanny",
                    "--no-dashboard", "--host", "127.0.0.1", "--name", f"w{k}",
                    "--death-timeout", "60",
                ],
                stdout=handle,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                cwd=ROOT,
                env=env,
            )  # fmt: skip
            started.append(worker)
            workers.append(worker)
        if n_workers:
            with Client(address, timeout="20s") as client:
                client.wait_for_workers(n_workers, timeout=max(1.0, deadline - time.monotonic()))
        yield DaskProcesses(address, scheduler, workers, logs)
    finally:
        _stop(started[::-1])
        for handle in handles:
            handle.close()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DaskProcesses]:
    """A scheduler and two single-thread workers shared by a test module."""
    with dask_processes(tmp_path_factory.mktemp("dask-logs")) as procs:
        yield procs


@pytest.fixture
def own_cluster(tmp_path: Path) -> Iterator[DaskProcesses]:
    """A scheduler and two workers for one test (that may kill a worker)."""
    with dask_processes(tmp_path / "dask-logs") as procs:
        yield procs
