"""The allocation engine: compile a scenario to arrays once, walk the moments fast.

Semantics (DESIGN.md "Allocation semantics (v1)", details and choices in ``docs/rules.md``):

* moments are the start date and the first day of every month before the end;
* a reinforcement counts from the first moment on or after its date; a request takes part
  from the first moment on or after its submission (a housing reservation from
  ``max(submitted, needed − reservation_lead_months)``);
* at each moment, first use-it-or-lose-it releases and withdrawals due then are applied, then
  the pending requests are walked in the order of the policy regime in force; a request is
  granted whole when its claim fits at its station and every ancestor in its direction;
* ``first-fit`` passes over a request that does not fit; ``strict`` also marks every node
  where it did not fit as blocked for that direction until the next moment;
* the ranking is computed once per regime (rule × small-consumer bypass), not per moment.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import numpy as np

from netruimte.conventions import BoolArray, FloatArray, IntArray
from netruimte.grid.model import DelayDistribution, Direction
from netruimte.grid.representative import DEFAULT_TIME_BLOCKS, block_mask
from netruimte.waitlist.congestion import ContractKind, window_outside_mask
from netruimte.waitlist.requests import Category, Contract, coerce_enum
from netruimte.waitlist.rules import (
    SMALL_CONSUMERS_JOIN,
    Policy,
    RankingInputs,
    Regime,
    eligible_category,
    regimes_for,
)
from netruimte.waitlist.scenario import CapacityMode, Fit, Scenario

__all__ = ["CompiledScenario", "compile_scenario", "contract_span"]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_US = dt.timedelta(microseconds=1)
_KIND = {Contract.FIRM: 0, Contract.TIME_BLOCK: 1, Contract.TDTR: 2, Contract.NON_FIRM: 3}
KIND_CONTRACT = {v: k for k, v in _KIND.items()}
MAX_ALTERNATIVES = 3
"""At most three alternatives exist (time-block, TDTR, non-firm)."""


def _ns(when: dt.datetime) -> int:
    return (when - _EPOCH) // _US * 1000


def add_months(day: dt.date, months: int) -> dt.date:
    """Calendar months later, clamping the day to the month's length."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    for d in (day.day, 30, 29, 28):
        try:
            return dt.date(year, month, min(day.day, d))
        except ValueError:
            continue
    raise AssertionError("unreachable")


@dataclass(frozen=True)
class CompiledScenario:
    """A scenario prepared for the kernel under one policy and fit (arrays, read-only use)."""

    scenario: Scenario
    policy: Policy
    fit: Fit
    mode: CapacityMode
    moments: tuple[dt.date, ...]
    moment_ns: IntArray
    regimes: tuple[Regime, ...]
    regime_of_moment: IntArray
    orders: IntArray
    categories: tuple[Category, ...]
    anc: IntArray
    path_len: IntArray
    pnode: IntArray
    used_flat0: FloatArray
    used_prof0: FloatArray
    max_used0: FloatArray
    station: IntArray
    direction: IntArray
    mw: FloatArray
    start_ns: IntArray
    start_m: IntArray
    withdraw_m: IntArray
    withdraw_rate: FloatArray
    kind: IntArray
    base_idx: IntArray
    base_prof: FloatArray
    block_idx: IntArray
    masks: BoolArray
    default_block: int
    restricted_mw: FloatArray
    release_mw: FloatArray
    used_mw: FloatArray
    release_map: IntArray
    tdtr_max: int
    nonfirm_max: int
    reinforcement_m: IntArray
    delays: tuple[DelayDistribution | None, ...]
    partial_ok: BoolArray
    min_offer_mw: float
    sc_outside: BoolArray
    sc_order: IntArray
    sc_node: IntArray
    reserve_mw: FloatArray
    alt_kind: IntArray
    alt_block: IntArray
    alt_restricted: FloatArray
    steered: BoolArray
    relief_add: FloatArray
    ctr_start_m: IntArray
    ctr_end_m: IntArray
    ctr_rf: IntArray
    ctr_mw: FloatArray
    ctr_window: IntArray
    ctr_masks: FloatArray

    @property
    def n_requests(self) -> int:
        """Number of requests."""
        return int(self.station.size)


def _path_len(anc: IntArray) -> IntArray:
    """Per row of ``anc`` (a station's path, -1 padded): the nodes before the first -1."""
    padded = anc < 0
    first: IntArray = np.argmax(padded, axis=1).astype(np.int64)
    return np.where(padded.any(axis=1), first, np.int64(anc.shape[1]))


def _moment_ns(moments: tuple[dt.date, ...], timezone: str) -> IntArray:
    zone = ZoneInfo(timezone)
    return np.array(
        [_ns(dt.datetime(m.year, m.month, m.day, tzinfo=zone)) for m in moments], dtype=np.int64
    )


def compile_scenario(
    scenario: Scenario, *, policy: Policy | str | None = None, fit: Fit | str | None = None
) -> CompiledScenario:
    """Prepare the arrays the kernel needs (rank orders per regime included)."""
    # a wrong name is bad input (InputError listing the choices), not a bare ValueError
    pol = coerce_enum(Policy, policy, field="policy") if policy is not None else scenario.policy
    fit_ = coerce_enum(Fit, fit, field="fit") if fit is not None else scenario.fit
    grid = scenario.grid
    mode = scenario.capacity_mode
    moments = scenario.moments
    n_m = len(moments)
    zone = ZoneInfo(scenario.timezone)
    moment_ns = _moment_ns(moments, scenario.timezone)
    moment_days = np.array([m.toordinal() for m in moments], dtype=np.int64)
    reqs = scenario.requests
    n_r = len(reqs)

    regimes, regime_of_moment = regimes_for(pol, moments)
    inputs = RankingInputs.from_requests(reqs)
    orders = (
        np.stack([reg.rule.rank(inputs, reg.bypass) for reg in regimes])
        if n_r
        else np.zeros((len(regimes), 0), dtype=np.int64)
    )

    station = np.array([grid.index(r.station) for r in reqs], dtype=np.int64)
    direction = np.array([r.direction.axis for r in reqs], dtype=np.int64)
    mw = np.array([r.kw for r in reqs], dtype=np.float64) / 1000.0

    lead = scenario.reservation_lead_months
    start_ns = np.empty(n_r, dtype=np.int64)
    withdraw_m = np.full(n_r, n_m, dtype=np.int64)
    for i, r in enumerate(reqs):
        when = r.submitted
        if r.needed is not None:
            opens = add_months(r.needed, -lead)
            when = max(when, dt.datetime(opens.year, opens.month, opens.day, tzinfo=zone))
        start_ns[i] = _ns(when)
        if r.withdrawn is not None:
            w = r.withdrawn
            wns = _ns(dt.datetime(w.year, w.month, w.day, tzinfo=zone))
            withdraw_m[i] = int(np.searchsorted(moment_ns, wns, side="left"))
    start_m = np.searchsorted(moment_ns, start_ns, side="left").astype(np.int64)
    p_year = np.array(
        [
            scenario.withdraw_per_year if r.withdraw_per_year is None else r.withdraw_per_year
            for r in reqs
        ],
        dtype=np.float64,
    )
    withdraw_rate = -np.log1p(-p_year)

    # profiles: station rows per (direction, node), request base profiles, block masks
    profile = mode is CapacityMode.PROFILE
    steps = grid.profile_steps or next(
        (r.profile_kw.size for r in reqs if r.profile_kw is not None), 96
    )
    pnode = np.full((2, len(grid)), -1, dtype=np.int64)
    rows: list[FloatArray] = []
    used_flat0 = grid.peak_load_mw()
    if profile:
        for i, st in enumerate(grid.stations):
            for d in Direction:
                prof = st.load_profile(d)
                if prof is not None:
                    pnode[d.axis, i] = len(rows)
                    rows.append(prof)
    used_prof0 = np.array(rows, dtype=np.float64) if rows else np.zeros((0, steps))
    max_used0 = used_prof0.max(axis=1) if rows else np.zeros(0)
    kind = np.zeros(n_r, dtype=np.int64)
    base_idx = np.full(n_r, -1, dtype=np.int64)
    block_idx = np.full(n_r, -1, dtype=np.int64)
    restricted_mw = np.array([r.restricted_kw for r in reqs], dtype=np.float64) / 1000.0
    alt_kind = np.full((n_r, MAX_ALTERNATIVES), -1, dtype=np.int64)
    alt_block = np.full((n_r, MAX_ALTERNATIVES), -1, dtype=np.int64)
    alt_restricted = np.zeros((n_r, MAX_ALTERNATIVES), dtype=np.float64)
    base_rows: list[FloatArray] = []
    base_seen: dict[int, int] = {}
    patterns: dict[tuple[str, ...], int] = {DEFAULT_TIME_BLOCKS: 0}
    if profile:
        for i, r in enumerate(reqs):
            kind[i] = _KIND[r.contract]
            if r.profile_kw is not None:
                key = id(r.profile_kw)
                if key not in base_seen:
                    base_seen[key] = len(base_rows)
                    base_rows.append(r.profile_kw / 1000.0)
                base_idx[i] = base_seen[key]
            if r.contract is Contract.TIME_BLOCK:
                pat = r.capacity_blocks if r.capacity_blocks is not None else DEFAULT_TIME_BLOCKS
                block_idx[i] = patterns.setdefault(pat, len(patterns))
            for a, alt in enumerate(r.accepts[:MAX_ALTERNATIVES]):
                alt_kind[i, a] = _KIND[alt.contract]
                alt_restricted[i, a] = min(alt.restricted_kw, r.kw) / 1000.0
                if alt.contract is Contract.TIME_BLOCK:
                    pat = alt.capacity_blocks or DEFAULT_TIME_BLOCKS
                    alt_block[i, a] = patterns.setdefault(pat, len(patterns))
    # a mask is True where the right is restricted: outside its capacity blocks
    masks = np.stack([~block_mask(list(p), steps) for p in patterns])
    base_prof = np.array(base_rows, dtype=np.float64) if base_rows else np.zeros((0, steps))

    # use it or lose it
    release_mw = np.zeros(n_r, dtype=np.float64)
    used_mw = mw.copy()
    release_map = np.full(n_m, n_m, dtype=np.int64)
    uiol = scenario.use_it_or_lose_it
    if uiol is not None:
        for m, day in enumerate(moments):
            later = add_months(day, uiol.after_months).toordinal()
            release_map[m] = int(np.searchsorted(moment_days, later, side="left"))
        for i, r in enumerate(reqs):
            if r.contract is not Contract.FIRM or r.small_consumer:
                continue
            if r.used_kw is not None:
                used_kw = r.used_kw
            elif r.profile_kw is not None:
                used_kw = min(r.kw, float(r.profile_kw.max()))
            else:
                continue
            unused_mw = (r.kw - used_kw) / 1000.0
            # the threshold goes by the connection's voltage (Stcrt 2024-13531), not the
            # station's upper voltage
            kv = (
                r.connection_kv
                if r.connection_kv is not None
                else grid.station(r.station).connection_kv
            )
            threshold = uiol.unused_mw_from_110kv if kv >= 110 else uiol.unused_mw_below_110kv
            if unused_mw > 0 and (
                used_kw <= uiol.max_used_share * r.kw or unused_mw >= threshold - 1e-12
            ):
                release_mw[i] = unused_mw
                used_mw[i] = used_kw / 1000.0

    # small consumers: outside the queue before they join the list, served from a reserve
    small = np.array([r.small_consumer for r in reqs], dtype=np.bool_)
    sc_outside = np.array([m < SMALL_CONSUMERS_JOIN for m in moments], dtype=np.bool_)
    sc_node = np.where(small, -1, -2).astype(np.int64)
    reserve_mw = np.array(
        [st.small_consumer_reserve_mw or 0.0 for st in grid.stations], dtype=np.float64
    )
    has_reserve = np.array(
        [st.small_consumer_reserve_mw is not None for st in grid.stations], dtype=np.bool_
    )
    for sc_i in np.flatnonzero(small & (direction == Direction.OFFTAKE.axis)):
        for anc_node in grid.ancestors[station[sc_i]]:
            if anc_node >= 0 and has_reserve[anc_node]:
                sc_node[sc_i] = anc_node  # the nearest reserve on its path
                break
    ranked_small = np.lexsort((inputs.id_rank, inputs.submitted_ns)) if n_r else np.zeros(0)
    sc_order = np.ascontiguousarray(ranked_small[small[ranked_small]], dtype=np.int64)
    partial_ok = np.array(
        [scenario.partial_offers and r.accept_partial for r in reqs], dtype=np.bool_
    )
    # congestion relievers with a signed contract and relief_kw: steered, credited
    steered = np.array(
        [r.relief_kw > 0 and eligible_category(r) is Category.CONGESTION_RELIEVER for r in reqs],
        dtype=np.bool_,
    )
    relief_add = np.where(
        steered,
        scenario.relief_credit * np.array([r.relief_kw for r in reqs], dtype=np.float64) / 1000.0,
        0.0,
    )
    if steered.any():
        partial_ok[steered] = False
        release_mw[steered] = 0.0
        used_mw[steered] = mw[steered]
        if profile:
            # in profile mode a steered reliever is granted like a non-firm right: its kW
            # needs room in enough quarter-hours and it claims no fixed room
            kind[steered] = _KIND[Contract.NON_FIRM]
            alt_kind[steered] = -1
    ctr = _compile_contracts(scenario, moment_days, steps if profile else 0)

    anc = np.ascontiguousarray(grid.ancestors)
    return CompiledScenario(
        scenario=scenario,
        policy=pol,
        fit=fit_,
        mode=mode,
        moments=moments,
        moment_ns=moment_ns,
        regimes=regimes,
        regime_of_moment=regime_of_moment,
        orders=np.ascontiguousarray(orders, dtype=np.int64),
        categories=tuple(eligible_category(r) for r in reqs),
        anc=anc,
        path_len=_path_len(anc),
        pnode=pnode,
        used_flat0=used_flat0,
        used_prof0=used_prof0,
        max_used0=max_used0,
        station=station,
        direction=direction,
        mw=mw,
        start_ns=start_ns,
        start_m=start_m,
        withdraw_m=withdraw_m,
        withdraw_rate=withdraw_rate,
        kind=kind,
        base_idx=base_idx,
        base_prof=base_prof,
        block_idx=block_idx,
        masks=masks,
        default_block=0,
        restricted_mw=restricted_mw,
        release_mw=release_mw,
        used_mw=used_mw,
        release_map=release_map,
        tdtr_max=math.floor(scenario.tdtr_max_restricted_share * steps + 1e-9),
        nonfirm_max=math.floor((1.0 - scenario.nonfirm_min_share) * steps + 1e-9),
        reinforcement_m=grid.reinforcement_moments(moments),
        delays=tuple(rf.delay for rf in grid.reinforcements),
        partial_ok=partial_ok,
        min_offer_mw=scenario.min_offer_kw / 1000.0,
        sc_outside=sc_outside,
        sc_order=sc_order,
        sc_node=sc_node,
        reserve_mw=reserve_mw,
        alt_kind=alt_kind,
        alt_block=alt_block,
        alt_restricted=alt_restricted,
        steered=steered,
        relief_add=relief_add,
        ctr_start_m=ctr[0],
        ctr_end_m=ctr[1],
        ctr_rf=ctr[2],
        ctr_mw=ctr[3],
        ctr_window=ctr[4],
        ctr_masks=ctr[5],
    )


def _compile_contracts(
    scenario: Scenario, moment_days: IntArray, steps: int
) -> tuple[IntArray, IntArray, IntArray, FloatArray, IntArray, FloatArray]:
    """Per contract: first moment, end moment (date) or reinforcement index, MW, window row."""
    ctrs = scenario.congestion_contracts
    n = len(ctrs)
    rf_index = {rf.id: k for k, rf in enumerate(scenario.grid.reinforcements)}
    start_m = np.empty(n, dtype=np.int64)
    end_m = np.full(n, moment_days.size, dtype=np.int64)
    rf = np.full(n, -1, dtype=np.int64)
    window = np.full(n, -1, dtype=np.int64)
    masks: list[FloatArray] = []
    for k, ctr in enumerate(ctrs):
        start_m[k] = int(np.searchsorted(moment_days, ctr.start.toordinal(), side="left"))
        if isinstance(ctr.until, str):
            rf[k] = rf_index[ctr.until]
        else:
            end_m[k] = int(np.searchsorted(moment_days, ctr.until.toordinal(), side="left"))
        if steps and ctr.kind is ContractKind.CBC_T:
            window[k] = len(masks)
            masks.append(window_outside_mask(ctr.windows, steps))
    mw_arr = np.array([ctr.mw for ctr in ctrs], dtype=np.float64)
    mask_arr = np.array(masks, dtype=np.float64) if masks else np.zeros((1, max(steps, 1)))
    return start_m, end_m, rf, mw_arr, window, mask_arr


def contract_span(c: CompiledScenario, rf_m: IntArray) -> tuple[IntArray, IntArray]:
    """First moment each contract counts and the moment it stops (``n_moments``: never)."""
    end = c.ctr_end_m.copy()
    by_rf = c.ctr_rf >= 0
    end[by_rf] = rf_m[c.ctr_rf[by_rf]]
    return c.ctr_start_m, np.maximum(end, c.ctr_start_m)
