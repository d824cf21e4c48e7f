"""Group commit of read audits: concurrent readers share a transaction, every entry is
committed before its caller returns, the chain stays valid, and a failed batch fails every
caller in it (so no data is returned without its log entry)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from typing import Any

import pytest
from conftest import Api, participant_body
from sqlalchemy import func, select

from api.persistence import read_audit
from api.persistence.audit import AuditEvent, AuditLog, verify_chain
from api.persistence.models import AuditEntryRow
from api.persistence.read_audit import ReadAuditRecorder
from api.persistence.uow import Database
from api.security.permissions import ROLE_PERMISSIONS, Role
from api.security.principal import ActorKind, Principal

MENTOR = Principal(ActorKind.USER, 3, Role.MENTOR, ROLE_PERMISSIONS[Role.MENTOR], 1, 1, "Test")
THREADS, EACH = 12, 15


def _entries(database: Database) -> int:
    with database.unit_of_work(write=False) as uow:
        return int(
            uow.session.execute(select(func.count()).select_from(AuditEntryRow)).scalar_one()
        )


def test_concurrent_readers_share_commits_and_keep_one_chain(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = ReadAuditRecorder(database)
    original = ReadAuditRecorder._flush
    slowed = threading.Event()

    def slow_first_flush(self: ReadAuditRecorder, batch: list[Any]) -> None:
        # Hold the first flush so every other thread queues behind it: batching is then
        # certain rather than a matter of scheduling luck.
        if not slowed.is_set():
            slowed.set()
            time.sleep(0.3)
        original(self, batch)

    monkeypatch.setattr(ReadAuditRecorder, "_flush", slow_first_flush)
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def reader(k: int) -> None:
        start.wait()
        try:
            for i in range(EACH):
                recorder.record(
                    MENTOR, AuditEvent("participant.read", [k * 100 + i]), at=datetime.now(UTC)
                )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=reader, args=(k,)) for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert _entries(database) == THREADS * EACH
    assert recorder.batches_written < THREADS * EACH
    with database.unit_of_work(write=False) as uow:
        report = verify_chain(uow.session)
    assert report.ok and report.entries == THREADS * EACH


def test_more_waiters_than_one_batch_all_get_written(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read_audit, "MAX_BATCH", 2)
    recorder = ReadAuditRecorder(database)
    threads = [
        threading.Thread(
            target=recorder.record,
            args=(MENTOR, AuditEvent("participant.read", [k])),
            kwargs={"at": datetime.now(UTC)},
        )
        for k in range(9)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert _entries(database) == 9


def test_a_failed_batch_fails_its_callers_and_writes_nothing(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    recorder = ReadAuditRecorder(database)

    def broken(*_a: Any, **_k: Any) -> int:
        raise RuntimeError("disk full")

    monkeypatch.setattr(AuditLog, "append_many", broken)
    with pytest.raises(RuntimeError, match="disk full"):
        recorder.record(MENTOR, AuditEvent("participant.read", [1]), at=datetime.now(UTC))
    monkeypatch.undo()
    assert _entries(database) == 0
    recorder.record(MENTOR, AuditEvent("participant.read", [1]), at=datetime.now(UTC))
    assert _entries(database) == 1


def test_no_data_is_returned_when_the_read_cannot_be_logged(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor = api.as_("mentor_a")
    pid = mentor.post("/api/v1/participants", json=participant_body(60)).json()["id"]

    def broken(*_a: Any, **_k: Any) -> int:
        raise RuntimeError("audit store unavailable")

    monkeypatch.setattr(AuditLog, "append_many", broken)
    r = mentor.get(f"/api/v1/participants/{pid}")
    assert r.status_code == 500
    assert "Testsson60" not in r.text and "****" not in r.text
