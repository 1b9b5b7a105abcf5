"""Numba kernels of the exact min-connection engine (see :mod:`netruimte.planner.fast`).

For a fixed import limit ``L`` each step ``t`` has a *headroom* ``h = min(L, restriction) -
net`` (kW): what the grid can still deliver after the base load (fully curtailed) and PV. The
battery gets the headroom left after the shiftable load; with ``y`` kW left its state of charge
changes by at most ``gain(y)``: ``eta * min(P, y) * dt`` when ``y >= 0`` (charge what fits) and
``y * dt / eta`` when ``-P <= y < 0`` (a forced discharge); ``y < -P`` is infeasible.

Outside shiftable occurrences the state is the state of charge alone:

* ``backward`` computes the lowest state of charge from which the rest of the profile is
  feasible (``r_t = max(smin, r_{t+1} - gain(h_t))``, infeasible once ``r_t > smax``);
* ``forward`` computes the highest reachable state of charge (``s_{t+1} = min(smax, s_t +
  gain(h_t))``, infeasible once ``s_t < smin``).

Inside an occurrence the state is two-dimensional: state of charge and the energy the load has
still to receive (backward, ``q``) or has received (forward, ``p``). The kernels carry the whole
function of that second coordinate: ``R_t(q)`` (lowest feasible state of charge, convex and
nondecreasing) and ``M_t(p)`` (highest reachable state of charge, concave and nonincreasing).
One step is an infimal (supremal) convolution with the battery's gain as a function of the
energy ``e`` given to the load, which is piecewise linear with slopes from {0, eta, 1/eta}
only; then a clip at ``smin``/``smax``. Every slope of every such function therefore lies in
{0, eta, 1/eta}: a function is four numbers (value at 0 and the lengths of the three slope
pieces) and a step is O(1). The derivation is in ``docs/site-file.md``.

Occurrences are step ranges ``[occ_start, occ_stop)`` that do not overlap; ``m_step`` is the
load's ``max_kw`` on the steps of its window and 0 elsewhere (also in the rare gap of an
occurrence on the night the clocks go back).
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np
from numba import njit

from netruimte.conventions import FloatArray, IntArray

__all__ = [
    "FAIL_EMPTY",
    "FAIL_ENERGY",
    "FAIL_FULL",
    "FAIL_POWER",
    "OK",
    "BatteryLimits",
    "Requirement",
    "SiteSteps",
    "backward",
    "forward",
    "reconstruct",
]

OK = 0
FAIL_POWER = 1  # headroom below -P: even the battery's full power cannot cover the step
FAIL_FULL = 2  # the state of charge needed exceeds smax
FAIL_EMPTY = 3  # the state of charge falls below smin
FAIL_ENERGY = 4  # a shiftable occurrence cannot receive its energy


class SiteSteps(NamedTuple):
    """A site's steps for the kernels (numba compiles the named tuple as a plain tuple)."""

    net_kw: FloatArray
    """Base load less PV per step (kW, fully curtailed base load)."""
    restriction_kw: FloatArray
    """The transport right's import limit per step (kW; inf where there is none)."""
    occ_start: IntArray
    """First step of each shiftable occurrence."""
    occ_stop: IntArray
    """Step after the last of each occurrence."""
    occ_kwh: FloatArray
    """Energy each occurrence must receive (kWh)."""
    max_kw: FloatArray
    """Per step: the ``max_kw`` of the shiftable load whose window holds it (0 elsewhere)."""


class BatteryLimits(NamedTuple):
    """The battery and the step, as the kernels use them."""

    power_kw: float
    eta: float
    """One-way efficiency."""
    smin_kwh: float
    smax_kwh: float
    dt_h: float
    tol_kw: float
    tol_kwh: float


class Requirement(NamedTuple):
    """The requirement functions ``backward(store=True)`` writes and ``reconstruct`` follows:
    per time 0..T the value at 0 and the lengths of the three slope pieces (kWh), and the
    requirement at the end of each occurrence."""

    value_kwh: FloatArray
    l0_kwh: FloatArray
    l1_kwh: FloatArray
    l2_kwh: FloatArray
    end_kwh: FloatArray


@njit(cache=True)
def _gain(y: float, p: float, eta: float, dt: float) -> float:
    if y >= 0.0:
        return eta * min(p, y) * dt
    return y * dt / eta


@njit(cache=True)
def _headroom(limit: float, rlim_t: float, net_t: float, p: float, tol_kw: float) -> float:
    """Headroom of a step (kW) clipped to ``-p``; NaN when it lies more than ``tol_kw`` below
    ``-p`` (even the battery's full power cannot cover the step)."""
    h = min(limit, rlim_t) - net_t
    if h < -p:
        if h < -p - tol_kw:
            return np.nan
        return -p
    return h


@njit(cache=True)
def _pieces(h: float, m: float, p: float, dt: float) -> tuple[float, float, float]:
    """Lengths (kWh given to the load) of the gain's pieces with slope 0, eta and 1/eta."""
    emax = max(min(m, h + p) * dt, 0.0)
    e1 = min(max((h - p) * dt, 0.0), emax)
    e2 = min(max(h * dt, 0.0), emax)
    return e1, e2 - e1, emax - e2


@njit(cache=True)
def _cut(l0: float, l1: float, l2: float, q: float) -> tuple[float, float, float]:
    """Restrict a three-piece function to the domain [0, q]."""
    if l0 >= q:
        return q, 0.0, 0.0
    if l0 + l1 >= q:
        return l0, q - l0, 0.0
    if l0 + l1 + l2 > q:
        return l0, l1, q - l0 - l1
    return l0, l1, l2


@njit(cache=True)
def _value(v0: float, l0: float, l1: float, l2: float, x: float, eta: float, sign: float) -> float:
    """Value at ``x`` of the function with slopes sign*(0, eta, 1/eta) (x clipped to domain)."""
    if x <= l0:
        return v0
    x -= l0
    if x <= l1:
        return v0 + sign * eta * x
    x = min(x - l1, l2)
    return v0 + sign * (eta * l1 + x / eta)


@njit(cache=True)
def _flatten(
    v0: float, l0: float, l1: float, l2: float, level: float, eta: float
) -> tuple[float, float, float]:
    """Lengths after replacing the part of the function on the far side of ``level`` by a flat
    piece, for a function that starts at ``v0`` and moves towards ``level`` by slopes eta then
    1/eta (``abs(level - v0)`` is the distance to cover)."""
    need = abs(level - v0)
    if eta * l1 >= need:
        q = need / eta
        return l0 + q, l1 - q, l2
    need -= eta * l1
    if l2 / eta >= need:
        q = need * eta
        return l0 + l1 + q, 0.0, l2 - q
    return l0 + l1 + l2, 0.0, 0.0


@njit(cache=True)
def _truncate(l1: float, l2: float, room: float, eta: float) -> tuple[float, float]:
    """Shorten the sloped pieces so that the function moves by at most ``room``."""
    room = max(room, 0.0)
    if eta * l1 >= room:
        return room / eta, 0.0
    room -= eta * l1
    if l2 / eta > room:
        return l1, room * eta
    return l1, l2


@njit(cache=True)
def backward(
    limit: float,
    site: SiteSteps,
    bat: BatteryLimits,
    terminal: float,
    store: bool,
    req: Requirement,
) -> tuple[float, int, int]:
    """Lowest start state of charge from which the profile is feasible and ends >= terminal.

    Returns ``(r0, step, code)``: ``r0`` is NaN when infeasible, with the failing step and
    code. With ``store``, writes the requirement functions per time into ``req.value_kwh``/
    ``req.l*`` (times 0..T) and the requirement at the end of each occurrence into
    ``req.end_kwh``.
    """
    net, rlim, occ_start, occ_stop, occ_q, m_step = site
    p, eta, smin, smax, dt, tol_kw, tol_kwh = bat
    rv, rl0, rl1, rl2, rend = req
    n_steps = net.shape[0]
    r = max(smin, terminal)
    if r > smax + tol_kwh:
        return np.nan, n_steps - 1, FAIL_FULL
    if store:
        rv[n_steps] = r
        rl0[n_steps] = rl1[n_steps] = rl2[n_steps] = 0.0
    k = occ_start.shape[0] - 1
    t = n_steps - 1
    while t >= 0:
        if k >= 0 and occ_stop[k] - 1 == t:
            a = occ_start[k]
            q_need = occ_q[k]
            if store:
                rend[k] = r
            v0 = r
            l0 = l1 = l2 = 0.0
            for tt in range(t, a - 1, -1):
                h = _headroom(limit, rlim[tt], net[tt], p, tol_kw)
                if np.isnan(h):
                    return np.nan, tt, FAIL_POWER
                a0, a1, a2 = _pieces(h, m_step[tt], p, dt)
                v0 -= _gain(h, p, eta, dt)
                l0 += a0
                l1 += a1
                l2 += a2
                if v0 < smin:
                    l0, l1, l2 = _flatten(v0, l0, l1, l2, smin, eta)
                    v0 = smin
                if v0 > smax + tol_kwh:
                    return np.nan, tt, FAIL_FULL
                l1, l2 = _truncate(l1, l2, smax - v0, eta)
                l0, l1, l2 = _cut(l0, l1, l2, q_need)
                if store:
                    rv[tt], rl0[tt], rl1[tt], rl2[tt] = v0, l0, l1, l2
            if l0 + l1 + l2 < q_need - tol_kwh:
                return np.nan, a, FAIL_ENERGY
            r = _value(v0, l0, l1, l2, q_need, eta, 1.0)
            t = a - 1
            k -= 1
        else:
            h = _headroom(limit, rlim[t], net[t], p, tol_kw)
            if np.isnan(h):
                return np.nan, t, FAIL_POWER
            r = max(smin, r - _gain(h, p, eta, dt))
            if r > smax + tol_kwh:
                return np.nan, t, FAIL_FULL
            if store:
                rv[t] = r
                rl0[t] = rl1[t] = rl2[t] = 0.0
            t -= 1
    return min(r, smax), -1, OK


@njit(cache=True)
def forward(limit: float, site: SiteSteps, bat: BatteryLimits, s0: float) -> tuple[float, int, int]:
    """Highest end state of charge reachable from ``s0`` (NaN, step, code when infeasible)."""
    net, rlim, occ_start, occ_stop, occ_q, m_step = site
    p, eta, smin, smax, dt, tol_kw, tol_kwh = bat
    n_steps = net.shape[0]
    n_occ = occ_start.shape[0]
    s = s0
    k = t = 0
    while t < n_steps:
        if k < n_occ and occ_start[k] == t:
            b = occ_stop[k]
            q_need = occ_q[k]
            v0 = s
            l0 = l1 = l2 = 0.0
            for tt in range(t, b):
                h = _headroom(limit, rlim[tt], net[tt], p, tol_kw)
                if np.isnan(h):
                    return np.nan, tt, FAIL_POWER
                a0, a1, a2 = _pieces(h, m_step[tt], p, dt)
                v0 += _gain(h, p, eta, dt)
                l0 += a0
                l1 += a1
                l2 += a2
                if v0 > smax:
                    l0, l1, l2 = _flatten(v0, l0, l1, l2, smax, eta)
                    v0 = smax
                if v0 < smin - tol_kwh:
                    return np.nan, tt, FAIL_EMPTY
                l1, l2 = _truncate(l1, l2, v0 - smin, eta)
                l0, l1, l2 = _cut(l0, l1, l2, q_need)
            if l0 + l1 + l2 < q_need - tol_kwh:
                return np.nan, b - 1, FAIL_ENERGY
            s = _value(v0, l0, l1, l2, q_need, eta, -1.0)
            t = b
            k += 1
        else:
            h = _headroom(limit, rlim[t], net[t], p, tol_kw)
            if np.isnan(h):
                return np.nan, t, FAIL_POWER
            s = min(smax, s + _gain(h, p, eta, dt))
            if s < smin - tol_kwh:
                return np.nan, t, FAIL_EMPTY
            t += 1
    return max(s, smin), -1, OK


@njit(cache=True)
def _slack(
    s: float,
    h: float,
    e: float,
    q: float,
    nv: float,
    n0: float,
    n1: float,
    n2: float,
    p: float,
    eta: float,
    smax: float,
    dt: float,
) -> float:
    reach = min(smax, s + _gain(max(h - e / dt, -p), p, eta, dt))
    return reach - _value(nv, n0, n1, n2, q - e, eta, 1.0)


@njit(cache=True)
def _battery_step(
    y: float, need: float, s: float, p: float, eta: float, smin: float, smax: float, dt: float
) -> tuple[float, float, float]:
    """One step of the just-in-time dispatch with ``y`` kW of headroom left for the battery:
    discharge what a negative headroom forces, else charge only up to what the next step
    needs (``need``). Returns charge and discharge power (kW) and the state of charge after."""
    if y < 0.0:
        return 0.0, -y, min(max(s + y * dt / eta, smin), smax)
    ch = min(max((need - s) / (eta * dt), 0.0), min(p, y))
    return ch, 0.0, min(max(s + eta * ch * dt, smin), smax)


@njit(cache=True)
def reconstruct(
    limit: float,
    site: SiteSteps,
    bat: BatteryLimits,
    s0: float,
    req: Requirement,
    shift_kw: FloatArray,
    charge_kw: FloatArray,
    discharge_kw: FloatArray,
    soc_kwh: FloatArray,
) -> None:
    """A feasible dispatch that follows the stored requirement (from ``backward(store=True)``
    with ``terminal = s0``): the battery charges only what the future needs ("just in time")
    and each shiftable step takes the energy that leaves the most slack.

    Writes per step the shiftable power of the active occurrence, the battery's charge and
    discharge power (kW, grid side) and the state of charge at the end of the step
    (``soc_kwh[0]`` is the start).
    """
    net, rlim, occ_start, occ_stop, occ_q, m_step = site
    p, eta, smin, smax, dt, _, _ = bat
    rv, rl0, rl1, rl2, rend = req
    n_steps = net.shape[0]
    n_occ = occ_start.shape[0]
    s = min(max(s0, smin), smax)
    soc_kwh[0] = s
    k = t = 0
    while t < n_steps:
        if k < n_occ and occ_start[k] == t:
            b = occ_stop[k]
            q = occ_q[k]
            for tt in range(t, b):
                h = max(min(limit, rlim[tt]) - net[tt], -p)
                if tt + 1 < b:
                    nv, n0, n1, n2 = rv[tt + 1], rl0[tt + 1], rl1[tt + 1], rl2[tt + 1]
                else:
                    nv, n0, n1, n2 = rend[k], 0.0, 0.0, 0.0
                hi = min(q, max(min(m_step[tt], h + p) * dt, 0.0))
                lo = min(max(q - (n0 + n1 + n2), 0.0), hi)
                best_e = hi
                best = _slack(s, h, hi, q, nv, n0, n1, n2, p, eta, smax, dt)
                cands = (lo, (h - p) * dt, h * dt, q - n0, q - n0 - n1)
                for c in cands:
                    if lo <= c <= hi:
                        val = _slack(s, h, c, q, nv, n0, n1, n2, p, eta, smax, dt)
                        if val > best + 1e-12 or (val >= best - 1e-12 and c > best_e):
                            best = val
                            best_e = c
                e = best_e
                y = max(h - e / dt, -p)
                need = _value(nv, n0, n1, n2, q - e, eta, 1.0)
                ch, dis, s = _battery_step(y, need, s, p, eta, smin, smax, dt)
                shift_kw[tt] = e / dt
                charge_kw[tt] = ch
                discharge_kw[tt] = dis
                soc_kwh[tt + 1] = s
                q -= e
            t = b
            k += 1
        else:
            h = max(min(limit, rlim[t]) - net[t], -p)
            if k < n_occ and occ_start[k] == t + 1:
                need = _value(rv[t + 1], rl0[t + 1], rl1[t + 1], rl2[t + 1], occ_q[k], eta, 1.0)
            else:
                need = rv[t + 1]
            ch, dis, s = _battery_step(h, need, s, p, eta, smin, smax, dt)
            shift_kw[t] = 0.0
            charge_kw[t] = ch
            discharge_kw[t] = dis
            soc_kwh[t + 1] = s
            t += 1
