"""The time decomposition's engine variants side by side, in one process (not a test).

For each benchmark case (the synthetic office year and the measured years of
``benchmarks/site.py``) it runs :func:`netruimte.planner.lp.temporal.solve_by_time_decomposition`
with the baseline setting and the new one alternately, ``--runs`` times each, and prints wall
and CPU seconds (this process, all threads), evaluations, simplex iterations, the answer, the
lower bound and the proven gap, with the median ratios new / baseline. Simplex iterations and
evaluations do not depend on the machine's load; the seconds do (the load average is printed
with every row).

Compared (``--compare``):

``centre``
    baseline: every segment re-solves from its last basis; new: from the basis it had at the
    stability centre when the new point is nearer the centre than the last point
    (``warm_from_centre``).
``weeks``
    baseline: month segments; new: segments of about a week (``segment_days=7``, each
    month's kW-max a master variable).

Usage::

    python benchmarks/temporal.py                         # all four cases, 3 runs each
    python benchmarks/temporal.py --case galvanising-2017 --runs 1
"""

from __future__ import annotations

import argparse
import importlib.util
import os
import statistics
import sys
import time
from dataclasses import dataclass

from netruimte.planner.lp import lp_inputs
from netruimte.planner.lp.builder import Mode, ModelSpec, build_model
from netruimte.planner.lp.decompose import initial_sizing
from netruimte.planner.lp.inputs import LpInputs
from netruimte.planner.lp.plan import penalty_eur_per_kwh
from netruimte.planner.lp.temporal import solve_by_time_decomposition

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measured import YEARS as measured_years
from measured import measured_site

# benchmarks/site.py by its path: ``import site`` is the standard library's module.
_spec = importlib.util.spec_from_file_location(
    "site_benchmark", os.path.join(os.path.dirname(os.path.abspath(__file__)), "site.py")
)
assert _spec is not None and _spec.loader is not None
site_benchmark = importlib.util.module_from_spec(_spec)
sys.modules["site_benchmark"] = site_benchmark
_spec.loader.exec_module(site_benchmark)


@dataclass(frozen=True)
class Run:
    wall_s: float
    cpu_s: float
    evaluations: int
    iterations: int
    answer_eur: float
    lower_eur: float
    gap: float
    load: float


def run_once(inp: LpInputs, *, workers: int, compare: str, new: bool) -> Run:
    """One min-cost solve by the time decomposition, as :func:`min_cost` calls it."""
    tick, cpu = time.perf_counter(), time.process_time()
    penalty = penalty_eur_per_kwh(inp)
    model = build_model(inp, ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty))
    x0 = initial_sizing(inp, tuple(model.columns.sizing()))
    solution, _, report = solve_by_time_decomposition(
        model,
        x0,
        penalty_eur_per_kwh=penalty,
        workers=workers,
        warm_from_centre=new if compare == "centre" else True,
        segment_days=7 if new and compare == "weeks" else None,
    )
    if solution is None:
        raise RuntimeError("the time decomposition found no plan")
    return Run(
        wall_s=time.perf_counter() - tick,
        cpu_s=time.process_time() - cpu,
        evaluations=len(report.history),
        iterations=sum(it.simplex_iterations for it in report.history),
        answer_eur=report.upper_bound_eur,
        lower_eur=report.lower_bound_eur,
        gap=report.gap,
        load=os.getloadavg()[0],
    )


LABELS = {
    "centre": {False: "baseline: warm from the last", True: "new: warm from the centre"},
    "weeks": {False: "baseline: month segments", True: "new: week segments"},
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--case", default="all", choices=["all", "synthetic", *measured_years])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--compare", default="centre", choices=["centre", "weeks"])
    args = parser.parse_args(argv)
    names = ["synthetic", *measured_years] if args.case == "all" else [args.case]
    print(
        "| case | variant | runs | wall s | CPU s | evaluations | simplex iterations | "
        "answer (EUR) | lower bound (EUR) | gap | load |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    for name in names:
        site = site_benchmark.benchmark_site() if name == "synthetic" else measured_site(name)
        inp = lp_inputs(site)
        runs: dict[bool, list[Run]] = {False: [], True: []}
        for _ in range(args.runs):
            for new in (False, True):
                runs[new].append(run_once(inp, workers=args.threads, compare=args.compare, new=new))
        for new in (False, True):
            rs = runs[new]

            def med(field: str, rs: list[Run] = rs) -> float:
                return statistics.median(getattr(r, field) for r in rs)

            label = LABELS[args.compare][new]
            print(
                f"| {name} | {label} | {len(rs)} | {med('wall_s'):.2f} | {med('cpu_s'):.2f} | "
                f"{med('evaluations'):.0f} | {med('iterations'):,.0f} | "
                f"{med('answer_eur'):,.2f} | {med('lower_eur'):,.2f} | {med('gap'):.1e} | "
                f"{min(r.load for r in rs):.1f}–{max(r.load for r in rs):.1f} |",
                flush=True,
            )
        ratio = {
            field: statistics.median(getattr(r, field) for r in runs[True])
            / statistics.median(getattr(r, field) for r in runs[False])
            for field in ("cpu_s", "iterations", "evaluations")
        }
        print(
            f"|  | ratio new / baseline | | | {ratio['cpu_s']:.2f} | {ratio['evaluations']:.2f} "
            f"| {ratio['iterations']:.2f} | | | | |",
            flush=True,
        )


if __name__ == "__main__":
    main()
