"""Follow-ups after Level 4 entry and after exit: schedules, results, due and overdue lists."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.presenters import due_follow_up_item
from api.schemas.follow_ups import (
    DueFollowUpList,
    EnrolmentFollowUpsRead,
    FollowUpCreate,
    FollowUpRead,
    FollowUpResultRead,
)
from api.security.permissions import Permission as P
from api.services import follow_ups as service

router = APIRouter(prefix="/api/v1", tags=["follow-ups"], dependencies=[Depends(authenticated)])

EnrolmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {**_E, "description": "Your role lacks the permission"}
}
NOT_FOUND: dict[int | str, dict[str, Any]] = {
    404: {**_E, "description": "No such enrolment in your scope"}
}


def _read(view: service.FollowUpView) -> FollowUpRead:
    row = view.row
    result = None
    if row.recorded_at is not None:
        result = FollowUpResultRead.model_validate(row)
    return FollowUpRead(
        id=row.id,
        kind=row.kind,
        label_sv=view.label_sv,
        label_en=view.label_en,
        trigger_on=row.trigger_on,
        due_on=row.due_on,
        status=view.status,
        requires_contact_consent=row.requires_contact_consent,
        result=result,
    )


@router.get(
    "/enrolments/{enrolment_id}/follow-ups",
    response_model=EnrolmentFollowUpsRead,
    summary="An enrolment's follow-ups",
    operation_id="list_enrolment_follow_ups",
    dependencies=[require(P.FOLLOW_UP_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def list_enrolment_follow_ups(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal
) -> EnrolmentFollowUpsRead:
    """The follow-ups the programme's rules have scheduled for this enrolment so far (the end of
    the support period after Level 4 entry; after exit for programmes that follow up after
    exit), earliest due first, each with its status today and its result once recorded. Due
    dates follow corrections of the triggering dates."""
    found = service.list_enrolment_follow_ups(ctx, principal, enrolment_id)
    return EnrolmentFollowUpsRead(
        enrolment_id=found.enrolment_id, items=[_read(v) for v in found.items]
    )


@router.post(
    "/enrolments/{enrolment_id}/follow-ups",
    response_model=FollowUpRead,
    status_code=201,
    summary="Record a follow-up",
    operation_id="record_follow_up",
    dependencies=[require(P.FOLLOW_UP_RECORD)],
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        409: {
            **_E,
            "description": "The follow-up is not scheduled yet (its triggering event has not "
            "happened), is already recorded, or is not permitted (no consent to follow-up "
            "contact on the contact date)",
        },
        422: {
            **_E,
            "description": "Unknown follow-up kind for the programme, contact date in the "
            "future or before the triggering event, inconsistent result fields, or unknown "
            "benefit code",
        },
    },
)
def record_follow_up(
    enrolment_id: EnrolmentId, data: FollowUpCreate, ctx: Context, principal: CurrentPrincipal
) -> FollowUpRead:
    """Record the result of one scheduled follow-up; once per follow-up.

    Reached: `status_group` and `self_supporting` are required, `employment_extent_percent`
    is required for work and only for work, `current_benefit` and `note` are optional. Not
    reached: give only the attempts and whether this was the final non-response. Follow-ups
    after exit need the participant's consent to follow-up contact on `contacted_on`."""
    return _read(service.record_follow_up(ctx, principal, enrolment_id, data))


@router.get(
    "/follow-ups/due",
    response_model=DueFollowUpList,
    summary="Due and overdue follow-ups",
    operation_id="list_due_follow_ups",
    dependencies=[require(P.FOLLOW_UP_READ)],
    responses={
        **FORBIDDEN,
        422: {**_E, "description": "within_days outside 0–90 or a malformed mentor_id"},
    },
)
def list_due_follow_ups(
    ctx: Context,
    principal: CurrentPrincipal,
    within_days: Annotated[
        int, Query(ge=0, le=90, description="Include follow-ups due up to this many days ahead")
    ] = 14,
    mentor_id: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="Only this mentor's enrolments")
    ] = None,
) -> dict[str, Any]:
    """Open follow-ups due up to `within_days` ahead, overdue ones included, earliest first: a
    mentor sees their own caseload, a lead mentor or unit manager the municipality (narrowed
    to one mentor with `mentor_id`). Follow-ups without the consent they need show as
    `not_permitted`."""
    lines = service.list_due_follow_ups(
        ctx, principal, within_days=within_days, mentor_id=mentor_id
    )
    return {"items": [due_follow_up_item(line) for line in lines], "count": len(lines)}
