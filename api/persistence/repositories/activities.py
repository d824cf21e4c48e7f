"""The contact log of an enrolment, and the activity figures other areas ask for.

Scope is not applied here: callers first load the enrolment through `EnrolmentRepository`
(scoped), and only then ask for its activities. `last_activity_on` serves the task list, whose
enrolment ids already come from a scoped query.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, Connection, Select, func, select, union_all
from sqlalchemy.orm import InstrumentedAttribute, Session

from api.persistence.models import EnrolmentRow
from api.persistence.models.activities import ActivityRow, AttendanceRow, CohortSessionRow
from api.persistence.repositories.id_lists import one_of


class ActivityRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def add(self, row: ActivityRow) -> ActivityRow:
        self._session.add(row)
        self._session.flush()
        return row

    def for_enrolment(self, enrolment_id: int) -> list[ActivityRow]:
        """Newest first; same-day entries in reverse recording order."""
        return list(
            self._session.execute(
                select(ActivityRow)
                .where(ActivityRow.enrolment_id == enrolment_id)
                .order_by(ActivityRow.occurred_on.desc(), ActivityRow.id.desc())
            ).scalars()
        )

    def minutes_between(self, enrolment_id: int, first: date, last: date) -> list[tuple[date, int]]:
        """(date, minutes) of every activity and every attended cohort session of the enrolment
        dated in [first, last]: what the hours per week are summed from."""
        activities = select(ActivityRow.occurred_on, ActivityRow.duration_minutes).where(
            ActivityRow.enrolment_id == enrolment_id,
            ActivityRow.occurred_on.between(first, last),
        )
        sessions = (
            select(CohortSessionRow.held_on, CohortSessionRow.duration_minutes)
            .join(AttendanceRow, AttendanceRow.session_id == CohortSessionRow.id)
            .where(
                AttendanceRow.enrolment_id == enrolment_id,
                AttendanceRow.attended.is_(True),
                CohortSessionRow.held_on.between(first, last),
            )
        )
        return [
            (on, minutes) for on, minutes in self._session.execute(union_all(activities, sessions))
        ]


def latest_activity_dates(
    enrolment_id: ColumnElement[int] | InstrumentedAttribute[int],
) -> tuple[Any, Any]:
    """The latest activity date and the latest attended cohort session date of the enrolment
    `enrolment_id` names, as two correlated scalar subqueries for a select over enrolments
    (`latest_of` picks the later). The activity one probes (enrolment_id, occurred_on) from
    its end, where a union of every dated row and a group-by read a mentor's whole history
    (1 300 rows in bench/) on every request.

    The session one stays a join: written as a key lookup per attendance row instead,
    PostgreSQL (at its default random_page_cost) scanned all of cohort_sessions for each row,
    and a task list took 9 ms instead of 1."""
    latest_activity = (
        select(func.max(ActivityRow.occurred_on))
        .where(ActivityRow.enrolment_id == enrolment_id)
        .scalar_subquery()
    )
    latest_attended = (
        select(func.max(CohortSessionRow.held_on))
        .join(AttendanceRow, AttendanceRow.session_id == CohortSessionRow.id)
        .where(AttendanceRow.enrolment_id == enrolment_id, AttendanceRow.attended.is_(True))
        .scalar_subquery()
    )
    return latest_activity, latest_attended


def latest_of(*dates: date | None) -> date | None:
    return max((d for d in dates if d is not None), default=None)


@cache
def _last_activity_statement(dialect_name: str) -> Select[*tuple[Any, ...]]:
    """Built once per database kind. One statement serves any number of `enrolment_ids`
    (see `one_of`)."""
    return select(EnrolmentRow.id, *latest_activity_dates(EnrolmentRow.id)).where(
        one_of(EnrolmentRow.id, "enrolment_ids", dialect_name)
    )


def last_activity_on(
    connection: Connection, enrolment_ids: Sequence[int]
) -> dict[int, date | None]:
    """The latest activity or attended cohort session date per enrolment, in one query.

    Every id asked for is in the answer; None means nothing recorded yet."""
    result: dict[int, date | None] = dict.fromkeys(enrolment_ids)
    if not enrolment_ids:
        return result
    rows = connection.execute(
        _last_activity_statement(connection.dialect.name),
        {"enrolment_ids": sorted(set(enrolment_ids))},
    )
    for enrolment_id, *dates in rows:
        result[enrolment_id] = latest_of(*dates)
    return result
