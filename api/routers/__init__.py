"""One module per resource; `ALL_ROUTERS` is the order they are mounted in."""

from __future__ import annotations

from api.routers import (
    activities,
    admin,
    assessments,
    auth,
    codelists,
    cohorts,
    consents,
    enrolments,
    exports,
    follow_ups,
    health,
    me,
    participants,
    plans,
    stats,
)

ALL_ROUTERS = [
    health.router,
    auth.router,
    me.router,
    participants.router,
    enrolments.router,
    assessments.router,
    follow_ups.router,
    activities.router,
    cohorts.router,
    plans.router,
    consents.router,
    stats.router,
    exports.router,
    codelists.router,
    admin.router,
]
