"""The versioned JSON API, mounted at ``/api/v1``."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Depends, Request

from netruimte.errors import InputError
from netruimte.web.api import grid, offers, public, register, requests, runs, siteplans

__all__ = ["API_PREFIX", "router"]

API_PREFIX = "/api/v1"


def known_query(request: Request) -> None:
    """Refuse query parameters the route does not take (a misspelt ``?o=`` is an error, as
    an unknown body field is), so that what the schema forbids is never silently ignored."""
    if not request.query_params:
        return
    route = request.scope.get("route")
    dependant = getattr(route, "dependant", None)
    if dependant is None:
        return
    allowed = _query_names(dependant)
    for name in request.query_params:
        if name not in allowed:
            expected = ", ".join(sorted(allowed)) or "none"
            raise InputError(
                f"unknown query parameter {name[:100]!r}; expected: {expected}", field=name[:100]
            )


def _query_names(dependant: Any) -> set[str]:
    names = {p.alias for p in dependant.query_params}
    for sub in dependant.dependencies:
        names |= _query_names(sub)
    return names


router = APIRouter(prefix=API_PREFIX, dependencies=[Depends(known_query)])
router.include_router(public.router)
router.include_router(register.router)
router.include_router(grid.router)
router.include_router(requests.router)
router.include_router(offers.router)
router.include_router(runs.router)
router.include_router(siteplans.router)
