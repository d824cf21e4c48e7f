"""The mentor's task list: due assessments and follow-ups, this week's cohort sessions and quiet
participants, for the enrolments the caller mentors, read in one statement from the task
list's read model (api/persistence/repositories/task_items.py), with the domain's rules for
what is due, overdue and quiet applied to today."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from sqlalchemy import Connection, Row

from api.persistence.audit import AuditEvent
from api.persistence.repositories.assessments import DueAssessmentLine
from api.persistence.repositories.follow_ups import DueFollowUpLine
from api.persistence.repositories.task_items import (
    ASSESSMENT,
    FOLLOW_UP,
    QUIET,
    SESSION,
    TaskWindow,
    task_rows,
)
from api.security.principal import Principal, scope_for
from domain.enrolment import EnrolmentState
from domain.errors import InvalidInput
from domain.follow_ups import DUE_WINDOW_DAYS, follow_up_status
from domain.self_assessment import assessment_status
from domain.tasks import Week, days_without_activity, quiet_since_by, week_of


@dataclass(frozen=True)
class QuietLine:
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    # Stored form; the caller masks it.
    personnummer: str
    programme_code: str
    state: str
    step: int | None
    last_activity_on: date | None
    days_without_activity: int


@dataclass(frozen=True)
class SessionLine:
    """A cohort session this week, with those of the caller's enrolments expected there."""

    cohort_id: int
    cohort_name: str
    kind: str
    provider: str
    session_id: int
    held_on: date
    start_time: str
    duration_minutes: int
    enrolment_ids: tuple[int, ...]


@dataclass(frozen=True)
class TaskList:
    today: date
    week: Week
    assessments: list[DueAssessmentLine]
    follow_ups: list[DueFollowUpLine]
    sessions: list[SessionLine]
    quiet: list[QuietLine]


def my_tasks(
    connection: Connection, principal: Principal, today: date
) -> tuple[TaskList, AuditEvent | None]:
    """The task list, and the audit event of the read (None when it showed no one), which the
    caller logs before returning the list (HotReads.read_audited).

    `connection` is a hot read's (autocommit on PostgreSQL), so the statement stays prepared
    on its pooled connection."""
    mentor_id = principal.user_id
    if mentor_id is None:
        raise InvalidInput("Bara användare har en egen uppgiftslista.")
    week = week_of(today)
    window = TaskWindow(
        follow_ups_due_by=today + timedelta(days=DUE_WINDOW_DAYS),
        quiet_since_by=quiet_since_by(today),
        week_first=week.first_day,
        week_last=week.last_day,
    )
    # The caller's own enrolments, also for a lead mentor whose scope is the municipality.
    rows = task_rows(connection, scope_for(principal), mentor_id, window)
    assessments: list[tuple[Any, DueAssessmentLine]] = []
    follow_ups: list[DueFollowUpLine] = []
    sessions: dict[int, tuple[Row[Any], list[int]]] = {}
    quiet: list[tuple[Any, QuietLine]] = []
    for row in rows:
        kind = row[0]
        if kind == ASSESSMENT:
            assessments.append(
                ((row.dated_on, row.enrolment_id, row.source_id), _assessment(row, today))
            )
        elif kind == FOLLOW_UP:
            follow_ups.append(_follow_up(row, today))
        elif kind == SESSION:
            sessions.setdefault(row.source_id, (row, []))[1].append(row.enrolment_id)
        elif kind == QUIET:
            line = _quiet(row, today)
            if line is not None:
                quiet.append(
                    ((-line.days_without_activity, row.search_name, row.enrolment_id), line)
                )
    assessments.sort(key=lambda pair: pair[0])
    follow_ups.sort(key=lambda line: (line.due_on, line.id))
    quiet.sort(key=lambda pair: pair[0])
    tasks = TaskList(
        today,
        week,
        [line for _, line in assessments],
        follow_ups,
        _session_lines(sessions),
        [line for _, line in quiet],
    )
    people = {
        *(a.participant_id for a in tasks.assessments),
        *(f.participant_id for f in tasks.follow_ups),
        *(q.participant_id for q in tasks.quiet),
    }
    return tasks, AuditEvent("tasks.read", sorted(people)) if people else None


def _person(row: Row[Any]) -> dict[str, Any]:
    """Who a line is about: the fields every kind of line shares (presenters.PersonLine)."""
    return {
        "enrolment_id": row.enrolment_id,
        "participant_id": row.participant_id,
        "first_name": row.first_name,
        "last_name": row.last_name,
        "personnummer": row.personnummer,
        "programme_code": row.programme_code,
    }


def _assessment(row: Row[Any], today: date) -> DueAssessmentLine:
    return DueAssessmentLine(
        **_person(row),
        mentor_id=row.mentor_id,
        occasion=row.label,
        due_on=row.dated_on,
        status=assessment_status(row.dated_on, False, today),
    )


def _follow_up(row: Row[Any], today: date) -> DueFollowUpLine:
    return DueFollowUpLine(
        id=row.source_id,
        **_person(row),
        mentor_id=row.mentor_id,
        kind=row.label,
        due_on=row.dated_on,
        status=follow_up_status(
            row.dated_on, recorded=False, contact_permitted=bool(row.contact_permitted), today=today
        ),
    )


def _quiet(row: Row[Any], today: date) -> QuietLine | None:
    days = days_without_activity(
        EnrolmentState(row.state),
        last_activity_on=row.dated_on,
        started_on=row.started_on,
        referred_on=row.referred_on,
        today=today,
    )
    if days is None:
        return None
    return QuietLine(
        **_person(row),
        state=row.state,
        step=row.step,
        last_activity_on=row.dated_on,
        days_without_activity=days,
    )


def _session_lines(sessions: dict[int, tuple[Row[Any], list[int]]]) -> list[SessionLine]:
    lines = [
        SessionLine(
            cohort_id=head.cohort_id,
            cohort_name=head.cohort_name,
            kind=head.cohort_kind,
            provider=head.provider,
            session_id=session_id,
            held_on=head.dated_on,
            start_time=head.start_time,
            duration_minutes=head.duration_minutes,
            enrolment_ids=tuple(sorted(members)),
        )
        for session_id, (head, members) in sessions.items()
    ]
    lines.sort(key=lambda s: (s.held_on, s.start_time, s.cohort_id, s.session_id))
    return lines
