"""One module per resource; `ALL_ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from api.routers import (
    admin,
    auth,
    codelists,
    enrolments,
    health,
    me,
    participants,
)

ALL_ROUTERS = [
    health.router,
    auth.router,
    me.router,
    participants.router,
    enrolments.router,
    codelists.router,
    admin.router,
]
