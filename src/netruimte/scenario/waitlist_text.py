"""Write a scenario in the formats of DESIGN.md: scenario TOML and the request CSV.

What is written loads back with :func:`netruimte.scenario.waitlist_toml.load_scenario` into
the same scenario: floats are written with ``repr`` (exact), instants with their UTC offset in
the scenario's zone, every optional key only when set.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import math
from collections.abc import Mapping, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from netruimte.conventions import FloatArray, csv_safe_text
from netruimte.scenario.waitlist_csv import REQUEST_KEYS

__all__ = ["representative_csv", "request_row", "requests_csv", "scenario_toml", "toml_value"]


def toml_value(value: Any) -> str:
    """One TOML value (strings JSON-escaped, which TOML basic strings accept)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            raise ValueError("NaN cannot be written to a scenario")
        if math.isinf(value):
            return "inf" if value > 0 else "-inf"
        return repr(value)
    if isinstance(value, dt.datetime | dt.date):
        return json.dumps(value.isoformat())
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list | tuple):
        return "[" + ", ".join(toml_value(v) for v in value) + "]"
    if isinstance(value, Mapping):
        return "{ " + ", ".join(f"{k} = {toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {type(value).__name__} to TOML")


def _table(lines: list[str], header: str, fields: Mapping[str, Any]) -> None:
    lines.append("")
    lines.append(header)
    for key, value in fields.items():
        if value is not None:
            lines.append(f"{key} = {toml_value(value)}")


def request_row(req: Mapping[str, Any], timezone: str) -> dict[str, Any]:
    """A request's scenario keys (None for unset), instants in the scenario's zone."""
    zone = ZoneInfo(timezone)
    submitted = req["submitted"]
    return {
        "id": req["id"],
        "applicant": req["applicant"] or None,
        "station": req["station_id"],
        "direction": req["direction"],
        "kw": float(req["kw"]),
        "submitted": submitted.astimezone(zone).isoformat(),
        "category": req["category"],
        "function": req["function"],
        "evidence": bool(req["evidence"]),
        "contract": req["contract"],
        "small_consumer": bool(req["small_consumer"]),
        "contract_signed": True if req["contract_signed"] else None,
        "score": req["score"],
        "profile_csv": req.get("profile_path"),
        "ean": req["ean"],
        "needed": req["needed"],
        "capacity_blocks": list(req["blocks"]) if req["blocks"] is not None else None,
        "restricted_kw": float(req["restricted_kw"]) if req["restricted_kw"] else None,
        "used_kw": req["used_kw"],
        "withdraw_per_year": req["withdraw_per_year"],
        "withdrawn": req["withdrawn"],
        "accepts": _accepts(req.get("accepts")),
        "accept_partial": False if req.get("accept_partial") is False else None,
        "connection_kv": req.get("connection_kv"),
    }


def _accepts(raw: Sequence[Mapping[str, Any]] | None) -> list[Any] | None:
    """``accepts`` as the scenario writes it: a bare name for an alternative with defaults."""
    if not raw:
        return None
    out: list[Any] = []
    for a in raw:
        extra: dict[str, Any] = {}
        if a.get("capacity_blocks") is not None:
            extra["capacity_blocks"] = list(a["capacity_blocks"])
        if a.get("restricted_kw"):
            extra["restricted_kw"] = float(a["restricted_kw"])
        out.append({"contract": a["contract"], **extra} if extra else a["contract"])
    return out


def scenario_toml(
    settings: Mapping[str, Any],
    use_it_or_lose_it: Mapping[str, Any] | None,
    stations: Sequence[Mapping[str, Any]],
    reinforcements: Sequence[Mapping[str, Any]],
    requests: Sequence[Mapping[str, Any]] | None,
    *,
    header: Sequence[str] = (),
    notes: Mapping[str, str] | None = None,
) -> str:
    """The scenario TOML; ``requests`` None means they live in ``settings["requests_csv"]``.

    ``notes`` maps a request id to a comment written above its table.
    """
    lines = [f"# {h}" for h in header]
    _table(lines, "[scenario]", settings)
    if use_it_or_lose_it:
        _table(lines, "[use_it_or_lose_it]", use_it_or_lose_it)
    for st in stations:
        _table(lines, "[[station]]", st)
    for rf in reinforcements:
        _table(lines, "[[reinforcement]]", rf)
    for req in requests or ():
        note = (notes or {}).get(req["id"])
        if note:
            lines.append("")
            lines.append(f"# {note}")
            lines.append("[[request]]")
            for key, value in req.items():
                if value is not None:
                    lines.append(f"{key} = {toml_value(value)}")
        else:
            _table(lines, "[[request]]", req)
    return "\n".join(lines).lstrip("\n") + "\n"


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, list | tuple):
        if any(isinstance(v, Mapping) for v in value):
            raise ValueError(
                "an 'accepts' entry with capacity_blocks or restricted_kw cannot be written to "
                "the request CSV (it holds contract names only); export format=toml"
            )
        return csv_safe_text("|".join(str(v) for v in value))
    return csv_safe_text(str(value))


def requests_csv(rows: Sequence[Mapping[str, Any]]) -> str:
    """The request CSV (header: every request key of the scenario format)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(REQUEST_KEYS)
    for row in rows:
        writer.writerow([_cell(row.get(key)) for key in REQUEST_KEYS])
    return out.getvalue()


def representative_csv(values: FloatArray, column: str, timezone: str) -> bytes:
    """A profile CSV of the representative year laid over 2025 in ``timezone``.

    Used only for a profile that arrived without its source file (a scenario built in code).
    Reading it back gives the same values except on the spring DST day, where the four
    quarter-hours of the missing hour do not exist and take the value before them.
    """
    zone = ZoneInfo(timezone)
    steps = int(values.size)
    base = dt.date(2025, 1, 1)
    lines = [f"timestamp,{column}"]
    for t in range(min(steps, 365 * 96)):
        day = base + dt.timedelta(days=t // 96)
        q = t % 96
        wall = dt.datetime(day.year, day.month, day.day, q // 4, (q % 4) * 15)
        seen: set[dt.timedelta | None] = set()
        for fold in (0, 1):
            local = wall.replace(tzinfo=zone, fold=fold)
            back = local.astimezone(dt.UTC).astimezone(zone).replace(tzinfo=None)
            offset = local.utcoffset()
            if back != wall or offset in seen:
                continue  # the spring gap, or not a repeated hour
            seen.add(offset)
            lines.append(f"{local.isoformat()},{float(values[t])!r}")
    return ("\n".join(lines) + "\n").encode("utf-8")
