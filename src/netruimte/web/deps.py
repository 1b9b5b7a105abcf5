"""FastAPI dependencies: the database, the caller, the job worker."""

from __future__ import annotations

from typing import Annotated

from fastapi import BackgroundTasks, Depends, Path, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from netruimte.access.auth import Principal, authenticate
from netruimte.jobs.worker import Worker
from netruimte.storage import Database

__all__ = [
    "Caller",
    "Db",
    "IntId",
    "TextId",
    "bearer",
    "get_db",
    "get_principal",
    "wake_worker",
]

TEXT_ID_PATTERN = r"^[^\x00-\x1f\x7f]+$"
"""Ids in paths: 1-100 characters, no control characters (PostgreSQL refuses NUL)."""

TextId = Annotated[str, Path(min_length=1, max_length=100, pattern=TEXT_ID_PATTERN)]
IntId = Annotated[int, Path(ge=1, le=2**31 - 1)]

bearer = HTTPBearer(
    auto_error=False,
    description="The API token printed by `netruimte users add NAME --role ROLE`.",
)


def get_db(request: Request) -> Database:
    """The app's database."""
    db: Database = request.app.state.db
    return db


Db = Annotated[Database, Depends(get_db)]


def get_principal(
    db: Db,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)],
) -> Principal:
    """The caller of an authenticated route (401 without a valid bearer token)."""
    token = credentials.credentials if credentials is not None else None
    return authenticate(db, token)


Caller = Annotated[Principal, Depends(get_principal)]


def wake_worker(request: Request, background: BackgroundTasks) -> None:
    """Tell this process's worker, once the answer is sent, that a job was queued."""
    worker: Worker | None = getattr(request.app.state, "worker", None)
    if worker is not None:
        background.add_task(worker.wake)
