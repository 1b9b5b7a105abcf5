"""Energy hubs: several sites behind one contracted connection (a group transport agreement).

A hub is a tuple of member sites (each a :class:`~netruimte.planner.site.Site`, unchanged) and
one joint connection. Per step every member exchanges power with the hub's internal net; its
own numeric ``connection.import_kw``/``export_kw`` and restriction windows are the physical
limits of its own cable. The hub's net import is the sum of the members' net imports (exports
net against imports) and must stay within the joint limit (model and proofs: ``docs/hubs.md``).

* :func:`hub_min_connection`: the smallest joint import limit, exact. When no member has a
  limit of its own that can bind and all batteries are scaled copies of one another (same
  efficiency, C-rate and state-of-charge fractions), the hub *is* one site (its aggregate,
  proved so in ``docs/hubs.md``) and the single-site engine answers it
  (:func:`netruimte.planner.min_connection`), otherwise the joint LP
  (:mod:`netruimte.planner.hub_lp`). The result says which.
* :func:`verify_hub_dispatch`: an independent check of a joint dispatch.

Pure: no web, database or CLI framework is imported here.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Final

import numpy as np
import pandas as pd

from netruimte.conventions import FloatArray
from netruimte.errors import InputError
from netruimte.planner.dispatch import SHIFTABLE_PREFIX, verify_dispatch
from netruimte.planner.fast import min_connection
from netruimte.planner.result import PlanStatus
from netruimte.planner.site import PV, Battery, Connection, Objective, Site, Tariff

__all__ = [
    "MEMBER_SEPARATOR",
    "Hub",
    "HubMethod",
    "HubResult",
    "aggregate_reason",
    "aggregate_site",
    "hub_min_connection",
    "hub_net_import_kw",
    "member_columns",
    "peak_before_kw",
    "verify_hub_dispatch",
]


_SAME_RTOL: Final = 1e-9
"""Relative tolerance for "the same" battery efficiency, C-rate and state-of-charge fraction."""

MEMBER_SEPARATOR: Final = "/"
"""Joins a member's name and its shiftable load's name in the aggregate site."""


class HubMethod(StrEnum):
    """Which exact method answered a hub question."""

    AGGREGATE_KERNEL = "aggregate-kernel"
    """The hub is one site; the single-site O(T) kernels answered."""
    AGGREGATE_LP = "aggregate-lp"
    """The hub is one site with overlapping shiftable windows; the single-site LP answered."""
    JOINT_LP = "joint-lp"
    """The joint LP with member-indexed variables (HiGHS)."""


@dataclass(frozen=True)
class Hub:
    """Member sites sharing one contracted connection.

    Attributes
    ----------
    name
        The hub's name (the applicant of its one waiting-list request).
    members
        The member sites, each with its own load, PV, battery, flexibility and own-connection
        limits; all on one index (same time zone, same steps). Names are unique.
    objective
        ``min-connection`` (installed assets only) or ``min-cost``.
    import_kw
        The joint contracted import (kW); ``None`` means "minimise" (the planner chooses it).
    export_kw
        The joint feed-in limit (kW); ``None`` means unlimited.
    tariff
        The tariff of the joint connection (the members' own tariffs are not used in the hub:
        one contract, one bill).
    """

    name: str
    members: tuple[Site, ...]
    objective: Objective = Objective.MIN_CONNECTION
    import_kw: float | None = None
    export_kw: float | None = 0.0
    tariff: Tariff = field(default_factory=Tariff)

    def __post_init__(self) -> None:
        if not self.members:
            raise InputError("expected at least one [[member]]", field="member")
        names = [m.name for m in self.members]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            raise InputError(
                f"member names must be unique; repeated: {repeated}", field="member.site.name"
            )
        first = self.members[0]
        for number, member in enumerate(self.members[1:], start=2):
            if member.timezone != first.timezone:
                raise InputError(
                    f"member {member.name!r} is in time zone {member.timezone!r}, member "
                    f"{first.name!r} in {first.timezone!r}: a hub has one time zone",
                    field=f"member[{number}].site.timezone",
                )
            if not member.index.equals(first.index):
                raise InputError(
                    f"member {member.name!r} covers {len(member.index)} steps from "
                    f"{member.index[0].isoformat()}, member {first.name!r} "
                    f"{len(first.index)} steps from {first.index[0].isoformat()}: members "
                    "must cover the same steps (same year and span)",
                    field=f"member[{number}].site.year",
                )
        for key, value in (("connection.import_kw", self.import_kw),
                           ("connection.export_kw", self.export_kw)):  # fmt: skip
            if value is not None and not (math.isfinite(value) and value >= 0):
                raise InputError(f"expected a finite number >= 0, got {value!r}", field=key)
        if isinstance(self.tariff.energy_eur_per_kwh, pd.Series) and not (
            self.tariff.energy_eur_per_kwh.index.equals(self.index)
        ):
            raise InputError("expected prices on the members' index", field="tariff")

    @property
    def index(self) -> pd.DatetimeIndex:
        """The common 15-minute index of every member."""
        return self.members[0].index


@dataclass(frozen=True)
class HubResult:
    """The smallest joint import limit of a hub and a joint dispatch that keeps to it.

    Attributes
    ----------
    status
        ``optimal`` or ``infeasible`` (see ``reason``).
    import_kw
        The smallest joint import limit (kW); ``None`` when infeasible.
    reason
        Why no limit works; ``None`` when optimal.
    method
        Which exact method answered (:class:`HubMethod`).
    dispatches
        Per member its dispatch (columns of :mod:`netruimte.planner.dispatch`; ``import_kw``
        and ``export_kw`` are its exchange with the hub); ``None`` when infeasible or not
        asked for.
    soc_start_kwh
        Per member the battery's state of charge at the start (kWh; 0 without a battery).
    peak_import_before_kw
        Peak of the hub's load − PV, without batteries or flexibility (kW, ≥ 0).
    """

    status: PlanStatus
    import_kw: float | None
    reason: str | None
    method: HubMethod
    dispatches: tuple[pd.DataFrame, ...] | None
    soc_start_kwh: tuple[float, ...] | None
    peak_import_before_kw: float


def _active_battery(site: Site) -> Battery | None:
    bat = site.battery
    if bat is None or bat.energy_kwh <= 0 or bat.power_kw <= 0:
        return None
    return bat


def _can_export(site: Site) -> bool:
    """Whether the member could ever send power into the hub with its installed assets."""
    has_pv = site.pv is not None and site.pv.kwp > 0 and bool(site.pv.kw_per_kwp.max() > 0)
    return has_pv or _active_battery(site) is not None


def _same(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=_SAME_RTOL, abs_tol=1e-12)


def aggregate_reason(hub: Hub) -> str | None:
    """Why the hub is *not* one site for ``min-connection`` (``None`` when it is).

    The hub equals one aggregate site (:func:`aggregate_site`) when no member has a limit of
    its own that can bind (a numeric ``import_kw``, restriction windows, or an export limit on
    a member that has PV or a battery) and all installed batteries are scaled copies of one
    another: the same round-trip efficiency, power per kWh and ``soc_min``/``soc_max``. A hub
    of one member is one site unless the member has a numeric ``import_kw`` (its windows then
    act on the hub's one point, and exporting never lowers the import).
    """
    reference: Battery | None = None
    alone = len(hub.members) == 1
    for member in hub.members:
        conn = member.connection
        if conn.import_kw is not None:
            return f"member {member.name!r} has an import limit of its own"
        if alone:  # its windows limit the hub's one point; exports never lower the import
            return None
        if conn.restrictions:
            return f"member {member.name!r} has restriction windows of its own"
        if conn.export_kw is not None and _can_export(member):
            return f"member {member.name!r} has an export limit of its own"
        bat = _active_battery(member)
        if bat is None:
            continue
        if reference is None:
            reference = bat
            continue
        same = (
            _same(bat.roundtrip_efficiency, reference.roundtrip_efficiency)
            and _same(bat.power_kw / bat.energy_kwh, reference.power_kw / reference.energy_kwh)
            and _same(bat.soc_min, reference.soc_min)
            and _same(bat.soc_max, reference.soc_max)
        )
        if not same:
            return (
                f"the batteries of {member.name!r} and another member differ in efficiency, "
                "power per kWh or state-of-charge limits"
            )
    return None


def _curtail_max_kw(site: Site) -> FloatArray:
    load = site.load_kw.to_numpy(dtype=float)
    return np.asarray(np.minimum(float(sum(c.max_kw for c in site.curtailable)), load))


def _pv_kw(site: Site) -> FloatArray:
    if site.pv is None or site.pv.kwp <= 0:
        return np.zeros(len(site.index))
    return site.pv.kw_per_kwp.to_numpy(dtype=float) * site.pv.kwp


def aggregate_site(hub: Hub) -> Site:
    """The one site a hub without binding own limits is (see :func:`aggregate_reason`).

    Base load: the sum of the members' base loads less their full curtailment (curtailment
    is free in ``min-connection``); PV: the members' installed PV summed; battery: the sum of
    the members' batteries (same efficiency and shape); shiftable loads: every member's, named
    ``member/load``; the joint connection (``import_kw`` "minimise", the hub's export limit).
    """
    index = hub.index
    load = sum((m.load_kw.to_numpy(dtype=float) - _curtail_max_kw(m) for m in hub.members),
               start=np.zeros(len(index)))  # fmt: skip
    pv_total = sum((_pv_kw(m) for m in hub.members), start=np.zeros(len(index)))
    pv = PV(pd.Series(pv_total, index=index), kwp=1.0) if pv_total.max(initial=0) > 0 else None
    batteries = [b for b in (_active_battery(m) for m in hub.members) if b is not None]
    battery = None
    if batteries:
        battery = Battery(
            energy_kwh=sum(b.energy_kwh for b in batteries),
            power_kw=sum(b.power_kw for b in batteries),
            roundtrip_efficiency=batteries[0].roundtrip_efficiency,
            soc_min=batteries[0].soc_min,
            soc_max=batteries[0].soc_max,
        )
    shiftable = tuple(
        replace(s, name=f"{m.name}{MEMBER_SEPARATOR}{s.name}")
        for m in hub.members
        for s in m.shiftable
    )
    # A lone member's restriction windows act on the hub's one point; with two or more
    # members windows make the hub no single site (aggregate_reason).
    windows = hub.members[0].connection.restrictions if len(hub.members) == 1 else ()
    return Site(
        name=hub.name,
        load_kw=pd.Series(np.maximum(load, 0.0), index=index),
        timezone=hub.members[0].timezone,
        year=hub.members[0].year,
        pv=pv,
        battery=battery,
        shiftable=shiftable,
        connection=Connection(import_kw=None, export_kw=hub.export_kw, restrictions=windows),
    )


def peak_before_kw(hub: Hub) -> float:
    """Peak of the hub's summed base load − installed PV (kW, ≥ 0)."""
    net = sum((m.load_kw.to_numpy(dtype=float) - _pv_kw(m) for m in hub.members),
              start=np.zeros(len(hub.index)))  # fmt: skip
    return float(max(0.0, net.max(initial=0.0)))


def member_columns(
    site: Site,
    *,
    load_kw: FloatArray,
    pv_kw: FloatArray,
    curtailed_kw: FloatArray,
    pv_curtailed_kw: FloatArray,
    charge_kw: FloatArray,
    discharge_kw: FloatArray,
    soc_kwh: FloatArray,
    shift_by_load: FloatArray,
) -> pd.DataFrame:
    """A member's dispatch frame; its ``import_kw``/``export_kw`` follow from its balance.

    ``soc_kwh`` holds the state of charge at the end of every step (``T`` values).
    """
    shift_total = shift_by_load.sum(axis=0) if len(shift_by_load) else np.zeros(len(load_kw))
    pv_used = pv_kw - pv_curtailed_kw
    exchange = load_kw - curtailed_kw + shift_total + charge_kw - discharge_kw - pv_used
    columns: dict[str, FloatArray] = {
        "load_kw": load_kw,
        "pv_kw": pv_kw,
        "import_kw": np.maximum(exchange, 0.0),
        "export_kw": np.maximum(-exchange, 0.0),
        "pv_used_kw": pv_used,
        "pv_curtailed_kw": pv_curtailed_kw,
        "battery_charge_kw": charge_kw,
        "battery_discharge_kw": discharge_kw,
        "soc_kwh": soc_kwh,
        "curtailed_kw": curtailed_kw,
    }
    for load, shift in zip(site.shiftable, shift_by_load, strict=True):
        columns[SHIFTABLE_PREFIX + load.name] = shift
    return pd.DataFrame(columns, index=site.index)


def _share(total: FloatArray, parts: list[FloatArray]) -> list[FloatArray]:
    """Split ``total`` over ``parts`` in proportion to them (where their sum is positive)."""
    whole = sum(parts, start=np.zeros(len(total)))
    ratio = np.divide(total, whole, out=np.zeros(len(total)), where=whole > 0)
    return [ratio * part for part in parts]


def _disaggregate(hub: Hub, agg: Site, limit: float, frame: pd.DataFrame, soc0: float) -> tuple[
    tuple[pd.DataFrame, ...], tuple[float, ...]
]:  # fmt: skip
    """Member dispatches from the aggregate site's dispatch.

    Batteries are split in proportion to their energy (they are scaled copies, so each share
    keeps its own limits); each shiftable load keeps its own column; of the curtailable loads
    only what the joint limit needs is curtailed, and PV only what the joint export limit
    needs, both in proportion to what each member could curtail.
    """
    n = len(hub.index)
    bat = agg.battery
    total_kwh = bat.energy_kwh if bat is not None else 0.0
    charge = frame["battery_charge_kw"].to_numpy(dtype=float)
    discharge = frame["battery_discharge_kw"].to_numpy(dtype=float)
    soc = frame["soc_kwh"].to_numpy(dtype=float)
    loads = [m.load_kw.to_numpy(dtype=float) for m in hub.members]
    pvs = [_pv_kw(m) for m in hub.members]
    shifts = []
    for member in hub.members:
        rows = [frame[f"{SHIFTABLE_PREFIX}{member.name}{MEMBER_SEPARATOR}{s.name}"].to_numpy(
            dtype=float) for s in member.shiftable]  # fmt: skip
        shifts.append(np.array(rows).reshape(len(member.shiftable), n))
    need = (sum(loads, start=np.zeros(n)) + sum((s.sum(axis=0) for s in shifts), start=np.zeros(n))
            + charge - discharge - sum(pvs, start=np.zeros(n)))  # fmt: skip
    curt_max = [_curtail_max_kw(m) for m in hub.members]
    cap = np.minimum(limit, agg.connection.restriction_kw(hub.index))
    curtailed = np.clip(need - cap, 0.0, sum(curt_max, start=np.zeros(n)))
    surplus = np.maximum(-(need - curtailed), 0.0)
    export_cap = np.inf if hub.export_kw is None else hub.export_kw
    pv_curtailed = surplus - np.minimum(surplus, export_cap)
    member_curt = _share(curtailed, curt_max)
    member_pv_curt = _share(pv_curtailed, pvs)
    frames, starts = [], []
    for number, member in enumerate(hub.members):
        own = _active_battery(member)
        alpha = own.energy_kwh / total_kwh if own is not None and total_kwh > 0 else 0.0
        frames.append(member_columns(
            member, load_kw=loads[number], pv_kw=pvs[number], curtailed_kw=member_curt[number],
            pv_curtailed_kw=member_pv_curt[number], charge_kw=alpha * charge,
            discharge_kw=alpha * discharge, soc_kwh=alpha * soc, shift_by_load=shifts[number],
        ))  # fmt: skip
        starts.append(alpha * soc0)
    return tuple(frames), tuple(starts)


def verify_hub_dispatch(
    hub: Hub,
    import_limit_kw: float,
    dispatches: tuple[pd.DataFrame, ...],
    soc_start_kwh: tuple[float, ...],
    *,
    tol: float = 1e-6,
) -> list[str]:
    """Check a joint dispatch against every rule; return the violations (empty: feasible).

    Each member's dispatch is checked by :func:`netruimte.planner.dispatch.verify_dispatch`
    against its own site (its own import limit, restriction windows and export limit, or none);
    then the hub's net import must stay within ``import_limit_kw`` and its net export within
    the hub's export limit.
    """
    problems: list[str] = []
    net = np.zeros(len(hub.index))
    for member, frame, soc0 in zip(hub.members, dispatches, soc_start_kwh, strict=True):
        own = np.inf if member.connection.import_kw is None else member.connection.import_kw
        found = verify_dispatch(member, own, frame, soc_start_kwh=soc0, tol=tol)
        problems.extend(f"member {member.name!r}: {problem}" for problem in found)
        net += frame["import_kw"].to_numpy(dtype=float) - frame["export_kw"].to_numpy(dtype=float)
    scale = max(1.0, import_limit_kw)
    if bool((net > import_limit_kw + tol * scale).any()):
        at = int(np.argmax(net))
        problems.append(
            f"hub import {net[at]!r} kW above the joint limit at {hub.index[at].isoformat()}"
        )
    if hub.export_kw is not None and bool((-net > hub.export_kw + tol * scale).any()):
        at = int(np.argmax(-net))
        problems.append(
            f"hub export {-net[at]!r} kW above the joint limit at {hub.index[at].isoformat()}"
        )
    return problems


def hub_net_import_kw(dispatches: tuple[pd.DataFrame, ...]) -> FloatArray:
    """The hub's net exchange per step (kW; import positive): the sum over its members."""
    return np.asarray(
        sum(d["import_kw"].to_numpy(dtype=float) - d["export_kw"].to_numpy(dtype=float)
            for d in dispatches),
        dtype=np.float64,
    )  # fmt: skip


def _checked(
    hub: Hub, limit: float, frames: tuple[pd.DataFrame, ...], starts: tuple[float, ...]
) -> None:
    scale = max(
        [1.0] + [float(f["load_kw"].max()) + float(f["battery_charge_kw"].max()) for f in frames]
    )
    problems = verify_hub_dispatch(hub, limit, frames, starts, tol=1e-6 * scale)
    if problems:  # a bug, never an input problem: refuse to return a wrong plan
        raise RuntimeError("hub min-connection produced an infeasible dispatch: " + problems[0])


def hub_min_connection(hub: Hub, *, dispatch: bool = True, force_lp: bool = False) -> HubResult:
    """The smallest joint import limit (kW) with a feasible joint dispatch, exact.

    Installed assets only (like :func:`netruimte.planner.min_connection`); the hub's
    ``import_kw`` is not used. Members' own limits are kept.

    Parameters
    ----------
    hub
        The hub.
    dispatch
        Also build (and check) the members' dispatches at the limit found (the aggregate
        method only; the joint LP always has them).
    force_lp
        Use the joint LP even when the hub is one site (for cross-checks and benchmarks).

    Returns
    -------
    HubResult
        With the method that answered; ``infeasible`` with a reason when no limit works.
    """
    before = peak_before_kw(hub)
    if not force_lp and aggregate_reason(hub) is None:
        agg = aggregate_site(hub)
        result = min_connection(agg, dispatch=dispatch)
        method = (HubMethod.AGGREGATE_KERNEL if result.method == "kernel"
                  else HubMethod.AGGREGATE_LP)  # fmt: skip
        if result.status is not PlanStatus.OPTIMAL or result.import_kw is None:
            return HubResult(PlanStatus.INFEASIBLE, None, result.reason, method, None, None, before)
        if not dispatch:
            return HubResult(PlanStatus.OPTIMAL, result.import_kw, None, method, None, None, before)
        assert result.dispatch is not None and result.soc_start_kwh is not None
        frames, starts = _disaggregate(hub, agg, result.import_kw, result.dispatch,
                                       result.soc_start_kwh)  # fmt: skip
        _checked(hub, result.import_kw, frames, starts)
        return HubResult(PlanStatus.OPTIMAL, result.import_kw, None, method, frames, starts, before)
    from netruimte.planner.hub_lp import solve_hub_lp

    solved = solve_hub_lp(hub, Objective.MIN_CONNECTION)
    if solved.import_kw is None or solved.dispatches is None:
        return HubResult(PlanStatus.INFEASIBLE, None, solved.reason, HubMethod.JOINT_LP, None, None,
                         before)  # fmt: skip
    _checked(hub, solved.import_kw, solved.dispatches, solved.soc_start_kwh)
    return HubResult(PlanStatus.OPTIMAL, solved.import_kw, None, HubMethod.JOINT_LP,
                     solved.dispatches, solved.soc_start_kwh, before)  # fmt: skip
