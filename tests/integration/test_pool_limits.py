"""The PostgreSQL pools of a server process hold no more connections than the settings allow:
a checkout beyond the limit (size + overflow for the threadpool's pool, size for the event
loop's) waits for a connection to come back instead of opening another."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator

import pytest
from conftest import make_settings, postgres_admin_url
from sqlalchemy import text

from api.app import create_app
from api.persistence.db import PoolLimits, make_async_engine
from api.persistence.uow import Database

pytestmark = pytest.mark.postgres

LIMITS = PoolLimits(size=1, overflow=1)
WAIT_SECONDS = 0.3


@pytest.fixture
def admin_url(request: pytest.FixtureRequest) -> str:
    request.getfixturevalue("postgres_template")  # skips (or fails in CI) without PostgreSQL
    url = postgres_admin_url()
    assert url
    return url


@pytest.fixture
def database(admin_url: str) -> Iterator[Database]:
    database = Database.from_url(admin_url, pool=LIMITS)
    yield database
    database.dispose()


def test_the_threadpool_pool_waits_at_size_plus_overflow(database: Database) -> None:
    held = [database.engine.connect() for _ in range(LIMITS.size + LIMITS.overflow)]
    got_one = threading.Event()

    def one_more() -> None:
        with database.engine.connect() as connection:
            connection.execute(text("SELECT 1"))
            got_one.set()

    waiter = threading.Thread(target=one_more)
    waiter.start()
    try:
        assert not got_one.wait(WAIT_SECONDS), "a connection beyond the limit was opened"
        held.pop().close()
        assert got_one.wait(10), "the returned connection was not handed on"
    finally:
        for connection in held:
            connection.close()
        waiter.join()


def test_the_event_loop_pool_waits_at_size(admin_url: str) -> None:
    async def scenario() -> None:
        engine = make_async_engine(admin_url, LIMITS)
        try:
            held = [await engine.connect() for _ in range(LIMITS.size)]
            one_more = asyncio.ensure_future(engine.connect())
            done, _ = await asyncio.wait({one_more}, timeout=WAIT_SECONDS)
            assert not done, "a connection beyond the limit was opened"
            await held.pop().close()
            connection = await asyncio.wait_for(one_more, 10)
            await connection.close()
            for connection in held:
                await connection.close()
        finally:
            await engine.dispose()

    asyncio.run(scenario())


def test_the_app_takes_its_pool_limits_from_its_settings(admin_url: str) -> None:
    app = create_app(make_settings(database_url=admin_url, db_pool_size=3, db_max_overflow=2))
    database: Database = app.state.context.database
    try:
        # The event loop's pool is built from the same limits (HotReads).
        assert database.pool_limits == PoolLimits(3, 2)
        assert database.engine.pool.size() == 3  # type: ignore[attr-defined]
    finally:
        database.dispose()
