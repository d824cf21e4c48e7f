"""Participants, always read through the principal's scope."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, exists, func, or_, select
from sqlalchemy.orm import Session

from api.persistence.models import EnrolmentRow, ParticipantRow, ProtectedIdentityGrantRow
from api.persistence.repositories.scope_filters import participant_visible
from api.security.principal import Scope


@dataclass(frozen=True)
class ParticipantFilter:
    name: str | None = None
    personnummer: str | None = None  # normalised 12 digits
    state: str | None = None
    step: int | None = None
    mentor_id: int | None = None


def search_name(first_name: str, last_name: str) -> str:
    return f"{first_name} {last_name}".casefold()


def _escape_like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


class ParticipantRepository:
    def __init__(self, session: Session, scope: Scope) -> None:
        self._session = session
        self._scope = scope

    def get(self, participant_id: int) -> ParticipantRow | None:
        return self._session.execute(
            select(ParticipantRow).where(
                ParticipantRow.id == participant_id, participant_visible(self._scope)
            )
        ).scalar_one_or_none()

    def personnummer_taken(self, municipality_id: int, personnummer: str) -> bool:
        """Unscoped on purpose: the duplicate rule is per municipality, not per caseload."""
        return self._session.execute(
            select(
                exists().where(
                    ParticipantRow.municipality_id == municipality_id,
                    ParticipantRow.personnummer == personnummer,
                )
            )
        ).scalar_one()

    def add(self, row: ParticipantRow) -> ParticipantRow:
        self._session.add(row)
        self._session.flush()
        return row

    def grant_protected_access(
        self, participant_id: int, user_id: int, *, by_user_id: int | None, at: object
    ) -> None:
        # flush first: with autoflush off, get() would not see a grant added in this transaction.
        self._session.flush()
        if self._session.get(ProtectedIdentityGrantRow, (participant_id, user_id)) is None:
            self._session.add(
                ProtectedIdentityGrantRow(
                    participant_id=participant_id,
                    user_id=user_id,
                    granted_at=at,
                    granted_by_user_id=by_user_id,
                )
            )

    def page(
        self, flt: ParticipantFilter, *, after: tuple[str, int] | None, limit: int
    ) -> list[ParticipantRow]:
        """Keyset page ordered by name then id; `after` is the last (search_name, id) seen."""
        p = ParticipantRow
        conditions = [participant_visible(self._scope)]
        if flt.name:
            conditions.append(
                p.search_name.like(f"%{_escape_like(flt.name.casefold())}%", escape="\\")
            )
        if flt.personnummer:
            conditions.append(p.personnummer == flt.personnummer)
        enrolment_conditions = []
        if flt.state:
            enrolment_conditions.append(EnrolmentRow.state == flt.state)
        if flt.step is not None:
            enrolment_conditions.append(EnrolmentRow.step == flt.step)
        if flt.mentor_id is not None:
            enrolment_conditions.append(EnrolmentRow.mentor_id == flt.mentor_id)
        if enrolment_conditions:
            conditions.append(
                exists(
                    select(EnrolmentRow.id).where(
                        EnrolmentRow.participant_id == p.id, *enrolment_conditions
                    )
                )
            )
        if after is not None:
            name, last_id = after
            conditions.append(
                or_(p.search_name > name, and_(p.search_name == name, p.id > last_id))
            )
        stmt = select(p).where(*conditions).order_by(p.search_name, p.id).limit(limit)
        return list(self._session.execute(stmt).scalars())

    def count_in_municipality(self, municipality_id: int) -> int:
        return self._session.execute(
            select(func.count())
            .select_from(ParticipantRow)
            .where(ParticipantRow.municipality_id == municipality_id)
        ).scalar_one()
