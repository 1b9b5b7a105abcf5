"""The compiled per-moment walk of the allocation engine (numba).

Everything here works on arrays prepared by :mod:`netruimte.waitlist.engine`, grouped into typed
named tuples of :mod:`~netruimte.waitlist.kernel_types` (:class:`Tree`, :class:`Usage`,
:class:`Claims`, :class:`Queue`, :class:`SmallConsumers`, :class:`AlternativeRights`,
:class:`ContractEvents`, :class:`Outcome`, :class:`OfferLog`); codes are the :class:`RequestState`,
:class:`Right` and :class:`Failure` enums. The semantics are documented in
:mod:`~netruimte.waitlist.engine` and ``docs/rules.md``. Two capacity modes share one walk:

* peak mode (``profile_mode = False``): a request claims its MW at its station and every
  ancestor; it fits when the MW fits the headroom (capacity − load − granted) of each node;
* profile mode: nodes with a load profile compare quarter-hour by quarter-hour; a request's
  claim is a vector (flat MW, its profile, time blocks, TDTR restrictions; non-firm claims
  nothing); nodes without a profile take the claim's peak.

Inside the kernels the arrays keep the short names of the formulas (``anc`` ancestors,
``cap`` capacity, ``pnode`` profile row, ``d`` direction, ``s`` station, ``m`` moment, ``r``
request); each kernel unpacks its tuples on its first lines.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from netruimte.conventions import BoolArray, IntArray
from netruimte.waitlist.kernel_fit import (
    _add_claim_j,
    _add_flat_j,
    _build_claim_j,
    _eval_as_j,
    _eval_profile_j,
    _largest_offer_j,
    _mark_room_j,
    _peak_j,
    _room_on_path_j,
)
from netruimte.waitlist.kernel_types import (
    EPS_MW,
    FAIL_BLOCKED,
    FAIL_NONE,
    FAIL_ROOM,
    FIRM,
    GRANTED,
    NON_FIRM,
    TDTR,
    TIME_BLOCK,
    WAITING,
    WITHDRAWN,
    AlternativeRights,
    Claims,
    ContractEvents,
    FitState,
    OfferLog,
    Outcome,
    Queue,
    SmallConsumers,
    Tree,
    Usage,
)

__all__ = ["alternatives", "walk"]

_jit: Callable[..., Any] = numba.njit(cache=True, nogil=True)
# The small helpers called per request and moment are inlined: a call would copy the named
# tuples it takes (numba passes tuples by value), which costs more than the helper's work.
_inline: Callable[..., Any] = numba.njit(cache=True, nogil=True, inline="always")


def _whole_kw(mw: Any) -> float:
    """``mw`` rounded down to whole kW (offers are made in whole kW)."""
    whole: float = math.floor(mw * 1000.0 + 1e-6) / 1000.0
    return whole


_whole_kw_j = _inline(_whole_kw)


def _log_offer(r: Any, m: Any, amount: Any, right: Any, log: OfferLog) -> None:
    """Append one offer to the log (``log.tally[1]`` counts offers that did not fit it)."""
    i = log.tally[0]
    if i < log.request.shape[0]:
        log.request[i] = r
        log.moment[i] = m
        log.mw[i] = amount
        log.right[i] = right
        log.tally[0] = i + 1
    else:
        log.tally[1] += 1


_log_offer_j = _inline(_log_offer)


def _withdraw_if_due(r: Any, m: Any, withdraw_m: Any, status: Any, withdrawn_m: Any) -> bool:
    """Mark request ``r`` withdrawn when its withdrawal is due at moment ``m``."""
    if withdraw_m[r] <= m:
        status[r] = WITHDRAWN
        withdrawn_m[r] = m
        return True
    return False


_withdraw_if_due_j = _inline(_withdraw_if_due)


def _grant(r: Any, m: Any, offered: Any, claims: Claims, out: Outcome, log: OfferLog) -> None:
    """Grant request ``r`` whole at moment ``m`` (``offered``: the MW this offer adds)."""
    out.status[r] = GRANTED
    out.grant_m[r] = m
    out.granted_mw[r] = claims.mw[r]
    _log_offer_j(r, m, offered, claims.right[r], log)


_grant_j = _inline(_grant)


def _small_consumers(
    m: Any,
    small: SmallConsumers,
    reserve_wait: Any,
    withdraw_m: Any,
    queue: Queue,
    claims: Claims,
    out: Outcome,
    log: OfferLog,
) -> None:
    """Small consumers outside the queue: first come, first served from the reserved room.

    ``small.node[r]`` is the node whose reserve serves request ``r`` (-1: no reserve set, it
    draws nothing and is connected at once). A reserve serves its line strictly in order:
    once one request at a node does not fit, the ones behind it wait too.
    """
    mw, right, reserve = claims.mw, claims.right, small.reserve_mw
    order, sc_node, start_m = small.order, small.node, queue.start_m
    status, withdrawn_m, grant_m, granted_mw = (
        out.status,
        out.withdrawn_m,
        out.grant_m,
        out.granted_mw,
    )
    last_m, outside = out.last_m, out.outside
    reserve_wait[:] = False
    for idx in range(order.shape[0]):
        r = order[idx]
        if status[r] != WAITING or start_m[r] > m:
            continue
        if _withdraw_if_due_j(r, m, withdraw_m, status, withdrawn_m):
            continue
        node = sc_node[r]
        last_m[r] = m
        if node >= 0:
            if reserve_wait[node] or mw[r] > reserve[node] + EPS_MW:
                reserve_wait[node] = True
                continue
            reserve[node] -= mw[r]
        outside[r] = True
        status[r] = GRANTED
        grant_m[r] = m
        granted_mw[r] = mw[r]
        _log_offer_j(r, m, mw[r], right[r], log)


_small_consumers_j = _jit(_small_consumers)


def walk(
    tree: Tree,
    usage: Usage,
    claims: Claims,
    queue: Queue,
    withdraw_m: IntArray,
    small: SmallConsumers,
    alt: AlternativeRights,
    events: ContractEvents,
    out: Outcome,
    log: OfferLog,
) -> None:
    """Walk every allocation moment; all outputs are written into ``out`` and ``log``.

    ``usage``, ``small.reserve_mw`` and ``tree.capacity_mw`` are updated in place, and so are
    ``claims.right``, ``claims.block_row`` and ``claims.restricted_mw`` when a request is
    granted under an alternative right (pass copies of all of them). ``withdraw_m`` is the
    moment each request withdraws (the scenario's, or one Monte Carlo run's draw).
    """
    # Every array is taken out of its tuple once: an access through the tuple inside the loops
    # would cost a reference count each time.
    anc, cap, pnode, plen = tree
    used_flat, used_prof, max_used = usage
    mw, kind = claims.mw, claims.right
    station, direction, start_m = queue.station, queue.direction, queue.start_m
    orders, regime_of_moment = queue.orders, queue.regime_of_moment
    release_mw, used_mw, release_map = queue.release_mw, queue.used_mw, queue.release_map
    strict, profile_mode = queue.strict, queue.profile_mode
    partial_ok, min_offer_mw = queue.partial_ok, queue.min_offer_mw
    steered, relief_add = queue.steered, queue.relief_add_mw
    sc_outside, sc_order, sc_node = small.outside, small.order, small.node
    alt_kind, alt_block, alt_restricted = alt.right, alt.block_row, alt.restricted_mw
    ev_m, ev_p, ev_val, ev_mask, ev_masks = events
    status, grant_m, withdrawn_m, released_m, last_m = (
        out.status, out.grant_m, out.withdrawn_m, out.released_m, out.last_m
    )  # fmt: skip
    rank_pos, ahead_mw, fail_node, fail_kind = (
        out.rank_pos,
        out.ahead_mw,
        out.fail_node,
        out.fail_kind,
    )
    claim_peak, pending_count, room_hist = out.claim_peak_mw, out.pending_count, out.room_hist_mw
    granted_mw, alt_used = out.granted_mw, out.alt_used
    n_req = station.shape[0]
    n_nodes = anc.shape[0]
    depth = anc.shape[1]
    n_moments = cap.shape[2]
    steps = used_prof.shape[1]
    n_alt = alt_kind.shape[1]
    buf = np.zeros(max(steps, 1))
    buf2 = np.zeros(max(steps, 1))
    viol = np.zeros(max(steps, 1), dtype=np.bool_)
    fails = np.zeros(depth, dtype=np.int64)
    fit = FitState(tree, usage, claims, buf, viol, fails)
    blocked = np.zeros((2, n_nodes), dtype=np.bool_)
    reserve_wait = np.zeros(n_nodes, dtype=np.bool_)
    pos = np.zeros((2, n_nodes), dtype=np.int64)
    ahead = np.zeros((2, n_nodes))
    last_inc = np.zeros((2, n_nodes), dtype=np.int64)
    last_fail = np.full(n_req, -1, dtype=np.int64)
    skip_ok = profile_mode and not strict
    work = orders.copy()
    work_len = np.full(orders.shape[0], n_req, dtype=np.int64)
    rel_list = np.zeros(n_req, dtype=np.int64)
    n_rel = 0
    n_ev = ev_m.shape[0]
    k_ev = 0
    for m in range(n_moments):
        if m > 0:
            for d in range(2):
                for i in range(n_nodes):
                    if cap[d, i, m] > cap[d, i, m - 1]:
                        last_inc[d, i] = m
        # CBC-T windows at profile nodes: the contract's MW is in ``cap``; outside its
        # windows an equal load is added back, so it only makes room inside them
        while k_ev < n_ev and ev_m[k_ev] <= m:
            p = ev_p[k_ev]
            mx = -np.inf
            for t in range(steps):
                v = used_prof[p, t] + ev_val[k_ev] * ev_masks[ev_mask[k_ev], t]
                used_prof[p, t] = v
                if v > mx:
                    mx = v
            max_used[p] = mx
            k_ev += 1
        # use it or lose it: lower contracts due at this moment (only pending releases scanned)
        kept = 0
        for k in range(n_rel):
            r = rel_list[k]
            if release_map[grant_m[r]] != m:
                rel_list[kept] = r
                kept += 1
                continue
            released_m[r] = m
            d = direction[r]
            s = station[r]
            if profile_mode:
                full = _build_claim_j(r, mw[r], claims, buf)
                low = _build_claim_j(r, used_mw[r], claims, buf2)
                for t in range(steps):
                    buf[t] -= buf2[t]
                _add_claim_j(-1.0, d, s, tree, usage, buf, full - low)
                claim_peak[r] = low
            else:
                _add_flat_j(tree, s, d, used_flat, -release_mw[r])
                claim_peak[r] -= release_mw[r]
            _mark_room_j(tree, s, d, m, last_inc)
        n_rel = kept
        # small consumers outside the queue (moments before they join the list)
        if sc_outside[m] and sc_order.shape[0] > 0:
            _small_consumers_j(m, small, reserve_wait, withdraw_m, queue, claims, out, log)
        # the regime's order keeps only waiting requests: granted and withdrawn ones are
        # dropped as the walk passes them, so later moments walk the pending list only
        g = regime_of_moment[m]
        order = work[g]
        n_order = work_len[g]
        w = 0
        blocked[:, :] = False
        pos[:, :] = 0
        ahead[:, :] = 0.0
        for idx in range(n_order):
            r = order[idx]
            if status[r] != WAITING:
                continue
            if _withdraw_if_due_j(r, m, withdraw_m, status, withdrawn_m):
                continue  # withdrawn before the walk: it takes no part at this moment
            if start_m[r] > m or (sc_outside[m] and sc_node[r] != -2):
                # not yet taking part, or a small consumer outside the queue at this moment
                order[w] = r
                w += 1
                continue
            s = station[r]
            d = direction[r]
            rest = mw[r] - granted_mw[r]
            pos[d, s] += 1
            rank_pos[r] = pos[d, s]
            ahead_mw[r] = ahead[d, s]
            ahead[d, s] += rest
            last_m[r] = m
            pending_count[m, d, s] += 1
            n_fail = 0
            skipped = False
            if skip_ok and last_fail[r] >= 0:
                # nothing on the path gained room since the last failure: it still fails
                # (and no larger partial offer can be made than at that failure)
                skipped = True
                for j in range(plen[s]):
                    node = anc[s, j]
                    if last_inc[d, node] > last_fail[r]:
                        skipped = False
                        break
            if skipped:
                n_fail = 1
                fails[0] = fail_node[r]
            elif profile_mode:
                n_fail = _eval_profile_j(r, m, d, s, fit, strict, granted_mw[r])
                if n_fail > 0 and granted_mw[r] == 0.0:
                    # alternative rights the request accepts, offered at its rank
                    for a in range(n_alt):
                        if alt_kind[r, a] < 0:
                            break
                        fits = _eval_as_j(
                            r, alt_kind[r, a], alt_block[r, a], alt_restricted[r, a],
                            True, m, d, s, fit,
                        ) == 0  # fmt: skip
                        if fits:
                            alt_used[r] = a
                            n_fail = 0
                            break
                    if n_fail > 0:
                        # restore the failure of the request's own right (and its claim)
                        n_fail = _eval_profile_j(r, m, d, s, fit, strict, 0.0)
            elif not steered[r]:
                # (a steered reliever charges only where there is room: no peak claim)
                for j in range(plen[s]):
                    node = anc[s, j]
                    if rest > cap[d, node, m] - used_flat[d, node] + EPS_MW:
                        fails[n_fail] = node
                        n_fail += 1
                        if not strict:
                            break
            if n_fail > 0:
                held = False
                if strict:
                    for j in range(plen[s]):
                        node = anc[s, j]
                        if blocked[d, node]:
                            held = True
                            break
                if (
                    partial_ok[r]
                    and not held
                    and not skipped
                    and (not profile_mode or kind[r] == FIRM or kind[r] == TIME_BLOCK)
                ):
                    # a partial offer: the largest whole kW that fits along the path
                    if profile_mode:
                        offer = _largest_offer_j(m, d, s, tree, usage, buf)
                    else:
                        offer = _room_on_path_j(tree, used_flat, m, d, s, rest)
                    offer = _whole_kw_j(offer) if offer > 0.0 else 0.0
                    if offer > 0.0 and offer < rest and offer >= min_offer_mw - EPS_MW:
                        granted_mw[r] += offer
                        _log_offer_j(r, m, offer, kind[r], log)
                        if profile_mode:
                            for t in range(steps):
                                if buf[t] > offer:
                                    buf[t] = offer
                            pk = _peak_j(buf)
                            claim_peak[r] += pk
                            _add_claim_j(1.0, d, s, tree, usage, buf, pk)
                        else:
                            claim_peak[r] += offer
                            _add_flat_j(tree, s, d, used_flat, offer)
                fail_node[r] = fails[0]
                if granted_mw[r] > 0.0:
                    # after partial offers the binding node is the one with the least room
                    # left on the path (upstream or local), not the first that was short
                    least = np.inf
                    for j in range(plen[s]):
                        node = anc[s, j]
                        p = pnode[d, node]
                        left = (
                            cap[d, node, m] - max_used[p]
                            if p >= 0
                            else cap[d, node, m] - used_flat[d, node]
                        )
                        if left < least - EPS_MW:
                            least = left
                            fail_node[r] = node
                fail_kind[r] = FAIL_ROOM
                last_fail[r] = m
                if strict:
                    for k in range(n_fail):
                        blocked[d, fails[k]] = True
                order[w] = r
                w += 1
                continue
            if strict:
                hit = -1
                for j in range(plen[s]):
                    node = anc[s, j]
                    if blocked[d, node]:
                        hit = node
                        break
                if hit >= 0:
                    fail_node[r] = hit
                    fail_kind[r] = FAIL_BLOCKED
                    order[w] = r
                    w += 1
                    continue
            fail_node[r] = -1
            fail_kind[r] = FAIL_NONE
            _grant_j(r, m, rest, claims, out, log)
            if release_mw[r] > 0.0 and kind[r] == FIRM:
                rel_list[n_rel] = r
                n_rel += 1
            if profile_mode:
                peak = _peak_j(buf)
                claim_peak[r] += peak
                _add_claim_j(1.0, d, s, tree, usage, buf, peak)
            elif not steered[r]:
                claim_peak[r] = mw[r]
                _add_flat_j(tree, s, d, used_flat, rest)
            if relief_add[r] > 0.0:
                # a granted reliever's credited relief is offtake headroom from now on, at
                # its station and every node above it
                for j in range(plen[s]):
                    node = anc[s, j]
                    for mm in range(m, n_moments):
                        cap[0, node, mm] += relief_add[r]
                    last_inc[0, node] = m
        work_len[g] = w
        for d in range(2):
            for i in range(n_nodes):
                p = pnode[d, i]
                if p >= 0:
                    room_hist[d, i, m] = cap[d, i, m] - max_used[p]
                else:
                    room_hist[d, i, m] = cap[d, i, m] - used_flat[d, i]


walk_jit: Callable[..., None] = _jit(walk)


def alternatives(
    candidates: IntArray,
    m: int,
    tree: Tree,
    usage: Usage,
    claims: Claims,
    queue: Queue,
    default_block: int,
    out: BoolArray,
) -> None:
    """Profile mode: would each candidate fit now as time-block, TDTR or non-firm?

    ``out[i, 0..2]`` is set for candidate ``i`` (time-block with its blocks or the default
    ones, TDTR, non-firm), against the state at moment ``m``. ``claims.right`` and
    ``claims.block_row`` are changed while a candidate is tried and put back after it.
    """
    steps = usage.profile_mw.shape[1]
    buf = np.zeros(max(steps, 1))
    viol = np.zeros(max(steps, 1), dtype=np.bool_)
    fails = np.zeros(tree.ancestors.shape[1], dtype=np.int64)
    fit = FitState(tree, usage, claims, buf, viol, fails)
    alts = (TIME_BLOCK, TDTR, NON_FIRM)
    for i in range(candidates.shape[0]):
        r = candidates[i]
        d = queue.direction[r]
        s = queue.station[r]
        block = claims.block_row[r] if claims.block_row[r] >= 0 else default_block
        for a in range(3):
            n_fail = _eval_as_j(
                r, alts[a], block if alts[a] == TIME_BLOCK else claims.block_row[r],
                claims.restricted_mw[r], False, m, d, s, fit,
            )  # fmt: skip
            out[i, a] = n_fail == 0


alternatives_jit: Callable[..., None] = _jit(alternatives)
