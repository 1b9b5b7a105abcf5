"""Waiting-list benchmark at national scale (a script, not a test).

Run from the repository root::

    python benchmarks/waitlist.py            # full run, a few minutes on 2 cores
    python benchmarks/waitlist.py --quick    # smoke run, seconds

Scenario: the synthetic national generator of ``tests/waitlist/national.py`` with the national
waiting-list size of docs/sources.md [national-queue-2025]: 14,044 offtake + 8,539 feed-in = 22,583
requests (≈ 22,600), 300 HV/MV stations under 10 TenneT regions, a 10-year horizon with 120 monthly
moments, policy ``in-force`` (three regimes), use it or lose it on, 5 % withdrawals per year, a
delay distribution on every one of the ~460 reinforcements.

Measured (median of repeats; the machine is shared, so the load average is printed too):

* one deterministic simulation in peak mode (``simulate``: compile + walk + 22,583
  explanations), target ≤ 2 s;
* the same with a 35,040-step load profile at all 300 stations (profile mode), target ≤ 10 s;
* 1,000 Monte Carlo runs on ``--workers`` threads (default 2; the numba kernel releases the
  GIL), target ≤ 2 min, and the same sequentially, with a check that both give identical
  numbers (run ``i`` always uses the ``i``-th spawned seed);
* how the cost of one simulation grows with the number of requests and of stations (three
  sizes each; exponent of a log-log fit), for ``simulate`` and for the kernel alone.

Peak memory is the process's peak resident set size during a measurement (Linux: the peak is
reset through ``/proc/self/clear_refs`` before each one); ``+MB`` is the part above the
resident size at its start. ``CPU s`` is the median process CPU time (all threads) of a
measurement, steadier than wall time on a shared machine. ``CPU/wall`` is the process's CPU
time (all threads) over the wall time: about 2 when two threads really run at once, about 1
when the second core is taken by other work, well below 1 when others load the machine.
``--no-scaling`` skips the growth rows.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import os
import platform
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import numba  # noqa: E402
from tests.waitlist.national import national_scenario  # noqa: E402

from netruimte.grid import Grid, Station  # noqa: E402
from netruimte.waitlist import (  # noqa: E402
    CompiledScenario,
    Request,
    Scenario,
    SimulationResult,
    compile_scenario,
    monte_carlo,
    run_compiled,
    simulate,
)

# docs/sources.md [national-queue-2025]: national waiting lists on 2025-07-01.
N_OFFTAKE, N_FEEDIN = 14_044, 8_539
N_STATIONS, N_REGIONS, YEARS = 300, 10, 10


# -- memory -------------------------------------------------------------------------------


def _status_kb(key: str) -> int | None:
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith(key + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")  # resets VmHWM, the peak resident set size
        return True
    except OSError:
        return False


def _peak_kb() -> int:
    hwm = _status_kb("VmHWM")
    if hwm is not None:
        return hwm
    import resource

    return int(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss)  # process-wide maximum


# -- measuring ----------------------------------------------------------------------------


@dataclass
class Row:
    """One line of the table."""

    name: str
    size: str
    times_s: list[float]
    cpu_s: list[float]
    target_s: float | None
    peak_mb: float
    extra_mb: float
    result: Any = field(default=None, repr=False)

    @property
    def median_s(self) -> float:
        return statistics.median(self.times_s)


def measure(
    name: str,
    size: str,
    fn: Callable[[], Any],
    repeat: int,
    target_s: float | None,
    *,
    keep: bool = False,
) -> Row:
    """Run ``fn`` ``repeat`` times; median time, the largest peak RSS over the repeats.

    The last result is kept in the row only with ``keep`` (results of 22,583 requests are
    large, and kept ones would inflate the memory of later measurements).
    """
    times, cpus, peaks, extras = [], [], [], []
    result = None
    for _ in range(repeat):
        result = None  # let the previous result go before measuring memory again
        exact = _reset_peak()
        base = _status_kb("VmRSS") or 0
        t0, c0 = time.perf_counter(), time.process_time()
        result = fn()
        times.append(time.perf_counter() - t0)
        cpus.append(time.process_time() - c0)  # all threads of the process
        peak = _peak_kb()
        peaks.append(peak / 1024)
        extras.append((peak - base) / 1024 if exact else math.nan)
    row = Row(name, size, times, cpus, target_s, max(peaks), max(extras), result if keep else None)
    print(
        f"  {name} [{size}]: median {row.median_s:.3f} s over {repeat} "
        f"({', '.join(f'{t:.3f}' for t in times)}); CPU median {statistics.median(cpus):.3f} s",
        file=sys.stderr,
        flush=True,
    )
    return row


def _scenario(
    scale: float = 1.0, stations: int = N_STATIONS, regions: int = N_REGIONS, **kw: Any
) -> Scenario:
    return national_scenario(
        0,
        n_regions=regions,
        n_stations=stations,
        n_offtake=round(N_OFFTAKE * scale),
        n_feedin=round(N_FEEDIN * scale),
        years=YEARS,
        **kw,
    )


def _warm_up() -> None:
    """Load (or compile) the numba kernels once, outside every measurement."""
    grid = Grid((Station("T", 10.0, load_mw=9.0), Station("S", 5.0, parent="T")))
    reqs = tuple(
        Request(f"R{i}", "S", 400.0 * (i + 1), dt.datetime(2025, 1, 1 + i, tzinfo=dt.UTC))
        for i in range(4)
    )
    sc = Scenario("warm-up", dt.date(2026, 1, 1), dt.date(2027, 1, 1), grid, reqs)
    simulate(sc)
    monte_carlo(sc, 4, 1, workers=2)
    prof = _scenario(0.01, stations=6, regions=2, profiles=True, steps=96)
    simulate(prof)


def _same_numbers(a: SimulationResult, b: SimulationResult) -> bool:
    if a.to_json_dict() != b.to_json_dict():
        return False
    return all(
        x.withdrawn_share == y.withdrawn_share for x, y in zip(a.requests, b.requests, strict=True)
    )


def _walked(c: CompiledScenario) -> int:
    """Request-moments the walk visits: each request from its first to its last moment."""
    raw = run_compiled(c)
    took = raw.walk.last_m >= 0
    return int((raw.walk.last_m[took] - c.start_m[took] + 1).sum())


def _scaling(
    label: str, makers: Sequence[Callable[[], Scenario]], regions: int, repeat: int
) -> tuple[list[Row], list[Row], list[int], list[int]]:
    """Time ``simulate`` and the kernel alone on each scenario (built one at a time)."""
    sims, kernels, counts, walked = [], [], [], []
    for make in makers:
        s = make()
        n_st = len(s.grid) - regions
        counts.append(len(s.requests) if label == "requests" else n_st)
        ck = compile_scenario(s)
        walked.append(_walked(ck))
        what = f"{len(s.requests):,} req, {n_st} st, {walked[-1] / 1e6:.2f} M walked"
        sims.append(measure(f"scaling {label}: simulate", what, partial(simulate, s), repeat, None))
        kernels.append(
            measure(f"scaling {label}: kernel", what, partial(run_compiled, ck), repeat, None)
        )
    return sims, kernels, counts, walked


def _exponent(sizes: list[int], rows: list[Row]) -> float:
    slope, _ = np.polyfit(np.log(sizes), np.log([r.median_s for r in rows]), 1)
    return float(slope)


# -- the table ----------------------------------------------------------------------------


def _table(rows: list[Row], quick: bool) -> str:
    head = (
        "measurement", "size", "median s", "CPU s", "repeats", "target s", "ratio", "CPU/wall",
        "peak MB", "+MB",
    )  # fmt: skip
    lines = []
    for r in rows:
        target = "" if r.target_s is None or quick else f"{r.target_s:g}"
        ratio = "" if r.target_s is None or quick else f"{r.median_s / r.target_s:.2f}"
        extra = "" if math.isnan(r.extra_mb) else f"{r.extra_mb:,.0f}"
        busy = sum(r.cpu_s) / sum(r.times_s) if sum(r.times_s) > 0 else math.nan
        lines.append(
            (
                r.name, r.size, f"{r.median_s:.3f}", f"{statistics.median(r.cpu_s):.3f}",
                str(len(r.times_s)), target, ratio,
                f"{busy:.2f}", f"{r.peak_mb:,.0f}", extra,
            )
        )  # fmt: skip
    widths = [max(len(h), *(len(line[k]) for line in lines)) for k, h in enumerate(head)]

    def fmt(cells: tuple[str, ...]) -> str:
        return "  ".join(
            c.ljust(w) if k < 2 else c.rjust(w)
            for k, (c, w) in enumerate(zip(cells, widths, strict=True))
        )

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(head), rule, *(fmt(line) for line in lines)])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, 1 repeat")
    parser.add_argument("--repeat", type=int, default=None, help="repeats of the fast steps")
    parser.add_argument(
        "--mc-repeat", type=int, default=None, help="repeats of the 1,000-run Monte Carlo"
    )
    parser.add_argument("--runs", type=int, default=None, help="Monte Carlo runs (1000)")
    parser.add_argument("--workers", type=int, default=2, help="Monte Carlo threads (2)")
    parser.add_argument(
        "--no-scaling", action="store_true", help="skip the growth rows (three sizes each)"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    scale = 0.1 if quick else 1.0
    stations = 30 if quick else N_STATIONS
    regions = 3 if quick else N_REGIONS
    repeat = args.repeat or (1 if quick else 5)
    mc_repeat = args.mc_repeat or (1 if quick else 2)
    runs = args.runs or (40 if quick else 1000)

    load0 = os.getloadavg()
    print(
        f"waitlist benchmark{' (quick smoke run, no targets)' if quick else ''}: "
        f"{platform.python_version()}, numpy {np.__version__}, numba {numba.__version__}, "
        f"{os.cpu_count()} CPUs, load average {load0[0]:.2f}",
        file=sys.stderr,
        flush=True,
    )
    _warm_up()
    rows: list[Row] = []
    gen = measure(
        "generate the scenario", "", lambda: _scenario(scale, stations, regions), 1, None,
        keep=True,
    )  # fmt: skip
    sc: Scenario = gen.result
    n_off = sum(r.direction.value == "offtake" for r in sc.requests)
    size = (
        f"{len(sc.requests):,} req ({n_off:,} off), {stations} st, "
        f"{len(sc.grid.reinforcements)} rf, {len(sc.moments)} mo"
    )
    gen.size = size
    rows.append(gen)
    rows.append(measure("one simulation, peak", size, lambda: simulate(sc), repeat, 2.0))
    c = compile_scenario(sc)
    rows.append(measure("  kernel only (walk)", size, lambda: run_compiled(c), repeat, None))
    prof_gen = measure(
        "generate 35,040-step profiles", f"{stations} st",
        lambda: _scenario(scale, stations, regions, profiles=True), 1, None, keep=True,
    )  # fmt: skip
    rows.append(prof_gen)
    prof: Scenario = prof_gen.result
    rows.append(
        measure("one simulation, profiles", size, partial(simulate, prof), max(1, repeat - 2), 10.0)
    )
    del prof  # free the profiles before the Monte Carlo
    prof_gen.result = None

    mc = measure(
        f"{runs:,} Monte Carlo, {args.workers} threads", size,
        lambda: monte_carlo(sc, runs, 2026, workers=args.workers), mc_repeat, 120.0, keep=True,
    )  # fmt: skip
    rows.append(mc)
    seq = measure(
        f"{runs:,} Monte Carlo, 1 thread", size,
        lambda: monte_carlo(sc, runs, 2026, workers=1), 1, None, keep=True,
    )  # fmt: skip
    rows.append(seq)
    identical = _same_numbers(mc.result, seq.result)
    mc.result = seq.result = None

    growth: dict[str, float] = {}
    per_walk: dict[str, list[float]] = {}
    for label, makers in (
        ("requests", [partial(_scenario, scale * k, stations, regions) for k in (0.5, 1, 2)]),
        (
            "stations",
            [partial(_scenario, scale, round(stations * k), regions) for k in (0.5, 1, 2)],
        ),
    )[: 0 if args.no_scaling else 2]:
        sims, kernels, counts, walked = _scaling(label, makers, regions, repeat)
        rows += sims + kernels
        growth[f"simulate ~ {label}^k"] = _exponent(counts, sims)
        growth[f"kernel ~ {label}^k"] = _exponent(counts, kernels)
        per_walk[label] = [r.median_s / w * 1e9 for r, w in zip(kernels, walked, strict=True)]

    load1 = os.getloadavg()
    print()
    print(_table(rows, quick))
    print()
    print(
        f"Monte Carlo on {args.workers} threads vs 1 thread: "
        f"{'identical numbers' if identical else 'DIFFERENT NUMBERS'} "
        f"(P10/P50/P90 and withdrawal shares of all {len(sc.requests):,} requests); "
        f"speed-up {seq.median_s / mc.median_s:.2f}x."
    )
    if growth:
        print(
            "Growth (exponent k of a log-log fit over 3 sizes, the other size fixed): "
            + "; ".join(f"{k} = {v:.2f}" for k, v in growth.items())
        )
        print(
            "Kernel time per walked request-moment (ns; a request is walked at every moment "
            "from its first to its last): "
            + "; ".join(f"{k}: " + ", ".join(f"{v:.0f}" for v in vs) for k, vs in per_walk.items())
        )
    print(
        f"Load average (1 min) {load0[0]:.2f} at the start, {load1[0]:.2f} at the end, on "
        f"{os.cpu_count()} CPUs: the machine is shared, so times are noisy."
    )
    return 0 if identical else 1


if __name__ == "__main__":
    sys.exit(main())
