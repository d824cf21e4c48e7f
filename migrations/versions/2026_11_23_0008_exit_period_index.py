"""Index for outcome statistics over an exit period (programme, state, exit date).

Revision ID: 20261123_0008
Revises: 20261123_0007
Create Date: 2026-11-23
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261123_0008"
down_revision: str | None = "20261123_0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.create_index(
            "ix_enrolments_programme_state_ended",
            ["programme_code", "state", "ended_on"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("enrolments", schema=None) as batch_op:
        batch_op.drop_index("ix_enrolments_programme_state_ended")
