"""A site plan's report in Dutch beside the English one.

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-07

``site_plans.report_html_nl`` holds the plan's report rendered in Dutch when the plan is made
(the same report as ``report_html``, in the other language), so the web page can show the
report in the reader's language; null for plans made before. No allocation depends on it.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("site_plans") as batch:
        batch.add_column(sa.Column("report_html_nl", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("site_plans") as batch:
        batch.drop_column("report_html_nl")
