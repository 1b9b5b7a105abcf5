"""The hub-plan use case: load a hub file, plan the hub and each member alone, write outputs.

``netruimte hub plan`` is a thin layer over :func:`run_hub_plan`:

* :func:`plan_hub` plans a :class:`~netruimte.planner.hub.Hub` with its objective:
  ``min-connection`` with :func:`netruimte.planner.hub.hub_min_connection` (exact: the
  aggregate site's O(T) engine where the hub is one site, the joint LP otherwise),
  ``min-cost`` with the joint LP (:func:`netruimte.planner.hub_lp.solve_hub_lp`); and each
  member alone with the single-site planner (the same objective) for the comparison;
* :func:`write_hub_outputs` writes ``plan.json``, ``dispatch.csv`` (one wide table: the hub's
  exchange and every member's dispatch), ``import.csv`` (the hub's import profile) and
  ``request.json`` (the hub as one waiting-list request, members listed).

The Hub JSON is in ``docs/hubs.md`` and ``docs/cli.md``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from netruimte._util import write_atomic
from netruimte.planner.hub import Hub, hub_net_import_kw, verify_hub_dispatch
from netruimte.planner.site import Objective, Site
from netruimte.sites.plan_file import (
    CostLine,
    installed_sizes,
    kw_rounded_up,
    plan_site,
    tariff_cost,
)

__all__ = [
    "HubPlan",
    "MemberPlan",
    "hub_request_annex",
    "plan_hub",
    "run_hub_plan",
    "write_hub_outputs",
]


@dataclass(frozen=True)
class MemberPlan:
    """One member in the hub plan.

    ``import_kw_alone`` is the member's own plan alone (the single-site planner with the hub's
    objective; ``None`` when it has no feasible plan alone); ``peak_import_kw`` and
    ``peak_export_kw`` its peaks of exchange with the hub in the joint dispatch.
    """

    name: str
    import_kw_alone: float | None
    peak_import_kw: float | None
    peak_export_kw: float | None
    pv_kwp: float
    battery_energy_kwh: float
    battery_power_kw: float
    added_pv_kwp: float = 0.0
    added_battery_energy_kwh: float = 0.0
    added_battery_power_kw: float = 0.0

    def to_json_dict(self) -> dict[str, Any]:
        """The member as a JSON object: every field, in the order above (the contract's three
        keys first)."""
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class HubPlan:
    """A planned hub: the Hub JSON fields, the members and the joint dispatch."""

    hub: Hub
    status: str
    objective: str
    method: str
    import_kw: float | None
    export_kw: float | None
    sum_member_import_kw: float | None
    peak_import_before_kw: float
    peak_import_after_kw: float | None
    annual_cost_eur: float | None
    members: tuple[MemberPlan, ...]
    reason: str | None
    cost: tuple[CostLine, ...] = ()
    dispatches: tuple[pd.DataFrame, ...] | None = field(default=None, compare=False, repr=False)

    @property
    def feasible(self) -> bool:
        """True when the hub has a joint connection and a dispatch."""
        return self.status == "optimal"

    @property
    def diversity_gain_kw(self) -> float | None:
        """Sum of the members' own connections less the joint one (kW)."""
        if self.import_kw is None or self.sum_member_import_kw is None:
            return None
        return self.sum_member_import_kw - self.import_kw

    def to_json_dict(self) -> dict[str, Any]:
        """The Hub JSON (``docs/hubs.md``)."""
        return {
            "status": self.status,
            "hub": self.hub.name,
            "objective": self.objective,
            "method": self.method,
            "import_kw": self.import_kw,
            "export_kw": self.export_kw,
            "sum_member_import_kw": self.sum_member_import_kw,
            "diversity_gain_kw": self.diversity_gain_kw,
            "peak_import_before_kw": self.peak_import_before_kw,
            "peak_import_after_kw": self.peak_import_after_kw,
            "annual_cost_eur": self.annual_cost_eur,
            "members": [m.to_json_dict() for m in self.members],
            "cost_breakdown": [line.to_json_dict() for line in self.cost],
            "reason": self.reason,
        }


def _alone(site: Site, objective: Objective) -> float | None:
    plan = plan_site(replace(site, objective=objective))
    return plan.import_kw if plan.feasible else None


def _joint_cost(hub: Hub, dispatches: tuple[pd.DataFrame, ...], import_kw: float) -> tuple[
    CostLine, ...
]:  # fmt: skip
    """The hub tariff on the joint exchange plus the members' curtailment (same formula as
    :func:`netruimte.sites.plan_file.tariff_cost`)."""
    net = hub_net_import_kw(dispatches)
    joint = pd.DataFrame(
        {"import_kw": np.maximum(net, 0.0), "export_kw": np.maximum(-net, 0.0)}, index=hub.index
    )
    proxy = replace(hub.members[0], tariff=hub.tariff, curtailable=())
    lines = list(tariff_cost(proxy, joint, import_kw))
    eur = kwh = 0.0
    for member, frame in zip(hub.members, dispatches, strict=True):
        for line in tariff_cost(member, frame, import_kw):
            if line.item == "curtailed load":
                eur += line.eur
                kwh += line.quantity
    if kwh > 0:
        lines.append(CostLine("curtailed load", kwh, "kWh", eur / kwh, "EUR/kWh (mean)", eur))
    return tuple(lines)


def _export_asked(hub: Hub, dispatches: tuple[pd.DataFrame, ...] | None) -> float | None:
    if hub.export_kw is not None:
        return hub.export_kw
    if dispatches is None:
        return None
    return float(max(0.0, (-hub_net_import_kw(dispatches)).max(initial=0.0)))


def _members(
    hub: Hub,
    alone: list[float | None],
    dispatches: tuple[pd.DataFrame, ...] | None,
    sites: tuple[Site, ...],
) -> tuple[MemberPlan, ...]:
    plans = []
    for number, (member, sized) in enumerate(zip(hub.members, sites, strict=True)):
        pv, kwh, kw = installed_sizes(member)
        pv_new, kwh_new, kw_new = installed_sizes(sized)
        peak_in = peak_out = None
        if dispatches is not None:
            peak_in = float(dispatches[number]["import_kw"].max())
            peak_out = float(dispatches[number]["export_kw"].max())
        plans.append(MemberPlan(
            member.name, alone[number], peak_in, peak_out, pv_new, kwh_new, kw_new,
            pv_new - pv, kwh_new - kwh, kw_new - kw,
        ))  # fmt: skip
    return tuple(plans)


def plan_hub(hub: Hub) -> HubPlan:
    """Plan a hub with its objective, and each member alone for comparison.

    An infeasible hub gives a plan with ``status="infeasible"`` and a reason, not an error.
    """
    objective = hub.objective
    alone = [_alone(member, objective) for member in hub.members]
    total = None if any(a is None for a in alone) else float(sum(a for a in alone if a))
    from netruimte.planner.hub import peak_before_kw

    before = peak_before_kw(hub)
    if objective is Objective.MIN_CONNECTION:
        from netruimte.planner.hub import hub_min_connection

        result = hub_min_connection(hub)
        method = result.method.value
        import_kw, dispatches, reason = result.import_kw, result.dispatches, result.reason
        sites = hub.members
        cost: tuple[CostLine, ...] = ()
        if import_kw is not None and dispatches is not None:
            cost = _joint_cost(hub, dispatches, import_kw)
    else:
        from netruimte.planner.hub_lp import solve_hub_lp

        solved = solve_hub_lp(hub, Objective.MIN_COST)
        method = "joint-lp"
        import_kw, dispatches, reason = solved.import_kw, solved.dispatches, solved.reason
        sites = solved.sites or hub.members
        cost = ()
        if import_kw is not None and dispatches is not None:
            sized = replace(hub, members=sites)
            scale = max(1.0, max(float(d["load_kw"].max()) for d in dispatches))
            problems = verify_hub_dispatch(sized, import_kw, dispatches, solved.soc_start_kwh,
                                           tol=1e-6 * scale)  # fmt: skip
            if problems:  # a bug, never an input problem
                raise RuntimeError("hub min-cost produced an infeasible dispatch: " + problems[0])
            eur = dict(solved.cost_breakdown)
            added = [m for m in solved.sizing]
            cost = (
                CostLine("new PV (annualised)", sum(m.added_pv_kwp for m in added), "kWp",
                         None, "EUR/kWp/year", eur["pv_eur"]),
                CostLine("new battery energy (annualised)",
                         sum(m.added_battery_energy_kwh for m in added), "kWh", None,
                         "EUR/kWh/year", eur["battery_energy_eur"]),
                CostLine("new battery power (annualised)",
                         sum(m.added_battery_power_kw for m in added), "kW", None,
                         "EUR/kW/year", eur["battery_power_eur"]),
                *_joint_cost(sized, dispatches, import_kw),
            )  # fmt: skip
    members = _members(hub, alone, dispatches, sites)
    if import_kw is None or dispatches is None:
        return HubPlan(hub, "infeasible", objective.value, method, None, _export_asked(hub, None),
                       total, before, None, None, members,
                       reason or "no joint import limit works")  # fmt: skip
    peak_after = float(max(0.0, hub_net_import_kw(dispatches).max(initial=0.0)))
    return HubPlan(
        hub, "optimal", objective.value, method, import_kw, _export_asked(hub, dispatches), total,
        before, peak_after, float(sum(line.eur for line in cost)), members, None, cost,
        dispatches,
    )  # fmt: skip


def hub_request_annex(plan: HubPlan, profile_csv: str = "import.csv") -> dict[str, Any]:
    """The hub as ONE waiting-list request (``request.json``): one contract, members listed.

    The same shape as the single-site annex (:func:`netruimte.sites.plan_file.
    request_annex`): ``request`` holds the keys of a ``[[request]]`` table (the hub is the
    applicant; ``kw`` is the joint import rounded up to 0.01 kW, at least the joint profile's
    peak), ready to copy into a scenario with an ``id``, ``station`` and ``submitted``; the
    members and their own connections alone are listed beside it.
    """
    if not plan.feasible or plan.import_kw is None:
        raise ValueError("an infeasible hub plan has no request annex")
    kw = kw_rounded_up(max(plan.import_kw, plan.peak_import_after_kw or 0.0))
    request = {
        "applicant": plan.hub.name,
        "direction": "offtake",
        "kw": kw,
        "contract": "firm",
        "profile_csv": profile_csv,
    }
    return {
        "hub": plan.hub.name,
        "objective": plan.objective,
        "direction": "offtake",
        "import_kw": plan.import_kw,
        "export_kw": plan.export_kw,
        "contract": "firm",
        "agreement": "group transport agreement (one contract for all members)",
        "members": [{"name": m.name, "import_kw_alone": m.import_kw_alone} for m in plan.members],
        "sum_member_import_kw": plan.sum_member_import_kw,
        "profile_csv": profile_csv,
        "peak_import_kw": plan.peak_import_after_kw,
        "request": request,
    }


def wide_dispatch(plan: HubPlan) -> pd.DataFrame:
    """One table: the hub's import and export, then ``<member>:<column>`` for every member."""
    assert plan.dispatches is not None
    net = hub_net_import_kw(plan.dispatches)
    columns: dict[str, Any] = {
        "hub_import_kw": np.maximum(net, 0.0),
        "hub_export_kw": np.maximum(-net, 0.0),
    }
    for member, frame in zip(plan.hub.members, plan.dispatches, strict=True):
        for name in frame.columns:
            columns[f"{member.name}:{name}"] = frame[name].to_numpy()
    wide = pd.DataFrame(columns, index=plan.hub.index)
    wide.index = pd.Index([t.isoformat() for t in wide.index], name="timestamp")
    return wide


def write_hub_outputs(plan: HubPlan, out_dir: str | Path) -> list[Path]:
    """Write ``plan.json`` and, for a feasible plan, ``dispatch.csv``, ``import.csv`` and
    ``request.json`` into ``out_dir`` (created if missing). Returns the paths written."""
    from netruimte.profiles import write_profile_csv

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    written = []
    target = out / "plan.json"
    write_atomic(target, json.dumps(plan.to_json_dict(), indent=2, allow_nan=False) + "\n")
    written.append(target)
    if plan.feasible and plan.dispatches is not None:
        target = out / "dispatch.csv"
        write_atomic(target, wide_dispatch(plan).to_csv())
        written.append(target)
        net = hub_net_import_kw(plan.dispatches)
        target = out / "import.csv"
        write_profile_csv(pd.Series(np.maximum(net, 0.0), index=plan.hub.index), target)
        written.append(target)
        target = out / "request.json"
        write_atomic(target, json.dumps(hub_request_annex(plan), indent=2) + "\n")
        written.append(target)
    return written


def run_hub_plan(path: str | Path, out_dir: str | Path | None = None) -> HubPlan:
    """Load a hub file, plan it and, with ``out_dir``, write the outputs
    (``netruimte hub plan``)."""
    from netruimte.scenario.hub_toml import load_hub

    plan = plan_hub(load_hub(path))
    if out_dir is not None:
        write_hub_outputs(plan, out_dir)
    return plan
