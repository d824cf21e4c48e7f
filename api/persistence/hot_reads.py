"""The reads of (nearly) every request: the principal reload, the caseload, the task list.

A hot read is a plain function that takes a Core `Connection` first. `HotReads` runs it on the
event loop, with no worker thread, and when it returns an audit event, logs the read before
the data goes out (DOMAIN.md §9) through an asyncio group commit:

- PostgreSQL: the function runs in a greenlet on the sync facade of a pooled psycopg async
  connection (`AsyncConnection.run_sync`, how SQLAlchemy's asyncio extension runs sync code),
  so a query's wait for the server suspends the request, not a thread.
- SQLite: the function runs directly, on one connection that only the event loop's thread
  uses. SQLite reads are in-process CPU work without a network wait to overlap, and in WAL
  mode a reader never waits for a writer, so it cannot stall the loop on a lock.

In both, the audit entries of concurrent reads are written together, one transaction per
batch (see read_audit): on PostgreSQL through the async pool, on SQLite in a worker thread,
because the SQLite writer lock may be held by a long write.

Why: a worker-thread hop costs the event loop a queue hand-off and a futex wake-up, two per
request (principal, body), plus the threads' contention for the GIL (on SQLite the driver lets
go of it for every row stepped). Measured A/B in bench/ (issue notes), running these reads on
the loop served more caseload and task-list requests per second on both backends.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Concatenate, ParamSpec, Protocol, TypeVar

import anyio.to_thread
from sqlalchemy import Connection
from sqlalchemy.ext.asyncio import AsyncEngine

from api.persistence.audit import AuditEvent, PendingEntry
from api.persistence.db import is_sqlite, make_async_engine
from api.persistence.read_audit import AsyncReadAuditRecorder, ReadAuditRecorder, append_entries
from api.persistence.uow import Database
from api.security.principal import Principal

P = ParamSpec("P")
T = TypeVar("T")

AuditedRead = tuple[T, AuditEvent | None]


class HotReads:
    def __init__(self, database: Database, now: Callable[[], datetime]) -> None:
        self._database = database
        self._now = now
        # Created on first use and kept per event loop: an async pool's connections, asyncio
        # futures and the loop's own SQLite connection belong to the loop running then (a
        # test client runs one loop per client; the server runs one for its lifetime).
        self._side: _LoopSide | None = None

    async def read(
        self, read: Callable[Concatenate[Connection, P], T], *args: P.args, **kw: P.kwargs
    ) -> T:
        """`read(connection, *args)`; nothing to audit (the principal reload)."""
        return await self._loop_side().read(lambda connection: read(connection, *args, **kw))

    async def read_audited(
        self,
        principal: Principal,
        read: Callable[Concatenate[Connection, P], AuditedRead[T]],
        *args: P.args,
        **kw: P.kwargs,
    ) -> T:
        """`read(connection, *args)` returns its data and the audit event of the read (None
        when it showed no one); the event is committed before the data is returned, and if
        it cannot be, the read fails."""
        side = self._loop_side()
        result, event = await side.read(lambda connection: read(connection, *args, **kw))
        if event is not None:
            await side.recorder.record(principal, event, at=self._now())
        return result

    async def close(self) -> None:
        """At shutdown, on the loop that served: lets the pending audit batch finish."""
        if self._side is not None:
            side, self._side = self._side, None
            await side.close()

    def _loop_side(self) -> _LoopSide:
        loop = asyncio.get_running_loop()
        if self._side is None or self._side.loop is not loop:
            self._side = (
                _SqliteSide(loop, self._database)
                if is_sqlite(self._database.engine)
                else _PostgresSide(
                    loop,
                    make_async_engine(self._database.engine.url, self._database.pool_limits),
                )
            )
        return self._side


class _LoopSide(Protocol):
    loop: asyncio.AbstractEventLoop
    recorder: AsyncReadAuditRecorder

    async def read(self, read: Callable[[Connection], T]) -> T: ...

    async def close(self) -> None: ...


class _PostgresSide:
    def __init__(self, loop: asyncio.AbstractEventLoop, engine: AsyncEngine) -> None:
        self.loop = loop
        self._engine = engine
        self.recorder = AsyncReadAuditRecorder(self._write)

    async def read(self, read: Callable[[Connection], T]) -> T:
        # The engine's connections are autocommit (make_async_engine), as
        # Database.read_connection's.
        async with self._engine.connect() as connection:
            return await connection.run_sync(read)

    async def _write(self, entries: Sequence[PendingEntry]) -> None:
        async with self._engine.connect() as connection:
            connection = await connection.execution_options(isolation_level="READ COMMITTED")
            async with connection.begin():
                await connection.run_sync(append_entries, entries)

    async def close(self) -> None:
        await self.recorder.drain()
        await self._engine.dispose()


class _SqliteSide:
    def __init__(self, loop: asyncio.AbstractEventLoop, database: Database) -> None:
        self.loop = loop
        self._database = database
        self._connection: Connection | None = None
        self.recorder = AsyncReadAuditRecorder(self._write)

    async def read(self, read: Callable[[Connection], T]) -> T:
        if self._connection is None:
            self._connection = self._database.open_read_connection()
        try:
            return read(self._connection)
        finally:
            # Ends SQLAlchemy's bookkeeping of the statement's implicit transaction (nothing
            # is sent: the connection is in autocommit), and after an error lets the next
            # read reconnect.
            self._connection.rollback()

    async def _write(self, entries: Sequence[PendingEntry]) -> None:
        await anyio.to_thread.run_sync(ReadAuditRecorder.write_batch, self._database, entries)

    async def close(self) -> None:
        await self.recorder.drain()
        if self._connection is not None:
            self._connection.close()
            self._connection = None
