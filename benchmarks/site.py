"""Benchmark of the site planner on a full year at 15 minutes (not a test).

Prints one table:

(a) ``min-connection``: the exact fast engine (:func:`netruimte.planner.min_connection`)
    against the same question as one LP (:func:`netruimte.planner.lp.min_connection_lp`);
(b) ``min-cost`` sizing (new PV, battery kWh and kW, contracted import, monthly kW-max):
    ours (:func:`netruimte.planner.lp.min_cost`, the decomposition over time) against the
    same model built in PyPSA (linopy + HiGHS) as the peer, on the same data, in this process;
    and our own monolithic LP (``method="lp"``) as the reference optimum, to show the gap the
    decomposition proves is real.

The cases: ``synthetic``, a BDEW G25 office profile of 1.5 GWh/year with autocorrelated noise
(seeded), PV from pvlib with the DWD test reference year for Essen, and a day-ahead-like price
series (seeded), tariffs the example values of ``examples/sites/office-pv.toml``; the measured
years of ``benchmarks/measured.py`` on the same tariffs; and ``synthetic-flexible``, the
synthetic office with a night-charging fleet, curtailable cooling and a time-block right
(:func:`flexible_site`; PyPSA's peer model has no flexible loads or restrictions, so that case
has no PyPSA row).

PyPSA is a benchmark-only extra (``pip install pypsa``), never a runtime dependency. Usage::

    python benchmarks/site.py                 # full year; several minutes (the LPs are slow)
    python benchmarks/site.py --weeks 4       # a short smoke run
    python benchmarks/site.py --no-monolithic --no-pypsa
    python benchmarks/site.py --no-ours --no-connection --reference-runs 1   # references only

The note of each reference row gives how much faster ours was, for the answer alone (inputs,
model and solve: ``PlanResult.seconds``) and for the whole call with the checked dispatch.
"""

from __future__ import annotations

import argparse
import ctypes
import dataclasses
import datetime as dt
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

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from measured import YEARS as measured_years
from measured import measured_site

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


def flexible_site(site: Site) -> Site:
    """The synthetic office with every feature of the planner added (assumptions, synthetic):
    an electric fleet that must receive 600 kWh each night between 19:00 and 07:00 at up to
    150 kW (its window runs across every month start), 40 kW of cooling that may be curtailed
    at 0.25 EUR/kWh, and a time-block right that allows at most 250 kW of import between 16:00
    and 20:00 (the office draws up to 374 kW then)."""
    from netruimte.planner import CurtailableLoad, DailyWindow, Restriction, ShiftableLoad

    night = DailyWindow(dt.time(19), dt.time(7))
    evening = DailyWindow(dt.time(16), dt.time(20))
    return dataclasses.replace(
        site,
        name="benchmark office with an electric fleet, curtailable cooling and a time-block "
        "right (synthetic)",
        shiftable=(ShiftableLoad("electric fleet", 600.0, 150.0, night),),
        curtailable=(CurtailableLoad("cooling", 40.0, 0.25),),
        connection=dataclasses.replace(
            site.connection, restrictions=(Restriction((evening,), 250.0),)
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
    measures: list[Measure]
    threads: str
    answer: str
    gap: str = "-"
    note: str = ""
    answer_eur: float | None = None
    lower_eur: float | None = None
    answer_s: float | None = None

    def median(self, field: str) -> float:
        return statistics.median(getattr(m, field) for m in self.measures)


def _fmt(value: float | None, digits: int = 2) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def print_table(rows: list[Row], header: str) -> None:
    print()
    print(header)
    columns = ("question", "method", "runs", "threads", "wall s", "cpu s", "peak MB", "gap")
    columns += ("answer",)
    table = []
    for r in rows:
        wall = r.median("seconds")
        table.append(
            (
                r.question,
                r.method,
                str(len(r.measures)),
                r.threads,
                _fmt(wall, 4 if wall < 0.1 else 2),
                _fmt(r.median("cpu_seconds"), 4 if wall < 0.1 else 2),
                f"{r.median('peak_rss_mb'):.0f}",
                r.gap,
                r.answer,
            )
        )
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
    bare, full = [], []
    for _ in range(repeats):
        tick = time.perf_counter()
        result = min_connection(site, dispatch=False)
        bare.append(time.perf_counter() - tick)
        tick = time.perf_counter()
        min_connection(site, dispatch=True)
        full.append(time.perf_counter() - tick)
    assert result.import_kw is not None
    return statistics.median(bare), statistics.median(full)


def _cases(args: argparse.Namespace) -> list[tuple[str, Site]]:
    chosen = list(measured_years) if args.case == "all" else [args.case]
    if args.case == "all":
        chosen = ["synthetic", *measured_years, "synthetic-flexible"]
    cases = []
    for name in chosen:
        if name == "synthetic":
            cases.append((name, benchmark_site(args.year, args.seed, args.weeks)))
        elif name == "synthetic-flexible":
            cases.append((name, flexible_site(benchmark_site(args.year, args.seed, args.weeks))))
        else:
            cases.append((name, measured_site(name, args.seed)))
    return cases


def run_case(name: str, site: Site, args: argparse.Namespace) -> list[Row]:
    """Every method on one site: ``args.runs`` runs of ours, ``args.reference_runs`` of the
    peer and the monolithic LP."""
    inp = lp_inputs(site)
    print(
        f"\n== {name}: {site.name}; {inp.steps} quarter-hours, load peak "
        f"{inp.load_kw.max():.0f} kW, {inp.load_kw.sum() * 0.25 / 1000:.0f} MWh; load average "
        f"{os.getloadavg()[0]:.1f}",
        flush=True,
    )
    rows: list[Row] = []
    if args.connection:
        rows += _connection_rows(name, site, args)
    ours_row: Row | None = None
    if args.ours:
        ours_row = _ours_row(name, site, args)
        rows.append(ours_row)
    rows += _reference_rows(name, site, inp, args, ours_row)
    return rows


def _connection_rows(name: str, site: Site, args: argparse.Namespace) -> list[Row]:
    """min-connection: the fast engine against the same question as one LP."""
    rows: list[Row] = []
    q = f"{name}: min-connection"
    csite = connection_site(site)
    min_connection(connection_site(benchmark_site(args.year, args.seed, weeks=1)))  # compile
    fast_runs, fast_bare, fast_full = [], [], []
    for _ in range(args.runs):
        with measured() as m:
            bare, full = _time_fast(csite, args.repeats)
        fast_runs.append(m)
        fast_bare.append(bare)
        fast_full.append(full)
    fast = min_connection(csite, dispatch=False)
    assert fast.import_kw is not None
    lp_runs = []
    for _ in range(args.runs):
        with measured() as m:
            lp = min_connection_lp(csite)
        lp_runs.append(m)
    assert lp.import_kw is not None
    lp_s = statistics.median(m.seconds for m in lp_runs)
    bare, full = statistics.median(fast_bare), statistics.median(fast_full)
    rows.append(
        Row(
            q,
            "fast engine (exact kernels)",
            [Measure(bare, bare, 0.0)],
            "1",
            f"{fast.import_kw:.4f} kW",
            note=f"{name}: answer alone {bare * 1e3:.2f} ms ({lp_s / bare:,.0f}x faster than the "
            f"LP); with the checked dispatch {full * 1e3:.1f} ms ({lp_s / full:,.0f}x); medians "
            f"of {args.runs} x {args.repeats} calls",
        )
    )
    rows.append(
        Row(
            q,
            "same question as one LP (HiGHS simplex)",
            lp_runs,
            "1",
            f"{lp.import_kw:.4f} kW",
            note=f"{name}: |LP - fast| = {abs(lp.import_kw - fast.import_kw):.2e} kW",
        )
    )
    print(f"   fast {bare * 1e3:.2f} ms / {full * 1e3:.1f} ms, LP {lp_s:.2f} s", flush=True)
    return rows


def _ours_row(name: str, site: Site, args: argparse.Namespace) -> Row:
    """``args.runs`` runs of ours; the note gives the answer alone (the solve, without the
    dispatch frame and its independent check) next to the whole call."""
    ours_runs = []
    solve_s: list[float] = []
    for _ in range(args.runs):
        with measured() as m:
            ours = min_cost(site, workers=args.threads, gap_tolerance=args.gap)
        ours_runs.append(m)
        solve_s.append(ours.seconds["build"] + ours.seconds["solve"])
        print(
            f"   ours {m.seconds:.2f} s ({m.cpu_seconds:.2f} s CPU, peak {m.peak_rss_mb:.0f} MB): "
            f"{ours.annual_cost_eur} EUR, gap {ours.gap}, lower bound {ours.lower_bound_eur}; "
            f"load average {os.getloadavg()[0]:.1f}",
            flush=True,
        )
    assert ours.annual_cost_eur is not None and ours.lower_bound_eur is not None
    report = ours.report
    evaluations = report.evaluations if report is not None else 1
    return Row(
        f"{name}: min-cost",
        "ours: " + {"temporal": "time decomposition"}.get(ours.method, ours.method),
        ours_runs,
        str(args.threads),
        f"{ours.annual_cost_eur:,.2f} EUR",
        f"{ours.gap:.1e} proven",
        f"{name}: lower bound {ours.lower_bound_eur:,.2f} EUR; {evaluations} evaluations; PV "
        f"{ours.pv_kwp:.1f} kWp, battery {ours.battery_energy_kwh:.1f} kWh / "
        f"{ours.battery_power_kw:.1f} kW, contracted {ours.import_kw:.1f} kW; answer alone "
        f"(inputs, model, solve) {statistics.median(solve_s):.2f} s wall of the "
        f"{statistics.median(m.seconds for m in ours_runs):.2f} s with the checked dispatch",
        answer_eur=ours.annual_cost_eur,
        lower_eur=ours.lower_bound_eur,
        answer_s=statistics.median(solve_s),
    )


def _reference_rows(
    name: str, site: Site, inp: LpInputs, args: argparse.Namespace, ours_row: Row | None
) -> list[Row]:
    """The monolithic LP and PyPSA, ``args.reference_runs`` runs each."""
    rows: list[Row] = []
    q = f"{name}: min-cost"
    reference: float | None = None
    if args.monolithic:
        mono_runs = []
        for _ in range(args.reference_runs):
            with measured() as m:
                mono = min_cost(site, method="lp")
            mono_runs.append(m)
            print(
                f"   monolithic {m.seconds:.2f} s ({m.cpu_seconds:.2f} s CPU, peak "
                f"{m.peak_rss_mb:.0f} MB): {mono.annual_cost_eur} EUR; load average "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
        assert mono.annual_cost_eur is not None
        reference = mono.annual_cost_eur
        if ours_row is not None and ours_row.answer_eur is not None:
            rel = (ours_row.answer_eur - reference) / abs(reference)
            ours_row.gap += f", {rel:.1e} real"
            assert ours_row.lower_eur is not None
            ours_row.note += (
                f"; lower bound <= monolithic optimum: {ours_row.lower_eur <= reference + 1e-6}"
            )
        rows.append(
            Row(
                q,
                "reference: monolithic LP (HiGHS dual simplex)",
                mono_runs,
                "1 (serial)",
                f"{reference:,.2f} EUR",
                "0 (optimal)",
                _ratios(name, "monolithic LP", mono_runs, ours_row),
            )
        )
    if args.pypsa and (site.shiftable or site.curtailable or site.connection.restrictions):
        # The peer model below has PV, a battery, the grid and its tariff only.
        print("   PyPSA: the peer model has no flexible loads or restrictions: skipped", flush=True)
        if ours_row is not None:
            ours_row.note += "; no PyPSA row (its model has no flexible loads or restrictions)"
    elif args.pypsa:
        try:
            import pypsa  # noqa: F401
        except ImportError:
            print("   PyPSA is not installed (pip install -e '.[bench]'): skipped", flush=True)
            return rows
        options: dict[str, Any] = {"solver": "ipm", "run_crossover": "off", "threads": args.threads}
        pypsa_min_cost(lp_inputs(benchmark_site(args.year, args.seed, weeks=1)), options)
        peer_runs = []
        for _ in range(args.reference_runs):
            with measured() as m:
                peer = pypsa_min_cost(inp, options)
            peer_runs.append(m)
            print(
                f"   PyPSA {m.seconds:.2f} s ({m.cpu_seconds:.2f} s CPU, peak "
                f"{m.peak_rss_mb:.0f} MB): {peer['objective']} EUR; load average "
                f"{os.getloadavg()[0]:.1f}",
                flush=True,
            )
        version = sys.modules["pypsa"].__version__
        gap = "-"
        if reference is not None:
            gap = f"{(peer['objective'] - reference) / abs(reference):.1e} real"
        rows.append(
            Row(
                q,
                f"peer: PyPSA {version} + linopy + HiGHS ipm",
                peer_runs,
                str(args.threads),
                f"{peer['objective']:,.2f} EUR",
                gap,
                f"{name}: PV {peer['pv_kwp']:.1f} kWp, battery {peer['energy_kwh']:.1f} kWh "
                f"/ {peer['power_kw']:.1f} kW, contracted {peer['import_kw']:.1f} kW; "
                + _ratios(name, "PyPSA", peer_runs, ours_row),
            )
        )
    return rows


def _ratios(name: str, what: str, runs: list[Measure], ours: Row | None) -> str:
    """How much faster ours is than a reference: answer alone and with the dispatch."""
    wall = statistics.median(m.seconds for m in runs)
    cpu = statistics.median(m.cpu_seconds for m in runs)
    if ours is None or ours.answer_s is None:
        return f"{name}: {what} (ours not run in this process)"
    return (
        f"{name}: ours faster than the {what}: {wall / ours.answer_s:.0f}x (wall) for the "
        f"answer alone, {wall / ours.median('seconds'):.0f}x (wall) and "
        f"{cpu / ours.median('cpu_seconds'):.0f}x (CPU) with the checked dispatch"
    )


def run(args: argparse.Namespace) -> None:
    rows: list[Row] = []
    for name, site in _cases(args):
        case = run_case(name, site, args)
        print_table(case, f"{name} (load average {os.getloadavg()[0]:.1f})")
        rows += case
    print_table(
        rows,
        f"site planner benchmark: {os.cpu_count()} CPUs, load average "
        f"{' / '.join(f'{v:.1f}' for v in os.getloadavg())} (1/5/15 min) at the end; wall, cpu "
        "and peak MB are medians over the runs; cpu s is this process's CPU time over all its "
        f"threads. Tolerances differ: ours stops at a proven relative gap of {args.gap:g}; "
        "PyPSA's interior point and the monolithic simplex solve to HiGHS's default optimality "
        "tolerances (1e-8 and 1e-7; a looser IPM tolerance ends 'unknown' without crossover); "
        "'real' = cost over the monolithic optimum − 1.",
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--year", type=int, default=2025)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--weeks", type=int, default=None, help="cut the year (smoke runs)")
    parser.add_argument("--repeats", type=int, default=20, help="fast-engine timing repeats")
    parser.add_argument(
        "--case",
        default="all",
        choices=["all", "synthetic", *measured_years, "synthetic-flexible"],
        help="site",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs of ours and the fast engine")
    parser.add_argument(
        "--reference-runs", type=int, default=3, help="runs of the peer and the monolithic LP"
    )
    parser.add_argument("--threads", type=int, default=2, help="threads for ours and the peer")
    parser.add_argument("--gap", type=float, default=1e-3, help="relative gap of ours")
    parser.add_argument("--no-pypsa", dest="pypsa", action="store_false")
    parser.add_argument("--no-monolithic", dest="monolithic", action="store_false")
    parser.add_argument("--no-ours", dest="ours", action="store_false", help="references only")
    parser.add_argument("--no-connection", dest="connection", action="store_false")
    run(parser.parse_args(argv))


if __name__ == "__main__":
    main()
