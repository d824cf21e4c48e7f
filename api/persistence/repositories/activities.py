"""The contact log of an enrolment, and the activity figures other areas ask for.

Scope is not applied here: callers first load the enrolment through `EnrolmentRepository`
(scoped), and only then ask for its activities. `last_activity_on` serves the task list's read
model (task_items), which stores it per enrolment whenever a write touches it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, func, select, union_all
from sqlalchemy.orm import Session

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


@cache
def _last_activity_statement(dialect_name: str) -> Select[*tuple[Any, ...]]:
    """Built once per database kind. One statement serves any number of `enrolment_ids`
    (see `one_of`).

    A union of the dated rows grouped by enrolment, not a correlated subquery per enrolment:
    it is run when writes touch a few enrolments and when the read model is rebuilt for
    thousands, where PostgreSQL, planning correlated subqueries over freshly loaded tables,
    scanned all of attendance for each enrolment (minutes for 500 of them)."""
    a, t, s = ActivityRow, AttendanceRow, CohortSessionRow
    dated = union_all(
        select(a.enrolment_id.label("enrolment_id"), a.occurred_on.label("dated_on")).where(
            one_of(a.enrolment_id, "enrolment_ids", dialect_name)
        ),
        select(t.enrolment_id, s.held_on)
        .join(s, s.id == t.session_id)
        .where(one_of(t.enrolment_id, "enrolment_ids", dialect_name), t.attended.is_(True)),
    ).subquery("dated")
    return select(dated.c.enrolment_id, func.max(dated.c.dated_on)).group_by(dated.c.enrolment_id)


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
    for enrolment_id, latest in rows:
        result[enrolment_id] = latest
    return result
