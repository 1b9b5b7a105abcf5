"""Pure pricing: what an import series costs at a connection, what assets cost, and the
business case of a plan against the site as it runs today.

One place prices a dispatch (:func:`tariff_cost`); the site report, ``plan.json`` and the
business case all read their euros from it. Over the span of the profile::

    contracted  = import_kw × contracted_eur_per_kw_year × year_share
    kW max      = Σ_month max(import in month) × kwmax_eur_per_kw_month × month_share
    energy      = Σ_t import_t × price_t × 0.25 h
    feed-in     = − Σ_t export_t × feed_in_eur_per_kwh × 0.25 h
    curtailment = Σ_t curtailed_t × cost_eur_per_kwh (cheapest curtailable load first)

``year_share`` is the part of each calendar year the profile covers (1 for a whole calendar
year), ``month_share`` the same per calendar month, so a whole-year profile gives the annual
cost exactly and a shorter one the cost of its span.

The business case (:func:`business_case`) compares two yearly costs priced alike:

* the **baseline**: the site without new assets and without planning (load − installed PV,
  flexible loads starting at the beginning of their windows at full power, no battery use, no
  curtailment) on a connection of its own peak (``baseline_import_kw``);
* the **plan**: the planned dispatch at the planned connection, tariffs, energy and curtailment
  only (no annualised investment).

Both are annualised by dividing the cost over the span by the span in years (``span_years``,
1 for a whole calendar year; the report says so when the profile is shorter). Then::

    annual_savings = baseline_annual_cost − plan_annual_cost
    investment     = Σ one-off price × capacity bought (the plan's new PV and battery; with
                     economics.invest_in = "all" also the installed PV and battery)
    payback        = investment / annual_savings   (None when the savings are ≤ 0)
    NPV            = − investment + Σ_{y=1..lifetime} annual_savings / (1 + r)^y
    waiting cost   = wait_months × downtime_eur_per_month

The waiting cost is what the business would lose waiting ``wait_months`` for the larger
(baseline) connection if the plan lets it start now; it is shown apart and added, undiscounted
at the start, in ``npv_with_waiting_eur``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP
from netruimte.planner.site import Site

__all__ = [
    "BusinessCase",
    "CostLine",
    "baseline_dispatch",
    "business_case",
    "investment_eur",
    "net_present_value",
    "simple_payback_years",
    "span_years",
    "tariff_cost",
]


@dataclass(frozen=True)
class CostLine:
    """One line of a cost breakdown: ``eur`` = ``quantity`` × ``price`` (× a span share)."""

    item: str
    quantity: float
    unit: str
    price: float | None
    price_unit: str
    eur: float

    def to_json_dict(self) -> dict[str, Any]:
        """The line as a JSON object (its fields, in order)."""
        return asdict(self)


def _shares(index: pd.DatetimeIndex, freq: str) -> tuple[pd.Index, np.ndarray]:
    """Per step its calendar period (``"Y"`` or ``"M"``); per period the share covered."""
    local = index.tz_localize(None)
    periods = local.to_period(freq)
    labels = pd.Index(periods.unique())
    shares = []
    for period in labels:
        start = pd.Timestamp(period.start_time).tz_localize(index.tz)
        end = pd.Timestamp((period + 1).start_time).tz_localize(index.tz)
        hours = (end - start) / pd.Timedelta(hours=1)
        steps = int((periods == period).sum())
        shares.append(steps * HOURS_PER_STEP / hours)
    return labels, np.asarray(shares, dtype=float)


def span_years(index: pd.DatetimeIndex) -> float:
    """The span of a 15-minute index in years: Σ over calendar years of the share covered
    (exactly 1 for one whole calendar year, DST days included)."""
    return float(_shares(index, "Y")[1].sum())


def tariff_cost(site: Site, dispatch: pd.DataFrame, import_kw: float) -> tuple[CostLine, ...]:
    """The tariff cost of a dispatch at a contracted import (formula in the module docstring).

    Parameters
    ----------
    site
        The site (its tariff and curtailable loads).
    dispatch
        A dispatch with columns ``import_kw``, ``export_kw`` and, optionally, ``curtailed_kw``
        (kW), on the site's index.
    import_kw
        The contracted import (kW).

    Returns
    -------
    tuple of CostLine
        Contracted capacity, monthly kW max, energy, feed-in (negative: income) and, when
        loads were curtailed, curtailment; EUR over the profile's span.
    """
    tariff = site.tariff
    index = site.index
    imported = dispatch["import_kw"].to_numpy(dtype=float)
    exported = dispatch["export_kw"].to_numpy(dtype=float)
    years = span_years(index)
    lines = [
        CostLine("contracted import capacity", import_kw, "kW", tariff.contracted_eur_per_kw_year,
                 "EUR/kW/year", import_kw * tariff.contracted_eur_per_kw_year * years)
    ]  # fmt: skip
    months = index.tz_localize(None).to_period("M")
    labels, month_share = _shares(index, "M")
    peaks = pd.Series(imported, index=months).groupby(level=0).max().reindex(labels).to_numpy()
    kw_months = float((peaks * month_share).sum())
    lines.append(
        CostLine("monthly peak import (kW max)", kw_months, "kW-months",
                 tariff.kwmax_eur_per_kw_month, "EUR/kW/month",
                 kw_months * tariff.kwmax_eur_per_kw_month)
    )  # fmt: skip
    import_kwh = float(imported.sum() * HOURS_PER_STEP)
    price = tariff.energy_eur_per_kwh
    if isinstance(price, pd.Series):
        energy_eur = float((imported * price.to_numpy(dtype=float)).sum() * HOURS_PER_STEP)
        mean_price = energy_eur / import_kwh if import_kwh > 0 else None
        lines.append(
            CostLine("imported energy", import_kwh, "kWh", mean_price, "EUR/kWh (mean)", energy_eur)
        )
    else:
        lines.append(
            CostLine("imported energy", import_kwh, "kWh", price, "EUR/kWh", import_kwh * price)
        )
    export_kwh = float(exported.sum() * HOURS_PER_STEP)
    feed_in = tariff.feed_in_eur_per_kwh
    lines.append(
        CostLine("exported energy (feed-in)", export_kwh, "kWh", feed_in, "EUR/kWh",
                 -export_kwh * feed_in + 0.0)
    )  # fmt: skip
    if "curtailed_kw" in dispatch and site.curtailable:
        curtailed = dispatch["curtailed_kw"].to_numpy(dtype=float)
        eur = 0.0
        left = curtailed.copy()
        for load in sorted(site.curtailable, key=lambda c: c.cost_eur_per_kwh):
            part = np.minimum(left, load.max_kw)
            eur += float(part.sum() * HOURS_PER_STEP * load.cost_eur_per_kwh)
            left -= part
        kwh = float(curtailed.sum() * HOURS_PER_STEP)
        lines.append(
            CostLine("curtailed load", kwh, "kWh", eur / kwh if kwh > 0 else None,
                     "EUR/kWh (mean)", eur)
        )  # fmt: skip
    return tuple(lines)


def baseline_dispatch(site: Site, *, with_installed_pv: bool = True) -> pd.DataFrame:
    """The site as it runs without new assets and without planning (kW, on the site's index).

    Base load, minus the installed PV when ``with_installed_pv``, plus every shiftable load
    at full power from the start of its window until it has its day's energy; no battery
    use, no curtailment. A PV surplus is exported up to the export limit (the rest curtailed).

    Returns
    -------
    pandas.DataFrame
        Columns ``import_kw`` and ``export_kw``.
    """
    from netruimte.planner.prepare import site_arrays

    arrays = site_arrays(site)
    extra = np.zeros(arrays.steps)
    for occ in arrays.occurrences:
        load = site.shiftable[occ.load]
        left = occ.energy_kwh
        for step in occ.window_steps():
            if left <= 1e-12:
                break
            power = min(load.max_kw, left / HOURS_PER_STEP)
            extra[step] += power
            left -= power * HOURS_PER_STEP
    pv = arrays.pv_kw if with_installed_pv else np.zeros(arrays.steps)
    net = arrays.load_kw - pv + extra
    limit = site.connection.export_kw
    export = np.maximum(-net, 0.0)
    if limit is not None:
        export = np.minimum(export, limit)
    return pd.DataFrame({"import_kw": np.maximum(net, 0.0), "export_kw": export}, index=site.index)


def investment_eur(site: Site, pv_kwp: float, battery_energy_kwh: float,
                   battery_power_kw: float) -> float:  # fmt: skip
    """One-off price of the capacity bought (EUR): kWp × ``pv.capex_eur_per_kwp`` + kWh ×
    ``battery.capex_eur_per_kwh`` + kW × ``battery.capex_eur_per_kw``."""
    total = 0.0
    if site.pv is not None:
        total += pv_kwp * site.pv.capex_eur_per_kwp
    if site.battery is not None:
        total += battery_energy_kwh * site.battery.capex_eur_per_kwh
        total += battery_power_kw * site.battery.capex_eur_per_kw
    return total


def net_present_value(investment: float, annual_eur: float, rate: float, years: int) -> float:
    """``−investment + Σ_{y=1..years} annual_eur / (1 + rate)^y`` (EUR; yearly amounts at
    the end of each year)."""
    factors = (1.0 + rate) ** -np.arange(1, years + 1, dtype=float)
    return float(-investment + annual_eur * factors.sum())


def simple_payback_years(investment: float, annual_savings: float) -> float | None:
    """Years until the savings repay the investment; ``None`` when they never do (savings
    ≤ 0); 0 without investment."""
    if annual_savings <= 0:
        return None
    return investment / annual_savings


@dataclass(frozen=True)
class BusinessCase:
    """The plan against the baseline (formulas in the module docstring; EUR a year unless
    named otherwise)."""

    baseline_import_kw: float
    baseline_annual_cost_eur: float
    plan_annual_cost_eur: float
    investment_eur: float
    annual_savings_eur: float
    simple_payback_years: float | None
    npv_eur: float
    discount_rate: float
    lifetime_years: int
    wait_months: float
    downtime_eur_per_month: float
    waiting_cost_eur: float
    npv_with_waiting_eur: float
    invest_in: str
    span_years: float
    flexible_loads: int
    baseline_cost: tuple[CostLine, ...]
    plan_cost: tuple[CostLine, ...]

    def to_json_dict(self) -> dict[str, Any]:
        """The ``business_case`` object of the Plan JSON."""
        doc = asdict(self)  # the cost lines, last, become their JSON objects
        doc["baseline_cost_breakdown"] = list(doc.pop("baseline_cost"))
        doc["plan_cost_breakdown"] = list(doc.pop("plan_cost"))
        return doc


def business_case(
    site: Site,
    dispatch: pd.DataFrame,
    import_kw: float,
    *,
    added_pv_kwp: float = 0.0,
    added_battery_energy_kwh: float = 0.0,
    added_battery_power_kw: float = 0.0,
) -> BusinessCase:
    """The business case of a planned dispatch (see the module docstring).

    Parameters
    ----------
    site
        The site with its tariff, one-off prices and ``economics``.
    dispatch
        The planned dispatch (``import_kw``, ``export_kw``, optionally ``curtailed_kw``; kW).
    import_kw
        The plan's contracted import (kW).
    added_pv_kwp, added_battery_energy_kwh, added_battery_power_kw
        The new capacity the plan buys (kWp, kWh, kW).
    """
    econ = site.economics
    years = span_years(site.index)
    all_assets = econ.invest_in == "all"
    baseline = baseline_dispatch(site, with_installed_pv=not all_assets)
    baseline_kw = float(baseline["import_kw"].max())
    baseline_cost = tariff_cost(site, baseline, baseline_kw)
    plan_cost = tariff_cost(site, dispatch, import_kw)
    base_eur = sum(line.eur for line in baseline_cost) / years
    plan_eur = sum(line.eur for line in plan_cost) / years
    pv_kwp, energy, power = added_pv_kwp, added_battery_energy_kwh, added_battery_power_kw
    if all_assets:
        pv_kwp += site.pv.kwp if site.pv is not None else 0.0
        if site.battery is not None:
            energy += site.battery.energy_kwh
            power += site.battery.power_kw
    invest = investment_eur(site, pv_kwp, energy, power)
    savings = base_eur - plan_eur
    npv = net_present_value(invest, savings, econ.discount_rate, econ.lifetime_years)
    waiting = econ.wait_months * econ.downtime_eur_per_month
    return BusinessCase(
        baseline_kw, base_eur, plan_eur, invest, savings, simple_payback_years(invest, savings),
        npv, econ.discount_rate, econ.lifetime_years, econ.wait_months,
        econ.downtime_eur_per_month, waiting, npv + waiting, econ.invest_in, years,
        len(site.shiftable), baseline_cost, plan_cost,
    )  # fmt: skip
