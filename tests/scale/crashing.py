"""A planner that kills the worker process it runs on for one site (for the failure test)."""

from __future__ import annotations

import os

from netruimte.planner.site import Site
from netruimte.sites.plan_file import PricedPlan, plan_site

CRASH_NAME = "crash"


def crash_or_plan(site: Site) -> PricedPlan:
    """Plan the site; the site named :data:`CRASH_NAME` ends its worker process at once."""
    if site.name == CRASH_NAME:
        os._exit(13)
    return plan_site(site)
