"""How a claim fits, for the per-moment walk of :mod:`netruimte.waitlist.kernels` (numba).

A request's claim as a vector (flat MW, its profile, time blocks, TDTR restrictions); its
evaluation against the room of every node on its path, quarter-hour by quarter-hour where a
node has a load profile; adding and removing claims; the room left on a path and the largest
offer that fits. Same short names as the walk (``anc`` ancestors, ``cap`` capacity, ``pnode``
profile row, ``d`` direction, ``s`` station, ``m`` moment, ``r`` request).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numba
import numpy as np

from netruimte.waitlist.kernel_types import (
    EPS_MW,
    FIRM,
    NON_FIRM,
    TDTR,
    TIME_BLOCK,
    Claims,
    FitState,
    Tree,
    Usage,
)

__all__: list[str] = []  # private to the allocation engine's kernels

_jit: Callable[..., Any] = numba.njit(cache=True, nogil=True)
# The small helpers called per request and moment are inlined: a call would copy the named
# tuples it takes (numba passes tuples by value), which costs more than the helper's work.
_inline: Callable[..., Any] = numba.njit(cache=True, nogil=True, inline="always")


def _peak(buf: Any) -> float:
    """The largest value of a claim vector (0 for an empty or non-positive one)."""
    peak = 0.0
    for t in range(buf.shape[0]):
        if buf[t] > peak:
            peak = buf[t]
    return peak


_peak_j = _inline(_peak)


def _add_flat(tree: Tree, s: Any, d: Any, used_flat: Any, amount: Any) -> None:
    """Add ``amount`` MW to what is in use at station ``s`` and every node above it (peak)."""
    for j in range(tree.path_len[s]):
        used_flat[d, tree.ancestors[s, j]] += amount


_add_flat_j = _inline(_add_flat)


def _mark_room(tree: Tree, s: Any, d: Any, m: Any, last_inc: Any) -> None:
    """Record that every node on station ``s``'s path gained room at moment ``m``."""
    for j in range(tree.path_len[s]):
        last_inc[d, tree.ancestors[s, j]] = m


_mark_room_j = _inline(_mark_room)


def _build_claim(r: Any, kw: Any, claims: Claims, buf: Any) -> float:
    """Write request ``r``'s claim (capped at ``kw`` MW) into ``buf``; return its peak."""
    base_idx, base_prof = claims.base_row, claims.base_profile_mw
    n = buf.shape[0]
    b = base_idx[r]
    if b >= 0:
        for t in range(n):
            v = base_prof[b, t]
            buf[t] = v if v < kw else kw
    else:
        for t in range(n):
            buf[t] = kw
    if claims.right[r] == TIME_BLOCK:
        bi = claims.block_row[r]
        lim = claims.restricted_mw[r]
        masks = claims.block_masks
        for t in range(n):
            if masks[bi, t] and buf[t] > lim:
                buf[t] = lim
    peak: float = _peak_j(buf)
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


_PEAK_TEST, _STEPS_TEST, _RESTRICTED_TEST = 0, 1, 2
"""What :func:`_path_fails` tests at each node: the claim's peak (or every quarter-hour of a
profiled claim) against the room; more than ``limit`` quarter-hours without room (marked in
``viol``); the restricted claim in the marked quarter-hours."""


def _node_fails(
    test: Any, node: Any, m: Any, d: Any, fit: FitState, peak: Any, flat_firm: Any, limit: Any
) -> bool:
    """Whether the claim in ``fit.buf`` fails ``test`` at ``node`` (direction ``d``, moment
    ``m``); ``peak`` and ``flat_firm`` are read by the peak test, ``limit`` by the steps test."""
    tree, usage, _, buf, viol, _ = fit
    used_flat, used_prof, max_used = usage
    capv = tree.capacity_mw[d, node, m]
    p = tree.profile_row[d, node]
    if test == _PEAK_TEST:
        if p >= 0:
            if flat_firm:
                return bool(peak > capv - max_used[p] + EPS_MW)
            return bool(_count_violations_j(p, capv, 0.0, used_prof, buf, viol, False, 0) > 0)
        return bool(peak > 0.0 and peak > capv - used_flat[d, node] + EPS_MW)
    room = capv - used_flat[d, node]
    if test == _STEPS_TEST:
        return bool(_count_violations_j(p, capv, room, used_prof, buf, viol, True, limit) > limit)
    for t in range(buf.shape[0]):
        if viol[t]:
            h = capv - used_prof[p, t] if p >= 0 else room
            if buf[t] > h + EPS_MW:
                return True
    return False


_node_fails_j = _inline(_node_fails)


def _path_fails(
    test: Any,
    m: Any,
    d: Any,
    s: Any,
    fit: FitState,
    need_all: Any,
    peak: Any,
    flat_firm: Any,
    limit: Any,
) -> int:
    """Apply ``test`` at every node of station ``s``'s path; the failing nodes are written to
    ``fit.fails`` (only the first one unless ``need_all``). Returns how many failed."""
    anc, plen, fails = fit.tree.ancestors, fit.tree.path_len, fit.fails
    n_fail = 0
    for j in range(plen[s]):
        node = anc[s, j]
        if _node_fails_j(test, node, m, d, fit, peak, flat_firm, limit):
            fails[n_fail] = node
            n_fail += 1
            if not need_all:
                break
    return n_fail


_path_fails_j = _inline(_path_fails)


def _eval_profile(
    r: Any, m: Any, d: Any, s: Any, fit: FitState, need_all: Any, granted: Any
) -> int:
    """Profile-mode fit of request ``r``: number of failing nodes written to ``fit.fails``.

    ``granted`` (MW) has been offered already (partial offers): the claim to fit is what the
    whole claim adds above ``min(claim, granted)``. On success ``fit.buf`` holds the claim to
    add (zero for non-firm).
    """
    claims, buf, viol, fails = fit.claims, fit.buf, fit.viol, fit.fails
    n_fail: int  # (the compiled helpers are typed Any for mypy)
    k = claims.right[r]
    peak = _build_claim_j(r, claims.mw[r], claims, buf)
    if granted > 0.0:
        for t in range(buf.shape[0]):
            v = buf[t] - granted
            buf[t] = v if v > 0.0 else 0.0
        peak = _peak_j(buf)
    if k in (FIRM, TIME_BLOCK):
        flat_firm = k == FIRM and claims.base_row[r] < 0
        n_fail = _path_fails_j(_PEAK_TEST, m, d, s, fit, need_all, peak, flat_firm, 0)
        return n_fail
    # TDTR and non-firm: count restricted quarter-hours over the whole path
    limit = claims.tdtr_max_steps if k == TDTR else claims.nonfirm_max_steps
    viol[:] = False
    n_fail = _path_fails_j(_STEPS_TEST, m, d, s, fit, need_all, peak, False, limit)
    if n_fail > 0:
        return n_fail
    total = 0
    for t in range(buf.shape[0]):
        if viol[t]:
            total += 1
    if total > limit:
        fails[0] = fit.tree.ancestors[s, 0]
        return 1
    if k == NON_FIRM:
        buf[:] = 0.0  # a non-firm right takes no firm room
        return 0
    lim = claims.restricted_mw[r]
    for t in range(buf.shape[0]):
        if viol[t] and buf[t] > lim:
            buf[t] = lim
    if lim > 0.0:
        n_fail = _path_fails_j(_RESTRICTED_TEST, m, d, s, fit, need_all, peak, False, limit)
        return n_fail
    return 0


_eval_profile_j = _jit(_eval_profile)


def _eval_as(
    r: Any,
    right: Any,
    block: Any,
    restricted: Any,
    keep: Any,
    m: Any,
    d: Any,
    s: Any,
    fit: FitState,
) -> int:
    """Fit request ``r`` as if it had asked for ``right`` (with ``block`` and ``restricted``
    MW): first-fit, nothing offered before. Its own right is put back unless it fits and
    ``keep`` is set. Returns the number of failing nodes (0: it fits)."""
    claims = fit.claims
    own_right = claims.right[r]
    own_block = claims.block_row[r]
    own_restricted = claims.restricted_mw[r]
    claims.right[r] = right
    claims.block_row[r] = block
    claims.restricted_mw[r] = restricted
    n_fail: int = _eval_profile_j(r, m, d, s, fit, False, 0.0)
    if n_fail > 0 or not keep:
        claims.right[r] = own_right
        claims.block_row[r] = own_block
        claims.restricted_mw[r] = own_restricted
    return n_fail


_eval_as_j = _jit(_eval_as)


def _add_claim(sign: Any, d: Any, s: Any, tree: Tree, usage: Usage, buf: Any, peak: Any) -> None:
    """Add (``sign = 1``) or remove (``-1``) a claim vector on a request's path."""
    anc, pnode, plen = tree.ancestors, tree.profile_row, tree.path_len
    used_flat, used_prof, max_used = usage
    for j in range(plen[s]):
        node = anc[s, j]
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


def _room_on_path(tree: Tree, used_flat: Any, m: Any, d: Any, s: Any, rest: Any) -> float:
    """Peak mode: the least room on station ``s``'s path at moment ``m``, at most ``rest``."""
    offer: float = rest
    for j in range(tree.path_len[s]):
        node = tree.ancestors[s, j]
        room = tree.capacity_mw[d, node, m] - used_flat[d, node]
        if room < offer:
            offer = room
    return offer


_room_on_path_j = _inline(_room_on_path)


def _largest_offer(m: Any, d: Any, s: Any, tree: Tree, usage: Usage, buf: Any) -> float:
    """Profile mode: the largest flat cap ``k`` (MW) such that ``min(buf, k)`` fits along the
    path at moment ``m``."""
    anc, cap, pnode, plen = tree
    used_flat, used_prof = usage.flat_mw, usage.profile_mw
    peak = _peak_j(buf)
    k = np.inf
    for j in range(plen[s]):
        node = anc[s, j]
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
