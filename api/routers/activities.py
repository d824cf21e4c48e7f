"""Activities: the contact log per enrolment and activity hours per week."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.activities import (
    ActivityCreate,
    ActivityHoursRead,
    ActivityList,
    ActivityRead,
    WeekHoursRead,
)
from api.security.permissions import Permission as P
from api.services import activities as service

router = APIRouter(prefix="/api/v1", tags=["activities"], dependencies=[Depends(authenticated)])

EnrolmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
Responses = dict[int | str, dict[str, Any]]
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}
NOT_FOUND: Responses = {404: {**_E, "description": "No such enrolment in your scope"}}


@router.get(
    "/enrolments/{enrolment_id}/activities",
    response_model=ActivityList,
    summary="List an enrolment's activities",
    operation_id="list_enrolment_activities",
    dependencies=[require(P.ACTIVITY_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def list_enrolment_activities(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal
) -> ActivityList:
    """The enrolment's contact log, newest first: type (a code from `activity_type`), date,
    duration, provider and note. The read is written to the access log."""
    log = service.list_activities(ctx, principal, enrolment_id)
    return ActivityList(
        enrolment_id=log.enrolment_id,
        items=[ActivityRead.model_validate(row) for row in log.items],
    )


@router.post(
    "/enrolments/{enrolment_id}/activities",
    status_code=status.HTTP_201_CREATED,
    response_model=ActivityRead,
    summary="Record an activity",
    operation_id="record_activity",
    dependencies=[require(P.ACTIVITY_RECORD)],
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        422: {
            **_E,
            "description": "Unknown activity type, duration outside 1–720 minutes, a date in "
            "the future, before the referral or after the enrolment ended",
        },
    },
)
def record_activity(
    enrolment_id: EnrolmentId, data: ActivityCreate, ctx: Context, principal: CurrentPrincipal
) -> ActivityRead:
    """Adds one entry to the contact log. The date may be in the past (registered afterwards)
    but not in the future, not before the referral and not after the enrolment's exit:
    after exit only follow-ups are recorded."""
    return ActivityRead.model_validate(service.record_activity(ctx, principal, enrolment_id, data))


@router.get(
    "/enrolments/{enrolment_id}/activity-hours",
    response_model=ActivityHoursRead,
    summary="Activity hours per week",
    operation_id="get_activity_hours",
    dependencies=[require(P.ACTIVITY_READ)],
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        422: {**_E, "description": "`to` before `from`, or more than 104 weeks"},
    },
)
def get_activity_hours(
    enrolment_id: EnrolmentId,
    ctx: Context,
    principal: CurrentPrincipal,
    from_on: Annotated[
        date | None, Query(alias="from", description="First day; its ISO week is included")
    ] = None,
    to_on: Annotated[
        date | None, Query(alias="to", description="Last day; its ISO week is included")
    ] = None,
) -> ActivityHoursRead:
    """Hours per ISO week (Monday–Sunday) from recorded activities and attended cohort
    sessions, each week compared with half-time activity (20 hours a week, SVS's first goal).
    Every week of the range is listed, empty weeks too. Without `from` and `to`: the last 12
    weeks up to today; with only one of them, the 12 weeks starting or ending there. At most
    104 weeks. The read is written to the access log."""
    result = service.activity_hours(ctx, principal, enrolment_id, from_on=from_on, to_on=to_on)
    return ActivityHoursRead(
        enrolment_id=result.enrolment_id,
        weeks=[
            WeekHoursRead(
                week_start=w.week_start,
                iso_year=w.iso_year,
                iso_week=w.iso_week,
                hours=float(w.hours),
                meets_half_time=w.meets_half_time,
            )
            for w in result.weeks
        ],
    )
