"""Loading and validating input files into the pure types of the core.

* :func:`load_site`: a site file (TOML, ``docs/site-file.md``) into a
  :class:`~netruimte.planner.site.Site`;
* :func:`read_price_csv`: an energy price series (``eur_per_kwh``);
* :func:`load_scenario`: a waiting-list scenario (TOML, ``docs/scenario-file.md``) into a
  :class:`~netruimte.waitlist.Scenario`; :func:`load_requests_csv`: requests from CSV.

Names are imported on first use (PEP 562): the waiting-list loaders in this package do not
load the planner.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from netruimte._util import lazy_exports

if TYPE_CHECKING:
    from netruimte.scenario.prices import PRICE_COLUMN, read_price_csv
    from netruimte.scenario.site_toml import load_site, parse_window
    from netruimte.scenario.waitlist_csv import load_requests_csv
    from netruimte.scenario.waitlist_toml import load_scenario

_HOME = {
    "PRICE_COLUMN": "prices",
    "read_price_csv": "prices",
    "load_site": "site_toml",
    "parse_window": "site_toml",
    "load_requests_csv": "waitlist_csv",
    "load_scenario": "waitlist_toml",
}

__all__ = [
    "PRICE_COLUMN",
    "load_requests_csv",
    "load_scenario",
    "load_site",
    "parse_window",
    "read_price_csv",
]


__getattr__, __dir__ = lazy_exports(__name__, _HOME)
