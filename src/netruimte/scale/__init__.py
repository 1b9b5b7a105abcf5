"""Scale-out on Dask: fleets of site plans and Monte Carlo of the waiting list.

* :mod:`netruimte.scale.cluster`: a client to a local cluster (default) or ``tcp://HOST:PORT``;
* :mod:`netruimte.scale.fleet_input`: a fleet from a folder of site TOMLs or one CSV;
* :mod:`netruimte.scale.fleet`: one Dask task per site, results to Parquet and a summary;
* :mod:`netruimte.scale.montecarlo`: :func:`monte_carlo_distributed`, the same numbers as
  :func:`netruimte.waitlist.monte_carlo`.

Outside the pure core: this package imports Dask. Submodules load on first use (PEP 562), so
``import netruimte.scale`` alone does not import Dask.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netruimte._util import lazy_exports

if TYPE_CHECKING:
    from netruimte.scale.cluster import dask_client, parse_scheduler
    from netruimte.scale.fleet import (
        FleetResult,
        SiteRow,
        SiteStatus,
        plan_fleet,
        plan_fleet_sequential,
        read_results,
        write_results,
    )
    from netruimte.scale.fleet_input import Fleet, FleetEntry, load_fleet
    from netruimte.scale.montecarlo import monte_carlo_distributed

_HOME = {
    "dask_client": "cluster",
    "parse_scheduler": "cluster",
    "FleetResult": "fleet",
    "SiteRow": "fleet",
    "SiteStatus": "fleet",
    "plan_fleet": "fleet",
    "plan_fleet_sequential": "fleet",
    "read_results": "fleet",
    "write_results": "fleet",
    "Fleet": "fleet_input",
    "FleetEntry": "fleet_input",
    "load_fleet": "fleet_input",
    "monte_carlo_distributed": "montecarlo",
}

__all__ = [
    "Fleet",
    "FleetEntry",
    "FleetResult",
    "SiteRow",
    "SiteStatus",
    "dask_client",
    "load_fleet",
    "monte_carlo_distributed",
    "parse_scheduler",
    "plan_fleet",
    "plan_fleet_sequential",
    "read_results",
    "write_results",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
