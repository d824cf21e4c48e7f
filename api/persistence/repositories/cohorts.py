"""Cohorts, read through the principal's scope.

Two rules meet here. A cohort belongs to one municipality: mentors, lead mentors and unit
managers of that municipality see it, everyone else gets "no such cohort". Its *members* are
people, so the member list obeys the caller's participant scope (a mentor sees the members in
the own caseload and only a count of the others), exactly as `enrolment_visible` decides.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, false, func, select
from sqlalchemy.orm import Session

from api.persistence.models import EnrolmentRow, ParticipantRow
from api.persistence.models.activities import (
    AttendanceRow,
    CohortMemberRow,
    CohortRow,
    CohortSessionRow,
)
from api.persistence.repositories.scope_filters import enrolment_visible
from api.security.principal import Scope, ScopeKind

# Scopes that work inside one municipality (mentor's caseload, lead mentor, unit manager).
_MUNICIPAL_SCOPES = (ScopeKind.CASELOAD, ScopeKind.MUNICIPALITY)


def cohort_visible(scope: Scope) -> ColumnElement[bool]:
    if scope.kind not in _MUNICIPAL_SCOPES or scope.municipality_id is None:
        return false()
    return CohortRow.municipality_id == scope.municipality_id


@dataclass(frozen=True)
class CohortSummary:
    row: CohortRow
    session_count: int
    member_count: int


@dataclass(frozen=True)
class MemberLine:
    member: CohortMemberRow
    enrolment: EnrolmentRow
    participant: ParticipantRow


class CohortRepository:
    def __init__(self, session: Session, scope: Scope) -> None:
        self._session = session
        self._scope = scope

    # ---- cohorts ------------------------------------------------------------------------------

    def get(self, cohort_id: int) -> CohortRow | None:
        return self._session.execute(
            select(CohortRow).where(CohortRow.id == cohort_id, cohort_visible(self._scope))
        ).scalar_one_or_none()

    def summaries(self) -> list[CohortSummary]:
        """The scope's cohorts, newest start first, with counts (no people)."""
        sessions = (
            select(CohortSessionRow.cohort_id, func.count().label("n"))
            .group_by(CohortSessionRow.cohort_id)
            .subquery("session_counts")
        )
        members = (
            select(CohortMemberRow.cohort_id, func.count().label("n"))
            .group_by(CohortMemberRow.cohort_id)
            .subquery("member_counts")
        )
        rows = self._session.execute(
            select(CohortRow, func.coalesce(sessions.c.n, 0), func.coalesce(members.c.n, 0))
            .outerjoin(sessions, sessions.c.cohort_id == CohortRow.id)
            .outerjoin(members, members.c.cohort_id == CohortRow.id)
            .where(cohort_visible(self._scope))
            .order_by(CohortRow.starts_on.desc(), CohortRow.id.desc())
        )
        return [CohortSummary(row, int(s), int(m)) for row, s, m in rows]

    def add(self, row: CohortRow, sessions: Iterable[CohortSessionRow]) -> CohortRow:
        self._session.add(row)
        self._session.flush()
        for s in sessions:
            s.cohort_id = row.id
            self._session.add(s)
        self._session.flush()
        return row

    # ---- sessions -----------------------------------------------------------------------------

    def sessions(self, cohort_id: int) -> list[CohortSessionRow]:
        return list(
            self._session.execute(
                select(CohortSessionRow)
                .where(CohortSessionRow.cohort_id == cohort_id)
                .order_by(CohortSessionRow.held_on, CohortSessionRow.start_time)
            ).scalars()
        )

    def session_of(
        self, cohort_id: int, session_id: int, *, for_update: bool = False
    ) -> CohortSessionRow | None:
        """`for_update` locks the session row (PostgreSQL), so two people recording attendance
        for the same session queue instead of racing for the same (session, member) key;
        SQLite writers are already serialised by BEGIN IMMEDIATE."""
        stmt = select(CohortSessionRow).where(
            CohortSessionRow.id == session_id, CohortSessionRow.cohort_id == cohort_id
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self._session.execute(stmt).scalar_one_or_none()

    def attended_counts(self, cohort_id: int) -> dict[int, int]:
        """Session id -> how many members attended (a count over all members, no people)."""
        return {
            session_id: int(n)
            for session_id, n in self._session.execute(
                select(AttendanceRow.session_id, func.count())
                .join(CohortSessionRow, CohortSessionRow.id == AttendanceRow.session_id)
                .where(CohortSessionRow.cohort_id == cohort_id, AttendanceRow.attended.is_(True))
                .group_by(AttendanceRow.session_id)
            )
        }

    # ---- members ------------------------------------------------------------------------------

    def visible_members(self, cohort_id: int) -> list[MemberLine]:
        """Members in the caller's participant scope, ordered by name."""
        rows = self._session.execute(
            select(CohortMemberRow, EnrolmentRow, ParticipantRow)
            .join(EnrolmentRow, EnrolmentRow.id == CohortMemberRow.enrolment_id)
            .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
            .where(CohortMemberRow.cohort_id == cohort_id, enrolment_visible(self._scope))
            .order_by(ParticipantRow.search_name, CohortMemberRow.id)
        )
        return [MemberLine(m, e, p) for m, e, p in rows]

    def member_count(self, cohort_id: int) -> int:
        return int(
            self._session.execute(
                select(func.count())
                .select_from(CohortMemberRow)
                .where(CohortMemberRow.cohort_id == cohort_id)
            ).scalar_one()
        )

    def member_enrolments(self, cohort_id: int) -> dict[int, EnrolmentRow]:
        """Every member's enrolment, unscoped: for membership and date checks of enrolments
        the caller has already been shown to see. Never returned to a caller as is."""
        rows = self._session.execute(
            select(EnrolmentRow)
            .join(CohortMemberRow, CohortMemberRow.enrolment_id == EnrolmentRow.id)
            .where(CohortMemberRow.cohort_id == cohort_id)
        ).scalars()
        return {r.id: r for r in rows}

    def visible_enrolment_ids(self, enrolment_ids: Iterable[int]) -> set[int]:
        """Those of the given enrolments that the caller's scope covers (members or not)."""
        ids = list(set(enrolment_ids))
        if not ids:
            return set()
        return set(
            self._session.execute(
                select(EnrolmentRow.id)
                .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
                .where(EnrolmentRow.id.in_(ids), enrolment_visible(self._scope))
            ).scalars()
        )

    def is_member(self, cohort_id: int, enrolment_id: int) -> bool:
        return (
            self._session.execute(
                select(CohortMemberRow.id).where(
                    CohortMemberRow.cohort_id == cohort_id,
                    CohortMemberRow.enrolment_id == enrolment_id,
                )
            ).first()
            is not None
        )

    def add_member(self, row: CohortMemberRow) -> CohortMemberRow:
        self._session.add(row)
        self._session.flush()
        return row

    # ---- attendance ---------------------------------------------------------------------------

    def attendance(
        self, cohort_id: int, enrolment_ids: Sequence[int]
    ) -> dict[tuple[int, int], bool]:
        """(session id, enrolment id) -> attended, for the given members of the cohort."""
        if not enrolment_ids:
            return {}
        rows = self._session.execute(
            select(AttendanceRow.session_id, AttendanceRow.enrolment_id, AttendanceRow.attended)
            .join(CohortSessionRow, CohortSessionRow.id == AttendanceRow.session_id)
            .where(
                CohortSessionRow.cohort_id == cohort_id,
                AttendanceRow.enrolment_id.in_(list(enrolment_ids)),
            )
        )
        return {(s, e): bool(a) for s, e, a in rows}

    def record_attendance(
        self,
        session_id: int,
        marks: Iterable[tuple[int, bool]],
        *,
        by_user_id: int | None,
        at: datetime,
    ) -> list[int]:
        """Insert or replace each (enrolment id, attended) for the session; returns the enrolment
        ids whose earlier value was replaced."""
        wanted = dict(marks)
        existing = {
            r.enrolment_id: r
            for r in self._session.execute(
                select(AttendanceRow).where(
                    AttendanceRow.session_id == session_id,
                    AttendanceRow.enrolment_id.in_(list(wanted)),
                )
            ).scalars()
        }
        replaced = []
        for enrolment_id, attended in wanted.items():
            row = existing.get(enrolment_id)
            if row is None:
                self._session.add(
                    AttendanceRow(
                        session_id=session_id,
                        enrolment_id=enrolment_id,
                        attended=attended,
                        recorded_at=at,
                        recorded_by_user_id=by_user_id,
                    )
                )
            else:
                replaced.append(enrolment_id)
                row.attended = attended
                row.recorded_at = at
                row.recorded_by_user_id = by_user_id
        self._session.flush()
        return sorted(replaced)
