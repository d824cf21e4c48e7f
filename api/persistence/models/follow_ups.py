"""ORM rows for follow-ups: one row per scheduled follow-up, its result on the same row.

The schedule columns are a projection of the enrolment's history (`domain.follow_ups`), kept
in step by `sync_follow_ups` on every transition, so due lists are plain indexed queries. The
result columns are written once: `recorded_at IS NULL` means open, and the recording UPDATE is
conditional on it, so two concurrent recordings cannot both win.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base, UTCDateTime


class FollowUpRow(Base):
    __tablename__ = "follow_ups"
    __table_args__ = (UniqueConstraint("enrolment_id", "kind"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"))
    # A programme's follow-up rule kind, e.g. support_period_end, after_exit_90_days.
    kind: Mapped[str] = mapped_column(String(40))
    trigger_on: Mapped[date] = mapped_column(Date)
    # Due and overdue lists filter and sort on this.
    due_on: Mapped[date] = mapped_column(Date, index=True)
    requires_contact_consent: Mapped[bool] = mapped_column(Boolean)

    # The result; all null until recorded.
    contacted_on: Mapped[date | None] = mapped_column(Date)
    contact_reached: Mapped[bool | None] = mapped_column(Boolean)
    attempts: Mapped[int | None] = mapped_column(Integer)
    final_non_response: Mapped[bool | None] = mapped_column(Boolean)
    # work | studies | job_seeking | other (domain.codelists.OutcomeGroup)
    status_group: Mapped[str | None] = mapped_column(String(20))
    employment_extent_percent: Mapped[int | None] = mapped_column(Integer)
    self_supporting: Mapped[bool | None] = mapped_column(Boolean)
    # A code in the benefit code list.
    current_benefit: Mapped[str | None] = mapped_column(String(40))
    note: Mapped[str | None] = mapped_column(String(500))
    recorded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))
