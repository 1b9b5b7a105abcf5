"""netruimte: living with grid congestion.

Two halves of one problem:

* the **site planner** (:mod:`netruimte.planner`): the smallest connection a site can live with
  using PV, batteries and flexible loads, and its cost-optimal sizing;
* the **waiting list** (:mod:`netruimte.waitlist`): allocating scarce grid capacity under the
  ACM prioritisation framework.

Importing this package has no side effects and imports no heavy optional dependency.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
