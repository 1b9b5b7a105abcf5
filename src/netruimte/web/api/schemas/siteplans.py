"""Site plans run as jobs."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from pydantic import BaseModel, Field

__all__ = [
    "SitePlanOut",
]


class SitePlanOut(BaseModel):
    """A site plan: status, the contract's Plan JSON when done, links to report and profile."""

    id: int
    name: str
    status: Literal["queued", "running", "done", "failed"]
    job_id: int | None
    created_at: dt.datetime
    finished_at: dt.datetime | None
    files: list[str]
    plan: dict[str, Any] | None
    error: str | None
    report: str | None
    import_csv: str | None
    annex: dict[str, Any] | None = Field(
        description="The request annex (request.json of `site plan --out`) when feasible"
    )
