"""Sync or async? The measurement ARCHITECTURE.md rule 9 asks for, made once, on both backends.

What it measures: two minimal FastAPI apps over the same seeded database doing the same work:
the caseload query of `caseload_lines` (the very statement objects the repository executes,
captured per mentor at startup) for one mentor, returned as JSON with its 30 rows.

  sync:  `def` endpoint (run in FastAPI's threadpool) + the app's own sync engine
         (`api.persistence.db.make_engine`: psycopg 3 / pysqlite, pool 20+20, WAL, BEGIN hook)
  async: `async def` endpoint + `create_async_engine` (asyncpg / aiosqlite) with the same pool
         size, pre-ping, SQLite pragmas and explicit BEGIN.

Both are served by the same uvicorn settings and loaded with the same wrk settings, rotating
through the 100 mentors. The ratio async/sync per backend is the number that decides rule 9.
On PostgreSQL a third run uses psycopg 3's own async mode, the realistic alternative for a
project already on psycopg.
The apps deliberately leave out auth, audit and response models: those are identical CPU work
in either model and would only dilute the difference between the two I/O stacks.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

from fastapi import FastAPI, HTTPException
from sqlalchemy import Engine, Executable, event, select
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker, create_async_engine
from sqlalchemy.orm import Session, sessionmaker

from api.persistence.db import SQLITE_BUSY_TIMEOUT_MS, make_engine
from api.persistence.models import UserRow
from api.persistence.repositories.enrolments import caseload_lines
from api.security.permissions import Role
from api.security.principal import Scope, ScopeKind

ENV_DATABASE_URL = "LEVELUP_BENCH_DATABASE_URL"
ENV_MUNICIPALITY_ID = "LEVELUP_BENCH_MUNICIPALITY_ID"
# PostgreSQL only: asyncpg (default) or psycopg (psycopg 3 in async mode, the project's driver).
ENV_ASYNC_DRIVER = "LEVELUP_BENCH_ASYNC_DRIVER"
READY_PATH = "/ready"


def capture_caseload_statements(
    engine: Engine, municipality_id: int
) -> dict[int, tuple[Executable, Any]]:
    """The exact statements and parameters `caseload_lines` executes, one per mentor.

    Captured with the engine's `before_execute` hook while the repository function runs, so
    both apps send byte-for-byte the repository's SQL, however that function evolves.
    """
    with Session(engine) as session:
        mentor_ids = list(
            session.scalars(
                select(UserRow.id)
                .where(
                    UserRow.role == Role.MENTOR.value, UserRow.municipality_id == municipality_id
                )
                .order_by(UserRow.id)
            )
        )
        captured: list[tuple[Executable, Any]] = []

        # Core level, so it sees the statement however the repository executes it (through
        # the session or directly on its connection).
        def capture(_conn: Any, clause: Any, multiparams: Any, params: Any, _opts: Any) -> None:
            captured.append((clause, multiparams[0] if multiparams else params))

        event.listen(engine, "before_execute", capture)
        statements: dict[int, tuple[Executable, Any]] = {}
        for mentor_id in mentor_ids:
            before = len(captured)
            lines = caseload_lines(
                session.connection(),
                Scope(ScopeKind.CASELOAD, municipality_id, mentor_id),
                mentor_id,
            )
            if len(captured) != before + 1 or not lines:
                raise RuntimeError(
                    f"caseload_lines ran {len(captured) - before} statements "
                    f"and found {len(lines)} rows for mentor {mentor_id}"
                )
            statements[mentor_id] = captured[-1]
        event.remove(engine, "before_execute", capture)  # the app keeps serving on this engine
    return statements


def _body(rows: Sequence[Any]) -> dict[str, Any]:
    return {"count": len(rows), "items": [dict(r._mapping) for r in rows]}


def async_url(url: str, postgres_driver: str = "asyncpg") -> str:
    """`postgres_driver` is asyncpg (the usual choice) or psycopg (psycopg 3's async mode)."""
    if url.startswith("sqlite:///"):
        return "sqlite+aiosqlite:///" + url[len("sqlite:///") :]
    dialect = {"asyncpg": "postgresql+asyncpg", "psycopg": "postgresql+psycopg_async"}
    for prefix in ("postgresql+psycopg://", "postgresql://", "postgres://"):
        if url.startswith(prefix):
            return f"{dialect[postgres_driver]}://" + url[len(prefix) :]
    raise ValueError(f"no async driver known for {url.split(':', 1)[0]}")


def make_async_engine(url: str, postgres_driver: str = "asyncpg") -> AsyncEngine:
    """The async twin of `make_engine`: same pool, pre-ping, pragmas and explicit BEGIN."""
    url = async_url(url, postgres_driver)
    if url.startswith("sqlite"):
        engine = create_async_engine(
            url,
            hide_parameters=True,
            pool_size=20,
            max_overflow=20,
            connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000},
        )

        @event.listens_for(engine.sync_engine, "connect")
        def _on_connect(dbapi_connection: Any, _record: Any) -> None:
            dbapi_connection.isolation_level = None
            cursor = dbapi_connection.cursor()
            for pragma in (
                "journal_mode=WAL",
                "foreign_keys=ON",
                f"busy_timeout={SQLITE_BUSY_TIMEOUT_MS}",
                "synchronous=NORMAL",
            ):
                cursor.execute(f"PRAGMA {pragma}")
            cursor.close()

        @event.listens_for(engine.sync_engine, "begin")
        def _on_begin(connection: Any) -> None:
            connection.exec_driver_sql("BEGIN DEFERRED")

        return engine
    return create_async_engine(
        url, hide_parameters=True, pool_pre_ping=True, pool_size=20, max_overflow=20
    )


def create_sync_app() -> FastAPI:
    """`uvicorn --factory bench.sync_vs_async:create_sync_app`."""
    engine = make_engine(os.environ[ENV_DATABASE_URL])
    sessions = sessionmaker(engine, expire_on_commit=False, autoflush=False)
    statements = capture_caseload_statements(engine, int(os.environ[ENV_MUNICIPALITY_ID]))

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get(READY_PATH)
    def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/caseload/{mentor_id}")
    def caseload(mentor_id: int) -> dict[str, Any]:
        captured = statements.get(mentor_id)
        if captured is None:
            raise HTTPException(404)
        with sessions() as session:
            rows = session.execute(*captured).all()
        return _body(rows)

    return app


def create_async_app() -> FastAPI:
    """`uvicorn --factory bench.sync_vs_async:create_async_app`."""
    sync_engine = make_engine(os.environ[ENV_DATABASE_URL])
    try:
        statements = capture_caseload_statements(sync_engine, int(os.environ[ENV_MUNICIPALITY_ID]))
    finally:
        sync_engine.dispose()
    engine = make_async_engine(
        os.environ[ENV_DATABASE_URL], os.environ.get(ENV_ASYNC_DRIVER, "asyncpg")
    )
    sessions = async_sessionmaker(engine, expire_on_commit=False, autoflush=False)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(lifespan=lifespan)

    @app.get(READY_PATH)
    async def ready() -> dict[str, str]:
        return {"status": "ok"}

    @app.get("/caseload/{mentor_id}")
    async def caseload(mentor_id: int) -> dict[str, Any]:
        captured = statements.get(mentor_id)
        if captured is None:
            raise HTTPException(404)
        async with sessions() as session:
            rows = (await session.execute(*captured)).all()
        return _body(rows)

    return app
