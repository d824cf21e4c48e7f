"""Cohorts: Level 2 groups and Level 3 courses, their sessions, members and attendance."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.cohorts import (
    AttendanceRead,
    AttendanceUpdate,
    CohortCreate,
    CohortList,
    CohortRead,
    CohortSummaryRead,
    MemberCreate,
    MemberRead,
    SessionAttendanceRead,
    SessionRead,
)
from api.security.permissions import Permission as P
from api.services import cohorts as service

router = APIRouter(prefix="/api/v1", tags=["cohorts"], dependencies=[Depends(authenticated)])

CohortId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SessionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
Responses = dict[int | str, dict[str, Any]]
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}
NOT_FOUND: Responses = {404: {**_E, "description": "No such cohort in your scope"}}


def _member(view: service.MemberView) -> MemberRead:
    line = view.line
    return MemberRead(
        enrolment_id=line.enrolment.id,
        participant_id=line.participant.id,
        first_name=line.participant.first_name,
        last_name=line.participant.last_name,
        joined_on=line.member.joined_on,
        attendance=view.attendance,
    )


def _cohort(detail: service.CohortDetail) -> CohortRead:
    c = detail.cohort
    return CohortRead(
        id=c.id,
        kind=c.kind,
        name=c.name,
        provider=c.provider,
        starts_on=c.starts_on,
        weeks=c.weeks,
        sessions=[
            SessionRead(
                id=s.id,
                held_on=s.held_on,
                start_time=s.start_time,
                duration_minutes=s.duration_minutes,
                attended_count=detail.attended_counts.get(s.id, 0),
            )
            for s in detail.sessions
        ],
        members=[_member(m) for m in detail.members],
        other_member_count=detail.other_member_count,
    )


@router.get(
    "/cohorts",
    response_model=CohortList,
    summary="List cohorts",
    operation_id="list_cohorts",
    dependencies=[require(P.COHORT_READ)],
    responses=FORBIDDEN,
)
def list_cohorts(ctx: Context, principal: CurrentPrincipal) -> CohortList:
    """The groups and courses of your municipality, latest start first, with the number of
    sessions and members (counts only)."""
    return CohortList(
        items=[
            CohortSummaryRead(
                id=s.row.id,
                kind=s.row.kind,
                name=s.row.name,
                provider=s.row.provider,
                starts_on=s.row.starts_on,
                weeks=s.row.weeks,
                session_count=s.session_count,
                member_count=s.member_count,
            )
            for s in service.list_cohorts(ctx, principal)
        ]
    )


@router.post(
    "/cohorts",
    status_code=status.HTTP_201_CREATED,
    response_model=CohortRead,
    summary="Create a cohort",
    operation_id="create_cohort",
    dependencies=[require(P.COHORT_MANAGE)],
    responses={
        **FORBIDDEN,
        422: {
            **_E,
            "description": "Weeks outside 1–52, a session outside the period or of the wrong "
            "length, both or neither of schedule and sessions",
        },
    },
)
def create_cohort(data: CohortCreate, ctx: Context, principal: CurrentPrincipal) -> CohortRead:
    """A Level 2 group (`level2_group`, default provider Studieförbundet Vuxenskolan) or a
    Level 3 course (`level3_course`, default provider Vara folkhögskola) in your municipality,
    running `weeks` weeks (default 8) from `starts_on`. Give either a weekly `schedule`
    (weekdays, start time, length: e.g. Tuesdays and Thursdays 09:30 for 8 weeks) or explicit
    `sessions`; every session must fall inside the period and last 15–480 minutes."""
    return _cohort(service.create_cohort(ctx, principal, data))


@router.get(
    "/cohorts/{cohort_id}",
    response_model=CohortRead,
    summary="Read a cohort",
    operation_id="get_cohort",
    dependencies=[require(P.COHORT_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def get_cohort(cohort_id: CohortId, ctx: Context, principal: CurrentPrincipal) -> CohortRead:
    """The cohort with its sessions (and how many attended each), the members in your scope
    with their attendance, and a count of the members outside it. The read of the listed
    members is written to the access log."""
    return _cohort(service.get_cohort(ctx, principal, cohort_id))


@router.post(
    "/cohorts/{cohort_id}/members",
    status_code=status.HTTP_201_CREATED,
    response_model=MemberRead,
    summary="Add a member to a cohort",
    operation_id="add_cohort_member",
    dependencies=[require(P.COHORT_MANAGE)],
    responses={
        **FORBIDDEN,
        404: {**_E, "description": "No such cohort or enrolment in your scope"},
        409: {**_E, "description": "Already a member, or the enrolment has ended"},
        422: {**_E, "description": "`joined_on` in the future or before the referral"},
    },
)
def add_cohort_member(
    cohort_id: CohortId, data: MemberCreate, ctx: Context, principal: CurrentPrincipal
) -> MemberRead:
    """Adds an open enrolment (not exited or declined) of the cohort's municipality that is
    in your scope. `joined_on` defaults to today."""
    return _member(service.add_member(ctx, principal, cohort_id, data))


@router.put(
    "/cohorts/{cohort_id}/sessions/{session_id}/attendance",
    response_model=SessionAttendanceRead,
    summary="Record attendance for a session",
    operation_id="record_attendance",
    dependencies=[require(P.COHORT_MANAGE)],
    responses={
        **FORBIDDEN,
        404: {**_E, "description": "No such cohort, session or member in your scope"},
        422: {
            **_E,
            "description": "An entry for someone not in the cohort (nothing is written), a "
            "session in the future, or a session outside the member's enrolment",
        },
    },
)
def record_attendance(
    cohort_id: CohortId,
    session_id: SessionId,
    data: AttendanceUpdate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> SessionAttendanceRead:
    """Attended or not, per member, for a session that has taken place. The batch is all or
    nothing; recording a member again replaces the earlier value (both are in the access
    log). Answers the session with the attendance of the members in your scope."""
    result = service.record_attendance(ctx, principal, cohort_id, session_id, data)
    s = result.session
    return SessionAttendanceRead(
        id=s.id,
        cohort_id=s.cohort_id,
        held_on=s.held_on,
        start_time=s.start_time,
        duration_minutes=s.duration_minutes,
        attended_count=result.attended_count,
        attendance=[AttendanceRead(enrolment_id=e, attended=a) for e, a in result.attendance],
    )
