"""Enrolments: read, and one POST command per state transition (never a generic update).

Each command carries an effective date, requires `If-Match` with the enrolment's ETag, and
answers the new state and history with a new ETag.
"""

# No `from __future__ import annotations`: the route factory below annotates parameters with
# per-route body models held in closure variables, which FastAPI must see as real objects.

from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Response
from pydantic import BaseModel

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.presenters import enrolment_read, etag
from api.routers.preconditions import expected_version
from api.schemas.enrolments import (
    AdvanceCommand,
    CorrectionCommand,
    DeclineCommand,
    EnrolmentRead,
    ExitCommand,
    HoldIntakeCommand,
    MentorAssignmentCreate,
    OutcomeIn,
    PauseCommand,
    ResumeCommand,
    StartCommand,
    StepBackCommand,
)
from api.security.permissions import Permission as P
from api.services import enrolments as service
from domain import enrolment as sm

router = APIRouter(
    prefix="/api/v1/enrolments", tags=["enrolments"], dependencies=[Depends(authenticated)]
)

EnrolmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
Version = Annotated[int, Depends(expected_version)]
_E = {"model": ErrorBody}
COMMAND_ERRORS: dict[int | str, dict[str, Any]] = {
    403: {**_E, "description": "Your role lacks the permission"},
    404: {**_E, "description": "No such enrolment in your scope"},
    409: {**_E, "description": "Not allowed in the current state, or a concurrent change won"},
    412: {**_E, "description": "If-Match is stale: someone else changed the enrolment"},
    422: {**_E, "description": "Invalid date, missing reason/outcome/code, or unknown code"},
    428: {**_E, "description": "If-Match missing"},
}


def _respond(view: service.EnrolmentView, ctx: Context, response: Response) -> EnrolmentRead:
    response.headers["ETag"] = etag(view.loaded.row.version)
    return enrolment_read(view, ctx.clock.today())


@router.get(
    "/{enrolment_id}",
    response_model=EnrolmentRead,
    summary="Read an enrolment",
    operation_id="get_enrolment",
    dependencies=[require(P.ENROLMENT_READ)],
    responses={k: COMMAND_ERRORS[k] for k in (403, 404)},
)
def get_enrolment(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal, response: Response
) -> EnrolmentRead:
    """The enrolment's current state, level and full dated history, with its ETag."""
    return _respond(service.get_enrolment(ctx, principal, enrolment_id), ctx, response)


def _outcome(o: OutcomeIn | None) -> sm.Outcome | None:
    if o is None:
        return None
    return sm.Outcome(
        kind=o.kind,
        starts_on=o.starts_on,
        subsidised=o.subsidised,
        extent_percent=o.extent_percent,
        studies_kind=o.studies_kind,
    )


def _command_route(
    path: str,
    body: type[BaseModel],
    to_factory: Callable[[Any], service.CommandFactory],
    *,
    summary: str,
    operation_id: str,
    doc: str,
) -> None:
    def endpoint(
        enrolment_id: EnrolmentId,
        data: body,  # type: ignore[valid-type]
        ctx: Context,
        principal: CurrentPrincipal,
        response: Response,
        version: Version,
    ) -> EnrolmentRead:
        view = service.transition(
            ctx, principal, enrolment_id, to_factory(data), expected_version=version
        )
        return _respond(view, ctx, response)

    endpoint.__doc__ = doc
    endpoint.__name__ = operation_id
    router.add_api_route(
        f"/{{enrolment_id}}/{path}",
        endpoint,
        methods=["POST"],
        response_model=EnrolmentRead,
        summary=summary,
        operation_id=operation_id,
        responses=COMMAND_ERRORS,
        dependencies=[require(P.ENROLMENT_TRANSITION)],
    )


_plain = service.plain_command

_command_route(
    "intake",
    HoldIntakeCommand,
    lambda d: _plain(sm.HoldIntake(d.effective_on)),
    summary="Record the three-party meeting",
    operation_id="hold_intake",
    doc="referred → intake: participant, mentor and referrer have met; the person is deciding.",
)
_command_route(
    "start",
    StartCommand,
    lambda d: _plain(sm.Start(d.effective_on)),
    summary="Start at the first level",
    operation_id="start_enrolment",
    doc="intake → active at level 1. The effective date is the start date. Makes the "
    "start self-assessment due.",
)
_command_route(
    "advance",
    AdvanceCommand,
    lambda d: _plain(sm.Advance(d.effective_on, _outcome(d.outcome))),
    summary="Move up one level",
    operation_id="advance_level",
    doc="One level up, never more. Entering a work/studies level (Level 4) requires "
    "`outcome` (work: subsidised and extent; studies: kind) and starts the "
    "support period.",
)
_command_route(
    "step-back",
    StepBackCommand,
    lambda d: _plain(sm.StepBack(d.effective_on, d.reason)),
    summary="Move down one level",
    operation_id="step_back_level",
    doc="One level down with a reason, e.g. the job ended.",
)
_command_route(
    "pause",
    PauseCommand,
    lambda d: _plain(sm.Pause(d.effective_on, d.reason, d.note)),
    summary="Pause",
    operation_id="pause_enrolment",
    doc="Sick leave, parental leave or other. The level is kept.",
)
_command_route(
    "resume",
    ResumeCommand,
    lambda d: _plain(sm.Resume(d.effective_on)),
    summary="Resume after a pause",
    operation_id="resume_enrolment",
    doc="Returns to the level held when paused.",
)
_command_route(
    "exit",
    ExitCommand,
    lambda d: service.exit_command(d.effective_on, d.exit_reason_code, d.exit_status_code),
    summary="Exit",
    operation_id="exit_enrolment",
    doc="From active or paused, with an exit reason and a status at exit from the "
    "current code lists. Nothing but follow-ups can happen afterwards.",
)
_command_route(
    "decline",
    DeclineCommand,
    lambda d: _plain(sm.Decline(d.effective_on, d.reason)),
    summary="Decline (never started)",
    operation_id="decline_enrolment",
    doc="Ends a referral that never started, with a reason.",
)
_command_route(
    "corrections",
    CorrectionCommand,
    lambda d: _plain(sm.CorrectDate(d.target_seq, d.effective_on, d.reason)),
    summary="Correct the date of an earlier transition",
    operation_id="correct_transition_date",
    doc="History is never edited: a linked correction entry records the right date "
    "and the reason. The date must stay between the neighbouring entries.",
)


@router.post(
    "/{enrolment_id}/mentor",
    response_model=EnrolmentRead,
    summary="Assign or reassign the mentor",
    operation_id="assign_mentor",
    dependencies=[require(P.ENROLMENT_ASSIGN_MENTOR)],
    responses=COMMAND_ERRORS,
)
def assign_mentor(
    enrolment_id: EnrolmentId,
    data: MentorAssignmentCreate,
    ctx: Context,
    principal: CurrentPrincipal,
    response: Response,
    version: Version,
) -> EnrolmentRead:
    """Lead mentor or unit manager: the new mentor must work in the same municipality. The
    assignment history is kept."""
    view = service.assign_mentor(ctx, principal, enrolment_id, data, expected_version=version)
    return _respond(view, ctx, response)
