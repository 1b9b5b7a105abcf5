"""The numbers of a site's linear programme: plain arrays, one entry per 15-minute step.

:func:`lp_inputs` turns a :class:`~netruimte.planner.site.Site` into :class:`LpInputs`; the
builder (:mod:`netruimte.planner.lp.builder`) only ever reads these arrays. Shiftable
occurrences come from :func:`netruimte.planner.prepare.occurrences_of`, so the LP and the fast
min-connection engine share one reading of the daily windows (``docs/site-file.md``).

Costs for the profile span (``docs/formulation.md``, "Objective"): yearly amounts (investment,
contracted kW) are multiplied by :attr:`LpInputs.year_fraction` (1 for exactly one year, else
``span_days / 365``); kW-max is charged per calendar month, a month partly inside the profile
in proportion to the share of its quarter-hours inside.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from netruimte.conventions import HOURS_PER_STEP, STEP, FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.planner.prepare import Occurrence, occurrences_of
from netruimte.planner.site import Site

__all__ = ["BatteryData", "LpInputs", "lp_inputs"]


SIZE_FLOOR = 1e-6
"""New capacity the site allows below this (kW, kWh or kWp) is treated as none. Why: HiGHS
keeps bounds to about 1e-7, so a column capped at 1.2e-7 made it call a plainly feasible LP
infeasible (found by a property test); a millionth of a kW is no asset."""


def _allowed(max_new: float) -> float:
    return max_new if max_new >= SIZE_FLOOR else 0.0


@dataclass(frozen=True)
class BatteryData:
    """Battery numbers: installed ``energy_kwh``/``power_kw`` plus up to ``max_*`` new;
    ``eta`` is the one-way efficiency (square root of the round trip)."""

    energy_kwh: float
    power_kw: float
    max_energy_kwh: float
    max_power_kw: float
    cost_eur_per_kwh_year: float
    cost_eur_per_kw_year: float
    eta: float
    soc_min: float
    soc_max: float

    @property
    def present(self) -> bool:
        """True when some battery (installed or new) can hold energy and move power."""
        return self.energy_kwh + self.max_energy_kwh > 0 and self.power_kw + self.max_power_kw > 0


@dataclass(frozen=True)
class LpInputs:
    """Everything the LP needs, as arrays over the ``n`` steps of the profile.

    Attributes
    ----------
    index
        The site's 15-minute index (tz-aware, interval-beginning).
    load_kw
        Inflexible base load (kW, ≥ 0).
    pv_kw_per_kwp
        PV output of one kWp (kW/kWp, ≥ 0); zeros without PV.
    pv_kwp, pv_max_kwp, pv_cost_eur_per_kwp_year
        Installed PV, the most new PV the planner may add, and its annualised cost.
    battery
        The battery (installed and new), see :class:`BatteryData`.
    curtail_max_kw
        Shape ``(n_curtailable, n)``: per load and step the largest reduction,
        ``min(max_kw, load)`` (kW).
    curtail_cost_eur_per_kwh
        Cost of each kWh not delivered, per curtailable load.
    shift_max_kw
        Highest power of each shiftable load (kW).
    occurrences
        The daily occurrences of the shiftable loads (window steps and energy each).
    missing
        ``(load, day)`` pairs where a window does not occur on a day (skipped DST hour).
    restriction_kw
        Lowest restriction import limit in force per step (kW, ``inf`` outside windows).
    import_limit_kw
        The fixed import limit (kW), or ``None`` when the planner chooses it ("minimise").
    export_kw
        Export limit (kW, ``inf`` when unlimited).
    price_eur_per_kwh
        Energy price per step (EUR/kWh).
    feed_in_eur_per_kwh, contracted_eur_per_kw_year, kwmax_eur_per_kw_month
        The other tariff carriers.
    month_of_step
        Per step the number of its calendar month (local time), ``0 .. n_months - 1``.
    month_weight
        Per month the share of its quarter-hours that lie in the profile (1 for whole months).
    month_start
        Per month the local midnight it starts at.
    year_fraction
        Multiplier of yearly amounts for this profile (1 for exactly one year).
    step_weight
        Weight of each step's energy terms (1 for the full profile; a sample of days uses
        larger weights so that it stands for the whole profile).
    shiftable_names, curtailable_names
        The names of the flexible loads, in order.
    """

    index: pd.DatetimeIndex
    load_kw: FloatArray
    pv_kw_per_kwp: FloatArray
    pv_kwp: float
    pv_max_kwp: float
    pv_cost_eur_per_kwp_year: float
    battery: BatteryData
    curtail_max_kw: FloatArray
    curtail_cost_eur_per_kwh: FloatArray
    shift_max_kw: FloatArray
    occurrences: tuple[Occurrence, ...]
    missing: tuple[tuple[int, dt.date], ...]
    restriction_kw: FloatArray
    import_limit_kw: float | None
    export_kw: float
    price_eur_per_kwh: FloatArray
    feed_in_eur_per_kwh: float
    contracted_eur_per_kw_year: float
    kwmax_eur_per_kw_month: float
    month_of_step: IntArray
    month_weight: FloatArray
    month_start: tuple[pd.Timestamp, ...]
    year_fraction: float
    step_weight: FloatArray
    segment_start: IntArray
    shiftable_names: tuple[str, ...]
    curtailable_names: tuple[str, ...]

    @property
    def steps(self) -> int:
        """Number of 15-minute steps."""
        return len(self.load_kw)

    @property
    def months(self) -> int:
        """Number of calendar months the profile touches."""
        return len(self.month_weight)

    def pv_available_kw(self, kwp: float) -> FloatArray:
        """PV output (kW) of ``kwp`` kWp in every step."""
        return self.pv_kw_per_kwp * kwp

    def import_cap_kw(self, import_kw: float | None) -> FloatArray:
        """Per step the hard import limit: ``min(import_kw, restriction)`` (kW, may be inf)."""
        cap = self.restriction_kw.copy()
        if import_kw is not None:
            np.minimum(cap, import_kw, out=cap)
        return cap

    def with_sizing(self, *, pv_kwp: float, energy_kwh: float, power_kw: float) -> LpInputs:
        """The same inputs with these installed sizes and nothing new to add."""
        battery = dataclasses.replace(
            self.battery,
            energy_kwh=energy_kwh,
            power_kw=power_kw,
            max_energy_kwh=0.0,
            max_power_kw=0.0,
        )
        return dataclasses.replace(self, pv_kwp=pv_kwp, pv_max_kwp=0.0, battery=battery)


def _year_fraction(index: pd.DatetimeIndex) -> float:
    """1 when the profile is exactly one (calendar-agnostic) year long, else days / 365."""
    start = index[0]
    end = index[-1] + STEP
    if start + pd.DateOffset(years=1) == end:
        return 1.0
    return len(index) * HOURS_PER_STEP / 24.0 / 365.0


def _months(index: pd.DatetimeIndex) -> tuple[IntArray, FloatArray, tuple[pd.Timestamp, ...]]:
    """Calendar month number per step, the share of each month inside, and month starts."""
    wall = index.tz_localize(None)
    key = np.asarray(wall.year * 12 + (wall.month - 1), dtype=np.int64)
    keys, month_of_step = np.unique(key, return_inverse=True)
    counts = np.bincount(month_of_step, minlength=len(keys))
    weights = np.empty(len(keys))
    starts: list[pd.Timestamp] = []
    for number, k in enumerate(keys):
        first = pd.Timestamp(year=int(k // 12), month=int(k % 12) + 1, day=1)
        following = first + pd.DateOffset(months=1)
        begin = first.tz_localize(index.tz)
        stop = following.tz_localize(index.tz)
        full = round((stop - begin) / STEP)  # absolute quarter-hours: DST-aware
        weights[number] = counts[number] / full
        starts.append(begin)
    return np.asarray(month_of_step, dtype=np.int64), weights, tuple(starts)


def lp_inputs(site: Site, *, sizing: bool = True) -> LpInputs:
    """The LP's arrays for a site.

    Parameters
    ----------
    site
        The site (validated by its constructor).
    sizing
        When ``False`` the new PV and battery capacity (``max_*``) are dropped: only the
        installed assets count (as for ``min-connection``).

    Raises
    ------
    InputError
        A negative base load, or a series that is not on the load's index.
    """
    index = site.index
    n = len(index)
    load = site.load_kw.to_numpy(dtype=float)
    if not bool(np.isfinite(load).all()):
        raise InputError("expected finite kW values in the base load", field="load")
    if bool((load < 0).any()):
        at = int(np.argmax(load < 0))
        raise InputError(
            f"expected a base load >= 0 kW, got {load[at]:g} kW at {index[at].isoformat()} "
            "(put own generation in [pv])",
            field="load",
        )
    pv = site.pv
    shape = np.zeros(n) if pv is None else pv.kw_per_kwp.to_numpy(dtype=float)
    if bool((shape < 0).any()) or not bool(np.isfinite(shape).all()):
        raise InputError("expected finite PV output >= 0 kW", field="pv")
    bat = site.battery
    battery = BatteryData(
        energy_kwh=bat.energy_kwh if bat is not None else 0.0,
        power_kw=bat.power_kw if bat is not None else 0.0,
        max_energy_kwh=_allowed(bat.max_energy_kwh) if bat is not None and sizing else 0.0,
        max_power_kw=_allowed(bat.max_power_kw) if bat is not None and sizing else 0.0,
        cost_eur_per_kwh_year=bat.cost_eur_per_kwh_year if bat is not None else 0.0,
        cost_eur_per_kw_year=bat.cost_eur_per_kw_year if bat is not None else 0.0,
        eta=bat.one_way_efficiency if bat is not None else 1.0,
        soc_min=bat.soc_min if bat is not None else 0.0,
        soc_max=bat.soc_max if bat is not None else 1.0,
    )
    curtail = np.array([np.minimum(c.max_kw, load) for c in site.curtailable]).reshape(
        len(site.curtailable), n
    )
    price_in = site.tariff.energy_eur_per_kwh
    if isinstance(price_in, pd.Series):
        price = price_in.to_numpy(dtype=float)
        if not bool(np.isfinite(price).all()):
            raise InputError("expected finite energy prices", field="tariff.energy_price_csv")
    else:
        price = np.full(n, float(price_in))
    occurrences, missing = occurrences_of(site)
    month_of_step, month_weight, month_start = _months(index)
    export = site.connection.export_kw
    return LpInputs(
        index=index,
        load_kw=load,
        pv_kw_per_kwp=shape,
        pv_kwp=pv.kwp if pv is not None else 0.0,
        pv_max_kwp=_allowed(pv.max_kwp) if pv is not None and sizing else 0.0,
        pv_cost_eur_per_kwp_year=pv.cost_eur_per_kwp_year if pv is not None else 0.0,
        battery=battery,
        curtail_max_kw=curtail,
        curtail_cost_eur_per_kwh=np.array(
            [c.cost_eur_per_kwh for c in site.curtailable], dtype=float
        ),
        shift_max_kw=np.array([s.max_kw for s in site.shiftable], dtype=float),
        occurrences=occurrences,
        missing=missing,
        restriction_kw=site.connection.restriction_kw(index),
        import_limit_kw=site.connection.import_kw,
        export_kw=np.inf if export is None else float(export),
        price_eur_per_kwh=price,
        feed_in_eur_per_kwh=site.tariff.feed_in_eur_per_kwh,
        contracted_eur_per_kw_year=site.tariff.contracted_eur_per_kw_year,
        kwmax_eur_per_kw_month=site.tariff.kwmax_eur_per_kw_month,
        month_of_step=month_of_step,
        month_weight=month_weight,
        month_start=month_start,
        year_fraction=_year_fraction(index),
        step_weight=np.ones(n),
        segment_start=np.zeros(1, dtype=np.int64),
        shiftable_names=tuple(s.name for s in site.shiftable),
        curtailable_names=tuple(c.name for c in site.curtailable),
    )
