"""Meter-import options as keys of site and scenario files.

A ``[load]`` or ``[pv]`` table of a site file, and a station's or request's ``profile_options``
table of a waiting-list scenario, may point at a raw meter export and say what
``netruimte profile import`` would be told on the command line. The keys mirror the flags:

=================  =====================  ==============================================
key                flag                   value
=================  =====================  ==============================================
``start``          ``--start``            first interval's start (files without stamps)
``step_minutes``   ``--step``             minutes per value
``fill``           ``--fill``             ``"linear"``, ``"previous"`` or ``"zero"``
``trim``           ``--trim``             ``true`` drops partial first and last days
``column``         ``--column``           the value column (header or 1-based number)
``unit``           ``--unit``             W, kW, MW, Wh, kWh, MWh
``stamp_timezone`` ``--timezone``         clock of stamps without offset
``label``          ``--label``            ``"start"`` or ``"end"``
``decimal``        ``--decimal``          ``","`` or ``"."``
``date_order``     ``--date-order``       ``"dmy"`` or ``"mdy"``
=================  =====================  ==============================================

A refusal of the importer names the key (``load.fill``) instead of the flag.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from pathlib import Path
from typing import Any, Final

import numpy as np
import pandas as pd

from netruimte.conventions import FloatArray
from netruimte.errors import InputError
from netruimte.profiles.meter import ImportOptions, import_meter

__all__ = [
    "IMPORT_KEYS",
    "import_options",
    "on_year",
    "options_table",
    "read_meter_profile",
    "read_profile_file",
    "representative_profile",
    "scale_to_annual_kwh",
    "station_profiles",
]

IMPORT_KEYS: Final = {
    "start": "--start",
    "step_minutes": "--step",
    "fill": "--fill",
    "trim": "--trim",
    "column": "--column",
    "unit": "--unit",
    "stamp_timezone": "--timezone",
    "label": "--label",
    "decimal": "--decimal",
    "date_order": "--date-order",
}


def import_options(
    table: dict[str, Any], prefix: str, *, source: str | Path, timezone: str
) -> ImportOptions | None:
    """The import options among ``table``'s keys, or ``None`` when it has none.

    Raises
    ------
    InputError
        A key of the wrong type or value, naming ``prefix.key``.
    """
    given = {key: table[key] for key in IMPORT_KEYS if key in table}
    if not given:
        return None
    for key, value in given.items():
        wanted: type | tuple[type, ...]
        wanted = {"trim": bool, "step_minutes": int}.get(key, str)
        if key == "start" and isinstance(value, dt.date | dt.datetime):
            given[key] = value.isoformat()
            continue
        if isinstance(value, bool) != (wanted is bool) or not isinstance(value, wanted):
            kind = {bool: "true or false", int: "a whole number", str: "a string"}[wanted]
            raise InputError(
                f"expected {kind}, got {value!r}", source=source, field=f"{prefix}.{key}"
            )
    try:
        return ImportOptions(
            start=given.get("start"),
            step_minutes=given.get("step_minutes"),
            fill=given.get("fill"),
            trim=bool(given.get("trim", False)),
            column=given.get("column"),
            unit=given.get("unit"),
            timezone=given.get("stamp_timezone"),
            label=given.get("label"),
            decimal=given.get("decimal"),
            date_order=given.get("date_order"),
            site_timezone=timezone,
        )
    except InputError as exc:
        raise _as_keys(exc, prefix, source) from None


def read_meter_profile(
    path: Path, options: ImportOptions, prefix: str, *, source: str | Path
) -> pd.Series:
    """Import a meter export (kW, 15 minutes); a refusal names ``prefix.key``, not the flag."""
    try:
        return import_meter(path, options).kw
    except InputError as exc:
        raise _as_keys(exc, prefix, source) from None


def _as_keys(exc: InputError, prefix: str, source: str | Path) -> InputError:
    """The same error with every flag replaced by the key of this file that sets it."""
    message = exc.message
    field = exc.field
    for key, flag in sorted(IMPORT_KEYS.items(), key=lambda kv: -len(kv[1])):
        message = message.replace(f"pass {flag}", f"set {prefix}.{key}").replace(
            flag, f"{prefix}.{key}"
        )
        if field == flag:
            field = f"{prefix}.{key}"
    if exc.source is not None and field is not None and field.startswith(prefix):
        message = f"{message} (in {source})"
    return InputError(message, source=exc.source or source, line=exc.line, field=field)


def read_profile_file(
    path: Path,
    table: dict[str, Any],
    prefix: str,
    *,
    source: str | Path,
    timezone: str,
    meter: bool = False,
) -> pd.Series:
    """A kW profile from ``path``: the v1 reader for a plain profile CSV, the meter import when
    ``meter`` is set, the table sets import options or the file is a workbook (``.xlsx``)."""
    from netruimte.profiles import read_profile_csv

    options = import_options(table, prefix, source=source, timezone=timezone)
    if options is None and not meter and path.suffix.lower() not in (".xlsx", ".xlsm"):
        return read_profile_csv(path, timezone=timezone)
    return read_meter_profile(
        path, options or ImportOptions(site_timezone=timezone), prefix, source=source
    )


def scale_to_annual_kwh(series: pd.Series, annual_kwh: float, key: str) -> pd.Series:
    """Scale a profile so that its yearly energy is ``annual_kwh``.

    The yearly energy of a profile of exactly one calendar year (start to the same date a year
    later) is its total; of any other span, its total times 8,760 h over the span's hours.
    """
    from netruimte.conventions import HOURS_PER_STEP, STEP

    index = series.index
    assert isinstance(index, pd.DatetimeIndex)
    total = float(series.sum()) * HOURS_PER_STEP
    one_year = index[0] + pd.DateOffset(years=1) == index[-1] + STEP
    yearly = total if one_year else total * 8760.0 / (len(series) * HOURS_PER_STEP)
    if not yearly > 0:
        raise InputError(
            f"cannot scale a profile with {total:g} kWh in total to {annual_kwh:g} kWh a year",
            field=key,
        )
    return series * (annual_kwh / yearly)


def on_year(series: pd.Series, year: int | None) -> pd.Series:
    """The series laid on ``year`` by weekday and holidays when it is one whole calendar year of
    another year (``netruimte.profiles.align``); otherwise unchanged."""
    from netruimte.conventions import STEP
    from netruimte.profiles.align import lay_on_year

    index = series.index
    assert isinstance(index, pd.DatetimeIndex)
    first = index[0]
    whole_year = (
        first == first.normalize()
        and first.month == first.day == 1
        and first + pd.DateOffset(years=1) == index[-1] + STEP
    )
    if year is None or not whole_year or first.year == year:
        return series
    return lay_on_year(series, year)


def options_table(value: object, key: str) -> dict[str, Any]:
    """A ``profile_options`` table of a scenario file, checked against :data:`IMPORT_KEYS`."""
    if not isinstance(value, dict):
        raise InputError(
            f'expected a table of import options such as {{ fill = "linear" }}, got {value!r}',
            field=key,
        )
    for name in value:
        if name not in IMPORT_KEYS:
            raise InputError(
                f"unknown import option; expected some of {', '.join(IMPORT_KEYS)}",
                field=f"{key}.{name}",
            )
    return value


def representative_profile(
    path: Path,
    options: dict[str, Any] | None,
    key: str,
    *,
    timezone: str,
    per_kw: float = 1.0,
    signed: bool = False,
) -> FloatArray:
    """A station's or request's profile over the representative year (``per_kw`` times kW).

    ``options`` (a ``profile_options`` table) makes it a meter import; a refusal names
    ``profile_options.<key>``. Unless ``signed``, a negative value is refused naming ``key``.
    """
    from netruimte.grid.representative import to_representative_year

    series = read_profile_file(
        path, options or {}, "profile_options", source=path, timezone=timezone,
        meter=options is not None,
    )  # fmt: skip
    values = to_representative_year(series * per_kw, source=str(path), field=key)
    if not signed and bool((values < 0).any()):
        raise InputError(
            "expected values >= 0 (a net series with feed-in goes in net_csv)",
            source=path,
            field=key,
        )
    return values


def station_profiles(table: Mapping[str, Any], base: Path, timezone: str) -> dict[str, FloatArray]:
    """A station's offtake (``load_csv``) and feed-in (``feedin_load_csv``) profiles in MW over
    the representative year; a signed ``net_csv`` (offtake positive) is split into the two.
    ``profile_options`` makes them meter imports. Names the key on a problem."""
    from netruimte.grid.representative import read_station_profile_csv

    raw = table.get("profile_options")
    options = None if raw is None else options_table(raw, "profile_options")
    profiles = {}
    for key in ("load_csv", "feedin_load_csv", "net_csv"):
        path = table.get(key)
        if path is None:
            continue
        if not isinstance(path, str):
            raise InputError(f"expected a file path, got {path!r}", field=key)
        if (base / path).is_dir():
            raise InputError(f"{path!r} is a folder; expected a CSV file", field=key)
        if options is None and key != "net_csv":
            profiles[key] = read_station_profile_csv(base / path, timezone=timezone, field=key)
        else:
            profiles[key] = representative_profile(
                base / path, options, key, timezone=timezone, per_kw=1e-3, signed=key == "net_csv"
            )
    if "net_csv" in profiles:
        for key in ("load_csv", "feedin_load_csv"):
            if key in profiles:
                raise InputError(f"not allowed together with net_csv (it gives {key})", field=key)
        net = profiles.pop("net_csv")  # offtake positive, feed-in negative
        profiles["load_csv"] = np.maximum(net, 0.0)
        profiles["feedin_load_csv"] = np.maximum(-net, 0.0)
    return profiles
