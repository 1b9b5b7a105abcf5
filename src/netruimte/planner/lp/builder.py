"""Assemble the site LP as sparse arrays: one ``add_*_constraints`` function per family.

The formulation is written out in ``docs/formulation.md``; the names there (sets, variables,
constraint families) are the names here. Nothing is built per variable: every family adds
whole blocks of columns, rows and coefficients as numpy arrays, and :meth:`LpBuilder.build`
turns them into one compressed-sparse-column matrix for HiGHS.

Columns (per step ``t``): ``import_kw`` p, ``export_kw`` e, ``pv_kw`` g (PV used),
``charge_kw`` c, ``discharge_kw`` d, ``soc_kwh`` s (end of step), ``curtail_kw`` r (per
curtailable load), ``shift_kw`` q (per shiftable occurrence step), ``unserved_kw`` u (elastic
mode, capped steps only); ``soc_start_kwh`` per segment (one for a whole profile); the sizing
columns ``pv_new_kwp`` K, ``battery_new_kwh`` E, ``battery_new_kw`` P; ``contracted_kw`` C;
``kwmax_kw`` M per month.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from netruimte.conventions import HOURS_PER_STEP, FloatArray, IntArray
from netruimte.planner.lp.inputs import LpInputs

__all__ = [
    "Columns",
    "LpBuilder",
    "LpModel",
    "Mode",
    "ModelSpec",
    "add_balance_constraints",
    "add_battery_constraints",
    "add_curtailable_constraints",
    "add_export_limit_constraints",
    "add_import_limit_constraints",
    "add_kwmax_constraints",
    "add_monthly_peak_rows",
    "add_pv_constraints",
    "add_restriction_constraints",
    "add_shiftable_constraints",
    "add_variables",
    "build_model",
]

DT = HOURS_PER_STEP


class Mode(StrEnum):
    """What the objective of a model is."""

    COST = "cost"
    """Minimise the cost of the profile span (``min-cost``)."""
    CONNECTION = "connection"
    """Minimise the constant import limit ``C`` (``min-connection``)."""
    FEASIBILITY = "feasibility"
    """Minimise the unserved energy (a phase-1 model that explains infeasibility)."""


@dataclass(frozen=True)
class ModelSpec:
    """How to build a model from :class:`~netruimte.planner.lp.inputs.LpInputs`.

    Attributes
    ----------
    mode
        The objective.
    elastic
        Add ``unserved_kw`` columns in every step whose import is capped (a fixed limit or a
        restriction window), so the model is feasible for any sizing; in ``COST`` mode they
        cost ``penalty_eur_per_kwh``. ``FEASIBILITY`` mode is always elastic.
    penalty_eur_per_kwh
        Cost of unserved energy in ``COST`` mode.
    """

    mode: Mode
    elastic: bool = False
    penalty_eur_per_kwh: float = 0.0


@dataclass
class _Block:
    start: int
    lower: FloatArray
    upper: FloatArray
    cost: FloatArray

    @property
    def cols(self) -> IntArray:
        return np.arange(self.start, self.start + len(self.lower), dtype=np.int64)


class LpBuilder:
    """Collects column blocks, row blocks and coefficient triplets, then builds the model."""

    def __init__(self) -> None:
        self._blocks: dict[str, _Block] = {}
        self._rows: dict[str, tuple[int, FloatArray, FloatArray]] = {}
        self._entries: list[tuple[IntArray, IntArray, FloatArray]] = []
        self.num_col = 0
        self.num_row = 0
        self.offset = 0.0

    def add_columns(
        self, name: str, size: int, *, lower: float = 0.0, upper: float = np.inf
    ) -> IntArray:
        """Add ``size`` columns with these bounds and zero cost; return their indices."""
        block = _Block(self.num_col, np.full(size, lower), np.full(size, upper), np.zeros(size))
        self._blocks[name] = block
        self.num_col += size
        return block.cols

    def block(self, name: str) -> _Block:
        """The mutable bounds and costs of a column block."""
        return self._blocks[name]

    def add_rows(self, name: str, lower: FloatArray, upper: FloatArray) -> IntArray:
        """Add rows ``lower <= A x <= upper`` (coefficients via :meth:`add_entries`)."""
        lower = np.asarray(lower, dtype=float)
        upper = np.broadcast_to(np.asarray(upper, dtype=float), lower.shape).copy()
        if name in self._rows:
            raise ValueError(f"row block {name!r} added twice")
        self._rows[name] = (self.num_row, lower, upper)
        rows = np.arange(self.num_row, self.num_row + len(lower), dtype=np.int64)
        self.num_row += len(lower)
        return rows

    def add_entries(self, rows: npt.ArrayLike, cols: npt.ArrayLike, values: npt.ArrayLike) -> None:
        """Add coefficients ``A[rows, cols] += values`` (broadcast)."""
        r, c, v = np.broadcast_arrays(
            np.asarray(rows, dtype=np.int64),
            np.asarray(cols, dtype=np.int64),
            np.asarray(values, dtype=float),
        )
        self._entries.append((r.ravel(), c.ravel(), v.ravel()))

    def build(self, columns: Columns, spec: ModelSpec, inputs: LpInputs) -> LpModel:
        """The model as CSC arrays for HiGHS."""
        blocks = sorted(self._blocks.values(), key=lambda b: b.start)
        lower = np.concatenate([b.lower for b in blocks]) if blocks else np.zeros(0)
        upper = np.concatenate([b.upper for b in blocks]) if blocks else np.zeros(0)
        cost = np.concatenate([b.cost for b in blocks]) if blocks else np.zeros(0)
        row_items = sorted(self._rows.values(), key=lambda item: item[0])
        row_lower = np.concatenate([item[1] for item in row_items]) if row_items else np.zeros(0)
        row_upper = np.concatenate([item[2] for item in row_items]) if row_items else np.zeros(0)
        if self._entries:
            r = np.concatenate([e[0] for e in self._entries])
            c = np.concatenate([e[1] for e in self._entries])
            v = np.concatenate([e[2] for e in self._entries])
        else:
            r = c = np.zeros(0, dtype=np.int64)
            v = np.zeros(0)
        matrix = sp.csc_array((v, (r, c)), shape=(self.num_row, self.num_col))
        matrix.sum_duplicates()
        row_blocks = {
            name: np.arange(start, start + len(lo), dtype=np.int64)
            for name, (start, lo, _) in self._rows.items()
        }
        return LpModel(
            num_col=self.num_col,
            num_row=self.num_row,
            col_cost=cost,
            col_lower=lower,
            col_upper=upper,
            row_lower=row_lower,
            row_upper=row_upper,
            a_start=np.asarray(matrix.indptr, dtype=np.int32),
            a_index=np.asarray(matrix.indices, dtype=np.int32),
            a_value=np.asarray(matrix.data, dtype=float),
            offset=self.offset,
            columns=columns,
            rows=MappingProxyType(row_blocks),
            spec=spec,
            inputs=inputs,
        )


@dataclass(frozen=True)
class Columns:
    """Where each variable lives in the column vector (``None``: not in this model).

    Per-step blocks have one entry per step; ``curtail_kw`` has shape ``(loads, n)``;
    the shiftable pairs are flat: ``shift_kw[k]`` is the power of occurrence
    ``shift_occurrence[k]`` in step ``shift_step[k]``; ``unserved_kw[k]`` belongs to step
    ``unserved_step[k]``.
    """

    import_kw: IntArray
    export_kw: IntArray
    pv_kw: IntArray | None
    charge_kw: IntArray | None
    discharge_kw: IntArray | None
    soc_kwh: IntArray | None
    soc_start_kwh: IntArray | None
    curtail_kw: npt.NDArray[np.int64]
    shift_kw: IntArray
    shift_step: IntArray
    shift_occurrence: IntArray
    unserved_kw: IntArray
    unserved_step: IntArray
    pv_new_kwp: int | None
    battery_new_kwh: int | None
    battery_new_kw: int | None
    contracted_kw: int | None
    kwmax_kw: IntArray | None

    def sizing(self) -> dict[str, int]:
        """The sizing columns present: name → column."""
        found = {
            "pv_new_kwp": self.pv_new_kwp,
            "battery_new_kwh": self.battery_new_kwh,
            "battery_new_kw": self.battery_new_kw,
        }
        return {name: col for name, col in found.items() if col is not None}


@dataclass(frozen=True)
class LpModel:
    """A built LP: ``min cost·x + offset`` s.t. ``row_lower <= A x <= row_upper`` and column
    bounds; ``A`` in CSC arrays (``a_start``, ``a_index``, ``a_value``)."""

    num_col: int
    num_row: int
    col_cost: FloatArray
    col_lower: FloatArray
    col_upper: FloatArray
    row_lower: FloatArray
    row_upper: FloatArray
    a_start: npt.NDArray[np.int32]
    a_index: npt.NDArray[np.int32]
    a_value: FloatArray
    offset: float
    columns: Columns
    rows: Mapping[str, IntArray] = field(repr=False)
    spec: ModelSpec = field(repr=False)
    inputs: LpInputs = field(repr=False)

    @property
    def num_nz(self) -> int:
        """Number of nonzero coefficients."""
        return len(self.a_value)


def _has_contracted_column(inp: LpInputs, spec: ModelSpec) -> bool:
    return spec.mode is Mode.CONNECTION or (spec.mode is Mode.COST and inp.import_limit_kw is None)


def _has_kwmax_columns(inp: LpInputs, spec: ModelSpec) -> bool:
    return spec.mode is Mode.COST and inp.kwmax_eur_per_kw_month > 0


def add_variables(b: LpBuilder, inp: LpInputs, spec: ModelSpec) -> Columns:
    """Create every column (bounds ``[0, inf)``) and set the objective coefficients.

    Bounds are set by the constraint families; the objective is the one of
    ``docs/formulation.md`` for the model's mode.
    """
    n = inp.steps
    bat = inp.battery
    weight = inp.step_weight
    cost_mode = spec.mode is Mode.COST
    imp = b.add_columns("import_kw", n)
    exp = b.add_columns("export_kw", n)
    has_pv = bool(inp.pv_kw_per_kwp.max(initial=0.0) > 0) and inp.pv_kwp + inp.pv_max_kwp > 0
    pv = b.add_columns("pv_kw", n) if has_pv else None
    charge = discharge = soc = soc_start = None
    if bat.present:
        charge = b.add_columns("charge_kw", n)
        discharge = b.add_columns("discharge_kw", n)
        soc = b.add_columns("soc_kwh", n)
        soc_start = b.add_columns("soc_start_kwh", len(inp.segment_start))
    curtail = np.zeros((len(inp.curtailable_names), n), dtype=np.int64)
    for number, name in enumerate(inp.curtailable_names):
        curtail[number] = b.add_columns(f"curtail_kw:{name}", n)
    steps = [occ.window_steps() for occ in inp.occurrences]
    shift_step = np.concatenate(steps) if steps else np.zeros(0, dtype=np.int64)
    shift_occ = np.repeat(np.arange(len(steps), dtype=np.int64), [len(s) for s in steps])
    shift = b.add_columns("shift_kw", len(shift_step))
    elastic = spec.elastic or spec.mode is Mode.FEASIBILITY
    capped = np.isfinite(inp.restriction_kw)
    if inp.import_limit_kw is not None and spec.mode is not Mode.CONNECTION:
        capped = np.ones(n, dtype=bool)
    unserved_step = np.flatnonzero(capped) if elastic else np.zeros(0, dtype=np.int64)
    unserved = b.add_columns("unserved_kw", len(unserved_step))
    pv_new = None
    if has_pv and inp.pv_max_kwp > 0:
        pv_new = int(b.add_columns("pv_new_kwp", 1, upper=inp.pv_max_kwp)[0])
    bat_kwh = bat_kw = None
    if bat.present and bat.max_energy_kwh > 0:
        bat_kwh = int(b.add_columns("battery_new_kwh", 1, upper=bat.max_energy_kwh)[0])
    if bat.present and bat.max_power_kw > 0:
        bat_kw = int(b.add_columns("battery_new_kw", 1, upper=bat.max_power_kw)[0])
    contracted = (
        int(b.add_columns("contracted_kw", 1)[0]) if _has_contracted_column(inp, spec) else None
    )
    kwmax = b.add_columns("kwmax_kw", inp.months) if _has_kwmax_columns(inp, spec) else None

    if cost_mode:
        b.block("import_kw").cost[:] = inp.price_eur_per_kwh * DT * weight
        b.block("export_kw").cost[:] = -inp.feed_in_eur_per_kwh * DT * weight
        for name, eur in zip(inp.curtailable_names, inp.curtail_cost_eur_per_kwh, strict=True):
            b.block(f"curtail_kw:{name}").cost[:] = eur * DT * weight
        b.block("unserved_kw").cost[:] = spec.penalty_eur_per_kwh * DT * weight[unserved_step]
        yf = inp.year_fraction
        if pv_new is not None:
            b.block("pv_new_kwp").cost[:] = inp.pv_cost_eur_per_kwp_year * yf
        if bat_kwh is not None:
            b.block("battery_new_kwh").cost[:] = bat.cost_eur_per_kwh_year * yf
        if bat_kw is not None:
            b.block("battery_new_kw").cost[:] = bat.cost_eur_per_kw_year * yf
        if contracted is not None:
            b.block("contracted_kw").cost[:] = inp.contracted_eur_per_kw_year * yf
        elif inp.import_limit_kw is not None:
            b.offset += inp.contracted_eur_per_kw_year * yf * inp.import_limit_kw
        if kwmax is not None:
            b.block("kwmax_kw").cost[:] = inp.kwmax_eur_per_kw_month * inp.month_weight
    elif spec.mode is Mode.CONNECTION:
        b.block("contracted_kw").cost[:] = 1.0
    else:
        b.block("unserved_kw").cost[:] = DT * weight[unserved_step]
    return Columns(
        import_kw=imp,
        export_kw=exp,
        pv_kw=pv,
        charge_kw=charge,
        discharge_kw=discharge,
        soc_kwh=soc,
        soc_start_kwh=soc_start,
        curtail_kw=curtail,
        shift_kw=shift,
        shift_step=shift_step,
        shift_occurrence=shift_occ,
        unserved_kw=unserved,
        unserved_step=unserved_step,
        pv_new_kwp=pv_new,
        battery_new_kwh=bat_kwh,
        battery_new_kw=bat_kw,
        contracted_kw=contracted,
        kwmax_kw=kwmax,
    )


def add_balance_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Energy balance in every step: ``p − e + g + d − c + Σr − Σq + u = load``."""
    n = inp.steps
    t = np.arange(n)
    rows = b.add_rows("balance", inp.load_kw, inp.load_kw)
    b.add_entries(rows, v.import_kw, 1.0)
    b.add_entries(rows, v.export_kw, -1.0)
    if v.pv_kw is not None:
        b.add_entries(rows, v.pv_kw, 1.0)
    if v.charge_kw is not None and v.discharge_kw is not None:
        b.add_entries(rows, v.discharge_kw, 1.0)
        b.add_entries(rows, v.charge_kw, -1.0)
    for cols in v.curtail_kw:
        b.add_entries(rows, cols, 1.0)
    b.add_entries(rows[v.shift_step], v.shift_kw, -1.0)
    b.add_entries(rows[t[v.unserved_step]], v.unserved_kw, 1.0)


def add_pv_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """PV used ``g_t <= f_t (K0 + K)``: a bound without new PV, else a row where ``f_t > 0``."""
    if v.pv_kw is None:
        return
    f = inp.pv_kw_per_kwp
    b.block("pv_kw").upper[:] = f * (inp.pv_kwp + inp.pv_max_kwp)
    if v.pv_new_kwp is None:
        return
    sunny = np.flatnonzero(f > 0)
    rows = b.add_rows("pv", np.full(len(sunny), -np.inf), f[sunny] * inp.pv_kwp)
    b.add_entries(rows, v.pv_kw[sunny], 1.0)
    b.add_entries(rows, v.pv_new_kwp, -f[sunny])


def add_battery_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """State of charge, its limits, the power limits and the cyclic condition.

    ``s_t − s_{t−1} − η Δ c_t + Δ/η d_t = 0`` (``s_{−1}`` is ``soc_start_kwh``);
    ``soc_min (E0 + E) <= s_t <= soc_max (E0 + E)``; ``c_t, d_t <= P0 + P``;
    ``s_{n−1} >= s_start``. Without new capacity the limits are column bounds.

    A profile made of several segments (a sample of days, :mod:`netruimte.planner.lp.sample`)
    has one start and one cyclic condition per segment.
    """
    if v.charge_kw is None or v.discharge_kw is None or v.soc_kwh is None:
        return
    assert v.soc_start_kwh is not None
    bat = inp.battery
    n = inp.steps
    e_max = bat.energy_kwh + bat.max_energy_kwh
    p_max = bat.power_kw + bat.max_power_kw
    b.block("charge_kw").upper[:] = p_max
    b.block("discharge_kw").upper[:] = p_max
    for name in ("soc_kwh", "soc_start_kwh"):
        b.block(name).lower[:] = bat.soc_min * bat.energy_kwh
        b.block(name).upper[:] = bat.soc_max * e_max
    first = inp.segment_start
    last = np.append(first[1:], n) - 1
    chained = np.ones(n, dtype=bool)
    chained[first] = False
    dyn = b.add_rows("soc", np.zeros(n), np.zeros(n))
    b.add_entries(dyn, v.soc_kwh, 1.0)
    b.add_entries(dyn[chained], v.soc_kwh[np.flatnonzero(chained) - 1], -1.0)
    b.add_entries(dyn[first], v.soc_start_kwh, -1.0)
    b.add_entries(dyn, v.charge_kw, -bat.eta * DT)
    b.add_entries(dyn, v.discharge_kw, DT / bat.eta)
    segments = len(first)
    cyc = b.add_rows("soc_cyclic", np.zeros(segments), np.full(segments, np.inf))
    b.add_entries(cyc, v.soc_kwh[last], 1.0)
    b.add_entries(cyc, v.soc_start_kwh, -1.0)
    if v.battery_new_kwh is not None:
        socs = np.append(v.soc_kwh, v.soc_start_kwh)
        m = len(socs)
        upper = b.add_rows("soc_max", np.full(m, -np.inf), np.full(m, bat.soc_max * bat.energy_kwh))
        b.add_entries(upper, socs, 1.0)
        b.add_entries(upper, v.battery_new_kwh, -bat.soc_max)
        if bat.soc_min > 0:
            lower = b.add_rows(
                "soc_min", np.full(m, bat.soc_min * bat.energy_kwh), np.full(m, np.inf)
            )
            b.add_entries(lower, socs, 1.0)
            b.add_entries(lower, v.battery_new_kwh, -bat.soc_min)
    if v.battery_new_kw is not None:
        for name, cols in (("charge_max", v.charge_kw), ("discharge_max", v.discharge_kw)):
            rows = b.add_rows(name, np.full(n, -np.inf), np.full(n, bat.power_kw))
            b.add_entries(rows, cols, 1.0)
            b.add_entries(rows, v.battery_new_kw, -1.0)


def add_import_limit_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Import within the connection: ``p_t <= C`` (via ``M_m <= C`` with kW-max columns), or
    the fixed limit ``p_t <= import_kw`` as a bound."""
    n = inp.steps
    if v.contracted_kw is not None:
        cols, size = (v.kwmax_kw, inp.months) if v.kwmax_kw is not None else (v.import_kw, n)
        rows = b.add_rows("contracted", np.full(size, -np.inf), np.zeros(size))
        b.add_entries(rows, cols, 1.0)
        b.add_entries(rows, v.contracted_kw, -1.0)
    elif inp.import_limit_kw is not None:
        block = b.block("import_kw")
        np.minimum(block.upper, inp.import_limit_kw, out=block.upper)


def add_restriction_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Inside restriction windows ``p_t <= restriction import_kw`` (a bound)."""
    block = b.block("import_kw")
    np.minimum(block.upper, inp.restriction_kw, out=block.upper)


def add_export_limit_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Export ``e_t <= export_kw`` (a bound; unlimited when ``inf``)."""
    b.block("export_kw").upper[:] = inp.export_kw


def add_kwmax_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Monthly peak: ``p_t <= M_{m(t)}`` for every step of month ``m``."""
    add_monthly_peak_rows(b, inp, "kwmax", v.import_kw, v.kwmax_kw)


def add_monthly_peak_rows(
    b: LpBuilder, inp: LpInputs, name: str, import_kw: IntArray, kwmax_kw: IntArray | None
) -> None:
    """Rows ``import_t - peak_{m(t)} <= 0``: the import columns (one a step) against the
    monthly peak columns (one a month); nothing when there are no peak columns."""
    if kwmax_kw is None:
        return
    n = inp.steps
    rows = b.add_rows(name, np.full(n, -np.inf), np.zeros(n))
    b.add_entries(rows, import_kw, 1.0)
    b.add_entries(rows, kwmax_kw[inp.month_of_step], -1.0)


def add_shiftable_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Each occurrence receives its energy: ``Σ_{t in window} Δ q_t = energy``; ``q <= max_kw``."""
    if not inp.occurrences:
        return
    load_of_occ = np.array([occ.load for occ in inp.occurrences], dtype=np.int64)
    b.block("shift_kw").upper[:] = inp.shift_max_kw[load_of_occ[v.shift_occurrence]]
    energy = np.array([occ.energy_kwh for occ in inp.occurrences])
    rows = b.add_rows("shiftable", energy, energy)
    b.add_entries(rows[v.shift_occurrence], v.shift_kw, DT)


def add_curtailable_constraints(b: LpBuilder, inp: LpInputs, v: Columns) -> None:
    """Reduction ``r_jt <= min(max_kw_j, load_t)``; together ``Σ_j r_jt <= load_t`` where the
    individual limits could exceed the load."""
    for name, cap in zip(inp.curtailable_names, inp.curtail_max_kw, strict=True):
        b.block(f"curtail_kw:{name}").upper[:] = cap
    if len(inp.curtailable_names) < 2:
        return
    total = inp.curtail_max_kw.sum(axis=0)
    steps = np.flatnonzero(total > inp.load_kw)
    rows = b.add_rows("curtail_total", np.full(len(steps), -np.inf), inp.load_kw[steps])
    for cols in v.curtail_kw:
        b.add_entries(rows, cols[steps], 1.0)


def build_model(inp: LpInputs, spec: ModelSpec) -> LpModel:
    """The whole LP of ``docs/formulation.md`` for these inputs and this objective."""
    b = LpBuilder()
    v = add_variables(b, inp, spec)
    add_balance_constraints(b, inp, v)
    add_pv_constraints(b, inp, v)
    add_battery_constraints(b, inp, v)
    add_import_limit_constraints(b, inp, v)
    add_restriction_constraints(b, inp, v)
    add_export_limit_constraints(b, inp, v)
    add_kwmax_constraints(b, inp, v)
    add_shiftable_constraints(b, inp, v)
    add_curtailable_constraints(b, inp, v)
    return b.build(v, spec, inp)
