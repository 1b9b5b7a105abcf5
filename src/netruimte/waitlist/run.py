"""One run of a compiled scenario through the allocation kernels.

:func:`run_compiled` prepares the kernels' typed inputs from a
:class:`~netruimte.waitlist.engine.CompiledScenario` (with the congestion contracts added to the
capacity and, for Monte Carlo, drawn reinforcement and withdrawal moments), walks the moments
once and returns the :class:`RawOutcome`; :func:`profile_alternatives` asks the kernels which
other right would fit at the end state.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from netruimte.conventions import BoolArray, FloatArray, IntArray
from netruimte.waitlist import kernel_types as kt
from netruimte.waitlist import kernels
from netruimte.waitlist.engine import CompiledScenario, contract_span
from netruimte.waitlist.scenario import CapacityMode, Fit

__all__ = ["RawOutcome", "profile_alternatives", "run_compiled"]


@dataclass(frozen=True)
class RawOutcome:
    """What one kernel run leaves (see :func:`netruimte.waitlist.kernels.walk`).

    ``walk`` holds what the walk wrote per request (and the queue and room per moment); the
    other arrays are the end state: the capacity with the contracts, what is in use, the
    rights as finally granted, and every offer in order.
    """

    cap: FloatArray
    walk: kt.Outcome
    used_flat: FloatArray
    used_prof: FloatArray
    max_used: FloatArray
    reinforcement_m: IntArray
    offer_r: IntArray
    offer_m: IntArray
    offer_mw: FloatArray
    offer_kind: IntArray
    kind: IntArray
    block_idx: IntArray
    restricted_mw: FloatArray


def _contract_effects(
    c: CompiledScenario, cap: FloatArray, rf_m: IntArray
) -> tuple[IntArray, IntArray, FloatArray, IntArray]:
    """Add every contract's MW to ``cap`` (in place); CBC-T window events for the kernel."""
    n_m = cap.shape[2]
    ev: list[tuple[int, int, float, int]] = []
    if c.ctr_mw.size:
        grid = c.scenario.grid
        start, end = contract_span(c, rf_m)
        for k, ctr in enumerate(c.scenario.congestion_contracts):
            s, e = int(start[k]), int(end[k])
            if s >= e:
                continue
            for node in grid.ancestors[grid.index(ctr.station)]:
                if node < 0:
                    break
                cap[0, node, s:e] += c.ctr_mw[k]
                p = int(c.pnode[0, node])
                if p >= 0 and c.ctr_window[k] >= 0:
                    ev.append((s, p, float(c.ctr_mw[k]), int(c.ctr_window[k])))
                    if e < n_m:
                        ev.append((e, p, -float(c.ctr_mw[k]), int(c.ctr_window[k])))
    ev.sort(key=lambda x: x[0])
    return (
        np.array([x[0] for x in ev], dtype=np.int64),
        np.array([x[1] for x in ev], dtype=np.int64),
        np.array([x[2] for x in ev], dtype=np.float64),
        np.array([x[3] for x in ev], dtype=np.int64),
    )


def run_compiled(
    c: CompiledScenario,
    *,
    reinforcement_m: IntArray | None = None,
    withdraw_m: IntArray | None = None,
) -> RawOutcome:
    """Run the kernel once; optional overrides for Monte Carlo draws."""
    log_size = 2 * c.n_requests + 64
    while True:
        raw, lost = _run(c, reinforcement_m, withdraw_m, log_size)
        if lost == 0:
            return raw
        log_size += lost  # rare: more partial offers than the log held; run again


def _run(
    c: CompiledScenario,
    reinforcement_m: IntArray | None,
    withdraw_m: IntArray | None,
    log_size: int,
) -> tuple[RawOutcome, int]:
    rf_m = c.reinforcement_m if reinforcement_m is None else reinforcement_m
    cap = c.scenario.grid.capacity_mw(c.moments, reinforcement_moments=rf_m)
    ev_m, ev_p, ev_val, ev_mask = _contract_effects(c, cap, rf_m)
    n_r = c.n_requests
    n_m = len(c.moments)
    n_nodes = c.anc.shape[0]
    status = np.zeros(n_r, dtype=np.int8)
    grant_m = np.full(n_r, -1, dtype=np.int64)
    withdrawn_m = np.full(n_r, -1, dtype=np.int64)
    released_m = np.full(n_r, -1, dtype=np.int64)
    last_m = np.full(n_r, -1, dtype=np.int64)
    rank_pos = np.zeros(n_r, dtype=np.int64)
    ahead_mw = np.zeros(n_r, dtype=np.float64)
    fail_node = np.full(n_r, -1, dtype=np.int64)
    fail_kind = np.zeros(n_r, dtype=np.int8)
    claim_peak = np.zeros(n_r, dtype=np.float64)
    pending_count = np.zeros((n_m, 2, n_nodes), dtype=np.int32)
    room_hist = np.zeros((2, n_nodes, n_m), dtype=np.float64)
    used_flat = c.used_flat0.copy()
    used_prof = c.used_prof0.copy()
    max_used = c.max_used0.copy()
    reserve = c.reserve_mw.copy()
    kind = c.kind.copy()
    block_idx = c.block_idx.copy()
    restricted_mw = c.restricted_mw.copy()
    granted_mw = np.zeros(n_r, dtype=np.float64)
    outside = np.zeros(n_r, dtype=np.bool_)
    alt_used = np.full(n_r, -1, dtype=np.int64)
    log_r = np.zeros(log_size, dtype=np.int64)
    log_m = np.zeros(log_size, dtype=np.int64)
    log_mw = np.zeros(log_size, dtype=np.float64)
    log_kind = np.zeros(log_size, dtype=np.int64)
    n_log = np.zeros(2, dtype=np.int64)
    tree = kt.Tree(ancestors=c.anc, capacity_mw=cap, profile_row=c.pnode, path_len=c.path_len)
    usage = kt.Usage(flat_mw=used_flat, profile_mw=used_prof, profile_max_mw=max_used)
    claims = kt.Claims(
        mw=c.mw, right=kind, base_row=c.base_idx, base_profile_mw=c.base_prof,
        block_row=block_idx, block_masks=c.masks, restricted_mw=restricted_mw,
        tdtr_max_steps=c.tdtr_max, nonfirm_max_steps=c.nonfirm_max,
    )  # fmt: skip
    small = kt.SmallConsumers(
        outside=c.sc_outside, order=c.sc_order, node=c.sc_node, reserve_mw=reserve
    )
    alternatives = kt.AlternativeRights(
        right=c.alt_kind, block_row=c.alt_block, restricted_mw=c.alt_restricted
    )
    events = kt.ContractEvents(
        moment=ev_m, profile_row=ev_p, mw=ev_val, mask=ev_mask, masks=c.ctr_masks
    )
    out = kt.Outcome(
        status=status, grant_m=grant_m, withdrawn_m=withdrawn_m, released_m=released_m,
        last_m=last_m, rank_pos=rank_pos, ahead_mw=ahead_mw, fail_node=fail_node,
        fail_kind=fail_kind, claim_peak_mw=claim_peak, pending_count=pending_count,
        room_hist_mw=room_hist, granted_mw=granted_mw, outside=outside, alt_used=alt_used,
    )  # fmt: skip
    log = kt.OfferLog(request=log_r, moment=log_m, mw=log_mw, right=log_kind, tally=n_log)
    kernels.walk_jit(
        tree, usage, claims, _queue(c), c.withdraw_m if withdraw_m is None else withdraw_m,
        small, alternatives, events, out, log,
    )  # fmt: skip
    n = int(n_log[0])
    raw = RawOutcome(
        cap=cap,
        walk=out,
        used_flat=used_flat,
        used_prof=used_prof,
        max_used=max_used,
        reinforcement_m=rf_m,
        offer_r=log_r[:n],
        offer_m=log_m[:n],
        offer_mw=log_mw[:n],
        offer_kind=log_kind[:n],
        kind=kind,
        block_idx=block_idx,
        restricted_mw=restricted_mw,
    )
    return raw, int(n_log[1])


def _queue(c: CompiledScenario) -> kt.Queue:
    """The requests' part of the kernel input (read-only in the kernels)."""
    return kt.Queue(
        station=c.station, direction=c.direction, start_m=c.start_m,
        orders=c.orders, regime_of_moment=c.regime_of_moment, release_mw=c.release_mw,
        used_mw=c.used_mw, release_map=c.release_map, strict=c.fit is Fit.STRICT,
        profile_mode=c.mode is CapacityMode.PROFILE, partial_ok=c.partial_ok,
        min_offer_mw=c.min_offer_mw, steered=c.steered, relief_add_mw=c.relief_add,
    )  # fmt: skip


def profile_alternatives(c: CompiledScenario, raw: RawOutcome, candidates: IntArray) -> BoolArray:
    """Profile mode: (n, 3) flags, would time-block / TDTR / non-firm fit at the end state."""
    out = np.zeros((candidates.size, 3), dtype=np.bool_)
    if candidates.size == 0:
        return out
    n_m = len(c.moments)
    tree = kt.Tree(ancestors=c.anc, capacity_mw=raw.cap, profile_row=c.pnode, path_len=c.path_len)
    usage = kt.Usage(flat_mw=raw.used_flat, profile_mw=raw.used_prof, profile_max_mw=raw.max_used)
    claims = kt.Claims(  # copies: the kernel tries each right in place
        mw=c.mw, right=raw.kind.copy(), base_row=c.base_idx, base_profile_mw=c.base_prof,
        block_row=raw.block_idx.copy(), block_masks=c.masks, restricted_mw=raw.restricted_mw,
        tdtr_max_steps=c.tdtr_max, nonfirm_max_steps=c.nonfirm_max,
    )  # fmt: skip
    kernels.alternatives_jit(
        candidates, n_m - 1, tree, usage, claims, _queue(c), c.default_block, out
    )
    return out
