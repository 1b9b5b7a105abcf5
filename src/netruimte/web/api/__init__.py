"""The versioned JSON API, mounted at ``/api/v1``."""

from __future__ import annotations

from fastapi import APIRouter

from netruimte.web.api import grid, public, register, requests, runs, siteplans

__all__ = ["API_PREFIX", "router"]

API_PREFIX = "/api/v1"

router = APIRouter(prefix=API_PREFIX)
router.include_router(public.router)
router.include_router(register.router)
router.include_router(grid.router)
router.include_router(requests.router)
router.include_router(runs.router)
router.include_router(siteplans.router)
