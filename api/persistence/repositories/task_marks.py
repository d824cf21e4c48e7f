"""Notes, kept on a session, of the enrolments whose task-list items a transaction made stale.

Apart from `task_items` so that the repositories whose Core statements change its sources can
note them without importing the read model (which imports them)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from sqlalchemy.orm import Session

_KEY = "task_items_stale"


@dataclass
class StaleTasks:
    enrolment_ids: set[int] = field(default_factory=set)
    # Resolved to enrolments at commit: a consent entry's participant, a session's attendees.
    participant_ids: set[int] = field(default_factory=set)
    session_ids: set[int] = field(default_factory=set)


def stale_tasks(session: Session) -> StaleTasks:
    stale = session.info.get(_KEY)
    if stale is None:
        stale = session.info[_KEY] = StaleTasks()
    return stale


def take_stale_tasks(session: Session) -> StaleTasks | None:
    """The notes, removed from the session (None: nothing noted)."""
    return session.info.pop(_KEY, None)


def has_stale_tasks(session: Session) -> bool:
    return _KEY in session.info


def mark_stale(session: Session, enrolment_ids: Iterable[int]) -> None:
    """For writers that change a task-list source with a Core statement, which no flush
    reports (api/persistence/repositories/task_items.py)."""
    stale_tasks(session).enrolment_ids.update(enrolment_ids)
