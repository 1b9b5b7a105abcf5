"""Load a waiting-list scenario file (TOML) into a :class:`netruimte.waitlist.Scenario`.

Every key is documented in ``docs/scenario-file.md``. Unknown tables and keys are errors (a
typo must not silently change a result); errors name the file, the line of the table and the
key. Requests may also come from CSV files named by ``[scenario] requests_csv``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import math
import zoneinfo
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from netruimte.conventions import DEFAULT_TIMEZONE, FIRST_DATE, LAST_DATE
from netruimte.errors import InputError
from netruimte.grid.capacity_map import read_capacity_map_csv, stations_from_capacity_map
from netruimte.grid.model import DelayDistribution, Grid, Reinforcement, Station
from netruimte.scenario.profile_options import station_profiles
from netruimte.scenario.toml_limits import read_toml_file
from netruimte.scenario.waitlist_csv import (
    ProfileCache,
    date_value,
    load_requests_csv,
    request_from_mapping,
)
from netruimte.waitlist.congestion import CongestionContract
from netruimte.waitlist.scenario import Scenario, UseItOrLoseIt

__all__ = ["load_scenario", "parse_scenario"]

_TOP = (
    "scenario", "station", "reinforcement", "request", "use_it_or_lose_it",
    "congestion_contract", "congestion_management",
)  # fmt: skip
_SCENARIO_KEYS = (
    "name", "start", "end", "policy", "fit", "capacity", "timezone", "withdraw_per_year",
    "nonfirm_min_share", "tdtr_max_restricted_share", "reservation_lead_months", "runs", "seed",
    "requests_csv", "stations_csv", "partial_offers", "min_offer_kw",
)  # fmt: skip
_STATION_KEYS = (
    "id", "name", "parent", "offtake_mw", "load_mw", "load_csv", "feedin_mw", "feedin_load_mw",
    "feedin_load_csv", "voltage_kv", "net_csv", "profile_options", "connection_kv",
    "small_consumer_reserve_mw", "lat", "lon", "aggregated", "congestion_study",
)  # fmt: skip
_REINFORCEMENT_KEYS = ("id", "station", "date", "offtake_mw", "feedin_mw", "delay")
_CONTRACT_KEYS = ("id", "station", "kind", "mw", "start", "until", "windows", "eur_per_mw_year")
_CM_KEYS = ("relief_credit",)
_DELAY_KEYS = ("distribution", "min_months", "mode_months", "max_months")
_UIOLI_KEYS = (
    "enabled", "after_months", "max_used_share", "unused_mw_below_110kv", "unused_mw_from_110kv",
)  # fmt: skip


_T = TypeVar("_T")


class _Where:
    """Line numbers of ``[[table]]`` headers, for error messages."""

    def __init__(self, source: str, text: str) -> None:
        self.source = source
        self.lines: dict[str, list[int]] = {}
        for n, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if stripped.startswith("[[") and stripped.endswith("]]"):
                self.lines.setdefault(stripped[2:-2].strip(), []).append(n)
            elif stripped.startswith("[") and stripped.endswith("]"):
                self.lines.setdefault(stripped[1:-1].strip(), []).append(n)

    def line(self, table: str, k: int = 0) -> int | None:
        found = self.lines.get(table, [])
        return found[k] if k < len(found) else None

    def error(self, exc: InputError, table: str, k: int = 0) -> InputError:
        if exc.source is not None and exc.source != self.source:
            return exc  # a problem inside a referenced file names that file
        return InputError(
            exc.message, source=self.source, line=self.line(table, k), field=exc.field
        )


def _check_keys(table: Mapping[str, Any], allowed: tuple[str, ...], what: str) -> None:
    for key in table:
        if key not in allowed:
            raise InputError(
                f"unknown key {key!r} in {what}; expected some of {', '.join(allowed)}", field=key
            )


def _number(table: Mapping[str, Any], key: str, default: float | None = None) -> float | None:
    if key not in table:
        return default
    value = table[key]
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"expected a finite number, got {value!r}", field=key)
    return float(value)


def _req_number(table: Mapping[str, Any], key: str) -> float:
    value = _number(table, key)
    if value is None:
        raise InputError(f"missing required key '{key}'", field=key)
    return value


def _text(table: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    if key not in table:
        if required:
            raise InputError(f"missing required key '{key}'", field=key)
        return None
    value = table[key]
    if not isinstance(value, str):
        raise InputError(f"expected text, got {value!r}", field=key)
    return value


def _flag(table: Mapping[str, Any], key: str) -> bool:
    value = table.get(key, False)
    if not isinstance(value, bool):
        raise InputError(f"expected true or false, got {value!r}", field=key)
    return value


def _station(table: Mapping[str, Any], base: Path, timezone: str) -> Station:
    _check_keys(table, _STATION_KEYS, "[[station]]")
    sid = _text(table, "id", required=True)
    profiles = station_profiles(table, base, timezone)
    load = _number(table, "load_mw")
    if load is None:
        load = float(profiles["load_csv"].max()) if "load_csv" in profiles else 0.0
    feed_load = _number(table, "feedin_load_mw")
    if feed_load is None:
        feed_load = (
            float(profiles["feedin_load_csv"].max()) if "feedin_load_csv" in profiles else 0.0
        )
    return Station(
        id=str(sid),
        name=_text(table, "name") or "",
        parent=_text(table, "parent"),
        offtake_mw=_req_number(table, "offtake_mw"),
        load_mw=load,
        feedin_mw=_number(table, "feedin_mw"),
        feedin_load_mw=feed_load,
        load_profile_mw=profiles.get("load_csv"),
        feedin_load_profile_mw=profiles.get("feedin_load_csv"),
        voltage_kv=_number(table, "voltage_kv"),
        connection_kv=_number(table, "connection_kv", 10.0) or 0.0,
        small_consumer_reserve_mw=_number(table, "small_consumer_reserve_mw"),
        lat=_number(table, "lat"),
        lon=_number(table, "lon"),
        aggregated=_flag(table, "aggregated"),
        congestion_study=_text(table, "congestion_study"),
    )


def _reinforcement(table: Mapping[str, Any]) -> Reinforcement:
    _check_keys(table, _REINFORCEMENT_KEYS, "[[reinforcement]]")
    delay = None
    if "delay" in table:
        raw = table["delay"]
        if not isinstance(raw, dict):
            raise InputError("delay must be an inline table", field="delay")
        _check_keys(raw, _DELAY_KEYS, "delay")
        kind = _text(raw, "distribution", required=True)
        delay = DelayDistribution(
            distribution=str(kind),
            min_months=_number(raw, "min_months", 0.0) or 0.0,
            mode_months=_number(raw, "mode_months", 0.0) or 0.0,
            max_months=_number(raw, "max_months", 0.0) or 0.0,
        )
    if "date" not in table:
        raise InputError("missing required key 'date'", field="date")
    return Reinforcement(
        id=str(_text(table, "id", required=True)),
        station=str(_text(table, "station", required=True)),
        date=date_value(table["date"], "date"),
        offtake_mw=_number(table, "offtake_mw", 0.0) or 0.0,
        feedin_mw=_number(table, "feedin_mw", 0.0) or 0.0,
        delay=delay,
    )


def _uioli(table: Mapping[str, Any]) -> UseItOrLoseIt | None:
    _check_keys(table, _UIOLI_KEYS, "[use_it_or_lose_it]")
    enabled = table.get("enabled", True)
    if not isinstance(enabled, bool):
        raise InputError("expected true or false", field="enabled")
    if not enabled:
        return None
    after = table.get("after_months", 12)
    if isinstance(after, bool) or not isinstance(after, int):
        raise InputError(f"expected a whole number of months, got {after!r}", field="after_months")
    return UseItOrLoseIt(
        after_months=after,
        max_used_share=_number(table, "max_used_share", 0.5) or 0.0,
        unused_mw_below_110kv=_number(table, "unused_mw_below_110kv", 1.0) or 0.0,
        unused_mw_from_110kv=_number(table, "unused_mw_from_110kv", 10.0) or 0.0,
    )


def _congestion_contract(table: Mapping[str, Any]) -> CongestionContract:
    _check_keys(table, _CONTRACT_KEYS, "[[congestion_contract]]")
    for key in ("id", "station", "kind", "mw", "start", "until"):
        if key not in table:
            raise InputError(f"missing required key '{key}'", field=key)
    until = table["until"]
    if not isinstance(until, str):
        until = date_value(until, "until")
    else:
        with contextlib.suppress(ValueError):  # a quoted ISO date is a date, else an id
            until = dt.date.fromisoformat(until.strip())
    windows = table.get("windows", [])
    if not isinstance(windows, list) or not all(isinstance(w, str) for w in windows):
        raise InputError("windows must be a list of 'HH:MM-HH:MM' strings", field="windows")
    return CongestionContract(
        id=_text(table, "id", required=True) or "",
        station=_text(table, "station", required=True) or "",
        kind=_text(table, "kind", required=True) or "",  # type: ignore[arg-type]
        mw=_req_number(table, "mw"),
        start=date_value(table["start"], "start"),
        until=until,
        windows=tuple(windows),
        eur_per_mw_year=_number(table, "eur_per_mw_year", 0.0) or 0.0,
    )


def _whole(table: Mapping[str, Any], key: str, default: int | None) -> int | None:
    value = table.get(key, default)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int):
        raise InputError(f"expected a whole number, got {value!r}", field=key)
    return value


def parse_scenario(
    data: Mapping[str, Any], *, source: str, base_dir: Path, text: str = ""
) -> Scenario:
    """Build a scenario from parsed TOML (``text`` is only used for line numbers)."""
    where = _Where(source, text)
    for key in data:
        if key not in _TOP:
            err = InputError(
                f"unknown table {key!r}; expected some of {', '.join(_TOP)}", field=key
            )
            raise InputError(err.message, source=source, field=key)
    head = data.get("scenario")
    if not isinstance(head, dict):
        raise InputError("missing [scenario] table", source=source, field="scenario")
    try:
        _check_keys(head, _SCENARIO_KEYS, "[scenario]")
        timezone = _text(head, "timezone") or DEFAULT_TIMEZONE
        try:
            zoneinfo.ZoneInfo(timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError, OSError):
            raise InputError(
                f"unknown time zone {timezone[:100]!r}; expected an IANA name such as "
                "Europe/Amsterdam",
                field="timezone",
            ) from None
        for key in ("start", "end"):
            if key not in head:
                raise InputError(f"missing required key '{key}'", field=key)
        start = date_value(head["start"], "start")
        end = date_value(head["end"], "end")
        for key, day in (("start", start), ("end", end)):
            if not FIRST_DATE <= day <= LAST_DATE:
                raise InputError(
                    f"{key} must lie from {FIRST_DATE} to {LAST_DATE}, got {day}", field=key
                )
        options: dict[str, Any] = {}
        for key in ("policy", "fit", "capacity"):
            value = _text(head, key)
            if value is not None:
                options[key] = value
        if "partial_offers" in head:
            options["partial_offers"] = _flag(head, "partial_offers")
        for key in (
            "withdraw_per_year",
            "nonfirm_min_share",
            "tdtr_max_restricted_share",
            "min_offer_kw",
        ):
            value_f = _number(head, key)
            if value_f is not None:
                options[key] = value_f
        lead = _whole(head, "reservation_lead_months", 120)
        options["reservation_lead_months"] = lead
        options["runs"] = _whole(head, "runs", 1)
        options["seed"] = _whole(head, "seed", None)
        csv_paths = head.get("requests_csv", [])
        if isinstance(csv_paths, str):
            csv_paths = [csv_paths]
        if not isinstance(csv_paths, list) or not all(isinstance(p, str) for p in csv_paths):
            raise InputError("requests_csv must be a path or a list of paths", field="requests_csv")
        stations_csv = _text(head, "stations_csv")
    except InputError as exc:
        raise where.error(exc, "scenario") from None

    stations: list[Station] = []
    if stations_csv is not None:
        stations.extend(stations_from_capacity_map(read_capacity_map_csv(base_dir / stations_csv)))
    stations += _each(data, "station", where, lambda t: _station(t, base_dir, timezone))
    reinforcements = _each(data, "reinforcement", where, _reinforcement)
    uioli = None
    if "use_it_or_lose_it" in data:
        try:
            if not isinstance(data["use_it_or_lose_it"], dict):
                raise InputError("expected a table [use_it_or_lose_it]", field="use_it_or_lose_it")
            uioli = _uioli(data["use_it_or_lose_it"])
        except InputError as exc:
            raise where.error(exc, "use_it_or_lose_it") from None
    contracts = _each(data, "congestion_contract", where, _congestion_contract)
    if "congestion_management" in data:
        try:
            cm = data["congestion_management"]
            if not isinstance(cm, dict):
                raise InputError(
                    "expected a table [congestion_management]", field="congestion_management"
                )
            _check_keys(cm, _CM_KEYS, "[congestion_management]")
            credit = _number(cm, "relief_credit")
            if credit is not None:
                options["relief_credit"] = credit
        except InputError as exc:
            raise where.error(exc, "congestion_management") from None
    try:
        grid = Grid(tuple(stations), tuple(reinforcements))
    except InputError as exc:
        raise InputError(exc.message, source=source, field=exc.field) from None

    cache: ProfileCache = {}
    requests = _each(
        data,
        "request",
        where,
        lambda t: request_from_mapping(
            t, base_dir=base_dir, timezone=timezone, profile_cache=cache
        ),
    )
    for rel in csv_paths:
        requests.extend(load_requests_csv(base_dir / rel, timezone=timezone, profile_cache=cache))
    try:
        return Scenario(
            name=_text(head, "name") or Path(source).stem,
            start=start,
            end=end,
            grid=grid,
            requests=tuple(requests),
            timezone=timezone,
            use_it_or_lose_it=uioli,
            congestion_contracts=tuple(contracts),
            source=source,
            **options,
        )
    except InputError as exc:
        line = None
        if exc.field == "station" and "request" in exc.message:
            bad = exc.message.split("'")[1] if "'" in exc.message else ""
            line = _request_line(where, data, bad)
        elif exc.field in ("until", "id") and "congestion contract" in exc.message:
            line = where.line("congestion_contract")
        elif exc.field == "request.id":
            bad = exc.message.split("'")[1] if "'" in exc.message else ""
            line = _request_line(where, data, bad, last=True)
        raise InputError(exc.message, source=source, line=line, field=exc.field) from None


def _request_line(
    where: _Where, data: Mapping[str, Any], rid: str, *, last: bool = False
) -> int | None:
    hits = [
        k
        for k, t in enumerate(data.get("request", []))
        if isinstance(t, dict) and t.get("id") == rid
    ]
    if not hits:
        return None
    return where.line("request", hits[-1] if last else hits[0])


def _each(
    data: Mapping[str, Any], key: str, where: _Where, parse: Callable[[dict[str, Any]], _T]
) -> list[_T]:
    """Every ``[[key]]`` table read by ``parse``; an error names the file and the table's line."""
    out: list[_T] = []
    for k, table in enumerate(_tables(data, key, where.source)):
        try:
            out.append(parse(table))
        except InputError as exc:
            raise where.error(exc, key, k) from None
    return out


def _tables(data: Mapping[str, Any], key: str, source: str) -> list[dict[str, Any]]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(t, dict) for t in value):
        raise InputError(f"expected [[{key}]] tables", source=source, field=key)
    return value


def load_scenario(path: str | Path) -> Scenario:
    """Read and validate a waiting-list scenario file.

    Raises
    ------
    InputError
        Malformed TOML, unknown keys, bad values, unknown stations, cycles, duplicate ids...;
        the message names the file, the line of the table and the key.
    """
    path = Path(path)
    text, data = read_toml_file(path, "scenario")
    return parse_scenario(data, source=str(path), base_dir=path.parent, text=text)
