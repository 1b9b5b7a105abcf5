"""Benchmark of the command's start-up (not a test).

Runs each command as a fresh process, interleaved round by round so that load from other work
hits every command alike, and prints the median wall time and the median CPU time (user +
system of the child) of each with its ratio to the baseline ``python -c "import numpy,
pandas"`` (the least any command that reads a CSV with pandas can take). On a shared machine
the CPU time is the steadier number: a busy machine stretches the wall time, not the work.
The commands run as installed: the ``netruimte`` console script next to this Python.
Targets (issue 15): ``profile inspect`` of a one-day CSV within 1.5× the
baseline; ``--version`` and ``--help`` within 0.3 s.

Usage::

    python benchmarks/cli_startup.py            # 7 rounds
    python benchmarks/cli_startup.py --rounds 15
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def _one_day_csv(folder: Path) -> Path:
    path = folder / "one-day.csv"
    start = dt.datetime(2025, 1, 6, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    lines = ["timestamp,kw"]
    for step in range(96):
        stamp = start + dt.timedelta(minutes=15 * step)
        lines.append(f"{stamp.isoformat()},{10 + step % 7}")
    path.write_text("\n".join(lines) + "\n")
    return path


def _wall(argv: list[str]) -> tuple[float, float]:
    """Wall seconds and CPU seconds (user + system) of one run of ``argv``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    tick = time.perf_counter()
    subprocess.run(argv, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    wall = time.perf_counter() - tick
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=7)
    args = parser.parse_args(argv)
    python = sys.executable
    script = Path(python).parent / "netruimte"
    entry = [str(script)] if script.exists() else [python, "-m", "netruimte"]
    with tempfile.TemporaryDirectory() as folder:
        csv = _one_day_csv(Path(folder))
        cases = {
            'python -c "pass"': [python, "-c", "pass"],
            'python -c "import numpy, pandas"': [python, "-c", "import numpy, pandas"],
            "netruimte --version": [*entry, "--version"],
            "netruimte --help": [*entry, "--help"],
            "netruimte profile inspect (one day)": [*entry, "profile", "inspect", str(csv)],
        }
        for command in cases.values():  # warm the file cache and any bytecode caches
            _wall(command)
        times: dict[str, list[float]] = {name: [] for name in cases}
        cpus: dict[str, list[float]] = {name: [] for name in cases}
        for _ in range(args.rounds):
            for name, command in cases.items():
                wall, cpu = _wall(command)
                times[name].append(wall)
                cpus[name].append(cpu)
    baseline = statistics.median(times['python -c "import numpy, pandas"'])
    baseline_cpu = statistics.median(cpus['python -c "import numpy, pandas"'])
    load = os.getloadavg()
    print(
        f"CLI start-up: medians of {args.rounds} interleaved runs; load average "
        f"{load[0]:.2f} / {load[1]:.2f} / {load[2]:.2f} (1 / 5 / 15 min)"
    )
    print(
        f"{'command':<38} {'wall s':>7} {'min s':>6} {'× base':>7} {'cpu s':>6} {'× base':>7}"
        "  target"
    )
    targets = {
        "netruimte --version": "<= 0.3 s",
        "netruimte --help": "<= 0.3 s",
        "netruimte profile inspect (one day)": "<= 1.5× baseline",
    }
    for name, values in times.items():
        median = statistics.median(values)
        cpu = statistics.median(cpus[name])
        print(
            f"{name:<38} {median:>7.3f} {min(values):>6.3f} {median / baseline:>6.2f}× "
            f"{cpu:>6.3f} {cpu / baseline_cpu:>6.2f}×  {targets.get(name, 'baseline')}"
        )


if __name__ == "__main__":
    main()
