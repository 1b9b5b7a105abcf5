"""The site-plan use case: load a site file, plan it, write the plan and its annexes.

``netruimte site plan`` and ``netruimte site curve`` are thin layers over this module:

* :func:`plan_site` plans a :class:`~netruimte.planner.Site` with its objective:
  ``min-connection`` with :func:`netruimte.planner.min_connection` (installed assets only),
  ``min-cost`` with :func:`netruimte.planner.lp.min_cost`;
* :func:`tariff_cost` prices a dispatch with the site's tariff (re-exported from
  :mod:`netruimte.planner.cost`);
* :func:`write_plan_outputs` writes ``plan.json``, ``dispatch.csv``, the request annex
  (``request.json`` + ``import.csv``) and ``report.html``.

Costs come from :mod:`netruimte.planner.cost` (the formula of :func:`tariff_cost` and of
the business case are there and in ``docs/cli.md``). For ``min-connection`` the cost is that of
running the *installed* assets at the connection found: no investment, and the dispatch is the
engine's (battery charged just in time), not a cost-optimised one.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Final, Generic, TypeVar, overload

import pandas as pd

from netruimte._util import write_atomic
from netruimte.errors import InputError
from netruimte.i18n import Msg
from netruimte.planner.cost import BusinessCase, CostLine, business_case, tariff_cost
from netruimte.planner.curve import DEFAULT_C_RATE, CurvePoint, parse_battery_range
from netruimte.planner.result import PlanResult, PlanStatus, installed_sizes
from netruimte.planner.site import Objective, Site
from netruimte.report.site import SiteSources, site_plan_report

__all__ = [
    "PLAN_FIELDS",
    "CostLine",
    "PricedPlan",
    "default_battery_range",
    "describe_sources",
    "installed_sizes",
    "kw_rounded_up",
    "plan_site",
    "request_annex",
    "run_site_curve",
    "run_site_plan",
    "tariff_cost",
    "write_plan_outputs",
]

PLAN_FIELDS: Final = (
    "status",
    "objective",
    "import_kw",
    "export_kw",
    "pv_kwp",
    "battery_energy_kwh",
    "battery_power_kw",
    "peak_import_before_kw",
    "peak_import_after_kw",
    "annual_cost_eur",
    "reason",
)
"""The Plan JSON fields of the interface contract, in order."""

_CURVE_POINTS: Final = 10

T = TypeVar("T")


class _FromResult(Generic[T]):
    """A read-only attribute of :class:`PricedPlan` that is its plan result's attribute of the
    same name (the Plan JSON fields the planner knows; one line each instead of a property)."""

    def __init__(self, doc: str) -> None:
        self.__doc__ = doc
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name

    @overload
    def __get__(self, plan: None, owner: type) -> _FromResult[T]: ...
    @overload
    def __get__(self, plan: PricedPlan, owner: type) -> T: ...
    def __get__(self, plan: PricedPlan | None, owner: type) -> T | _FromResult[T]:
        if plan is None:
            return self
        value: T = getattr(plan.result, self.name)
        return value


@dataclass(frozen=True)
class PricedPlan:
    """A planned site and what it costs: the planner's :class:`~netruimte.planner.PlanResult`
    (either engine), priced with the site's tariff, and the business case.

    Not a second result type: the plan is ``result``; this adds what the planner does not
    know (the cost lines by tariff item and the business case of interface contract v2) and
    reads the Plan JSON fields off the result. ``annual_cost_eur`` is the sum of ``cost``
    (for ``min-cost`` the LP's own objective, which equals it). ``import_kw``,
    ``peak_import_after_kw`` and ``annual_cost_eur`` are ``None`` when the plan is
    infeasible (``reason`` says why); ``export_kw`` is the feed-in the plan asks for.
    """

    site: Site
    result: PlanResult
    cost: tuple[CostLine, ...] = ()
    business: BusinessCase | None = field(default=None, compare=False, repr=False)

    @property
    def status(self) -> str:
        """``optimal`` or ``infeasible``."""
        return self.result.status.value

    @property
    def objective(self) -> str:
        """``min-connection`` or ``min-cost``."""
        return self.result.objective.value

    import_kw = _FromResult[float | None]("The import limit of the plan (kW).")
    export_kw = _FromResult[float | None]("The export limit the plan asks for (kW).")
    pv_kwp = _FromResult[float]("PV installed plus new (kWp).")
    battery_energy_kwh = _FromResult[float]("Battery energy installed plus new (kWh).")
    battery_power_kw = _FromResult[float]("Battery power installed plus new (kW).")
    peak_import_before_kw = _FromResult[float]("Peak of base load − installed PV (kW).")
    peak_import_after_kw = _FromResult[float | None]("Peak import of the plan's dispatch (kW).")
    annual_cost_eur = _FromResult[float | None]("The plan's cost over the profile span (EUR).")
    reason = _FromResult[str | None]("Why there is no plan (``None`` when there is one).")
    dispatch = _FromResult[pd.DataFrame | None]("The plan's dispatch (``None`` when infeasible).")
    added_pv_kwp = _FromResult[float]("New PV (kWp; 0 for min-connection).")
    added_battery_energy_kwh = _FromResult[float]("New battery energy (kWh; 0 for min-connection).")
    added_battery_power_kw = _FromResult[float]("New battery power (kW; 0 for min-connection).")
    lower_bound_eur = _FromResult[float | None](
        "Proven lower bound on the optimal cost (EUR; min-cost only, else ``None``)."
    )
    gap = _FromResult[float | None](
        "Relative gap of ``annual_cost_eur`` to ``lower_bound_eur`` (min-cost only)."
    )

    @property
    def method(self) -> str:
        """Which engine answered (see :class:`~netruimte.planner.PlanResult`)."""
        return str(self.result.method)

    @property
    def feasible(self) -> bool:
        """True when the plan has a connection and a dispatch."""
        return self.result.status is PlanStatus.OPTIMAL

    def to_json_dict(self) -> dict[str, Any]:
        """The Plan JSON of the interface contract, extended with ``site``, ``method``, the
        new capacity (``added_pv_kwp``, ``added_battery_energy_kwh``,
        ``added_battery_power_kw``; 0 for ``min-connection``), ``lower_bound_eur`` and
        ``gap`` (the proven bound and gap of a min-cost plan; ``null`` otherwise),
        ``cost_breakdown`` (a list of :class:`CostLine` objects) and ``business_case``
        (interface contract v2; ``null`` for an infeasible plan)."""
        doc: dict[str, Any] = {name: getattr(self, name) for name in PLAN_FIELDS}
        doc["site"] = self.site.name
        doc["method"] = self.method
        doc["added_pv_kwp"] = self.added_pv_kwp
        doc["added_battery_energy_kwh"] = self.added_battery_energy_kwh
        doc["added_battery_power_kw"] = self.added_battery_power_kw
        doc["lower_bound_eur"] = self.lower_bound_eur
        doc["gap"] = self.gap
        doc["cost_breakdown"] = [line.to_json_dict() for line in self.cost]
        doc["business_case"] = None if self.business is None else self.business.to_json_dict()
        return doc


def plan_site(site: Site) -> PricedPlan:
    """Plan a site with its objective (``site.objective``).

    ``min-connection``: :func:`netruimte.planner.min_connection` with the installed assets,
    priced by :func:`tariff_cost`. ``min-cost``: :func:`netruimte.planner.lp.min_cost`.
    An infeasible site gives a plan with ``status="infeasible"`` and a reason, not an error.
    """
    if site.objective is Objective.MIN_COST:
        return _plan_min_cost(site)
    from netruimte.planner.fast import min_connection

    result = min_connection(site)
    dispatch = result.dispatch
    if result.status is not PlanStatus.OPTIMAL or result.import_kw is None or dispatch is None:
        reason = result.reason or "no import limit works"
        return PricedPlan(site, _infeasible(site, result, reason))
    cost = tariff_cost(site, dispatch, result.import_kw)
    priced = replace(result, annual_cost_eur=sum(line.eur for line in cost))
    return PricedPlan(site, priced, cost, business_case(site, dispatch, result.import_kw))


def _infeasible(site: Site, result: PlanResult, reason: str) -> PlanResult:
    """An infeasible plan as the plan files show it: the installed sizes, no new capacity,
    limit, dispatch or cost."""
    pv_kwp, energy_kwh, power_kw = installed_sizes(site)
    return replace(
        result, status=PlanStatus.INFEASIBLE, import_kw=None, pv_kwp=pv_kwp,
        battery_energy_kwh=energy_kwh, battery_power_kw=power_kw, peak_import_after_kw=None,
        annual_cost_eur=None, reason=reason, dispatch=None, added_pv_kwp=0.0,
        added_battery_energy_kwh=0.0, added_battery_power_kw=0.0,
    )  # fmt: skip


_LP_TARIFF_ITEMS: Final = {
    "contracted_eur": "contracted import capacity",
    "kwmax_eur": "monthly peak import (kW max)",
    "energy_eur": "imported energy",
    "feed_in_eur": "exported energy (feed-in)",
    "curtailment_eur": "curtailed load",
}


def _lp_cost_lines(site: Site, result: PlanResult) -> tuple[CostLine, ...]:
    """The LP's cost breakdown as cost lines: the EUR are the LP's; the quantities and prices
    of the tariff lines are read off its dispatch by :func:`tariff_cost`."""
    eur = dict(result.cost_breakdown)
    pv = site.pv
    bat = site.battery
    lines = [
        CostLine("new PV (annualised)", result.added_pv_kwp, "kWp",
                 pv.cost_eur_per_kwp_year if pv else 0.0, "EUR/kWp/year", eur["pv_eur"]),
        CostLine("new battery energy (annualised)", result.added_battery_energy_kwh, "kWh",
                 bat.cost_eur_per_kwh_year if bat else 0.0, "EUR/kWh/year",
                 eur["battery_energy_eur"]),
        CostLine("new battery power (annualised)", result.added_battery_power_kw, "kW",
                 bat.cost_eur_per_kw_year if bat else 0.0, "EUR/kW/year",
                 eur["battery_power_eur"]),
    ]  # fmt: skip
    assert result.dispatch is not None and result.import_kw is not None
    tariff = {line.item: line for line in tariff_cost(site, result.dispatch, result.import_kw)}
    for key, item in _LP_TARIFF_ITEMS.items():
        line = tariff.get(item)
        if line is None:  # no curtailable loads: the LP reports 0
            if abs(eur.get(key, 0.0)) > 0:
                lines.append(CostLine(item, 0.0, "kWh", None, "", eur[key]))
            continue
        lines.append(replace(line, eur=eur[key] + 0.0))
    return tuple(lines)


def _plan_min_cost(site: Site) -> PricedPlan:
    from netruimte.planner.lp import min_cost

    result = min_cost(site)
    dispatch = result.dispatch
    if result.status is not PlanStatus.OPTIMAL or result.import_kw is None or dispatch is None:
        reason = result.reason or "no plan keeps to the import limits"
        return PricedPlan(site, _infeasible(site, result, reason))
    business = business_case(
        site, dispatch, result.import_kw, added_pv_kwp=result.added_pv_kwp,
        added_battery_energy_kwh=result.added_battery_energy_kwh,
        added_battery_power_kw=result.added_battery_power_kw,
    )  # fmt: skip
    return PricedPlan(site, result, _lp_cost_lines(site, result), business)


def default_battery_range(site: Site, peak_import_before_kw: float, c_rate: float) -> list[float]:
    """Battery energies for a trade-off curve when none are given (kWh).

    Eleven points from 0 to a round number at least twice the installed battery and at least
    the battery whose power (at ``c_rate``) equals the peak of load − PV.
    """
    installed = site.battery.energy_kwh if site.battery is not None else 0.0
    top = max(2.0 * installed, peak_import_before_kw / c_rate, 1.0)
    magnitude = 10.0 ** math.floor(math.log10(top))
    nice = next(m * magnitude for m in (1.0, 2.0, 2.5, 5.0, 10.0) if m * magnitude >= top - 1e-9)
    step = nice / _CURVE_POINTS
    return [round(i * step, 9) for i in range(_CURVE_POINTS + 1)]


def curve_energies(site: Site, battery_kwh: str | None, c_rate: float) -> list[float]:
    """The energies of ``--battery-kwh START:STOP:STEP``, or :func:`default_battery_range`."""
    if battery_kwh is not None:
        return parse_battery_range(battery_kwh)
    if not (math.isfinite(c_rate) and c_rate > 0):
        raise InputError(f"expected a c-rate > 0 (1/h), got {c_rate!r}", field="c-rate")
    before = site.load_kw.to_numpy(dtype=float)
    if site.pv is not None:
        before = before - site.pv.kwp * site.pv.kw_per_kwp.to_numpy(dtype=float)
    return default_battery_range(site, max(0.0, float(before.max())), c_rate)


def run_site_curve(
    path: str | Path, battery_kwh: str | None = None, c_rate: float = DEFAULT_C_RATE
) -> tuple[Site, list[CurvePoint]]:
    """Load a site file and compute its trade-off curve (``netruimte site curve``)."""
    from netruimte.planner.curve import tradeoff_curve
    from netruimte.scenario.site_toml import load_site

    if not (math.isfinite(c_rate) and c_rate > 0):
        raise InputError(f"expected a c-rate > 0 (1/h), got {c_rate!r}", field="c-rate")
    site = load_site(path)
    return site, tradeoff_curve(site, curve_energies(site, battery_kwh, c_rate), c_rate)


def describe_sources(path: str | Path, site: Site) -> SiteSources:
    """Where a site file's data come from, in words for the report (the file was validated)."""
    path = Path(path)
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    load = data.get("load", {})
    # messages (a str each), so that the report can show them in its own language
    if "csv" in load:
        load_text = Msg("the 15-minute profile CSV {csv} (metering data given by the user)",
                        csv=load["csv"])  # fmt: skip
    else:
        load_text = Msg(
            "BDEW standard load profile {profile} (demandlib) for {year}, scaled to "
            "{kwh:,.0f} kWh a year",
            profile=str(load.get("profile")), year=str(site.year),
            kwh=float(load.get("annual_kwh", 0)),
        )  # fmt: skip
    pv = data.get("pv")
    pv_text: str | None = None
    if pv is not None:
        if "csv" in pv:
            pv_text = Msg("measured PV profile from {csv} for the installed {kwp:g} kWp",
                          csv=pv["csv"], kwp=pv["kwp"])  # fmt: skip
        else:
            weather = pv.get("weather", "try-essen")
            sky = Msg(
                "the DWD test reference year for Essen (typical weather)"
                if weather == "try-essen"
                else "clear-sky irradiance (no clouds: an upper bound)"
            )
            pv_text = Msg(
                "generated with pvlib from {sky}, at {lat:g}° N {lon:g}° E, tilt {tilt:g}°, "
                "azimuth {azimuth:g}° (180 = south), for {year}",
                sky=sky, lat=pv.get("latitude"), lon=pv.get("longitude"),
                tilt=pv.get("tilt_deg", 30), azimuth=pv.get("azimuth_deg", 180),
                year=str(site.year),
            )  # fmt: skip
    tariff = data.get("tariff", {})
    prices = (
        Msg("hourly/15-minute prices from {csv}", csv=tariff["energy_price_csv"])
        if "energy_price_csv" in tariff
        else Msg(
            "a flat price of {price:g} EUR/kWh from the site file",
            price=site.tariff.energy_eur_per_kwh,
        )
    )
    return SiteSources(file=path.name, load=load_text, pv=pv_text, energy_prices=prices)


def kw_rounded_up(value_kw: float) -> float:
    """``value_kw`` rounded up to 0.01 kW, never below it (also when 100 × value rounds
    down in floating point)."""
    kw = math.ceil(value_kw * 100.0) / 100.0
    if kw < value_kw:
        kw = (math.ceil(value_kw * 100.0) + 1) / 100.0
    return kw


def request_annex(plan: PricedPlan, profile_csv: str = "import.csv") -> dict[str, Any]:
    """The request annex (``request.json``) of a feasible plan.

    Top level: what the plan asks for. ``request`` holds the same as the keys of a waiting-list
    ``[[request]]`` table (``docs/scenario-file.md``), ready to copy into a scenario with an
    ``id``, ``station`` and ``submitted``; its ``kw`` is the plan's import rounded up to
    0.01 kW (and at least the peak of ``import.csv``). With restrictions the contract is
    ``time-block`` in its legal form: ``capacity_blocks`` are the daily windows outside every
    restriction window (full kW inside them), ``restricted_kw`` the highest restriction level
    (capped at the requested kW), which is what the site may draw outside the blocks. When
    the restrictions cover the whole day the request is firm at that level.
    """
    if not plan.feasible or plan.import_kw is None:
        raise ValueError("an infeasible plan has no request annex")
    site = plan.site
    given = site.connection.restrictions
    restrictions = [
        {"windows": [str(w) for w in r.windows], "import_kw": r.import_kw} for r in given
    ]
    # Rounded up to 0.01 kW, and never below the profile's peak: the request must cover it.
    kw = kw_rounded_up(max(plan.import_kw, plan.peak_import_after_kw or 0.0))
    request: dict[str, Any] = {"applicant": site.name, "direction": "offtake", "kw": kw}
    contract = "firm"
    if restrictions:
        from netruimte.grid.representative import complement_windows

        level = min(kw, max(r.import_kw for r in given))
        capacity_blocks = list(
            complement_windows(sorted({str(w) for r in given for w in r.windows}))
        )
        if capacity_blocks:
            contract = "time-block"
            request |= {
                "contract": contract,
                "capacity_blocks": capacity_blocks,
                "restricted_kw": level,
            }
        else:  # restricted all day: a firm request at the restricted level
            request |= {"contract": contract, "kw": level}
    else:
        request["contract"] = contract
    request["profile_csv"] = profile_csv
    return {
        "site": site.name,
        "objective": plan.objective,
        "direction": "offtake",
        "import_kw": plan.import_kw,
        "export_kw": plan.export_kw,
        "contract": contract,
        "restrictions": restrictions,
        "profile_csv": profile_csv,
        "peak_import_kw": plan.peak_import_after_kw,
        "request": request,
    }


def write_plan_outputs(
    plan: PricedPlan,
    out_dir: str | Path,
    *,
    sources: SiteSources | None = None,
    curve: Sequence[CurvePoint] = (),
    generated_at: dt.datetime | None = None,
    lang: str = "en",
    also_langs: Sequence[str] = (),
) -> list[Path]:
    """Write ``plan.json``, ``dispatch.csv``, ``request.json``, ``import.csv``,
    ``report.html`` and the one-page ``summary.pdf`` into ``out_dir`` (created if missing); an
    infeasible plan gets ``plan.json`` and ``report.html`` only. Returns the paths written.
    ``report.html`` and ``summary.pdf`` are in ``lang``; each of ``also_langs`` adds the report
    once more as ``report.<lang>.html`` (the web service keeps one per language)."""
    from netruimte.profiles import write_profile_csv
    from netruimte.report.html import write_report

    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputError(f"{out} exists and is not a folder; name a folder", field="--out")
    out.mkdir(parents=True, exist_ok=True)
    written = []
    annex = request_annex(plan, "import.csv") if plan.feasible else None
    target = out / "plan.json"
    write_atomic(target, json.dumps(plan.to_json_dict(), indent=2) + "\n")
    written.append(target)
    if plan.feasible and plan.dispatch is not None:
        target = out / "dispatch.csv"
        frame = plan.dispatch.copy()
        frame.index = pd.Index([t.isoformat() for t in frame.index], name="timestamp")
        write_atomic(target, frame.to_csv())
        written.append(target)
        target = out / "import.csv"
        write_profile_csv(plan.dispatch["import_kw"].rename("kw"), target, column="kw")
        written.append(target)
        target = out / "request.json"
        write_atomic(target, json.dumps(annex, indent=2) + "\n")
        written.append(target)
    report = site_plan_report(
        plan.site, plan.to_json_dict(), plan.dispatch, curve=curve, sources=sources, request=annex
    )
    report = replace(report, lang=lang)  # report.html in nl or en; the files stay English
    if generated_at is not None:
        report = replace(report, generated_at=generated_at)
    written.append(write_report(report, out / "report.html"))
    for other in also_langs:
        written.append(write_report(replace(report, lang=other), out / f"report.{other}.html"))
    if plan.feasible and plan.business is not None:
        from netruimte.report.pdf import site_summary_pdf
        from netruimte.report.site import period_text

        pdf = site_summary_pdf(plan.to_json_dict(), site_name=plan.site.name,
                               span=period_text(plan.site), generated_at=generated_at,
                               lang=lang)  # fmt: skip
        target = out / "summary.pdf"
        write_atomic(target, pdf)
        written.append(target)
    return written


def run_site_plan(
    path: str | Path,
    out_dir: str | Path | None = None,
    *,
    lang: str = "en",
    also_langs: Sequence[str] = (),
) -> PricedPlan:
    """Load a site file, plan it and, with ``out_dir``, write every output
    (``netruimte site plan``). The trade-off curve for the report is computed only then."""
    from netruimte.planner.curve import tradeoff_curve
    from netruimte.scenario.site_toml import load_site

    if out_dir is not None and Path(out_dir).exists() and not Path(out_dir).is_dir():
        raise InputError(f"{out_dir} exists and is not a folder; name a folder", field="--out")
    site = load_site(path)
    plan = plan_site(site)
    if out_dir is not None:
        # The report's curve uses the plan's battery shape, so the plan lies on it.
        c_rate = DEFAULT_C_RATE
        if plan.battery_energy_kwh > 0 and plan.battery_power_kw > 0:
            c_rate = plan.battery_power_kw / plan.battery_energy_kwh
        energies = curve_energies(site, None, c_rate)
        if plan.battery_energy_kwh > 0:
            energies = sorted(set(energies) | {plan.battery_energy_kwh})
        curve_site = site
        if site.pv is not None and plan.pv_kwp != site.pv.kwp:  # min-cost added PV
            curve_site = replace(site, pv=replace(site.pv, kwp=plan.pv_kwp))
        curve = tradeoff_curve(curve_site, energies, c_rate)
        write_plan_outputs(
            plan,
            out_dir,
            sources=describe_sources(path, site),
            curve=curve,
            lang=lang,
            also_langs=also_langs,
        )
    return plan
