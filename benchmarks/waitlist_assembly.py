"""Result assembly (``build_result``) against its baseline, side by side in one process.

Run from the repository root (needs the git history)::

    python benchmarks/waitlist_assembly.py             # national scenario, 5 rounds
    python benchmarks/waitlist_assembly.py --quick     # a tenth of it, 1 round

Baseline: ``src/netruimte/waitlist/explain.py`` of commit d690bf2 (before the assembly read the
kernel arrays once and computed path facts once per station), loaded from git as a module of
its own. Both assemble the same kernel run of the national scenario of
``benchmarks/waitlist.py``, alternating round by round so that both see the same load; the
script checks that both give the same Result JSON, and prints medians of wall and CPU time with
the ratio baseline / current. CPU time is the steadier number on a shared machine.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from types import ModuleType

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from benchmarks.waitlist import N_REGIONS, N_STATIONS, _scenario, _warm_up  # noqa: E402

from netruimte.waitlist import compile_scenario, run_compiled  # noqa: E402

BASELINE = "d690bf2"
MODULE = "src/netruimte/waitlist/explain.py"


def _baseline(tmp: Path) -> ModuleType:
    text = subprocess.run(
        ["git", "-C", str(ROOT), "show", f"{BASELINE}:{MODULE}"],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    path = tmp / "explain_baseline.py"
    path.write_text(text)
    spec = importlib.util.spec_from_file_location("explain_baseline", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["explain_baseline"] = module  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="a tenth of the scenario, 1 round")
    parser.add_argument("--rounds", type=int, default=None, help="rounds (5)")
    args = parser.parse_args(argv)
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        old = _baseline(Path(tmp))
    new = importlib.import_module("netruimte.waitlist.explain")
    rounds = args.rounds or (1 if args.quick else 5)
    _warm_up()
    sc = (
        _scenario(0.1, stations=30, regions=3)
        if args.quick
        else _scenario(1.0, N_STATIONS, N_REGIONS)
    )
    c = compile_scenario(sc)
    raw = run_compiled(c)
    same = old.build_result(c, raw).to_json_dict() == new.build_result(c, raw).to_json_dict()
    load0 = os.getloadavg()[0]
    wall: dict[str, list[float]] = {"baseline": [], "current": []}
    cpu: dict[str, list[float]] = {"baseline": [], "current": []}
    for _ in range(rounds):
        for name, module in (("baseline", old), ("current", new)):
            w, t = time.perf_counter(), time.process_time()
            result = module.build_result(c, raw)
            cpu[name].append(time.process_time() - t)
            wall[name].append(time.perf_counter() - w)
            del result
    load1 = os.getloadavg()[0]
    print(f"build_result on {len(sc.requests):,} requests, {rounds} alternating rounds")
    print(f"{'':10}  {'wall s':>8}  {'CPU s':>8}")
    for name in ("baseline", "current"):
        print(
            f"{name:10}  {statistics.median(wall[name]):8.3f}  {statistics.median(cpu[name]):8.3f}"
        )
    ratio_w = statistics.median(wall["baseline"]) / statistics.median(wall["current"])
    ratio_c = statistics.median(cpu["baseline"]) / statistics.median(cpu["current"])
    print(f"{'ratio':10}  {ratio_w:7.2f}x  {ratio_c:7.2f}x   (baseline {BASELINE} / current)")
    print(f"Same Result JSON: {'yes' if same else 'NO'}. Load average {load0:.2f} -> {load1:.2f}.")
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
