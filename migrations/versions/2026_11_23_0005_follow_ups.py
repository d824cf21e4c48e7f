"""Follow-ups: the scheduled follow-ups per enrolment and their recorded results.

One row per (enrolment, follow-up kind); the result lives on the same row, null until recorded.

Revision ID: 20261123_0005
Revises: 20261123_0004
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0005"
down_revision: str | None = "20261123_0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "follow_ups",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("trigger_on", sa.Date(), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.Column("requires_contact_consent", sa.Boolean(), nullable=False),
        sa.Column("contacted_on", sa.Date(), nullable=True),
        sa.Column("contact_reached", sa.Boolean(), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=True),
        sa.Column("final_non_response", sa.Boolean(), nullable=True),
        sa.Column("status_group", sa.String(length=20), nullable=True),
        sa.Column("employment_extent_percent", sa.Integer(), nullable=True),
        sa.Column("self_supporting", sa.Boolean(), nullable=True),
        sa.Column("current_benefit", sa.String(length=40), nullable=True),
        sa.Column("note", sa.String(length=500), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_client_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_follow_ups_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_client_id"],
            ["integration_clients.id"],
            name=op.f("fk_follow_ups_recorded_by_client_id_integration_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_follow_ups_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_follow_ups")),
        sa.UniqueConstraint("enrolment_id", "kind", name=op.f("uq_follow_ups_enrolment_id")),
    )
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_follow_ups_due_on"), ["due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("follow_ups", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_follow_ups_due_on"))
    op.drop_table("follow_ups")
