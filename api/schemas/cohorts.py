"""Cohort models: a Level 2 group or Level 3 course, its sessions, members and attendance."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Self

from pydantic import Field, StringConstraints, model_validator

from api.schemas.base import Id, RequestModel, ResponseModel
from domain.cohorts import (
    DEFAULT_WEEKS,
    MAX_ATTENDANCE_ENTRIES,
    MAX_NAME_LENGTH,
    MAX_PROVIDER_LENGTH,
    MAX_SESSION_MINUTES,
    MAX_SESSIONS,
    MAX_WEEKS,
    MIN_SESSION_MINUTES,
    MIN_WEEKS,
    CohortKind,
)

StartTime = Annotated[
    str,
    StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$", min_length=5, max_length=5),
]
SessionMinutes = Annotated[int, Field(ge=MIN_SESSION_MINUTES, le=MAX_SESSION_MINUTES)]
CohortName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NAME_LENGTH)]
Provider = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PROVIDER_LENGTH)]
Weekday = Annotated[int, Field(ge=1, le=7)]


class ScheduleIn(RequestModel):
    weekdays: list[Weekday] = Field(
        min_length=1, max_length=7, description="ISO weekdays, 1 = Monday … 7 = Sunday"
    )
    start_time: StartTime = Field(examples=["09:30"], description="Local time, HH:MM")
    duration_minutes: SessionMinutes


class SessionIn(RequestModel):
    held_on: date
    start_time: StartTime = Field(examples=["09:30"])
    duration_minutes: SessionMinutes


class CohortCreate(RequestModel):
    kind: CohortKind
    name: CohortName
    provider: Provider | None = Field(
        default=None,
        description="Defaults to Studieförbundet Vuxenskolan (level2_group) or Vara "
        "folkhögskola (level3_course)",
    )
    starts_on: date
    weeks: int = Field(default=DEFAULT_WEEKS, ge=MIN_WEEKS, le=MAX_WEEKS)
    schedule: ScheduleIn | None = Field(
        default=None, description="Weekly sessions for every week of the period"
    )
    sessions: list[SessionIn] | None = Field(
        default=None, max_length=MAX_SESSIONS, description="Explicit dated sessions"
    )

    @model_validator(mode="after")
    def _exactly_one_plan(self) -> Self:
        if (self.schedule is None) == (self.sessions is None):
            raise ValueError("Ange antingen schedule eller sessions, inte båda eller inget.")
        return self


class CohortSummaryRead(ResponseModel):
    id: int
    kind: CohortKind
    name: str
    provider: str
    starts_on: date
    weeks: int
    session_count: int
    member_count: int


class CohortList(ResponseModel):
    items: list[CohortSummaryRead]


class SessionRead(ResponseModel):
    id: int
    held_on: date
    start_time: str
    duration_minutes: int
    attended_count: int = Field(description="Members who attended (all members, a count)")


class MemberRead(ResponseModel):
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    joined_on: date
    attendance: dict[int, bool] = Field(
        description="Session id -> attended, for the sessions recorded so far"
    )


class CohortRead(ResponseModel):
    id: int
    kind: CohortKind
    name: str
    provider: str
    starts_on: date
    weeks: int
    sessions: list[SessionRead]
    members: list[MemberRead] = Field(description="The members in your scope")
    other_member_count: int = Field(description="Members outside your scope (a count only)")


class MemberCreate(RequestModel):
    enrolment_id: Id
    joined_on: date | None = Field(default=None, description="Defaults to today")


class AttendanceEntry(RequestModel):
    enrolment_id: Id
    attended: bool


class AttendanceUpdate(RequestModel):
    entries: list[AttendanceEntry] = Field(min_length=1, max_length=MAX_ATTENDANCE_ENTRIES)


class AttendanceRead(ResponseModel):
    enrolment_id: int
    attended: bool


class SessionAttendanceRead(ResponseModel):
    id: int
    cohort_id: int
    held_on: date
    start_time: str
    duration_minutes: int
    attended_count: int = Field(description="Members who attended (all members, a count)")
    attendance: list[AttendanceRead] = Field(description="For the members in your scope")
