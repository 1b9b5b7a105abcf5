"""The demo's results as data: variants, per-business plans, and the tables built from them.

Shared by the demo job (:mod:`netruimte.services.demo`), its output writer and its report, so
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

from netruimte.scenario.flevoland import FLEVOLAND_STATIONS, FlevolandScenario, SyntheticRequest
from netruimte.waitlist.result import SimulationResult

__all__ = [
    "FLEVOLAND_GROUPS",
    "VARIANTS",
    "BusinessPlan",
    "DemoOptions",
    "DemoResult",
    "Variant",
    "campus_cells",
    "campus_table",
    "connection_table",
    "later_text",
    "rules_changes",
    "variant_summary",
]

FLEVOLAND_GROUPS: Final = ("queue", "campus", "induced", "hortus")

NOT_SIMULATED: Final = "not simulated"
"""The demo's one vocabulary: a P50/P90 of a variant that had no Monte Carlo runs."""


def later_text(horizon_year: int) -> str:
    """The demo's one vocabulary for a run that ends without the grant (never "never": the
    model cannot know what happens after its horizon)."""
    return f"not before the horizon ({horizon_year})"


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
)


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
            outcome = by_id[request.id]
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
    """Per variant: Flevoland businesses connected by 2030/2033/2036, median wait, MW-years."""
    table = connection_table(result)
    end = result.scenario.end
    rows = []
    for variant in VARIANTS:
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
                "by_2030": int((granted < pd.Timestamp("2030-01-01")).sum()),
                "by_2033": int((granted < pd.Timestamp("2033-01-01")).sum()),
                "by_2036": int((granted < pd.Timestamp("2036-01-01")).sum()),
                "not_in_horizon": int(never.sum()),
                "median_wait_years": float(np.nanmedian(waits))
                if waits.notna().any()
                else math.nan,
                "mw_years_waiting": round(mw_years, 1),
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
