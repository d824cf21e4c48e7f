"""Hot reads on the event loop, on both backends: each audited read is logged before its data
is returned, concurrent reads share audit commits and keep one valid chain, a failed audit
write fails the reads of its batch (and the next read works again), and a read that raises
leaves the reads usable."""

from __future__ import annotations

import asyncio
import sqlite3
from collections.abc import Awaitable, Callable, Sequence
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
from sqlalchemy import Connection, func, select, text

from api.persistence.audit import AuditEvent, AuditLog, PendingEntry, verify_chain
from api.persistence.hot_reads import HotReads
from api.persistence.models import AuditEntryRow, AuditSubjectRow
from api.persistence.read_audit import AsyncReadAuditRecorder
from api.persistence.uow import Database
from api.security.permissions import ROLE_PERMISSIONS, Role
from api.security.principal import ActorKind, Principal

MENTOR = Principal(ActorKind.USER, 3, Role.MENTOR, ROLE_PERMISSIONS[Role.MENTOR], 1, 1, "Test")
T = TypeVar("T")


def _now() -> datetime:
    return datetime.now(UTC)


def _run(database: Database, scenario: Callable[[HotReads], Awaitable[T]]) -> T:
    """Run `scenario` on a fresh event loop, closing the hot reads on it as the app's
    lifespan does."""

    async def main() -> T:
        hot = HotReads(database, _now)
        try:
            return await scenario(hot)
        finally:
            await hot.close()

    return asyncio.run(main())


def _count(database: Database, table: Any) -> int:
    with database.read_connection() as connection:
        return int(connection.execute(select(func.count()).select_from(table)).scalar_one())


def _one(connection: Connection, participant_id: int) -> tuple[int, AuditEvent | None]:
    value = connection.execute(text("SELECT 1")).scalar_one()
    return value, AuditEvent("participant.read", [participant_id])


def test_an_audited_read_is_logged_before_its_data_is_returned(database: Database) -> None:
    async def scenario(hot: HotReads) -> list[int]:
        seen = []
        for k in range(3):
            seen.append(await hot.read_audited(MENTOR, _one, 100 + k))
            # Committed already: another connection sees it before the next read starts.
            seen.append(_count(database, AuditEntryRow))
        return seen

    assert _run(database, scenario) == [1, 1, 1, 2, 1, 3]
    assert _count(database, AuditSubjectRow) == 3


def test_a_read_with_nothing_to_log_writes_nothing(database: Database) -> None:
    async def scenario(hot: HotReads) -> int | None:
        return await hot.read_audited(
            MENTOR, lambda c: (c.execute(text("SELECT 7")).scalar(), None)
        )

    assert _run(database, scenario) == 7
    assert _count(database, AuditEntryRow) == 0


def test_concurrent_reads_share_audit_commits_and_keep_one_chain(database: Database) -> None:
    reads = 40

    async def scenario(hot: HotReads) -> tuple[list[int], int]:
        results = await asyncio.gather(
            *(hot.read_audited(MENTOR, _one, 1000 + k) for k in range(reads))
        )
        side = hot._loop_side()
        return list(results), side.recorder.batches_written

    results, batches = _run(database, scenario)
    assert results == [1] * reads
    assert _count(database, AuditEntryRow) == reads
    # The first read's batch is in flight while the others queue: they share the next one.
    assert batches < reads
    with database.unit_of_work(write=False) as uow:
        report = verify_chain(uow.session)
    assert report.ok and report.entries == reads


def test_a_failed_audit_write_fails_its_reads_and_the_next_read_works(
    database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = AuditLog.append_many
    broken = True

    def append_many(self: AuditLog, entries: Any) -> list[int]:
        if broken:
            raise RuntimeError("audit store unavailable")
        return original(self, entries)

    monkeypatch.setattr(AuditLog, "append_many", append_many)

    async def scenario(hot: HotReads) -> int:
        nonlocal broken
        outcomes = await asyncio.gather(
            *(hot.read_audited(MENTOR, _one, k) for k in range(5)), return_exceptions=True
        )
        assert all(isinstance(o, RuntimeError) for o in outcomes), outcomes
        broken = False
        return await hot.read_audited(MENTOR, _one, 99)

    assert _run(database, scenario) == 1
    assert _count(database, AuditEntryRow) == 1


def test_a_read_that_raises_leaves_the_reads_usable(database: Database) -> None:
    def failing(connection: Connection) -> int:
        connection.execute(text("SELECT no_such_column FROM users"))
        return 0

    async def scenario(hot: HotReads) -> int:
        with pytest.raises(Exception, match="no_such_column"):
            await hot.read(failing)
        return await hot.read(lambda c: c.execute(text("SELECT count(*) FROM users")).scalar_one())

    assert _run(database, scenario) == 0


def test_sqlite_reads_hold_no_transaction_between_requests(database: Database) -> None:
    """The loop's own SQLite connection is in autocommit: after a read it holds no read
    transaction, which would pin an old snapshot and keep the WAL from being checkpointed."""
    if database.engine.dialect.name != "sqlite":
        pytest.skip("SQLite only")

    async def scenario(hot: HotReads) -> bool:
        def read(connection: Connection) -> bool:
            connection.execute(text("SELECT count(*) FROM users")).scalar_one()
            driver = connection.connection.driver_connection
            assert isinstance(driver, sqlite3.Connection)
            return driver.in_transaction

        in_read = await hot.read(read)
        assert not in_read
        # A write from elsewhere is seen by the next read at once.
        with database.unit_of_work(write=True) as uow:
            uow.session.execute(text("DELETE FROM audit_chain_head WHERE 1 = 0"))
            uow.commit()
        return await hot.read(read)

    assert _run(database, scenario) is False


def _recorder_with_slow_writes() -> tuple[AsyncReadAuditRecorder, list[PendingEntry]]:
    written: list[PendingEntry] = []

    async def write(entries: Sequence[PendingEntry]) -> None:
        await asyncio.sleep(0.05)
        written.extend(entries)

    return AsyncReadAuditRecorder(write), written


def test_draining_waits_for_the_entries_already_handed_in() -> None:
    async def scenario() -> None:
        recorder, written = _recorder_with_slow_writes()
        reads = [
            asyncio.ensure_future(recorder.record(MENTOR, AuditEvent("x.read", [k]), at=_now()))
            for k in range(3)
        ]
        await asyncio.sleep(0)
        await recorder.drain()
        assert [e.event.participant_ids for e in written] == [[0], [1], [2]]
        await asyncio.gather(*reads)

    asyncio.run(scenario())


def test_a_reader_that_goes_away_does_not_cancel_the_others_entries() -> None:
    async def scenario() -> None:
        recorder, written = _recorder_with_slow_writes()
        first = asyncio.ensure_future(recorder.record(MENTOR, AuditEvent("x.read", [1]), at=_now()))
        second = asyncio.ensure_future(
            recorder.record(MENTOR, AuditEvent("x.read", [2]), at=_now())
        )
        await asyncio.sleep(0)
        first.cancel()  # the client disconnected
        await second
        assert [e.event.participant_ids for e in written] == [[1], [2]]
        assert first.cancelled()

    asyncio.run(scenario())


def test_postgresql_hot_reads_keep_prepared_statements_across_audit_writes(
    database: Database,
) -> None:
    """psycopg prepares a statement after 5 runs on a connection and drops them all on every
    ROLLBACK (tests/integration/test_pool_liveness.py). The event loop's connections are
    autocommit and an audit write between two reads ends in COMMIT, so they stay prepared."""
    if database.engine.dialect.name != "postgresql":
        pytest.skip("PostgreSQL only")
    query = text("SELECT count(*) FROM users WHERE id > :floor")

    def audited(connection: Connection) -> tuple[int, AuditEvent]:
        return connection.execute(query, {"floor": 0}).scalar_one(), AuditEvent("x.read", [1])

    async def scenario(hot: HotReads) -> int:
        for _ in range(7):
            await hot.read_audited(MENTOR, audited)
        return await hot.read(
            lambda c: c.execute(text("SELECT count(*) FROM pg_prepared_statements")).scalar_one()
        )

    assert _run(database, scenario) >= 1
    assert _count(database, AuditEntryRow) == 7
