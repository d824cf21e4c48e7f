"""Liveness and readiness probes for the container platform and load balancer (no auth)."""

from __future__ import annotations

import logging
from typing import Literal

from fastapi import APIRouter
from sqlalchemy import inspect, text
from sqlalchemy.exc import SQLAlchemyError

from api.deps import Context
from api.errors import ApiError, ErrorBody
from api.schemas.base import ResponseModel

log = logging.getLogger("levelup.health")

# Probes carry no data and must answer before anyone has a token.
router = APIRouter(tags=["health"])

ALEMBIC_VERSION_TABLE = "alembic_version"


class ServiceUnavailable(ApiError):
    status_code, error = 503, "ServiceUnavailable"


class Liveness(ResponseModel):
    status: Literal["ok"] = "ok"


class Readiness(ResponseModel):
    status: Literal["ready"] = "ready"
    database: Literal["sqlite", "postgresql"]


@router.get("/health", response_model=Liveness, summary="Liveness probe", operation_id="health")
def health() -> Liveness:
    """Answers 200 as long as the process serves requests. Does not touch the database, so a
    database outage does not make the platform restart healthy API processes."""
    return Liveness()


@router.get(
    "/ready",
    response_model=Readiness,
    summary="Readiness probe",
    operation_id="ready",
    responses={503: {"model": ErrorBody, "description": "Database unreachable or not migrated"}},
)
def ready(ctx: Context) -> Readiness:
    """Answers 200 when the database answers and its schema has been migrated
    (`levelup migrate`); otherwise 503, and the instance should get no traffic."""
    try:
        with ctx.database.unit_of_work(write=False) as uow:
            uow.session.execute(text("SELECT 1"))
            migrated = inspect(uow.session.connection()).has_table(ALEMBIC_VERSION_TABLE)
    except SQLAlchemyError as exc:
        # The exception text can hold connection details; the type name is enough to start.
        log.warning("readiness check failed: %s", type(exc).__name__)
        raise ServiceUnavailable(
            "Databasen svarar inte. Kontrollera databasanslutningen."
        ) from None
    if not migrated:
        raise ServiceUnavailable("Databasen saknar schema. Kör `levelup migrate`.")
    name = ctx.database.engine.dialect.name
    return Readiness(database="postgresql" if name == "postgresql" else "sqlite")
