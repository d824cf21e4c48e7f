"""Individual plans (revisions with their goals) and resource-group members (DOMAIN.md §3)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base, UTCDateTime


class PlanRevisionRow(Base):
    """Append-only: a save inserts the next revision; stored revisions are never changed.

    The unique (enrolment_id, revision) key is what makes two concurrent saves of the same
    revision impossible: the second insert fails and its caller gets a conflict.
    """

    __tablename__ = "plan_revisions"
    __table_args__ = (UniqueConstraint("enrolment_id", "revision"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    revision: Mapped[int] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(Text)
    saved_at: Mapped[datetime] = mapped_column(UTCDateTime())
    saved_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    saved_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))


class PlanGoalRow(Base):
    """One goal of one revision, in the order the plan lists them."""

    __tablename__ = "plan_goals"
    __table_args__ = (UniqueConstraint("plan_revision_id", "position"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    plan_revision_id: Mapped[int] = mapped_column(ForeignKey("plan_revisions.id"))
    position: Mapped[int] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(String(500))
    status: Mapped[str] = mapped_column(String(20))
    target_on: Mapped[date | None] = mapped_column(Date)
    area: Mapped[str | None] = mapped_column(String(100))


class ResourceGroupMemberRow(Base):
    """A person around the participant. Removal sets `removed_on`; the row stays (history)."""

    __tablename__ = "resource_group_members"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    role: Mapped[str] = mapped_column(String(100))
    organisation: Mapped[str] = mapped_column(String(200))
    name: Mapped[str] = mapped_column(String(100))
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    added_on: Mapped[date] = mapped_column(Date)
    removed_on: Mapped[date | None] = mapped_column(Date)
    # Who added and removed the member is in the audit log as well; the user columns answer
    # "who put this contact here?" without it. Integration clients cannot be granted plan:write.
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    removed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    removed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
