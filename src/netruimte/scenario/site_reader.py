"""Reading a site or hub TOML: typed access with errors that name the file and the key, and
the daily windows (``"HH:MM-HH:MM"``) of restrictions and flexible loads.

Shared by :mod:`netruimte.scenario.site_toml` and :mod:`netruimte.scenario.hub_toml`.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from pathlib import Path
from typing import Any, Final

from netruimte.errors import InputError
from netruimte.planner.site import DailyWindow

__all__ = ["TomlReader", "kind_of", "parse_window", "wrap_error"]

_WINDOW: Final = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


class TomlReader:
    """Typed access to the parsed TOML with errors that name the file and the key."""

    def __init__(self, source: Path) -> None:
        self.source = source

    def fail(self, key: str, message: str) -> InputError:
        return InputError(message, source=self.source, field=key)

    def table(self, parent: dict[str, Any], name: str, key: str) -> dict[str, Any] | None:
        value = parent.get(name)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.fail(key, f"expected a table [{key}], got {kind_of(value)}")
        return value

    def keys(self, table: dict[str, Any], allowed: set[str], prefix: str) -> None:
        for name in table:
            if name not in allowed:
                raise self.fail(
                    f"{prefix}.{name}",
                    f"unknown key; expected one of {', '.join(sorted(allowed))}",
                )

    def number(
        self,
        table: dict[str, Any],
        name: str,
        key: str,
        default: float | None = None,
        *,
        low: float | None = None,
        high: float | None = None,
        open_low: bool = False,
        open_high: bool = False,
    ) -> float:
        value = table.get(name)
        if value is None:
            if default is None:
                raise self.fail(key, f"missing: expected {_range(low, high, open_low, open_high)}")
            return default
        if isinstance(value, bool) or not isinstance(value, int | float):
            got = f"{kind_of(value)} {value!r}"
            raise self.fail(key, f"expected {_range(low, high, open_low, open_high)}, got {got}")
        number = float(value)
        ok = math.isfinite(number)
        if low is not None:
            ok = ok and (number > low if open_low else number >= low)
        if high is not None:
            ok = ok and (number < high if open_high else number <= high)
        if not ok:
            raise self.fail(
                key, f"expected {_range(low, high, open_low, open_high)}, got {value!r}"
            )
        return number

    def string(self, table: dict[str, Any], name: str, key: str, default: str | None = None) -> str:
        value = table.get(name)
        if value is None:
            if default is None:
                raise self.fail(key, "missing: expected a string")
            return default
        if not isinstance(value, str) or not value.strip():
            raise self.fail(key, f"expected a non-empty string, got {kind_of(value)} {value!r}")
        return value

    def path(self, table: dict[str, Any], name: str, key: str) -> Path:
        text = self.string(table, name, key)
        path = Path(text)
        path = path if path.is_absolute() else self.source.parent / path
        if path.is_dir():
            raise self.fail(key, f"{text!r} is a folder; expected a CSV file")
        return path

    def window(self, text: Any, key: str) -> DailyWindow:
        if not isinstance(text, str):
            raise self.fail(key, f"expected a window 'HH:MM-HH:MM', got {kind_of(text)} {text!r}")
        try:
            return parse_window(text)
        except ValueError as exc:
            raise self.fail(key, str(exc)) from None


def kind_of(value: Any) -> str:
    """What a TOML value is, for an error message (``a number``, ``a table``, ...)."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _range(low: float | None, high: float | None, open_low: bool, open_high: bool) -> str:
    if low is not None and high is not None:
        left, right = "(" if open_low else "[", ")" if open_high else "]"
        return f"a number in {left}{low:g}, {high:g}{right}"
    if low is not None:
        return f"a number {'>' if open_low else '>='} {low:g}"
    if high is not None:
        return f"a number {'<' if open_high else '<='} {high:g}"
    return "a number"


def parse_window(text: str) -> DailyWindow:
    """Parse ``"HH:MM-HH:MM"`` (local time, quarter-hours; ``24:00`` allowed as the end).

    An end at or before the start wraps past midnight; equal start and end is the whole day.
    """
    match = _WINDOW.match(text)
    if not match:
        raise ValueError(f"expected a window 'HH:MM-HH:MM' such as '19:00-07:00', got {text!r}")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    for hour, minute, end in ((h1, m1, False), (h2, m2, True)):
        if minute % 15 or minute > 45 or hour > 24 or (hour == 24 and (minute or not end)):
            raise ValueError(
                f"expected quarter-hour times 00:00..23:45 (24:00 only as the end), got {text!r}"
            )
    return DailyWindow(dt.time(h1, m1), dt.time(h2 % 24, m2))


def wrap_error(exc: InputError, r: TomlReader, key: str) -> InputError:
    """Re-raise a profiles error with the site file and key it came from."""
    if exc.source is not None:  # a CSV problem: keep the CSV's file and line
        return InputError(
            f"{exc.message} (read for key {key!r} of {r.source})",
            source=exc.source,
            line=exc.line,
            field=exc.field,
        )
    return InputError(exc.message, source=r.source, field=key)
