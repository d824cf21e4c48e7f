"""The task list's read model (task_items) on SQLite and PostgreSQL: what the application keeps
current at each commit equals a recomputation from the sources, the data migration fills it
the same way, a rollback leaves it alone, and two writers on one enrolment cannot leave it
stale or doubled."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import downgrade, migrate, rebuild_task_items, stored_task_items
from sqlalchemy import insert, select

from api.clock import Clock
from api.demo_data import load_demo_data
from api.persistence.models import EnrolmentRow, TransitionRow
from api.persistence.models.activities import ActivityRow, AttendanceRow, CohortSessionRow
from api.persistence.models.assessments import AssessmentDueRow
from api.persistence.repositories import task_items
from api.persistence.repositories.enrolments import to_domain_transition
from api.persistence.repositories.journey_schedules import sync_schedules
from api.persistence.repositories.task_items import (
    ACTIVITY,
    ASSESSMENT,
    FOLLOW_UP,
    MEMBER,
    rebuild,
)
from api.persistence.repositories.task_marks import has_stale_tasks
from api.persistence.uow import Database
from domain.enrolment import replay

TODAY = Clock().today()


@pytest.fixture
def demo(database: Database) -> Database:
    load_demo_data(database, today=TODAY, participants=40, progress=lambda _: None)
    return database


def test_what_the_writes_left_equals_a_recomputation(demo: Database) -> None:
    # The demo loader writes through the repositories, as the API does: every item it left
    # must be what the rules give for the sources now, and nothing more.
    kept = stored_task_items(demo)
    assert {kind for _, kind, *_ in kept} == {ASSESSMENT, FOLLOW_UP, ACTIVITY, MEMBER}
    assert any(item[5] is False for item in kept if item[1] == FOLLOW_UP)
    assert kept == rebuild_task_items(demo)


def test_the_data_migration_fills_it_as_the_application_does(demo: Database) -> None:
    expected = stored_task_items(demo)
    downgrade(demo.engine, "20261124_0008")  # the data migration's downgrade empties it
    assert stored_task_items(demo) == []
    migrate(demo.engine)
    assert stored_task_items(demo) == expected


def test_a_rollback_forgets_what_the_flushes_noted(demo: Database) -> None:
    before = stored_task_items(demo)
    with demo.session_factory() as session:
        enrolment = session.execute(select(EnrolmentRow).limit(1)).scalar_one()
        session.add(_activity(enrolment, TODAY))
        session.flush()
        assert has_stale_tasks(session)
        session.rollback()
        assert not has_stale_tasks(session)
    assert stored_task_items(demo) == before


def test_a_new_activity_moves_the_latest_date_at_commit(demo: Database) -> None:
    with demo.unit_of_work(write=True) as uow:
        enrolment = uow.session.execute(select(EnrolmentRow).limit(1)).scalar_one()
        eid = enrolment.id
        uow.session.add(_activity(enrolment, TODAY))
        uow.commit()
    latest = [item for item in stored_task_items(demo) if item[0] == eid and item[1] == ACTIVITY]
    assert [item[2] for item in latest] == [TODAY]


def test_two_writers_on_one_enrolment_leave_one_current_item(
    demo: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first writer is held inside its refresh, after its delete, until the second has
    started committing. The second must wait for the first (the enrolment lock), then see its
    activity: one item with the later date, not two items, not the earlier date."""
    if demo.sqlite_writer_lock is not None:
        pytest.skip("SQLite has one writer: the two transactions cannot overlap")
    with demo.unit_of_work(write=False) as uow:
        eid = uow.session.execute(select(EnrolmentRow.id).limit(1)).scalar_one()
    first_in_refresh, second_committing = threading.Event(), threading.Event()
    real = task_items.last_activity_on

    def held_open(connection: Any, ids: Any) -> Any:
        if threading.current_thread().name == "first":
            first_in_refresh.set()
            second_committing.wait(timeout=10)
            # Give the second writer time to reach the lock (or, without it, to run past).
            threading.Event().wait(0.3)
        return real(connection, ids)

    monkeypatch.setattr(task_items, "last_activity_on", held_open)
    errors: list[BaseException] = []

    def write(on: date, wait_for: threading.Event | None) -> None:
        try:
            with demo.unit_of_work(write=True) as uow:
                enrolment = uow.session.get(EnrolmentRow, eid)
                assert enrolment is not None
                uow.session.add(_activity(enrolment, on))
                uow.session.flush()
                if wait_for is not None:
                    assert wait_for.wait(timeout=10)
                    second_committing.set()
                uow.commit()
        except BaseException as exc:  # reported below, in the test's thread
            errors.append(exc)

    first = threading.Thread(target=write, args=(TODAY - timedelta(days=1), None), name="first")
    second = threading.Thread(target=write, args=(TODAY, first_in_refresh), name="second")
    first.start()
    second.start()
    first.join(timeout=30)
    second.join(timeout=30)
    assert not errors, errors
    latest = [item for item in stored_task_items(demo) if item[0] == eid and item[1] == ACTIVITY]
    assert [item[2] for item in latest] == [TODAY]
    assert stored_task_items(demo) == rebuild_task_items(demo)


def test_moving_a_held_session_moves_its_attendees_latest_activity(demo: Database) -> None:
    # No endpoint moves a session today; the listener still covers it, since attendance dates
    # are the session's.
    with demo.unit_of_work(write=True) as uow:
        mark = uow.session.execute(
            select(AttendanceRow).where(AttendanceRow.attended.is_(True)).limit(1)
        ).scalar_one()
        held = uow.session.get(CohortSessionRow, mark.session_id)
        assert held is not None
        eid = mark.enrolment_id
        # Later than anything the demo recorded, so it must become the latest activity.
        held.held_on = TODAY + timedelta(days=1)
        uow.commit()
    latest = [item[2] for item in stored_task_items(demo) if item[0] == eid and item[1] == ACTIVITY]
    assert latest == [TODAY + timedelta(days=1)]
    assert stored_task_items(demo) == rebuild_task_items(demo)


def test_an_occasion_dropped_by_a_core_delete_leaves_the_list(demo: Database) -> None:
    # sync_due_assessments deletes occasions no longer due with a Core DELETE, which no flush
    # reports; its own note must reach the refresh.
    with demo.unit_of_work(write=True) as uow:
        row = uow.session.execute(
            select(EnrolmentRow).where(EnrolmentRow.state == "active").limit(1)
        ).scalar_one()
        uow.session.execute(
            insert(AssessmentDueRow).values(enrolment_id=row.id, occasion="exit", due_on=TODAY)
        )
        uow.commit()
    rebuild_task_items(demo)
    assert (row.id, ASSESSMENT, "exit") in {(i[0], i[1], i[4]) for i in stored_task_items(demo)}
    with demo.unit_of_work(write=True) as uow:
        again = uow.session.get(EnrolmentRow, row.id)
        assert again is not None
        history = uow.session.execute(
            select(TransitionRow)
            .where(TransitionRow.enrolment_id == row.id)
            .order_by(TransitionRow.seq)
        ).scalars()
        enrolment = replay(again.programme_code, tuple(to_domain_transition(t) for t in history))
        sync_schedules(uow.session, again, enrolment)
        uow.commit()
    assert (row.id, ASSESSMENT, "exit") not in {(i[0], i[1], i[4]) for i in stored_task_items(demo)}
    assert stored_task_items(demo) == rebuild_task_items(demo)


def test_rebuild_reports_its_progress(demo: Database) -> None:
    told: list[tuple[int, int]] = []
    with demo.unit_of_work(write=True) as uow:
        enrolments = len(uow.session.execute(select(EnrolmentRow.id)).all())
        written = rebuild(uow.session.connection(), lambda done, total: told.append((done, total)))
        uow.commit()
    assert written == len(stored_task_items(demo)) > 0
    assert told[-1] == (enrolments, enrolments)
    assert [done for done, _ in told] == sorted(done for done, _ in told)


def _activity(enrolment: EnrolmentRow, on: date) -> ActivityRow:
    return ActivityRow(
        enrolment_id=enrolment.id,
        participant_id=enrolment.participant_id,
        activity_type="motivational_talk",
        occurred_on=on,
        duration_minutes=30,
        recorded_at=datetime.now(UTC),
    )
