"""Consent ledger: append-only consent entries per participant and purpose.

Revision ID: 20261123_0003
Revises: 20261123_0002
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0003"
down_revision: str | None = "20261123_0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "consent_entries",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=40), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("effective_on", sa.Date(), nullable=False),
        sa.Column("form_reference", sa.String(length=120), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_client_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participants.id"],
            name=op.f("fk_consent_entries_participant_id_participants"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_client_id"],
            ["integration_clients.id"],
            name=op.f("fk_consent_entries_recorded_by_client_id_integration_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_consent_entries_recorded_by_user_id_users"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_consent_entries")),
    )
    with op.batch_alter_table("consent_entries", schema=None) as batch_op:
        batch_op.create_index(
            "ix_consent_entries_participant_purpose", ["participant_id", "purpose"], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table("consent_entries", schema=None) as batch_op:
        batch_op.drop_index("ix_consent_entries_participant_purpose")
    op.drop_table("consent_entries")
