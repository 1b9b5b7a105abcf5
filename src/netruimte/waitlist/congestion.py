"""Congestion management in the waiting list: contracts that create room, relief credits.

A congestion-management contract with an existing user (capacity-limiting contract CBC-T in
fixed daily windows, CBC-A on call, or a capacity-steering contract CSC) adds offtake headroom
from its ``start`` until its ``until`` (a date, or a reinforcement id: it ends at the first
moment that reinforcement counts, delayed or not). The headroom counts at the contract's
station and at every node above it: the contracted user's lower offtake lowers the flow
through every node on its path. Readings and sources: ``docs/congestion-management.md``.

In peak mode a contract adds its MW. In profile mode CBC-A and CSC add their MW in every
quarter-hour (the operator calls them when needed); a CBC-T adds its MW only inside its
daily windows at nodes with a load profile (at nodes without one it adds its MW, as in peak
mode: the windows are taken to cover the peak).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from enum import StrEnum

import numpy as np

from netruimte.conventions import FloatArray
from netruimte.errors import InputError
from netruimte.grid.representative import block_mask, parse_window
from netruimte.waitlist.requests import named_at_station

__all__ = ["DEFAULT_RELIEF_CREDIT", "CongestionContract", "ContractKind", "ContractOutcome"]

DEFAULT_RELIEF_CREDIT = 0.5
"""Share of a granted reliever's ``relief_kw`` counted as headroom for others (assumption)."""

MAX_CONTRACT_MW = 10_000.0


class ContractKind(StrEnum):
    """The three congestion-management products a scenario can name."""

    CBC_T = "cbc-t"
    CBC_A = "cbc-a"
    CSC = "csc"


@dataclass(frozen=True)
class CongestionContract:
    """One ``[[congestion_contract]]``.

    Parameters
    ----------
    id
        Unique name.
    station
        Station where the contracted user is connected.
    kind
        ``cbc-t`` (fixed daily windows), ``cbc-a`` (on call) or ``csc`` (capacity steering).
    mw
        Offtake headroom the contract creates (MW, > 0).
    start
        First day it counts (from the first moment on or after it).
    until
        A date (it stops counting from the first moment on or after it) or a reinforcement id
        (it stops when that reinforcement counts).
    windows
        CBC-T only: the daily windows ``"HH:MM-HH:MM"`` in which the user limits its offtake.
    eur_per_mw_year
        What the operator pays (EUR per MW per year, >= 0).
    """

    id: str
    station: str
    kind: ContractKind
    mw: float
    start: dt.date
    until: dt.date | str
    windows: tuple[str, ...] = ()
    eur_per_mw_year: float = 0.0

    def __post_init__(self) -> None:
        where = named_at_station("congestion contract", self.id, self.station)
        try:
            kind = ContractKind(self.kind)
        except ValueError:
            raise InputError(
                f"{where}: unknown kind {self.kind!r}; expected one of "
                f"{', '.join(k.value for k in ContractKind)}",
                field="kind",
            ) from None
        object.__setattr__(self, "kind", kind)
        for name, low in (("mw", 0.0), ("eur_per_mw_year", 0.0)):
            value = getattr(self, name)
            if (
                isinstance(value, bool)
                or not isinstance(value, int | float)
                or not math.isfinite(value)
                or value < low
                or (name == "mw" and not 0 < value <= MAX_CONTRACT_MW)
            ):
                bound = f"> 0 and <= {MAX_CONTRACT_MW:g}" if name == "mw" else ">= 0"
                raise InputError(f"{where}: {name} must be a number {bound}", field=name)
            object.__setattr__(self, name, float(value))
        if not isinstance(self.start, dt.date) or isinstance(self.start, dt.datetime):
            raise InputError(f"{where}: start must be a date", field="start")
        until = self.until
        if isinstance(until, dt.datetime) or not isinstance(until, dt.date | str):
            raise InputError(f"{where}: until must be a date or a reinforcement id", field="until")
        if isinstance(until, dt.date) and until <= self.start:
            raise InputError(f"{where}: until {until} must be after start", field="until")
        if isinstance(until, str) and not until.strip():
            raise InputError(f"{where}: until must not be empty", field="until")
        windows = tuple(self.windows)
        if kind is ContractKind.CBC_T:
            if not windows:
                raise InputError(
                    f"{where}: a cbc-t contract needs windows ['HH:MM-HH:MM', ...]",
                    field="windows",
                )
            for w in windows:
                parse_window(w, field="windows")
        elif windows:
            raise InputError(
                f"{where}: windows are only for kind 'cbc-t' (cbc-a and csc act all day)",
                field="windows",
            )
        object.__setattr__(self, "windows", windows)

    def cost_eur(self, years: float) -> float:
        """Cost over ``years`` active: MW × EUR/MW/year × years."""
        return self.mw * self.eur_per_mw_year * years


@dataclass(frozen=True, slots=True)
class ContractOutcome:
    """What one contract did in a run.

    ``granted_with`` are the requests granted or offered room at a moment while the contract
    counted, at a station on or below the contract's station, when the room left at the end of
    that moment at some node of the contract's path was less than the contract's MW (without
    it, that moment's grants there would not all have fitted). ``years_active`` runs from the
    first moment it counts to the moment it stops (or the scenario's end).
    """

    id: str
    station: str
    kind: ContractKind
    mw: float
    counts_from: dt.date | None
    counts_until: dt.date | None
    active_moments: int
    years_active: float
    cost_eur: float
    granted_with: tuple[str, ...]
    granted_with_kw: float

    def to_json_dict(self) -> dict[str, object]:
        """The ``congestion_contracts`` entry of the Result JSON."""
        return {
            "id": self.id,
            "station": self.station,
            "kind": self.kind.value,
            "mw": self.mw,
            "counts_from": None if self.counts_from is None else self.counts_from.isoformat(),
            "counts_until": None if self.counts_until is None else self.counts_until.isoformat(),
            "active_moments": self.active_moments,
            "room_mw_years": round(self.mw * self.years_active, 6),
            "years_active": round(self.years_active, 6),
            "cost_eur": round(self.cost_eur, 2),
            "granted_with": list(self.granted_with),
            "granted_with_kw": round(self.granted_with_kw, 3),
        }


def window_outside_mask(windows: tuple[str, ...], steps: int) -> FloatArray:
    """1.0 in quarter-hours outside every window, 0.0 inside (length ``steps``)."""
    return (~block_mask(list(windows), steps, field="windows")).astype(np.float64)
