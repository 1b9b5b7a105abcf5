"""Benchmark of the hub planner: a 10-member hub over a full year at 15 minutes (not a test).

Prints one table: the exact joint minimum by the hub engine (the aggregate site answered by
the single-site O(T) kernels, :func:`netruimte.planner.hub.hub_min_connection`), with and
without building and checking the ten members' dispatches, against the same question as one
joint LP (:mod:`netruimte.planner.hub_lp`, HiGHS) as the baseline, run side by side in this
process. Medians of ``--runs`` runs (default 3), after one warm-up run of the engine (numba's
cached kernels are loaded then), and the load average of the machine.

The data are synthetic and say so: ten BDEW standard profiles (demandlib) scaled to plausible
yearly energies with autocorrelated noise (seeded), PV from pvlib with the DWD test reference
year for Essen on five members, batteries of one shape (0.5 kW per kWh, 90 % round trip) on four
(so the hub is one site: ``docs/hubs.md``), an overnight EV fleet and a midday process as
shiftable loads and a curtailable line. Usage::

    python benchmarks/hub.py                   # full year (the joint LP takes ~30 min a run)
    python benchmarks/hub.py --weeks 4         # a short run
    python benchmarks/hub.py --lp-runs 1       # the joint LP once

Results are in ``docs/hubs.md`` ("Benchmark").
"""

from __future__ import annotations

import argparse
import os
import statistics
import time
from collections.abc import Callable

import numpy as np
import pandas as pd

from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    ShiftableLoad,
    Site,
)
from netruimte.planner.hub import Hub, HubResult, aggregate_reason, hub_min_connection
from netruimte.profiles import pv_profile, standard_profile

# name, BDEW profile, kWh a year, kWp, battery kWh (0: none)
MEMBERS = (
    ("bakery", "G5", 400_000, 60, 120),
    ("office", "G1", 600_000, 250, 0),
    ("depot", "G3", 500_000, 0, 400),
    ("shop", "G4", 250_000, 40, 0),
    ("garage", "G2", 180_000, 0, 0),
    ("weekend-hall", "G6", 150_000, 80, 0),
    ("farm", "L0", 300_000, 150, 200),
    ("school", "G1", 350_000, 120, 0),
    ("cold-store", "G0", 900_000, 0, 600),
    ("homes", "H0", 500_000, 0, 0),
)


def benchmark_hub(year: int = 2025, seed: int = 11, weeks: int | None = None) -> Hub:
    """The benchmark hub (synthetic; see the module docstring)."""
    rng = np.random.default_rng(seed)
    shape = pv_profile(1.0, 52.37, 5.21, 30.0, 180.0, year)
    members = []
    for number, (name, profile, kwh, kwp, bat_kwh) in enumerate(MEMBERS):
        load = standard_profile(profile, kwh, year)
        noise = np.zeros(len(load))
        shocks = rng.normal(0.0, 0.05, len(load))
        for t in range(1, len(load)):  # AR(1): measured loads wander, standard ones do not
            noise[t] = 0.9 * noise[t - 1] + shocks[t]
        load = load * np.clip(1.0 + noise, 0.3, None)
        sun = shape
        if weeks is not None:
            load, sun = load.iloc[: weeks * 7 * 96], shape.iloc[: weeks * 7 * 96]
        pv = PV(sun, kwp=float(kwp)) if kwp else None
        battery = (
            Battery(float(bat_kwh), 0.5 * bat_kwh, roundtrip_efficiency=0.9, soc_min=0.05,
                    soc_max=0.95) if bat_kwh else None
        )  # fmt: skip
        shiftable: tuple[ShiftableLoad, ...] = ()
        if name == "depot":
            window = DailyWindow(pd.Timestamp("19:00").time(), pd.Timestamp("07:00").time())
            shiftable = (ShiftableLoad("EV fleet", 1200.0, 300.0, window),)
        if number == 6:
            window = DailyWindow(pd.Timestamp("10:00").time(), pd.Timestamp("15:00").time())
            shiftable = (ShiftableLoad("grain dryer", 300.0, 120.0, window),)
        curtailable = (CurtailableLoad("process line", 40.0, 0.5),) if name == "cold-store" else ()
        members.append(Site(name, pd.Series(load.to_numpy(), index=load.index), pv=pv,
                            battery=battery, shiftable=shiftable, curtailable=curtailable,
                            connection=Connection(export_kw=None)))  # fmt: skip
    return Hub("benchmark hub (synthetic)", tuple(members), export_kw=0.0)


def _timed(runs: int, call: Callable[[], HubResult]) -> tuple[float, HubResult]:
    seconds = []
    result = None
    for _ in range(runs):
        start = time.perf_counter()
        result = call()
        seconds.append(time.perf_counter() - start)
    assert result is not None
    return statistics.median(seconds), result


def main() -> None:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--weeks", type=int, default=None, help="cut the year to N weeks")
    parser.add_argument("--runs", type=int, default=3, help="runs of the engine (median)")
    parser.add_argument("--lp-runs", type=int, default=3, help="runs of the joint LP (median)")
    args = parser.parse_args()
    hub = benchmark_hub(weeks=args.weeks)
    assert aggregate_reason(hub) is None
    steps = len(hub.index)
    warm_start = time.perf_counter()
    hub_min_connection(hub, dispatch=False)
    warm = time.perf_counter() - warm_start
    fast_s, fast = _timed(args.runs, lambda: hub_min_connection(hub, dispatch=False))
    full_s, full = _timed(args.runs, lambda: hub_min_connection(hub))
    lp_s, lp = _timed(args.lp_runs, lambda: hub_min_connection(hub, force_lp=True))
    assert fast.import_kw is not None and lp.import_kw is not None and full.import_kw is not None
    load = os.getloadavg()
    print(f"hub planner: {len(hub.members)} members, {steps} quarter-hours "
          f"({hub.index[0]:%Y-%m-%d} .. {hub.index[-1]:%Y-%m-%d}); load average "
          f"{load[0]:.2f} {load[1]:.2f} {load[2]:.2f}; warm-up {warm:.2f} s")  # fmt: skip
    print(f"{'method':<44} {'runs':>4} {'median s':>9} {'vs LP':>7} {'joint kW':>12} "
          f"{'diff kW':>9}")  # fmt: skip
    rows = (
        (f"engine: exact minimum ({fast.method})", args.runs, fast_s, fast.import_kw),
        ("engine: minimum + 10 dispatches + check", args.runs, full_s, full.import_kw),
        ("baseline: joint LP (HiGHS, member-indexed)", args.lp_runs, lp_s, lp.import_kw),
    )
    for label, runs, seconds, kw in rows:
        print(f"{label:<44} {runs:>4} {seconds:>9.3f} {lp_s / seconds:>6.1f}x {kw:>12.4f} "
              f"{kw - lp.import_kw:>9.1e}")  # fmt: skip
    alone = sum(s.load_kw.max() for s in hub.members)
    print(f"sum of the members' raw peaks {alone:,.1f} kW; hub peak of load - PV "
          f"{fast.peak_import_before_kw:,.1f} kW")  # fmt: skip


if __name__ == "__main__":
    main()
