"""Golden results: every field of every result on pinned scenarios (a pin for build_result).

``build_result`` turns the kernel's arrays into frozen results and plain-language
explanations. Its speed-ups must not change a single output, so this module dumps *every*
field of every request, station and congestion contract (floats exactly, explanations as
text) for a set of scenarios under every policy, both fits, peak and profile mode, and two
Monte Carlo sets. ``tests/waitlist/data/results_golden.json`` holds the SHA-256 of each part
of each dump (requests, stations, contracts, the compared run, the Result JSON, the rest), as
written by ``python -m tests.waitlist.golden``; ``test_golden.py`` recomputes them.

History: written with the code of commit d690bf2, before the speed-up of build_result, which
passed against it unchanged. Rewritten once since, on purpose, when explanations began to name
the congestion contract or reliever whose room let a request in (issue 11); that rewrite was
checked against the full dumps of d690bf2: every field identical except the explanations of
the 891 requests helped by created room (41 cases), each of which gained exactly that part.
Rewritten again when the bundled Flevoland stations got coordinates for the map (issue 13):
the full dumps differ only in the ``lat`` and ``lon`` of the six Flevoland stations in the 8
Flevoland cases (96 fields, ``None`` → a value).
To see *what* differs, write the full dumps at two commits
(``python -m tests.waitlist.golden --full /tmp/a.json.gz``) and compare them.

Regenerate the fixture only for a deliberate change of the outputs, and say so in the commit.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import gzip
import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np

from netruimte.waitlist import Scenario, SimulationResult, monte_carlo, simulate
from netruimte.waitlist.congestion import CongestionContract, ContractKind
from netruimte.waitlist.requests import Alternative
from tests.waitlist.national import national_scenario
from tests.waitlist.randomcase import random_cm_scenario

FIXTURE = Path(__file__).parent / "data" / "results_golden.json"
EXAMPLE = Path(__file__).parents[2] / "examples" / "waitlist" / "flevoland-small.toml"
POLICIES = ("fcfs", "acm-2024", "acm-2026", "in-force")
RANDOM_SEEDS = range(24)
MC_RUNS, MC_SEED = 16, 11


def _plain(value: Any) -> Any:
    """A JSON-able, exact form of a result field (floats as their repr: bit for bit)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float | np.floating):
        return repr(float(value))
    if isinstance(value, bool | str | int | None):
        return value
    if isinstance(value, np.integer):
        return int(value)
    if isinstance(value, tuple | list):
        return [_plain(v) for v in value]
    if isinstance(value, np.ndarray):
        return {
            "shape": list(value.shape),
            "sha256": hashlib.sha256(np.ascontiguousarray(value).tobytes()).hexdigest(),
        }
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: _plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    raise TypeError(f"no plain form for {type(value).__name__}")


def dump(result: SimulationResult) -> dict[str, Any]:
    """Every field of ``result`` (``compare`` included) plus its Result JSON, exactly."""
    out = _plain(result)
    assert isinstance(out, dict)
    out["json"] = json.dumps(result.to_json_dict(), sort_keys=True)
    return out


@cache
def _national() -> Scenario:
    """Congested (most requests still wait at the end); every 5th firm offtake request accepts
    the alternatives, every 13th withdraws on a date, two congestion contracts."""
    sc = national_scenario(
        3, n_regions=3, n_stations=12, n_offtake=900, n_feedin=400, years=3, profiles=True,
        steps=96 * 28,
    )  # fmt: skip
    reqs = []
    for k, r in enumerate(sc.requests):
        if k % 5 == 0 and r.direction.value == "offtake" and r.contract.value == "firm":
            r = replace(r, accepts=(Alternative("time-block"), Alternative("tdtr", None, 0.0),
                                    Alternative("non-firm")))  # fmt: skip
        if k % 13 == 0:
            day = max(sc.start, r.submitted.date()) + dt.timedelta(days=30 * (k % 29))
            r = replace(r, withdrawn=day)
        reqs.append(r)
    contracts = (
        CongestionContract("CM-A", "S003", ContractKind.CBC_A, 4.0, sc.start, "RF-S003-0",
                           eur_per_mw_year=20_000.0),
        CongestionContract("CM-T", "T1", ContractKind.CBC_T, 9.5, dt.date(2026, 6, 1),
                           dt.date(2028, 1, 1), windows=("16:00-20:00",)),
    )  # fmt: skip
    return replace(sc, requests=tuple(reqs), congestion_contracts=contracts)


@cache
def _flevoland() -> Scenario:
    from netruimte.scenario.flevoland import generate_flevoland, to_waitlist_scenario

    sc: Scenario = to_waitlist_scenario(generate_flevoland(rest_of_region_requests=40))
    return sc


@cache
def _flevoland_profiles() -> Scenario:
    from netruimte.scenario.flevoland import station_load_profiles

    sc = _flevoland()
    profiles = station_load_profiles()
    stations = tuple(
        replace(st, load_profile_mw=profiles[st.id].to_numpy(dtype=np.float64))
        if st.id in profiles
        else st
        for st in sc.grid.stations
    )
    return replace(sc, grid=replace(sc.grid, stations=stations), capacity="profile")


@cache
def _example() -> Scenario:
    from netruimte.scenario.waitlist_toml import load_scenario

    return load_scenario(EXAMPLE)


def cases() -> Iterator[tuple[str, Callable[[], SimulationResult]]]:
    """The pinned runs, by name (lazy: each is computed when called)."""
    for policy in POLICIES:
        for fit in ("first-fit", "strict"):
            for capacity in ("peak", "profile"):

                def nat(p: str = policy, f: str = fit, k: str = capacity) -> SimulationResult:
                    return simulate(replace(_national(), capacity=k), policy=p, fit=f)

                yield f"national-{capacity}-{policy}-{fit}", nat
                if capacity == "peak":

                    def whole(p: str = policy, f: str = fit) -> SimulationResult:
                        sc = replace(_national(), capacity="peak", partial_offers=False)
                        return simulate(sc, policy=p, fit=f)

                    yield f"national-peak-whole-{policy}-{fit}", whole

        def flevo(p: str = policy) -> SimulationResult:
            return simulate(_flevoland(), policy=p)

        yield f"flevoland-{policy}", flevo

        def flevo_profiles(p: str = policy) -> SimulationResult:
            return simulate(_flevoland_profiles(), policy=p)

        yield f"flevoland-profile-{policy}", flevo_profiles

        def example(p: str = policy) -> SimulationResult:
            return simulate(_example(), policy=p, compare="fcfs")

        yield f"example-{policy}-compare-fcfs", example
    for seed in RANDOM_SEEDS:

        def rnd(s: int = seed) -> SimulationResult:
            return simulate(random_cm_scenario(s))

        yield f"random-cm-{seed}", rnd

    def mc() -> SimulationResult:
        return monte_carlo(replace(_national(), capacity="peak"), MC_RUNS, MC_SEED, workers=1)

    yield "national-peak-monte-carlo", mc

    def mc_example() -> SimulationResult:
        return monte_carlo(_example(), MC_RUNS, MC_SEED, workers=1)

    yield "example-monte-carlo", mc_example


def digests(result: SimulationResult) -> dict[str, Any]:
    """SHA-256 of each part of :func:`dump` (the fixture: small, and exact to the bit)."""
    full = dump(result)
    parts: dict[str, Any] = {"n_requests": len(result.requests)}
    for key in ("requests", "stations", "congestion_contracts", "compare", "json"):
        parts[key] = _sha(full.pop(key))
    parts["rest"] = _sha(full)
    return parts


def _sha(value: Any) -> str:
    return hashlib.sha256(json.dumps(value, sort_keys=True).encode()).hexdigest()


def main(argv: list[str] | None = None) -> None:
    """Write the fixture; with ``--full PATH`` also every dump in full (to diff two commits)."""
    import argparse

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--full", type=Path, help="also write the full dumps (.json.gz) here")
    args = parser.parse_args(argv)
    full = {name: dump(run()) for name, run in cases()}
    pinned = {}
    for name, run in cases():
        pinned[name] = digests(run())
        assert _sha(full[name]["requests"]) == pinned[name]["requests"], f"{name} not repeatable"
    FIXTURE.write_text(json.dumps(pinned, indent=1, sort_keys=True) + "\n")
    print(f"{FIXTURE}: {len(pinned)} cases")
    if args.full is not None:
        args.full.write_bytes(gzip.compress(json.dumps(full, sort_keys=True).encode(), mtime=0))
        print(f"{args.full}: the full dumps")


if __name__ == "__main__":
    main()
