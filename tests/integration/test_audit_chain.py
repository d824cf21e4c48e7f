"""The access log is append-only and hash-chained: verification finds any edited row, and
concurrent appenders never fork the chain (on PostgreSQL the head row lock serialises them)."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

from sqlalchemy import delete, func, select, update

from api.persistence.audit import AuditEvent, AuditLog, PendingEntry, verify_chain
from api.persistence.models import AuditEntryRow, AuditSubjectRow
from api.persistence.uow import Database
from api.security.permissions import ROLE_PERMISSIONS, Role
from api.security.principal import ActorKind, Principal

MENTOR = Principal(ActorKind.USER, 7, Role.MENTOR, ROLE_PERMISSIONS[Role.MENTOR], 1, 1, "Test")


def _append(database: Database, n: int, participant: int = 1) -> None:
    for i in range(n):
        with database.unit_of_work(write=True) as uow:
            AuditLog(uow.session).append(
                MENTOR,
                AuditEvent(
                    "participant.read",
                    [participant, participant + i],
                    "participant",
                    participant,
                    detail={"i": i},
                ),
                at=datetime.now(UTC),
            )
            uow.commit()


def test_chain_verifies_and_detects_an_edited_row(database: Database) -> None:
    _append(database, 5)
    with database.unit_of_work(write=False) as uow:
        report = verify_chain(uow.session)
        assert report.ok and report.entries == 5
        third = uow.session.execute(
            select(AuditEntryRow.id).order_by(AuditEntryRow.id).offset(2).limit(1)
        ).scalar_one()
    # Tampering goes around the application on purpose: the code has no update path.
    with database.unit_of_work(write=True) as uow:
        uow.session.execute(
            update(AuditEntryRow)
            .where(AuditEntryRow.id == third)
            .values(action="participant.update")
        )
        uow.commit()
    with database.unit_of_work(write=False) as uow:
        report = verify_chain(uow.session)
    assert not report.ok and report.first_broken_id == third


def test_removing_a_subject_breaks_the_chain(database: Database) -> None:
    _append(database, 2, participant=40)
    with database.unit_of_work(write=True) as uow:
        uow.session.execute(delete(AuditSubjectRow).where(AuditSubjectRow.participant_id == 41))
        uow.commit()
    with database.unit_of_work(write=False) as uow:
        assert not verify_chain(uow.session).ok


def test_concurrent_appenders_keep_one_chain(database: Database) -> None:
    threads = [threading.Thread(target=_append, args=(database, 10, 100 * k)) for k in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    with database.unit_of_work(write=False) as uow:
        assert (
            uow.session.execute(select(func.count()).select_from(AuditEntryRow)).scalar_one() == 60
        )
        report = verify_chain(uow.session)
    assert report.ok and report.entries == 60


def test_a_batch_appends_in_order_with_each_entry_keeping_its_own_subjects(
    database: Database,
) -> None:
    # Many entries with different subject sets in one call: the ids come back in input order,
    # so every subject row belongs to its own entry, and the chain links them in that order.
    at = datetime.now(UTC)
    subject_sets = [[300 + k, 400 + k * 7, 500] for k in range(40)] + [[]]
    with database.unit_of_work(write=True) as uow:
        ids = AuditLog(uow.session).append_many(
            [
                PendingEntry(MENTOR, AuditEvent("caseload.read", s, detail={"k": k}), at)
                for k, s in enumerate(subject_sets)
            ]
        )
        uow.commit()
    assert ids == sorted(ids) and len(set(ids)) == len(subject_sets)
    with database.unit_of_work(write=False) as uow:
        stored: dict[int, list[int]] = {i: [] for i in ids}
        for audit_id, participant_id in uow.session.execute(
            select(AuditSubjectRow.audit_id, AuditSubjectRow.participant_id)
        ):
            stored[audit_id].append(participant_id)
        details = {
            audit_id: detail
            for audit_id, detail in uow.session.execute(
                select(AuditEntryRow.id, AuditEntryRow.detail)
            )
        }
        report = verify_chain(uow.session)
    assert [sorted(stored[i]) for i in ids] == [sorted(s) for s in subject_sets]
    assert [details[i] for i in ids[:-1]] == [{"k": k} for k in range(40)]
    assert report.ok and report.entries == len(subject_sets)
