"""Unit of work: one session, one transaction, explicit commit (ARCHITECTURE.md rule 6).

Services open it, call `commit()` before returning, and leaving the block always rolls back
whatever was not committed, so a crash in the middle of a write leaves no partial rows.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType
from typing import TypeVar

import anyio.to_thread
from anyio import CapacityLimiter
from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from api.persistence.db import (
    SQLITE_BEGIN_OPTION,
    SQLITE_BUSY_TIMEOUT_MS,
    is_sqlite,
    make_engine,
    make_session_factory,
)

T = TypeVar("T")

# SQLite's driver lets go of the GIL for every row it steps. With 30-odd threads reading at
# once, each row became a GIL hand-off between them: under caseload load half the server's CPU
# went to the kernel's futex calls. The hottest reads therefore share this many threads on
# SQLite (4 and 8 measured alike, a quarter more caseload reads per second than 40).
# PostgreSQL reads wait on the network instead and keep FastAPI's whole threadpool.
SQLITE_HOT_READ_THREADS = 8


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]
    # SQLite allows one writer. Threads of this process queue here, in order, instead of
    # polling SQLite's busy handler (whose back-off sleeps grow to 100 ms and made p99 seconds
    # under load). Other processes (the CLI) are still handled by busy_timeout.
    sqlite_writer_lock: threading.Lock | None = field(default=None)
    # Created on first use: an anyio limiter belongs to the running event loop.
    _hot_read_limiter: CapacityLimiter | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        if self.sqlite_writer_lock is None and is_sqlite(self.engine):
            self.sqlite_writer_lock = threading.Lock()

    async def run_hot_read(self, read: Callable[..., T], *args: object) -> T:
        """Run a blocking read of every request (the principal, the caseload, the task list)
        in a worker thread: one of SQLITE_HOT_READ_THREADS on SQLite, any on PostgreSQL."""
        if not is_sqlite(self.engine):
            return await anyio.to_thread.run_sync(read, *args)
        if self._hot_read_limiter is None:
            self._hot_read_limiter = CapacityLimiter(SQLITE_HOT_READ_THREADS)
        return await anyio.to_thread.run_sync(read, *args, limiter=self._hot_read_limiter)

    @classmethod
    def from_url(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(engine, make_session_factory(engine))

    def unit_of_work(self, *, write: bool) -> UnitOfWork:
        return UnitOfWork(self, write=write)

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A bare Core connection for the hot reads of every request (the principal, the
        caseload): no ORM session, which cost more than the query itself.

        On PostgreSQL it runs in autocommit: under READ COMMITTED every statement takes its
        own snapshot anyway, so BEGIN and ROLLBACK only added two round trips. On SQLite it
        is an ordinary deferred read transaction (one snapshot for all its statements).
        Never write through it; writes go through a write unit of work.
        """
        with self.engine.connect() as connection:
            if not is_sqlite(self.engine):
                connection = connection.execution_options(isolation_level="AUTOCOMMIT")
            yield connection

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    session: Session

    def __init__(self, database: Database, *, write: bool) -> None:
        self._database = database
        self._write = write

    def __enter__(self) -> UnitOfWork:
        self._lock = self._database.sqlite_writer_lock if self._write else None
        # Bounded like SQLite's own busy timeout, so a mistake (a nested write unit of work in
        # one thread) fails loudly instead of hanging forever.
        if self._lock is not None and not self._lock.acquire(timeout=SQLITE_BUSY_TIMEOUT_MS / 1000):
            self._lock = None
            raise TimeoutError("the SQLite database stayed busy; try again")
        try:
            self.session = self._database.session_factory()
            if self._lock is not None:
                # Take SQLite's write lock up front so read-then-update cannot deadlock or
                # lose updates.
                self.session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        except BaseException:
            self._release()
            raise
        return self

    def _release(self) -> None:
        if self._lock is not None:
            self._lock.release()
            self._lock = None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed. Not rollback(): that would also expire
        # the rows a service returns to its router after committing.
        try:
            self.session.close()
        finally:
            self._release()

    def commit(self) -> None:
        self.session.commit()
