"""Initial schema: users, register, grid, requests, runs, site plans, jobs, audit trail.

Revision ID: 0001
Revises: (none)
Create Date: 2026-11-28

Instants are ``timestamp with time zone`` (UTC; naive UTC text on SQLite); profiles are
float64 bytes. The audit head row (seq 0, hash of zeros) is the start of the chain.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_head",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_head")),
    )
    op.bulk_insert(
        sa.table(
            "audit_head",
            sa.column("id", sa.Integer()),
            sa.column("seq", sa.Integer()),
            sa.column("hash", sa.String()),
        ),
        [{"id": 1, "seq": 0, "hash": "0" * 64}],
    )
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("at", sa.String(length=40), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("action", sa.String(length=60), nullable=False),
        sa.Column("object", sa.String(length=200), nullable=False),
        sa.Column("policy_version", sa.String(length=60), nullable=False),
        sa.Column("inputs", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
    )
    op.create_table(
        "blobs",
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.PrimaryKeyConstraint("sha256", name=op.f("pk_blobs")),
    )
    op.create_table(
        "register",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("policy", sa.String(length=20), nullable=False),
        sa.Column("fit", sa.String(length=20), nullable=False),
        sa.Column("capacity", sa.String(length=20), nullable=True),
        sa.Column("timezone", sa.String(length=64), nullable=False),
        sa.Column("withdraw_per_year", sa.Float(), nullable=False),
        sa.Column("nonfirm_min_share", sa.Float(), nullable=False),
        sa.Column("tdtr_max_restricted_share", sa.Float(), nullable=False),
        sa.Column("reservation_lead_months", sa.Integer(), nullable=False),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("use_it_or_lose_it", sa.JSON(), nullable=True),
        sa.Column("source", sa.String(length=500), nullable=True),
        sa.Column("imported_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_register")),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_users")),
        sa.UniqueConstraint("name", name=op.f("uq_users_name")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_users_token_hash")),
    )
    op.create_table(
        "jobs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("target_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("progress", sa.Float(), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("worker", sa.String(length=200), nullable=True),
        sa.Column("heartbeat_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_jobs_owner_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_jobs")),
    )
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_jobs_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index("ix_jobs_status_id", ["status", "id"], unique=False)

    op.create_table(
        "runs",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("policy", sa.String(length=20), nullable=False),
        sa.Column("fit", sa.String(length=20), nullable=False),
        sa.Column("compare", sa.String(length=20), nullable=True),
        sa.Column("runs", sa.Integer(), nullable=False),
        sa.Column("seed", sa.Integer(), nullable=True),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("created_by", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("result_json", sa.Text(), nullable=True),
        sa.Column("granted_count", sa.Integer(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["created_by"], ["users.id"], name=op.f("fk_runs_created_by_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_runs")),
    )
    op.create_table(
        "site_plans",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("site_toml", sa.Text(), nullable=False),
        sa.Column("job_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("plan_json", sa.Text(), nullable=True),
        sa.Column("report_html", sa.Text(), nullable=True),
        sa.Column("import_csv_blob", sa.String(length=64), nullable=True),
        sa.Column("annex_json", sa.Text(), nullable=True),
        sa.Column("error", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(
            ["import_csv_blob"], ["blobs.sha256"], name=op.f("fk_site_plans_import_csv_blob_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["owner_id"],
            ["users.id"],
            name=op.f("fk_site_plans_owner_id_users"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_plans")),
    )
    with op.batch_alter_table("site_plans", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_site_plans_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "stations",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("parent_id", sa.String(length=100), nullable=True),
        sa.Column("offtake_mw", sa.Float(), nullable=False),
        sa.Column("load_mw", sa.Float(), nullable=False),
        sa.Column("feedin_mw", sa.Float(), nullable=True),
        sa.Column("feedin_load_mw", sa.Float(), nullable=False),
        sa.Column("voltage_kv", sa.Float(), nullable=True),
        sa.Column("load_csv", sa.String(length=300), nullable=True),
        sa.Column("load_blob", sa.String(length=64), nullable=True),
        sa.Column("load_profile_mw", sa.LargeBinary(), nullable=True),
        sa.Column("feedin_load_csv", sa.String(length=300), nullable=True),
        sa.Column("feedin_load_blob", sa.String(length=64), nullable=True),
        sa.Column("feedin_load_profile_mw", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(
            ["feedin_load_blob"], ["blobs.sha256"], name=op.f("fk_stations_feedin_load_blob_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["load_blob"], ["blobs.sha256"], name=op.f("fk_stations_load_blob_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["parent_id"],
            ["stations.id"],
            name=op.f("fk_stations_parent_id_stations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stations")),
    )
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_stations_parent_id"), ["parent_id"], unique=False)

    op.create_table(
        "reinforcements",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=100), nullable=False),
        sa.Column("date", sa.Date(), nullable=False),
        sa.Column("offtake_mw", sa.Float(), nullable=False),
        sa.Column("feedin_mw", sa.Float(), nullable=False),
        sa.Column("delay", sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_reinforcements_station_id_stations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reinforcements")),
    )
    with op.batch_alter_table("reinforcements", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_reinforcements_station_id"), ["station_id"], unique=False
        )

    op.create_table(
        "requests",
        sa.Column("id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("applicant", sa.String(length=300), nullable=False),
        sa.Column("station_id", sa.String(length=100), nullable=False),
        sa.Column("direction", sa.String(length=20), nullable=False),
        sa.Column("kw", sa.Float(), nullable=False),
        sa.Column("submitted", sa.DateTime(timezone=True), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("function", sa.String(length=60), nullable=True),
        sa.Column("evidence", sa.Boolean(), nullable=False),
        sa.Column("contract", sa.String(length=20), nullable=False),
        sa.Column("small_consumer", sa.Boolean(), nullable=False),
        sa.Column("contract_signed", sa.Boolean(), nullable=False),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("profile_csv", sa.String(length=300), nullable=True),
        sa.Column("profile_blob", sa.String(length=64), nullable=True),
        sa.Column("profile_kw", sa.LargeBinary(), nullable=True),
        sa.Column("ean", sa.String(length=18), nullable=True),
        sa.Column("needed", sa.Date(), nullable=True),
        sa.Column("blocks", sa.JSON(), nullable=True),
        sa.Column("restricted_kw", sa.Float(), nullable=False),
        sa.Column("used_kw", sa.Float(), nullable=True),
        sa.Column("withdraw_per_year", sa.Float(), nullable=True),
        sa.Column("withdrawn", sa.Date(), nullable=True),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("granted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("site_plan_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["owner_id"], ["users.id"], name=op.f("fk_requests_owner_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["profile_blob"], ["blobs.sha256"], name=op.f("fk_requests_profile_blob_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["site_plan_id"],
            ["site_plans.id"],
            name=op.f("fk_requests_site_plan_id_site_plans"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["station_id"],
            ["stations.id"],
            name=op.f("fk_requests_station_id_stations"),
            ondelete="RESTRICT",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_requests")),
    )
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_requests_owner_id"), ["owner_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_station_id"), ["station_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_requests_status"), ["status"], unique=False)

    op.create_table(
        "run_requests",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.Integer(), nullable=True),
        sa.Column("station_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("rank", sa.Integer(), nullable=True),
        sa.Column("rank_of", sa.Integer(), nullable=True),
        sa.Column("granted_on", sa.Date(), nullable=True),
        sa.Column("granted_p10", sa.Date(), nullable=True),
        sa.Column("granted_p50", sa.Date(), nullable=True),
        sa.Column("granted_p90", sa.Date(), nullable=True),
        sa.Column("explanation", sa.Text(), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_requests_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "request_id", name=op.f("pk_run_requests")),
    )
    with op.batch_alter_table("run_requests", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_run_requests_owner_id"), ["owner_id"], unique=False)

    op.create_table(
        "run_stations",
        sa.Column("run_id", sa.Integer(), nullable=False),
        sa.Column("station_id", sa.String(length=100), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("offtake_mw", sa.Float(), nullable=False),
        sa.Column("allocated_mw", sa.Float(), nullable=False),
        sa.Column("waiting_mw", sa.Float(), nullable=False),
        sa.Column("alleviation_year", sa.Integer(), nullable=True),
        sa.Column("alleviation_feedin_year", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["run_id"], ["runs.id"], name=op.f("fk_run_stations_run_id_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("run_id", "station_id", name=op.f("pk_run_stations")),
    )
    op.create_table(
        "site_plan_files",
        sa.Column("plan_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=300), nullable=False),
        sa.Column("blob", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["blob"], ["blobs.sha256"], name=op.f("fk_site_plan_files_blob_blobs")
        ),
        sa.ForeignKeyConstraint(
            ["plan_id"],
            ["site_plans.id"],
            name=op.f("fk_site_plan_files_plan_id_site_plans"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("plan_id", "name", name=op.f("pk_site_plan_files")),
    )
    op.create_table(
        "priority_claims",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("request_id", sa.String(length=100), nullable=False),
        sa.Column("category", sa.String(length=40), nullable=False),
        sa.Column("function", sa.String(length=60), nullable=True),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("claimed_by", sa.Integer(), nullable=True),
        sa.Column("claimed_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("decided_by", sa.Integer(), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("reason", sa.Text(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.ForeignKeyConstraint(
            ["claimed_by"],
            ["users.id"],
            name=op.f("fk_priority_claims_claimed_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["decided_by"],
            ["users.id"],
            name=op.f("fk_priority_claims_decided_by_users"),
            ondelete="SET NULL",
        ),
        sa.ForeignKeyConstraint(
            ["request_id"],
            ["requests.id"],
            name=op.f("fk_priority_claims_request_id_requests"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_priority_claims")),
    )
    with op.batch_alter_table("priority_claims", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_priority_claims_request_id"), ["request_id"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("priority_claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_priority_claims_request_id"))

    op.drop_table("priority_claims")
    op.drop_table("site_plan_files")
    op.drop_table("run_stations")
    with op.batch_alter_table("run_requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_run_requests_owner_id"))

    op.drop_table("run_requests")
    with op.batch_alter_table("requests", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_requests_status"))
        batch_op.drop_index(batch_op.f("ix_requests_station_id"))
        batch_op.drop_index(batch_op.f("ix_requests_owner_id"))

    op.drop_table("requests")
    with op.batch_alter_table("reinforcements", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_reinforcements_station_id"))

    op.drop_table("reinforcements")
    with op.batch_alter_table("stations", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_stations_parent_id"))

    op.drop_table("stations")
    with op.batch_alter_table("site_plans", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_site_plans_owner_id"))

    op.drop_table("site_plans")
    op.drop_table("runs")
    with op.batch_alter_table("jobs", schema=None) as batch_op:
        batch_op.drop_index("ix_jobs_status_id")
        batch_op.drop_index(batch_op.f("ix_jobs_owner_id"))

    op.drop_table("jobs")
    op.drop_table("users")
    op.drop_table("register")
    op.drop_table("blobs")
    op.drop_table("audit_log")
    op.drop_table("audit_head")
