"""Pooled PostgreSQL connections: a connection that died while idle in the pool is replaced
before anyone uses it, and one used moments ago is handed out without a ping round trip."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import postgres_admin_url
from sqlalchemy import create_engine, text

from api.persistence import db as db_module
from api.persistence.uow import Database

pytestmark = pytest.mark.postgres


@pytest.fixture
def pg_database(request: pytest.FixtureRequest) -> Any:
    request.getfixturevalue("postgres_template")  # skips (or fails in CI) without PostgreSQL
    admin_url = postgres_admin_url()
    assert admin_url
    database = Database.from_url(admin_url)
    yield database
    database.dispose()


def _backend_pid(database: Database) -> int:
    with database.read_connection() as connection:
        return int(connection.execute(text("SELECT pg_backend_pid()")).scalar_one())


def _count_pings(monkeypatch: pytest.MonkeyPatch, database: Database) -> list[int]:
    pings: list[int] = []
    dialect = database.engine.dialect
    original = dialect.do_ping

    def counting(dbapi_connection: Any) -> bool:
        pings.append(1)
        return original(dbapi_connection)

    monkeypatch.setattr(dialect, "do_ping", counting)
    return pings


def test_a_connection_killed_while_idle_is_replaced_unnoticed(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first = _backend_pid(pg_database)
    admin = create_engine(postgres_admin_url() or "", isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        assert connection.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": first})
    admin.dispose()
    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)  # "idle a long time"
    pings = _count_pings(monkeypatch, pg_database)

    second = _backend_pid(pg_database)  # would raise if the dead connection were handed out

    assert second != first
    assert pings, "the idle connection was not checked"


def test_a_connection_used_moments_ago_is_not_pinged(
    pg_database: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    _backend_pid(pg_database)
    pings = _count_pings(monkeypatch, pg_database)

    for _ in range(5):
        _backend_pid(pg_database)
    assert pings == []

    monkeypatch.setattr(db_module, "PING_AFTER_IDLE_SECONDS", 0.0)
    _backend_pid(pg_database)
    assert pings == [1]


def test_hot_reads_keep_psycopg_prepared_statements(pg_database: Database) -> None:
    """psycopg prepares a statement after 5 runs on one connection, but every ROLLBACK makes it
    drop all of them (DEALLOCATE ALL). The hot reads use `read_connection`, whose autocommit
    statements end without one, so the task list is planned once per connection, not on every
    request. A transaction that ends in ROLLBACK, as a read unit of work does, loses them."""
    query = text("SELECT count(*) FROM pg_class WHERE relpages > :floor")
    prepared = text("SELECT count(*) FROM pg_prepared_statements")
    for _ in range(7):
        with pg_database.read_connection() as connection:
            connection.execute(query, {"floor": 0}).scalar_one()
    with pg_database.read_connection() as connection:
        assert connection.execute(prepared).scalar_one() >= 1

    with pg_database.unit_of_work(write=False) as uow:
        uow.session.execute(query, {"floor": 0})
    with pg_database.read_connection() as connection:
        assert connection.execute(prepared).scalar_one() == 0
