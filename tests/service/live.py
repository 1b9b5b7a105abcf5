"""A real ``netruimte serve`` (uvicorn in its own process) on 127.0.0.1 for tests and benchmarks."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

import httpx

__all__ = ["free_port", "live_server"]


def free_port() -> int:
    """A TCP port free on 127.0.0.1 now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def live_server(
    db_url: str, workdir: Path, extra: Sequence[str] = ("--no-worker", "--no-bootstrap")
) -> Iterator[str]:
    """Run ``netruimte serve --db DB_URL`` on a free port; yields its base URL.

    The server runs in a subprocess with the environment's NETRUIMTE_* variables removed; it
    is terminated (then killed) at the end. Its log is ``workdir/server.log``.
    """
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRUIMTE_")}
    log_path = workdir / "server.log"
    command = [sys.executable, "-m", "netruimte", "serve", "--db", db_url, "--port", str(port)]
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [*command, *extra],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        url = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 60
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(log_path.read_text(errors="replace"))
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 60 s")
                try:
                    if httpx.get(f"{url}/openapi.json", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            yield url
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=30)
