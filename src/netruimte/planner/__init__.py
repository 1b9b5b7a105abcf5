"""The site planner: the smallest connection a site can live with, and what it takes.

* :mod:`netruimte.planner.site`: the site model (frozen dataclasses);
* :func:`min_connection`: the exact fast engine for ``min-connection``;
* :class:`PlanResult`: the one result type of both engines (fast and LP);
* :func:`tradeoff_curve`: connection kW against battery size;
* :func:`verify_dispatch`: an independent feasibility check of any dispatch.

Names are imported on first use (PEP 562), so ``import netruimte.planner.site`` does not load
numba. Pure: no web, database or CLI framework is imported here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netruimte._util import lazy_exports

if TYPE_CHECKING:
    from netruimte.planner.curve import (
        DEFAULT_C_RATE,
        CurvePoint,
        parse_battery_range,
        tradeoff_curve,
    )
    from netruimte.planner.dispatch import SHIFTABLE_PREFIX, dispatch_frame, verify_dispatch
    from netruimte.planner.fast import (
        L_TOLERANCE_KW,
        Method,
        min_connection,
    )
    from netruimte.planner.result import PlanResult, PlanStatus
    from netruimte.planner.site import (
        PV,
        Battery,
        Connection,
        CurtailableLoad,
        DailyWindow,
        Economics,
        Objective,
        Restriction,
        ShiftableLoad,
        Site,
        Tariff,
    )

_HOME = {
    "DEFAULT_C_RATE": "curve",
    "CurvePoint": "curve",
    "parse_battery_range": "curve",
    "tradeoff_curve": "curve",
    "SHIFTABLE_PREFIX": "dispatch",
    "dispatch_frame": "dispatch",
    "verify_dispatch": "dispatch",
    "L_TOLERANCE_KW": "fast",
    "Method": "fast",
    "PlanResult": "result",
    "PlanStatus": "result",
    "min_connection": "fast",
    "PV": "site",
    "Battery": "site",
    "Connection": "site",
    "CurtailableLoad": "site",
    "DailyWindow": "site",
    "Economics": "site",
    "Objective": "site",
    "Restriction": "site",
    "ShiftableLoad": "site",
    "Site": "site",
    "Tariff": "site",
}

__all__ = [
    "DEFAULT_C_RATE",
    "L_TOLERANCE_KW",
    "PV",
    "SHIFTABLE_PREFIX",
    "Battery",
    "Connection",
    "CurtailableLoad",
    "CurvePoint",
    "DailyWindow",
    "Economics",
    "Method",
    "Objective",
    "PlanResult",
    "PlanStatus",
    "Restriction",
    "ShiftableLoad",
    "Site",
    "Tariff",
    "dispatch_frame",
    "min_connection",
    "parse_battery_range",
    "tradeoff_curve",
    "verify_dispatch",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
