"""Measured load years for the site benchmark (``benchmarks/data/``, docs/sources.md).

Three commercial/industrial years from the VDI 4657 web tool's data (Tjaden 2021, CC BY 4.0):
15-minute loads normalised to 1,000 kWh/a, in W. Each becomes a min-cost site like the
synthetic benchmark's: the load scaled to its annual energy, PV from pvlib (DWD test reference
year for Essen) for the same calendar year, a day-ahead-like price series (seeded, synthetic:
the data has no prices) and the same tariffs; PV, battery and export limits scale with the
annual energy.
"""

from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE
from netruimte.planner import PV, Battery, Connection, Objective, Site, Tariff
from netruimte.profiles import pv_profile

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class MeasuredYear:
    """One vendored year: its file, calendar year and the annual energy the site gets."""

    name: str
    label: str
    year: int
    annual_kwh: float


YEARS = {
    "metal-processing-2018": MeasuredYear(
        "metal-processing-2018", "manufacturing, metal processing (2018)", 2018, 2_000_000.0
    ),
    "galvanising-2017": MeasuredYear(
        "galvanising-2017", "manufacturing, galvanising (2017)", 2017, 1_500_000.0
    ),
    "furniture-store-2015": MeasuredYear(
        "furniture-store-2015", "furniture store (2015)", 2015, 1_000_000.0
    ),
}


def measured_load_kw(year: MeasuredYear) -> pd.Series:
    """The measured year as kW on the site's 15-minute index, scaled to its annual energy."""
    path = DATA / f"{year.name}.csv.gz"
    with gzip.open(path, "rt") as handle:
        values = pd.read_csv(handle, comment="#")["load_w"].to_numpy(dtype=float)
    start = pd.Timestamp(f"{year.year}-01-01").tz_localize(DEFAULT_TIMEZONE)
    index = pd.date_range(start, periods=len(values), freq="15min")
    if len(values) != 35_040 or index[-1] + pd.Timedelta(minutes=15) != start + pd.DateOffset(
        years=1
    ):
        raise ValueError(f"{path}: expected one year of 35,040 quarter-hours")
    # W per MWh/a → kW for annual_kwh: × annual_kwh / 1,000 kWh / 1,000 W per kW.
    return pd.Series(values * year.annual_kwh / 1e6, index=index, name="kw")


def day_ahead_like_price(index: pd.DatetimeIndex, seed: int) -> pd.Series:
    """A synthetic day-ahead-like price (EUR/kWh): morning and evening peaks, a midday dip,
    a season and an autocorrelated wander (seeded)."""
    rng = np.random.default_rng(seed)
    n = len(index)
    hour = np.asarray(index.hour + index.minute / 60.0)
    day = np.asarray(index.day_of_year)
    daily = (
        0.03 * np.exp(-(((hour - 8.0) / 2.0) ** 2))
        + 0.05 * np.exp(-(((hour - 19.0) / 2.5) ** 2))
        - 0.02 * np.exp(-(((hour - 13.0) / 2.5) ** 2))
    )
    season = 0.02 * np.cos(2 * np.pi * (day - 15) / 365)
    wander = np.zeros(n)
    steps = rng.normal(0.0, 0.01, n)
    for t in range(1, n):
        wander[t] = 0.98 * wander[t - 1] + steps[t]
    return pd.Series(0.18 + daily + season + wander, index=index)


def measured_site(name: str, seed: int = 7) -> Site:
    """The min-cost benchmark site on a measured year."""
    year = YEARS[name]
    load = measured_load_kw(year)
    scale = year.annual_kwh / 1_500_000.0  # the synthetic office's 1.5 GWh
    shape = pv_profile(1.0, 52.37, 5.21, 30.0, 180.0, year.year)
    return Site(
        name=f"{year.label}, measured (Tjaden 2021)",
        load_kw=load,
        objective=Objective.MIN_COST,
        year=year.year,
        pv=PV(
            kw_per_kwp=shape, kwp=150.0 * scale, max_kwp=400.0 * scale, cost_eur_per_kwp_year=65.0
        ),
        battery=Battery(
            max_energy_kwh=2000.0 * scale,
            max_power_kw=1000.0 * scale,
            cost_eur_per_kwh_year=30.0,
            cost_eur_per_kw_year=10.0,
            roundtrip_efficiency=0.90,
        ),
        connection=Connection(import_kw=None, export_kw=200.0 * scale),
        tariff=Tariff(
            contracted_eur_per_kw_year=35.0,
            kwmax_eur_per_kw_month=2.8,
            energy_eur_per_kwh=day_ahead_like_price(load.index, seed),
            feed_in_eur_per_kwh=0.04,
        ),
    )
