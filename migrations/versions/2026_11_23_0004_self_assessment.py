"""Self-assessment submissions, their answers and the due occasions per enrolment.

Revision ID: 20261123_0004
Revises: 20261123_0003
Create Date: 2026-11-23
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0004"
down_revision: str | None = "20261123_0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "assessment_submissions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("questionnaire_version", sa.Integer(), nullable=False),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("respondent", sa.String(length=40), nullable=False),
        sa.Column("recorded_by_user_id", sa.Integer(), nullable=True),
        sa.Column("recorded_by_client_id", sa.Integer(), nullable=True),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("correction_reason", sa.Text(), nullable=True),
        sa.CheckConstraint(
            "revision >= 1", name=op.f("ck_assessment_submissions_revision_positive")
        ),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_assessment_submissions_enrolment_id_enrolments"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_client_id"],
            ["integration_clients.id"],
            name=op.f("fk_assessment_submissions_recorded_by_client_id_integration_clients"),
        ),
        sa.ForeignKeyConstraint(
            ["recorded_by_user_id"],
            ["users.id"],
            name=op.f("fk_assessment_submissions_recorded_by_user_id_users"),
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"],
            ["assessment_submissions.id"],
            name=op.f("fk_assessment_submissions_supersedes_id_assessment_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_submissions")),
        sa.UniqueConstraint(
            "enrolment_id",
            "occasion",
            "revision",
            name=op.f("uq_assessment_submissions_enrolment_id"),
        ),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_assessment_submissions_supersedes_id")),
    )
    op.create_table(
        "assessment_answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("submission_id", sa.Integer(), nullable=False),
        sa.Column("item_key", sa.String(length=60), nullable=False),
        sa.Column("rater", sa.String(length=20), nullable=False),
        sa.Column("score", sa.SmallInteger(), nullable=False),
        sa.CheckConstraint(
            "score BETWEEN 1 AND 10", name=op.f("ck_assessment_answers_score_on_scale")
        ),
        sa.CheckConstraint(
            "rater IN ('participant', 'mentor')", name=op.f("ck_assessment_answers_rater_known")
        ),
        sa.ForeignKeyConstraint(
            ["submission_id"],
            ["assessment_submissions.id"],
            name=op.f("fk_assessment_answers_submission_id_assessment_submissions"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_answers")),
        sa.UniqueConstraint(
            "submission_id", "item_key", "rater", name=op.f("uq_assessment_answers_submission_id")
        ),
    )
    op.create_table(
        "assessment_due_occasions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("enrolment_id", sa.Integer(), nullable=False),
        sa.Column("occasion", sa.String(length=40), nullable=False),
        sa.Column("due_on", sa.Date(), nullable=False),
        sa.ForeignKeyConstraint(
            ["enrolment_id"],
            ["enrolments.id"],
            name=op.f("fk_assessment_due_occasions_enrolment_id_enrolments"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assessment_due_occasions")),
        sa.UniqueConstraint(
            "enrolment_id", "occasion", name=op.f("uq_assessment_due_occasions_enrolment_id")
        ),
    )
    with op.batch_alter_table("assessment_due_occasions", schema=None) as batch_op:
        batch_op.create_index("ix_assessment_due_occasions_due_on", ["due_on"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("assessment_due_occasions", schema=None) as batch_op:
        batch_op.drop_index("ix_assessment_due_occasions_due_on")
    op.drop_table("assessment_due_occasions")
    op.drop_table("assessment_answers")
    op.drop_table("assessment_submissions")
