"""The signed-in principal: profile, a mentor's caseload, a referrer's referrals."""

from __future__ import annotations

import dataclasses
from datetime import date
from typing import Any

from fastapi import APIRouter, Depends, Response
from sqlalchemy import Connection

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.persistence.audit import AuditEvent
from api.presenters import (
    due_assessment_item,
    due_follow_up_item,
    person_on_line,
    referral_status,
)
from api.responses import prevalidated_json
from api.schemas.base import Cursor, Limit
from api.schemas.enrolments import ReferralStatusPage
from api.schemas.me import CaseloadRead, MentorLoadRead, MeRead
from api.schemas.tasks import TasksRead
from api.security.permissions import Permission as P
from api.security.principal import Principal
from api.services import me as service
from api.services import tasks as task_service
from domain.personnummer import mask_stored
from domain.programmes import get_programme
from domain.tasks import QUIET_AFTER_DAYS

router = APIRouter(prefix="/api/v1/me", tags=["me"], dependencies=[Depends(authenticated)])

FORBIDDEN: dict[int | str, dict[str, Any]] = {
    403: {"model": ErrorBody, "description": "Your role lacks the permission"}
}


@router.get("", response_model=MeRead, summary="Who am I", operation_id="get_me")
def get_me(principal: CurrentPrincipal) -> MeRead:
    """The signed-in account, its role and permissions (the web app shapes its menus on this)."""
    return MeRead(
        kind=principal.kind.value,
        id=principal.id,
        display_name=principal.display_name,
        role=principal.role.value,
        permissions=sorted(p.value for p in principal.permissions),
        municipality_id=principal.municipality_id,
        organisation_id=principal.organisation_id,
    )


@router.get(
    "/caseload",
    response_model=CaseloadRead,
    summary="My caseload",
    operation_id="get_my_caseload",
    dependencies=[require(P.CASELOAD_READ)],
    responses=FORBIDDEN,
)
async def get_caseload(ctx: Context, principal: CurrentPrincipal) -> Response:
    """Everything a mentor's start screen needs in one request: each open enrolment the caller
    mentors, with the person, masked personnummer, programme, level and days in the level."""
    # async, with the reads on the event loop (HotReads) and the answer written straight out:
    # a sync route paid threadpool hops and FastAPI's second validation of 30 items.
    body = await ctx.hot_reads.read_audited(principal, _caseload_body, principal, ctx.clock.today())
    return prevalidated_json(body)


def _caseload_body(
    connection: Connection, principal: Principal, today: date
) -> tuple[dict[str, Any], AuditEvent | None]:
    lines, read_event = service.my_caseload(connection, principal)
    items = []
    # Plain dicts in `CaseloadRead`'s shape: building the models as well doubled the cost of
    # the hottest endpoint.
    for line in lines:
        programme = get_programme(line.programme_code)
        items.append(
            {
                "enrolment_id": line.enrolment_id,
                "participant_id": line.participant_id,
                "first_name": line.first_name,
                "last_name": line.last_name,
                "personnummer_masked": mask_stored(line.personnummer),
                "programme_code": programme.code,
                "programme_name": programme.name_sv,
                "state": line.state,
                "step": line.step,
                "step_count": len(programme.steps),
                "step_name": programme.step(line.step).name_sv if line.step else None,
                "days_in_step": (today - line.step_entered_on).days
                if line.step_entered_on
                else None,
                "referred_on": line.referred_on,
                "started_on": line.started_on,
                "version": line.version,
            }
        )
    return {"count": len(items), "items": items}, read_event


@router.get(
    "/municipality/mentors",
    response_model=list[MentorLoadRead],
    summary="Mentors of my municipality and their caseloads",
    operation_id="list_municipality_mentors",
    dependencies=[require(P.MUNICIPALITY_MENTORS_READ)],
    responses=FORBIDDEN,
)
def list_municipality_mentors(ctx: Context, principal: CurrentPrincipal) -> list[MentorLoadRead]:
    """For lead mentors and unit managers: each mentor with the number of open enrolments per
    level, to balance caseloads and pick a mentor when reassigning. Counts only, no people."""
    return [
        MentorLoadRead.model_validate(m, from_attributes=True)
        for m in service.municipality_mentors(ctx, principal)
    ]


@router.get(
    "/referrals",
    response_model=ReferralStatusPage,
    summary="Status of the people I referred",
    operation_id="get_my_referrals",
    dependencies=[require(P.REFERRAL_STATUS_READ)],
    responses=FORBIDDEN,
)
def get_referrals(
    ctx: Context, principal: CurrentPrincipal, cursor: Cursor | None = None, limit: Limit = 25
) -> ReferralStatusPage:
    """For referrers (handläggare): state and level of each enrolment they referred. No notes,
    reasons or contact data."""
    rows, next_cursor = service.my_referrals(ctx, principal, cursor=cursor, limit=limit)
    return ReferralStatusPage(
        items=[referral_status(e, p) for e, p in rows], next_cursor=next_cursor
    )


@router.get(
    "/tasks",
    response_model=TasksRead,
    summary="My task list",
    operation_id="get_my_tasks",
    dependencies=[require(P.TASKS_READ)],
    responses=FORBIDDEN,
)
async def get_tasks(ctx: Context, principal: CurrentPrincipal) -> Response:
    """The mentor's to-do list in one request, for the enrolments the caller mentors: due and
    overdue self-assessments, follow-ups due within 14 days or overdue (and those not permitted
    for want of consent), this week's cohort sessions with the caller's participants in them,
    and participants with no recorded activity for 30 days (paused people excluded)."""
    # Reads on the event loop and no second validation pass, as the caseload.
    body = await ctx.hot_reads.read_audited(principal, _tasks_body, principal, ctx.clock.today())
    return prevalidated_json(body)


def _fields(line: Any) -> dict[str, Any]:
    # dataclasses.asdict deep-copies every list in the line (2-3 % of a task-list request);
    # the answer is written out at once, so the line's own values will do.
    return {field.name: getattr(line, field.name) for field in dataclasses.fields(line)}


def _tasks_body(
    connection: Connection, principal: Principal, today: date
) -> tuple[dict[str, Any], AuditEvent | None]:
    tasks, read_event = task_service.my_tasks(connection, principal, today)
    # Plain dicts in `TasksRead`'s shape.
    body = {
        "today": tasks.today,
        "week_start": tasks.week.first_day,
        "week_end": tasks.week.last_day,
        "quiet_after_days": QUIET_AFTER_DAYS,
        "assessments": [due_assessment_item(a) for a in tasks.assessments],
        "follow_ups": [due_follow_up_item(f) for f in tasks.follow_ups],
        "sessions": [_fields(s) for s in tasks.sessions],
        "quiet_participants": [
            {
                **person_on_line(q),
                "state": q.state,
                "step": q.step,
                "last_activity_on": q.last_activity_on,
                "days_without_activity": q.days_without_activity,
            }
            for q in tasks.quiet
        ],
    }
    return body, read_event
