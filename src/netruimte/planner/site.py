"""The site model: what a business has, may add, and pays, as frozen dataclasses.

These mirror the site TOML of the interface contract (``docs/site-file.md``); the loader in
:mod:`netruimte.scenario.site_toml` turns a file into a :class:`Site`. Every time series is a
tz-aware 15-minute :class:`pandas.Series` on one common index (see ``docs/conventions.md``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np
import pandas as pd

from netruimte.conventions import STEP, BoolArray, FloatArray
from netruimte.errors import InputError

__all__ = [
    "PV",
    "Battery",
    "Connection",
    "CurtailableLoad",
    "DailyWindow",
    "Economics",
    "Objective",
    "Restriction",
    "ShiftableLoad",
    "Site",
    "Tariff",
]


def _finite(value: float, field: str, *, minimum: float | None = None) -> None:
    """Raise :class:`InputError` unless ``value`` is finite (and ``>= minimum``)."""
    if not np.isfinite(value) or (minimum is not None and value < minimum):
        bound = f" >= {minimum:g}" if minimum is not None else ""
        raise InputError(f"expected a finite number{bound}, got {value!r}", field=field)


def _check_series(series: pd.Series, field: str, index: pd.DatetimeIndex | None) -> None:
    """A series on a tz-aware 15-minute index (equal to ``index`` when given), without NaN."""
    idx = series.index
    if not isinstance(idx, pd.DatetimeIndex) or idx.tz is None:
        raise InputError("expected a series on a tz-aware DatetimeIndex", field=field)
    if index is None:
        if len(idx) == 0:
            raise InputError("expected at least one 15-minute step", field=field)
        if len(idx) > 1 and not bool(((idx[1:] - idx[:-1]) == STEP).all()):
            raise InputError("expected a regular 15-minute step without gaps", field=field)
    elif not idx.equals(index):
        raise InputError(
            f"expected the site's index ({len(index)} steps from {index[0].isoformat()}), "
            f"got {len(idx)} steps from {idx[0].isoformat() if len(idx) else 'nothing'}",
            field=field,
        )
    if not bool(np.isfinite(series.to_numpy(dtype=float)).all()):
        raise InputError("expected finite values (no NaN)", field=field)


class Objective(StrEnum):
    """What the planner optimises."""

    MIN_CONNECTION = "min-connection"
    MIN_COST = "min-cost"


@dataclass(frozen=True)
class DailyWindow:
    """A daily local-time window ``[start, end)``; ``end <= start`` wraps past midnight:
    ``"19:00-07:00"`` covers 19:00 to midnight and midnight to 07:00 of the next day."""

    start: dt.time
    end: dt.time

    def __str__(self) -> str:
        return f"{self.start:%H:%M}-{self.end:%H:%M}"

    @property
    def wraps(self) -> bool:
        """True when the window runs past midnight."""
        return self.end <= self.start

    def mask(self, index: pd.DatetimeIndex) -> BoolArray:
        """Which interval-beginning timestamps of ``index`` (local wall time) lie inside."""
        minutes = np.asarray(index.hour * 60 + index.minute)
        start = self.start.hour * 60 + self.start.minute
        end = self.end.hour * 60 + self.end.minute
        if self.wraps:
            return np.asarray((minutes >= start) | (minutes < end))
        return np.asarray((minutes >= start) & (minutes < end))


@dataclass(frozen=True)
class PV:
    """Photovoltaics: installed ``kwp`` plus up to ``max_kwp`` new, with a per-kWp profile:
    ``kw_per_kwp`` is the generation of one kWp (kW), on the site's index."""

    kw_per_kwp: pd.Series
    kwp: float = 0.0
    max_kwp: float = 0.0
    cost_eur_per_kwp_year: float = 0.0
    capex_eur_per_kwp: float = 0.0

    def __post_init__(self) -> None:
        _finite(self.kwp, "pv.kwp", minimum=0.0)
        _finite(self.max_kwp, "pv.max_kwp", minimum=0.0)
        _finite(self.cost_eur_per_kwp_year, "pv.cost_eur_per_kwp_year", minimum=0.0)
        _finite(self.capex_eur_per_kwp, "pv.capex_eur_per_kwp", minimum=0.0)
        _check_series(self.kw_per_kwp, "pv.kw_per_kwp", None)
        if bool((self.kw_per_kwp.to_numpy(dtype=float) < 0).any()):
            raise InputError("expected PV generation >= 0 kW", field="pv.kw_per_kwp")


@dataclass(frozen=True)
class Battery:
    """A battery: installed ``energy_kwh``/``power_kw`` plus up to ``max_*`` new capacity.

    ``roundtrip_efficiency`` is split evenly over charge and discharge (square root each way);
    ``soc_min``/``soc_max`` are fractions of the (total) energy capacity."""

    energy_kwh: float = 0.0
    power_kw: float = 0.0
    max_energy_kwh: float = 0.0
    max_power_kw: float = 0.0
    cost_eur_per_kwh_year: float = 0.0
    cost_eur_per_kw_year: float = 0.0
    roundtrip_efficiency: float = 0.90
    soc_min: float = 0.0
    soc_max: float = 1.0
    capex_eur_per_kwh: float = 0.0
    capex_eur_per_kw: float = 0.0

    def __post_init__(self) -> None:
        for name in (
            "energy_kwh",
            "power_kw",
            "max_energy_kwh",
            "max_power_kw",
            "cost_eur_per_kwh_year",
            "cost_eur_per_kw_year",
            "capex_eur_per_kwh",
            "capex_eur_per_kw",
        ):
            _finite(getattr(self, name), f"battery.{name}", minimum=0.0)
        if not (0.0 < self.roundtrip_efficiency <= 1.0):
            raise InputError(
                f"expected a number in (0, 1], got {self.roundtrip_efficiency!r}",
                field="battery.roundtrip_efficiency",
            )
        if not (0.0 <= self.soc_min < self.soc_max <= 1.0):
            raise InputError(
                f"expected 0 <= soc_min < soc_max <= 1, got soc_min={self.soc_min!r}, "
                f"soc_max={self.soc_max!r}",
                field="battery.soc_min",
            )

    @property
    def one_way_efficiency(self) -> float:
        """Charge (and discharge) efficiency: the square root of the round trip."""
        return float(np.sqrt(self.roundtrip_efficiency))


@dataclass(frozen=True)
class ShiftableLoad:
    """Extra load that must receive ``daily_kwh`` inside ``window`` each day, at most ``max_kw``."""

    name: str
    daily_kwh: float
    max_kw: float
    window: DailyWindow

    def __post_init__(self) -> None:
        _finite(self.daily_kwh, f"flex '{self.name}'.daily_kwh", minimum=0.0)
        _finite(self.max_kw, f"flex '{self.name}'.max_kw", minimum=0.0)


@dataclass(frozen=True)
class CurtailableLoad:
    """Part of the base load that may be reduced by up to ``max_kw`` at a cost per kWh."""

    name: str
    max_kw: float
    cost_eur_per_kwh: float = 0.0

    def __post_init__(self) -> None:
        _finite(self.max_kw, f"flex '{self.name}'.max_kw", minimum=0.0)
        _finite(self.cost_eur_per_kwh, f"flex '{self.name}'.cost_eur_per_kwh", minimum=0.0)


@dataclass(frozen=True)
class Restriction:
    """An alternative transport right: a lower import limit inside daily windows."""

    windows: tuple[DailyWindow, ...]
    import_kw: float

    def __post_init__(self) -> None:
        _finite(self.import_kw, "connection.restriction.import_kw", minimum=0.0)
        if not self.windows:
            raise InputError("expected at least one window", field="connection.restriction")

    def mask(self, index: pd.DatetimeIndex) -> BoolArray:
        """Which steps of ``index`` lie inside any of the windows."""
        inside = np.zeros(len(index), dtype=bool)
        for window in self.windows:
            inside |= window.mask(index)
        return inside


@dataclass(frozen=True)
class Connection:
    """The grid connection. ``import_kw=None`` means "minimise" (the planner chooses it),
    ``export_kw=None`` that feed-in is not limited."""

    import_kw: float | None = None
    export_kw: float | None = 0.0
    restrictions: tuple[Restriction, ...] = ()

    def __post_init__(self) -> None:
        if self.import_kw is not None:
            _finite(self.import_kw, "connection.import_kw", minimum=0.0)
        if self.export_kw is not None:
            _finite(self.export_kw, "connection.export_kw", minimum=0.0)

    def restriction_kw(self, index: pd.DatetimeIndex) -> FloatArray:
        """Per step: the lowest restriction import limit in force (kW), ``inf`` where none is."""
        limit = np.full(len(index), np.inf)
        for restriction in self.restrictions:
            inside = restriction.mask(index)
            limit[inside] = np.minimum(limit[inside], restriction.import_kw)
        return limit


@dataclass(frozen=True)
class Tariff:
    """Dutch large-consumer tariff carriers, all user input (docs/sources.md [tariff-carriers]);
    ``energy_eur_per_kwh`` is a constant or a series on the site's index."""

    contracted_eur_per_kw_year: float = 0.0
    kwmax_eur_per_kw_month: float = 0.0
    energy_eur_per_kwh: float | pd.Series = 0.0
    feed_in_eur_per_kwh: float = 0.0

    def __post_init__(self) -> None:
        _finite(self.contracted_eur_per_kw_year, "tariff.contracted_eur_per_kw_year", minimum=0.0)
        _finite(self.kwmax_eur_per_kw_month, "tariff.kwmax_eur_per_kw_month", minimum=0.0)
        if not isinstance(self.energy_eur_per_kwh, pd.Series):
            _finite(self.energy_eur_per_kwh, "tariff.energy_eur_per_kwh")
        _finite(self.feed_in_eur_per_kwh, "tariff.feed_in_eur_per_kwh")


@dataclass(frozen=True)
class Economics:
    """Inputs of the business case (:func:`netruimte.planner.cost.business_case`).

    ``discount_rate`` a year (fraction), ``lifetime_years`` of the assets,
    ``downtime_eur_per_month`` what not operating (or a stop-gap such as a generator) costs a
    month while waiting, ``wait_months`` until the larger connection is expected, ``invest_in``
    ``"new"`` (only capacity the plan adds is bought) or ``"all"`` (the installed PV and
    battery of the site file are still to be bought, and the baseline runs without them).
    """

    discount_rate: float = 0.05
    lifetime_years: int = 15
    downtime_eur_per_month: float = 0.0
    wait_months: float = 0.0
    invest_in: str = "new"

    def __post_init__(self) -> None:
        _finite(self.discount_rate, "economics.discount_rate", minimum=0.0)
        years = self.lifetime_years
        if isinstance(years, bool) or not isinstance(years, int) or years < 1:
            raise InputError(
                f"expected a whole number of years >= 1, got {self.lifetime_years!r}",
                field="economics.lifetime_years",
            )
        _finite(self.downtime_eur_per_month, "economics.downtime_eur_per_month", minimum=0.0)
        _finite(self.wait_months, "economics.wait_months", minimum=0.0)
        if self.invest_in not in ("new", "all"):
            raise InputError(
                f"expected 'new' or 'all', got {self.invest_in!r}", field="economics.invest_in"
            )


@dataclass(frozen=True)
class Site:
    """A site: base load, assets, flexibility, connection and tariff. ``load_kw`` is the
    inflexible base load (kW, 15-minute, tz-aware); all series share its index."""

    name: str
    load_kw: pd.Series
    timezone: str = "Europe/Amsterdam"
    year: int | None = None
    objective: Objective = Objective.MIN_CONNECTION
    pv: PV | None = None
    battery: Battery | None = None
    shiftable: tuple[ShiftableLoad, ...] = ()
    curtailable: tuple[CurtailableLoad, ...] = ()
    connection: Connection = field(default_factory=Connection)
    tariff: Tariff = field(default_factory=Tariff)
    economics: Economics = field(default_factory=Economics)

    def __post_init__(self) -> None:
        _check_series(self.load_kw, "load", None)
        index = self.index
        tz = index.tz
        if self.timezone not in {str(tz), getattr(tz, "key", None), getattr(tz, "zone", None)}:
            raise InputError(
                f"expected the load's index in the site's zone {self.timezone!r}, got {index.tz}",
                field="site.timezone",
            )
        if self.pv is not None:
            _check_series(self.pv.kw_per_kwp, "pv.kw_per_kwp", index)
        if isinstance(self.tariff.energy_eur_per_kwh, pd.Series):
            _check_series(self.tariff.energy_eur_per_kwh, "tariff.energy_price_csv", index)
        names = [s.name for s in self.shiftable] + [c.name for c in self.curtailable]
        duplicates = sorted({name for name in names if names.count(name) > 1})
        if duplicates:
            raise InputError(f"flex names must be unique; repeated: {duplicates}", field="flex")

    @property
    def index(self) -> pd.DatetimeIndex:
        """The common 15-minute index of every series of this site."""
        idx = self.load_kw.index
        assert isinstance(idx, pd.DatetimeIndex)
        return idx
