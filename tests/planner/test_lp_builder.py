"""The sparse LP itself: each constraint family's rows, the CSC arrays, the subgradients the
decomposition relies on, the day sample, and bad or unbounded input."""

from __future__ import annotations

import dataclasses
import datetime as dt

import numpy as np
import pandas as pd
import pytest
import scipy.sparse as sp

from netruimte.errors import InputError, NoSolutionError
from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    Objective,
    Restriction,
    ShiftableLoad,
    Site,
    Tariff,
)
from netruimte.planner.lp import Mode, ModelSpec, build_model, lp_inputs, min_cost
from netruimte.planner.lp.sample import sample_days, subset_inputs
from netruimte.planner.lp.solve import LpSolver
from tests.planner.conftest import series


def _busy_site(n: int = 96 * 3, start: str = "2025-01-06 00:00") -> Site:
    rng = np.random.default_rng(3)
    load = series(50 + 30 * rng.random(n), start)
    hours = np.asarray(load.index.hour + load.index.minute / 60)
    shape = pd.Series(np.clip(np.sin((hours - 6) / 12 * np.pi), 0, None), index=load.index)
    return Site(
        name="busy",
        load_kw=load,
        objective=Objective.MIN_COST,
        pv=PV(kw_per_kwp=shape, kwp=20.0, max_kwp=100.0, cost_eur_per_kwp_year=60.0),
        battery=Battery(
            energy_kwh=10.0,
            power_kw=5.0,
            max_energy_kwh=300.0,
            max_power_kw=150.0,
            cost_eur_per_kwh_year=30.0,
            cost_eur_per_kw_year=15.0,
            soc_min=0.1,
            soc_max=0.9,
        ),
        shiftable=(ShiftableLoad("ev", 40.0, 20.0, DailyWindow(dt.time(19), dt.time(7))),),
        curtailable=(CurtailableLoad("a", 10.0, 0.5), CurtailableLoad("b", 60.0, 0.7)),
        connection=Connection(
            import_kw=None,
            export_kw=30.0,
            restrictions=(Restriction((DailyWindow(dt.time(17), dt.time(18)),), 40.0),),
        ),
        tariff=Tariff(
            contracted_eur_per_kw_year=40.0,
            kwmax_eur_per_kw_month=4.0,
            energy_eur_per_kwh=0.2,
            feed_in_eur_per_kwh=0.05,
        ),
    )


def _matrix(model) -> sp.csc_array:  # type: ignore[no-untyped-def]
    return sp.csc_array(
        (model.a_value, model.a_index, model.a_start), shape=(model.num_row, model.num_col)
    )


def test_every_family_has_its_rows() -> None:
    site = _busy_site()
    inp = lp_inputs(site)
    n = inp.steps
    model = build_model(inp, ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=100.0))
    rows = {name: len(r) for name, r in model.rows.items()}
    sunny = int((inp.pv_kw_per_kwp > 0).sum())
    assert rows["balance"] == n
    assert rows["pv"] == sunny
    assert rows["soc"] == n
    assert rows["soc_cyclic"] == 1
    assert rows["soc_max"] == n + 1  # every state and the start
    assert rows["soc_min"] == n + 1  # soc_min > 0
    assert rows["charge_max"] == rows["discharge_max"] == n
    assert rows["contracted"] == inp.months  # M_m <= C, kW-max priced
    assert rows["kwmax"] == n
    assert rows["shiftable"] == len(inp.occurrences) == 4  # 3 evenings + the cut first night
    # Together ≤ load only where 10 + min(60, load) could exceed the load (loads of 50-80 kW).
    assert rows["curtail_total"] == int((10 + np.minimum(60, inp.load_kw) > inp.load_kw).sum())
    assert 0 < rows["curtail_total"] < n
    assert sum(rows.values()) == model.num_row
    v = model.columns
    assert len(v.unserved_kw) == int(np.isfinite(inp.restriction_kw).sum()) == 3 * 4
    assert set(v.sizing()) == {"pv_new_kwp", "battery_new_kwh", "battery_new_kw"}
    matrix = _matrix(model)
    assert matrix.nnz == model.num_nz
    assert len(model.a_start) == model.num_col + 1
    # Without sizing the limits are bounds, not rows.
    plain = build_model(
        lp_inputs(site, sizing=False), ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=1.0)
    )
    assert not {"pv", "soc_max", "soc_min", "charge_max", "discharge_max"} & set(plain.rows)


def test_a_hand_made_dispatch_satisfies_the_rows() -> None:
    """Idle battery, no flexibility used beyond the shiftable load spread evenly, import the
    rest: the rows of the built matrix hold for it."""
    site = dataclasses.replace(_busy_site(), curtailable=())
    inp = lp_inputs(site)
    model = build_model(inp, ModelSpec(Mode.COST))
    v = model.columns
    x = np.zeros(model.num_col)
    shift = np.zeros(inp.steps)
    for number, occ in enumerate(inp.occurrences):
        steps = occ.window_steps()
        x[v.shift_kw[v.shift_occurrence == number]] = occ.energy_kwh / (0.25 * len(steps))
        shift[steps] += occ.energy_kwh / (0.25 * len(steps))
    pv = inp.pv_kw_per_kwp * inp.pv_kwp
    net = inp.load_kw + shift - pv
    x[v.import_kw] = np.maximum(net, 0)
    x[v.export_kw] = np.maximum(-net, 0)
    assert v.pv_kw is not None and v.soc_kwh is not None and v.soc_start_kwh is not None
    x[v.pv_kw] = pv
    x[v.soc_kwh] = 5.0
    x[v.soc_start_kwh] = 5.0
    assert v.contracted_kw is not None and v.kwmax_kw is not None
    x[v.kwmax_kw] = x[v.import_kw].max()
    x[v.contracted_kw] = x[v.import_kw].max()
    activity = _matrix(model) @ x
    assert bool((activity >= model.row_lower - 1e-9).all())
    assert bool((activity <= model.row_upper + 1e-9).all())


def test_reduced_costs_of_fixed_sizing_are_subgradients() -> None:
    """The cut F(y) >= F(x) + g·(y − x) of the decomposition holds at random pairs."""
    inp = lp_inputs(_busy_site(n=96))
    model = build_model(inp, ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=50.0))
    cols = np.array(list(model.columns.sizing().values()))
    upper = model.col_upper[cols]
    solver = LpSolver(model)
    rng = np.random.default_rng(11)

    def value(x: np.ndarray) -> tuple[float, np.ndarray]:
        solver.fix_columns(cols, x)
        solution = solver.solve_optimal("test")
        return solution.objective, solution.col_dual[cols]

    for _ in range(8):
        x = rng.random(3) * upper
        fx, gx = value(x)
        for _ in range(3):
            y = rng.random(3) * upper
            fy, _ = value(y)
            assert fy >= fx + gx @ (y - x) - 1e-6 * max(1.0, abs(fx))


def test_sample_days_stand_for_their_months() -> None:
    idx = pd.date_range(
        pd.Timestamp("2025-01-01").tz_localize("Europe/Amsterdam"),
        pd.Timestamp("2025-03-01").tz_localize("Europe/Amsterdam"),
        freq="15min",
        inclusive="left",
    )
    load = pd.Series(10.0, index=idx)
    load.iloc[96 * 20 + 40] = 99.0  # the January peak is on 21 January
    inp = lp_inputs(Site(name="s", load_kw=load))
    steps, weight = sample_days(inp, peak_days=1, ordinary_days=2)
    sample = subset_inputs(inp, steps, weight)
    assert len(steps) == 96 * 6  # three days in each of two months
    assert sample.load_kw.max() == 99.0
    # Each month's weights add up to its days, so energy terms stand for the whole month.
    for month, days in ((0, 31), (1, 28)):
        assert sample.step_weight[sample.month_of_step == month].sum() == pytest.approx(96 * days)
    assert len(sample.segment_start) == 6  # every sampled day cycles its battery on its own
    model = build_model(
        dataclasses.replace(
            sample, battery=dataclasses.replace(sample.battery, energy_kwh=1.0, power_kw=1.0)
        ),
        ModelSpec(Mode.COST),
    )
    assert len(model.rows["soc_cyclic"]) == 6


def test_negative_load_is_bad_input() -> None:
    site = Site(name="x", load_kw=series([1.0, -2.0]))
    with pytest.raises(InputError, match="base load >= 0"):
        min_cost(site)


def test_unbounded_arbitrage_is_no_solution() -> None:
    """Feed-in pays 0.3 EUR/kWh, import costs 0.1, export and import unlimited and free."""
    site = Site(
        name="x",
        load_kw=series([1.0, 1.0]),
        connection=Connection(import_kw=None, export_kw=None),
        tariff=Tariff(energy_eur_per_kwh=0.1, feed_in_eur_per_kwh=0.3),
    )
    with pytest.raises(NoSolutionError, match=r"no least cost: in 2 quarter-hours"):
        min_cost(site)
    capped = dataclasses.replace(site, connection=Connection(import_kw=None, export_kw=5.0))
    result = min_cost(capped)  # bounded by the export limit
    assert result.export_kw == 5.0
