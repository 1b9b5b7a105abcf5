"""Load a site file (TOML, interface contract v1) into a :class:`~netruimte.planner.site.Site`.

Every key of ``docs/site-file.md`` is read here. Unknown sections and keys, wrong types and
out-of-range values raise :class:`~netruimte.errors.InputError` naming the file and the key,
e.g. ``site.toml, field 'battery.roundtrip_efficiency': expected a number in (0, 1], got 1.5``.
Paths (``load.csv``, ``pv.csv``, ``tariff.energy_price_csv``) are relative to the TOML file.
All series end up on one index: the load's.
"""

from __future__ import annotations

import math
import zoneinfo
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from netruimte.conventions import DEFAULT_TIMEZONE, MAX_KW
from netruimte.errors import InputError
from netruimte.planner.site import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    Objective,
    Restriction,
    ShiftableLoad,
    Site,
    Tariff,
)
from netruimte.profiles import pv_profile, standard_profile
from netruimte.scenario.prices import read_price_csv
from netruimte.scenario.profile_options import (
    IMPORT_KEYS,
    on_year,
    read_profile_file,
    scale_to_annual_kwh,
)
from netruimte.scenario.site_economics import ECONOMICS_KEYS, economics
from netruimte.scenario.site_reader import TomlReader, kind_of, parse_window, wrap_error
from netruimte.scenario.toml_limits import read_toml_file

__all__ = ["load_site", "parse_objective", "parse_window", "read_toml", "site_from_data"]

_SECTIONS: Final = {
    "site": {"name", "timezone", "year"},
    "plan": {"objective"},
    "load": {"csv", "profile", "annual_kwh", "kind", *IMPORT_KEYS},
    "pv": {
        "kwp", "latitude", "longitude", "tilt_deg", "azimuth_deg", "csv", "max_kwp",
        "cost_eur_per_kwp_year", "capex_eur_per_kwp", "weather", *IMPORT_KEYS,
    },
    "battery": {
        "energy_kwh", "power_kw", "max_energy_kwh", "max_power_kw", "cost_eur_per_kwh_year",
        "cost_eur_per_kw_year", "roundtrip_efficiency", "soc_min", "soc_max",
        "capex_eur_per_kwh", "capex_eur_per_kw",
    },
    "flex": set(),
    "connection": {"import_kw", "export_kw", "restriction"},
    "economics": ECONOMICS_KEYS,
    "tariff": {
        "contracted_eur_per_kw_year", "kwmax_eur_per_kw_month", "energy_eur_per_kwh",
        "energy_price_csv", "energy_price_adder_eur_per_kwh", "feed_in_eur_per_kwh",
    },
}  # fmt: skip
_FLEX_KEYS: Final = {
    "shiftable": {"name", "kind", "daily_kwh", "max_kw", "window"},
    "curtailable": {"name", "kind", "max_kw", "cost_eur_per_kwh"},
}
_RESTRICTION_KEYS: Final = {"windows", "import_kw"}
_LOCATION_KEYS: Final = ("latitude", "longitude", "tilt_deg", "azimuth_deg", "weather")


def load_site(path: str | Path) -> Site:
    """Read a site file.

    Parameters
    ----------
    path
        The TOML file; relative paths inside it are relative to its folder.

    Returns
    -------
    Site
        With every series on the load's index.

    Raises
    ------
    InputError
        Malformed TOML (with the line), an unknown or mistyped key, a value out of range, a
        missing or malformed CSV, or series that do not share the load's index.
    """
    source = Path(path)
    return site_from_data(read_toml(source), source)


def site_from_data(data: dict[str, Any], source: str | Path) -> Site:
    """Build a site from a parsed site document (the tables of a site file).

    For callers that hold the document already (the fleet's CSV rows); errors name ``source``
    and the key, and relative paths in it are relative to ``source``'s folder, as for
    :func:`load_site`.
    """
    return _build(data, TomlReader(Path(source)))


def read_toml(source: Path) -> dict[str, Any]:
    """A TOML file's tables; a missing file, bad UTF-8 or bad TOML (with its line) raise
    :class:`InputError` naming the file."""
    return read_toml_file(source, "site")[1]


def _build(data: dict[str, Any], r: TomlReader) -> Site:
    for name in data:
        if name not in _SECTIONS:
            raise r.fail(name, f"unknown section; expected one of {', '.join(sorted(_SECTIONS))}")
    site_t = r.table(data, "site", "site") or {}
    r.keys(site_t, _SECTIONS["site"], "site")
    name = r.string(site_t, "name", "site.name", default=r.source.stem)
    timezone = r.string(site_t, "timezone", "site.timezone", default=DEFAULT_TIMEZONE)
    try:
        zoneinfo.ZoneInfo(timezone)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        raise r.fail("site.timezone", f"unknown time zone {timezone!r}") from None
    year: int | None = None
    if "year" in site_t:
        raw = site_t["year"]
        if isinstance(raw, bool) or not isinstance(raw, int) or not 1970 <= raw <= 2100:
            raise r.fail("site.year", f"expected a whole year in 1970..2100, got {raw!r}")
        year = raw

    objective = parse_objective(data, r)

    load, fed_in = _load(data, r, timezone, year)
    index = load.index
    assert isinstance(index, pd.DatetimeIndex)
    shiftable, curtailable = _flex(data, r)
    parts = {
        "pv": _pv(data, r, index, timezone, year, fed_in),
        "battery": _battery(data, r),
        "connection": _connection(data, r),
        "tariff": _tariff(data, r, index, timezone),
        "economics": economics(data, r),
    }
    try:
        return Site(
            name=name,
            load_kw=load,
            timezone=timezone,
            year=year,
            objective=objective,
            shiftable=shiftable,
            curtailable=curtailable,
            **parts,  # type: ignore[arg-type]
        )
    except InputError as exc:  # the model's own checks: name this file
        raise InputError(exc.message, source=r.source, field=exc.field) from None


def parse_objective(data: dict[str, Any], r: TomlReader) -> Objective:
    """The ``[plan]`` table (only ``objective``, default ``min-connection``)."""
    plan_t = r.table(data, "plan", "plan") or {}
    r.keys(plan_t, _SECTIONS["plan"], "plan")
    objective_text = r.string(plan_t, "objective", "plan.objective", Objective.MIN_CONNECTION)
    try:
        return Objective(objective_text)
    except ValueError:
        choices = ", ".join(repr(o.value) for o in Objective)
        raise r.fail("plan.objective", f"expected {choices}, got {objective_text!r}") from None


def _series_in_year(
    series: pd.Series, index: pd.DatetimeIndex, r: TomlReader, key: str
) -> pd.Series:
    """A series generated for ``site.year`` cut to the load's index (which must lie in it)."""
    if not index.isin(series.index).all():
        raise r.fail(
            "site.year",
            f"{key} is generated for site.year, but the load's index "
            f"({index[0].isoformat()} .. {index[-1].isoformat()}) lies outside that year",
        )
    return series.reindex(index)


def _same_index(series: pd.Series, index: pd.DatetimeIndex, r: TomlReader, key: str) -> None:
    if not series.index.equals(index):
        got = series.index
        raise r.fail(
            key,
            f"expected the load's index ({len(index)} steps, {index[0].isoformat()} .. "
            f"{index[-1].isoformat()}), got {len(got)} steps, {got[0].isoformat()} .. "
            f"{got[-1].isoformat()}",
        )


def _need_year(r: TomlReader, year: int | None, key: str) -> int:
    if year is None:
        raise r.fail("site.year", f"missing: {key} needs a calendar year to generate a profile")
    return year


def _measured(
    table: dict[str, Any], r: TomlReader, section: str, timezone: str, year: int | None
) -> pd.Series:
    """The profile named by ``<section>.csv`` (kW), its measured year laid on ``site.year``
    by day type."""
    key = f"{section}.csv"
    try:
        path = r.path(table, "csv", key)
        series = read_profile_file(path, table, section, source=r.source, timezone=timezone)
    except InputError as exc:
        raise wrap_error(exc, r, key) from None
    return on_year(series, year)


def _load(
    data: dict[str, Any], r: TomlReader, timezone: str, year: int | None
) -> tuple[pd.Series, pd.Series | None]:
    """The base load (kW) and, for a net meter profile, the feed-in it saw (kW, else None)."""
    table = r.table(data, "load", "load")
    if table is None:
        raise r.fail("load", "missing section [load]: give csv, or profile and annual_kwh")
    r.keys(table, _SECTIONS["load"], "load")
    kind = r.string(table, "kind", "load.kind", "load")
    if kind not in ("load", "net"):
        raise r.fail("load.kind", f"expected 'load' or 'net', got {kind!r}")
    if "csv" in table:
        if "profile" in table:
            raise r.fail("load.profile", "not allowed together with load.csv")
        series = _measured(table, r, "load", timezone, year)
        if "annual_kwh" in table:
            if kind == "net":
                raise r.fail("load.annual_kwh", "a net profile is not scaled (its sign matters)")
            annual = r.number(table, "annual_kwh", "load.annual_kwh", low=0.0, open_low=True)
            try:
                series = scale_to_annual_kwh(series, annual, "load.annual_kwh")
            except InputError as exc:
                raise wrap_error(exc, r, "load.annual_kwh") from None
    else:
        for key in ("kind", *IMPORT_KEYS):
            if key in table:
                raise r.fail(f"load.{key}", "only used with load.csv (a measured profile)")
        if "profile" not in table:
            raise r.fail("load", "expected load.csv, or load.profile with load.annual_kwh")
        profile = r.string(table, "profile", "load.profile")
        annual = r.number(table, "annual_kwh", "load.annual_kwh", low=0.0, open_low=True)
        try:
            series = standard_profile(
                profile, annual, _need_year(r, year, "load.profile"), timezone=timezone
            )
        except InputError as exc:
            raise wrap_error(exc, r, f"load.{exc.field or 'profile'}") from None
    values = series.to_numpy(dtype=float)
    if not bool(np.isfinite(values).all()) or bool((np.abs(values) > MAX_KW).any()):
        at = int(np.argmax(~np.isfinite(values) | (np.abs(values) > MAX_KW)))
        raise r.fail(
            "load.csv" if "csv" in table else "load.annual_kwh",
            f"expected at most {MAX_KW:g} kW, got {values[at]:g} kW at {series.index[at]}",
        )
    if kind == "net":
        return series.clip(lower=0.0).rename("kw"), (-series).clip(lower=0.0).rename("kw")
    if bool((values < 0).any()):
        at = int(np.argmax(values < 0))
        raise r.fail(
            "load",
            f"expected a base load >= 0 kW, got {values[at]:g} kW at "
            f"{series.index[at].isoformat()} (own generation belongs in [pv]; a net meter "
            'profile with feed-in is load.kind = "net")',
        )
    return series.rename("kw"), None


def _pv(
    data: dict[str, Any],
    r: TomlReader,
    index: pd.DatetimeIndex,
    timezone: str,
    year: int | None,
    fed_in: pd.Series | None,
) -> PV | None:
    table = r.table(data, "pv", "pv")
    fed_in_kwh = 0.0 if fed_in is None else float(fed_in.sum()) / 4.0
    if table is None:
        if fed_in_kwh > 0:
            raise r.fail(
                "pv.kwp",
                f'the net load (load.kind = "net") feeds in {fed_in_kwh:,.1f} kWh: give the '
                "kWp installed behind the meter as [pv] kwp",
            )
        return None
    r.keys(table, _SECTIONS["pv"], "pv")
    kwp = r.number(table, "kwp", "pv.kwp", 0.0, low=0.0)
    max_kwp = r.number(table, "max_kwp", "pv.max_kwp", 0.0, low=0.0)
    cost = r.number(table, "cost_eur_per_kwp_year", "pv.cost_eur_per_kwp_year", 0.0, low=0.0)
    capex = r.number(table, "capex_eur_per_kwp", "pv.capex_eur_per_kwp", 0.0, low=0.0)
    if fed_in is not None:
        return _pv_behind_meter(table, r, fed_in, kwp, max_kwp, cost, capex)
    if "csv" in table:
        for other in _LOCATION_KEYS:
            if other in table:
                raise r.fail(f"pv.{other}", "not used with pv.csv (a measured profile)")
        if kwp <= 0:
            raise r.fail("pv.kwp", "expected the installed kWp (> 0) that pv.csv was measured on")
        measured = _measured(table, r, "pv", timezone, year)
        _same_index(measured, index, r, "pv.csv")
        if bool((measured.to_numpy() < 0).any()):
            raise r.fail("pv.csv", "expected PV generation >= 0 kW")
        per_kwp = measured / kwp
    else:
        lat = r.number(table, "latitude", "pv.latitude", low=-90.0, high=90.0)
        lon = r.number(table, "longitude", "pv.longitude", low=-180.0, high=180.0)
        tilt = r.number(table, "tilt_deg", "pv.tilt_deg", 30.0, low=0.0, high=90.0)
        azimuth = r.number(table, "azimuth_deg", "pv.azimuth_deg", 180.0, low=0.0, high=360.0)
        weather = r.string(table, "weather", "pv.weather", "try-essen")
        if weather not in ("try-essen", "clear-sky"):
            raise r.fail("pv.weather", f"expected 'try-essen' or 'clear-sky', got {weather!r}")
        try:
            generated = pv_profile(
                1.0, lat, lon, tilt, azimuth, _need_year(r, year, "pv"),
                timezone=timezone, weather=weather,  # type: ignore[arg-type]
            )  # fmt: skip
        except InputError as exc:
            raise wrap_error(exc, r, f"pv.{exc.field or 'kwp'}") from None
        per_kwp = _series_in_year(generated, index, r, "pv")
    return PV(per_kwp.rename("kw_per_kwp"), kwp, max_kwp, cost, capex)


def _pv_behind_meter(
    table: dict[str, Any], r: TomlReader, fed_in: pd.Series, kwp: float, max_kwp: float,
    cost: float, capex: float,
) -> PV:  # fmt: skip
    """The installed PV of a net load: its output is the feed-in the meter saw (what it made
    beyond the site's own use in each quarter-hour), per installed kWp."""
    for other in ("csv", *_LOCATION_KEYS, *IMPORT_KEYS):
        if other in table:
            raise r.fail(
                f"pv.{other}",
                'not used with a net load (load.kind = "net"): the PV behind the meter is '
                "already in the meter's profile",
            )
    if max_kwp > 0:
        raise r.fail(
            "pv.max_kwp",
            "new PV needs the shape of PV output, which a net profile does not give; plan new "
            'PV on the gross load (load.kind = "load") with pv.csv or the PV location',
        )
    if kwp <= 0:
        raise r.fail("pv.kwp", "expected the kWp installed behind the meter (> 0)")
    return PV((fed_in / kwp).rename("kw_per_kwp"), kwp, 0.0, cost, capex)


def _battery(data: dict[str, Any], r: TomlReader) -> Battery | None:
    table = r.table(data, "battery", "battery")
    if table is None:
        return None
    r.keys(table, _SECTIONS["battery"], "battery")
    values = {
        name: r.number(table, name, f"battery.{name}", 0.0, low=0.0)
        for name in (
            "energy_kwh", "power_kw", "max_energy_kwh", "max_power_kw",
            "cost_eur_per_kwh_year", "cost_eur_per_kw_year", "capex_eur_per_kwh",
            "capex_eur_per_kw",
        )
    }  # fmt: skip
    eff = r.number(
        table, "roundtrip_efficiency", "battery.roundtrip_efficiency", 0.9,
        low=0.0, high=1.0, open_low=True,
    )  # fmt: skip
    soc_min = r.number(table, "soc_min", "battery.soc_min", 0.0, low=0.0, high=1.0, open_high=True)
    soc_max = r.number(table, "soc_max", "battery.soc_max", 1.0, low=0.0, high=1.0, open_low=True)
    if soc_min >= soc_max:
        raise r.fail(
            "battery.soc_min",
            f"expected soc_min < soc_max, got soc_min={soc_min:g}, soc_max={soc_max:g}",
        )
    return Battery(**values, roundtrip_efficiency=eff, soc_min=soc_min, soc_max=soc_max)


def _flex(
    data: dict[str, Any], r: TomlReader
) -> tuple[tuple[ShiftableLoad, ...], tuple[CurtailableLoad, ...]]:
    raw = data.get("flex", [])
    if not isinstance(raw, list):
        raise r.fail("flex", f"expected an array of tables [[flex]], got {kind_of(raw)}")
    shiftable: list[ShiftableLoad] = []
    curtailable: list[CurtailableLoad] = []
    seen: set[str] = set()
    for number, entry in enumerate(raw, start=1):
        key = f"flex[{number}]"
        if not isinstance(entry, dict):
            raise r.fail(key, f"expected a table [[flex]], got {kind_of(entry)}")
        kind = r.string(entry, "kind", f"{key}.kind")
        if kind not in _FLEX_KEYS:
            raise r.fail(f"{key}.kind", f"expected 'shiftable' or 'curtailable', got {kind!r}")
        r.keys(entry, _FLEX_KEYS[kind], key)
        name = r.string(entry, "name", f"{key}.name")
        if name in seen:
            raise r.fail(f"{key}.name", f"flex name {name!r} is used twice; names must be unique")
        seen.add(name)
        if kind == "shiftable":
            if "window" not in entry:
                raise r.fail(f"{key}.window", "missing: expected a window 'HH:MM-HH:MM'")
            shiftable.append(
                ShiftableLoad(
                    name=name,
                    daily_kwh=r.number(entry, "daily_kwh", f"{key}.daily_kwh", low=0.0),
                    max_kw=r.number(entry, "max_kw", f"{key}.max_kw", low=0.0, open_low=True),
                    window=r.window(entry["window"], f"{key}.window"),
                )
            )
        else:
            curtailable.append(
                CurtailableLoad(
                    name=name,
                    max_kw=r.number(entry, "max_kw", f"{key}.max_kw", low=0.0),
                    cost_eur_per_kwh=r.number(
                        entry, "cost_eur_per_kwh", f"{key}.cost_eur_per_kwh", 0.0, low=0.0
                    ),
                )
            )
    return tuple(shiftable), tuple(curtailable)


def _connection(data: dict[str, Any], r: TomlReader) -> Connection:
    table = r.table(data, "connection", "connection") or {}
    r.keys(table, _SECTIONS["connection"], "connection")
    import_kw: float | None = None
    raw_import = table.get("import_kw", "minimise")
    if raw_import != "minimise":
        if isinstance(raw_import, str):
            raise r.fail(
                "connection.import_kw",
                f'expected a number >= 0 or "minimise", got {raw_import!r}',
            )
        import_kw = r.number(table, "import_kw", "connection.import_kw", low=0.0)
    export_kw: float | None
    raw_export = table.get("export_kw", 0.0)
    if raw_export == "unlimited" or (isinstance(raw_export, float) and raw_export == math.inf):
        export_kw = None
    elif isinstance(raw_export, str):
        raise r.fail(
            "connection.export_kw",
            f'expected a number >= 0, "unlimited" or inf, got {raw_export!r}',
        )
    else:
        export_kw = r.number(table, "export_kw", "connection.export_kw", 0.0, low=0.0)
    raw = table.get("restriction", [])
    if not isinstance(raw, list):
        raise r.fail("connection.restriction", "expected an array [[connection.restriction]]")
    restrictions = []
    for number, entry in enumerate(raw, start=1):
        key = f"connection.restriction[{number}]"
        if not isinstance(entry, dict):
            raise r.fail(key, f"expected a table, got {kind_of(entry)}")
        r.keys(entry, _RESTRICTION_KEYS, key)
        windows = entry.get("windows")
        if not isinstance(windows, list) or not windows:
            raise r.fail(
                f"{key}.windows", f"expected a non-empty array of windows, got {windows!r}"
            )
        parsed = tuple(r.window(w, f"{key}.windows") for w in windows)
        limit = r.number(entry, "import_kw", f"{key}.import_kw", low=0.0)
        restrictions.append(Restriction(parsed, limit))
    return Connection(import_kw=import_kw, export_kw=export_kw, restrictions=tuple(restrictions))


def _tariff(data: dict[str, Any], r: TomlReader, index: pd.DatetimeIndex, timezone: str) -> Tariff:
    table = r.table(data, "tariff", "tariff") or {}
    r.keys(table, _SECTIONS["tariff"], "tariff")
    contracted = r.number(
        table, "contracted_eur_per_kw_year", "tariff.contracted_eur_per_kw_year", 0.0, low=0.0
    )
    kwmax = r.number(table, "kwmax_eur_per_kw_month", "tariff.kwmax_eur_per_kw_month", 0.0, low=0.0)
    feed_in = r.number(table, "feed_in_eur_per_kwh", "tariff.feed_in_eur_per_kwh", 0.0)
    energy: float | pd.Series
    if "energy_price_csv" in table:
        if "energy_eur_per_kwh" in table:
            raise r.fail(
                "tariff.energy_eur_per_kwh", "not allowed together with tariff.energy_price_csv"
            )
        try:
            energy = read_price_csv(
                r.path(table, "energy_price_csv", "tariff.energy_price_csv"), timezone=timezone
            )
        except InputError as exc:
            raise wrap_error(exc, r, "tariff.energy_price_csv") from None
        _same_index(energy, index, r, "tariff.energy_price_csv")
        adder = r.number(
            table, "energy_price_adder_eur_per_kwh", "tariff.energy_price_adder_eur_per_kwh", 0.0
        )
        energy = energy + adder  # taxes and supplier margin on top of the market price
    else:
        if "energy_price_adder_eur_per_kwh" in table:
            raise r.fail(
                "tariff.energy_price_adder_eur_per_kwh",
                "only used with tariff.energy_price_csv; add it to tariff.energy_eur_per_kwh",
            )
        energy = r.number(table, "energy_eur_per_kwh", "tariff.energy_eur_per_kwh", 0.0)
    return Tariff(contracted, kwmax, energy, feed_in)
