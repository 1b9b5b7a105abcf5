"""The site model's own checks (for sites built in code rather than read from TOML)."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from netruimte.errors import InputError
from netruimte.planner import (
    PV,
    Battery,
    Connection,
    CurtailableLoad,
    DailyWindow,
    Restriction,
    ShiftableLoad,
    Site,
    Tariff,
)
from tests.planner.conftest import series


def test_a_valid_site_and_its_index() -> None:
    site = Site(name="ok", load_kw=series(np.ones(8)))
    assert len(site.index) == 8 and str(site.index.tz) == "Europe/Amsterdam"


@pytest.mark.parametrize(
    ("make", "field"),
    [
        (lambda: Battery(roundtrip_efficiency=1.5), "battery.roundtrip_efficiency"),
        (lambda: Battery(roundtrip_efficiency=0.0), "battery.roundtrip_efficiency"),
        (lambda: Battery(soc_min=0.5, soc_max=0.5), "battery.soc_min"),
        (lambda: Battery(energy_kwh=-1), "battery.energy_kwh"),
        (lambda: Battery(power_kw=float("nan")), "battery.power_kw"),
        (lambda: CurtailableLoad("c", -1), "flex 'c'.max_kw"),
        (lambda: ShiftableLoad("s", -1, 5, DailyWindow(dt.time(1), dt.time(2))),
         "flex 's'.daily_kwh"),
        (lambda: Restriction((), 5), "connection.restriction"),
        (lambda: Restriction((DailyWindow(dt.time(1), dt.time(2)),), -5),
         "connection.restriction.import_kw"),
        (lambda: Connection(export_kw=-1), "connection.export_kw"),
        (lambda: Connection(import_kw=float("inf")), "connection.import_kw"),
        (lambda: Tariff(kwmax_eur_per_kw_month=-2), "tariff.kwmax_eur_per_kw_month"),
        (lambda: PV(kw_per_kwp=series([0.0, -0.1]), kwp=1), "pv.kw_per_kwp"),
        (lambda: PV(kw_per_kwp=series([0.0, 0.1]), kwp=-1), "pv.kwp"),
    ],
)  # fmt: skip
def test_out_of_range_parts_are_rejected(make: object, field: str) -> None:
    with pytest.raises(InputError) as info:
        make()  # type: ignore[operator]
    assert info.value.field == field


def test_series_must_be_aligned_regular_and_finite() -> None:
    load = series(np.ones(8))
    with pytest.raises(InputError, match="site's index") as info:
        Site(name="x", load_kw=load, pv=PV(kw_per_kwp=series(np.zeros(7)), kwp=1))
    assert info.value.field == "pv.kw_per_kwp"
    with pytest.raises(InputError, match="15-minute"):
        Site(name="x", load_kw=load.iloc[[0, 1, 3, 4]])
    with pytest.raises(InputError, match="finite"):
        Site(name="x", load_kw=series([1.0, np.nan]))
    with pytest.raises(InputError, match="tz-aware"):
        Site(
            name="x",
            load_kw=pd.Series([1.0, 2.0], index=pd.date_range("2025", periods=2, freq="15min")),
        )
    with pytest.raises(InputError) as info:
        Site(name="x", load_kw=load, timezone="Europe/London")
    assert info.value.field == "site.timezone"
    prices = series(np.ones(7))
    with pytest.raises(InputError) as info:
        Site(name="x", load_kw=load, tariff=Tariff(energy_eur_per_kwh=prices))
    assert info.value.field == "tariff.energy_price_csv"


def test_flex_names_are_unique() -> None:
    window = DailyWindow(dt.time(1), dt.time(2))
    with pytest.raises(InputError, match="unique"):
        Site(
            name="x",
            load_kw=series(np.ones(8)),
            shiftable=(ShiftableLoad("a", 1, 1, window),),
            curtailable=(CurtailableLoad("a", 1),),
        )


def test_restriction_limits_per_step() -> None:
    load = series(np.ones(96))
    connection = Connection(
        restrictions=(
            Restriction((DailyWindow(dt.time(1), dt.time(3)),), 50.0),
            Restriction((DailyWindow(dt.time(2), dt.time(4)), DailyWindow(dt.time(23), dt.time(0))),
                        20.0),
        )
    )  # fmt: skip
    limits = connection.restriction_kw(load.index)
    assert limits[3] == np.inf and limits[4] == 50.0 and limits[8] == 20.0
    assert limits[15] == 20.0 and limits[16] == np.inf and limits[95] == 20.0
