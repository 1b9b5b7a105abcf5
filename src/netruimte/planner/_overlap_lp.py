"""Min-connection as one linear programme, for sites whose shiftable windows overlap.

The O(T) kernels carry one shiftable occurrence at a time; when occurrences of different loads
overlap the state has more dimensions. This module answers the same question exactly with HiGHS
(through :func:`scipy.optimize.linprog`), on the reduced model of ``docs/site-file.md``:
per step ``Σ shiftable + charge − discharge ≤ min(L, restriction) − net`` and
``−Σ shiftable − charge + discharge ≤ load + export_kw`` (a battery may not discharge into the
grid beyond the export limit), the state-of-charge recursion, ``soc_end ≥ soc_start``, the
energy of each occurrence, and the bounds. It is slower than the kernels (seconds for a year).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.optimize import linprog

from netruimte.conventions import HOURS_PER_STEP
from netruimte.planner.prepare import SiteArrays

__all__ = ["OverlapSolution", "solve_overlap_lp"]

FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class OverlapSolution:
    """The LP's answer: ``import_kw`` is ``None`` when infeasible (see ``message``)."""

    import_kw: float | None
    message: str
    shift_kw: FloatArray
    charge_kw: FloatArray
    discharge_kw: FloatArray
    soc_kwh: FloatArray


def solve_overlap_lp(
    arrays: SiteArrays,
    power_kw: float,
    eta: float,
    smin: float,
    smax: float,
    max_kw: FloatArray,
    n_loads: int,
) -> OverlapSolution:
    """Solve min L for the site's arrays; shift_kw has shape ``(n_loads, T)``."""
    n = arrays.steps
    dt = HOURS_PER_STEP
    pairs_step: list[npt.NDArray[np.int64]] = []
    pairs_occ: list[npt.NDArray[np.int64]] = []
    for number, occ in enumerate(arrays.occurrences):
        steps = occ.window_steps()
        pairs_step.append(steps)
        pairs_occ.append(np.full(len(steps), number, dtype=np.int64))
    p_step = np.concatenate(pairs_step) if pairs_step else np.zeros(0, dtype=np.int64)
    p_occ = np.concatenate(pairs_occ) if pairs_occ else np.zeros(0, dtype=np.int64)
    n_pairs = len(p_step)
    # Variable layout: L | charge (n) | discharge (n) | soc (n + 1) | shiftable pairs.
    i_ch, i_dis, i_soc, i_sh = 1, 1 + n, 1 + 2 * n, 2 + 3 * n
    n_var = i_sh + n_pairs
    steps = np.arange(n)

    def rows_headroom(
        row0: int, sign: float
    ) -> tuple[npt.NDArray[np.int64], npt.NDArray[np.int64], FloatArray]:
        r = np.concatenate([steps, steps, p_step]) + row0
        c = np.concatenate([i_ch + steps, i_dis + steps, i_sh + np.arange(n_pairs)])
        v = sign * np.concatenate([np.ones(n), -np.ones(n), np.ones(n_pairs)])
        return r, c, v

    rows, cols, vals, rhs = [], [], [], []
    # 1. Σσ + ch − dis − L ≤ −net (every step).
    r, c, v = rows_headroom(0, 1.0)
    rows += [r, steps]
    cols += [c, np.zeros(n, dtype=np.int64)]
    vals += [v, -np.ones(n)]
    rhs.append(-arrays.net_kw)
    n_rows = n
    # 2. Σσ + ch − dis ≤ restriction − net (restricted steps only).
    restricted = np.flatnonzero(np.isfinite(arrays.restriction_kw))
    if len(restricted):
        position = np.full(n, -1, dtype=np.int64)
        position[restricted] = np.arange(len(restricted))
        r, c, v = rows_headroom(0, 1.0)
        step_of_row = np.concatenate([steps, steps, p_step])
        keep = position[step_of_row] >= 0
        rows.append(position[step_of_row[keep]] + n_rows)
        cols.append(c[keep])
        vals.append(v[keep])
        rhs.append(arrays.restriction_kw[restricted] - arrays.net_kw[restricted])
        n_rows += len(restricted)
    # 3. −Σσ − ch + dis ≤ load + export (finite export limit only).
    if np.isfinite(arrays.export_kw):
        r, c, v = rows_headroom(n_rows, -1.0)
        rows.append(r)
        cols.append(c)
        vals.append(v)
        rhs.append(arrays.load_kw + arrays.export_kw)
        n_rows += n
    # 4. soc_0 − soc_T ≤ 0.
    rows.append(np.array([n_rows, n_rows]))
    cols.append(np.array([i_soc, i_soc + n]))
    vals.append(np.array([1.0, -1.0]))
    rhs.append(np.zeros(1))
    n_rows += 1
    a_ub = sp.csr_array(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n_rows, n_var)
    )
    b_ub = np.concatenate(rhs)

    # Equalities: soc_{t+1} − soc_t − eta dt ch + dt/eta dis = 0; Σ σ dt = energy.
    n_occ = len(arrays.occurrences)
    eq_r = np.concatenate([steps, steps, steps, steps, n + p_occ])
    eq_c = np.concatenate([i_soc + steps + 1, i_soc + steps, i_ch + steps, i_dis + steps,
                           i_sh + np.arange(n_pairs)])  # fmt: skip
    eq_v = np.concatenate([np.ones(n), -np.ones(n), np.full(n, -eta * dt), np.full(n, dt / eta),
                           np.full(n_pairs, dt)])  # fmt: skip
    a_eq = sp.csr_array((eq_v, (eq_r, eq_c)), shape=(n + n_occ, n_var))
    b_eq = np.concatenate([np.zeros(n), [o.energy_kwh for o in arrays.occurrences]])

    lower = np.zeros(n_var)
    upper = np.full(n_var, np.inf)
    upper[i_ch:i_soc] = power_kw
    lower[i_soc:i_sh] = smin
    upper[i_soc:i_sh] = smax
    occ_load = np.array([o.load for o in arrays.occurrences], dtype=np.int64)
    upper[i_sh:] = max_kw[occ_load[p_occ]] if n_pairs else 0.0
    cost = np.zeros(n_var)
    cost[0] = 1.0
    result = linprog(
        cost,
        A_ub=a_ub,
        b_ub=b_ub,
        A_eq=a_eq,
        b_eq=b_eq,
        bounds=np.column_stack([lower, upper]),
        method="highs",
    )
    empty = np.zeros(0)
    if result.status != 0:
        return OverlapSolution(None, str(result.message), empty, empty, empty, empty)
    x = np.asarray(result.x, dtype=float)
    shift = np.zeros((n_loads, n))
    np.add.at(shift, (occ_load[p_occ], p_step), x[i_sh:])
    return OverlapSolution(
        import_kw=float(x[0]),
        message=str(result.message),
        shift_kw=np.clip(shift, 0.0, None),
        charge_kw=np.clip(x[i_ch:i_dis], 0.0, power_kw),
        discharge_kw=np.clip(x[i_dis:i_soc], 0.0, power_kw),
        soc_kwh=np.clip(x[i_soc:i_sh], smin, smax),
    )
