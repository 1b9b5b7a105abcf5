"""A dispatch short of import made a plan (``repair``), and the bounds a segment is given.

The time decomposition's segments are elastic: at a contracted kW that is too low they leave
load unserved. ``import_unserved`` turns such a dispatch into a plan of the full LP (import
the unserved power, raise the month's kW-max and the contracted kW to the new peak) and
checks it against every row; the decomposition uses it as an upper bound.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
import scipy.sparse as sp

from netruimte.planner.lp import lp_inputs
from netruimte.planner.lp import temporal as temporal_module
from netruimte.planner.lp.builder import LpModel, Mode, ModelSpec, build_model
from netruimte.planner.lp.decompose import initial_sizing
from netruimte.planner.lp.plan import penalty_eur_per_kwh
from netruimte.planner.lp.repair import import_unserved, model_matrix, model_violation
from netruimte.planner.lp.segments import sizing_bounds
from netruimte.planner.lp.solve import LpSolver
from netruimte.planner.lp.temporal import solve_by_time_decomposition
from tests.planner.test_lp_temporal import _two_month_site

TOLERANCE = 1e-6


def _model(kwmax: float = 5.0, restriction_kw: float | None = None) -> LpModel:
    """The two-month site (40 kW by day, 10 kW by night), optionally capped at
    ``restriction_kw`` in every step (which gives the full model its unserved columns)."""
    site = _two_month_site(contracted_eur_per_kw_year=3000.0, kwmax_eur_per_kw_month=kwmax)
    inp = lp_inputs(site)
    if restriction_kw is not None:
        inp = dataclasses.replace(inp, restriction_kw=np.full(inp.steps, restriction_kw))
    spec = ModelSpec(Mode.COST, elastic=True, penalty_eur_per_kwh=penalty_eur_per_kwh(inp))
    return build_model(inp, spec)


def _grid_only(model: LpModel) -> np.ndarray:
    """The plan without PV or battery: import the load, kW-max and contracted kW at its peak."""
    inp, cols = model.inputs, model.columns
    x = np.zeros(model.num_col)
    x[cols.import_kw] = inp.load_kw
    assert cols.kwmax_kw is not None and cols.contracted_kw is not None
    for month in range(inp.months):
        x[cols.kwmax_kw[month]] = inp.load_kw[inp.month_of_step == month].max()
    x[cols.contracted_kw] = inp.load_kw.max()
    return x


def test_the_grid_only_plan_keeps_every_row() -> None:
    model = _model()
    assert model_violation(model, model_matrix(model), _grid_only(model)) <= 1e-12


def test_unserved_power_is_imported_and_the_kw_raised_to_the_new_peak() -> None:
    """Hand-solvable: the grid-only plan with 3 kW of the 40 kW day load in the first
    February day-step left unserved and the kW-max of February and the contracted kW at 37.
    The repair imports the 3 kW and raises both to 40: the grid-only plan and its cost."""
    model = _model()
    inp, cols = model.inputs, model.columns
    plan = _grid_only(model)
    assert cols.kwmax_kw is not None and cols.contracted_kw is not None
    step = int(np.flatnonzero((inp.month_of_step == 1) & (inp.load_kw == 40.0))[0])
    short = plan.copy()
    short[cols.import_kw[step]] -= 3.0
    short[cols.kwmax_kw[1]] = 37.0
    unserved_kw = np.zeros(inp.steps)
    unserved_kw[step] = 3.0
    found = import_unserved(model, model_matrix(model), short, unserved_kw, TOLERANCE)
    assert found is not None
    x, cost = found
    np.testing.assert_allclose(x, plan, atol=1e-12)
    assert x[cols.kwmax_kw[1]] == 40.0 and x[cols.contracted_kw] == 40.0
    assert cost == pytest.approx(float(model.col_cost @ plan) + model.offset, rel=1e-12)


def test_unserved_power_under_a_restriction_is_no_plan() -> None:
    """Every step capped at 40 kW: a step short of 3 kW at 39 kW of import would need 42."""
    model = _model(restriction_kw=40.0)
    inp, cols = model.inputs, model.columns
    x = _grid_only(model)
    step = int(np.flatnonzero(inp.load_kw == 40.0)[0])
    x[cols.import_kw[step]] = 39.0  # 1 kW unserved is fine, 3 kW is not
    unserved_kw = np.zeros(inp.steps)
    unserved_kw[step] = 3.0
    assert import_unserved(model, model_matrix(model), x, unserved_kw, TOLERANCE) is None
    unserved_kw[step] = 1.0
    x[cols.unserved_kw[np.searchsorted(cols.unserved_step, step)]] = 1.0
    found = import_unserved(model, model_matrix(model), x, unserved_kw, TOLERANCE)
    assert found is not None
    assert found[0][cols.import_kw[step]] == 40.0
    assert found[0][cols.unserved_kw].max() == 0.0


def test_a_dispatch_that_breaks_a_row_is_no_plan() -> None:
    """The same repair, but the dispatch also exports 1 kW it does not have: the balance
    row of that step is off by 1 kW, so the result is refused rather than priced."""
    model = _model()
    inp, cols = model.inputs, model.columns
    x = _grid_only(model)
    x[cols.export_kw[5]] = 1.0
    assert model_violation(model, model_matrix(model), x) == pytest.approx(1.0)
    no_unserved = np.zeros(inp.steps)
    assert import_unserved(model, model_matrix(model), x, no_unserved, TOLERANCE) is None


@pytest.mark.parametrize("segment_days", [None, 1])
@pytest.mark.parametrize("kwmax", [0.0, 5.0])
def test_every_repaired_plan_of_the_decomposition_is_an_upper_bound(
    monkeypatch: pytest.MonkeyPatch, kwmax: float, segment_days: int | None
) -> None:
    """On the two-month site the master lowers the contracted kW below the peak as the
    battery grows, so some evaluations leave load unserved; each one repaired is a plan whose
    cost is at least the full LP's optimum, and the decomposition still ends within 0.1 %."""
    model = _model(kwmax)
    inp = model.inputs
    optimum = LpSolver(model).solve_optimal("the full LP").objective
    costs: list[float] = []

    def recording(
        model: LpModel,
        matrix: sp.csr_matrix,
        x: np.ndarray,
        unserved_kw: np.ndarray,
        tolerance: float,
    ) -> tuple[np.ndarray, float] | None:
        found = import_unserved(model, matrix, x, unserved_kw, tolerance)
        if found is not None:
            assert model_violation(model, matrix, found[0]) <= tolerance
            costs.append(found[1])
        return found

    monkeypatch.setattr(temporal_module, "import_unserved", recording)
    x0 = initial_sizing(inp, tuple(model.columns.sizing()))
    penalty = penalty_eur_per_kwh(inp)
    solution, _, report = solve_by_time_decomposition(
        model, x0, penalty_eur_per_kwh=penalty, segment_days=segment_days
    )
    assert solution is not None
    assert costs, "no evaluation was repaired: the test site no longer exercises the repair"
    assert min(costs) >= optimum * (1 - 1e-9)
    assert report.lower_bound_eur <= optimum * (1 + 1e-9)
    assert optimum * (1 - 1e-9) <= report.upper_bound_eur <= optimum * (1 + 1e-3)


def test_sizing_bounds_give_only_what_changed() -> None:
    """A segment holding 10 kWp, 100 kWh and 50 kW is moved to 10 kWp, 120 kWh, 50 kW: only
    the state-of-charge bounds change. A new kWp changes PV only where the sun shines."""
    model = _model()
    cols, inp = model.columns, model.inputs
    shape = inp.pv_kw_per_kwp
    battery = inp.battery
    everything, _, _ = sizing_bounds(cols, shape, battery, 10.0, 100.0, 50.0)
    assert len(everything) == 4 * inp.steps
    soc, low, high = sizing_bounds(cols, shape, battery, 10.0, 120.0, 50.0, (10.0, 100.0, 50.0))
    assert cols.soc_kwh is not None
    np.testing.assert_array_equal(soc, cols.soc_kwh)
    np.testing.assert_allclose(high, battery.soc_max * 120.0)
    np.testing.assert_allclose(low, battery.soc_min * 120.0)
    pv, _, high = sizing_bounds(cols, shape, battery, 12.0, 120.0, 50.0, (10.0, 120.0, 50.0))
    assert cols.pv_kw is not None
    np.testing.assert_array_equal(pv, cols.pv_kw[shape > 0])
    np.testing.assert_allclose(high, 12.0 * shape[shape > 0])
    none, _, _ = sizing_bounds(cols, shape, battery, 12.0, 120.0, 50.0, (12.0, 120.0, 50.0))
    assert len(none) == 0
