"""Benchmark of the Dask runners (a script, not a test): fleets of site plans and Monte Carlo.

Run from the repository root::

    /work/venv/bin/python benchmarks/scale.py                 # the full run (several minutes)
    /work/venv/bin/python benchmarks/scale.py --sites 100 --runs 100 --min-cost-sites 2

What it measures (one run of each, on an in-process local cluster of worker processes with one
thread each, after a warm-up that loads the compiled kernels and the profile caches):

1. a synthetic fleet of ``--sites`` sites (full year, 15 minutes; written as a fleet CSV) with
   ``min-connection`` on 1 and on 2 workers;
2. ``min-cost`` (the LP planner) for the first ``--min-cost-sites`` sites on 2 workers, when
   :func:`netruimte.planner.lp.min_cost` exists; the time for the whole fleet is extrapolated
   from the median;
3. the national waiting list (``tests/waitlist/national.py``: 300 stations, 22,600 requests,
   10 years) with ``--runs`` Monte Carlo runs on 1 and on 2 workers, checked equal to each
   other, and a sequential sample of runs in this process for the per-run cost.

It prints one table (medians of the per-task times) and, with ``--json FILE``, writes the
numbers. ``docs/scaling.md`` uses them. All data are synthetic.
"""

from __future__ import annotations

import argparse
import json
import os
import pickle
import statistics
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # for tests.waitlist.national

PROFILES = ("G0", "G1", "G2", "G3", "G4", "G5", "G6", "L0", "G25")
PV_ORIENTATIONS = ((30, 180), (15, 180), (35, 135), (35, 225))  # tilt, azimuth at Almere


@dataclass
class Line:
    """One line of the result table."""

    task: str
    items: int
    workers: int
    wall_s: float
    median_task_s: float
    median_cpu_s: float
    cpu_per_item_s: float
    note: str = ""

    @property
    def per_s(self) -> float:
        return self.items / self.wall_s

    @property
    def per_core_s(self) -> float:
        return self.per_s / self.workers


def synthetic_fleet(path: Path, n: int, seed: int = 2025) -> Path:
    """A fleet CSV of ``n`` made-up sites: standard profiles, PV on 60 %, batteries on half,
    time-block rights on 10 %, options for min-cost on every site. Synthetic, seeded."""
    rng = np.random.default_rng(seed)
    header = (
        "name,year,profile,annual_kwh,pv_kwp,pv_tilt_deg,pv_azimuth_deg,pv_max_kwp,"
        "pv_cost_eur_per_kwp_year,battery_energy_kwh,battery_power_kw,battery_max_energy_kwh,"
        "battery_max_power_kw,battery_cost_eur_per_kwh_year,battery_cost_eur_per_kw_year,"
        "import_kw,export_kw,restriction_windows,restriction_import_kw,"
        "contracted_eur_per_kw_year,kwmax_eur_per_kw_month,energy_eur_per_kwh,feed_in_eur_per_kwh"
    )
    lines = ["# SYNTHETIC benchmark fleet (benchmarks/scale.py); every value is made up", header]
    for i in range(n):
        annual = float(np.exp(rng.uniform(np.log(50_000), np.log(2_000_000))))
        mean_kw = annual / 8760
        tilt, azimuth = PV_ORIENTATIONS[int(rng.integers(len(PV_ORIENTATIONS)))]
        has_pv = rng.random() < 0.6
        pv = round(mean_kw * rng.uniform(0.5, 2.0)) if has_pv else 0
        has_battery = rng.random() < 0.5
        energy = round(mean_kw * rng.uniform(1, 4)) if has_battery else 0
        restricted = rng.random() < 0.1
        cells = [
            f"site-{i:04d}", "2025", PROFILES[int(rng.integers(len(PROFILES)))], f"{annual:.0f}",
            str(pv), str(tilt), str(azimuth), str(round(2 * mean_kw)), "65",
            str(energy), str(energy // 2), str(round(6 * mean_kw)), str(round(3 * mean_kw)),
            "30", "40", "minimise", str(round(mean_kw)),
            "16:00-20:00" if restricted else "", str(round(2 * mean_kw)) if restricted else "",
            "30.0", "2.5", "0.22", "0.05",
        ]  # fmt: skip
        lines.append(",".join(cells))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def worker_cpu_s(client: Any) -> float:
    """CPU seconds used so far by all worker processes (tasks plus Dask's own work)."""
    return float(sum(client.run(time.process_time).values()))


def fleet_run(fleet: Any, workers: int, objective: Any, label: str) -> tuple[Line, Any]:
    from netruimte.scale.cluster import dask_client
    from netruimte.scale.fleet import plan_fleet
    from netruimte.scale.fleet_input import Fleet
    from netruimte.sites.plan_file import plan_site

    with dask_client(None, n_workers=workers) as client:
        # warm-up: every worker loads the kernels and fills its profile caches (4 PV shapes)
        warm = Fleet(fleet.source, fleet.kind, fleet.entries[: 4 * workers])
        plan_fleet(warm, plan_site, objective=objective, client=client)
        cpu = worker_cpu_s(client)
        result = plan_fleet(fleet, plan_site, objective=objective, client=client)
        cpu = worker_cpu_s(client) - cpu
    seconds = [row.seconds for row in result.rows]
    statuses = {s: sum(1 for r in result.rows if r.status == s) for s in ("optimal", "infeasible")}
    errors = [r for r in result.rows if r.status == "error"]
    if errors:
        raise RuntimeError(f"{len(errors)} benchmark sites failed, e.g. {errors[0].error}")
    task_cpu = sum(row.cpu_seconds for row in result.rows)
    line = Line(
        label, len(fleet), workers, result.wall_seconds, statistics.median(seconds),
        statistics.median(row.cpu_seconds for row in result.rows), cpu / len(fleet),
        f"{statuses['optimal']} optimal, {statuses['infeasible']} infeasible; "
        f"Dask's share of worker CPU {1 - task_cpu / cpu:.1%}",
    )  # fmt: skip
    return line, result


def monte_carlo_runs(runs: int, sample: int) -> tuple[list[Line], dict[str, Any]]:
    from tests.waitlist.national import national_scenario

    from netruimte.scale.cluster import dask_client
    from netruimte.scale.montecarlo import _grant_dtype, monte_carlo_distributed
    from netruimte.waitlist.engine import compile_scenario
    from netruimte.waitlist.simulation import run_grants, run_seeds

    tick = time.perf_counter()
    scenario = national_scenario(0)
    generate_s = time.perf_counter() - tick
    tick = time.perf_counter()
    c = compile_scenario(scenario)
    compile_s = time.perf_counter() - tick
    seeds = run_seeds(1, sample + 1)
    run_grants(c, seeds[0])  # JIT warm-up
    per_run, per_run_cpu = [], []
    for seed_seq in seeds[1:]:
        tick, cpu = time.perf_counter(), time.process_time()
        run_grants(c, seed_seq)
        per_run.append(time.perf_counter() - tick)
        per_run_cpu.append(time.process_time() - cpu)
    first = Line(
        "national MC, in process", sample, 1, sum(per_run), statistics.median(per_run),
        statistics.median(per_run_cpu), sum(per_run_cpu) / sample,
        "one run after another, no Dask",
    )  # fmt: skip
    lines = [first]
    results = []
    for workers in (1, 2):
        with dask_client(None, n_workers=workers) as client:
            monte_carlo_distributed(scenario, 2 * workers, 0, client=client, chunk=1)  # warm-up
            tick, cpu = time.perf_counter(), worker_cpu_s(client)
            result = monte_carlo_distributed(scenario, runs, 1, client=client)
            wall = time.perf_counter() - tick
            cpu = worker_cpu_s(client) - cpu
        results.append(result.to_json_dict())
        chunk = max(1, -(-runs // (4 * workers)))
        line = Line(
            "national MC on Dask", runs, workers, wall, wall * workers / runs, cpu / runs,
            cpu / runs, f"chunks of {chunk} runs; per-run times = wall × workers / runs",
        )  # fmt: skip
        lines.append(line)
    if results[0] != results[1]:
        raise RuntimeError("the Monte Carlo on 1 and 2 workers differ: a reproducibility bug")
    info = {
        "requests": len(scenario.requests),
        "stations": len(scenario.grid.stations),
        "moments": len(c.moments),
        "generate_s": generate_s,
        "compile_s": compile_s,
        "compiled_pickle_mb": len(pickle.dumps(c)) / 1e6,
        "chunk_result_bytes_per_run": np.dtype(_grant_dtype(len(c.moments))).itemsize
        * c.n_requests,
        "equal_on_1_and_2_workers": True,
    }
    return lines, info


def noop(x: int) -> int:
    """A task that does nothing: its wall time is Dask's own cost per task."""
    return x


def scheduler_overhead(tasks: int) -> Line:
    """End-to-end cost of ``tasks`` empty tasks (submit, schedule, run, return), 2 workers."""
    from distributed import wait

    from netruimte.scale.cluster import dask_client

    with dask_client(None, n_workers=2) as client:
        wait(client.map(noop, range(100)))  # warm-up
        tick = time.perf_counter()
        futures = client.map(noop, range(tasks), pure=False)
        wait(futures)
        wall = time.perf_counter() - tick
    return Line(
        "empty tasks (overhead)", tasks, 2, wall, wall / tasks, float("nan"), float("nan"),
        "submit + schedule + run + report back, one process per worker",
    )  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sites", type=int, default=1000)
    parser.add_argument("--min-cost-sites", type=int, default=4)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--sample-runs", type=int, default=50)
    parser.add_argument("--skip-fleet", action="store_true")
    parser.add_argument("--skip-montecarlo", action="store_true")
    parser.add_argument("--empty-tasks", type=int, default=5000)
    parser.add_argument("--json", type=Path, default=None, help="write the numbers here")
    args = parser.parse_args()

    from netruimte.cli.fleet import min_cost_available
    from netruimte.planner.site import Objective
    from netruimte.scale.fleet_input import load_fleet

    lines: list[Line] = []
    extra: dict[str, Any] = {}
    load_before = os.getloadavg()
    if not args.skip_fleet:
        with tempfile.TemporaryDirectory() as folder:
            fleet = load_fleet(synthetic_fleet(Path(folder) / "fleet.csv", args.sites))
            extra["entry_pickle_bytes"] = len(pickle.dumps(fleet.entries[0]))
            one, first = fleet_run(fleet, 1, Objective.MIN_CONNECTION, "fleet min-connection")
            two, second = fleet_run(fleet, 2, Objective.MIN_CONNECTION, "fleet min-connection")
            same = [r.untimed() for r in first.rows] == [r.untimed() for r in second.rows]
            if not same:
                raise RuntimeError("the fleet on 1 and 2 workers differs: a reproducibility bug")
            two.note += f"; speed-up ×{one.wall_s / two.wall_s:.2f} over 1 worker"
            extra["row_pickle_bytes"] = len(pickle.dumps(first.rows[0]))
            lines += [one, two]
            if min_cost_available() and args.min_cost_sites > 0:
                from netruimte.scale.fleet_input import Fleet

                subset = Fleet(fleet.source, fleet.kind, fleet.entries[: args.min_cost_sites])
                cost, _ = fleet_run(subset, 2, Objective.MIN_COST, "fleet min-cost (subset)")
                # the sample is small and skewed: extrapolate with the mean CPU, not the median
                mean_h = cost.cpu_per_item_s * args.sites / 2 / 3600
                cost.note += (
                    f"; median {cost.median_cpu_s:.2f} s CPU a site; {args.sites} sites ≈ "
                    f"{mean_h:.1f} h on 2 free cores (mean CPU × sites / 2)"
                )
                extra["min_cost_per_site"] = {
                    "median_task_s": cost.median_task_s,
                    "median_cpu_s": cost.median_cpu_s,
                    "mean_cpu_s_incl_dask": cost.cpu_per_item_s,
                    "sites": len(subset),
                }
                lines.append(cost)
            elif args.min_cost_sites > 0:
                extra["min_cost"] = "not measured: netruimte.planner.lp.min_cost is missing"
    if args.empty_tasks > 0:
        lines.append(scheduler_overhead(args.empty_tasks))
    if not args.skip_montecarlo:
        mc_lines, info = monte_carlo_runs(args.runs, args.sample_runs)
        lines += mc_lines
        extra["national"] = info

    load = os.getloadavg()
    head = f"{'task':<24} {'items':>6} {'wrk':>3} {'wall s':>7} {'med s':>7} {'med CPU':>7} "
    head += f"{'CPU/item':>8} {'items/s':>7} {'/core/s':>7}  note"
    print(f"load average before {load_before[0]:.1f}, after {load[0]:.1f} (2 cores, shared)")
    print(head)
    for ln in lines:
        print(
            f"{ln.task:<24} {ln.items:>6} {ln.workers:>3} {ln.wall_s:>7.1f} "
            f"{ln.median_task_s:>7.3f} {ln.median_cpu_s:>7.3f} {ln.cpu_per_item_s:>8.3f} "
            f"{ln.per_s:>7.2f} {ln.per_core_s:>7.2f}  {ln.note}"
        )
    for key, value in extra.items():
        print(f"{key}: {value}")
    if args.json is not None:
        doc = {"lines": [{**ln.__dict__, "per_s": ln.per_s} for ln in lines], **extra}
        doc["load_average"] = [load_before[0], load[0]]
        args.json.write_text(json.dumps(doc, indent=2))


if __name__ == "__main__":
    main()
