"""Unit of work: one session, one transaction, explicit commit (ARCHITECTURE.md rule 6).

Services open it, call `commit()` before returning, and leaving the block always rolls back
whatever was not committed, so a crash in the middle of a write leaves no partial rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from api.persistence.db import SQLITE_BEGIN_OPTION, is_sqlite, make_engine, make_session_factory


@dataclass
class Database:
    engine: Engine
    session_factory: sessionmaker[Session]

    @classmethod
    def from_url(cls, url: str) -> Database:
        engine = make_engine(url)
        return cls(engine, make_session_factory(engine))

    def unit_of_work(self, *, write: bool) -> UnitOfWork:
        return UnitOfWork(self, write=write)

    def dispose(self) -> None:
        self.engine.dispose()


class UnitOfWork:
    session: Session

    def __init__(self, database: Database, *, write: bool) -> None:
        self._database = database
        self._write = write

    def __enter__(self) -> UnitOfWork:
        self.session = self._database.session_factory()
        if self._write and is_sqlite(self._database.engine):
            # Take the write lock up front so read-then-update cannot deadlock or lose updates.
            self.session.connection(execution_options={SQLITE_BEGIN_OPTION: "IMMEDIATE"})
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        # close() rolls back whatever was not committed. Not rollback(): that would also expire
        # the rows a service returns to its router after committing.
        self.session.close()

    def commit(self) -> None:
        self.session.commit()
