"""The planner's result, one type for both engines: a frozen :class:`PlanResult`.

Field names follow the Plan JSON of the interface contract (``status``, ``objective``,
``import_kw``, ``export_kw``, ``pv_kwp``, ``battery_energy_kwh``, ``battery_power_kw``,
``peak_import_before_kw``, ``peak_import_after_kw``, ``annual_cost_eur``, ``reason``); the
dispatch uses the columns of :mod:`netruimte.planner.dispatch`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

import pandas as pd

from netruimte.planner.site import Objective, Site

if TYPE_CHECKING:
    from netruimte.planner.lp.decompose import DecompositionReport

__all__ = ["PlanResult", "PlanStatus", "export_asked", "installed_sizes"]


class PlanStatus(StrEnum):
    """Outcome of a plan."""

    OPTIMAL = "optimal"
    INFEASIBLE = "infeasible"


@dataclass(frozen=True)
class PlanResult:
    """A site plan, from either engine: the exact kernels of :mod:`netruimte.planner.fast`
    (``min-connection``) or the LP planner of :mod:`netruimte.planner.lp`.

    Attributes
    ----------
    status
        ``optimal`` or ``infeasible`` (then ``reason`` says why and when).
    objective
        Which question was answered (``min-cost`` or ``min-connection``).
    import_kw
        The import limit of the plan (kW): the contracted kW chosen (the peak import) when the
        site asks to minimise it, else the fixed limit; for ``min-connection`` the smallest
        limit. ``None`` when infeasible.
    export_kw
        The export limit (kW); when unlimited, the plan's peak export. ``None`` when
        infeasible and unlimited.
    pv_kwp, battery_energy_kwh, battery_power_kw
        The plan's totals: installed plus new (kWp, kWh, kW).
    added_pv_kwp, added_battery_energy_kwh, added_battery_power_kw
        The new capacity chosen (kWp, kWh, kW).
    peak_import_before_kw
        Peak of base load − installed PV, no battery or flexibility (kW, ≥ 0).
    peak_import_after_kw
        Peak import of the plan's dispatch (kW); ``None`` when infeasible.
    annual_cost_eur
        Cost of the plan over the profile span (EUR; see ``docs/formulation.md``): the sum of
        ``cost_breakdown``. ``None`` when infeasible or not priced.
    cost_breakdown
        EUR per carrier: ``pv_eur``, ``battery_energy_eur``, ``battery_power_eur``,
        ``contracted_eur``, ``kwmax_eur``, ``energy_eur``, ``feed_in_eur`` (negative: revenue),
        ``curtailment_eur``.
    reason
        ``None``, or why no plan exists (with the time and the shortfall where it applies).
    dispatch
        The plan's dispatch (columns in :mod:`netruimte.planner.dispatch`, plus
        ``curtailed_kw:<name>`` per curtailable load); ``None`` when infeasible.
    soc_start_kwh
        Battery state of charge at the start of the dispatch (kWh).
    lower_bound_eur, gap
        Proven lower bound on the optimal cost and the relative gap of ``annual_cost_eur`` to
        it (0 for a plan solved as one LP; ``min-cost`` only).
    method
        ``kernel`` (the exact O(T) kernels of :mod:`netruimte.planner.fast`), ``lp`` (one
        LP), ``decomposition`` (over the sizing, :mod:`netruimte.planner.lp.decompose`) or
        ``temporal`` (over the sizing, contracted kW and month segments,
        :mod:`netruimte.planner.lp.temporal`).
    seconds
        Wall-clock time per phase (``build``, ``solve``, ...).
    report
        The decomposition's report, when it was used.
    """

    status: PlanStatus
    objective: Objective
    import_kw: float | None
    export_kw: float | None
    pv_kwp: float
    battery_energy_kwh: float
    battery_power_kw: float
    peak_import_before_kw: float
    peak_import_after_kw: float | None
    annual_cost_eur: float | None
    reason: str | None
    dispatch: pd.DataFrame | None = field(default=None, repr=False)
    cost_breakdown: Mapping[str, float] = field(
        default_factory=lambda: MappingProxyType({}), repr=False
    )
    added_pv_kwp: float = 0.0
    added_battery_energy_kwh: float = 0.0
    added_battery_power_kw: float = 0.0
    soc_start_kwh: float | None = None
    lower_bound_eur: float | None = None
    gap: float | None = None
    method: str = "lp"
    seconds: Mapping[str, float] = field(default_factory=lambda: MappingProxyType({}), repr=False)
    report: DecompositionReport | None = field(default=None, repr=False)

    def to_json_dict(self) -> dict[str, Any]:
        """The Plan JSON of the interface contract (``site plan --json``)."""
        return {
            "status": self.status.value,
            "objective": self.objective.value,
            "import_kw": self.import_kw,
            "export_kw": self.export_kw,
            "pv_kwp": self.pv_kwp,
            "battery_energy_kwh": self.battery_energy_kwh,
            "battery_power_kw": self.battery_power_kw,
            "peak_import_before_kw": self.peak_import_before_kw,
            "peak_import_after_kw": self.peak_import_after_kw,
            "annual_cost_eur": self.annual_cost_eur,
            "reason": self.reason,
        }


def installed_sizes(site: Site) -> tuple[float, float, float]:
    """What the site has installed: PV kWp, battery kWh and kW (no usable battery: zeros)."""
    pv_kwp = site.pv.kwp if site.pv is not None else 0.0
    bat = site.battery
    if bat is None or bat.energy_kwh <= 0 or bat.power_kw <= 0:
        return pv_kwp, 0.0, 0.0
    return pv_kwp, bat.energy_kwh, bat.power_kw


def export_asked(site: Site, dispatch: pd.DataFrame | None) -> float | None:
    """The feed-in a plan asks for (kW): the site's export limit, else the dispatch's peak
    export; ``None`` when unlimited and there is no dispatch."""
    limit = site.connection.export_kw
    if limit is not None:
        return float(limit)
    return None if dispatch is None else float(dispatch["export_kw"].max())
