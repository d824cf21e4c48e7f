"""Engine and session factory. Created by `create_app`/the CLI, never at import time.

SQLite gets the settings that make it safe for a multi-threaded server: WAL so readers do not
block the writer, foreign keys on (SQLite's default is off), a busy timeout, and write
transactions that start with BEGIN IMMEDIATE so concurrent writers queue for the lock instead
of failing with "database is locked" when a deferred transaction tries to upgrade.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from sqlalchemy import URL, Engine, create_engine, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from api.persistence.repositories.task_items import keep_task_items_current

SQLITE_BUSY_TIMEOUT_MS = 30_000
# A pooled PostgreSQL connection idle longer than this is pinged before it is handed out.
PING_AFTER_IDLE_SECONDS = 10.0
_IDLE_SINCE = "levelup_idle_since"
# Execution option read by the "begin" hook: how a SQLite transaction starts.
SQLITE_BEGIN_OPTION = "levelup_sqlite_begin"
# ... and its value for no BEGIN at all (the driver is in autocommit mode).
SQLITE_AUTOCOMMIT = "AUTOCOMMIT"


@dataclass(frozen=True)
class PoolLimits:
    """How many PostgreSQL connections a server process may hold.

    The threadpool's pool (make_engine) keeps up to `size` open and opens up to `overflow`
    more under load, closing them when they are returned: a thread that finds no connection
    free blocks, and one request may need a second connection while it holds a first.
    The event loop's pool (make_async_engine) keeps `size` and opens no overflow: a read
    that finds none free only waits in a queue, nobody holds two, and an overflow
    connection would be closed on return and the next one opened anew, losing its prepared
    statements. Measured in bench/ with 32 connections, the caseload served 0.09 of the bare
    endpoint's requests against an event loop pool of 10 + 10, 0.13 against 10 + 0 and 0.155
    against 15 + 0, as many as against 20 + 20 (0.152).

    So a process opens at most 2 x size + overflow connections, and each worker process as
    many again. They must fit in the server's max_connections (100 by default) with room for
    the CLI and maintenance. Before these were settings, both pools held 20 + 20: 80
    connections for one process, more than 100 with two workers."""

    size: int = 15
    overflow: int = 10

    @property
    def per_process(self) -> int:
        return 2 * self.size + self.overflow


def make_engine(url: str, *, echo: bool = False, pool: PoolLimits = PoolLimits()) -> Engine:
    if url.startswith("sqlite"):
        return _make_sqlite_engine(url, echo=echo)
    engine = create_engine(url, echo=echo, **_postgres_engine_options(pool))
    _tune_postgres(engine)
    return engine


def _postgres_engine_options(pool: PoolLimits) -> dict[str, Any]:
    # hide_parameters: errors must never carry personnummer or names into logs.
    return {"pool_size": pool.size, "max_overflow": pool.overflow, "hide_parameters": True}


def _tune_postgres(engine: Engine) -> None:
    _ping_connections_that_sat_idle(engine)
    # Multi-row inserts without RETURNING (the answers of a self-assessment, a batch of
    # transitions) as one INSERT ... VALUES statement, as the psycopg2 dialect does, instead of
    # psycopg 3's executemany, which pipelines one statement per row in Python. (The hottest
    # one, the audit subjects of every read, has its own fixed-text unnest insert.)
    engine.dialect.use_insertmanyvalues_wo_returning = True


def make_async_engine(url: str | URL, pool: PoolLimits = PoolLimits()) -> AsyncEngine:
    """PostgreSQL only: the same database through psycopg's async mode, for the hot reads that
    run on the event loop (api/persistence/hot_reads.py). The sync engine's settings and pool
    size, without overflow (see PoolLimits); its connections belong to the event loop that
    opened them."""
    # Autocommit, as Database.read_connection's: no BEGIN and ROLLBACK round trips, and
    # psycopg keeps its prepared statements (it drops them all on every ROLLBACK). The audit
    # writes through this engine set READ COMMITTED on their connection.
    engine = create_async_engine(
        url, isolation_level="AUTOCOMMIT", **_postgres_engine_options(replace(pool, overflow=0))
    )
    _tune_postgres(engine.sync_engine)
    return engine


def _ping_connections_that_sat_idle(engine: Engine) -> None:
    """Check a pooled connection before use only when it has been idle a while.

    `pool_pre_ping` pings on every checkout: a round trip before each unit of work, three per
    caseload request. A connection used moments ago is almost certainly alive; the ones that
    die unnoticed are those left idle (server restarts, idle-session and firewall timeouts). A
    dead connection found here is replaced before the caller sees it; one that dies in use
    fails that request, and SQLAlchemy then invalidates the pool as it would anyway.
    """

    @event.listens_for(engine, "checkin")
    def _note_idle_since(_dbapi_connection: Any, record: Any) -> None:
        record.info[_IDLE_SINCE] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection: Any, record: Any, _proxy: Any) -> None:
        idle_since = record.info.get(_IDLE_SINCE)
        if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE_SECONDS:
            return
        try:
            engine.dialect.do_ping(dbapi_connection)
        except engine.dialect.loaded_dbapi.Error as exc:
            # The pool discards this connection and checks out another (SQLAlchemy's
            # documented way for a checkout handler to reject a stale connection).
            raise DisconnectionError("pooled connection is gone") from exc


def _make_sqlite_engine(url: str, *, echo: bool) -> Engine:
    database = url.split("///", 1)[1] if "///" in url else ""
    if database and database != ":memory:":
        Path(database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(
        url,
        echo=echo,
        # Errors must never carry personnummer or names into logs.
        hide_parameters=True,
        connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        pool_size=20,
        max_overflow=20,
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, emit BEGIN, so we can choose IMMEDIATE.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        # NORMAL is durable in WAL mode except for the last commits on power loss.
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        mode = connection.get_execution_options().get(SQLITE_BEGIN_OPTION, "DEFERRED")
        if mode == SQLITE_AUTOCOMMIT:
            # Database.read_connection: each statement is its own implicit read transaction.
            return
        connection.exec_driver_sql(f"BEGIN {mode}")

    return engine


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    factory = sessionmaker(engine, expire_on_commit=False, autoflush=False)
    # Every session keeps the task list's read model current at commit, whoever writes.
    keep_task_items_current(factory)
    return factory


def is_sqlite(engine: Engine) -> bool:
    return engine.dialect.name == "sqlite"
