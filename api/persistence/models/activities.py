"""ORM rows for the contact log (activities) and cohorts with sessions, members and attendance.

Cohorts belong to a municipality; the people in them are reached only through enrolments, so
every scope rule that applies to an enrolment applies to its cohort membership too.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base, UTCDateTime


class ActivityRow(Base):
    """One contact-log entry of an enrolment. Append-only from the API."""

    __tablename__ = "activities"
    # Serves the newest-first list, the hours per week range and the latest activity per
    # enrolment (the task list's "no activity for 30 days").
    __table_args__ = (Index("ix_activities_enrolment_occurred", "enrolment_id", "occurred_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    # Denormalised from the enrolment so "everything about this person" needs no join.
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    activity_type: Mapped[str] = mapped_column(String(40))
    occurred_on: Mapped[date] = mapped_column(Date)
    duration_minutes: Mapped[int] = mapped_column(Integer)
    provider: Mapped[str | None] = mapped_column(String(200))
    note: Mapped[str | None] = mapped_column(String(1000))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))


class CohortRow(Base):
    """A Level 2 group or Level 3 course of one municipality."""

    __tablename__ = "cohorts"
    __table_args__ = (Index("ix_cohorts_municipality_starts", "municipality_id", "starts_on"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    kind: Mapped[str] = mapped_column(String(20))
    name: Mapped[str] = mapped_column(String(200))
    provider: Mapped[str] = mapped_column(String(200))
    starts_on: Mapped[date] = mapped_column(Date)
    weeks: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CohortSessionRow(Base):
    __tablename__ = "cohort_sessions"
    # The unique key doubles as the index for "sessions of these cohorts between two dates".
    __table_args__ = (UniqueConstraint("cohort_id", "held_on", "start_time"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    held_on: Mapped[date] = mapped_column(Date)
    # "HH:MM", local (Swedish) wall-clock time: a session is a calendar event, not an instant.
    start_time: Mapped[str] = mapped_column(String(5))
    duration_minutes: Mapped[int] = mapped_column(Integer)


class CohortMemberRow(Base):
    __tablename__ = "cohort_members"
    __table_args__ = (UniqueConstraint("cohort_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    cohort_id: Mapped[int] = mapped_column(ForeignKey("cohorts.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    joined_on: Mapped[date] = mapped_column(Date)


class AttendanceRow(Base):
    """One value per session and member; recording again replaces it (and is audited)."""

    __tablename__ = "attendance"
    __table_args__ = (UniqueConstraint("session_id", "enrolment_id"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    session_id: Mapped[int] = mapped_column(ForeignKey("cohort_sessions.id"))
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    attended: Mapped[bool] = mapped_column(Boolean)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
