"""The task list's read model: one row per open task of an enrolment (task_items).

Revision ID: 20261124_0008
Revises: 20261123_0007
Create Date: 2026-11-24
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261124_0008"
down_revision: str | None = "20261123_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "task_items",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("mentor_id", sa.Integer(), nullable=True),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("dated_on", sa.Date(), nullable=False),
        sa.Column("source_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=40), nullable=True),
        sa.Column("contact_permitted", sa.Boolean(), nullable=True),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_task_items_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["mentor_id"],
            ["users.id"],
            name=op.f("fk_task_items_mentor_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_task_items")),
    )
    with op.batch_alter_table("task_items", schema=None) as batch_op:
        batch_op.create_index(
            "ix_task_items_enrolment_kind", ["enrolment_id", "kind"], unique=False
        )
        batch_op.create_index("ix_task_items_mentor_kind", ["mentor_id", "kind"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("task_items", schema=None) as batch_op:
        batch_op.drop_index("ix_task_items_mentor_kind")
        batch_op.drop_index("ix_task_items_enrolment_kind")
    op.drop_table("task_items")
