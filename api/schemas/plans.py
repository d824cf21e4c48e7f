"""Individual plan (revisions) and resource-group models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.schemas.base import Email, Name, Phone, RequestModel, ResponseModel, ShortText
from domain.plans import (
    MAX_GOAL_AREA_LENGTH,
    MAX_GOAL_TEXT_LENGTH,
    MAX_GOALS,
    MAX_MEMBER_ORGANISATION_LENGTH,
    MAX_PLAN_NOTE_LENGTH,
    GoalStatus,
)

GoalText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_GOAL_TEXT_LENGTH)]
GoalArea = Annotated[str, StringConstraints(max_length=MAX_GOAL_AREA_LENGTH)]
PlanNote = Annotated[str, StringConstraints(max_length=MAX_PLAN_NOTE_LENGTH)]
Organisation = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_MEMBER_ORGANISATION_LENGTH)
]


class GoalIn(RequestModel):
    text: GoalText = Field(examples=["Börja på komvux i höst"])
    status: GoalStatus = GoalStatus.NOT_STARTED
    target_on: date | None = Field(default=None, description="Target date; may be in the future")
    area: GoalArea | None = Field(
        default=None, description="Life area, e.g. Hälsa, Studier", examples=["Studier"]
    )


class PlanSave(RequestModel):
    goals: list[GoalIn] = Field(max_length=MAX_GOALS, description=f"At most {MAX_GOALS} goals")
    note: PlanNote | None = Field(default=None, description="Summary of the plan")


class GoalRead(ResponseModel):
    text: str
    status: GoalStatus
    target_on: date | None
    area: str | None


class PlanRead(ResponseModel):
    enrolment_id: int
    revision: int = Field(description="0 when the enrolment has no plan yet")
    goals: list[GoalRead]
    note: str | None
    saved_at: datetime | None
    saved_by_user_id: int | None


class PlanRevisionRead(ResponseModel):
    revision: int
    goals: list[GoalRead]
    note: str | None
    saved_at: datetime
    saved_by_user_id: int | None


class PlanRevisionList(ResponseModel):
    enrolment_id: int
    items: list[PlanRevisionRead] = Field(description="Newest first")


class ResourceGroupMemberCreate(RequestModel):
    role: ShortText = Field(examples=["Handläggare"])
    organisation: Organisation = Field(examples=["Försäkringskassan"])
    name: Name
    phone: Phone | None = None
    email: Email | None = None
    added_on: date | None = Field(default=None, description="Defaults to today; not in the future")


class ResourceGroupMemberRead(ResponseModel):
    id: int
    role: str
    organisation: str
    name: str
    phone: str | None
    email: str | None
    added_on: date
    removed_on: date | None


class ResourceGroupRead(ResponseModel):
    participant_id: int
    items: list[ResourceGroupMemberRead] = Field(description="Current members first")
