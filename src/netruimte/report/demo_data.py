"""The demo's results as data: variants, per-business plans, and the tables built from them.

Shared by the demo job (:mod:`netruimte.demo.run`), its output writer and its report, so
that the report layer does not depend on the service layer.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from netruimte.i18n import Msg
from netruimte.scenario.flevoland import FLEVOLAND_STATIONS, FlevolandScenario, SyntheticRequest
from netruimte.waitlist.result import SimulationResult

__all__ = [
    "FLEVOLAND_GROUPS",
    "VARIANTS",
    "BusinessPlan",
    "DemoOptions",
    "DemoResult",
    "HubSummary",
    "RoomCreated",
    "Variant",
    "campus_cells",
    "campus_table",
    "connection_table",
    "later_text",
    "rules_changes",
    "variant_summary",
]

FLEVOLAND_GROUPS: Final = ("queue", "campus", "induced", "hortus")

NOT_SIMULATED: Final = Msg("not simulated")
"""The demo's one vocabulary: a P50/P90 of a variant that had no Monte Carlo runs."""


def later_text(horizon_year: int) -> str:
    """The demo's one vocabulary for a run that ends without the grant (never "never": the
    model cannot know what happens after its horizon)."""
    return Msg("not before the horizon ({year})", year=str(horizon_year))


def _missing(value: object) -> bool:
    return value is None or value is pd.NaT or (isinstance(value, float) and np.isnan(value))


def campus_cells(row: Mapping[Any, object], horizon_year: int, *, monte_carlo: bool) -> list[str]:
    """Connected (no delays), P50 and P90 of one campus row in the demo's one vocabulary, for
    the terminal and the report alike."""
    later = later_text(horizon_year)

    def cell(value: object) -> str:
        if _missing(value):
            return later
        return value.isoformat() if isinstance(value, dt.date) else str(value)

    cells = [cell(row["granted_on"])]
    for key in ("p50", "p90"):
        cells.append(cell(row[key]) if monte_carlo else NOT_SIMULATED)
    return cells


@dataclass(frozen=True)
class Variant:
    """One waiting-list run of the demo."""

    key: str
    label: str
    policy: str
    works: str  # "current" | "planned"
    requests: str  # "as filed" | "smart" | "smart+time-block"
    monte_carlo: bool
    instruments: tuple[str, ...] = ()
    """Room before reinforcement: any of "contracts", "relievers", "hub"."""


VARIANTS: Final = (
    Variant("fcfs", "First come, first served", "fcfs", "current", "as filed", True),
    Variant("acm", "ACM framework (rule in force)", "in-force", "current", "as filed", True),
    Variant(
        "acm-planned", "ACM, works as first promised", "in-force", "planned", "as filed", False
    ),
    Variant("acm-smart", "ACM + smart tools (smaller firm)", "in-force", "current", "smart", True),
    Variant(
        "acm-timeblock",
        "ACM + smart tools + time-block right",
        "in-force",
        "current",
        "smart+time-block",
        False,
    ),
    Variant("acm-contracts", "ACM + congestion contracts", "in-force", "current", "as filed",
            False, ("contracts",)),
    Variant("acm-relievers", "ACM + relievers that relieve", "in-force", "current", "as filed",
            False, ("relievers",)),
    Variant("acm-hub", "ACM + smart tools + energy hub", "in-force", "current", "smart", False,
            ("hub",)),
    Variant("acm-all", "ACM + smart tools + all three", "in-force", "current", "smart", False,
            ("contracts", "relievers", "hub")),
)  # fmt: skip


@dataclass(frozen=True)
class DemoOptions:
    """What the demo runs. Defaults are the full job; tests shrink ``max_businesses``/``runs``."""

    out_dir: Path = Path("netruimte-demo")
    runs: int = 100
    seed: int = 2026
    rest_of_region_requests: int = 120
    max_businesses: int | None = None
    battery_c_rate: float = 0.5


@dataclass(frozen=True)
class BusinessPlan:
    """The smart-tools plan of one waiting business: cost-optimal sizes under example tariffs
    (``pv_kwp``, ``battery_kwh``/``battery_kw``, ``flex_kw`` the largest curtailment the plan
    uses), its firm request (the contracted kW, at most the requested kW) and its exact
    smallest time-block request with those sizes."""

    request_id: str
    applicant: str
    type_key: str
    station: str
    requested_kw: float
    pv_kwp: float
    battery_kwh: float
    battery_kw: float
    flex_kw: float
    firm_kw: float
    block: str
    timeblock_kw: float | None
    contracted_kw: float | None = None
    """Cost-optimal contracted kW (before capping the firm request at the requested kW)."""
    annual_cost_eur: float | None = None
    """Least yearly cost with the sized tools, under the demo's EXAMPLE tariffs."""
    cost_gap: float | None = None
    """Relative gap proven for ``annual_cost_eur`` (0.001 = at most 0.1 % above the optimum)."""

    @property
    def flex_share(self) -> float:
        """Largest curtailment the plan uses, as a share of the requested (peak) kW."""
        return self.flex_kw / self.requested_kw if self.requested_kw > 0 else 0.0

    @property
    def saved_kw(self) -> float:
        """kW the firm request shrinks by."""
        return self.requested_kw - self.firm_kw


@dataclass(frozen=True)
class HubSummary:
    """The demo's energy hub: members, the exact smallest joint import and what it replaces.

    ``alone_kw`` is each member's smallest connection alone with the same tools
    (``min-connection``), ``smart_kw`` what it asks alone in the smart-tools variant (its
    least-cost contracted kW), ``asked_kw`` its request as filed (kW throughout).
    """

    id: str
    name: str
    station: str
    members: tuple[str, ...]
    asked_kw: tuple[float, ...]
    smart_kw: tuple[float, ...]
    alone_kw: tuple[float, ...]
    joint_kw: float
    joint_gap_kw: float
    """Proven gap of ``joint_kw`` above the smallest joint import (kW, 0 when exact)."""
    method: str
    submitted: dt.datetime

    @property
    def diversity_gain_kw(self) -> float:
        """Sum of the members' smallest connections alone less the joint one (kW)."""
        return sum(self.alone_kw) - self.joint_kw

    @property
    def saved_kw(self) -> float:
        """kW the hub asks less than its members in the smart-tools variant."""
        return sum(self.smart_kw) - self.joint_kw


@dataclass(frozen=True)
class RoomCreated:
    """The room one variant's instruments created, and what it cost the operator.

    ``contracts_mw``: MW of the congestion contracts that counted at some moment;
    ``contracts_mw_years`` and ``contracts_cost_eur`` over the years they counted;
    ``contracts_helped_mw``: MW granted by the end to the requests the contracts were needed
    for (``granted_with``, counted once); ``relief_mw``: the room credited for the steered
    relievers granted by the end (``relief_credit`` × ``relief_kw``), ``relievers_granted``
    how many; ``hub_gain_mw``: the hub's diversity gain (its members' smallest connections
    alone less the joint one).
    """

    contracts_mw: float = 0.0
    contracts_mw_years: float = 0.0
    contracts_cost_eur: float = 0.0
    contracts_helped_mw: float = 0.0
    relief_mw: float = 0.0
    relievers_granted: int = 0
    hub_gain_mw: float = 0.0

    @property
    def total_mw(self) -> float:
        """Room created at the peak by all instruments together (MW)."""
        return self.contracts_mw + self.relief_mw + self.hub_gain_mw

    @property
    def eur_per_mw_year(self) -> float | None:
        """What the contracts cost per MW of room per year (None without contracts)."""
        if self.contracts_mw_years <= 0:
            return None
        return self.contracts_cost_eur / self.contracts_mw_years


@dataclass(frozen=True)
class DemoResult:
    """Everything the report and the output files are made of."""

    options: DemoOptions
    scenario: FlevolandScenario
    results: Mapping[str, SimulationResult]
    plans: tuple[BusinessPlan, ...]
    blocks: Mapping[str, str]
    station_profiles_mw: Mapping[str, pd.Series] = field(repr=False)
    timings_s: Mapping[str, float] = field(default_factory=dict)
    whole_grants: SimulationResult | None = None
    """The "acm" variant once more with whole grants only (the allocation rule before the
    corrections), for the report's "what changed"."""
    hub: HubSummary | None = None
    """The energy hub of the hub variants (None when it has fewer than two members)."""
    room: Mapping[str, RoomCreated] = field(default_factory=dict)
    """Per variant with instruments: the room they created."""

    def outcome_id(self, variant: str, request_id: str) -> str:
        """The request whose outcome stands for ``request_id`` in ``variant``: a hub member
        is connected when its hub is."""
        spec = next(v for v in VARIANTS if v.key == variant)
        if self.hub is not None and "hub" in spec.instruments and request_id in self.hub.members:
            return self.hub.id
        return request_id

    def flevoland_requests(self) -> list[SyntheticRequest]:
        """Offtake requests at the six Flevoland stations (queue, campus, induced, Hortus)."""
        return [
            r
            for r in self.scenario.requests
            if r.station in FLEVOLAND_STATIONS
            and r.direction == "offtake"
            and r.group in FLEVOLAND_GROUPS
        ]


# ---- what it means ------------------------------------------------------------------------


def connection_table(result: DemoResult) -> pd.DataFrame:
    """One row per Flevoland offtake request: who, and when connected under each variant."""
    plans = {p.request_id: p for p in result.plans}
    start = result.scenario.start
    rows: list[dict[str, Any]] = []
    outcomes = {key: {o.id: o for o in res.requests} for key, res in result.results.items()}
    for request in result.flevoland_requests():
        row: dict[str, Any] = {
            "id": request.id,
            "applicant": request.applicant,
            "station": request.station,
            "group": request.group,
            "type": request.type_key,
            "category_asked": request.category,
            "kw": round(request.kw, 1),
            "submitted": request.submitted.date().isoformat(),
        }
        plan = plans.get(request.id)
        row["smart_firm_kw"] = None if plan is None else round(plan.firm_kw, 1)
        row["smart_timeblock_kw"] = (
            None if plan is None or plan.timeblock_kw is None else round(plan.timeblock_kw, 1)
        )
        for key, by_id in outcomes.items():
            outcome = by_id[result.outcome_id(key, request.id)]
            row[f"category_{key}"] = outcome.category.value
            row[f"granted_{key}"] = None if outcome.granted_on is None else outcome.granted_on
            if outcome.granted_p50 is not None or outcome.granted_p90 is not None:
                row[f"p10_{key}"] = outcome.granted_p10
                row[f"p50_{key}"] = outcome.granted_p50
                row[f"p90_{key}"] = outcome.granted_p90
            waited_from = max(request.submitted.date(), start)
            row[f"wait_years_{key}"] = (
                None
                if outcome.granted_on is None
                else round((outcome.granted_on - waited_from).days / 365.25, 2)
            )
        rows.append(row)
    return pd.DataFrame(rows)


def variant_summary(result: DemoResult) -> pd.DataFrame:
    """Per variant: Flevoland requests connected before 2028/2030/2033/2035/2036, median wait,
    MW-years waited, the campus's date, and the room its instruments created (MW) and what
    their contracts cost per MW of room per year."""
    table = connection_table(result)
    end = result.scenario.end
    rows = []
    for variant in VARIANTS:
        room = result.room.get(variant.key)
        campus = result.results[variant.key].request("HTC-ALMERE").granted_on
        granted = pd.to_datetime(table[f"granted_{variant.key}"])
        waits = table[f"wait_years_{variant.key}"].astype(float)
        never = granted.isna()
        # MW-years waited: waiting counted until the grant, or until the horizon's end.
        start = pd.Timestamp(result.scenario.start)
        waited_from = pd.to_datetime(table["submitted"]).where(
            pd.to_datetime(table["submitted"]) > start, start
        )
        until = granted.fillna(pd.Timestamp(end))
        mw_years = float(((until - waited_from).dt.days / 365.25 * table["kw"] / 1000).sum())
        rows.append(
            {
                "variant": variant.key,
                "label": variant.label,
                "requests": len(table),
                "by_2028": int((granted < pd.Timestamp("2028-01-01")).sum()),
                "by_2030": int((granted < pd.Timestamp("2030-01-01")).sum()),
                "by_2033": int((granted < pd.Timestamp("2033-01-01")).sum()),
                "by_2035": int((granted < pd.Timestamp("2035-01-01")).sum()),
                "by_2036": int((granted < pd.Timestamp("2036-01-01")).sum()),
                "not_in_horizon": int(never.sum()),
                "median_wait_years": float(np.nanmedian(waits))
                if waits.notna().any()
                else math.nan,
                "mw_years_waiting": round(mw_years, 1),
                "campus_granted_on": campus,
                "room_mw": None if room is None else round(room.total_mw, 3),
                "room_eur_per_mw_year": None
                if room is None or room.eur_per_mw_year is None
                else round(room.eur_per_mw_year, 2),
            }
        )
    return pd.DataFrame(rows)


def campus_table(result: DemoResult) -> pd.DataFrame:
    """When the High Tech Campus request is connected under each variant."""
    rows = []
    plan = next((p for p in result.plans if p.request_id == "HTC-ALMERE"), None)
    for variant in VARIANTS:
        outcome = result.results[variant.key].request("HTC-ALMERE")
        kw = outcome.kw
        rows.append(
            {
                "variant": variant.label,
                "requested_mw": round(kw / 1000, 2),
                "contract": outcome.contract.value,
                "granted_on": outcome.granted_on,
                "p50": outcome.granted_p50,
                "p90": outcome.granted_p90,
                "explanation": outcome.explanation,
            }
        )
    frame = pd.DataFrame(rows)
    frame.attrs["plan"] = plan
    return frame


def rules_changes(result: DemoResult) -> tuple[dict[str, int | float], pd.DataFrame]:
    """What the corrected rules change in the "acm" variant, against whole grants only.

    Returns counts (Flevoland offtake requests connected earlier / later / only in part, small
    consumers connected outside the queue, MW granted by the end under each rule) and one row
    per Flevoland offtake request whose outcome differs.
    """
    if result.whole_grants is None:
        raise ValueError("the demo result has no whole-grants run")
    now = {o.id: o for o in result.results["acm"].requests}
    old = {o.id: o for o in result.whole_grants.requests}
    never = dt.date.max
    rows = []
    counts: dict[str, int | float] = {
        "earlier": 0,
        "later": 0,
        "partial": 0,
        "small_outside": sum(1 for o in now.values() if o.outside_queue),
        "granted_mw_now": round(sum(o.granted_kw for o in now.values()) / 1000, 3),
        "granted_mw_whole": round(sum(o.granted_kw for o in old.values()) / 1000, 3),
    }
    for req in result.flevoland_requests():
        a, b = now[req.id], old[req.id]
        first_now = a.offers[0].on if a.offers else None
        if len(a.offers) > 1 or (a.granted_on is None and a.granted_kw > 0):
            counts["partial"] += 1
        whole_now, whole_old = a.granted_on or never, b.granted_on or never
        if whole_now < whole_old:
            counts["earlier"] += 1
        elif whole_now > whole_old:
            counts["later"] += 1
        if (whole_now, a.granted_kw) != (whole_old, b.granted_kw):
            rows.append(
                {
                    "request": req.id,
                    "applicant": req.applicant,
                    "category": a.category.value,
                    "kW asked": a.kw,
                    "whole grants: connected": b.granted_on,
                    "now: first offer": first_now,
                    "now: whole kW on": a.granted_on,
                    "now: kW by the end": a.granted_kw,
                }
            )
    return counts, pd.DataFrame(rows)
