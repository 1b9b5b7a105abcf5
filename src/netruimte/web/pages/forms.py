"""Reading query parameters and form fields with the errors a person can act on."""

from __future__ import annotations

import datetime as dt
import math
from typing import Annotated

from fastapi import Query

from netruimte.errors import InputError

__all__ = ["OnText", "Param", "parse_day", "parse_float", "parse_int", "text_field"]

Param = Annotated[str | None, Query(max_length=100)]
"""A page's query parameter as text (at most 100 characters): the page reads it with the
``parse_*`` functions here, so a bad value gets an error a person can act on."""

OnText = Annotated[str | None, Query(max_length=40)]
"""A page's ``on`` date (``YYYY-MM-DD``) as text, read the same way."""


def parse_day(value: str | None, field: str) -> dt.date | None:
    """A date ``YYYY-MM-DD`` (None when empty)."""
    if value is None or value.strip() == "":
        return None
    try:
        return dt.date.fromisoformat(value.strip())
    except ValueError:
        raise InputError(f"expected a date YYYY-MM-DD, got {value!r}", field=field) from None


def parse_int(value: str | None, field: str, default: int, low: int, high: int) -> int:
    """A whole number in ``[low, high]`` (``default`` when empty)."""
    if value is None or value.strip() == "":
        return default
    try:
        number = int(value.strip())
    except ValueError:
        raise InputError(f"expected a whole number, got {value!r}", field=field) from None
    if not low <= number <= high:
        raise InputError(f"expected a number from {low} to {high}, got {number}", field=field)
    return number


def parse_float(
    value: str | None, field: str, *, low: float = 0.0, high: float = 1e7
) -> float | None:
    """A number in ``[low, high]`` (None when empty); a decimal comma is accepted."""
    if value is None or value.strip() == "":
        return None
    text = value.strip().replace(",", ".")
    try:
        number = float(text)
    except ValueError:
        raise InputError(f"expected a number, got {value!r}", field=field) from None
    if not math.isfinite(number) or not low <= number <= high:
        raise InputError(f"expected a number from {low:g} to {high:g}, got {value!r}", field=field)
    return number


def text_field(value: str | None, field: str, *, max_length: int = 300) -> str | None:
    """A short line of text without control characters (None when empty)."""
    if value is None or value.strip() == "":
        return None
    text = value.strip()
    if len(text) > max_length:
        raise InputError(f"at most {max_length} characters", field=field)
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in text):
        raise InputError("no control characters, please", field=field)
    return text
