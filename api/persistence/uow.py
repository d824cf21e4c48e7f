"""Unit of work: one session, one transaction, explicit commit (ARCHITECTURE.md rule 6).

Services open it, call `commit()` before returning, and leaving the block always rolls back
whatever was not committed, so a crash in the middle of a write leaves no partial rows.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import TracebackType

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session, sessionmaker

from api.persistence.db import (
    SQLITE_AUTOCOMMIT,
    SQLITE_BEGIN_OPTION,
    SQLITE_BUSY_TIMEOUT_MS,
    PoolLimits,
    is_sqlite,
    make_engine,
    make_session_factory,
)


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]
    # SQLite allows one writer. Threads of this process queue here, in order, instead of
    # polling SQLite's busy handler (whose back-off sleeps grow to 100 ms and made p99 seconds
    # under load). Other processes (the CLI) are still handled by busy_timeout.
    sqlite_writer_lock: threading.Lock | None = field(default=None)
    # PostgreSQL: the limits `engine` was made with, for the event loop's pool (hot_reads).
    pool_limits: PoolLimits = field(default=PoolLimits())
    _read_engine: Engine = field(init=False, repr=False)

    def __post_init__(self) -> None:
        if self.sqlite_writer_lock is None and is_sqlite(self.engine):
            self.sqlite_writer_lock = threading.Lock()
        # The hot reads' connections: autocommit on both backends (see read_connection). An
        # option view of the engine, sharing its pool, so no connection pays for setting it.
        self._read_engine = self.engine.execution_options(
            **(
                {SQLITE_BEGIN_OPTION: SQLITE_AUTOCOMMIT}
                if is_sqlite(self.engine)
                else {"isolation_level": "AUTOCOMMIT"}
            )
        )

    @classmethod
    def from_url(cls, url: str, *, pool: PoolLimits = PoolLimits()) -> Database:
        engine = make_engine(url, pool=pool)
        return cls(engine, make_session_factory(engine), pool_limits=pool)

    def unit_of_work(self, *, write: bool) -> UnitOfWork:
        return UnitOfWork(self, write=write)

    @contextmanager
    def read_connection(self) -> Iterator[Connection]:
        """A bare Core connection for the hot reads of every request (the principal, the
        caseload, the task list): no ORM session, which cost more than the query itself.

        Autocommit on both backends: every statement reads its own snapshot, as under
        PostgreSQL's READ COMMITTED anyway, and no BEGIN and ROLLBACK are sent (two round
        trips on PostgreSQL, where a ROLLBACK also makes psycopg drop its prepared
        statements; on SQLite about 5 % of a caseload read). A reader of several statements
        may therefore see a change committed between two of them.
        Never write through it; writes go through a write unit of work.
        """
        with self._read_engine.connect() as connection:
            yield connection

    def open_read_connection(self) -> Connection:
        """A connection like read_connection's, kept open by its caller (the event loop's
        own SQLite connection, api/persistence/hot_reads.py), who must close it."""
        return self._read_engine.connect()

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
