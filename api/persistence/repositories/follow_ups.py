"""Follow-up rows <-> `domain.follow_ups`: the stored schedule, results, and due lists.

The schedule is derived data: `sync_follow_ups` recomputes it from the enrolment's history on
every transition (the enrolment repository calls it), so a date correction moves the due dates
in the same transaction. Results are written once, by a conditional UPDATE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, Date, Select, bindparam, select, update
from sqlalchemy.orm import Session

from api.persistence.models.core import EnrolmentRow, ParticipantRow
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.consents import consent_held_condition
from api.persistence.repositories.scope_filters import (
    enrolment_visible,
    participant_condition,
    scope_params,
)
from api.persistence.repositories.task_marks import mark_stale
from api.security.principal import Principal, Scope, ScopeKind
from domain.codelists import CodeListName
from domain.consent import ConsentPurpose
from domain.enrolment import Enrolment, EnrolmentState
from domain.follow_ups import (
    FollowUpResult,
    FollowUpStatus,
    ScheduledFollowUp,
    follow_up_schedule,
    follow_up_status,
)
from domain.programmes import get_programme


def to_scheduled(row: FollowUpRow) -> ScheduledFollowUp:
    return ScheduledFollowUp(
        kind=row.kind,
        trigger_on=row.trigger_on,
        due_on=row.due_on,
        requires_contact_consent=row.requires_contact_consent,
    )


def _exit_excluded(session: Session, enrolment: Enrolment) -> bool:
    if enrolment.state is not EnrolmentState.EXITED or enrolment.exit_reason_code is None:
        return False
    entry = (
        CodeListRepository(session)
        .current(CodeListName.EXIT_REASON)
        .find(enrolment.exit_reason_code)
    )
    return entry is not None and entry.excluded_from_statistics


def sync_follow_ups(session: Session, row: EnrolmentRow, enrolment: Enrolment) -> None:
    """Bring the projected schedule in line with the enrolment's (corrected) history.

    Inserts follow-ups whose trigger has happened, moves dates a correction changed, and
    deletes follow-ups that no longer apply unless a result is recorded (results are never
    thrown away). Flushes, never commits.
    """
    programme = get_programme(row.programme_code)
    if not programme.follow_up_rules:
        return
    wanted = {
        s.kind: s
        for s in follow_up_schedule(
            programme, enrolment, exit_excluded=_exit_excluded(session, enrolment)
        )
    }
    stored = {
        r.kind: r
        for r in session.execute(
            select(FollowUpRow).where(FollowUpRow.enrolment_id == row.id)
        ).scalars()
    }
    for kind, scheduled in wanted.items():
        existing = stored.get(kind)
        if existing is None:
            session.add(
                FollowUpRow(
                    enrolment_id=row.id,
                    kind=kind,
                    trigger_on=scheduled.trigger_on,
                    due_on=scheduled.due_on,
                    requires_contact_consent=scheduled.requires_contact_consent,
                )
            )
        elif to_scheduled(existing) != scheduled:
            existing.trigger_on = scheduled.trigger_on
            existing.due_on = scheduled.due_on
            existing.requires_contact_consent = scheduled.requires_contact_consent
    for kind, existing in stored.items():
        if kind not in wanted and existing.recorded_at is None:
            session.delete(existing)
    session.flush()


class FollowUpRepository:
    """Follow-ups of enrolments in the scope; out of scope behaves as missing."""

    def __init__(self, session: Session, scope: Scope) -> None:
        self._session = session
        self._scope = scope

    def _visible(self) -> Select[FollowUpRow]:
        return (
            select(FollowUpRow)
            .join(EnrolmentRow, EnrolmentRow.id == FollowUpRow.enrolment_id)
            .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
            .where(enrolment_visible(self._scope))
        )

    def for_enrolment(self, enrolment_id: int) -> list[FollowUpRow]:
        return list(
            self._session.execute(
                self._visible()
                .where(FollowUpRow.enrolment_id == enrolment_id)
                .order_by(FollowUpRow.due_on, FollowUpRow.id)
            ).scalars()
        )

    def record(
        self, follow_up: FollowUpRow, result: FollowUpResult, actor: Principal, at: datetime
    ) -> bool:
        """Store the result unless one is already stored; False when another writer won.

        The `recorded_at IS NULL` condition is the guard: on PostgreSQL the second of two
        concurrent UPDATEs waits for the first's row lock, then re-checks the condition and
        matches nothing. The row is refreshed so the caller sees what was stored.
        """
        done = self._session.execute(
            update(FollowUpRow)
            .where(FollowUpRow.id == follow_up.id, FollowUpRow.recorded_at.is_(None))
            .values(
                contacted_on=result.contacted_on,
                contact_reached=result.contact_reached,
                attempts=result.attempts,
                final_non_response=result.final_non_response,
                status_group=result.status_group.value if result.status_group else None,
                employment_extent_percent=result.employment_extent_percent,
                self_supporting=result.self_supporting,
                current_benefit=result.current_benefit,
                note=result.note,
                recorded_at=at,
                recorded_by_user_id=actor.user_id,
                recorded_by_client_id=actor.client_id,
            )
            .execution_options(synchronize_session=False)
        )
        if getattr(done, "rowcount", 0) != 1:
            return False
        mark_stale(self._session, [follow_up.enrolment_id])  # no flush reports the UPDATE
        self._session.refresh(follow_up)
        return True


@dataclass(frozen=True)
class DueFollowUpLine:
    id: int
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    # Stored form; the caller masks it.
    personnummer: str
    mentor_id: int | None
    programme_code: str
    kind: str
    due_on: date
    status: FollowUpStatus


@cache
def _due_statement(kind: ScopeKind, has_user: bool, by_mentor: bool) -> Select[*tuple[Any, ...]]:
    """Built once per scope shape (as the caseload and due-assessment statements are): building
    the expression costs more than running it, and the task list runs it on every request."""
    f, e, p = FollowUpRow, EnrolmentRow, ParticipantRow
    held = consent_held_condition(
        p.id, ConsentPurpose.FOLLOW_UP_CONTACT, bindparam("due_today", type_=Date())
    )
    stmt = (
        select(
            f.id,
            f.enrolment_id,
            e.participant_id,
            p.first_name,
            p.last_name,
            p.personnummer,
            e.mentor_id,
            e.programme_code,
            f.kind,
            f.due_on,
            f.requires_contact_consent,
            held.label("consent_held"),
        )
        .join(e, e.id == f.enrolment_id)
        .join(p, p.id == e.participant_id)
        .where(
            f.recorded_at.is_(None),
            f.due_on <= bindparam("due_horizon", type_=Date()),
            participant_condition(kind, has_user),
        )
        .order_by(f.due_on, f.id)
    )
    if by_mentor:
        stmt = stmt.where(e.mentor_id == bindparam("due_mentor_id"))
    return stmt


def due_follow_up_lines(
    connection: Connection,
    scope: Scope,
    *,
    today: date,
    within_days: int,
    mentor_id: int | None = None,
) -> list[DueFollowUpLine]:
    """Open follow-ups due on or before today + `within_days` in the scope, earliest first.

    One query; consent to follow-up contact is evaluated for today in SQL. Status is the
    domain's: overdue, due, not permitted (or upcoming, when `within_days` reaches past the
    domain's due window).
    """
    if scope.kind is ScopeKind.REFERRALS:
        # Referrers see status only, never follow-ups.
        return []
    # For every other scope kind `enrolment_visible(scope)` is exactly this participant
    # condition, in its cached, parametrised form.
    stmt = _due_statement(scope.kind, scope.user_id is not None, mentor_id is not None)
    params = {
        **scope_params(scope),
        "due_today": today,
        "due_horizon": today + timedelta(days=within_days),
        "due_mentor_id": mentor_id,
    }
    lines = []
    for row in connection.execute(stmt, params):
        status = follow_up_status(
            row.due_on,
            recorded=False,
            contact_permitted=not row.requires_contact_consent or bool(row.consent_held),
            today=today,
        )
        lines.append(
            DueFollowUpLine(
                id=row.id,
                enrolment_id=row.enrolment_id,
                participant_id=row.participant_id,
                first_name=row.first_name,
                last_name=row.last_name,
                personnummer=row.personnummer,
                mentor_id=row.mentor_id,
                programme_code=row.programme_code,
                kind=row.kind,
                due_on=row.due_on,
                status=status,
            )
        )
    return lines
