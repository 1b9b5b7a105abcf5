"""Load test of the web service on 127.0.0.1 (a script, not a test).

Run from the repository root::

    python benchmarks/api.py                      # SQLite, and PostgreSQL via .ci/postgres.sh
    python benchmarks/api.py --quick              # fewer requests, seconds per backend
    python benchmarks/api.py --postgres URL       # an existing PostgreSQL database (EMPTIED!)
    python benchmarks/api.py --no-postgres        # SQLite only
    python benchmarks/api.py --abuse              # mixed load alone and under attack

For each database the script builds a register (the bundled Flevoland scenario: 8 stations,
407 waiting requests; an operator and an applicant; one deterministic forecast), starts
``netruimte serve`` as a subprocess (uvicorn, one process, its job worker on) on a free port
and drives it with a fixed number of requests per endpoint from a pool of threads, each with
its own keep-alive ``httpx.Client``, bounded by a time limit per endpoint. A few warm-up
requests per endpoint are not counted. Everything it started (servers, a PostgreSQL cluster
from ``.ci/postgres.sh start``, temporary files) is stopped and removed at the end.

Endpoints: the public capacity map and queue figures, the operator's list of requests (100 per
page), one request's explanation in the forecast, filing a request (applicant, a write with
its audit entry), and two pages: the capacity map (HTML) and "my request" (its JSON twin:
the request's standing now, i.e. one allocation moment simulated per view).

Printed: one table with the number of requests, errors (non-2xx), throughput and the 50th
and 99th percentile latency (ms, client side). ``--abuse`` instead runs a sustained mixed load
(reads, filings, allocation moments) alone and then under the attacks of issue 12
(``benchmarks/api_abuse.py``), and prints p50/p99 and the share of 5xx per kind of request.
The client and the server share the machine (and its 2 cores, here), so the figures are a
lower bound of what the server does alone.
"""

from __future__ import annotations

import argparse
import math
import os
import platform
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parents[1]
POSTGRES_SCRIPT = ROOT / ".ci" / "postgres.sh"


@dataclass(frozen=True)
class Endpoint:
    """One row of the table: how to send one request."""

    name: str
    method: str
    path: str
    token: str | None
    body: Callable[[int], dict[str, Any]] | None = None


@dataclass(frozen=True)
class Row:
    """What one endpoint measured."""

    backend: str
    endpoint: str
    sent: int
    errors: int
    seconds: float
    latencies_ms: list[float]

    @property
    def throughput(self) -> float:
        return self.sent / self.seconds if self.seconds > 0 else float("nan")

    def percentile(self, q: float) -> float:
        """The ``q``-th percentile latency (nearest-rank method), ms."""
        if not self.latencies_ms:
            return float("nan")
        ordered = sorted(self.latencies_ms)
        k = max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))  # nearest rank
        return ordered[k]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _log(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


# -- the register -------------------------------------------------------------------------


def prepare(url: str, *, wipe_postgres: bool) -> dict[str, str]:
    """Flevoland, an operator, an applicant and one forecast; returns tokens and ids."""
    from sqlalchemy import text

    from netruimte.access import auth
    from netruimte.access.auth import SYSTEM
    from netruimte.access.bootstrap import ensure_bootstrapped
    from netruimte.jobs.worker import Worker
    from netruimte.register import runs
    from netruimte.storage import Database, upgrade

    db = Database(url)
    if wipe_postgres:
        with db.engine.begin() as conn:
            conn.execute(text("DROP SCHEMA public CASCADE"))
            conn.execute(text("CREATE SCHEMA public"))
    upgrade(db)
    ensure_bootstrapped(db)
    _, op = auth.add_user(db, "bench-operator", "operator")
    _, ap = auth.add_user(db, "bench-applicant", "applicant")
    run = runs.create_run(db, SYSTEM)  # deterministic: the explanations to read
    Worker(db).run_once()
    with db.read() as session:
        from sqlalchemy import select

        from netruimte.storage.tables import RunRequest

        rid = session.scalars(
            select(RunRequest.request_id)
            .where(RunRequest.run_id == run["id"], RunRequest.station_id == "ALM")
            .order_by(RunRequest.position)
        ).first()
    assert rid is not None, "the forecast holds no request at ALM"
    from netruimte.register import requests as request_service

    request_service.update_request(db, SYSTEM, rid, {"owner": "bench-applicant"})
    db.dispose()
    return {"operator": op, "applicant": ap, "run": str(run["id"]), "request": rid}


@contextmanager
def serve(url: str, workdir: Path) -> Iterator[str]:
    """``netruimte serve`` on a free port; yields its base URL; stops it afterwards."""
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("NETRUIMTE_")}
    log_path = workdir / f"server-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "netruimte", "serve", "--db", url, "--port", str(port)],
            cwd=workdir,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        base = f"http://127.0.0.1:{port}"
        try:
            deadline = time.monotonic() + 90
            while True:
                if proc.poll() is not None:
                    raise RuntimeError(f"the server stopped: {log_path.read_text()[-2000:]}")
                if time.monotonic() > deadline:
                    raise RuntimeError("the server did not start within 90 s")
                try:
                    if httpx.get(f"{base}/api/v1/public/queue", timeout=2).status_code == 200:
                        break
                except httpx.HTTPError:
                    time.sleep(0.2)
            yield base
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=10)


# -- the load -----------------------------------------------------------------------------


def endpoints(ids: dict[str, str]) -> list[Endpoint]:
    """The measured requests (see the module docstring)."""
    op, ap = ids["operator"], ids["applicant"]
    return [
        Endpoint("GET capacity map", "GET", "/api/v1/public/capacity-map", None),
        Endpoint("GET queue figures", "GET", "/api/v1/public/queue", None),
        Endpoint("GET requests (100)", "GET", "/api/v1/requests?limit=100", op),
        Endpoint(
            "GET explanation",
            "GET",
            f"/api/v1/runs/{ids['run']}/requests/{ids['request']}",
            op,
        ),
        Endpoint(
            "POST request",
            "POST",
            "/api/v1/requests",
            ap,
            lambda i: {"station": "ALM", "kw": 10 + i % 90, "function": "retail"},
        ),
        Endpoint("page capacity map", "GET", "/capacity-map", None),
        Endpoint("page my request (JSON)", "GET", f"/requests/{ids['request']}?format=json", ap),
    ]


def drive(
    base: str, endpoint: Endpoint, count: int, concurrency: int, limit_s: float, warmup: int
) -> tuple[int, int, float, list[float]]:
    """Send ``count`` requests from ``concurrency`` threads (stop at ``limit_s``)."""
    headers = {"Authorization": f"Bearer {endpoint.token}"} if endpoint.token else {}
    local = threading.local()
    clients: list[httpx.Client] = []
    lock = threading.Lock()

    def client() -> httpx.Client:
        c: httpx.Client | None = getattr(local, "client", None)
        if c is None:
            c = httpx.Client(base_url=base, headers=headers, timeout=60)
            local.client = c
            with lock:
                clients.append(c)
        return c

    def one(i: int) -> tuple[bool, float] | None:
        if time.perf_counter() > stop_at:
            return None
        body = endpoint.body(i) if endpoint.body else None
        start = time.perf_counter()
        res = client().request(endpoint.method, endpoint.path, json=body)
        elapsed = (time.perf_counter() - start) * 1000.0
        return 200 <= res.status_code < 300, elapsed

    stop_at = time.perf_counter() + limit_s
    with ThreadPoolExecutor(max_workers=concurrency) as pool:
        for _ in pool.map(one, range(warmup)):
            pass
        stop_at = time.perf_counter() + limit_s
        t0 = time.perf_counter()
        results = [r for r in pool.map(one, range(warmup, warmup + count)) if r is not None]
        seconds = time.perf_counter() - t0
    for c in clients:
        c.close()
    errors = sum(1 for ok, _ in results if not ok)
    return len(results), errors, seconds, [ms for _, ms in results]


def measure(
    backend: str, url: str, args: argparse.Namespace, workdir: Path, wipe: bool
) -> list[Row]:
    _log(f"[{backend}] preparing the register")
    ids = prepare(url, wipe_postgres=wipe)
    rows = []
    with serve(url, workdir) as base:
        for ep in endpoints(ids):
            _log(f"[{backend}] {ep.name}: {args.requests} requests, {args.concurrency} threads")
            sent, errors, seconds, lat = drive(
                base, ep, args.requests, args.concurrency, args.time_limit, args.warmup
            )
            rows.append(Row(backend, ep.name, sent, errors, seconds, lat))
    return rows


# -- PostgreSQL ---------------------------------------------------------------------------


@contextmanager
def postgres(args: argparse.Namespace) -> Iterator[tuple[str | None, str]]:
    """``(url, why_not)``: the given URL, or a cluster from ``.ci/postgres.sh start``."""
    if args.no_postgres:
        yield None, "--no-postgres"
        return
    if args.postgres:
        yield args.postgres, ""
        return
    if not POSTGRES_SCRIPT.exists() or shutil.which("bash") is None:
        yield None, f"{POSTGRES_SCRIPT} not found"
        return
    state = tempfile.mkdtemp(prefix="netruimte-bench-pg-")
    env = {**os.environ, "NETRUIMTE_PG_DIR": state, "NETRUIMTE_PG_DB": "netruimte_bench"}
    _log("starting PostgreSQL with .ci/postgres.sh start")
    started = subprocess.run(
        ["bash", str(POSTGRES_SCRIPT), "start"],
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    lines = started.stdout.strip().splitlines()
    if started.returncode != 0 or not lines:
        shutil.rmtree(state, ignore_errors=True)
        yield None, f".ci/postgres.sh start failed: {started.stderr.strip()[-300:]}"
        return
    try:
        yield lines[-1], ""
    finally:
        subprocess.run(
            ["bash", str(POSTGRES_SCRIPT), "stop"], env=env, capture_output=True, timeout=120
        )
        shutil.rmtree(state, ignore_errors=True)


# -- output -------------------------------------------------------------------------------


def table(rows: list[Row], args: argparse.Namespace) -> str:
    header = (
        f"{'backend':<11}{'endpoint':<26}{'requests':>9}{'errors':>8}"
        f"{'req/s':>9}{'p50 ms':>9}{'p99 ms':>9}"
    )
    lines = [
        f"netruimte API load test: {args.requests} requests per endpoint, "
        f"{args.concurrency} client threads, at most {args.time_limit:g} s each "
        f"({platform.machine()}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}, Python {platform.python_version()})",
        header,
        "-" * len(header),
    ]
    for r in rows:
        lines.append(
            f"{r.backend:<11}{r.endpoint:<26}{r.sent:>9}{r.errors:>8}"
            f"{r.throughput:>9.1f}{r.percentile(50):>9.1f}{r.percentile(99):>9.1f}"
        )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=300, help="per endpoint (300)")
    parser.add_argument("--concurrency", type=int, default=8, help="client threads (8)")
    parser.add_argument("--time-limit", type=float, default=30.0, help="s per endpoint (30)")
    parser.add_argument("--warmup", type=int, default=10, help="uncounted requests (10)")
    parser.add_argument("--quick", action="store_true", help="60 requests per endpoint")
    parser.add_argument("--postgres", metavar="URL", help="PostgreSQL database to EMPTY and use")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--abuse", action="store_true", help="mixed load alone / under attack")
    parser.add_argument("--abuse-seconds", type=float, default=20.0, help="s per phase (20)")
    parser.add_argument("--abuse-clients", type=int, default=6, help="load threads (6)")
    parser.add_argument("--attackers", type=int, default=3, help="attacker threads (3)")
    args = parser.parse_args(argv)
    if args.abuse:
        return abuse_main(args)
    if args.quick:
        args.requests = min(args.requests, 60)
        args.warmup = min(args.warmup, 5)
    if args.requests < 1 or args.concurrency < 1 or args.time_limit <= 0:
        parser.error("--requests, --concurrency and --time-limit must be positive")
    rows: list[Row] = []
    notes = []
    with tempfile.TemporaryDirectory(prefix="netruimte-bench-") as tmp:
        work = Path(tmp)
        sqlite_url = f"sqlite:///{work / 'bench.db'}"
        rows += measure("sqlite", sqlite_url, args, work, wipe=False)
        with postgres(args) as (pg_url, why):
            if pg_url is None:
                notes.append(f"PostgreSQL skipped: {why}")
            else:
                rows += measure("postgresql", pg_url, args, work, wipe=True)
    print(table(rows, args))
    for note in notes:
        print(note)
    return 0 if all(r.errors == 0 for r in rows) else 1


def abuse_main(args: argparse.Namespace) -> int:
    """``--abuse``: the mixed load alone, then under attack, on SQLite and PostgreSQL."""
    from api_abuse import abuse_table, run_phases

    if args.abuse_seconds <= 0 or args.abuse_clients < 1 or args.attackers < 1:
        raise SystemExit("--abuse-seconds, --abuse-clients and --attackers must be positive")
    lines, notes = [], []
    fives = 0
    with tempfile.TemporaryDirectory(prefix="netruimte-abuse-") as tmp:
        work = Path(tmp)
        targets: list[tuple[str, str, bool]] = [("sqlite", f"sqlite:///{work / 'abuse.db'}", False)]
        with postgres(args) as (pg_url, why):
            if pg_url is None:
                notes.append(f"PostgreSQL skipped: {why}")
            else:
                targets.append(("postgresql", pg_url, True))
            for backend, url, wipe in targets:
                _log(f"[{backend}] preparing the register")
                ids = prepare(url, wipe_postgres=wipe)
                with serve(url, work) as base:
                    assert base.startswith("http://127.0.0.1:")  # never another host
                    _log(f"[{backend}] {args.abuse_seconds:g} s of mixed load, then under attack")
                    phases = run_phases(
                        base, ids, args.abuse_seconds, args.abuse_clients, args.attackers
                    )
                lines += abuse_table(backend, phases)
                fives += sum(
                    c for t in phases.values() for st in t.statuses.values()
                    for s, c in st.items() if s >= 500
                )  # fmt: skip
    header = (
        f"{'backend':<11}{'phase':<14}{'kind':<34}{'count':>7}{'p50 ms':>9}{'p99 ms':>9}"
        f"{'5xx':>8}  statuses"
    )
    print(
        f"netruimte abuse run: {args.abuse_seconds:g} s per phase, {args.abuse_clients} load "
        f"threads, {args.attackers} attackers ({platform.machine()}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}, Python {platform.python_version()})"
    )
    print(header)
    print("-" * len(header))
    print("\n".join(lines))
    for note in notes:
        print(note)
    return 0 if fives == 0 else 1


if __name__ == "__main__":
    sys.exit(main())
