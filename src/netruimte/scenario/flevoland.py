"""The bundled Flevoland scenario: published grid figures plus a seeded synthetic waiting list.

The grid (stations, capacities, planned works) comes from ``data/flevoland/grid.toml``, each
figure with its source or marked as an assumption. Who waits is not published, only how many MW
wait per station; the requests are therefore drawn from a documented population of business
types (``data/flevoland/population.toml``) with a fixed seed and scaled so that every station's
queue matches the published MW exactly. Everything here is described in
``docs/scenario-flevoland.md``.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from importlib import resources
from typing import TYPE_CHECKING, Any, Final, Literal

import numpy as np

from netruimte._util import write_atomic

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "FLEVOLAND_STATIONS",
    "QUEUE_MW",
    "SCENARIO_NAME",
    "BusinessType",
    "FlevolandScenario",
    "SyntheticRequest",
    "generate_flevoland",
    "grid_data",
    "instruments_data",
    "population_data",
    "scenario_data",
    "to_waitlist_scenario",
    "write_scenario_files",
]

SCENARIO_NAME: Final = "Flevoland 2026 (published grid figures, synthetic waiting list)"

FLEVOLAND_STATIONS: Final = ("ALM", "LLS", "ZWD", "ZWD20", "DRT", "EML")
"""The six Liander stations of the capacity map (docs/sources.md [flevoland-map])."""

QUEUE_MW: Final[Mapping[str, Mapping[str, float]]] = {
    # [CM] queue offtake / feed-in MW, Liander capacity map 2026-05-29 (docs/sources.md
    # [flevoland-map]) [U]
    "ALM": {"offtake": 8.2, "feed-in": 39.0},
    "LLS": {"offtake": 8.1, "feed-in": 24.0},
    "ZWD": {"offtake": 9.0, "feed-in": 32.0},
    "ZWD20": {"offtake": 42.8, "feed-in": 51.0},
    "DRT": {"offtake": 10.1, "feed-in": 76.0},
    "EML": {"offtake": 7.5, "feed-in": 27.0},
}
TENNET_QUEUE_OFFTAKE_MW: Final = 1339.0
"""[TN] queue offtake of TenneT region Flevopolder-Utrecht-Gelderland.

Source: docs/sources.md [flevoland-tennet]."""

SMALL_CONSUMER_MAX_KW: Final = 55.0
"""≤ 3×80 A is a small consumer (docs/sources.md [small-consumer])."""


@functools.cache
def _read_toml(name: str) -> dict[str, Any]:
    text = resources.files("netruimte.data").joinpath("flevoland", name).read_text("utf-8")
    return tomllib.loads(text)


def grid_data() -> dict[str, Any]:
    """The stations and reinforcements of ``grid.toml`` (a fresh copy)."""
    data = _read_toml("grid.toml")
    return {
        "station": [dict(s) for s in data["station"]],
        "reinforcement": [
            {k: (dict(v) if isinstance(v, dict) else v) for k, v in r.items()}
            for r in data["reinforcement"]
        ],
    }


def instruments_data() -> dict[str, Any]:
    """The raw ``instruments.toml``: contracts, relievers, hub of the demo (fresh copies)."""
    return {key: dict(value) for key, value in _read_toml("instruments.toml").items()}


def population_data() -> dict[str, Any]:
    """The raw ``population.toml`` (a fresh copy)."""
    return dict(_read_toml("population.toml"))


@dataclass(frozen=True)
class BusinessType:
    """One kind of requester in the synthetic population (``population.toml``)."""

    key: str
    label: str
    function: str
    profile: str
    kw_min: float
    kw_max: float
    weight: Mapping[str, float]
    direction: str = "offtake"
    category: str = "none"
    evidence_share: float = 0.0
    signed_share: float = 0.0
    pv_kwp_per_kw: float = 0.0
    battery_kwh_per_kw: float = 0.0
    flex_share: float = 0.0
    smart: bool = True
    min_count: Mapping[str, int] = field(default_factory=dict)

    def weight_at(self, station: str) -> float:
        """Relative frequency at ``station`` (its own key first, then its group)."""
        key = station.lower()
        if key in self.weight:
            return float(self.weight[key])
        group = "flevoland" if station in FLEVOLAND_STATIONS else "rest"
        return float(self.weight.get(group, 0.0))


@dataclass(frozen=True)
class SyntheticRequest:
    """A generated request: the contract's request fields plus what the site planner needs."""

    id: str
    applicant: str
    station: str
    direction: str
    kw: float
    submitted: dt.datetime
    category: str
    function: str
    evidence: bool
    contract: str = "firm"
    small_consumer: bool = False
    contract_signed: bool = False
    score: float | None = None
    needed: dt.date | None = None
    capacity_blocks: tuple[str, ...] | None = None
    type_key: str = ""
    group: str = "queue"  # queue | campus | induced | hortus | rest
    profile: str = "G0"
    pv_kwp_per_kw: float = 0.0
    battery_kwh_per_kw: float = 0.0
    flex_share: float = 0.0
    smart: bool = False

    def contract_fields(self) -> dict[str, Any]:
        """The fields of the interface contract's ``[[request]]`` (and documented extensions)."""
        fields: dict[str, Any] = {
            "id": self.id,
            "applicant": self.applicant,
            "station": self.station,
            "direction": self.direction,
            "kw": round(self.kw, 3),
            "submitted": self.submitted.isoformat(),
            "category": self.category,
            "function": self.function,
            "evidence": self.evidence,
            "contract": self.contract,
            "small_consumer": self.small_consumer,
        }
        if self.category == "congestion-reliever":
            fields["contract_signed"] = self.contract_signed
            fields["score"] = self.score
        if self.needed is not None:
            fields["needed"] = self.needed.isoformat()
        if self.capacity_blocks is not None:
            fields["capacity_blocks"] = list(self.capacity_blocks)
        return fields


@dataclass(frozen=True)
class FlevolandScenario:
    """The generated scenario: grid data, requests, and which reinforcement dates apply."""

    stations: tuple[dict[str, Any], ...]
    reinforcements: tuple[dict[str, Any], ...]
    requests: tuple[SyntheticRequest, ...]
    seed: int
    start: dt.date = dt.date(2026, 1, 1)
    end: dt.date = dt.date(2041, 1, 1)
    works: str = "current"

    def with_requests(self, requests: Sequence[SyntheticRequest]) -> FlevolandScenario:
        """The same scenario with other requests (e.g. after smart tools)."""
        return replace(self, requests=tuple(requests))

    def queue_mw(self, station: str, direction: str, *, group: str | None = "queue") -> float:
        """Sum of requested MW at a station and direction (of one group, or all)."""
        return sum(
            r.kw / 1000
            for r in self.requests
            if r.station == station
            and r.direction == direction
            and (group is None or r.group == group)
        )


def _business_types(population: Mapping[str, Any]) -> tuple[BusinessType, ...]:
    known = {f.name for f in BusinessType.__dataclass_fields__.values()}
    types = []
    for raw in population["type"]:
        unknown = set(raw) - known
        if unknown:
            raise ValueError(f"population.toml: type {raw.get('key')!r}: unknown keys {unknown}")
        types.append(BusinessType(**raw))
    return tuple(types)


def _draw_submitted(rng: np.random.Generator, first: dt.date, last: dt.date) -> dt.datetime:
    span_days = (last - first).days
    day = first + dt.timedelta(days=int(rng.integers(0, span_days + 1)))
    while day.weekday() >= 5:  # requests are filed on working days
        day -= dt.timedelta(days=1)
    minutes = int(rng.integers(8 * 60, 17 * 60))
    local = dt.datetime(day.year, day.month, day.day, minutes // 60, minutes % 60)
    from zoneinfo import ZoneInfo

    return local.replace(tzinfo=ZoneInfo("Europe/Amsterdam"))


def _draw_request(
    rng: np.random.Generator,
    kind: BusinessType,
    station: str,
    number: int,
    submitted: dt.datetime,
    group: str,
) -> SyntheticRequest:
    kw = float(math.exp(rng.uniform(math.log(kind.kw_min), math.log(kind.kw_max))))
    evidence = (
        bool(rng.random() < kind.evidence_share)
        if kind.category
        in (
            "safety",
            "basic-needs",
        )
        else False
    )
    signed = (
        bool(rng.random() < kind.signed_share) if kind.category == "congestion-reliever" else False
    )
    score = (
        round(float(rng.uniform(0.3, 0.95)), 2) if kind.category == "congestion-reliever" else None
    )
    tag = "F" if kind.direction == "feed-in" else "O"
    return SyntheticRequest(
        id=f"{station}-{tag}{number:03d}",
        applicant=f"{kind.label} #{number} (synthetic)",
        station=station,
        direction=kind.direction,
        kw=kw,
        submitted=submitted,
        category=kind.category,
        function=kind.function,
        evidence=evidence,
        contract_signed=signed,
        score=score,
        type_key=kind.key,
        group=group,
        profile=kind.profile,
        pv_kwp_per_kw=kind.pv_kwp_per_kw,
        battery_kwh_per_kw=kind.battery_kwh_per_kw,
        flex_share=kind.flex_share,
        smart=kind.smart and kind.direction == "offtake",
    )


def _scaled(requests: list[SyntheticRequest], target_mw: float) -> list[SyntheticRequest]:
    """Scale sizes so they add up to ``target_mw`` exactly; re-derive small-consumer flags."""
    total_kw = sum(r.kw for r in requests)
    factor = target_mw * 1000 / total_kw
    return [
        replace(r, kw=r.kw * factor, small_consumer=r.kw * factor <= SMALL_CONSUMER_MAX_KW)
        for r in requests
    ]


def _station_queue(
    rng: np.random.Generator,
    types: Sequence[BusinessType],
    station: str,
    direction: str,
    target_mw: float,
    first: dt.date,
    last: dt.date,
    *,
    count: int | None = None,
) -> list[SyntheticRequest]:
    candidates = [t for t in types if t.direction == direction and t.weight_at(station) > 0]
    weights = np.array([t.weight_at(station) for t in candidates], dtype=float)
    weights /= weights.sum()
    drawn: list[BusinessType] = [
        t for t in candidates for _ in range(int(t.min_count.get(station.lower(), 0)))
    ]
    requests: list[SyntheticRequest] = []
    for kind in drawn:
        requests.append(
            _draw_request(
                rng, kind, station, len(requests) + 1, _draw_submitted(rng, first, last), "queue"
            )
        )
    while (count is None and sum(r.kw for r in requests) < target_mw * 1000) or (
        count is not None and len(requests) < count
    ):
        kind = candidates[int(rng.choice(len(candidates), p=weights))]
        submitted = _draw_submitted(rng, first, last)
        requests.append(_draw_request(rng, kind, station, len(requests) + 1, submitted, "queue"))
    requests.sort(key=lambda r: r.submitted)
    return _scaled(requests, target_mw)


def generate_flevoland(
    seed: int | None = None,
    *,
    works: Literal["current", "planned"] = "current",
    rest_of_region_requests: int = 120,
    include_campus: bool = True,
) -> FlevolandScenario:
    """Generate the Flevoland scenario.

    Parameters
    ----------
    seed
        Seed of the synthetic population; default the one in ``population.toml``.
    works
        ``"current"``: reinforcement dates as now planned (after the slip from 2029 to 2033 and
        later); ``"planned"``: the dates as originally promised.
    rest_of_region_requests
        How many aggregated requests carry the rest of the TenneT region's queue (Utrecht,
        Gelderland); their MW add up to the published TenneT queue minus Flevoland's.
    include_campus
        Add the High Tech Campus, the jobs it brings elsewhere, and the Hortus housing
        reservation (requests filed after the capacity-map date).
    """
    population = population_data()
    settings = population["settings"]
    seed = int(settings["seed"]) if seed is None else seed
    rng = np.random.default_rng(seed)
    types = _business_types(population)
    first = dt.date.fromisoformat(settings["waitlist_opened"])
    last = dt.date.fromisoformat(settings["queue_until"])

    requests: list[SyntheticRequest] = []
    for station in FLEVOLAND_STATIONS:
        for direction in ("offtake", "feed-in"):
            requests += _station_queue(
                rng, types, station, direction, QUEUE_MW[station][direction], first, last
            )
    rest_mw = TENNET_QUEUE_OFFTAKE_MW - sum(QUEUE_MW[s]["offtake"] for s in FLEVOLAND_STATIONS)
    rest = _station_queue(
        rng, types, "FGU-REST", "offtake", rest_mw, first, last, count=rest_of_region_requests
    )
    requests += [replace(r, group="rest", smart=False) for r in rest]
    if include_campus:
        requests += _campus_requests(rng, population, types)

    grid = grid_data()
    reinforcements = []
    for raw in grid["reinforcement"]:
        item = dict(raw)
        planned = item.pop("planned_date")
        if works == "planned":
            item["date"] = planned
        reinforcements.append(item)
    return FlevolandScenario(
        stations=tuple(grid["station"]),
        reinforcements=tuple(reinforcements),
        requests=tuple(requests),
        seed=seed,
        works=works,
    )


def _campus_requests(
    rng: np.random.Generator, population: Mapping[str, Any], types: Sequence[BusinessType]
) -> list[SyntheticRequest]:
    from zoneinfo import ZoneInfo

    zone = ZoneInfo("Europe/Amsterdam")
    campus = population["campus"]
    submitted = dt.date.fromisoformat(campus["submitted"])
    campus_kw = float(campus["jobs"]) * float(campus["kw_per_job"])
    out = [
        SyntheticRequest(
            id="HTC-ALMERE",
            applicant=f"High Tech Campus Almere ({campus['tenant']}, first tenant)",
            station=campus["station"],
            direction="offtake",
            kw=campus_kw,
            submitted=dt.datetime(submitted.year, submitted.month, submitted.day, 9, tzinfo=zone),
            category="none",
            function="industry",
            evidence=False,
            type_key="campus",
            group="campus",
            profile="G3",
            pv_kwp_per_kw=0.2,
            battery_kwh_per_kw=1.0,
            flex_share=0.05,
            smart=True,
        )
    ]
    induced_kw = (
        float(campus["jobs"])
        * float(campus["jobs_elsewhere_per_campus_job"])
        * float(campus["kw_per_job_elsewhere"])
    )
    service_types = [t for t in types if t.key in ("office", "retail", "bakery", "manufacturing")]
    count = int(campus["requests_elsewhere"])
    induced = []
    for number in range(1, count + 1):
        kind = service_types[int(rng.integers(len(service_types)))]
        when = _draw_submitted(rng, dt.date(2027, 1, 4), dt.date(2030, 12, 31))
        request = _draw_request(rng, kind, campus["station"], number, when, "induced")
        induced.append(replace(request, id=f"HTC-INDUCED-{number:03d}"))
    out += _scaled(induced, induced_kw / 1000)
    hortus = population["hortus"]
    filed = dt.date.fromisoformat(hortus["submitted"])
    out.append(
        SyntheticRequest(
            id="HORTUS-HOUSING",
            applicant="Municipality of Almere: Hortus housing reservation",
            station=hortus["station"],
            direction="offtake",
            kw=float(hortus["homes"]) * float(hortus["kw_per_home"]),
            submitted=dt.datetime(filed.year, filed.month, filed.day, 10, tzinfo=zone),
            category="basic-needs",
            function="housing",
            evidence=True,
            needed=dt.date.fromisoformat(hortus["needed"]),
            type_key="housing",
            group="hortus",
            profile="H0",
        )
    )
    return out


def scenario_data(
    scenario: FlevolandScenario,
    *,
    policy: str = "in-force",
    fit: str = "first-fit",
    runs: int = 1,
    seed: int | None = None,
    requests: Literal["inline", "csv"] = "inline",
) -> dict[str, Any]:
    """The scenario as the mapping a scenario TOML file parses to (docs/scenario-file.md)."""
    head: dict[str, Any] = {
        "name": SCENARIO_NAME + ("" if scenario.works == "current" else " - works as planned"),
        "start": scenario.start.isoformat(),
        "end": scenario.end.isoformat(),
        "policy": policy,
        "fit": fit,
        "runs": runs,
    }
    if seed is not None:
        head["seed"] = seed
    data: dict[str, Any] = {
        "scenario": head,
        "station": [dict(s) for s in scenario.stations],
        "reinforcement": [dict(r) for r in scenario.reinforcements],
    }
    if requests == "inline":
        data["request"] = [r.contract_fields() for r in scenario.requests]
    else:
        head["requests_csv"] = "requests.csv"
    return data


def to_waitlist_scenario(scenario: FlevolandScenario, **options: Any) -> Any:
    """Build a :class:`netruimte.waitlist.Scenario` (same options as :func:`scenario_data`)."""
    from pathlib import Path

    from netruimte.scenario.waitlist_toml import parse_scenario

    data = scenario_data(scenario, requests="inline", **options)
    return parse_scenario(data, source="netruimte:flevoland", base_dir=Path("."))


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'
    if isinstance(value, list | tuple):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{k} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def write_scenario_files(scenario: FlevolandScenario, folder: Any, **options: Any) -> Any:
    """Write ``scenario.toml`` and ``requests.csv`` (the contract formats) into ``folder``.

    Returns the path of ``scenario.toml``; ``netruimte waitlist simulate`` reads it.
    """
    import csv
    import io
    from pathlib import Path

    from netruimte.scenario.waitlist_csv import REQUEST_KEYS

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    data = scenario_data(scenario, requests="csv", **options)
    lines = [
        "# The Flevoland scenario of netruimte (docs/scenario-flevoland.md).",
        "# Grid figures are published ones (with sources there); the requests are SYNTHETIC.",
        "",
        "[scenario]",
    ]
    lines += [f"{k} = {_toml_value(v)}" for k, v in data["scenario"].items()]
    for table in ("station", "reinforcement"):
        for item in data[table]:
            lines += ["", f"[[{table}]]"]
            lines += [f"{k} = {_toml_value(v)}" for k, v in item.items()]
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=list(REQUEST_KEYS), lineterminator="\n")
    writer.writeheader()
    for request in scenario.requests:
        row = request.contract_fields()
        if "capacity_blocks" in row:
            row["capacity_blocks"] = "|".join(row["capacity_blocks"])
        writer.writerow(row)
    for name, text in (
        ("requests.csv", buffer.getvalue()),
        ("scenario.toml", "\n".join(lines) + "\n"),
    ):
        write_atomic(folder / name, text)
    return folder / "scenario.toml"


STATION_MIX: Final[Mapping[str, Mapping[str, float]]] = {
    # ASSUMPTION: the shape of each station's existing offtake as a mix of BDEW standard profiles
    # (households H0, commerce G0, continuous G3, agriculture L0); only the shape is used, scaled
    # so its peak equals the station's `load_mw`. Real station measurements are not public.
    "FGU": {"H0": 0.35, "G0": 0.45, "G3": 0.10, "L0": 0.10},
    "ALM": {"H0": 0.45, "G0": 0.45, "G3": 0.10},
    "LLS": {"H0": 0.40, "G0": 0.50, "G3": 0.10},
    "ZWD": {"H0": 0.35, "G0": 0.35, "L0": 0.30},
    "ZWD20": {"H0": 0.20, "G0": 0.30, "G3": 0.50},
    "DRT": {"H0": 0.30, "G0": 0.30, "L0": 0.40},
    "EML": {"H0": 0.30, "G0": 0.30, "L0": 0.40},
}
PROFILE_YEAR: Final = 2025
"""The representative year of the synthetic station and business profiles."""


def station_load_profiles(year: int = PROFILE_YEAR) -> dict[str, pd.Series]:
    """Synthetic existing-offtake profiles (MW, 15-minute) for the stations of ``STATION_MIX``.

    Each is the station's mix of standard profiles, normalised to a peak of 1 and scaled to its
    ``load_mw``: firm headroom (capacity − peak) is the same as in peak mode, but off-peak room
    becomes visible to time-block and other flexible transport rights.
    """
    import pandas as pd

    from netruimte.profiles import standard_profile

    loads = {s["id"]: float(s["load_mw"]) for s in grid_data()["station"]}
    out: dict[str, pd.Series] = {}
    for station, mix in STATION_MIX.items():
        shape = sum(
            standard_profile(name, 1.0e6, year) * share for name, share in sorted(mix.items())
        )
        assert isinstance(shape, pd.Series)
        out[station] = (shape / shape.max() * loads[station]).rename("mw")
    return out


def peak_block(profile: pd.Series, hours: int = 4) -> str:
    """The daily window of ``hours`` whole hours in which a station's load is highest on average
    over its 30 highest-load days: where an operator would put a time-block restriction."""
    import pandas as pd

    assert isinstance(profile, pd.Series)
    index = pd.DatetimeIndex(profile.index)
    day = index.tz_localize(None).normalize()
    daily_peak = profile.groupby(day).max()
    top_days = daily_peak.nlargest(30).index
    on_top = profile[np.isin(day, top_days)]
    by_hour = on_top.groupby(pd.DatetimeIndex(on_top.index).hour).mean().reindex(range(24))
    values = np.nan_to_num(by_hour.to_numpy(), nan=0.0)
    sums = [sum(values[(h + k) % 24] for k in range(hours)) for h in range(24)]
    start = int(np.argmax(sums))
    end = (start + hours) % 24
    return f"{start:02d}:00-{end:02d}:00"
