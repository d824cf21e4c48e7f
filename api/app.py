"""create_app(settings): the only place that wires engine, routers, handlers and middleware."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from api.clock import Clock
from api.context import AppContext
from api.errors import ErrorBody, install_error_handlers
from api.logging_setup import configure_logging
from api.middleware import BodySizeLimit
from api.persistence.hot_reads import HotReads
from api.persistence.read_audit import ReadAuditRecorder
from api.persistence.uow import Database
from api.routers import ALL_ROUTERS
from api.security.throttle import LoginThrottle
from api.security.tokens import TokenCodec
from api.security_headers import SecurityHeaders
from api.settings import Settings
from api.web import mount_web_app

API_DESCRIPTION = """\
JSON API of **Level Up**, the case and outcome system for municipal mentoring programmes.

Authenticate at `POST /api/v1/auth/token` (OAuth2 password grant for staff, client credentials
for municipal integration clients) and send `Authorization: Bearer <access token>`.
Every error has the body `{"error", "detail", "fields"}`. Records outside your scope answer 404.
Enrolment state changes only through the command endpoints, with `If-Match` carrying the
enrolment's `ETag`.
"""


def create_app(
    settings: Settings | None = None,
    *,
    clock: Clock | None = None,
    database: Database | None = None,
) -> FastAPI:
    settings = settings or Settings.from_env()
    configure_logging()
    owns_database = database is None
    db = database or Database.from_url(settings.sqlalchemy_url, pool=settings.pool_limits)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            await context.hot_reads.close()
            if owns_database:
                db.dispose()

    app = FastAPI(
        title="Level Up API",
        version="1.0.0",
        description=API_DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/docs",
        redoc_url=None,
        openapi_url="/api/openapi.json",
        responses={
            401: {"model": ErrorBody, "description": "Missing, invalid or expired token"},
            422: {"model": ErrorBody, "description": "Invalid input"},
        },
    )
    clock = clock or Clock()
    read_audit = ReadAuditRecorder(db)
    context = AppContext(
        settings=settings,
        database=db,
        clock=clock,
        tokens=TokenCodec.from_settings(settings),
        throttle=LoginThrottle.from_settings(settings),
        read_audit=read_audit,
        hot_reads=HotReads(db, clock.now),
    )
    app.state.context = context
    install_error_handlers(app)
    for router in ALL_ROUTERS:
        app.include_router(router)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeaders)
    mount_web_app(app, settings.web_dist_dir)
    logging.getLogger("levelup").info("app created (database: %s)", db.engine.dialect.name)
    return app
