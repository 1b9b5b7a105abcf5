"""Errors of the service layer; the web layer maps each to an HTTP status.

Bad input raises :class:`netruimte.errors.InputError` (422, naming the field) like everywhere
else in netruimte; the classes here cover what only a shared service has: objects that are not
there (or not yours), roles that may not do something, and states that forbid an action.
"""

from __future__ import annotations

from netruimte.errors import NetruimteError

__all__ = ["Conflict", "Forbidden", "NotFound", "ServiceError", "Unauthorized"]


class ServiceError(NetruimteError):
    """Base class; ``status`` is the HTTP status the API answers with."""

    status = 400

    def __init__(self, message: str) -> None:
        self.message = message
        super().__init__(message)


class NotFound(ServiceError):
    """No such object, or it belongs to another applicant (never say which)."""

    status = 404


class Forbidden(ServiceError):
    """The caller's role may not do this (e.g. an applicant triggering a run)."""

    status = 403


class Unauthorized(ServiceError):
    """No valid token where one is required."""

    status = 401


class Conflict(ServiceError):
    """The action does not fit the current state (a grant without room, a second withdrawal)."""

    status = 409
