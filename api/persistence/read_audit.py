"""Group commit for the audit entries of *reads*.

Every read of a person's data is logged before the data is returned. Giving each read its own
write transaction made the audit commit the largest cost of a caseload request (bench/), and
on SQLite it serialised every read behind the single writer. Here concurrent readers share
one transaction: the first waiting thread becomes the leader, writes every pending entry in
order into one unit of work and commits; the others wait until their entry is committed (or
the batch failed, which they re-raise). No caller returns before its entry is durable, so no
read goes unlogged; entries of one batch are chained in arrival order.

Changes are not audited here: their audit row must commit atomically with the change itself.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection
from sqlalchemy.orm import Session

from api.persistence.audit import AuditEvent, AuditLog, PendingEntry
from api.persistence.uow import Database
from api.security.principal import Principal

# Bounded so one transaction stays short even under a burst.
MAX_BATCH = 256
WAIT_TIMEOUT_SECONDS = 60.0


@dataclass
class _Pending:
    entry: PendingEntry
    done: bool = False
    error: BaseException | None = None


class ReadAuditRecorder:
    def __init__(self, database: Database) -> None:
        self._database = database
        self._condition = threading.Condition()
        self._pending: list[_Pending] = []
        self._flushing = False
        self.batches_written = 0  # for tests and diagnostics

    def record(self, principal: Principal, event: AuditEvent, *, at: datetime) -> None:
        """Return once the entry is committed; raise if it could not be.

        Never call it inside a *write* unit of work: on SQLite the flush needs the writer
        lock. Inside a read unit of work is fine (WAL lets the writer run beside readers).
        """
        item = _Pending(PendingEntry(principal, event, at))
        with self._condition:
            self._pending.append(item)
        while True:
            with self._condition:
                while self._flushing and not item.done:
                    if not self._condition.wait(timeout=WAIT_TIMEOUT_SECONDS):
                        raise TimeoutError("the access log could not be written in time")
                if item.done:
                    break
                # No flush is running and our entry is still pending: lead the next batch.
                # With more than MAX_BATCH waiting it may not hold our entry; then loop.
                self._flushing = True
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
            self._flush(batch)
        if item.error is not None:
            raise item.error

    @staticmethod
    def write_batch(database: Database, entries: Sequence[PendingEntry]) -> None:
        """One write unit of work for the batch (blocking; a worker thread's job)."""
        with database.unit_of_work(write=True) as uow:
            AuditLog(uow.session).append_many(entries)
            uow.commit()

    def _flush(self, batch: list[_Pending]) -> None:
        error: BaseException | None = None
        try:
            self.write_batch(self._database, [p.entry for p in batch])
        except BaseException as exc:  # handed to every waiter of the batch, re-raised there
            error = exc
        with self._condition:
            for pending in batch:
                pending.done, pending.error = True, error
            self.batches_written += 1
            self._flushing = False
            self._condition.notify_all()


def append_entries(connection: Connection, entries: Sequence[PendingEntry]) -> None:
    """Append through a session on `connection` (Core statements only), inside the caller's
    transaction, which the caller commits."""
    AuditLog(Session(bind=connection)).append_many(entries)


class AsyncReadAuditRecorder:
    """The same group commit for the reads served on the event loop (api/persistence/
    hot_reads.py). The first waiting request starts a flush task that writes every pending
    entry, batch after batch (one transaction each, through `write`), until none is left;
    each request awaits its own entry's batch and gets its error if it failed.

    The flush is its own task, so a request cancelled while waiting (client gone) neither
    cancels the batch nor loses its own or the other entries in it.
    """

    def __init__(self, write: Callable[[Sequence[PendingEntry]], Awaitable[None]]) -> None:
        self._write = write
        self._pending: list[tuple[PendingEntry, asyncio.Future[None]]] = []
        self._flusher: asyncio.Task[None] | None = None
        self.batches_written = 0  # for tests and diagnostics

    async def record(self, principal: Principal, event: AuditEvent, *, at: datetime) -> None:
        """Return once the entry is committed; raise if it could not be."""
        done: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self._pending.append((PendingEntry(principal, event, at), done))
        if self._flusher is None:
            self._flusher = asyncio.create_task(self._flush_all())
        try:
            # A request cancelled here cancels only its own future: the flush task skips it
            # and still writes the entry with the rest of the batch.
            async with asyncio.timeout(WAIT_TIMEOUT_SECONDS):
                await done
        except TimeoutError:
            raise TimeoutError("the access log could not be written in time") from None

    async def drain(self) -> None:
        """Wait for the entries already handed in (at shutdown)."""
        if self._flusher is not None:
            await asyncio.shield(self._flusher)

    async def _flush_all(self) -> None:
        batch: list[tuple[PendingEntry, asyncio.Future[None]]] = []
        try:
            while self._pending:
                batch = self._pending[:MAX_BATCH]
                del self._pending[:MAX_BATCH]
                try:
                    await self._write([entry for entry, _ in batch])
                except Exception as exc:  # handed to every waiter of the batch
                    for _, done in batch:
                        if not done.done():
                            done.set_exception(exc)
                else:
                    for _, done in batch:
                        if not done.done():
                            done.set_result(None)
                self.batches_written += 1
        except BaseException:
            # Cancelled (the loop is shutting down): what is left was not written, and the
            # batch in flight may not have been either.
            for _, done in batch + self._pending:
                if not done.done():
                    done.cancel()
            raise
        finally:
            self._flusher = None
