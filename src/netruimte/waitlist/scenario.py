"""A waiting-list scenario: the grid, the requests and the options of one simulation."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from enum import StrEnum

from netruimte.conventions import DEFAULT_TIMEZONE
from netruimte.errors import InputError
from netruimte.grid.model import Grid, monthly_moments
from netruimte.waitlist.congestion import DEFAULT_RELIEF_CREDIT, CongestionContract
from netruimte.waitlist.requests import Request, coerce_enum
from netruimte.waitlist.rules import Policy

__all__ = ["CapacityMode", "Fit", "Scenario", "UseItOrLoseIt"]


class Fit(StrEnum):
    """How the walk treats a request that does not fit (DESIGN.md, allocation semantics)."""

    FIRST_FIT = "first-fit"
    STRICT = "strict"


class CapacityMode(StrEnum):
    """Peak headroom (the v1 contract) or quarter-hour headroom from load profiles."""

    PEAK = "peak"
    PROFILE = "profile"


@dataclass(frozen=True)
class UseItOrLoseIt:
    """Release of unused firm capacity (Netcode art. 7.13; opt-in).

    A granted firm request whose ``used_kw`` is at most ``max_used_share`` of its ``kw``, or
    leaves at least ``unused_mw_below_110kv`` (stations below 110 kV) or
    ``unused_mw_from_110kv`` (110 kV and above) unused, has its contract lowered to
    ``used_kw`` ``after_months`` after the grant. Small consumers are exempt (MV/HV only).
    """

    after_months: int = 12
    max_used_share: float = 0.5
    unused_mw_below_110kv: float = 1.0
    unused_mw_from_110kv: float = 10.0

    def __post_init__(self) -> None:
        if not isinstance(self.after_months, int) or self.after_months < 1:
            raise InputError(
                "use_it_or_lose_it.after_months must be a whole number >= 1",
                field="use_it_or_lose_it.after_months",
            )
        if not 0 <= self.max_used_share <= 1:
            raise InputError(
                "use_it_or_lose_it.max_used_share must be in [0, 1]",
                field="use_it_or_lose_it.max_used_share",
            )
        for name in ("unused_mw_below_110kv", "unused_mw_from_110kv"):
            value = getattr(self, name)
            if not math.isfinite(value) or value <= 0:
                raise InputError(
                    f"use_it_or_lose_it.{name} must be > 0", field=f"use_it_or_lose_it.{name}"
                )


@dataclass(frozen=True)
class Scenario:
    """Everything one waiting-list simulation needs.

    Parameters
    ----------
    name
        Display name.
    start, end
        Horizon; moments are ``start`` and the first day of every month before ``end``.
    grid
        Stations and reinforcements.
    requests
        The requests (ids unique, stations known).
    policy, fit
        Defaults for :func:`netruimte.waitlist.simulate`.
    capacity
        ``"peak"`` or ``"profile"``; None means profile when any station has a load profile.
    timezone
        Zone of the moments (local midnight).
    use_it_or_lose_it
        None (off) or the release model.
    withdraw_per_year
        Scenario-wide withdrawal probability per year of waiting (Monte Carlo; a request's
        own value overrides it).
    nonfirm_min_share
        A non-firm right is granted when its kW has room in at least this share of the
        quarter-hours (profile mode).
    tdtr_max_restricted_share
        A TDTR right may be restricted in at most this share of the quarter-hours.
    reservation_lead_months
        A housing reservation takes part from ``max(submitted, needed − lead)``.
    runs, seed
        Monte Carlo defaults.
    partial_offers
        Whether a request that does not fit whole is offered the largest whole kW that fits
        along its path (default true; false restores whole grants only).
    min_offer_kw
        The smallest partial offer worth making (kW, default 50).
    congestion_contracts
        Congestion-management contracts that add offtake headroom
        (:class:`netruimte.waitlist.congestion.CongestionContract`).
    relief_credit
        Share of a granted congestion reliever's ``relief_kw`` counted as offtake headroom
        for others at its station and above (default 0.5, an assumption).
    """

    name: str
    start: dt.date
    end: dt.date
    grid: Grid
    requests: tuple[Request, ...]
    policy: Policy = Policy.ACM_2026
    fit: Fit = Fit.FIRST_FIT
    capacity: CapacityMode | None = None
    timezone: str = DEFAULT_TIMEZONE
    use_it_or_lose_it: UseItOrLoseIt | None = None
    withdraw_per_year: float = 0.0
    nonfirm_min_share: float = 0.5
    tdtr_max_restricted_share: float = 0.15
    reservation_lead_months: int = 120
    runs: int = 1
    seed: int | None = None
    partial_offers: bool = True
    min_offer_kw: float = 50.0
    congestion_contracts: tuple[CongestionContract, ...] = ()
    relief_credit: float = DEFAULT_RELIEF_CREDIT
    source: str | None = field(default=None, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "requests", tuple(self.requests))
        object.__setattr__(self, "policy", coerce_enum(Policy, self.policy, field="policy"))
        object.__setattr__(self, "fit", coerce_enum(Fit, self.fit, field="fit"))
        if self.capacity is not None:
            object.__setattr__(
                self, "capacity", coerce_enum(CapacityMode, self.capacity, field="capacity")
            )
        for name in ("start", "end"):
            value = getattr(self, name)
            if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
                raise InputError(f"{name} must be a date, got {value!r}", field=name)
        if self.end <= self.start:
            raise InputError(f"end {self.end} must be after start {self.start}", field="end")
        if not 0 <= self.withdraw_per_year < 1:
            raise InputError("withdraw_per_year must be in [0, 1)", field="withdraw_per_year")
        if not 0 <= self.nonfirm_min_share <= 1:
            raise InputError("nonfirm_min_share must be in [0, 1]", field="nonfirm_min_share")
        if not 0 <= self.tdtr_max_restricted_share < 1:
            raise InputError(
                "tdtr_max_restricted_share must be in [0, 1)", field="tdtr_max_restricted_share"
            )
        if not isinstance(self.reservation_lead_months, int) or self.reservation_lead_months < 0:
            raise InputError(
                "reservation_lead_months must be a whole number >= 0",
                field="reservation_lead_months",
            )
        if not isinstance(self.partial_offers, bool):
            raise InputError("partial_offers must be true or false", field="partial_offers")
        if (
            isinstance(self.min_offer_kw, bool)
            or not isinstance(self.min_offer_kw, int | float)
            or not math.isfinite(self.min_offer_kw)
            or self.min_offer_kw < 1
        ):
            raise InputError(
                f"min_offer_kw must be a number >= 1 kW, got {self.min_offer_kw!r}",
                field="min_offer_kw",
            )
        if not isinstance(self.runs, int) or self.runs < 1:
            raise InputError("runs must be a whole number >= 1", field="runs")
        self._check_congestion()
        seen: set[str] = set()
        steps = self.grid.profile_steps
        for req in self.requests:
            if req.id in seen:
                raise InputError(f"duplicate request id {req.id!r}", field="request.id")
            seen.add(req.id)
            if not self.grid.has(req.station):
                raise InputError(
                    f"request {req.id!r} names unknown station {req.station!r}", field="station"
                )
            if req.profile_kw is not None:
                if steps and req.profile_kw.size != steps:
                    raise InputError(
                        f"request {req.id!r}: profile has {req.profile_kw.size} quarter-hours, "
                        f"the station profiles have {steps}",
                        field="profile_csv",
                    )
                steps = req.profile_kw.size

    def _check_congestion(self) -> None:
        object.__setattr__(self, "congestion_contracts", tuple(self.congestion_contracts))
        credit = self.relief_credit
        if (
            isinstance(credit, bool)
            or not isinstance(credit, int | float)
            or not math.isfinite(credit)
            or not 0 <= credit <= 1
        ):
            raise InputError(
                f"congestion_management.relief_credit must be in [0, 1], got {credit!r}",
                field="congestion_management.relief_credit",
            )
        object.__setattr__(self, "relief_credit", float(credit))
        rf_ids = {rf.id for rf in self.grid.reinforcements}
        ids: set[str] = set()
        for ctr in self.congestion_contracts:
            where = f"congestion contract {ctr.id!r}"
            if ctr.id in ids:
                raise InputError(f"duplicate congestion contract id {ctr.id!r}", field="id")
            ids.add(ctr.id)
            if not self.grid.has(ctr.station):
                raise InputError(f"{where} names unknown station {ctr.station!r}", field="station")
            if isinstance(ctr.until, str) and ctr.until not in rf_ids:
                raise InputError(
                    f"{where}: until {ctr.until!r} is neither a date nor a reinforcement id "
                    f"(known: {', '.join(sorted(rf_ids)) or 'none'})",
                    field="until",
                )

    @property
    def moments(self) -> tuple[dt.date, ...]:
        """Allocation moments (start, then the first of every month, before end)."""
        return monthly_moments(self.start, self.end)

    @property
    def capacity_mode(self) -> CapacityMode:
        """The capacity mode in effect (resolving the default)."""
        if self.capacity is not None:
            return self.capacity
        return CapacityMode.PROFILE if self.grid.has_profiles else CapacityMode.PEAK

    def request(self, request_id: str) -> Request:
        """The request with this id (InputError when unknown)."""
        for req in self.requests:
            if req.id == request_id:
                return req
        raise InputError(f"unknown request {request_id!r}", field="request")
