"""The mentor's task list: due assessments and follow-ups, this week's cohort sessions and quiet
participants, for the enrolments the caller mentors, read on one connection."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Connection

from api.persistence.audit import AuditEvent
from api.persistence.repositories.assessments import DueAssessmentLine, due_assessment_lines
from api.persistence.repositories.cohorts import SessionLine, sessions_of_enrolments
from api.persistence.repositories.enrolments import (
    CaseloadLine,
    caseload_lines_with_last_activity,
)
from api.persistence.repositories.follow_ups import DueFollowUpLine, due_follow_up_lines
from api.security.principal import Principal, scope_for
from domain.enrolment import EnrolmentState
from domain.errors import InvalidInput
from domain.follow_ups import DUE_WINDOW_DAYS
from domain.tasks import Week, days_without_activity, week_of


@dataclass(frozen=True)
class QuietLine:
    line: CaseloadLine
    last_activity_on: date | None
    days_without_activity: int


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

    `connection` is a hot read's (autocommit on PostgreSQL): its statements end without the
    ROLLBACK that makes psycopg drop its prepared statements, so these four queries are
    planned once per pooled connection instead of on every request (planning took as long as
    running them)."""
    mentor_id = principal.user_id
    if mentor_id is None:
        raise InvalidInput("Bara användare har en egen uppgiftslista.")
    week = week_of(today)
    scope = scope_for(principal)
    # The caller's own enrolments, also for a lead mentor whose scope is the municipality.
    caseload = caseload_lines_with_last_activity(connection, scope, mentor_id)
    assessments = due_assessment_lines(connection, scope, today=today, mentor_id=mentor_id)
    follow_ups = due_follow_up_lines(
        connection, scope, today=today, within_days=DUE_WINDOW_DAYS, mentor_id=mentor_id
    )
    mine = [line.enrolment_id for line, _ in caseload]
    sessions = sessions_of_enrolments(connection, mine, first=week.first_day, last=week.last_day)
    quiet = []
    for line, latest in caseload:
        days = days_without_activity(
            EnrolmentState(line.state),
            last_activity_on=latest,
            started_on=line.started_on,
            referred_on=line.referred_on,
            today=today,
        )
        if days is not None:
            quiet.append(QuietLine(line, latest, days))
    quiet.sort(key=lambda q: -q.days_without_activity)
    people = {
        *(a.participant_id for a in assessments),
        *(f.participant_id for f in follow_ups),
        *(q.line.participant_id for q in quiet),
    }
    tasks = TaskList(today, week, assessments, follow_ups, sessions, quiet)
    return tasks, AuditEvent("tasks.read", sorted(people)) if people else None
