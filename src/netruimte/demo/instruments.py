"""Room before reinforcement in the demo: congestion contracts, relievers that relieve, a hub.

Three instruments operators use to connect people before a reinforcement
(``docs/congestion-management.md``, ``docs/hubs.md``), applied to the Flevoland scenario with
the documented figures of ``data/flevoland/instruments.toml`` (``docs/scenario-flevoland.md``,
"Room before reinforcement"):

* :func:`flevoland_contracts`: a congestion-management contract at each of the six Liander
  stations and one for TenneT's region, each a share of the in-use offtake it relieves;
* :func:`with_relief`: the grid batteries among the requests declare what they can deliver at
  the station's peak (``relief_kw``), so that, granted as steered relievers, they add room;
* :func:`plan_station_hub`: the waiting businesses without priority at one Almere station,
  with their least-cost smart tools, share one contracted connection (the hub engine's exact
  smallest joint import) and :func:`with_hub` files it as one request in their place.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from netruimte.grid.model import Direction
from netruimte.planner.hub import Hub
from netruimte.planner.site import Connection, Site
from netruimte.report.demo_data import HubSummary, RoomCreated
from netruimte.scenario.flevoland import FLEVOLAND_STATIONS, SyntheticRequest, instruments_data
from netruimte.waitlist.congestion import CongestionContract, ContractKind
from netruimte.waitlist.requests import Category, Contract
from netruimte.waitlist.result import SimulationResult
from netruimte.waitlist.scenario import Scenario

__all__ = [
    "HubSummary",
    "flevoland_contracts",
    "hub_members",
    "joint_import_bounds",
    "plan_station_hub",
    "room_created",
    "with_contracts",
    "with_hub",
    "with_relief",
]


# ---- congestion contracts ----------------------------------------------------------------


def flevoland_contracts(
    stations: Sequence[Mapping[str, Any]], settings: Mapping[str, Any] | None = None
) -> tuple[CongestionContract, ...]:
    """One congestion-management contract per Flevoland station and one for TenneT's region.

    Each Liander station's contract is ``share_of_load`` × its in-use offtake (``load_mw``); the
    region's is the same share of the region's in-use offtake **outside** the six stations (the
    stations' contracts already relieve the region: a contract counts at its station and every
    node above it, ``docs/congestion-management.md``). A contract lasts until its station's own
    Liander work (``until``), else until the work that solves the region (``until_default``).

    Parameters
    ----------
    stations
        The scenario's ``[[station]]`` tables (``id``, ``load_mw``).
    settings
        The ``[congestion_contracts]`` table; default the bundled one.
    """
    cfg = dict(settings if settings is not None else instruments_data()["congestion_contracts"])
    share = float(cfg["share_of_load"])
    if not 0 < share < 1:
        raise ValueError(f"congestion_contracts.share_of_load must be in (0, 1), got {share!r}")
    load = {str(s["id"]): float(s["load_mw"]) for s in stations}
    region = str(cfg["region"])
    until: Mapping[str, str] = cfg.get("until", {})
    kind = str(cfg["kind"])

    def contract(station: str, mw: float, ends: str) -> CongestionContract:
        return CongestionContract(
            id=f"{station}-{kind.upper()}",
            station=station,
            kind=ContractKind(kind),
            mw=round(mw, 6),
            start=dt.date.fromisoformat(str(cfg["start"])),
            until=ends,
            eur_per_mw_year=float(cfg["eur_per_mw_year"]),
        )

    default = str(cfg["until_default"])
    out = [contract(s, share * load[s], str(until.get(s, default))) for s in FLEVOLAND_STATIONS]
    outside_mw = load[region] - sum(load[s] for s in FLEVOLAND_STATIONS)
    out.append(contract(region, share * outside_mw, default))
    return tuple(out)


def with_contracts(scenario: Scenario, contracts: Sequence[CongestionContract]) -> Scenario:
    """``scenario`` with ``contracts`` added (the requests unchanged)."""
    return dataclasses.replace(
        scenario, congestion_contracts=(*scenario.congestion_contracts, *contracts)
    )


# ---- congestion relievers that relieve ---------------------------------------------------


def with_relief(scenario: Scenario, share_of_kw: float | None = None) -> Scenario:
    """Every offtake request asking to be a congestion reliever declares ``relief_kw`` =
    ``share_of_kw`` × its kW (default ``[relievers] relief_share_of_kw``). Those with a signed
    contract are then steered relievers; the others rank as "none" as before."""
    share = (
        float(instruments_data()["relievers"]["relief_share_of_kw"])
        if share_of_kw is None
        else share_of_kw
    )
    if not 0 < share <= 1:
        raise ValueError(f"relievers.relief_share_of_kw must be in (0, 1], got {share!r}")
    requests = tuple(
        dataclasses.replace(r, relief_kw=share * r.kw)
        if r.category is Category.CONGESTION_RELIEVER
        and r.direction is Direction.OFFTAKE
        and not r.small_consumer
        else r
        for r in scenario.requests
    )
    return dataclasses.replace(scenario, requests=requests)


# ---- a business-park energy hub ----------------------------------------------------------


def hub_members(
    requests: Sequence[SyntheticRequest], station: str, planned: Mapping[str, float]
) -> list[SyntheticRequest]:
    """The waiting businesses of a station that join its hub: offtake, in the published queue,
    no priority asked, not small consumers, with a smart-tools plan (``planned``: request id
    → its smart firm kW)."""
    return [
        r
        for r in requests
        if r.station == station
        and r.group == "queue"
        and r.direction == "offtake"
        and r.category == "none"
        and not r.small_consumer
        and r.id in planned
    ]


def _common_shape(sites: Sequence[Site], power_per_kwh: float) -> tuple[Site, ...]:
    """Each member's battery cut to ``power_per_kwh`` kW per kWh, inside its own: energy
    ``min(E, P / r)``, power ``r`` × that. Every cut battery can do only what the member's
    own can, so the hub of cut batteries is a restriction of the real hub."""
    out = []
    for site in sites:
        bat = site.battery
        if bat is None or bat.energy_kwh <= 0 or bat.power_kw <= 0:
            out.append(site)
            continue
        energy = min(bat.energy_kwh, bat.power_kw / power_per_kwh)
        cut = dataclasses.replace(bat, energy_kwh=energy, power_kw=power_per_kwh * energy)
        out.append(dataclasses.replace(site, battery=cut))
    return tuple(out)


def joint_import_bounds(hub: Hub) -> tuple[float, float, Hub]:
    """Bounds on a hub's smallest joint import (kW) when its batteries differ in power per kWh.

    Lower: the aggregate site with every battery pooled into one (``ΣE``, ``ΣP``): any joint
    dispatch of the members sums to a dispatch of the pooled battery, so the pool is a
    relaxation. Upper: the hub with every battery cut to one common power per kWh (each
    member's own ratio tried; :func:`_common_shape`), which the exact aggregate engine answers
    (``docs/hubs.md``): a restriction, so feasible for the real hub. Returns ``(lower, upper,
    the cut hub that attains upper)``. The batteries must share their round-trip efficiency
    and state-of-charge fractions (the demo's do); otherwise ``ValueError``.
    """
    from netruimte.planner import min_connection
    from netruimte.planner.hub import aggregate_reason, aggregate_site, hub_min_connection

    batteries = [
        m.battery
        for m in hub.members
        if m.battery is not None and m.battery.energy_kwh > 0 and m.battery.power_kw > 0
    ]
    if len({(b.roundtrip_efficiency, b.soc_min, b.soc_max) for b in batteries}) > 1:
        raise ValueError("the members' batteries differ in efficiency or state-of-charge limits")
    lower = min_connection(aggregate_site(hub), dispatch=False).import_kw
    if lower is None:
        raise RuntimeError(f"hub {hub.name!r}: the pooled hub has no connection")
    best: tuple[float, Hub] | None = None
    for ratio in sorted({b.power_kw / b.energy_kwh for b in batteries}) or [1.0]:
        cut = dataclasses.replace(hub, members=_common_shape(hub.members, ratio))
        if aggregate_reason(cut) is not None:  # pragma: no cover - the cut is one site
            raise RuntimeError(f"hub {hub.name!r}: {aggregate_reason(cut)}")
        upper = hub_min_connection(cut, dispatch=False).import_kw
        if upper is not None and (best is None or upper < best[0]):
            best = (upper, cut)
    if best is None:
        raise RuntimeError(f"hub {hub.name!r}: no joint connection")
    return float(lower), best[0], best[1]


def plan_station_hub(
    members: Sequence[SyntheticRequest],
    smart_kw: Mapping[str, float],
    site_for: Callable[[SyntheticRequest], Site],
    settings: Mapping[str, Any] | None = None,
) -> HubSummary:
    """Plan the hub of ``members`` with the hub engine (``min-connection``): each member is
    its site with its least-cost tools installed (``site_for``), with no limit of its own (its
    surplus may serve the others); the joint connection feeds nothing back (feed-in is
    congested too).

    When the members' batteries are scaled copies of one another the hub is one site and the
    engine's answer is exact. The demo's least-cost batteries differ in power per kWh, which
    would need the joint LP (minutes for a year): instead the hub asks for the upper bound of
    :func:`joint_import_bounds` (a joint connection it can certainly keep, checked dispatch
    included) and the proven gap to the lower bound is reported (``joint_gap_kw``).
    """
    from netruimte.planner import min_connection
    from netruimte.planner.hub import hub_min_connection

    cfg = dict(settings if settings is not None else instruments_data()["hub"])
    if len(members) < 2:
        raise ValueError(f"a hub needs at least 2 members, got {len(members)}")
    sites = tuple(
        dataclasses.replace(site_for(m), connection=Connection(import_kw=None, export_kw=None))
        for m in members
    )
    hub = Hub(name=str(cfg["name"]), members=sites, export_kw=0.0)
    lower, upper, cut = joint_import_bounds(hub)
    checked = hub_min_connection(cut)  # the joint dispatch, checked member by member
    if checked.import_kw is None or abs(checked.import_kw - upper) > 1e-6 * max(1.0, upper):
        raise RuntimeError(f"hub {hub.name!r}: the checked dispatch disagrees")
    alone = []
    for site in sites:
        kw = min_connection(site, dispatch=False).import_kw
        if kw is None:
            raise RuntimeError(f"hub {hub.name!r}: member {site.name!r} has no connection alone")
        alone.append(float(kw))
    return HubSummary(
        id=str(cfg["id"]),
        name=str(cfg["name"]),
        station=str(cfg["station"]),
        members=tuple(m.id for m in members),
        asked_kw=tuple(m.kw for m in members),
        smart_kw=tuple(smart_kw[m.id] for m in members),
        alone_kw=tuple(alone),
        joint_kw=upper,
        joint_gap_kw=upper - lower,
        method=checked.method.value,
        submitted=min(m.submitted for m in members),
    )


def with_hub(scenario: Scenario, hub: HubSummary) -> Scenario:
    """``scenario`` with the hub's members replaced by ONE firm request for the joint kW
    (rounded up to 0.01 kW), at the members' earliest place in the queue, no priority."""
    members = set(hub.members)
    kept = [r for r in scenario.requests if r.id not in members]
    if len(kept) != len(scenario.requests) - len(members):
        raise ValueError(f"hub {hub.id!r}: not every member is a request of the scenario")
    first = next(r for r in scenario.requests if r.id in members)
    joint = dataclasses.replace(
        first,
        id=hub.id,
        applicant=hub.name,
        kw=math.ceil(hub.joint_kw * 100.0) / 100.0,
        submitted=hub.submitted,
        contract=Contract.FIRM,
        capacity_blocks=None,
        used_kw=None,
        profile_kw=None,
        profile_csv=None,
    )
    return dataclasses.replace(scenario, requests=(*kept, joint))


# ---- what the instruments created ---------------------------------------------------------


def room_created(
    scenario: Scenario, result: SimulationResult, hub: HubSummary | None
) -> RoomCreated:
    """The room one variant's instruments created (see :class:`RoomCreated`), from the
    scenario it ran and its result: the contracts' outcomes (MW, MW-years counted, cost, the
    requests they were needed for), the relief credited for the steered relievers granted by
    the end, and the hub's diversity gain (when ``hub`` is its hub)."""
    counted = [k for k in result.congestion_contracts if k.active_moments > 0]
    helped = {rid for k in counted for rid in k.granted_with}
    outcomes = {o.id: o for o in result.requests}
    steered = [
        r
        for r in scenario.requests
        if r.category is Category.CONGESTION_RELIEVER
        and r.contract_signed
        and r.relief_kw > 0
        and r.direction is Direction.OFFTAKE
    ]
    granted = [r for r in steered if outcomes[r.id].granted_on is not None]
    return RoomCreated(
        contracts_mw=sum(k.mw for k in counted),
        contracts_mw_years=sum(k.mw * k.years_active for k in counted),
        contracts_cost_eur=sum(k.cost_eur for k in counted),
        contracts_helped_mw=sum(outcomes[rid].granted_kw for rid in helped) / 1000.0,
        relief_mw=scenario.relief_credit * sum(r.relief_kw for r in granted) / 1000.0,
        relievers_granted=len(granted),
        hub_gain_mw=0.0 if hub is None else hub.diversity_gain_kw / 1000.0,
    )
