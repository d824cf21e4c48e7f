"""The individual plan (revisions kept) and the participant's resource group."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.persistence.repositories.plans import StoredPlanRevision
from api.presenters import etag
from api.routers.preconditions import expected_version
from api.schemas.plans import (
    GoalRead,
    PlanRead,
    PlanRevisionList,
    PlanRevisionRead,
    PlanSave,
    ResourceGroupMemberCreate,
    ResourceGroupMemberRead,
    ResourceGroupRead,
)
from api.security.permissions import Permission as P
from api.services import plans as service
from domain.plans import Goal

router = APIRouter(prefix="/api/v1", tags=["plans"], dependencies=[Depends(authenticated)])

EnrolmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
ParticipantId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MemberId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Responses = dict[int | str, dict[str, Any]]
_E = {"model": ErrorBody}
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}
NO_ENROLMENT: Responses = {404: {**_E, "description": "No such enrolment in your scope"}}
NO_PARTICIPANT: Responses = {404: {**_E, "description": "No such participant in your scope"}}


def _goals(goals: tuple[Goal, ...]) -> list[GoalRead]:
    return [
        GoalRead(text=g.text, status=g.status, target_on=g.target_on, area=g.area) for g in goals
    ]


def _plan_read(view: service.PlanView, response: Response) -> PlanRead:
    response.headers["ETag"] = etag(view.revision)
    current = view.current
    return PlanRead(
        enrolment_id=view.enrolment_id,
        revision=view.revision,
        goals=_goals(current.plan.goals) if current else [],
        note=current.plan.note if current else None,
        saved_at=current.saved_at if current else None,
        saved_by_user_id=current.saved_by_user_id if current else None,
    )


def _revision_read(stored: StoredPlanRevision) -> PlanRevisionRead:
    return PlanRevisionRead(
        revision=stored.plan.revision,
        goals=_goals(stored.plan.goals),
        note=stored.plan.note,
        saved_at=stored.saved_at,
        saved_by_user_id=stored.saved_by_user_id,
    )


@router.get(
    "/enrolments/{enrolment_id}/plan",
    response_model=PlanRead,
    summary="Read the individual plan",
    operation_id="get_plan",
    dependencies=[require(P.PLAN_READ)],
    responses={**FORBIDDEN, **NO_ENROLMENT},
)
def get_plan(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal, response: Response
) -> PlanRead:
    """The newest revision of the enrolment's plan (goals with status, target date and area,
    and a summary), with `ETag: "<revision>"`. Revision 0 with no goals means no plan has been
    saved yet. The read is written to the access log."""
    return _plan_read(service.get_plan(ctx, principal, enrolment_id), response)


@router.put(
    "/enrolments/{enrolment_id}/plan",
    response_model=PlanRead,
    summary="Save a new revision of the individual plan",
    operation_id="save_plan",
    dependencies=[require(P.PLAN_WRITE)],
    responses={
        **FORBIDDEN,
        **NO_ENROLMENT,
        409: {
            **_E,
            "description": "The enrolment is exited or declined, or a concurrent save won",
        },
        412: {**_E, "description": "If-Match is stale: someone else saved the plan"},
        422: {**_E, "description": "Too many goals, empty goal text or unknown goal status"},
        428: {**_E, "description": "If-Match missing"},
    },
)
def save_plan(
    enrolment_id: EnrolmentId,
    data: PlanSave,
    ctx: Context,
    principal: CurrentPrincipal,
    response: Response,
    revision: Annotated[int, Depends(expected_version)],
) -> PlanRead:
    """Saves the whole plan as the next revision; earlier revisions are kept unchanged.
    Requires `If-Match` with the revision you last read (`"0"` for the first plan). At most
    30 goals. Not possible after exit or for a declined referral."""
    view = service.save_plan(ctx, principal, enrolment_id, data, expected_revision=revision)
    return _plan_read(view, response)


@router.get(
    "/enrolments/{enrolment_id}/plan/revisions",
    response_model=PlanRevisionList,
    summary="Every revision of the individual plan",
    operation_id="list_plan_revisions",
    dependencies=[require(P.PLAN_READ)],
    responses={**FORBIDDEN, **NO_ENROLMENT},
)
def list_plan_revisions(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal
) -> PlanRevisionList:
    """All saved revisions, newest first, each with its goals, who saved it and when. The read
    is written to the access log."""
    revisions = service.list_plan_revisions(ctx, principal, enrolment_id)
    return PlanRevisionList(enrolment_id=enrolment_id, items=[_revision_read(r) for r in revisions])


@router.get(
    "/participants/{participant_id}/resource-group",
    response_model=ResourceGroupRead,
    summary="The participant's resource group",
    operation_id="list_resource_group",
    dependencies=[require(P.PLAN_READ)],
    responses={**FORBIDDEN, **NO_PARTICIPANT},
)
def list_resource_group(
    participant_id: ParticipantId, ctx: Context, principal: CurrentPrincipal
) -> ResourceGroupRead:
    """The people around the participant (handläggare at FK/AF, kurator, doctor ...): current
    members first, then removed ones with the date they left. The read is written to the
    access log."""
    members = service.list_resource_group(ctx, principal, participant_id)
    return ResourceGroupRead(
        participant_id=participant_id,
        items=[ResourceGroupMemberRead.model_validate(m) for m in members],
    )


@router.post(
    "/participants/{participant_id}/resource-group",
    status_code=status.HTTP_201_CREATED,
    response_model=ResourceGroupMemberRead,
    summary="Add a member to the resource group",
    operation_id="add_resource_group_member",
    dependencies=[require(P.PLAN_WRITE)],
    responses={
        **FORBIDDEN,
        **NO_PARTICIPANT,
        422: {**_E, "description": "Missing or too long text, bad contact data, future date"},
    },
)
def add_resource_group_member(
    participant_id: ParticipantId,
    data: ResourceGroupMemberCreate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> ResourceGroupMemberRead:
    """Role (e.g. Handläggare, Kurator, Läkare), organisation, name and optional phone and
    e-mail. `added_on` defaults to today and may not be in the future."""
    row = service.add_resource_group_member(ctx, principal, participant_id, data)
    return ResourceGroupMemberRead.model_validate(row)


@router.delete(
    "/participants/{participant_id}/resource-group/{member_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Remove a member from the resource group",
    operation_id="remove_resource_group_member",
    dependencies=[require(P.PLAN_WRITE)],
    responses={
        **FORBIDDEN,
        404: {**_E, "description": "No such participant in your scope, or no such member"},
        409: {**_E, "description": "The member was already removed"},
    },
)
def remove_resource_group_member(
    participant_id: ParticipantId,
    member_id: MemberId,
    ctx: Context,
    principal: CurrentPrincipal,
) -> Response:
    """Ends the membership today. The member stays in the list as history with `removed_on`."""
    service.remove_resource_group_member(ctx, principal, participant_id, member_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)
