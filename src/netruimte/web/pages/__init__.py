"""Server-rendered pages: Jinja2 templates, a small CSS file, Plotly served locally.

``install(app)`` (called by :func:`netruimte.web.app.create_app`) adds:

=============================  ==============  ============================================
page                           who             what a person sees
=============================  ==============  ============================================
``/``                          everyone        what the service is, where to go
``/map``                       everyone        the stations on a map, coloured by room
``/capacity-map``              everyone        every station coloured as on the capacity map
``/stations/{id}``             everyone        room over time, planned capacity, queue figures
``/login``                     everyone        the token form (sets the sign-in cookie)
``/queue``                     operators       the requests in queue order, with filters
``/requests``                  signed in       own requests with rank now and expected dates
``/requests/{id}``             owner/operator  "my request": rank, P50/P90, why, alternatives
``/site-planner``              signed in       upload a load profile or site file
``/site-plans/{id}``           owner/operator  the plan, its report, attach it to a request
``/requests/new``              signed in       file a request (:mod:`.applicant`)
``/operator``                  operators       the operator's home: what waits for them
``/operator/moments``          operators       preview and run an allocation moment
``/operator/claims``           operators       decide priority claims with their evidence
``/operator/forecasts``        operators       a reinforcement what-if; two forecasts compared
``/operator/scenario``         operators       import and export the scenario
``/operator/audit``            operators       the audit trail and its verification
``/operator/users``            operators       add, revoke, rotate users' tokens
=============================  ==============  ============================================

Every form carries the session's form token (``csrf_token``) and every action button its
``data-action`` (DESIGN.md "Pages"); the actions are listed in :mod:`.applicant`,
:mod:`.operator` and :mod:`.admin`.

Every page has a JSON twin: the same URL with ``?format=json`` (or ``Accept:
application/json``) answers the data the page shows (:mod:`netruimte.web.pages.render`).
Pages are left out of the OpenAPI document; the JSON API stays under ``/api/v1``.
"""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from netruimte.web.pages import (
    admin,
    applicant,
    assets,
    geomap,
    operator,
    planner,
    public,
    requests,
    session,
)
from netruimte.web.pages.throttle import SignInThrottle

__all__ = ["PAGE_ROUTERS", "STATIC_DIR", "install"]

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"

PAGE_ROUTERS = (
    public.router,
    geomap.router,
    session.router,
    applicant.router,  # /requests/new before /requests/{id}
    requests.router,
    planner.router,
    operator.router,
    admin.router,
)
"""The routers of the pages (every route a :class:`~netruimte.web.pages.render.PageRoute`)."""


def install(app: FastAPI) -> None:
    """Add the pages, ``/static`` (CSS, ``charts.js``) and Plotly's JavaScript to the app."""
    app.state.sign_in_throttle = SignInThrottle()
    app.include_router(assets.router)
    for router in PAGE_ROUTERS:
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
