"""The consent ledger (DOMAIN.md §9): append-only entries per participant and purpose."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from api.persistence.models.core import Base, UTCDateTime


class ConsentEntryRow(Base):
    """Append-only: a withdrawal is a new row, never an edit of the giving."""

    __tablename__ = "consent_entries"
    __table_args__ = (Index("ix_consent_entries_participant_purpose", "participant_id", "purpose"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"))
    purpose: Mapped[str] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(16))
    effective_on: Mapped[date] = mapped_column(Date)
    form_reference: Mapped[str | None] = mapped_column(String(120))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    recorded_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_by_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))
