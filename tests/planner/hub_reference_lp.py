"""An independent reference for a hub's smallest joint connection: the full joint LP.

Written from the semantics of ``docs/hubs.md``, separately from the engine: its own variable
layout (per member: exchange in and out, PV used and curtailed, charge, discharge, state of
charge with ``n + 1`` values, curtailment per load, shiftable power per load and step), the
occurrence bookkeeping of :mod:`tests.planner.reference_lp` (datetime based), solved with
HiGHS through :func:`scipy.optimize.linprog`. Only for small test hubs.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp
from scipy.optimize import linprog

from netruimte.planner.hub import Hub
from netruimte.planner.site import Site
from tests.planner.reference_lp import occurrence_table, window_missing

DT = 0.25


class _Lp:
    def __init__(self) -> None:
        self.n_var = 0
        self.lower: list[float] = []
        self.upper: list[float] = []
        self.eq: list[tuple[list[tuple[int, float]], float]] = []
        self.ub: list[tuple[list[tuple[int, float]], float]] = []

    def var(self, lower: float = 0.0, upper: float = np.inf) -> int:
        self.lower.append(lower)
        self.upper.append(upper)
        self.n_var += 1
        return self.n_var - 1

    def solve(self, objective: int) -> float | None:
        def matrix(rows: list[tuple[list[tuple[int, float]], float]]) -> sp.csr_array:
            r = [k for k, (terms, _) in enumerate(rows) for _ in terms]
            c = [col for terms, _ in rows for col, _ in terms]
            v = [val for terms, _ in rows for _, val in terms]
            return sp.csr_array((v, (r, c)), shape=(len(rows), self.n_var))

        cost = np.zeros(self.n_var)
        cost[objective] = 1.0
        result = linprog(
            cost,
            A_ub=matrix(self.ub),
            b_ub=np.array([b for _, b in self.ub]),
            A_eq=matrix(self.eq),
            b_eq=np.array([b for _, b in self.eq]),
            bounds=np.column_stack([self.lower, self.upper]),
            method="highs",
        )
        if result.status == 2:
            return None
        assert result.status == 0, result.message
        return float(result.x[objective])


def _member(lp: _Lp, site: Site) -> list[tuple[int, int]]:
    """Add a member's variables and rules; return its (import, export) columns per step."""
    n = len(site.index)
    load = site.load_kw.to_numpy(dtype=float)
    pv = np.zeros(n) if site.pv is None else site.pv.kw_per_kwp.to_numpy(dtype=float) * site.pv.kwp
    bat = site.battery
    if bat is not None and bat.energy_kwh > 0 and bat.power_kw > 0:
        power, eta = bat.power_kw, float(np.sqrt(bat.roundtrip_efficiency))
        smin, smax = bat.soc_min * bat.energy_kwh, bat.soc_max * bat.energy_kwh
    else:
        power, eta, smin, smax = 0.0, 1.0, 0.0, 0.0
    conn = site.connection
    own_import = np.full(n, np.inf if conn.import_kw is None else conn.import_kw)
    own_import = np.minimum(own_import, conn.restriction_kw(site.index))
    own_export = np.inf if conn.export_kw is None else conn.export_kw
    soc = [lp.var(smin, smax) for _ in range(n + 1)]
    lp.ub.append(([(soc[0], 1.0), (soc[n], -1.0)], 0.0))  # end at least the start
    table = occurrence_table(site)
    allowed = np.zeros((len(site.shiftable), n), dtype=bool)
    for number, steps, _ in table:
        allowed[number, steps] = True
    shift = [
        [lp.var(0.0, s.max_kw if allowed[k, t] else 0.0) for t in range(n)]
        for k, s in enumerate(site.shiftable)
    ]
    for number, steps, energy in table:
        lp.eq.append(([(shift[number][t], DT) for t in steps], energy))
    exchange = []
    for t in range(n):
        imp = lp.var(0.0, own_import[t])
        exp = lp.var(0.0, own_export)
        used = lp.var()
        spilled = lp.var()
        ch = lp.var(0.0, power)
        dis = lp.var(0.0, power)
        cut = [lp.var(0.0, c.max_kw) for c in site.curtailable]
        lp.eq.append(([(used, 1.0), (spilled, 1.0)], pv[t]))
        lp.eq.append(([(soc[t + 1], 1.0), (soc[t], -1.0), (ch, -eta * DT), (dis, DT / eta)], 0.0))
        terms = [(imp, 1.0), (exp, -1.0), (used, 1.0), (dis, 1.0), (ch, -1.0)]
        terms += [(c, 1.0) for c in cut]
        terms += [(shift[k][t], -1.0) for k in range(len(site.shiftable))]
        lp.eq.append((terms, load[t]))
        if cut:
            lp.ub.append(([(c, 1.0) for c in cut], load[t]))
        exchange.append((imp, exp))
    return exchange


def reference_hub_min_connection(hub: Hub) -> float | None:
    """Smallest joint import limit by the full joint LP; ``None`` when infeasible."""
    if any(window_missing(site) for site in hub.members):
        return None
    lp = _Lp()
    joint = lp.var()
    n = len(hub.index)
    exchanges = [_member(lp, site) for site in hub.members]
    for t in range(n):
        net = [(imp, 1.0) for ex in exchanges for imp, _ in [ex[t]]]
        net += [(exp, -1.0) for ex in exchanges for _, exp in [ex[t]]]
        lp.ub.append(([*net, (joint, -1.0)], 0.0))
        if hub.export_kw is not None:
            lp.ub.append(([(col, -v) for col, v in net], hub.export_kw))
    return lp.solve(joint)
