"""A reduced national-shape scenario runs end to end and keeps the invariants."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from netruimte.waitlist import CapacityMode, compile_scenario, monte_carlo, run_compiled
from tests.waitlist.national import national_scenario


def test_reduced_national_scenario_peak_and_profile() -> None:
    sc = national_scenario(
        3, n_regions=3, n_stations=30, n_offtake=1400, n_feedin=850, years=4, profiles=True
    )
    assert sc.capacity_mode is CapacityMode.PROFILE
    for scenario in (sc, replace(sc, capacity="peak")):
        raw = run_compiled(compile_scenario(scenario))
        assert np.all(raw.walk.room_hist_mw >= -1e-9)
        assert np.all((raw.walk.status == 1) == (raw.walk.grant_m >= 0))
        assert 0 < int((raw.walk.status == 1).sum()) < 2250
    res = monte_carlo(sc, 4, 1)
    assert len(res.requests) == 2250
    assert res.to_json_dict()["requests"][0].keys() >= {"granted_p10", "granted_p50", "granted_p90"}
