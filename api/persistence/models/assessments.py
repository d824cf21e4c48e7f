"""Self-assessment rows: submissions, their scores, and the due occasions per enrolment.

Submissions and scores are insert-only. A correction is a new submission pointing at the one it
supersedes (`supersedes_id`); whether a submission is current is derived from those links, so
no stored answer or submission row is ever updated. `revision` numbers the submissions of one
occasion (1 = the first answer, 2 = its first correction …): the unique constraint on
(enrolment, occasion, revision) is what lets the database, not only a lock, refuse a second
"first" answer or two corrections of the same submission made at the same time.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base, UTCDateTime


class AssessmentSubmissionRow(Base):
    __tablename__ = "assessment_submissions"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "occasion", "revision"),
        CheckConstraint("revision >= 1", name="revision_positive"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    occasion: Mapped[str] = mapped_column(String(40))
    revision: Mapped[int] = mapped_column(Integer)
    questionnaire_version: Mapped[int] = mapped_column(Integer)
    answered_on: Mapped[date] = mapped_column(Date)
    # participant | participant_with_mentor
    respondent: Mapped[str] = mapped_column(String(40))
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    # Unique: a submission is superseded at most once; its correction can be corrected in turn.
    supersedes_id: Mapped[int | None] = mapped_column(
        ForeignKey("assessment_submissions.id"), unique=True
    )
    correction_reason: Mapped[str | None] = mapped_column(Text)


class AssessmentAnswerRow(Base):
    """One score. The participant's answers and the mentor's rating share the table but never a
    row: `rater` keeps them apart."""

    __tablename__ = "assessment_answers"
    __table_args__ = (
        UniqueConstraint("submission_id", "item_key", "rater"),
        CheckConstraint("score BETWEEN 1 AND 10", name="score_on_scale"),
        CheckConstraint("rater IN ('participant', 'mentor')", name="rater_known"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    submission_id: Mapped[int] = mapped_column(ForeignKey("assessment_submissions.id"))
    item_key: Mapped[str] = mapped_column(String(60))
    rater: Mapped[str] = mapped_column(String(20))
    score: Mapped[int] = mapped_column(SmallInteger)


class AssessmentDueRow(Base):
    """Projection of `domain.self_assessment.due_occasions` (kept by `sync_due_assessments` on
    every enrolment save), so due and overdue lists are one indexed query."""

    __tablename__ = "assessment_due_occasions"
    __table_args__ = (
        UniqueConstraint("enrolment_id", "occasion"),
        Index("ix_assessment_due_occasions_due_on", "due_on"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    occasion: Mapped[str] = mapped_column(String(40))
    due_on: Mapped[date] = mapped_column(Date)
