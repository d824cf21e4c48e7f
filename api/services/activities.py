"""Activity use cases: record a contact-log entry, read the log, hours per week.

Every call first loads the enrolment through the scoped `EnrolmentRepository`, so an enrolment
outside the caller's scope answers exactly like a missing one.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.orm import Session

from api.context import AppContext
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import EnrolmentRow
from api.persistence.models.activities import ActivityRow
from api.persistence.repositories.activities import ActivityRepository
from api.persistence.repositories.codelists import CodeListRepository
from api.schemas.activities import ActivityCreate
from api.security.principal import Principal
from api.services.access_logging import record_read
from api.services.in_scope import enrolment_in_scope
from domain.activities import (
    Activity,
    EnrolmentPeriod,
    WeekHours,
    hours_per_week,
    hours_range,
    validate_activity,
    week_end,
    week_start,
)
from domain.codelists import CodeListName


@dataclass(frozen=True)
class ActivityLog:
    enrolment_id: int
    items: list[ActivityRow]


@dataclass(frozen=True)
class ActivityHours:
    enrolment_id: int
    weeks: list[WeekHours]


def period_of(row: EnrolmentRow) -> EnrolmentPeriod:
    return EnrolmentPeriod(referred_on=row.referred_on, ended_on=row.ended_on)


def _enrolment(session: Session, principal: Principal, enrolment_id: int) -> EnrolmentRow:
    # The row alone: replaying the history is not needed, the projected dates are on it.
    return enrolment_in_scope(session, principal, enrolment_id).row


def record_activity(
    ctx: AppContext, principal: Principal, enrolment_id: int, data: ActivityCreate
) -> ActivityRow:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        enrolment = _enrolment(uow.session, principal, enrolment_id)
        activity = validate_activity(
            Activity(
                activity_type=data.activity_type,
                occurred_on=data.occurred_on,
                duration_minutes=data.duration_minutes,
                provider=data.provider,
                note=data.note,
            ),
            period=period_of(enrolment),
            today=today,
        )
        code = (
            CodeListRepository(uow.session)
            .current(CodeListName.ACTIVITY_TYPE)
            .require(activity.activity_type, on=activity.occurred_on, field="activity_type")
        )
        row = ActivityRepository(uow.session).add(
            ActivityRow(
                enrolment_id=enrolment.id,
                participant_id=enrolment.participant_id,
                activity_type=code.code,
                occurred_on=activity.occurred_on,
                duration_minutes=activity.duration_minutes,
                provider=activity.provider,
                note=activity.note,
                recorded_at=now,
                recorded_by_user_id=principal.user_id,
                recorded_by_client_id=principal.client_id,
            )
        )
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "activity.record",
                [enrolment.participant_id],
                "activity",
                row.id,
                detail={"enrolment_id": enrolment.id, "activity_type": code.code},
            ),
            at=now,
        )
        uow.commit()
        return row


def list_activities(ctx: AppContext, principal: Principal, enrolment_id: int) -> ActivityLog:
    with ctx.database.unit_of_work(write=False) as uow:
        enrolment = _enrolment(uow.session, principal, enrolment_id)
        items = ActivityRepository(uow.session).for_enrolment(enrolment.id)
        participant_id = enrolment.participant_id
    record_read(
        ctx,
        principal,
        AuditEvent("activity.list", [participant_id], "enrolment", enrolment_id),
    )
    return ActivityLog(enrolment_id, items)


def activity_hours(
    ctx: AppContext,
    principal: Principal,
    enrolment_id: int,
    *,
    from_on: date | None,
    to_on: date | None,
) -> ActivityHours:
    first, last = hours_range(from_on, to_on, today=ctx.clock.today())
    with ctx.database.unit_of_work(write=False) as uow:
        enrolment = _enrolment(uow.session, principal, enrolment_id)
        items = ActivityRepository(uow.session).minutes_between(
            enrolment.id, week_start(first), week_end(last)
        )
        participant_id = enrolment.participant_id
    record_read(
        ctx,
        principal,
        AuditEvent("activity.hours", [participant_id], "enrolment", enrolment_id),
    )
    return ActivityHours(enrolment_id, hours_per_week(items, first_week=first, last_week=last))
