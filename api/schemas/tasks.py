"""The mentor's task list: one response with everything the start screen's to-do part shows."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from api.schemas.assessments import DueAssessmentRead
from api.schemas.base import ResponseModel
from api.schemas.follow_ups import DueFollowUpRead
from domain.enrolment import EnrolmentState


class SessionTaskRead(ResponseModel):
    cohort_id: int
    cohort_name: str
    kind: str
    provider: str
    session_id: int
    held_on: date
    start_time: str
    duration_minutes: int
    enrolment_ids: list[int] = Field(description="The caller's own participants in the cohort")


class QuietParticipantRead(ResponseModel):
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    programme_code: str
    state: EnrolmentState
    step: int | None
    last_activity_on: date | None = Field(description="Null: no activity recorded at all")
    days_without_activity: int


class TasksRead(ResponseModel):
    today: date
    week_start: date = Field(description="Monday of the current week")
    week_end: date = Field(description="Sunday of the current week")
    quiet_after_days: int
    assessments: list[DueAssessmentRead] = Field(description="Due and overdue self-assessments")
    follow_ups: list[DueFollowUpRead] = Field(
        description="Follow-ups due within 14 days, overdue, or not permitted (no consent)"
    )
    sessions: list[SessionTaskRead] = Field(description="Cohort sessions this week")
    quiet_participants: list[QuietParticipantRead] = Field(
        description="Open enrolments without any activity for quiet_after_days days"
    )
