"""The router of one resource of the authenticated API: its OpenAPI tag and the error answers
every route documents."""

from __future__ import annotations

from fastapi import APIRouter

from netruimte.web.api.schemas.common import ErrorOut
from netruimte.web.errors import ERROR_RESPONSES

__all__ = ["resource_router"]


def resource_router(tag: str) -> APIRouter:
    """A router for the routes of one resource, tagged ``tag``, each documenting the error
    answers of :data:`~netruimte.web.errors.ERROR_RESPONSES` with the ``ErrorOut`` body."""
    return APIRouter(
        tags=[tag], responses={k: {**v, "model": ErrorOut} for k, v in ERROR_RESPONSES.items()}
    )
