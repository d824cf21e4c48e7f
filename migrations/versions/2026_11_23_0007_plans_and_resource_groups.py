"""Individual plans (revisions and goals) and resource-group members.

Revision ID: 20261123_0007
Revises: 20261123_0006
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0007"
down_revision: str | None = "20261123_0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "plan_revisions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("note", sa.Text(), nullable=True),
        sa.Column("saved_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("saved_by_user_id", sa.Integer(), nullable=True),
        sa.Column("saved_by_client_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_plan_revisions_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_client_id"],
            ["integration_clients.id"],
            name=op.f("fk_plan_revisions_saved_by_client_id_integration_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["saved_by_user_id"],
            ["users.id"],
            name=op.f("fk_plan_revisions_saved_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_revisions")),
        sa.UniqueConstraint(
            "enrolment_id", "revision", name=op.f("uq_plan_revisions_enrolment_id")
        ),
    )
    op.create_table(
        "plan_goals",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("plan_revision_id", sa.Integer(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("target_on", sa.Date(), nullable=True),
        sa.Column("area", sa.String(length=100), nullable=True),
        sa.ForeignKeyConstraint(
            ["plan_revision_id"],
            ["plan_revisions.id"],
            name=op.f("fk_plan_goals_plan_revision_id_plan_revisions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_plan_goals")),
        sa.UniqueConstraint(
            "plan_revision_id", "position", name=op.f("uq_plan_goals_plan_revision_id")
        ),
    )
    op.create_table(
        "resource_group_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=100), nullable=False),
        sa.Column("organisation", sa.String(length=200), nullable=False),
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=True),
        sa.Column("email", sa.String(length=254), nullable=True),
        sa.Column("added_on", sa.Date(), nullable=False),
        sa.Column("removed_on", sa.Date(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("removed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("removed_by_user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_resource_group_members_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_resource_group_members_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["removed_by_user_id"],
            ["users.id"],
            name=op.f("fk_resource_group_members_removed_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_resource_group_members")),
    )
    with op.batch_alter_table("resource_group_members", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_resource_group_members_participant_id"),
            ["participant_id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("resource_group_members", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_resource_group_members_participant_id"))
    op.drop_table("resource_group_members")
    op.drop_table("plan_goals")
    op.drop_table("plan_revisions")
