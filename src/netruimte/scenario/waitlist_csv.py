"""Requests from CSV (large lists) and the request-key conversion shared with the TOML loader.

A request CSV has a header row with the same names as the ``[[request]]`` keys of a scenario
file (``docs/scenario-file.md``); ``id``, ``station``, ``kw`` and ``submitted`` are required,
every other column is optional and an empty cell means "not given". Booleans are
``true``/``false`` (also ``1``/``0``, ``yes``/``no``); ``capacity_blocks`` lists windows separated
by ``|`` or spaces (``09:00-16:00|20:00-06:00``); ``accepts`` lists contract names the same way
(``tdtr|non-firm``, each with its defaults). The v1 key ``blocks`` is refused with a message
saying how to rewrite it. Separator ``,`` or ``;`` (with ``;`` a decimal
comma is accepted). Paths (``profile_csv``) are relative to the CSV file.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from pathlib import Path

from netruimte.conventions import DEFAULT_TIMEZONE, FloatArray, csv_unescape_text
from netruimte.errors import InputError
from netruimte.profiles.csv_io import csv_table, read_input_text
from netruimte.waitlist.requests import (
    BLOCKS_REFUSED,
    Alternative,
    Contract,
    Request,
    coerce_enum,
)

__all__ = ["REQUEST_KEYS", "date_value", "load_requests_csv", "request_from_mapping"]

REQUEST_KEYS: tuple[str, ...] = (
    "id",
    "applicant",
    "station",
    "direction",
    "kw",
    "submitted",
    "category",
    "function",
    "evidence",
    "contract",
    "small_consumer",
    "contract_signed",
    "score",
    "profile_csv",
    "profile_options",
    "ean",
    "needed",
    "capacity_blocks",
    "restricted_kw",
    "accept_partial",
    "connection_kv",
    "accepts",
    "used_kw",
    "withdraw_per_year",
    "withdrawn",
    "relief_kw",
)
REQUIRED_KEYS = ("id", "station", "kw", "submitted")
_FLOATS = frozenset(
    {"kw", "score", "restricted_kw", "used_kw", "withdraw_per_year", "connection_kv", "relief_kw"}
)
_BOOLS = frozenset({"evidence", "small_consumer", "contract_signed", "accept_partial"})
_ALTERNATIVE_KEYS = ("contract", "capacity_blocks", "restricted_kw")
_DATES = frozenset({"needed", "withdrawn"})
_TEXT = frozenset({"id", "applicant", "station", "direction", "category", "function", "contract"})
_TRUE = frozenset({"true", "1", "yes", "ja"})
_FALSE = frozenset({"false", "0", "no", "nee"})

ProfileCache = dict[Path, FloatArray]


def _float(value: object, key: str, decimal_comma: bool) -> float:
    if isinstance(value, bool):
        raise InputError(f"expected a number, got {value!r}", field=key)
    if isinstance(value, int | float):
        out = float(value)
    elif isinstance(value, str):
        text = value.strip().replace(",", ".") if decimal_comma else value.strip()
        try:
            out = float(text)
        except ValueError:
            raise InputError(f"expected a number, got {value!r}", field=key) from None
    else:
        raise InputError(f"expected a number, got {value!r}", field=key)
    if not math.isfinite(out):
        raise InputError(f"expected a finite number, got {value!r}", field=key)
    return out


def _bool(value: object, key: str) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        low = value.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
    raise InputError(f"expected true or false, got {value!r}", field=key)


def date_value(value: object, key: str) -> dt.date:
    """A date from a TOML date or ISO text (``key`` names the field in the error); a
    date-time is refused."""
    if isinstance(value, dt.datetime):
        raise InputError(f"expected a date such as 2030-01-01, got {value!r}", field=key)
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            pass
    raise InputError(f"expected a date such as 2030-01-01, got {value!r}", field=key)


def _blocks(value: object, key: str) -> tuple[str, ...]:
    if isinstance(value, str):
        parts = value.replace("|", " ").split()
    elif isinstance(value, list | tuple) and all(isinstance(v, str) for v in value):
        parts = [str(v) for v in value]
    else:
        raise InputError(
            f'expected a list of windows such as ["16:00-20:00"], got {value!r}', field=key
        )
    return tuple(parts)


def _accepts(value: object, decimal_comma: bool) -> tuple[Alternative, ...]:
    """``accepts``: contract names (a list, or one text separated by ``|`` or spaces) or
    inline tables ``{contract, capacity_blocks, restricted_kw}``."""
    items: list[object]
    if isinstance(value, str):
        items = list(value.replace("|", " ").split())
    elif isinstance(value, list | tuple):
        items = list(value)
    else:
        raise InputError(
            f'expected a list such as ["tdtr", "non-firm"], got {value!r}', field="accepts"
        )
    out = []
    for item in items:
        if isinstance(item, str):
            contract = coerce_enum(Contract, item.strip(), field="accepts.contract")
            out.append(Alternative(contract=contract))
            continue
        if not isinstance(item, Mapping):
            raise InputError(
                f"expected a contract name or an inline table, got {item!r}", field="accepts"
            )
        for key in item:
            if key not in _ALTERNATIVE_KEYS:
                raise InputError(
                    f"unknown key {key!r} in accepts; expected some of "
                    f"{', '.join(_ALTERNATIVE_KEYS)}",
                    field=f"accepts.{key}",
                )
        if "contract" not in item:
            raise InputError("an accepts entry needs 'contract'", field="accepts.contract")
        blocks = item.get("capacity_blocks")
        out.append(
            Alternative(
                contract=item["contract"],
                capacity_blocks=None
                if blocks is None
                else _blocks(blocks, "accepts.capacity_blocks"),
                restricted_kw=_float(
                    item.get("restricted_kw", 0.0), "accepts.restricted_kw", decimal_comma
                ),
            )
        )
    return tuple(out)


def _profile(
    value: object, base_dir: Path, timezone: str, cache: ProfileCache, options: object = None
) -> tuple[str, FloatArray]:
    from netruimte.grid.representative import to_representative_year
    from netruimte.profiles import read_profile_csv

    if not isinstance(value, str) or not value.strip():
        raise InputError(f"expected a file path, got {value!r}", field="profile_csv")
    path = (base_dir / value.strip()).resolve()
    if options is not None:  # a raw meter export (TOML only): imported, not cached
        from netruimte.scenario.profile_options import options_table, representative_profile

        table = options_table(options, "profile_options")
        return value.strip(), representative_profile(path, table, "profile_csv", timezone=timezone)
    if path not in cache:
        series = read_profile_csv(path, timezone=timezone)
        cache[path] = to_representative_year(series, source=str(path))
    return value.strip(), cache[path]


def request_from_mapping(
    raw: Mapping[str, object],
    *,
    base_dir: Path,
    timezone: str = DEFAULT_TIMEZONE,
    decimal_comma: bool = False,
    profile_cache: ProfileCache | None = None,
) -> Request:
    """Build a :class:`Request` from scenario keys (TOML values or CSV strings).

    Raises InputError naming the key; the caller adds the file and line.
    """
    if "blocks" in raw:
        raise InputError(BLOCKS_REFUSED, field="blocks")
    for key in raw:
        if key not in REQUEST_KEYS:
            raise InputError(
                f"unknown request key {key!r}; expected some of {', '.join(REQUEST_KEYS)}",
                field=key,
            )
    for key in REQUIRED_KEYS:
        if key not in raw:
            raise InputError(f"a request needs '{key}'", field=key)
    kwargs: dict[str, object] = {}
    cache = profile_cache if profile_cache is not None else {}
    for key, value in raw.items():
        if key in _FLOATS:
            kwargs[key] = _float(value, key, decimal_comma)
        elif key in _BOOLS:
            kwargs[key] = _bool(value, key)
        elif key in _DATES:
            kwargs[key] = date_value(value, key)
        elif key == "capacity_blocks":
            kwargs[key] = _blocks(value, key)
        elif key == "accepts":
            kwargs[key] = _accepts(value, decimal_comma)
        elif key == "profile_csv":
            kwargs["profile_csv"], kwargs["profile_kw"] = _profile(
                value, base_dir, timezone, cache, raw.get("profile_options")
            )
        elif key == "profile_options":
            if "profile_csv" not in raw:
                raise InputError("only used with profile_csv", field=key)
        elif key == "ean":
            kwargs[key] = str(value).strip() if isinstance(value, int | str) else value
        elif key == "submitted":
            from netruimte.waitlist.requests import parse_instant

            kwargs[key] = parse_instant(value, field=key, timezone=timezone)
        elif key in _TEXT:
            if not isinstance(value, str):
                raise InputError(f"expected text, got {value!r}", field=key)
            kwargs[key] = value.strip()
    return Request(**kwargs)  # type: ignore[arg-type]


def load_requests_csv(
    path: str | Path,
    *,
    timezone: str = DEFAULT_TIMEZONE,
    profile_cache: ProfileCache | None = None,
) -> tuple[Request, ...]:
    """Read requests from a CSV file (columns = request keys; see the module docstring).

    Raises
    ------
    InputError
        Naming the file, line and column of the first problem.
    """
    path = Path(path)
    text = read_input_text(path)
    lines = text.splitlines()
    if not lines or not lines[0].strip():
        raise InputError("empty file: expected a header row with request keys", source=path, line=1)
    refused = {"blocks": BLOCKS_REFUSED}
    sep, header, rows = csv_table(lines, source=path, columns=REQUEST_KEYS, refused=refused)
    if len(set(header)) != len(header):
        raise InputError("duplicate column in the header", source=path, line=1)
    for col in REQUIRED_KEYS:
        if col not in header:
            raise InputError(f"missing required column {col!r}", source=path, line=1, field=col)
    cache: ProfileCache = profile_cache if profile_cache is not None else {}
    base = path.parent
    out: list[Request] = []
    seen: set[str] = set()
    for lineno, row in rows:
        raw = {  # text written by an export comes back as it was (see csv_safe_text)
            k: csv_unescape_text(v) for k, v in zip(header, row, strict=True) if v.strip() != ""
        }
        try:
            req = request_from_mapping(
                raw, base_dir=base, timezone=timezone, decimal_comma=sep == ";",
                profile_cache=cache,
            )  # fmt: skip
        except InputError as exc:
            if exc.source is not None and exc.source != str(path):
                raise  # a problem inside a referenced profile file names that file
            raise InputError(exc.message, source=path, line=lineno, field=exc.field) from None
        if req.id in seen:
            raise InputError(
                f"duplicate request id {req.id!r}", source=path, line=lineno, field="id"
            )
        seen.add(req.id)
        out.append(req)
    return tuple(out)
