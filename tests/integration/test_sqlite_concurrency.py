"""SQLite under a threaded server: 8 threads each read a row and write it back incremented,
inside write units of work. BEGIN IMMEDIATE makes them queue for the write lock, so no update
is lost and nobody sees "database is locked"."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from pathlib import Path

from conftest import migrate
from sqlalchemy import select, text

from api.persistence.models import OrganisationRow
from api.persistence.uow import Database

THREADS = 8
ROUNDS = 25


def test_read_then_update_from_eight_threads_loses_nothing(tmp_path: Path) -> None:
    database = Database.from_url(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    migrate(database.engine)
    with database.unit_of_work(write=True) as uow:
        # municipality_code doubles as a counter: any plain column would do.
        uow.session.add(
            OrganisationRow(
                kind="municipality",
                name="Räknekommun",
                municipality_code="0",
                created_at=datetime.now(UTC),
            )
        )
        uow.commit()
    errors: list[BaseException] = []
    start = threading.Barrier(THREADS)

    def worker() -> None:
        start.wait()
        try:
            for _ in range(ROUNDS):
                with database.unit_of_work(write=True) as uow:
                    row = uow.session.execute(select(OrganisationRow)).scalar_one()
                    row.municipality_code = str(int(row.municipality_code or "0") + 1)
                    uow.commit()
        except BaseException as exc:  # collected and re-raised in the main thread
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with database.unit_of_work(write=False) as uow:
        final = uow.session.execute(select(OrganisationRow.municipality_code)).scalar_one()
        pragmas = {
            name: uow.session.execute(text(f"PRAGMA {name}")).scalar_one()
            for name in ("journal_mode", "foreign_keys", "busy_timeout")
        }
    database.dispose()
    assert final is not None and int(final) == THREADS * ROUNDS
    assert pragmas == {"journal_mode": "wal", "foreign_keys": 1, "busy_timeout": 30000}
