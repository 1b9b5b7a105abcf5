"""Benchmark of the site planner on a full year at 15 minutes (not a test).

Prints one table:

(a) ``min-connection``: the exact fast engine (:func:`netruimte.planner.min_connection`)
    against the same question as one LP (:func:`netruimte.planner.lp.min_connection_lp`);
(b) ``min-cost`` sizing (new PV, battery kWh and kW, contracted import, monthly kW-max):
    ours (:func:`netruimte.planner.lp.min_cost`, decomposition over the sizing) against the
    same model built in PyPSA (linopy + HiGHS) as the peer, on the same data, in this process;
    and our own monolithic LP (``method="lp"``) as the reference optimum, to show the gap the
    decomposition proves is real.

The data are synthetic and say so: a BDEW G25 office profile of 1.5 GWh/year with
autocorrelated noise (seeded), PV from pvlib with the DWD test reference year for Essen, and
a day-ahead-like price series (seeded). Tariffs are the example values of
``examples/sites/office-pv.toml``.

PyPSA is a benchmark-only extra (``pip install pypsa``), never a runtime dependency. Usage::

    python benchmarks/site.py                 # full year; several minutes (the LPs are slow)
    python benchmarks/site.py --weeks 4       # a short smoke run
    python benchmarks/site.py --no-monolithic --no-pypsa
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import gc
import os
import statistics
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from netruimte.planner import PV, Battery, Connection, Objective, Site, Tariff, min_connection
from netruimte.planner.lp import min_connection_lp, min_cost
from netruimte.planner.lp.inputs import LpInputs, lp_inputs
from netruimte.profiles import pv_profile, standard_profile

# --------------------------------------------------------------------------- data


def benchmark_site(year: int = 2025, seed: int = 7, weeks: int | None = None) -> Site:
    """The min-cost benchmark site (synthetic; see the module docstring)."""
    rng = np.random.default_rng(seed)
    load = standard_profile("G25", 1_500_000, year)
    n = len(load)
    noise = np.zeros(n)
    shocks = rng.normal(0.0, 0.04, n)
    for t in range(1, n):  # AR(1): measured loads wander, standard profiles do not
        noise[t] = 0.9 * noise[t - 1] + shocks[t]
    load = load * np.clip(1.0 + noise, 0.5, None)
    shape = pv_profile(1.0, 52.37, 5.21, 30.0, 180.0, year)
    idx = load.index
    hour = np.asarray(idx.hour + idx.minute / 60.0)
    day = np.asarray(idx.day_of_year)
    daily = (
        0.03 * np.exp(-(((hour - 8.0) / 2.0) ** 2))
        + 0.05 * np.exp(-(((hour - 19.0) / 2.5) ** 2))
        - 0.02 * np.exp(-(((hour - 13.0) / 2.5) ** 2))
    )
    season = 0.02 * np.cos(2 * np.pi * (day - 15) / 365)
    wander = np.zeros(n)
    steps = rng.normal(0.0, 0.01, n)
    for t in range(1, n):
        wander[t] = 0.98 * wander[t - 1] + steps[t]
    price = pd.Series(0.18 + daily + season + wander, index=idx)
    if weeks is not None:
        cut = weeks * 7 * 96
        load, shape, price = load.iloc[:cut], shape.iloc[:cut], price.iloc[:cut]
    return Site(
        name="benchmark office (synthetic)",
        load_kw=load,
        objective=Objective.MIN_COST,
        year=year,
        pv=PV(kw_per_kwp=shape, kwp=150.0, max_kwp=400.0, cost_eur_per_kwp_year=65.0),
        battery=Battery(
            max_energy_kwh=2000.0,
            max_power_kw=1000.0,
            cost_eur_per_kwh_year=30.0,
            cost_eur_per_kw_year=10.0,
            roundtrip_efficiency=0.90,
        ),
        connection=Connection(import_kw=None, export_kw=200.0),
        tariff=Tariff(
            contracted_eur_per_kw_year=35.0,
            kwmax_eur_per_kw_month=2.8,
            energy_eur_per_kwh=price,
            feed_in_eur_per_kwh=0.04,
        ),
    )


def connection_site(site: Site) -> Site:
    """The min-connection benchmark: the same site with a battery and PV installed."""
    assert site.pv is not None
    return dataclasses.replace(
        site,
        objective=Objective.MIN_CONNECTION,
        pv=dataclasses.replace(site.pv, max_kwp=0.0),
        battery=Battery(energy_kwh=400.0, power_kw=200.0, roundtrip_efficiency=0.90),
    )


# --------------------------------------------------------------------------- measuring


def _rss_bytes() -> int:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")


def _release_memory() -> None:
    """Return freed memory to the OS so that each run starts from a fair baseline."""
    gc.collect()
    with suppress(OSError, AttributeError):
        ctypes.CDLL("libc.so.6").malloc_trim(0)


@dataclass
class Measure:
    """Wall time, CPU time and peak resident memory above the start of the block."""

    seconds: float = 0.0
    cpu_seconds: float = 0.0
    peak_rss_mb: float = 0.0


@contextmanager
def measured() -> Iterator[Measure]:
    """Measure a block: a thread samples the resident set every 5 ms. (Not tracemalloc: it
    cannot see HiGHS's C++ memory, and tracing every Python allocation slows PyPSA down.)"""
    _release_memory()
    result = Measure()
    base = _rss_bytes()
    peak = [base]
    stop = threading.Event()

    def sample() -> None:
        while not stop.is_set():
            peak[0] = max(peak[0], _rss_bytes())
            stop.wait(0.005)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    wall, cpu = time.perf_counter(), time.process_time()
    try:
        yield result
    finally:
        result.seconds = time.perf_counter() - wall
        result.cpu_seconds = time.process_time() - cpu
        stop.set()
        sampler.join()
        peak[0] = max(peak[0], _rss_bytes())
        result.peak_rss_mb = (peak[0] - base) / 2**20


# --------------------------------------------------------------------------- the peer


def pypsa_min_cost(inp: LpInputs, solver_options: dict[str, Any]) -> dict[str, Any]:
    """The same min-cost model in PyPSA (linopy + HiGHS): build, solve, read the optimum.

    Components: load; grid import as an extendable generator (its ``p_nom`` is the contracted
    kW, marginal cost the energy price); export as a generator of ``p ∈ [−X, 0]`` whose cost is
    the feed-in price (negative cost = revenue); installed and new PV as generators with the
    PV shape as ``p_max_pu`` (curtailment free); the battery as a store (kWh, cyclic) with a
    charger and a discharger link of efficiency ``η`` each, their powers tied so that both
    equal the battery's grid-side kW. Monthly kW-max is not a PyPSA feature: it is added with
    ``extra_functionality`` as a variable per month, ``p_grid,t ≤ M_m`` and ``c_M w_m M_m`` in
    the objective.
    """
    import logging
    import warnings

    import pypsa
    import xarray as xr

    logging.getLogger("pypsa").setLevel(logging.ERROR)
    logging.getLogger("linopy").setLevel(logging.ERROR)
    warnings.filterwarnings("ignore", module="pypsa")
    warnings.filterwarnings("ignore", module="linopy")
    warnings.filterwarnings("ignore", category=FutureWarning)
    start = time.perf_counter()
    net = pypsa.Network()
    snapshots = pd.RangeIndex(inp.steps, name="snapshot")
    net.set_snapshots(snapshots)
    net.snapshot_weightings = pd.DataFrame(
        0.25, index=snapshots, columns=net.snapshot_weightings.columns
    )
    yf = inp.year_fraction
    bat = inp.battery
    shape = pd.Series(inp.pv_kw_per_kwp, snapshots)
    net.add("Bus", "site")
    net.add("Load", "load", bus="site", p_set=pd.Series(inp.load_kw, snapshots))
    net.add(
        "Generator",
        "grid",
        bus="site",
        p_nom_extendable=True,
        capital_cost=inp.contracted_eur_per_kw_year * yf,
        marginal_cost=pd.Series(inp.price_eur_per_kwh, snapshots),
    )
    net.add(
        "Generator",
        "export",
        bus="site",
        p_nom=inp.export_kw,
        p_min_pu=-1.0,
        p_max_pu=0.0,
        marginal_cost=inp.feed_in_eur_per_kwh,
    )
    net.add("Generator", "pv_installed", bus="site", p_nom=inp.pv_kwp, p_max_pu=shape)
    net.add(
        "Generator",
        "pv_new",
        bus="site",
        p_nom_extendable=True,
        p_nom_max=inp.pv_max_kwp,
        capital_cost=inp.pv_cost_eur_per_kwp_year * yf,
        p_max_pu=shape,
    )
    net.add("Bus", "battery")
    net.add(
        "Store",
        "battery",
        bus="battery",
        e_nom_extendable=True,
        e_nom_max=bat.max_energy_kwh,
        capital_cost=bat.cost_eur_per_kwh_year * yf,
        e_cyclic=True,
        e_min_pu=bat.soc_min,
        e_max_pu=bat.soc_max,
    )
    net.add(
        "Link",
        "charger",
        bus0="site",
        bus1="battery",
        efficiency=bat.eta,
        p_nom_extendable=True,
        p_nom_max=bat.max_power_kw,
        capital_cost=bat.cost_eur_per_kw_year * yf,
    )
    net.add(
        "Link",
        "discharger",
        bus0="battery",
        bus1="site",
        efficiency=bat.eta,
        p_nom_extendable=True,
        p_nom_max=bat.max_power_kw / bat.eta,
    )
    months = pd.RangeIndex(inp.months, name="month")

    def monthly_peaks(n: Any, _snapshots: Any) -> None:
        model = n.model
        grid = model["Generator-p"].sel(name="grid")
        peak = model.add_variables(lower=0.0, coords=[months], name="kwmax")
        for month in range(inp.months):
            steps = snapshots[inp.month_of_step == month]
            model.add_constraints(
                grid.sel(snapshot=steps) - peak.sel(month=month) <= 0, name=f"kwmax-{month}"
            )
        power = model["Link-p_nom"]
        # Discharger p_nom is on the battery side: grid-side kW = eta × it = charger kW.
        model.add_constraints(
            power.sel(name="charger") - bat.eta * power.sel(name="discharger") == 0,
            name="battery-power",
        )
        price = xr.DataArray(inp.kwmax_eur_per_kw_month * inp.month_weight, coords=[months])
        model.add_objective(model.objective.expression + (price * peak).sum(), overwrite=True)
        timings["build"] = time.perf_counter() - start

    timings: dict[str, float] = {}
    # io_api="direct" hands the model to highspy in memory (no LP file): PyPSA's fastest way.
    status, condition = net.optimize(
        solver_name="highs",
        extra_functionality=monthly_peaks,
        log_to_console=False,
        io_api="direct",
        progress=False,
        **solver_options,
    )
    total = time.perf_counter() - start
    if condition != "optimal":
        raise RuntimeError(f"PyPSA ended {status!r}/{condition!r}")
    return {
        "objective": float(net.objective) + float(getattr(net, "objective_constant", 0.0)),
        "build_s": timings["build"],
        "solve_s": total - timings["build"],
        "pv_kwp": float(net.generators.p_nom_opt["pv_new"]) + inp.pv_kwp,
        "energy_kwh": float(net.stores.e_nom_opt["battery"]),
        "power_kw": float(net.links.p_nom_opt["charger"]),
        "import_kw": float(net.generators.p_nom_opt["grid"]),
    }


# --------------------------------------------------------------------------- table


@dataclass
class Row:
    question: str
    method: str
    measure: Measure
    build_s: float | None
    solve_s: float | None
    answer: str
    note: str = ""


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[Row], header: str) -> None:
    print()
    print(header)
    columns = ("question", "method", "build s", "solve s", "total s", "cpu s", "peak MB", "answer")
    table = [
        (
            r.question,
            r.method,
            _fmt(r.build_s),
            _fmt(r.solve_s, 3 if (r.solve_s or 1) < 0.1 else 2),
            _fmt(r.measure.seconds, 3 if r.measure.seconds < 0.1 else 2),
            _fmt(r.measure.cpu_seconds),
            f"{r.measure.peak_rss_mb:.0f}",
            r.answer,
        )
        for r in rows
    ]
    widths = [max(len(c), *(len(t[i]) for t in table)) for i, c in enumerate(columns)]
    line = "  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))
    print(line)
    print("-" * len(line))
    for t in table:
        print("  ".join(v.ljust(w) for v, w in zip(t, widths, strict=True)))
    notes = [f"  {r.method}: {r.note}" for r in rows if r.note]
    if notes:
        print()
        print("\n".join(notes))


def _time_fast(site: Site, repeats: int) -> tuple[float, float]:
    """Median seconds of ``min_connection`` without and with the checked dispatch."""
    bare = []
    for _ in range(repeats):
        tick = time.perf_counter()
        result = min_connection(site, dispatch=False)
        bare.append(time.perf_counter() - tick)
    tick = time.perf_counter()
    min_connection(site, dispatch=True)
    with_dispatch = time.perf_counter() - tick
    assert result.import_kw is not None
    return statistics.median(bare), with_dispatch


def run(args: argparse.Namespace) -> None:
    tick = time.perf_counter()
    site = benchmark_site(args.year, args.seed, args.weeks)
    inp = lp_inputs(site)
    print(
        f"data: {inp.steps} quarter-hours ({inp.steps / 96:.0f} days), load peak "
        f"{inp.load_kw.max():.0f} kW, {inp.load_kw.sum() * 0.25 / 1000:.0f} MWh; "
        f"made in {time.perf_counter() - tick:.1f} s; {os.cpu_count()} CPUs; "
        f"load average {os.getloadavg()[0]:.1f} at start",
        flush=True,
    )
    rows: list[Row] = []

    # (a) min-connection: fast engine against the same question as an LP.
    small = connection_site(benchmark_site(args.year, args.seed, weeks=1))
    min_connection(small, dispatch=False)  # compile the kernels (cached on disk afterwards)
    csite = connection_site(site)
    with measured() as fast_m:
        fast_s, fast_dispatch_s = _time_fast(csite, args.repeats)
    fast = min_connection(csite, dispatch=False)
    assert fast.import_kw is not None
    rows.append(
        Row(
            "min-connection",
            "fast engine (exact kernels)",
            fast_m,
            None,
            fast_s,
            f"{fast.import_kw:.4f} kW",
            f"median of {args.repeats} calls {fast_s * 1e3:.2f} ms without the dispatch, "
            f"{fast_dispatch_s * 1e3:.1f} ms with the checked dispatch",
        )
    )
    print(f"(a) fast engine: {fast_s * 1e3:.2f} ms, {fast.import_kw:.4f} kW", flush=True)
    with measured() as lp_m:
        lp = min_connection_lp(csite)
    assert lp.import_kw is not None
    lp_build, lp_solve = lp.seconds["build"], lp.seconds["solve"]
    speedup = lp_m.seconds / fast_s
    rows.append(
        Row(
            "min-connection",
            "same question as one LP (HiGHS)",
            lp_m,
            lp_build,
            lp_solve,
            f"{lp.import_kw:.4f} kW",
            f"|LP − fast| = {abs(lp.import_kw - fast.import_kw):.2e} kW; fast engine "
            f"{speedup:,.0f}x faster (target >= 1000x)",
        )
    )
    print(f"(a) LP: {lp_m.seconds:.2f} s, {lp.import_kw:.4f} kW", flush=True)

    # (b) min-cost: ours, then the peer, then our monolithic LP as the reference optimum.
    with measured() as ours_m:
        ours = min_cost(site)
    assert ours.annual_cost_eur is not None and ours.lower_bound_eur is not None
    report = ours.report
    evaluations = report.evaluations if report is not None else 1
    rows.append(
        Row(
            "min-cost",
            "ours: decomposition (HiGHS)",
            ours_m,
            ours.seconds.get("build"),
            ours_m.seconds - ours.seconds.get("build", 0.0),
            f"{ours.annual_cost_eur:,.2f} EUR",
            f"proven gap {ours.gap:.2e} (lower bound {ours.lower_bound_eur:,.2f} EUR); "
            f"{evaluations} dispatch solves (the first, cold, while a sample of days gives the "
            f"first guess); PV {ours.pv_kwp:.1f} kWp, battery {ours.battery_energy_kwh:.1f} kWh "
            f"/ {ours.battery_power_kw:.1f} kW, contracted {ours.import_kw:.1f} kW",
        )
    )
    print(f"(b) ours: {ours_m.seconds:.2f} s, {ours.annual_cost_eur:,.2f} EUR", flush=True)

    peer: dict[str, Any] | None = None
    if args.pypsa:
        try:
            import pypsa  # noqa: F401
        except ImportError:
            print(
                "\nPyPSA is not installed: the peer comparison (b) is skipped. Install it into "
                "this environment with `pip install pypsa` (benchmark only).",
                flush=True,
            )
        else:
            options: dict[str, Any] = {}
            if args.pypsa_solver == "ipm":
                options = {"solver": "ipm", "run_crossover": "off"}
            # Warm up PyPSA's and linopy's lazy imports on one day, outside the measurement.
            pypsa_min_cost(lp_inputs(benchmark_site(args.year, args.seed, weeks=1)), options)
            with measured() as peer_m:
                peer = pypsa_min_cost(inp, options)
            version = sys.modules["pypsa"].__version__
            rows.append(
                Row(
                    "min-cost",
                    f"peer: PyPSA {version} + linopy + HiGHS ({args.pypsa_solver})",
                    peer_m,
                    peer["build_s"],
                    peer["solve_s"],
                    f"{peer['objective']:,.2f} EUR",
                    f"PV {peer['pv_kwp']:.1f} kWp, battery {peer['energy_kwh']:.1f} kWh / "
                    f"{peer['power_kw']:.1f} kW, contracted {peer['import_kw']:.1f} kW; "
                    f"ours {peer_m.seconds / ours_m.seconds:.1f}x faster; ours − peer = "
                    f"{(ours.annual_cost_eur - peer['objective']) / abs(peer['objective']):+.2e}"
                    " (relative)",
                )
            )
            print(f"(b) PyPSA: {peer_m.seconds:.2f} s, {peer['objective']:,.2f} EUR", flush=True)

    if args.monolithic:
        with measured() as mono_m:
            mono = min_cost(site, method="lp")
        assert mono.annual_cost_eur is not None
        rel = (ours.annual_cost_eur - mono.annual_cost_eur) / abs(mono.annual_cost_eur)
        note = (
            f"ours − monolithic = {rel:+.2e} (relative; proven <= {ours.gap:.1e}); lower bound "
            f"<= monolithic optimum: {ours.lower_bound_eur <= mono.annual_cost_eur + 1e-6}"
        )
        if peer is not None:
            note += (
                f"; PyPSA − monolithic = "
                f"{(peer['objective'] - mono.annual_cost_eur) / abs(mono.annual_cost_eur):+.2e}"
            )
        rows.append(
            Row(
                "min-cost",
                "reference: our monolithic LP (HiGHS)",
                mono_m,
                mono.seconds.get("build"),
                mono.seconds.get("solve"),
                f"{mono.annual_cost_eur:,.2f} EUR",
                note,
            )
        )
        print(f"(b) monolithic: {mono_m.seconds:.2f} s, {mono.annual_cost_eur:,.2f}", flush=True)

    print_table(
        rows,
        f"site planner benchmark: {inp.steps} quarter-hours, {os.cpu_count()} CPUs, load "
        f"average {os.getloadavg()[0]:.1f} at the end (other work on the machine inflates wall "
        "times; cpu s is this process's CPU time, over all its threads)",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weeks", type=int, default=None, help="cut the year (smoke runs)")
    parser.add_argument("--repeats", type=int, default=20, help="fast-engine timing repeats")
    parser.add_argument("--no-pypsa", dest="pypsa", action="store_false")
    parser.add_argument("--no-monolithic", dest="monolithic", action="store_false")
    parser.add_argument(
        "--pypsa-solver",
        choices=("simplex", "ipm"),
        default="ipm",
        help="HiGHS method for the peer (ipm: interior point without crossover, as DOMAIN.md §7)",
    )
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
