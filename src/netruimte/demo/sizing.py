"""Cost-optimal smart tools for the demo's businesses: one min-cost solve per business type.

The min-cost LP (``docs/formulation.md``) is positively homogeneous: scaling the load, every
kW/kWh bound and limit of a site by ``s > 0`` scales every feasible plan by ``s`` and its cost
by ``s`` (the argument is in ``docs/formulation.md``, "Homogeneity"). A business of the demo
is its type's standard-profile shape scaled to its requested kW, with its type's bounds per kW,
so one min-cost plan of the type at :data:`REFERENCE_KW` scaled by ``kw / REFERENCE_KW`` is the
business's min-cost plan, with the same proven relative gap. That turns ~100 solves into one
per type (cached within the run).

The tariff and investment figures are the EXAMPLE values of ``examples/sites/office-pv.toml``
(they are not any operator's or supplier's prices); the cost of curtailing a flexible process
is an ASSUMPTION (no example in the repository has one). ``docs/scenario-flevoland.md`` lists
them.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

import pandas as pd

from netruimte.planner.site import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    Objective,
    Site,
    Tariff,
)

__all__ = [
    "EXAMPLE_BATTERY_EUR_PER_KWH_YEAR",
    "EXAMPLE_BATTERY_EUR_PER_KW_YEAR",
    "EXAMPLE_PV_EUR_PER_KWP_YEAR",
    "EXAMPLE_TARIFF",
    "FLEX_EUR_PER_KWH",
    "REFERENCE_KW",
    "TypeSizing",
    "business_site",
    "installed_site",
    "size_type",
]

REFERENCE_KW: Final = 1000.0
"""Peak load (kW) at which each business type is solved; businesses scale from it."""

# EXAMPLE figures, copied from examples/sites/office-pv.toml (marked there as examples).
EXAMPLE_TARIFF: Final = Tariff(
    contracted_eur_per_kw_year=35.0,
    kwmax_eur_per_kw_month=2.8,
    energy_eur_per_kwh=0.20,
    feed_in_eur_per_kwh=0.04,  # unused: the demo's businesses may not export
)
EXAMPLE_PV_EUR_PER_KWP_YEAR: Final = 65.0
EXAMPLE_BATTERY_EUR_PER_KWH_YEAR: Final = 30.0
EXAMPLE_BATTERY_EUR_PER_KW_YEAR: Final = 10.0
EXAMPLE_ROUNDTRIP: Final = 0.90
FLEX_EUR_PER_KWH: Final = 0.50
"""ASSUMPTION: what a kWh of a flexible process not taken from the grid costs the business
(lost or moved production, comfort); 2.5× the example energy price, so the planner uses it
against peaks, not to save energy."""


@dataclass(frozen=True)
class TypeSizing:
    """The min-cost plan of one business type at :data:`REFERENCE_KW` peak load.

    Sizes are totals at the reference size; multiply by ``kw / REFERENCE_KW`` for a business.
    ``flex_kw`` is the largest reduction of the flexible processes the plan uses.
    """

    pv_kwp: float
    battery_kwh: float
    battery_kw: float
    flex_kw: float
    contracted_kw: float
    annual_cost_eur: float
    lower_bound_eur: float
    gap: float
    method: str

    def scaled(self, factor: float) -> TypeSizing:
        """The plan of the same type at ``factor`` times the reference peak (exact by
        homogeneity; the relative gap is unchanged)."""
        return TypeSizing(
            pv_kwp=self.pv_kwp * factor,
            battery_kwh=self.battery_kwh * factor,
            battery_kw=self.battery_kw * factor,
            flex_kw=self.flex_kw * factor,
            contracted_kw=self.contracted_kw * factor,
            annual_cost_eur=self.annual_cost_eur * factor,
            lower_bound_eur=self.lower_bound_eur * factor,
            gap=self.gap,
            method=self.method,
        )


def business_site(
    name: str,
    load_per_peak_kw: pd.Series,
    pv_kw_per_kwp: pd.Series,
    year: int,
    kw: float,
    *,
    pv_kwp_per_kw: float,
    battery_kwh_per_kw: float,
    flex_share: float,
    c_rate: float,
) -> Site:
    """The demo's site of a business with peak load ``kw``, for ``min-cost``.

    Nothing is installed; the population's figures per kW are the most the planner may add
    (roof for PV, room for a battery of power ``c_rate`` × its largest energy, the share of the
    peak whose processes can be curtailed). No export (feed-in is congested too); the
    contracted import is chosen. Tariff and prices: the examples above.
    """
    max_kwh = battery_kwh_per_kw * kw
    flex_kw = flex_share * kw
    return Site(
        name=name,
        load_kw=(load_per_peak_kw * kw).rename("kw"),
        year=year,
        objective=Objective.MIN_COST,
        pv=PV(
            kw_per_kwp=pv_kw_per_kwp,
            max_kwp=pv_kwp_per_kw * kw,
            cost_eur_per_kwp_year=EXAMPLE_PV_EUR_PER_KWP_YEAR,
        )
        if pv_kwp_per_kw > 0
        else None,
        battery=Battery(
            max_energy_kwh=max_kwh,
            max_power_kw=c_rate * max_kwh,
            cost_eur_per_kwh_year=EXAMPLE_BATTERY_EUR_PER_KWH_YEAR,
            cost_eur_per_kw_year=EXAMPLE_BATTERY_EUR_PER_KW_YEAR,
            roundtrip_efficiency=EXAMPLE_ROUNDTRIP,
        )
        if max_kwh > 0
        else None,
        curtailable=(
            (
                CurtailableLoad(
                    "flexible processes", max_kw=flex_kw, cost_eur_per_kwh=FLEX_EUR_PER_KWH
                ),
            )
            if flex_kw > 0
            else ()
        ),
        connection=Connection(import_kw=None, export_kw=0.0),
        tariff=EXAMPLE_TARIFF,
    )


def installed_site(site: Site, sizing: TypeSizing) -> Site:
    """``site`` with the sized PV and battery installed (nothing more to add) and its flexible
    processes limited to what the plan uses: the business as it would then ask to connect."""
    pv = site.pv
    if pv is not None:
        pv = dataclasses.replace(pv, kwp=sizing.pv_kwp, max_kwp=0.0)
    battery = site.battery
    if battery is not None:
        battery = dataclasses.replace(
            battery,
            energy_kwh=sizing.battery_kwh,
            power_kw=sizing.battery_kw,
            max_energy_kwh=0.0,
            max_power_kw=0.0,
        )
    curtailable = tuple(
        dataclasses.replace(c, max_kw=min(c.max_kw, sizing.flex_kw))
        for c in site.curtailable
        if sizing.flex_kw > 0
    )
    return dataclasses.replace(site, pv=pv, battery=battery, curtailable=curtailable)


def size_type(site: Site) -> TypeSizing:
    """Solve ``min-cost`` for a business type's reference site and keep what scales.

    Raises ``RuntimeError`` if the plan is not optimal (a site without caps always has one).
    """
    from netruimte.planner.lp import PlanStatus, min_cost

    plan = min_cost(site)
    if (
        plan.status is not PlanStatus.OPTIMAL
        or plan.import_kw is None
        or plan.annual_cost_eur is None
    ):
        raise RuntimeError(f"{site.name}: no min-cost plan ({plan.reason})")
    dispatch = plan.dispatch
    flex_kw = 0.0
    if dispatch is not None and "curtailed_kw" in dispatch:
        flex_kw = float(dispatch["curtailed_kw"].max())
    lower = plan.lower_bound_eur if plan.lower_bound_eur is not None else plan.annual_cost_eur
    return TypeSizing(
        pv_kwp=plan.pv_kwp,
        battery_kwh=plan.battery_energy_kwh,
        battery_kw=plan.battery_power_kw,
        flex_kw=max(flex_kw, 0.0),
        contracted_kw=plan.import_kw,
        annual_cost_eur=plan.annual_cost_eur,
        lower_bound_eur=lower,
        gap=plan.gap if plan.gap is not None else 0.0,
        method=plan.method,
    )
