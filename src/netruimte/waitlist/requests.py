"""Connection requests on the waiting list: fields, enums and validation.

A request asks for ``kw`` of transport capacity at one station, in one direction, from the
moment it was ``submitted``. Its lifecycle is ``waiting → granted`` or ``waiting → withdrawn``.
Every field of the interface contract (DESIGN.md, waiting-list scenario) is here, plus the
extensions documented in ``docs/scenario-file.md``: ``ean``, ``needed`` (housing reservations),
``capacity_blocks`` and ``restricted_kw`` (alternative transport rights), ``accepts`` (the
alternatives it would take), ``accept_partial``, ``connection_kv`` and ``used_kw`` (use it or
lose it), ``withdraw_per_year`` and ``withdrawn``.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum
from typing import TypeVar
from zoneinfo import ZoneInfo

import numpy as np

from netruimte.conventions import DEFAULT_TIMEZONE, MAX_KW, FloatArray
from netruimte.errors import InputError
from netruimte.grid.model import Direction
from netruimte.grid.representative import parse_window

__all__ = [
    "BLOCKS_REFUSED",
    "FUNCTIONS",
    "HOUSING_FUNCTIONS",
    "RESERVATIONS_FROM",
    "RESERVATION_HORIZON_YEARS",
    "Alternative",
    "Category",
    "Contract",
    "Request",
    "Status",
    "coerce_enum",
    "named_at_station",
    "parse_instant",
]


class Category(StrEnum):
    """Priority category asked for (and, after eligibility checks, ranked in)."""

    NONE = "none"
    CONGESTION_RELIEVER = "congestion-reliever"
    SAFETY = "safety"
    BASIC_NEEDS = "basic-needs"

    @property
    def number(self) -> int:
        """The framework's category number: 1, 2, 3, or 4 for "all others"."""
        return {"congestion-reliever": 1, "safety": 2, "basic-needs": 3, "none": 4}[self.value]

    @property
    def label(self) -> str:
        """Plain words for explanations."""
        return {
            "none": "no priority",
            "congestion-reliever": "congestion reliever",
            "safety": "safety",
            "basic-needs": "basic needs",
        }[self.value]


class Contract(StrEnum):
    """Transport right asked for (Netcode art. 7.1, docs/sources.md [transport-rights])."""

    FIRM = "firm"
    TIME_BLOCK = "time-block"
    TDTR = "tdtr"
    NON_FIRM = "non-firm"


class Status(StrEnum):
    """Where a request is in its lifecycle."""

    WAITING = "waiting"
    GRANTED = "granted"
    WITHDRAWN = "withdrawn"


FUNCTIONS: dict[str, str] = {
    # category 2 functions (2024 list and the 2026 additions)
    "defence": "defence",
    "police": "police",
    "acute-care": "acute health care",
    "fire-services": "fire and emergency services",
    "emergency-services": "emergency services",
    "drinking-water": "drinking water",
    "customs": "customs",
    "waste-collection": "waste collection",
    "grid-operator": "grid operator",
    "telecom": "telecommunications",
    "traffic-safety": "traffic safety",
    "sensitive-technology": "sensitive technology",
    # category 3 functions
    "education": "education",
    "housing": "housing",
    "collective-housing": "collective housing",
    "household": "heavier household connection",
    "health-care": "non-acute health care",
    "public-transport": "public transport",
    # no priority (named so that explanations can say why)
    "general-practitioner": "general practitioner",
    "transport": "transport sector",
    "data-centre": "data centre",
    "congestion-relief": "congestion relief (storage, flexibility)",
    "storage": "energy storage",
    "business": "business",
    "industry": "industry",
    "office": "office",
    "retail": "retail",
    "logistics": "logistics",
    "agriculture": "agriculture",
    "horticulture": "horticulture",
    "ev-charging": "EV charging",
    "generation": "generation",
    "solar": "solar generation",
    "wind": "wind generation",
    "other": "other",
}
"""Known functions (key = the value in a scenario, value = plain words)."""

BLOCKS_REFUSED = (
    "the key 'blocks' is no longer accepted: it listed the windows in which a time-block right "
    "was restricted, but the legal form of a time-block right gives the full kW inside agreed "
    "blocks. Rewrite it as 'capacity_blocks' = the windows with the full kW and 'restricted_kw' "
    '= the level outside them; e.g. blocks = ["16:00-20:00"] becomes capacity_blocks = '
    '["20:00-16:00"]'
)
"""The message for the v1 key ``blocks`` (refused everywhere a request is read)."""

HOUSING_FUNCTIONS = frozenset({"housing", "collective-housing"})
RESERVATIONS_FROM = dt.date(2026, 10, 1)
"""Municipalities may reserve capacity for housing from this date (docs/sources.md
[enexis-2026-03])."""
RESERVATION_HORIZON_YEARS = 10

E = TypeVar("E", bound=StrEnum)


def coerce_enum(kind: type[E], value: object, *, field: str, where: str = "") -> E:
    """Turn a string into a member of ``kind``, or raise InputError listing the choices."""
    if isinstance(value, kind):
        return value
    if isinstance(value, str):
        try:
            return kind(value.strip())
        except ValueError:
            pass
    choices = " | ".join(m.value for m in kind)
    prefix = f"{where}: " if where else ""
    raise InputError(f"{prefix}unknown {field} {value!r}; expected {choices}", field=field)


def parse_instant(value: object, *, field: str, timezone: str = DEFAULT_TIMEZONE) -> dt.datetime:
    """An aware datetime from a datetime, a date (local midnight) or an ISO 8601 string.

    Naive values are local wall time in ``timezone``.
    """
    zone = ZoneInfo(timezone)
    if isinstance(value, str):
        text = value.strip()
        try:
            value = dt.datetime.fromisoformat(text)
        except ValueError:
            raise InputError(
                f"expected an ISO 8601 date or date-time such as '2023-04-03T09:00:00+02:00', "
                f"got {text!r}",
                field=field,
            ) from None
    if isinstance(value, dt.datetime):
        return value if value.tzinfo is not None else value.replace(tzinfo=zone)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day, tzinfo=zone)
    raise InputError(f"expected a date or date-time, got {value!r}", field=field)


def _add_years(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def named_at_station(what: str, id_: object, station: object) -> str:
    """Check the ``id`` and ``station`` of a ``what`` (a request, a congestion contract) and
    return how messages name it (``request 'r1'``).

    Raises
    ------
    InputError
        An id or station that is not a non-empty string.
    """
    if not isinstance(id_, str) or not id_.strip():
        raise InputError(f"a {what} needs a non-empty string id", field="id")
    where = f"{what} {id_!r}"
    if not isinstance(station, str) or not station.strip():
        raise InputError(f"{where}: station must be a station id", field="station")
    return where


def _real(value: object, name: str, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise InputError(f"{where}: expected a finite number, got {value!r}", field=name)
    return float(value)


@dataclass(frozen=True, slots=True)
class Alternative:
    """A transport right a request would also take when its own does not fit (``accepts``).

    ``contract`` is ``time-block``, ``tdtr`` or ``non-firm``; ``capacity_blocks`` (time-block
    only; None = the default blocks) and ``restricted_kw`` (time-block and TDTR) as on a
    request.
    """

    contract: Contract
    capacity_blocks: tuple[str, ...] | None = None
    restricted_kw: float = 0.0

    def __post_init__(self) -> None:
        contract = coerce_enum(Contract, self.contract, field="accepts.contract")
        if contract is Contract.FIRM:
            raise InputError(
                "accepts lists alternatives to a firm right: time-block, tdtr or non-firm, "
                "not firm",
                field="accepts.contract",
            )
        object.__setattr__(self, "contract", contract)
        if self.capacity_blocks is not None:
            if contract is not Contract.TIME_BLOCK:
                raise InputError(
                    "accepts: capacity_blocks are only for contract 'time-block'",
                    field="accepts.capacity_blocks",
                )
            object.__setattr__(
                self,
                "capacity_blocks",
                _check_blocks(self.capacity_blocks, "accepts", "accepts.capacity_blocks"),
            )
        restricted = _real(self.restricted_kw, "accepts.restricted_kw", "accepts")
        if restricted < 0:
            raise InputError("accepts: restricted_kw must be >= 0", field="accepts.restricted_kw")
        object.__setattr__(self, "restricted_kw", restricted)


def _check_blocks(blocks: object, where: str, name: str) -> tuple[str, ...]:
    if isinstance(blocks, str) or not isinstance(blocks, tuple | list):
        raise InputError(
            f'{where}: {name} must be a list of windows such as ["22:00-06:00"]', field=name
        )
    out = tuple(blocks)
    if not out:
        raise InputError(f"{where}: {name} must name at least one window", field=name)
    for text in out:
        parse_window(text, field=name)
    return out


@dataclass(frozen=True, slots=True)
class Request:
    """One connection request (all fields of the contract plus documented extensions).

    Parameters
    ----------
    id, station, kw, submitted
        Identifier, station id, requested capacity (kW, > 0) and submission instant (aware;
        a date means local midnight).
    direction
        ``offtake`` or ``feed-in``.
    applicant
        Display name.
    category
        Priority asked for: ``none``, ``congestion-reliever``, ``safety``, ``basic-needs``.
    function
        Declared function (one of :data:`FUNCTIONS`), shown in explanations.
    evidence
        Evidence for category 2/3 given (table 4 of the 2026 decision).
    contract
        Transport right: ``firm``, ``time-block``, ``tdtr``, ``non-firm``.
    small_consumer
        Connection ≤ 3×80 A.
    contract_signed, score
        Congestion relievers: a signed contract and the operator's efficiency score (higher
        ranks first under ``acm-2026``).
    profile_kw, profile_csv
        Optional expected profile over the representative year (kW) and the file it came from.
    ean
        Optional EAN-18 of the connection point (validated).
    needed
        Housing reservations only: the date the capacity is needed (≤ 10 years after
        submission; filed from 2026-10-01).
    capacity_blocks
        Time-block right: the daily windows (``"HH:MM-HH:MM"``, local time) in which the full
        ``kw`` is available (the legal form: "vaste tijdblokken waar een klant volledige
        capaciteit krijgt"); outside them the right is held to ``restricted_kw``. None means
        the default blocks.
    restricted_kw
        Level a time-block right is held to outside its blocks, or a TDTR right while
        restricted (default 0).
    accept_partial
        Whether the applicant takes a partial offer (part of ``kw`` now, the rest keeps its
        place in the queue); default true.
    connection_kv
        Voltage of the connection (kV), for the use-it-or-lose-it threshold; None means the
        station's ``connection_kv``.
    accepts
        Alternative rights the applicant would take when its own does not fit, in order of
        preference (:class:`Alternative`).
    used_kw
        Peak actually used after connection (use it or lose it); None means ``kw``, or the
        profile's peak when a profile is given.
    withdraw_per_year
        Probability that the request is withdrawn within a year of waiting (Monte Carlo).
    withdrawn
        Date the applicant withdraws (if still waiting then).
    relief_kw
        Congestion reliever (category ``congestion-reliever``, offtake): kW it can deliver at
        the station's peak. Granted, its charging is steered (it takes room only where the
        station has it) and ``relief_credit × relief_kw`` becomes headroom for others
        (``docs/congestion-management.md``).
    """

    id: str
    station: str
    kw: float
    submitted: dt.datetime
    direction: Direction = Direction.OFFTAKE
    applicant: str = ""
    category: Category = Category.NONE
    function: str | None = None
    evidence: bool = False
    contract: Contract = Contract.FIRM
    small_consumer: bool = False
    contract_signed: bool = False
    score: float | None = None
    profile_kw: FloatArray | None = field(default=None, compare=False, repr=False)
    profile_csv: str | None = None
    ean: str | None = None
    needed: dt.date | None = None
    capacity_blocks: tuple[str, ...] | None = None
    restricted_kw: float = 0.0
    accept_partial: bool = True
    connection_kv: float | None = None
    accepts: tuple[Alternative, ...] = ()
    used_kw: float | None = None
    withdraw_per_year: float | None = None
    withdrawn: dt.date | None = None
    relief_kw: float = 0.0

    def __post_init__(self) -> None:
        where = named_at_station("request", self.id, self.station)
        kw = _real(self.kw, "kw", where)
        if not 0 < kw <= MAX_KW:
            raise InputError(f"{where}: kw must be > 0 and <= {MAX_KW:g}, got {kw:g}", field="kw")
        object.__setattr__(self, "kw", kw)
        object.__setattr__(self, "submitted", parse_instant(self.submitted, field="submitted"))
        object.__setattr__(
            self,
            "direction",
            coerce_enum(Direction, self.direction, field="direction", where=where),
        )
        object.__setattr__(
            self, "category", coerce_enum(Category, self.category, field="category", where=where)
        )
        object.__setattr__(
            self, "contract", coerce_enum(Contract, self.contract, field="contract", where=where)
        )
        for flag in ("evidence", "small_consumer", "contract_signed", "accept_partial"):
            if not isinstance(getattr(self, flag), bool):
                raise InputError(
                    f"{where}: {flag} must be true or false, got {getattr(self, flag)!r}",
                    field=flag,
                )
        if self.function is not None and self.function not in FUNCTIONS:
            raise InputError(
                f"{where}: unknown function {self.function!r}; expected one of "
                f"{', '.join(FUNCTIONS)}",
                field="function",
            )
        if self.score is not None:
            object.__setattr__(self, "score", _real(self.score, "score", where))
        if self.profile_kw is not None:
            prof = np.array(self.profile_kw, dtype=np.float64)
            if prof.ndim != 1 or prof.size == 0 or prof.size % 96:
                raise InputError(
                    f"{where}: a request profile needs whole days of 96 quarter-hours",
                    field="profile_csv",
                )
            if not np.all(np.isfinite(prof)) or np.any(prof < 0):
                raise InputError(
                    f"{where}: profile values must be finite and >= 0 kW", field="profile_csv"
                )
            prof.setflags(write=False)
            object.__setattr__(self, "profile_kw", prof)
        if self.ean is not None:
            from netruimte.profiles.ean import validate_ean18

            object.__setattr__(self, "ean", validate_ean18(self.ean, field="ean"))
        self._check_needed(where)
        if self.capacity_blocks is not None:
            if self.contract is not Contract.TIME_BLOCK:
                raise InputError(
                    f"{where}: capacity_blocks are only for contract 'time-block'",
                    field="capacity_blocks",
                )
            object.__setattr__(
                self,
                "capacity_blocks",
                _check_blocks(self.capacity_blocks, where, "capacity_blocks"),
            )
        if self.connection_kv is not None:
            kv = _real(self.connection_kv, "connection_kv", where)
            if kv <= 0:
                raise InputError(f"{where}: connection_kv must be > 0", field="connection_kv")
            object.__setattr__(self, "connection_kv", kv)
        accepts = tuple(
            a if isinstance(a, Alternative) else Alternative(contract=a)  # a bare contract name
            for a in self.accepts
        )
        for a in accepts:
            if a.contract is self.contract:
                raise InputError(
                    f"{where}: accepts lists {a.contract.value!r}, its own contract",
                    field="accepts",
                )
            if a.restricted_kw > kw:
                raise InputError(
                    f"{where}: accepts {a.contract.value} restricted_kw must be at most kw "
                    f"({kw:g})",
                    field="accepts.restricted_kw",
                )
        if len({a.contract for a in accepts}) != len(accepts):
            raise InputError(f"{where}: accepts names a contract twice", field="accepts")
        object.__setattr__(self, "accepts", accepts)
        for name in ("restricted_kw", "used_kw"):
            value = getattr(self, name)
            if value is None and name == "used_kw":
                continue  # used_kw is optional; restricted_kw is a number (0 by default)
            part = _real(value, name, where)
            if not 0 <= part <= kw:
                raise InputError(f"{where}: {name} must be between 0 and kw ({kw:g})", field=name)
            object.__setattr__(self, name, part)
        if self.withdraw_per_year is not None:
            p = _real(self.withdraw_per_year, "withdraw_per_year", where)
            if not 0 <= p < 1:
                raise InputError(
                    f"{where}: withdraw_per_year must be in [0, 1), got {p:g}",
                    field="withdraw_per_year",
                )
        relief = _real(self.relief_kw, "relief_kw", where)
        if relief < 0:
            raise InputError(f"{where}: relief_kw must be >= 0 kW", field="relief_kw")
        if relief > 0 and self.category is not Category.CONGESTION_RELIEVER:
            raise InputError(
                f"{where}: relief_kw is only for category 'congestion-reliever'",
                field="relief_kw",
            )
        if relief > 0 and self.direction is not Direction.OFFTAKE:
            raise InputError(
                f"{where}: relief_kw needs direction 'offtake' (its charging is steered)",
                field="relief_kw",
            )
        if relief > 0 and self.small_consumer:
            raise InputError(
                f"{where}: relief_kw is not for small consumers (they are connected from "
                "reserved room, not under a congestion-management contract)",
                field="relief_kw",
            )
        object.__setattr__(self, "relief_kw", relief)
        if self.withdrawn is not None:
            if not isinstance(self.withdrawn, dt.date) or isinstance(self.withdrawn, dt.datetime):
                raise InputError(f"{where}: withdrawn must be a date", field="withdrawn")
            if self.withdrawn < self.submitted.date():
                raise InputError(
                    f"{where}: withdrawn {self.withdrawn} is before submission", field="withdrawn"
                )

    def _check_needed(self, where: str) -> None:
        if self.needed is None:
            return
        if not isinstance(self.needed, dt.date) or isinstance(self.needed, dt.datetime):
            raise InputError(f"{where}: needed must be a date", field="needed")
        if self.function not in HOUSING_FUNCTIONS:
            raise InputError(
                f"{where}: a 'needed' date (capacity reservation) is only for function "
                f"'housing' or 'collective-housing', got {self.function!r}",
                field="needed",
            )
        filed = self.submitted.date()
        if filed < RESERVATIONS_FROM:
            raise InputError(
                f"{where}: housing reservations can be filed from {RESERVATIONS_FROM}, this one "
                f"was submitted {filed}",
                field="needed",
            )
        if self.needed < filed:
            raise InputError(
                f"{where}: needed {self.needed} is before submission {filed}", field="needed"
            )
        if self.needed > _add_years(filed, RESERVATION_HORIZON_YEARS):
            raise InputError(
                f"{where}: needed {self.needed} is more than {RESERVATION_HORIZON_YEARS} years "
                f"after submission {filed}",
                field="needed",
            )

    @property
    def mw(self) -> float:
        """Requested capacity in MW."""
        return self.kw / 1000.0

    @property
    def is_reservation(self) -> bool:
        """A municipality's housing reservation (has a ``needed`` date)."""
        return self.needed is not None
