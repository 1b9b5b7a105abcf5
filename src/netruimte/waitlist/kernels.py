"""The compiled per-moment walk of the allocation engine (numba).

Everything here works on plain arrays prepared by :mod:`netruimte.waitlist.engine`; the
semantics are documented there and in ``docs/rules.md``. Two capacity modes share one walk:

* peak mode (``profile_mode = False``): a request claims its kW at its station and every
  ancestor; it fits when the kW fits the headroom (capacity − load − granted) of each node;
* profile mode: nodes with a load profile compare quarter-hour by quarter-hour; a request's
  claim is a vector (flat kW, its profile, time blocks, TDTR restrictions; non-firm claims
  nothing); nodes without a profile take the claim's peak.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

import numba
import numpy as np

__all__ = ["EPS_MW", "FAIL_BLOCKED", "FAIL_ROOM", "GRANTED", "WAITING", "WITHDRAWN", "walk"]

EPS_MW = 1e-9
WAITING, GRANTED, WITHDRAWN = 0, 1, 2
FIRM, TIME_BLOCK, TDTR, NON_FIRM = 0, 1, 2, 3
FAIL_NONE, FAIL_ROOM, FAIL_BLOCKED = 0, 1, 2

_jit: Callable[..., Any] = numba.njit(cache=True, nogil=True)


def _build_claim(
    r: Any,
    kw: Any,
    base_idx: Any,
    base_prof: Any,
    kind: Any,
    block_idx: Any,
    masks: Any,
    restricted_mw: Any,
    buf: Any,
) -> float:
    """Write request ``r``'s claim (capped at ``kw``) into ``buf``; return its peak."""
    n = buf.shape[0]
    b = base_idx[r]
    if b >= 0:
        for t in range(n):
            v = base_prof[b, t]
            buf[t] = v if v < kw else kw
    else:
        for t in range(n):
            buf[t] = kw
    if kind[r] == TIME_BLOCK:
        bi = block_idx[r]
        lim = restricted_mw[r]
        for t in range(n):
            if masks[bi, t] and buf[t] > lim:
                buf[t] = lim
    peak = 0.0
    for t in range(n):
        if buf[t] > peak:
            peak = buf[t]
    return peak


_build_claim_j = _jit(_build_claim)


def _count_violations(
    p: Any, capv: Any, flat_room: Any, used_prof: Any, buf: Any, viol: Any, mark: Any, limit: Any
) -> int:
    """Quarter-hours where the claim exceeds the room at one node (stops past ``limit``)."""
    count = 0
    n = buf.shape[0]
    if p >= 0:
        for t in range(n):
            c = buf[t]
            if c > 0.0 and c > capv - used_prof[p, t] + EPS_MW:
                count += 1
                if mark:
                    viol[t] = True
                if count > limit:
                    return count
    else:
        for t in range(n):
            c = buf[t]
            if c > 0.0 and c > flat_room + EPS_MW:
                count += 1
                if mark:
                    viol[t] = True
                if count > limit:
                    return count
    return count


_count_violations_j = _jit(_count_violations)


def _eval_profile(
    r: Any,
    m: Any,
    d: Any,
    s: Any,
    anc: Any,
    cap: Any,
    pnode: Any,
    used_flat: Any,
    used_prof: Any,
    max_used: Any,
    mw: Any,
    kind: Any,
    base_idx: Any,
    base_prof: Any,
    block_idx: Any,
    masks: Any,
    restricted_mw: Any,
    tdtr_max: Any,
    nonfirm_max: Any,
    need_all: Any,
    granted: Any,
    buf: Any,
    viol: Any,
    fails: Any,
) -> int:
    """Profile-mode fit of request ``r``: number of failing nodes written to ``fails``.

    ``granted`` (MW) has been offered already (partial offers): the claim to fit is what the
    whole claim adds above ``min(claim, granted)``. On success ``buf`` holds the claim to add
    (zero for non-firm).
    """
    depth = anc.shape[1]
    k = kind[r]
    peak = _build_claim_j(r, mw[r], base_idx, base_prof, kind, block_idx, masks, restricted_mw, buf)
    if granted > 0.0:
        peak = 0.0
        for t in range(buf.shape[0]):
            v = buf[t] - granted
            buf[t] = v if v > 0.0 else 0.0
            if buf[t] > peak:
                peak = buf[t]
    n_fail = 0
    if k in (FIRM, TIME_BLOCK):
        flat_firm = k == FIRM and base_idx[r] < 0
        for j in range(depth):
            node = anc[s, j]
            if node < 0:
                break
            capv = cap[d, node, m]
            p = pnode[d, node]
            if p >= 0:
                if flat_firm:
                    bad = peak > capv - max_used[p] + EPS_MW
                else:
                    bad = _count_violations_j(p, capv, 0.0, used_prof, buf, viol, False, 0) > 0
            else:
                bad = peak > 0.0 and peak > capv - used_flat[d, node] + EPS_MW
            if bad:
                fails[n_fail] = node
                n_fail += 1
                if not need_all:
                    return n_fail
        return n_fail
    # TDTR and non-firm: count restricted quarter-hours over the whole path
    limit = tdtr_max if k == TDTR else nonfirm_max
    viol[:] = False
    for j in range(depth):
        node = anc[s, j]
        if node < 0:
            break
        capv = cap[d, node, m]
        p = pnode[d, node]
        room = capv - used_flat[d, node]
        if _count_violations_j(p, capv, room, used_prof, buf, viol, True, limit) > limit:
            fails[n_fail] = node
            n_fail += 1
            if not need_all:
                return n_fail
    if n_fail > 0:
        return n_fail
    total = 0
    for t in range(buf.shape[0]):
        if viol[t]:
            total += 1
    if total > limit:
        fails[0] = anc[s, 0]
        return 1
    if k == NON_FIRM:
        buf[:] = 0.0  # a non-firm right takes no firm room
        return 0
    lim = restricted_mw[r]
    for t in range(buf.shape[0]):
        if viol[t] and buf[t] > lim:
            buf[t] = lim
    if lim > 0.0:
        for j in range(depth):
            node = anc[s, j]
            if node < 0:
                break
            capv = cap[d, node, m]
            p = pnode[d, node]
            room = capv - used_flat[d, node]
            bad = False
            for t in range(buf.shape[0]):
                if viol[t]:
                    h = capv - used_prof[p, t] if p >= 0 else room
                    if buf[t] > h + EPS_MW:
                        bad = True
                        break
            if bad:
                fails[n_fail] = node
                n_fail += 1
                if not need_all:
                    return n_fail
    return n_fail


_eval_profile_j = _jit(_eval_profile)


def _add_claim(
    sign: Any,
    d: Any,
    s: Any,
    anc: Any,
    pnode: Any,
    used_flat: Any,
    used_prof: Any,
    max_used: Any,
    buf: Any,
    peak: Any,
) -> None:
    """Add (``sign = 1``) or remove (``-1``) a claim vector on a request's path."""
    for j in range(anc.shape[1]):
        node = anc[s, j]
        if node < 0:
            break
        p = pnode[d, node]
        if p >= 0:
            mx = -np.inf
            for t in range(buf.shape[0]):
                v = used_prof[p, t] + sign * buf[t]
                used_prof[p, t] = v
                if v > mx:
                    mx = v
            max_used[p] = mx
        else:
            used_flat[d, node] += sign * peak


_add_claim_j = _jit(_add_claim)


def _largest_offer(
    m: Any,
    d: Any,
    s: Any,
    anc: Any,
    cap: Any,
    pnode: Any,
    used_flat: Any,
    used_prof: Any,
    buf: Any,
    peak: Any,
) -> float:
    """The largest flat cap ``k`` (MW) such that ``min(buf, k)`` fits along the path."""
    k = np.inf
    for j in range(anc.shape[1]):
        node = anc[s, j]
        if node < 0:
            break
        capv = cap[d, node, m]
        p = pnode[d, node]
        if p >= 0:
            for t in range(buf.shape[0]):
                h = capv - used_prof[p, t]
                if buf[t] > h and h < k:
                    k = h
        else:
            room = capv - used_flat[d, node]
            if peak > room and room < k:
                k = room
    return k if k > 0.0 else 0.0


_largest_offer_j = _jit(_largest_offer)


def _whole_kw(mw: Any) -> float:
    """``mw`` rounded down to whole kW (offers are made in whole kW)."""
    whole: float = math.floor(mw * 1000.0 + 1e-6) / 1000.0
    return whole


_whole_kw_j = _jit(_whole_kw)


def _log_offer(
    r: Any,
    m: Any,
    amount: Any,
    k: Any,
    log_r: Any,
    log_m: Any,
    log_mw: Any,
    log_kind: Any,
    n_log: Any,
) -> None:
    """Append one offer to the log (``n_log[1]`` counts offers that did not fit the log)."""
    i = n_log[0]
    if i < log_r.shape[0]:
        log_r[i] = r
        log_m[i] = m
        log_mw[i] = amount
        log_kind[i] = k
        n_log[0] = i + 1
    else:
        n_log[1] += 1


_log_offer_j = _jit(_log_offer)


def _small_consumers(
    m: Any,
    sc_order: Any,
    sc_node: Any,
    reserve: Any,
    reserve_wait: Any,
    status: Any,
    start_m: Any,
    withdraw_m: Any,
    withdrawn_m: Any,
    mw: Any,
    kind: Any,
    grant_m: Any,
    granted_mw: Any,
    outside: Any,
    last_m: Any,
    log_r: Any,
    log_m: Any,
    log_mw: Any,
    log_kind: Any,
    n_log: Any,
) -> None:
    """Small consumers outside the queue: first come, first served from the reserved room.

    ``sc_node[r]`` is the node whose reserve serves request ``r`` (-1: no reserve set, it
    draws nothing and is connected at once). A reserve serves its line strictly in order:
    once one request at a node does not fit, the ones behind it wait too.
    """
    reserve_wait[:] = False
    for idx in range(sc_order.shape[0]):
        r = sc_order[idx]
        if status[r] != WAITING or start_m[r] > m:
            continue
        if withdraw_m[r] <= m:
            status[r] = WITHDRAWN
            withdrawn_m[r] = m
            continue
        node = sc_node[r]
        last_m[r] = m
        if node >= 0:
            if reserve_wait[node] or mw[r] > reserve[node] + EPS_MW:
                reserve_wait[node] = True
                continue
            reserve[node] -= mw[r]
        status[r] = GRANTED
        grant_m[r] = m
        granted_mw[r] = mw[r]
        outside[r] = True
        _log_offer_j(r, m, mw[r], kind[r], log_r, log_m, log_mw, log_kind, n_log)


_small_consumers_j = _jit(_small_consumers)


def walk(
    anc: Any,
    cap: Any,
    pnode: Any,
    used_flat: Any,
    used_prof: Any,
    max_used: Any,
    station: Any,
    direction: Any,
    mw: Any,
    start_m: Any,
    withdraw_m: Any,
    orders: Any,
    regime_of_moment: Any,
    kind: Any,
    base_idx: Any,
    base_prof: Any,
    block_idx: Any,
    masks: Any,
    restricted_mw: Any,
    release_mw: Any,
    used_mw: Any,
    release_map: Any,
    strict: Any,
    profile_mode: Any,
    tdtr_max: Any,
    nonfirm_max: Any,
    partial_ok: Any,
    min_offer_mw: Any,
    sc_outside: Any,
    sc_order: Any,
    sc_node: Any,
    reserve: Any,
    alt_kind: Any,
    alt_block: Any,
    alt_restricted: Any,
    steered: Any,
    relief_add: Any,
    ev_m: Any,
    ev_p: Any,
    ev_val: Any,
    ev_mask: Any,
    ev_masks: Any,
    status: Any,
    grant_m: Any,
    withdrawn_m: Any,
    released_m: Any,
    last_m: Any,
    rank_pos: Any,
    ahead_mw: Any,
    fail_node: Any,
    fail_kind: Any,
    claim_peak: Any,
    pending_count: Any,
    room_hist: Any,
    granted_mw: Any,
    outside: Any,
    alt_used: Any,
    log_r: Any,
    log_m: Any,
    log_mw: Any,
    log_kind: Any,
    n_log: Any,
) -> None:
    """Walk every allocation moment; all outputs are written into the given arrays.

    ``used_flat``, ``used_prof``, ``max_used`` and ``reserve`` are updated in place, and so
    are ``kind``, ``block_idx`` and ``restricted_mw`` when a request is granted under an
    alternative right (pass copies of all of them).
    """
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
                full = _build_claim_j(
                    r, mw[r], base_idx, base_prof, kind, block_idx, masks, restricted_mw, buf
                )
                low = _build_claim_j(
                    r, used_mw[r], base_idx, base_prof, kind, block_idx, masks, restricted_mw, buf2
                )
                for t in range(steps):
                    buf[t] -= buf2[t]
                _add_claim_j(
                    -1.0, d, s, anc, pnode, used_flat, used_prof, max_used, buf, full - low
                )
                claim_peak[r] = low
            else:
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
                    used_flat[d, node] -= release_mw[r]
                claim_peak[r] -= release_mw[r]
            for j in range(depth):
                node = anc[s, j]
                if node < 0:
                    break
                last_inc[d, node] = m
        n_rel = kept
        # small consumers outside the queue (moments before they join the list)
        if sc_outside[m] and sc_order.shape[0] > 0:
            _small_consumers_j(
                m, sc_order, sc_node, reserve, reserve_wait, status, start_m, withdraw_m,
                withdrawn_m, mw, kind, grant_m, granted_mw, outside, last_m, log_r, log_m,
                log_mw, log_kind, n_log,
            )  # fmt: skip
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
            if withdraw_m[r] <= m:
                # withdrawn before the walk: it takes no part at this moment
                status[r] = WITHDRAWN
                withdrawn_m[r] = m
                continue
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
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
                    if last_inc[d, node] > last_fail[r]:
                        skipped = False
                        break
            if skipped:
                n_fail = 1
                fails[0] = fail_node[r]
            elif profile_mode:
                n_fail = _eval_profile_j(
                    r, m, d, s, anc, cap, pnode, used_flat, used_prof, max_used, mw, kind,
                    base_idx, base_prof, block_idx, masks, restricted_mw, tdtr_max,
                    nonfirm_max, strict, granted_mw[r], buf, viol, fails,
                )  # fmt: skip
                if n_fail > 0 and granted_mw[r] == 0.0:
                    # alternative rights the request accepts, offered at its rank
                    for a in range(n_alt):
                        if alt_kind[r, a] < 0:
                            break
                        own_kind = kind[r]
                        own_block = block_idx[r]
                        own_restricted = restricted_mw[r]
                        kind[r] = alt_kind[r, a]
                        block_idx[r] = alt_block[r, a]
                        restricted_mw[r] = alt_restricted[r, a]
                        n_alt_fail = _eval_profile_j(
                            r, m, d, s, anc, cap, pnode, used_flat, used_prof, max_used, mw,
                            kind, base_idx, base_prof, block_idx, masks, restricted_mw,
                            tdtr_max, nonfirm_max, False, 0.0, buf, viol, fails,
                        )  # fmt: skip
                        if n_alt_fail == 0:
                            alt_used[r] = a
                            n_fail = 0
                            break
                        kind[r] = own_kind
                        block_idx[r] = own_block
                        restricted_mw[r] = own_restricted
                    if n_fail > 0:
                        # restore the failure of the request's own right (and its claim)
                        n_fail = _eval_profile_j(
                            r, m, d, s, anc, cap, pnode, used_flat, used_prof, max_used, mw,
                            kind, base_idx, base_prof, block_idx, masks, restricted_mw,
                            tdtr_max, nonfirm_max, strict, 0.0, buf, viol, fails,
                        )  # fmt: skip
            elif not steered[r]:
                # (a steered reliever charges only where there is room: no peak claim)
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
                    if rest > cap[d, node, m] - used_flat[d, node] + EPS_MW:
                        fails[n_fail] = node
                        n_fail += 1
                        if not strict:
                            break
            if n_fail > 0:
                held = False
                if strict:
                    for j in range(depth):
                        node = anc[s, j]
                        if node < 0:
                            break
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
                        pk = 0.0
                        for t in range(steps):
                            if buf[t] > pk:
                                pk = buf[t]
                        offer = _largest_offer_j(
                            m, d, s, anc, cap, pnode, used_flat, used_prof, buf, pk
                        )
                    else:
                        offer = rest
                        for j in range(depth):
                            node = anc[s, j]
                            if node < 0:
                                break
                            room = cap[d, node, m] - used_flat[d, node]
                            if room < offer:
                                offer = room
                    offer = _whole_kw_j(offer) if offer > 0.0 else 0.0
                    if offer > 0.0 and offer < rest and offer >= min_offer_mw - EPS_MW:
                        granted_mw[r] += offer
                        _log_offer_j(r, m, offer, kind[r], log_r, log_m, log_mw, log_kind, n_log)
                        if profile_mode:
                            pk = 0.0
                            for t in range(steps):
                                if buf[t] > offer:
                                    buf[t] = offer
                                if buf[t] > pk:
                                    pk = buf[t]
                            claim_peak[r] += pk
                            _add_claim_j(
                                1.0, d, s, anc, pnode, used_flat, used_prof, max_used, buf, pk
                            )
                        else:
                            claim_peak[r] += offer
                            for j in range(depth):
                                node = anc[s, j]
                                if node < 0:
                                    break
                                used_flat[d, node] += offer
                fail_node[r] = fails[0]
                if granted_mw[r] > 0.0:
                    # after partial offers the binding node is the one with the least room
                    # left on the path (upstream or local), not the first that was short
                    least = np.inf
                    for j in range(depth):
                        node = anc[s, j]
                        if node < 0:
                            break
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
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
                    if blocked[d, node]:
                        hit = node
                        break
                if hit >= 0:
                    fail_node[r] = hit
                    fail_kind[r] = FAIL_BLOCKED
                    order[w] = r
                    w += 1
                    continue
            status[r] = GRANTED
            grant_m[r] = m
            fail_node[r] = -1
            fail_kind[r] = FAIL_NONE
            granted_mw[r] = mw[r]
            _log_offer_j(r, m, rest, kind[r], log_r, log_m, log_mw, log_kind, n_log)
            if release_mw[r] > 0.0 and kind[r] == FIRM:
                rel_list[n_rel] = r
                n_rel += 1
            if profile_mode:
                peak = 0.0
                for t in range(steps):
                    if buf[t] > peak:
                        peak = buf[t]
                claim_peak[r] += peak
                _add_claim_j(1.0, d, s, anc, pnode, used_flat, used_prof, max_used, buf, peak)
            elif not steered[r]:
                claim_peak[r] = mw[r]
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
                    used_flat[d, node] += rest
            if relief_add[r] > 0.0:
                # a granted reliever's credited relief is offtake headroom from now on, at
                # its station and every node above it
                for j in range(depth):
                    node = anc[s, j]
                    if node < 0:
                        break
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
    candidates: Any,
    m: Any,
    anc: Any,
    cap: Any,
    pnode: Any,
    used_flat: Any,
    used_prof: Any,
    max_used: Any,
    station: Any,
    direction: Any,
    mw: Any,
    kind: Any,
    base_idx: Any,
    base_prof: Any,
    block_idx: Any,
    masks: Any,
    restricted_mw: Any,
    tdtr_max: Any,
    nonfirm_max: Any,
    default_block: Any,
    out: Any,
) -> None:
    """Profile mode: would each candidate fit now as time-block, TDTR or non-firm?

    ``out[i, 0..2]`` is set for candidate ``i`` (time-block with its blocks or the default
    ones, TDTR, non-firm), against the state at moment ``m``; nothing is changed.
    """
    kind2 = kind.copy()
    block2 = block_idx.copy()
    steps = used_prof.shape[1]
    buf = np.zeros(max(steps, 1))
    viol = np.zeros(max(steps, 1), dtype=np.bool_)
    fails = np.zeros(anc.shape[1], dtype=np.int64)
    alts = (TIME_BLOCK, TDTR, NON_FIRM)
    for i in range(candidates.shape[0]):
        r = candidates[i]
        for a in range(3):
            kind2[r] = alts[a]
            if alts[a] == TIME_BLOCK and block_idx[r] < 0:
                block2[r] = default_block
            n_fail = _eval_profile_j(
                r,
                m,
                direction[r],
                station[r],
                anc,
                cap,
                pnode,
                used_flat,
                used_prof,
                max_used,
                mw,
                kind2,
                base_idx,
                base_prof,
                block2,
                masks,
                restricted_mw,
                tdtr_max,
                nonfirm_max,
                False,
                0.0,
                buf,
                viol,
                fails,
            )
            out[i, a] = n_fail == 0
        kind2[r] = kind[r]
        block2[r] = block_idx[r]


alternatives_jit: Callable[..., None] = _jit(alternatives)
