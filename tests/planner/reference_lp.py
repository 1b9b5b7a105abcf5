"""An independent reference for min-connection: the full LP, written from the semantics.

Written separately from the engine (own occurrence bookkeeping with :mod:`datetime`, full
variable set: import, export, PV used/curtailed, curtailment per load, charge, discharge, state
of charge, shiftable power per load), solved with HiGHS through :func:`scipy.optimize.linprog`.
Only for small test sites.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections import defaultdict

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.optimize import linprog

from netruimte.planner.site import DailyWindow, Site

DT = 0.25


def _inside(window: DailyWindow, t: dt.datetime) -> tuple[bool, dt.date]:
    minutes = t.hour * 60 + t.minute
    start = window.start.hour * 60 + window.start.minute
    end = window.end.hour * 60 + window.end.minute
    if end > start:
        return start <= minutes < end, t.date()
    if minutes >= start:
        return True, t.date()
    return minutes < end, t.date() - dt.timedelta(days=1)


def occurrence_table(site: Site) -> list[tuple[int, list[int], float]]:
    """(load, steps, energy) per occurrence; energy scaled by the share inside the profile."""
    index = site.index
    tz = index.tz
    table = []
    for number, load in enumerate(site.shiftable):
        groups: dict[dt.date, list[int]] = defaultdict(list)
        for position, stamp in enumerate(index):
            ok, day = _inside(load.window, stamp.to_pydatetime())
            if ok:
                groups[day].append(position)
        for day, steps in groups.items():
            # Count the steps of the whole occurrence on a real calendar.
            stamp = pd.Timestamp(day).tz_localize(tz)
            end = stamp + pd.Timedelta(days=2)
            full = 0
            while stamp < end:
                ok, d = _inside(load.window, stamp.to_pydatetime())
                if ok and d == day:
                    full += 1
                stamp = stamp + pd.Timedelta(minutes=15)
            table.append((number, steps, load.daily_kwh * len(steps) / full))
    return table


def _full_steps(window: DailyWindow, day: dt.date, tz: object) -> int:
    stamp = pd.Timestamp(day).tz_localize(tz)
    end = stamp + pd.Timedelta(days=2)
    full = 0
    while stamp < end:
        ok, d = _inside(window, stamp.to_pydatetime())
        full += ok and d == day
        stamp = stamp + pd.Timedelta(minutes=15)
    return full


def window_missing(site: Site) -> bool:
    """A load needs energy on a day whose window the clock skips (within the profile)."""
    index = site.index
    stamps = [s.to_pydatetime() for s in index]
    for a, b in itertools.pairwise(stamps):
        wall_gap = b.replace(tzinfo=None) - a.replace(tzinfo=None)
        if wall_gap > dt.timedelta(minutes=15):  # the clocks went forward between a and b
            for load in site.shiftable:
                if load.daily_kwh > 0 and _full_steps(load.window, b.date(), index.tz) == 0:
                    return True
    return False


def reference_min_connection(site: Site) -> float | None:
    """Smallest L by the full LP; ``None`` when infeasible."""
    if window_missing(site):
        return None
    n = len(site.index)
    load = site.load_kw.to_numpy(dtype=float)
    pv = np.zeros(n)
    if site.pv is not None:
        pv = site.pv.kw_per_kwp.to_numpy(dtype=float) * site.pv.kwp
    bat = site.battery
    if bat is not None and bat.energy_kwh > 0 and bat.power_kw > 0:
        power, eta = bat.power_kw, float(np.sqrt(bat.roundtrip_efficiency))
        smin, smax = bat.soc_min * bat.energy_kwh, bat.soc_max * bat.energy_kwh
    else:
        power, eta, smin, smax = 0.0, 1.0, 0.0, 0.0
    n_cur = len(site.curtailable)
    n_sh = len(site.shiftable)
    names = ["imp", "exp", "pvu", "pvc", "ch", "dis"]
    block = {name: k * n for k, name in enumerate(names)}
    base = len(names) * n
    cur0 = base
    sh0 = cur0 + n_cur * n
    soc0 = sh0 + n_sh * n
    lvar = soc0 + n + 1
    nv = lvar + 1
    lower = np.zeros(nv)
    upper = np.full(nv, np.inf)
    upper[block["ch"] : block["ch"] + n] = power
    upper[block["dis"] : block["dis"] + n] = power
    if site.connection.export_kw is not None:
        upper[block["exp"] : block["exp"] + n] = site.connection.export_kw
    for k, c in enumerate(site.curtailable):
        upper[cur0 + k * n : cur0 + (k + 1) * n] = c.max_kw
    lower[soc0 : soc0 + n + 1] = smin
    upper[soc0 : soc0 + n + 1] = smax
    allowed = np.zeros((n_sh, n), dtype=bool)
    table = occurrence_table(site)
    for number, steps, _ in table:
        allowed[number, steps] = True
    for k, s in enumerate(site.shiftable):
        upper[sh0 + k * n : sh0 + (k + 1) * n] = np.where(allowed[k], s.max_kw, 0.0)

    eq_rows, eq_cols, eq_vals, b_eq = [], [], [], []
    ub_rows, ub_cols, ub_vals, b_ub = [], [], [], []
    row = 0
    limits = site.connection.restriction_kw(site.index)
    for t in range(n):
        # balance
        terms = [
            (block["imp"] + t, 1.0),
            (block["exp"] + t, -1.0),
            (block["pvu"] + t, 1.0),
            (block["dis"] + t, 1.0),
            (block["ch"] + t, -1.0),
        ]
        terms += [(cur0 + k * n + t, 1.0) for k in range(n_cur)]
        terms += [(sh0 + k * n + t, -1.0) for k in range(n_sh)]
        for c, v in terms:
            eq_rows.append(row)
            eq_cols.append(c)
            eq_vals.append(v)
        b_eq.append(load[t])
        row += 1
        # PV split
        eq_rows += [row, row]
        eq_cols += [block["pvu"] + t, block["pvc"] + t]
        eq_vals += [1.0, 1.0]
        b_eq.append(pv[t])
        row += 1
        # soc
        eq_rows += [row, row, row, row]
        eq_cols += [soc0 + t + 1, soc0 + t, block["ch"] + t, block["dis"] + t]
        eq_vals += [1.0, -1.0, -eta * DT, DT / eta]
        b_eq.append(0.0)
        row += 1
    for number, steps, energy in table:
        for t in steps:
            eq_rows.append(row)
            eq_cols.append(sh0 + number * n + t)
            eq_vals.append(DT)
        b_eq.append(energy)
        row += 1
    n_eq = row
    row = 0
    for t in range(n):
        ub_rows += [row, row]
        ub_cols += [block["imp"] + t, lvar]
        ub_vals += [1.0, -1.0]
        b_ub.append(0.0)
        row += 1
        if np.isfinite(limits[t]):
            ub_rows.append(row)
            ub_cols.append(block["imp"] + t)
            ub_vals.append(1.0)
            b_ub.append(limits[t])
            row += 1
        if n_cur:
            for k in range(n_cur):
                ub_rows.append(row)
                ub_cols.append(cur0 + k * n + t)
                ub_vals.append(1.0)
            b_ub.append(load[t])
            row += 1
    ub_rows += [row, row]
    ub_cols += [soc0, soc0 + n]
    ub_vals += [1.0, -1.0]
    b_ub.append(0.0)
    row += 1
    cost = np.zeros(nv)
    cost[lvar] = 1.0
    result = linprog(
        cost,
        A_ub=sp.csr_array((ub_vals, (ub_rows, ub_cols)), shape=(row, nv)),
        b_ub=np.array(b_ub),
        A_eq=sp.csr_array((eq_vals, (eq_rows, eq_cols)), shape=(n_eq, nv)),
        b_eq=np.array(b_eq),
        bounds=np.column_stack([lower, upper]),
        method="highs",
    )
    if result.status == 2:
        return None
    assert result.status == 0, result.message
    return float(result.x[lvar])
