"""The main job: the Flevoland scenario end to end (``netruimte demo``).

Steps (each reported to a progress callback):

1. generate the scenario (published grid figures, seeded synthetic waiting list) and write it
   in the contract's file formats, with synthetic station load profiles;
2. run the waiting list under ``fcfs`` and ``in-force`` (the ACM framework on each date), with
   Monte Carlo over the reinforcement delays, and once with the works as originally planned;
3. size the smart tools (PV, battery, flexible processes) of every waiting business that can
   use them at the least cost under example tariffs (one min-cost solve per business type,
   scaled: :mod:`netruimte.demo.sizing`): the contracted kW becomes its firm request,
   and the exact smallest time-block connection where the station's peak block is kept free
   its time-block request;
4. run the waiting list again with those smaller (or time-block) requests;
5. room before reinforcement (:mod:`netruimte.demo.instruments`): run it with
   congestion contracts at the stations, with the grid batteries relieving as congestion
   relievers, with the waiting businesses of one Almere station as one energy hub, and with
   all three on top of the smart tools;
6. collect what it means: who is connected when, per category, for the campus, and what the
   slipped works cost.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Final

import pandas as pd

from netruimte.demo.instruments import (
    flevoland_contracts,
    hub_members,
    plan_station_hub,
    room_created,
    with_contracts,
    with_hub,
    with_relief,
)
from netruimte.demo.sizing import (
    REFERENCE_KW,
    TypeSizing,
    business_site,
    installed_site,
    size_type,
)
from netruimte.grid.model import Grid
from netruimte.grid.representative import complement_windows
from netruimte.planner.site import Connection, Site
from netruimte.profiles import pv_profile, standard_profile, write_profile_csv
from netruimte.report.demo_data import (
    VARIANTS,
    BusinessPlan,
    DemoOptions,
    DemoResult,
    HubSummary,
    RoomCreated,
    Variant,
    campus_table,
    connection_table,
    variant_summary,
)
from netruimte.scenario.flevoland import (
    FLEVOLAND_STATIONS,
    PROFILE_YEAR,
    FlevolandScenario,
    SyntheticRequest,
    generate_flevoland,
    instruments_data,
    peak_block,
    station_load_profiles,
    write_scenario_files,
)
from netruimte.scenario.waitlist_toml import load_scenario
from netruimte.waitlist import monte_carlo, simulate
from netruimte.waitlist.requests import Contract
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = [
    "VARIANTS",
    "BusinessPlan",
    "DemoOptions",
    "DemoResult",
    "Variant",
    "campus_table",
    "connection_table",
    "plan_business",
    "run_demo",
    "variant_summary",
]

ProgressFn = Callable[[str, int, int], None]
"""``progress(task, done, total)``: called as work advances."""

ALMERE: Final = (52.37, 5.21)


# ---- smart tools per business ------------------------------------------------------------


class _Shapes:
    """Profiles shared by all businesses: one standard-profile shape per name, one PV shape."""

    def __init__(self, year: int) -> None:
        self.year = year
        self._load: dict[str, pd.Series] = {}
        self.pv_kw_per_kwp = pv_profile(1.0, *ALMERE, 30, 180, year)

    def load_per_peak_kw(self, profile: str) -> pd.Series:
        if profile not in self._load:
            shape = standard_profile(profile, 1.0e6, self.year)
            self._load[profile] = shape / shape.max()
        return self._load[profile]


class _TypeCache:
    """One min-cost sizing per business type at the reference size, computed on first use."""

    def __init__(self, shapes: _Shapes, c_rate: float) -> None:
        self.shapes = shapes
        self.c_rate = c_rate
        self._sizing: dict[tuple[str, str, float, float, float], TypeSizing] = {}

    def reference_site(self, request: SyntheticRequest, kw: float = REFERENCE_KW) -> Site:
        """The site of the request's type at peak ``kw`` (the reference size unless given)."""
        return business_site(
            request.applicant,
            self.shapes.load_per_peak_kw(request.profile),
            self.shapes.pv_kw_per_kwp,
            self.shapes.year,
            kw,
            pv_kwp_per_kw=request.pv_kwp_per_kw,
            battery_kwh_per_kw=request.battery_kwh_per_kw,
            flex_share=request.flex_share,
            c_rate=self.c_rate,
        )

    def sizing(self, request: SyntheticRequest) -> TypeSizing:
        key = (
            request.type_key,
            request.profile,
            request.pv_kwp_per_kw,
            request.battery_kwh_per_kw,
            request.flex_share,
        )
        if key not in self._sizing:
            self._sizing[key] = size_type(self.reference_site(request))
        return self._sizing[key]

    def __len__(self) -> int:
        return len(self._sizing)


def plan_business(request: SyntheticRequest, block: str, types: _TypeCache) -> BusinessPlan:
    """Size smart tools at the least cost and compute what the business then asks for.

    The site's load is the request's standard profile with its peak at the requested kW (the
    request is what the business needs today). PV, battery, flexible share and contracted kW
    are its type's min-cost plan at the reference size, scaled to the request (exact: the LP is
    homogeneous, ``docs/formulation.md``). The firm request becomes the contracted kW (at
    most the requested kW). The time-block request (0 kW inside the station's peak block) is
    the larger of that and the exact smallest import outside the block that those sizes
    allow: the business keeps its least-cost contracted kW unless keeping the block free
    needs more (the sizes are not re-optimised for the block). ``None``: the sized tools
    cannot keep the block free. Export is not allowed (feed-in is congested too).
    """
    from netruimte.planner import Restriction, min_connection
    from netruimte.scenario.site_toml import parse_window

    sizing = types.sizing(request)
    scale = request.kw / REFERENCE_KW
    sized = sizing.scaled(scale)
    base = types.reference_site(request, request.kw)
    installed = installed_site(base, sized)
    restricted = dataclasses.replace(
        installed,
        connection=Connection(
            import_kw=None,
            export_kw=0.0,
            restrictions=(Restriction(windows=(parse_window(block),), import_kw=0.0),),
        ),
    )
    timeblock = min_connection(restricted, dispatch=False)
    firm_kw = min(sized.contracted_kw, request.kw)
    return BusinessPlan(
        request_id=request.id,
        applicant=request.applicant,
        type_key=request.type_key,
        station=request.station,
        requested_kw=request.kw,
        pv_kwp=sized.pv_kwp,
        battery_kwh=sized.battery_kwh,
        battery_kw=sized.battery_kw,
        flex_kw=sized.flex_kw,
        firm_kw=firm_kw,
        block=block,
        timeblock_kw=None if timeblock.import_kw is None else max(timeblock.import_kw, firm_kw),
        contracted_kw=sized.contracted_kw,
        annual_cost_eur=sized.annual_cost_eur,
        cost_gap=sized.gap,
    )


# ---- the job ------------------------------------------------------------------------------


def _write_station_profiles(profiles: Mapping[str, pd.Series], folder: Path) -> dict[str, str]:
    folder.mkdir(parents=True, exist_ok=True)
    paths: dict[str, str] = {}
    for station, mw in profiles.items():
        path = folder / f"{station.lower()}-load.csv"
        write_profile_csv(mw * 1000.0, path, column="mw", decimals=4)
        paths[station] = f"profiles/{path.name}"
    return paths


def _smart_requests(
    scenario: Scenario, plans: Sequence[BusinessPlan], *, timeblock: bool
) -> Scenario:
    by_id = {p.request_id: p for p in plans}
    requests = []
    for request in scenario.requests:
        plan = by_id.get(request.id)
        if plan is None:
            requests.append(request)
        elif timeblock and plan.timeblock_kw is not None:
            requests.append(
                dataclasses.replace(
                    request,
                    kw=max(plan.timeblock_kw, 1e-3),
                    contract=Contract.TIME_BLOCK,
                    capacity_blocks=complement_windows((plan.block,)),
                    used_kw=None,
                )
            )
        else:
            requests.append(dataclasses.replace(request, kw=max(plan.firm_kw, 1e-3), used_kw=None))
    return dataclasses.replace(scenario, requests=tuple(requests))


def _member_site(request: SyntheticRequest, types: _TypeCache) -> Site:
    """A business with its least-cost tools installed (as it would join a hub)."""
    sized = types.sizing(request).scaled(request.kw / REFERENCE_KW)
    return installed_site(types.reference_site(request, request.kw), sized)


def _station_hub(
    flevo: FlevolandScenario, plans: Sequence[BusinessPlan], types: _TypeCache
) -> HubSummary | None:
    """The energy hub of the demo's hub variants (None with fewer than two members, e.g. in a
    quick run that plans only a few businesses)."""
    settings = instruments_data()["hub"]
    smart_kw = {p.request_id: p.firm_kw for p in plans}
    members = hub_members(flevo.requests, str(settings["station"]), smart_kw)
    if len(members) < 2:
        return None
    return plan_station_hub(members, smart_kw, lambda r: _member_site(r, types), settings)


def _with_instruments(
    scenario: Scenario, variant: Variant, flevo: FlevolandScenario, hub: HubSummary | None
) -> Scenario:
    if "contracts" in variant.instruments:
        scenario = with_contracts(scenario, flevoland_contracts(flevo.stations))
    if "relievers" in variant.instruments:
        scenario = with_relief(scenario)
    if "hub" in variant.instruments and hub is not None:
        scenario = with_hub(scenario, hub)
    return scenario


def _with_works(scenario: Scenario, planned: FlevolandScenario) -> Scenario:
    dates = {r["id"]: dt.date.fromisoformat(r["date"]) for r in planned.reinforcements}
    grid = scenario.grid
    works = tuple(dataclasses.replace(w, date=dates[w.id]) for w in grid.reinforcements)
    return dataclasses.replace(scenario, grid=Grid(grid.stations, works))


def run_demo(options: DemoOptions, progress: ProgressFn | None = None) -> DemoResult:
    """Run the whole demo (files: :func:`netruimte.demo.output.write_demo`)."""
    report = progress or (lambda task, done, total: None)
    timings: dict[str, float] = {}
    clock = time.perf_counter()

    report("scenario", 0, 3)
    flevo = generate_flevoland(rest_of_region_requests=options.rest_of_region_requests)
    planned = generate_flevoland(
        works="planned", rest_of_region_requests=options.rest_of_region_requests
    )
    profiles = station_load_profiles()
    blocks = {station: peak_block(profile) for station, profile in profiles.items()}
    report("scenario", 1, 3)
    folder = options.out_dir / "scenario"
    profile_paths = _write_station_profiles(profiles, folder / "profiles")
    for station in flevo.stations:
        if station["id"] in profile_paths:
            station["load_csv"] = profile_paths[station["id"]]
    toml_path = write_scenario_files(flevo, folder, policy="in-force", fit="first-fit")
    report("scenario", 2, 3)
    base = load_scenario(toml_path)
    report("scenario", 3, 3)
    timings["scenario"] = time.perf_counter() - clock

    smart = [r for r in flevo.requests if r.smart and r.station in FLEVOLAND_STATIONS]
    if options.max_businesses is not None:
        smart = smart[: options.max_businesses]
    clock = time.perf_counter()
    types = _TypeCache(_Shapes(PROFILE_YEAR), options.battery_c_rate)
    plans: list[BusinessPlan] = []
    for k, request in enumerate(smart):
        report("site plans", k, len(smart))
        plans.append(plan_business(request, blocks[request.station], types))
    report("site plans", len(smart), len(smart))
    timings["site plans"] = time.perf_counter() - clock
    clock = time.perf_counter()
    hub = _station_hub(flevo, plans, types)
    timings["energy hub"] = time.perf_counter() - clock

    scenarios = {
        "as filed": base,
        "smart": _smart_requests(base, plans, timeblock=False),
        "smart+time-block": _smart_requests(base, plans, timeblock=True),
    }
    results: dict[str, SimulationResult] = {}
    room: dict[str, RoomCreated] = {}
    for k, variant in enumerate(VARIANTS):
        report("waiting list", k, len(VARIANTS))
        clock = time.perf_counter()
        scenario = scenarios[variant.requests]
        if variant.works == "planned":
            scenario = _with_works(scenario, planned)
        scenario = _with_instruments(scenario, variant, flevo, hub)
        if variant.monte_carlo and options.runs > 1:
            results[variant.key] = monte_carlo(
                scenario, options.runs, options.seed, policy=variant.policy
            )
        else:
            results[variant.key] = simulate(scenario, policy=variant.policy)
        if variant.instruments:
            used_hub = hub if "hub" in variant.instruments else None
            room[variant.key] = room_created(scenario, results[variant.key], used_hub)
        timings[f"waiting list: {variant.key}"] = time.perf_counter() - clock
    # what the corrected rules change: the "acm" variant once more with whole grants only
    clock = time.perf_counter()
    acm = next(v for v in VARIANTS if v.key == "acm")
    whole = simulate(
        dataclasses.replace(scenarios[acm.requests], partial_offers=False), policy=acm.policy
    )
    timings["waiting list: whole grants"] = time.perf_counter() - clock
    report("waiting list", len(VARIANTS), len(VARIANTS))
    return DemoResult(
        whole_grants=whole,
        options=options,
        scenario=flevo,
        results=results,
        plans=tuple(plans),
        blocks=blocks,
        station_profiles_mw=profiles,
        timings_s=timings,
        hub=hub,
        room=room,
    )
