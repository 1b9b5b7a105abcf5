"""Prioritisation policies as versioned rules: data plus a small ranking function each.

Policies a scenario can name:

* ``fcfs``: first come, first served;
* ``acm-2024``: the ACM prioritisation framework of 2024 (in force 2024-10-01 to 2025-12-31);
* ``acm-2026``: the framework of 2026 (in force from 2026-01-01);
* ``in-force``: on each moment the rule in force on that date (``fcfs`` before 2024-10-01).

Eligibility is the same under both frameworks (DESIGN.md, allocation semantics v1): category 1
needs ``contract_signed``; categories 2 and 3 need ``evidence`` and offtake; everything else
ranks as "none". Small consumers stand outside the waiting list at moments before 2026-07-01,
under every rule (the engine serves them from reserved room before the walk); from then on they
rank by purpose. Rankings are vectorised (one :func:`numpy.lexsort` per regime), so a simulation
ranks once per policy regime, not once per moment.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

import numpy as np

from netruimte.conventions import BoolArray, FloatArray, IntArray
from netruimte.errors import InputError
from netruimte.grid.model import Direction
from netruimte.waitlist.requests import Category, Request

__all__ = [
    "ACM_2024",
    "ACM_2026",
    "FCFS",
    "RULES",
    "SMALL_CONSUMERS_JOIN",
    "Policy",
    "RankingInputs",
    "Regime",
    "Rule",
    "eligibility_text",
    "eligible_category",
    "function_note",
    "regimes_for",
    "rule_in_force",
]

DRINKING_WATER_SAFETY_FROM = dt.date(2025, 3, 11)
"""CBb ruling: drinking water is a safety function (category 2) from this date."""

SMALL_CONSUMERS_JOIN = dt.date(2026, 7, 1)
"""From this date small consumers join the ranked list (docs/sources.md [enexis-2026-03])."""

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


class Policy(StrEnum):
    """Policy names accepted by a scenario and the CLI."""

    FCFS = "fcfs"
    ACM_2024 = "acm-2024"
    ACM_2026 = "acm-2026"
    IN_FORCE = "in-force"


@dataclass(frozen=True)
class RankingInputs:
    """Per-request arrays a ranking function needs (all of length n_requests)."""

    submitted_ns: IntArray
    id_rank: IntArray
    category_number: IntArray
    """Eligible category: 1, 2, 3, or 4 (none)."""
    score: FloatArray
    """Congestion-reliever score, NaN when not given."""
    small_consumer: BoolArray

    @classmethod
    def from_requests(cls, requests: Sequence[Request]) -> RankingInputs:
        """Build the arrays from requests (ids ranked by plain string order)."""
        ids = [r.id for r in requests]
        id_rank = np.empty(len(ids), dtype=np.int64)
        id_rank[np.array(sorted(range(len(ids)), key=ids.__getitem__), dtype=np.int64)] = np.arange(
            len(ids)
        )
        return cls(
            submitted_ns=np.array(
                [(r.submitted - _EPOCH) // _MICROSECOND * 1000 for r in requests], dtype=np.int64
            ),
            id_rank=id_rank,
            category_number=np.array(
                [eligible_category(r).number for r in requests], dtype=np.int64
            ),
            score=np.array(
                [np.nan if r.score is None else r.score for r in requests], dtype=np.float64
            ),
            small_consumer=np.array([r.small_consumer for r in requests], dtype=np.bool_),
        )


def eligible_category(request: Request) -> Category:
    """The category a request ranks in after the eligibility checks.

    Category 1 needs ``contract_signed``; categories 2 and 3 need ``evidence = true`` and
    ``direction = "offtake"``; otherwise the request ranks as "none".
    """
    cat = request.category
    if cat is Category.CONGESTION_RELIEVER:
        return cat if request.contract_signed else Category.NONE
    if cat in (Category.SAFETY, Category.BASIC_NEEDS):
        if request.evidence and request.direction is Direction.OFFTAKE:
            return cat
        return Category.NONE
    return Category.NONE


def eligibility_text(request: Request) -> str:
    """Plain words: what was asked for and what the request ranks as."""
    cat = request.category
    func = f" ({request.function})" if request.function else ""
    if cat is Category.NONE:
        return f"no priority asked{func}"
    if cat is Category.CONGESTION_RELIEVER:
        if not request.contract_signed:
            return "congestion reliever without a signed contract: ranks as none"
        score = "no score given" if request.score is None else f"score {request.score:g}"
        return f"congestion reliever, contract signed, {score}"
    if request.direction is Direction.FEEDIN:
        return f"asked for {cat.label}{func}, but feed-in never gets category 2/3: ranks as none"
    if not request.evidence:
        return f"asked for {cat.label}{func} without evidence: ranks as none"
    return f"{cat.label}{func}, evidence given"


def _lexsort(inputs: RankingInputs, *keys: FloatArray | IntArray) -> IntArray:
    # np.lexsort sorts by the last key first; ties end on submission time, then id
    return np.lexsort((inputs.id_rank, inputs.submitted_ns, *reversed(keys))).astype(np.int64)


def _bypass_key(inputs: RankingInputs, bypass: bool) -> IntArray:
    if not bypass:
        return np.zeros(inputs.id_rank.size, dtype=np.int64)
    return np.where(inputs.small_consumer, 0, 1).astype(np.int64)


def rank_fcfs(inputs: RankingInputs, bypass: bool) -> IntArray:
    """First come, first served: ``submitted`` ascending, then ``id``.

    Source: ACM dispute decision of 22 December 2020 (the practice before the framework:
    the order of complete requests; Flevoland waiting list from 2022-11-17). ``bypass`` is
    ignored: small consumers stand outside the queue before 2026-07-01 under every regime
    (the engine serves them before the walk).
    """
    del bypass
    return _lexsort(inputs)


def rank_acm_2024(inputs: RankingInputs, bypass: bool) -> IntArray:
    """ACM 2024: category 1 > 2 > 3 > others, ``submitted`` then ``id`` inside each category.

    Source: ACM code decision of 12 April 2024 (Staatscourant 2024-12928), Netcode art.
    7.0a–7.0d; in force 2024-10-01 to 2025-12-31. With ``bypass`` (moments before 2026-07-01)
    small consumers come first, by ``submitted``.
    """
    group = _bypass_key(inputs, bypass)
    klass = np.where(bypass & inputs.small_consumer, 0, inputs.category_number)
    return _lexsort(inputs, group, klass)


def rank_acm_2026(inputs: RankingInputs, bypass: bool) -> IntArray:
    """ACM 2026: category 1 by score (higher first), then 2, 3 and others by ``submitted``.

    Source: ACM code decision of 2 December 2025 (Staatscourant 2025-42323), Netcode art.
    7.0a–7.0d and annex 22; in force from 2026-01-01. Inside category 1 first-come-first-served
    is dropped for the operator's score; a category-1 request without a score ranks after the
    scored ones. FCFS inside categories 2 and 3 is assumed (docs/sources.md [acm-2026], [U]). With
    ``bypass`` (moments before 2026-07-01) small consumers come first, by ``submitted``.
    """
    group = _bypass_key(inputs, bypass)
    klass = np.where(bypass & inputs.small_consumer, 0, inputs.category_number)
    score = np.where(np.isnan(inputs.score), np.inf, -inputs.score)
    score_key = np.where(klass == 1, score, 0.0)
    return _lexsort(inputs, group, klass, score_key)


_COMMON_2 = ("defence", "police", "acute-care", "fire-services", "emergency-services")
_COMMON_3 = ("education", "housing", "health-care")


@dataclass(frozen=True)
class Rule:
    """One version of the prioritisation rules.

    ``functions`` maps the functions the rule lists to their category; it is used for notes
    in explanations (ranking follows the declared category and the eligibility checks).
    """

    name: str
    title: str
    valid_from: dt.date | None
    valid_until: dt.date | None
    """Last day in force (inclusive), None when open-ended."""
    source: str
    uses_categories: bool
    small_consumer_bypass_until: dt.date | None
    functions: Mapping[str, Category]
    rank: Callable[[RankingInputs, bool], IntArray]
    moved: Mapping[str, tuple[dt.date, Category]] = field(default_factory=dict)
    """Functions moved to another category while the rule was in force: (from, category)."""

    def bypass_at(self, moment: dt.date) -> bool:
        """Whether small consumers bypass the ranking at this moment."""
        return self.small_consumer_bypass_until is not None and moment < (
            self.small_consumer_bypass_until
        )


FCFS = Rule(
    name="fcfs",
    title="first come, first served",
    valid_from=None,
    valid_until=dt.date(2024, 9, 30),
    source="ACM dispute decision of 22 December 2020 (first come, first served by the time a "
    "request is complete)",
    uses_categories=False,
    small_consumer_bypass_until=None,
    functions={},
    rank=rank_fcfs,
)
ACM_2024 = Rule(
    name="acm-2024",
    title="ACM prioritisation framework 2024",
    valid_from=dt.date(2024, 10, 1),
    valid_until=dt.date(2025, 12, 31),
    source="ACM code decision 12 Apr 2024, Staatscourant 2024-12928",
    uses_categories=True,
    small_consumer_bypass_until=SMALL_CONSUMERS_JOIN,
    # drinking water was category 3 (basic needs) until the CBb ruling of 2025-03-11 put it
    # into category 2 (safety)
    functions={
        **{f: Category.SAFETY for f in _COMMON_2},
        **{f: Category.BASIC_NEEDS for f in (*_COMMON_3, "drinking-water")},
    },
    rank=rank_acm_2024,
    moved={"drinking-water": (DRINKING_WATER_SAFETY_FROM, Category.SAFETY)},
)
ACM_2026 = Rule(
    name="acm-2026",
    title="ACM prioritisation framework 2026",
    valid_from=dt.date(2026, 1, 1),
    valid_until=None,
    source="ACM code decision 2 Dec 2025, Staatscourant 2025-42323; Netcode annex 22",
    uses_categories=True,
    small_consumer_bypass_until=SMALL_CONSUMERS_JOIN,
    functions={
        **{
            f: Category.SAFETY
            for f in (
                *_COMMON_2,
                "drinking-water",
                "customs",
                "waste-collection",
                "grid-operator",
                "telecom",
                "traffic-safety",
                "sensitive-technology",
            )
        },
        **{
            f: Category.BASIC_NEEDS
            for f in (*_COMMON_3, "collective-housing", "household", "public-transport")
        },
    },
    rank=rank_acm_2026,
)
RULES: dict[str, Rule] = {r.name: r for r in (FCFS, ACM_2024, ACM_2026)}


def rule_in_force(day: dt.date) -> Rule:
    """The rule in force on a date: fcfs before 2024-10-01, then acm-2024, then acm-2026."""
    if ACM_2026.valid_from is not None and day >= ACM_2026.valid_from:
        return ACM_2026
    if ACM_2024.valid_from is not None and day >= ACM_2024.valid_from:
        return ACM_2024
    return FCFS


@dataclass(frozen=True)
class Regime:
    """A rule and whether small consumers bypass it: one ranking per regime."""

    rule: Rule
    bypass: bool

    @property
    def key(self) -> tuple[str, bool]:
        """Identity of the regime."""
        return (self.rule.name, self.bypass and self.rule.uses_categories)


def regimes_for(
    policy: Policy | str, moments: Sequence[dt.date]
) -> tuple[tuple[Regime, ...], IntArray]:
    """Distinct regimes and, per moment, the index of the regime in force.

    Returns
    -------
    (regimes, regime_of_moment)
    """
    try:
        pol = Policy(policy)
    except ValueError:
        raise InputError(
            f"unknown policy {policy!r}; expected {' | '.join(p.value for p in Policy)}",
            field="policy",
        ) from None
    found: dict[tuple[str, bool], int] = {}
    regimes: list[Regime] = []
    which = np.empty(len(moments), dtype=np.int64)
    for m, day in enumerate(moments):
        rule = rule_in_force(day) if pol is Policy.IN_FORCE else RULES[pol.value]
        regime = Regime(rule, rule.bypass_at(day))
        if regime.key not in found:
            found[regime.key] = len(regimes)
            regimes.append(Regime(rule, regime.key[1]))
        which[m] = found[regime.key]
    return tuple(regimes), which


def function_note(request: Request, rule: Rule, day: dt.date | None = None) -> str | None:
    """A note when the declared function is not listed for the declared category by ``rule``
    (on ``day``: a court ruling moved drinking water into category 2 on 2025-03-11)."""
    cat = eligible_category(request)
    if not rule.uses_categories or cat not in (Category.SAFETY, Category.BASIC_NEEDS):
        return None
    if request.function is None:
        return None
    listed = rule.functions.get(request.function)
    moved = rule.moved.get(request.function)
    if moved is not None and (day is None or day >= moved[0]):
        listed = moved[1]
    if listed is cat:
        return None
    where = f"under {listed.label}" if listed is not None else "for no priority category"
    return (
        f"note: {rule.name} lists function '{request.function}' {where}; "
        "the operator checks the evidence"
    )
