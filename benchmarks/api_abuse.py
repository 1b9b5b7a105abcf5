"""The abuse run of ``benchmarks/api.py --abuse``: a sustained mixed load, alone and under attack.

Against a live ``netruimte serve`` on 127.0.0.1 (never another host), for a fixed time per
phase (``--abuse-seconds``, also bounded by a number of requests per client thread):

* **mixed load**: client threads that read (public capacity map, queue figures, the
  operator's request list, an applicant's "my request"), file requests (applicant) and run
  allocation moments (operator) in a fixed proportion, 6 : 3 : 1;
* **under attack**: the same load while attacker threads replay the attacks of issue 12 in
  bounded loops: zips with too many entries and with lying headers, deep TOML, 300-character
  file names, a file and a folder of the same name, bodies over the limit, ``{"applicant":
  null}``, ``on=0`` and year-9999 dates, ``kw: 1e308``, wrong sign-ins, and site-plan uploads
  past the per-applicant quota.

Printed per phase and kind of request: how many, p50 and p99 latency (ms, client side) and the
share of 5xx answers; and for the attacks the answers by status. Every attack must get a 4xx
(or 2xx for a quota's first uploads), never a 5xx.
"""

from __future__ import annotations

import io
import math
import struct
import threading
import time
import zipfile
from collections import Counter, defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

__all__ = ["ATTACKS", "Tally", "abuse_table", "run_phases"]

SITE = '[site]\nname = "x"\n[plan]\nobjective = "min-connection"\n[load]\ncsv = "load.csv"\n'


def _load_csv() -> bytes:
    rows = ["timestamp,kw"] + [
        f"2025-06-02T{h:02d}:{m:02d}:00+02:00,{100 + (h >= 17) * 300}"
        for h in range(24)
        for m in (0, 15, 30, 45)
    ]
    return ("\n".join(rows) + "\n").encode()


def _zip(entries: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buf.getvalue()


def _lying_zip() -> bytes:
    real = b"\0" * (64 * 1024 * 1024 + 3)
    data = bytearray(_zip({"site.toml": SITE.encode(), "load.csv": real}))
    return bytes(data.replace(struct.pack("<I", len(real)), struct.pack("<I", 1000)))


@dataclass
class Tally:
    """Latencies and statuses per kind of request (thread-safe)."""

    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, kind: str, status: int, ms: float) -> None:
        with self.lock:
            self.latencies[kind].append(ms)
            self.statuses[kind][status] += 1


def _percentile(values: list[float], q: float) -> float:
    if not values:
        return float("nan")
    ordered = sorted(values)
    return ordered[max(0, min(len(ordered) - 1, math.ceil(q / 100 * len(ordered)) - 1))]


def _timed(tally: Tally, kind: str, send: Callable[[], httpx.Response]) -> None:
    start = time.perf_counter()
    try:
        status = send().status_code
    except httpx.HTTPError:
        status = 599  # no answer within 120 s, or a reset: counted with the server errors
    tally.add(kind, status, (time.perf_counter() - start) * 1000.0)


def _mixed_client(
    base: str, ids: dict[str, str], tally: Tally, stop_at: float, max_requests: int, k: int
) -> None:
    op = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {ids['operator']}"}, timeout=120
    )
    ap = httpx.Client(
        base_url=base, headers={"Authorization": f"Bearer {ids['applicant']}"}, timeout=120
    )
    try:
        for i in range(max_requests):
            if time.perf_counter() > stop_at:
                return
            slot = (i + k) % 10
            if slot < 6:
                path = (
                    "/api/v1/public/capacity-map",
                    "/api/v1/public/queue",
                    "/api/v1/requests?limit=100",
                    f"/requests/{ids['request']}?format=json",
                )[slot % 4]
                client = ap if path.startswith("/requests/") else op
                _timed(tally, "read", lambda c=client, p=path: c.get(p))
            elif slot < 9:
                body = {"station": "ALM", "kw": 5 + i % 50, "function": "retail"}
                _timed(tally, "file", lambda b=body: ap.post("/api/v1/requests", json=b))
            else:
                _timed(tally, "allocate", lambda: op.post("/api/v1/runs/allocate", json={}))
    finally:
        op.close()
        ap.close()


def _attacks(ids: dict[str, str]) -> list[tuple[str, Callable[[httpx.Client], httpx.Response]]]:
    ap = {"Authorization": f"Bearer {ids['applicant']}"}
    op = {"Authorization": f"Bearer {ids['operator']}"}
    many = _zip({"site.toml": SITE.encode(), "load.csv": _load_csv()} | {
        f"x/{i}.txt": b"x" for i in range(5001)
    })  # fmt: skip
    lying = _lying_zip()
    clash = _zip({"site.toml": SITE.encode(), "load.csv": _load_csv(), "load.csv/x.csv": b"a"})
    deep = ("[site]\nx = " + "[" * 50_000).encode()
    long = "a" * 300 + ".csv"
    big_json = b'{"station": "ALM", "kw": 1, "applicant": "' + b"x" * 2_000_000 + b'"}'

    def plan(files: list[tuple[str, tuple[str, bytes]]]) -> Callable[[httpx.Client], Any]:
        return lambda c: c.post("/api/v1/site-plans", files=files, headers=ap, timeout=60)

    upload = [("files", ("site.toml", SITE.encode())), ("files", ("load.csv", _load_csv()))]
    named = [
        ("files", ("site.toml", SITE.replace("load.csv", long).encode())),
        ("files", (long, _load_csv())),
    ]
    json_headers = {**ap, "Content-Type": "application/json"}
    mine = f"/api/v1/requests/{ids['request']}"
    cmap = "/api/v1/public/capacity-map"
    return [
        ("zip of 5,001 entries", plan([("files", ("site.zip", many))])),
        ("zip with lying sizes", plan([("files", ("site.zip", lying))])),
        ("file and folder clash", plan([("files", ("site.zip", clash))])),
        ("50,000-deep TOML", plan([("files", ("site.toml", deep))])),
        ("300-character name", plan(named)),
        (
            "body over 1 MB",
            lambda c: c.post("/api/v1/requests", content=big_json, headers=json_headers),
        ),
        ("applicant: null", lambda c: c.patch(mine, json={"applicant": None}, headers=op)),
        ("on=0", lambda c: c.get(cmap, params={"on": "0"})),
        ("on=9999-01-01", lambda c: c.get(cmap, params={"on": "9999-01-01"})),
        (
            "kw: 1e308",
            lambda c: c.post("/api/v1/requests", json={"station": "ALM", "kw": 1e308}, headers=ap),
        ),
        ("wrong sign-in", lambda c: c.post("/login", data={"token": "guess"})),
        ("site plans past quota", plan(upload)),
    ]


ATTACKS = [name for name, _ in _attacks({"applicant": "", "operator": "", "request": ""})]
"""The attack names, in the order of the table."""


def _attacker(
    base: str, ids: dict[str, str], tally: Tally, stop_at: float, rounds: int, k: int
) -> None:
    attacks = _attacks(ids)
    with httpx.Client(base_url=base, timeout=120) as client:
        for i in range(rounds):
            if time.perf_counter() > stop_at:
                return
            name, send = attacks[(i + k) % len(attacks)]
            _timed(tally, f"attack: {name}", lambda s=send: s(client))  # type: ignore[misc]


def run_phases(
    base: str, ids: dict[str, str], seconds: float, clients: int, attackers: int
) -> dict[str, Tally]:
    """The mixed load alone, then under attack; each phase ``seconds`` long at most."""
    out: dict[str, Tally] = {}
    for phase, n_attackers in (("mixed load", 0), ("under attack", attackers)):
        tally = Tally()
        stop_at = time.perf_counter() + seconds
        threads = [
            threading.Thread(
                target=_mixed_client, args=(base, ids, tally, stop_at, 10_000, k), daemon=True
            )
            for k in range(clients)
        ] + [
            threading.Thread(
                target=_attacker, args=(base, ids, tally, stop_at, 2_000, k), daemon=True
            )
            for k in range(n_attackers)
        ]
        for t in threads:
            t.start()
        for t in threads:
            t.join(seconds + 180)  # a request in flight at the deadline may take a while
        out[phase] = tally
    return out


def abuse_table(backend: str, phases: dict[str, Tally]) -> list[str]:
    """Rows of the abuse table for one database."""
    lines = []
    for phase, tally in phases.items():
        for kind in sorted(tally.latencies, key=lambda k: (k.startswith("attack"), k)):
            lat = tally.latencies[kind]
            statuses = tally.statuses[kind]
            n = sum(statuses.values())
            fives = sum(c for s, c in statuses.items() if s >= 500)
            codes = " ".join(f"{s}:{c}" for s, c in sorted(statuses.items()))
            lines.append(
                f"{backend:<11}{phase:<14}{kind:<34}{n:>7}{_percentile(lat, 50):>9.1f}"
                f"{_percentile(lat, 99):>9.1f}{100.0 * fives / n if n else 0.0:>7.1f}%  {codes}"
            )
    return lines
