"""What every API body shares: the checked scalar types (ISO dates, strict numbers, ids), the
base of request bodies (unknown fields and NUL characters refused), the error answer, and
:func:`model_of` for answers that are a use case's view as it stands (with :func:`list_of`)."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
import types
from collections.abc import Mapping
from typing import Annotated, Any, Literal, get_type_hints

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    WithJsonSchema,
    create_model,
    model_validator,
)

__all__ = [
    "DAY_PATTERN",
    "INSTANT_PATTERN",
    "MAX_MW",
    "MW",
    "UNSET",
    "Category",
    "Contract",
    "Day",
    "Direction",
    "ErrorOut",
    "FitName",
    "Flag",
    "IdStr",
    "Instant",
    "MeOut",
    "Num",
    "PolicyName",
    "Whole",
    "list_of",
    "model_of",
]

IdStr = Annotated[
    str,
    StringConstraints(min_length=1, max_length=100, pattern=r"^[A-Za-z0-9][A-Za-z0-9._:@+-]*$"),
]
Direction = Literal["offtake", "feed-in"]
Contract = Literal["firm", "time-block", "tdtr", "non-firm"]
Category = Literal["none", "congestion-reliever", "safety", "basic-needs"]
PolicyName = Literal["fcfs", "acm-2024", "acm-2026", "in-force"]
FitName = Literal["first-fit", "strict"]
DAY_PATTERN = r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])$"
"""A date from 1900-01-01 to 2200-12-31 in ISO form (the calendar is checked as well)."""

INSTANT_PATTERN = (
    r"^(19[0-9]{2}|2[01][0-9]{2}|2200)-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    r"[Tt ]([01][0-9]|2[0-3]):[0-5][0-9](:[0-5][0-9](\.[0-9]{1,6})?)?"
    r"([Zz]|[+-]([01][0-9]|2[0-3]):?[0-5][0-9])?$"
)
"""An instant in ISO 8601 from the year 1900 to 2200 (no zone: the register's)."""


def _iso_day(value: Any) -> Any:
    """Only ISO text (or a date) is a date: no Unix timestamps such as ``on=0``."""
    if isinstance(value, dt.date) and not isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(DAY_PATTERN, value):
        raise ValueError("expected a date from 1900-01-01 to 2200-12-31 such as 2026-07-01")
    return value


def _iso_instant(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value
    if not isinstance(value, str) or not re.fullmatch(INSTANT_PATTERN, value):
        raise ValueError(
            "expected an ISO 8601 time from the year 1900 to 2200 such as 2026-07-01T09:00+02:00"
        )
    return value


Day = Annotated[
    dt.date,
    BeforeValidator(_iso_day),
    WithJsonSchema({"type": "string", "format": "date", "pattern": DAY_PATTERN}),
]
"""A date in requests: ISO text from 1900-01-01 to 2200-12-31, as the schema says."""

Instant = Annotated[
    dt.datetime,
    BeforeValidator(_iso_instant),
    WithJsonSchema({"type": "string", "format": "date-time", "pattern": INSTANT_PATTERN}),
]
"""An instant in requests: ISO 8601 text from the year 1900 to 2200."""

Num = Annotated[float, Field(strict=True)]
"""A JSON number: true/false and text are refused (strict), integers are fine."""

Whole = Annotated[int, Field(strict=True)]
"""A JSON integer: true/false, text and fractions are refused."""

Flag = Annotated[bool, Field(strict=True)]
"""A JSON true or false: 0, 1 and text are refused."""

MW = Annotated[float, Field(strict=True, ge=0, le=1e6, allow_inf_nan=False)]


MAX_MW = 1e6
"""Largest MW figure accepted (1 TW): keeps every sum finite."""


UNSET: Any = None
"""The default of a patch field that may be left out but not set to null: its type has no null
(so the schema and the validation refuse ``null``), and a field left out is not in
``model_dump(exclude_unset=True)``. Typed ``Any`` so that the field keeps its own type."""


def _reject_nul(value: Any, where: str) -> None:
    if isinstance(value, str) and "\x00" in value:
        raise ValueError(f"{where or 'value'}: text must not contain NUL characters")
    if isinstance(value, dict):
        for k, v in value.items():
            _reject_nul(v, f"{where}.{k}" if where else str(k))
    elif isinstance(value, list):
        for v in value:
            _reject_nul(v, where)


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _no_nul(cls, data: Any) -> Any:
        _reject_nul(data, "")
        return data


class ErrorOut(BaseModel):
    """Every error answer: what went wrong and, for bad input, which field."""

    error: str = Field(description="kind: input | not-found | forbidden | unauthorized | …")
    message: str
    field: str | None = None
    source: str | None = None
    line: int | None = None


class MeOut(BaseModel):
    """The caller."""

    name: str
    role: Literal["operator", "applicant"]


def model_of(
    view: type, name: str, doc: str, *, described: Mapping[str, str] | None = None
) -> type[BaseModel]:
    """The answer model of a use case's view (a TypedDict or a dataclass): its fields, in its
    order and with its types, all required, so that the view and its published schema are one
    list of fields. ``described`` adds a description to some fields (for the OpenAPI page)."""
    hints = get_type_hints(view)
    names = [f.name for f in dataclasses.fields(view)] if dataclasses.is_dataclass(view) else hints
    described = described or {}
    fields: dict[str, Any] = {
        field: (hints[field], Field(description=described[field]) if field in described else ...)
        for field in names
    }
    return create_model(name, __doc__=doc, **fields)


def list_of(model: type[BaseModel]) -> Any:
    """``list[model]`` for a model made by :func:`model_of` (a value to the type checker, so
    ``list[...]`` cannot be written of it)."""
    return types.GenericAlias(list, (model,))
