"""A generated national-size scenario (synthetic; for benchmarks and scale tests).

Shape from docs/sources.md [national-queue-2025]: 10 TenneT regions, 300 HV/MV stations, ~14,050
offtake and ~8,550 feed-in requests (22,600), a 10-year horizon with monthly moments. Every number
is made up.
"""

from __future__ import annotations

import datetime as dt

import numpy as np

from netruimte.grid import DelayDistribution, Grid, Reinforcement, Station
from netruimte.grid.representative import REPRESENTATIVE_YEAR_STEPS, STEPS_PER_DAY
from netruimte.waitlist import Request, Scenario, UseItOrLoseIt

CATEGORIES = ("none", "congestion-reliever", "safety", "basic-needs")
CONTRACTS = ("firm", "time-block", "tdtr", "non-firm")


def _station_profile(rng: np.random.Generator, peak_mw: float, steps: int) -> np.ndarray:
    t = np.arange(steps)
    hour = (t % STEPS_PER_DAY) / 4.0
    day = t // STEPS_PER_DAY
    daily = 0.75 + 0.12 * np.sin((hour - 6) / 24 * 2 * np.pi) + 0.13 * ((hour >= 17) & (hour < 20))
    season = 1.0 + 0.1 * np.cos(day / 365 * 2 * np.pi)
    noise = rng.normal(0, 0.02, steps)
    shape = daily * season + noise
    return peak_mw * shape / shape.max()


def national_scenario(
    seed: int = 0,
    *,
    n_regions: int = 10,
    n_stations: int = 300,
    n_offtake: int = 14_050,
    n_feedin: int = 8_550,
    years: int = 10,
    profiles: bool = False,
    steps: int = REPRESENTATIVE_YEAR_STEPS,
) -> Scenario:
    rng = np.random.default_rng(seed)
    stations: list[Station] = []
    per_region = n_stations // n_regions
    station_caps = rng.uniform(20, 150, n_stations)
    for k in range(n_regions):
        caps = station_caps[k * per_region : (k + 1) * per_region]
        cap = float(caps.sum() * 0.8)
        stations.append(
            Station(
                f"T{k}", offtake_mw=cap, load_mw=cap * 0.93, feedin_mw=cap * 0.8,
                feedin_load_mw=cap * 0.75, voltage_kv=380, name=f"TenneT region {k}",
            )
        )  # fmt: skip
    for j in range(n_stations):
        cap = float(station_caps[j])
        peak = cap * rng.uniform(0.85, 1.0)
        stations.append(
            Station(
                f"S{j:03d}",
                parent=f"T{min(j // per_region, n_regions - 1)}",
                offtake_mw=cap,
                load_mw=peak,
                load_profile_mw=_station_profile(rng, peak, steps) if profiles else None,
                feedin_mw=cap if rng.random() < 0.7 else None,
                feedin_load_mw=cap * rng.uniform(0.5, 1.0),
                voltage_kv=float(rng.choice([10.0, 20.0, 50.0, 150.0])),
                name=f"OS {j:03d}",
            )
        )
    start = dt.date(2026, 1, 1)
    end = dt.date(2026 + years, 1, 1)
    rfs = []
    for j in range(n_stations):
        for n in range(int(rng.integers(1, 3))):
            rfs.append(
                Reinforcement(
                    f"RF-S{j:03d}-{n}",
                    f"S{j:03d}",
                    start + dt.timedelta(days=int(rng.integers(200, 365 * years))),
                    offtake_mw=float(rng.uniform(10, 40)),
                    feedin_mw=float(rng.uniform(5, 20))
                    if stations[n_regions + j].feedin_mw
                    else 0.0,
                    delay=DelayDistribution("triangular", 0, float(rng.integers(0, 18)), 48),
                )
            )
    for k in range(n_regions):
        rfs.append(
            Reinforcement(
                f"RF-T{k}", f"T{k}", start + dt.timedelta(days=int(rng.integers(700, 365 * years))),
                offtake_mw=float(stations[k].offtake_mw * 0.3),
                feedin_mw=float(stations[k].feedin_mw or 0) * 0.3,
                delay=DelayDistribution("pert", 0, 24, 72),
            )
        )  # fmt: skip
    grid = Grid(tuple(stations), tuple(rfs))
    n = n_offtake + n_feedin
    base = dt.datetime(2022, 11, 17, tzinfo=dt.UTC)
    span = (dt.datetime(2026 + years - 1, 6, 1, tzinfo=dt.UTC) - base).total_seconds()
    sub_seconds = np.sort(rng.uniform(0, span, n))
    rng.shuffle(sub_seconds)
    kw = np.clip(rng.lognormal(np.log(350), 1.0, n), 20, 30_000).round()
    cats = rng.choice(4, n, p=[0.85, 0.02, 0.03, 0.10])
    contracts = rng.choice(4, n, p=[0.80, 0.08, 0.07, 0.05])
    station_ix = rng.integers(0, n_stations, n)
    reqs = []
    for i in range(n):
        offtake = i < n_offtake
        contract = CONTRACTS[int(contracts[i])] if offtake else "firm"
        small = bool(kw[i] <= 55 and rng.random() < 0.8)
        reqs.append(
            Request(
                id=f"Q{i:06d}",
                station=f"S{int(station_ix[i]):03d}",
                kw=float(kw[i]),
                submitted=base + dt.timedelta(seconds=float(sub_seconds[i])),
                direction="offtake" if offtake else "feed-in",
                category=CATEGORIES[int(cats[i])],
                evidence=bool(rng.random() < 0.8),
                contract=contract,
                small_consumer=small,
                contract_signed=bool(rng.random() < 0.7),
                score=float(rng.random()),
                used_kw=float(kw[i] * rng.uniform(0.2, 1.0)) if rng.random() < 0.2 else None,
            )
        )
    return Scenario(
        name="national (synthetic)",
        start=start,
        end=end,
        grid=grid,
        requests=tuple(reqs),
        policy="in-force",
        use_it_or_lose_it=UseItOrLoseIt(),
        withdraw_per_year=0.05,
    )
