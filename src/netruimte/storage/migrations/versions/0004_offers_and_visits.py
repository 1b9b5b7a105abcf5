"""Offers an applicant answers, and when a person last looked at a request.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07

``requests.offer_status`` marks a granted part ``ID.partN`` that is an offer: ``offered``
(room held, waiting for the applicant's answer), ``accepted``, ``declined`` or ``withdrawn``
(the operator took it back); null for every other row. ``request_visits`` holds, per user and
request, when the user last opened the request's page, so the page can say what changed since.
Neither decides an allocation, so the audit digests (scheme 2) do not change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("requests") as batch:
        batch.add_column(sa.Column("offer_status", sa.String(length=20), nullable=True))
    op.create_table(
        "request_visits",
        sa.Column("user_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("seen_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["user_id"],
            ["users.id"],
            name=op.f("fk_request_visits_user_id_users"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_request_visits_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("user_id", "request_id", name=op.f("pk_request_visits")),
    )


def downgrade() -> None:
    op.drop_table("request_visits")
    with op.batch_alter_table("requests") as batch:
        batch.drop_column("offer_status")
