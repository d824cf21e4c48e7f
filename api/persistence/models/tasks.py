"""ORM row for the task list's read model: one row per open task of an enrolment.

A projection, like the due-assessment and follow-up schedules: every row is derived from other
tables (api/persistence/repositories/task_items.py keeps it current at each commit that
touches its sources), so the mentor's task list is one indexed read instead of four queries
with aggregates and NOT EXISTS probes. Only facts that do not depend on the date are stored;
what depends on today (due or overdue, due within 14 days, quiet for 30 days, this week) is
decided when the list is read.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base


class TaskItemRow(Base):
    __tablename__ = "task_items"
    __table_args__ = (
        # The refresh replaces an enrolment's rows; the read takes a mentor's.
        Index("ix_task_items_enrolment_kind", "enrolment_id", "kind"),
        Index("ix_task_items_mentor_kind", "mentor_id", "kind"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    # The enrolment's mentor, copied so that a mentor's rows are one index range: joined
    # from enrolments instead, PostgreSQL (at its default random_page_cost) scanned the
    # whole table for every request, which grows with every enrolment ever made.
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # assessment: an unanswered due occasion; follow_up: an unrecorded follow-up;
    # activity: the latest activity or attended session (only when there is one);
    # member: a cohort the enrolment is a member of (its sessions are read live).
    kind: Mapped[str] = mapped_column(String(20))
    # The occasion's or the follow-up's due date, the latest activity's date, or the day
    # the enrolment joined the cohort.
    dated_on: Mapped[date] = mapped_column(Date)
    # assessment: the due occasion's row id; follow_up: the follow-up's id; member: the
    # cohort's id.
    source_id: Mapped[int | None] = mapped_column(Integer)
    # assessment: the occasion; follow_up: its rule kind.
    label: Mapped[str | None] = mapped_column(String(40))
    # follow_up: contact is permitted (no contact consent needed, or consent held).
    contact_permitted: Mapped[bool | None] = mapped_column(Boolean)
