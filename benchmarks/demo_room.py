"""Benchmark of what the demo's room-before-reinforcement variants add (not a test).

``netruimte demo`` has a 2-minute budget. The room variants add one hub plan (bounds on the
smallest joint import, :func:`netruimte.demo.instruments.plan_station_hub`) and four
single waiting-list runs (contracts, relievers, hub, all three). This script times exactly
those steps on the bundled Flevoland scenario (the full waiting list, as the demo runs it) side
by side with the baseline it sits next to: the "acm" variant's single run and its 100 Monte
Carlo runs (what the demo already does). Medians of ``--runs`` runs after one warm-up, in CPU
seconds of this process (``time.process_time``) and wall seconds, with the load average.

Setup (not timed): the scenario files and the least-cost sizing of the hub members' business
types (four min-cost solves). Usage::

    python benchmarks/demo_room.py --runs 5
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from netruimte.demo.instruments import hub_members, plan_station_hub
from netruimte.demo.run import (
    _member_site,
    _Shapes,
    _TypeCache,
    _with_instruments,
    _write_station_profiles,
    plan_business,
)
from netruimte.report.demo_data import VARIANTS
from netruimte.scenario.flevoland import (
    FLEVOLAND_STATIONS,
    generate_flevoland,
    instruments_data,
    peak_block,
    station_load_profiles,
)
from netruimte.waitlist import monte_carlo, simulate


def _median(fn: Callable[[], object], runs: int) -> tuple[float, float]:
    fn()  # warm-up (numba's cached kernels, caches)
    cpu, wall = [], []
    for _ in range(runs):
        c, w = time.process_time(), time.perf_counter()
        fn()
        cpu.append(time.process_time() - c)
        wall.append(time.perf_counter() - w)
    return statistics.median(cpu), statistics.median(wall)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--mc-runs", type=int, default=100, help="Monte Carlo runs (baseline)")
    args = parser.parse_args()

    from netruimte.scenario.flevoland import write_scenario_files
    from netruimte.scenario.waitlist_toml import load_scenario

    flevo = generate_flevoland()
    profiles = station_load_profiles()
    folder = Path(tempfile.mkdtemp()) / "scenario"
    paths = _write_station_profiles(profiles, folder / "profiles")
    for station in flevo.stations:
        if station["id"] in paths:
            station["load_csv"] = paths[station["id"]]
    base = load_scenario(write_scenario_files(flevo, folder, policy="in-force", fit="first-fit"))
    types = _TypeCache(_Shapes(2025), 0.5)
    station = str(instruments_data()["hub"]["station"])
    everyone = {r.id: 0.0 for r in flevo.requests if r.smart}
    candidates = hub_members(flevo.requests, station, everyone)  # only these are sized
    blocks = {s: peak_block(p) for s, p in profiles.items() if s in FLEVOLAND_STATIONS}
    plans = [plan_business(r, blocks[station], types) for r in candidates]
    smart_kw = {p.request_id: p.firm_kw for p in plans}
    members = hub_members(flevo.requests, station, smart_kw)
    hub = plan_station_hub(members, smart_kw, lambda r: _member_site(r, types))
    variants = {v.key: v for v in VARIANTS}

    rows: list[tuple[str, float, float]] = []
    rows.append(("baseline: 'acm' single run", *_median(
        lambda: simulate(base, policy="in-force"), args.runs)))  # fmt: skip
    rows.append((f"baseline: 'acm' {args.mc_runs} Monte Carlo runs", *_median(
        lambda: monte_carlo(base, args.mc_runs, 2026, policy="in-force"), 1)))  # fmt: skip
    rows.append(("room: hub plan (bounds + checked dispatch)", *_median(
        lambda: plan_station_hub(members, smart_kw, lambda r: _member_site(r, types)),
        args.runs)))  # fmt: skip
    for key in ("acm-contracts", "acm-relievers", "acm-hub", "acm-all"):
        scenario = _with_instruments(base, variants[key], flevo, hub)
        rows.append((f"room: '{key}' single run", *_median(
            lambda s=scenario: simulate(s, policy="in-force"), args.runs)))  # fmt: skip
    reference = rows[0][1]
    added = sum(cpu for name, cpu, _ in rows if name.startswith("room:"))
    print(f"demo room variants, full Flevoland scenario, medians of {args.runs} "
          f"(Monte Carlo: 1), load average {os.getloadavg()[0]:.1f}")  # fmt: skip
    print("| step | CPU s | wall s | CPU vs 'acm' single run |\n|---|---|---|---|")
    for name, cpu, wall in rows:
        print(f"| {name} | {cpu:.3f} | {wall:.3f} | {cpu / reference:.1f}x |")
    print(f"| room variants in all | {added:.3f} | | {added / reference:.1f}x |")


if __name__ == "__main__":
    main()
