"""Fingerprints of the v1 engine's outputs on seeded scenarios (a regression pin).

The contract-v2 rules (partial offers, small consumers outside the queue, use it or lose it by
the connection's voltage) change outcomes on purpose. With ``partial_offers = false``, no small
consumers and the connection voltage equal to the station's former ``voltage_kv``, a scenario
must give exactly the v1 results: deterministic grants, ranks, stations, headroom after every
moment, and the Monte Carlo grant matrices (threads and Dask).

``tests/waitlist/data/regression_v1.json`` was written by ``python -m tests.waitlist.regression``
with the engine of commit a610d6e (before any v2 change); ``test_regression.py`` recomputes the
fingerprints with the current engine and compares them value by value.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

import numpy as np

from netruimte.waitlist import Scenario, compile_scenario, monte_carlo, run_compiled
from netruimte.waitlist.kernel_types import GRANTED
from tests.waitlist.national import national_scenario
from tests.waitlist.randomcase import random_scenario

FIXTURE = Path(__file__).parent / "data" / "regression_v1.json"
RANDOM_SEEDS = range(40)
MC_RUNS = 12
MC_SEED = 7


def v1_equivalent(sc: Scenario) -> Scenario:
    """The scenario with the v2 rules switched to their v1-equivalent settings.

    No small consumers; whole grants (``partial_offers = false`` once it exists); each
    station's connection voltage equal to its ``voltage_kv`` (the v1 use-it-or-lose-it input).
    """
    req_fields = {f.name for f in fields(type(sc.requests[0]))} if sc.requests else set()
    if "connection_kv" in req_fields:
        reqs = tuple(replace(r, small_consumer=False, connection_kv=None) for r in sc.requests)
    else:
        reqs = tuple(replace(r, small_consumer=False) for r in sc.requests)
    sc = replace(sc, requests=reqs)
    names = {f.name for f in fields(Scenario)}
    if "partial_offers" in names:
        sc = replace(sc, partial_offers=False)
    grid = sc.grid
    station_fields = {f.name for f in fields(grid.stations[0])}
    if "connection_kv" in station_fields:
        stations = tuple(
            replace(s, connection_kv=s.voltage_kv if s.voltage_kv is not None else 10.0)
            for s in grid.stations
        )
        sc = replace(sc, grid=replace(grid, stations=stations))
    return sc


def scenarios() -> Iterator[tuple[str, Scenario]]:
    """The pinned scenarios (v1-equivalent form)."""
    for seed in RANDOM_SEEDS:
        yield f"random-{seed}", v1_equivalent(random_scenario(seed))
    nat = national_scenario(
        5, n_regions=3, n_stations=24, n_offtake=900, n_feedin=500, years=4, profiles=True
    )
    yield "national-profile", v1_equivalent(nat)
    yield "national-peak", v1_equivalent(replace(nat, capacity="peak"))


def _digest(a: np.ndarray) -> str:
    return hashlib.sha256(np.ascontiguousarray(a).tobytes()).hexdigest()


def fingerprint(sc: Scenario) -> dict[str, Any]:
    """The outputs that must not change: grants, ranks, stations, room, Monte Carlo grants."""
    c = compile_scenario(sc)
    raw = run_compiled(c)
    res = monte_carlo(sc, MC_RUNS, MC_SEED, workers=1)
    js = res.to_json_dict()
    finite = np.where(np.isfinite(raw.walk.room_hist_mw), raw.walk.room_hist_mw, 1e9)
    room = np.round(finite * 1e6).astype(np.int64)
    out: dict[str, Any] = {
        "grant_m": [
            int(g) if s == GRANTED else None
            for g, s in zip(raw.walk.grant_m, raw.walk.status, strict=True)
        ],
        "status": [int(s) for s in raw.walk.status],
        "rank": [r["rank"] for r in js["requests"]],
        "category": [r["category"] for r in js["requests"]],
        "percentiles": [
            [r["granted_p10"], r["granted_p50"], r["granted_p90"]] for r in js["requests"]
        ],
        "stations": js["stations"],
        "room_kw_x1000": _digest(room),
    }
    return out


def capture() -> dict[str, Any]:
    """Fingerprints of every pinned scenario with the engine as it is now."""
    return {name: fingerprint(sc) for name, sc in scenarios()}


if __name__ == "__main__":
    FIXTURE.parent.mkdir(exist_ok=True)
    FIXTURE.write_text(json.dumps(capture(), indent=None, sort_keys=True) + "\n")
    print(f"wrote {FIXTURE}")
