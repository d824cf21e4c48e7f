"""Activity models: a contact-log entry, the log of an enrolment, and hours per ISO week."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.schemas.base import Code, RequestModel, ResponseModel
from domain.activities import (
    HALF_TIME_HOURS_PER_WEEK,
    MAX_DURATION_MINUTES,
    MAX_NOTE_LENGTH,
    MAX_PROVIDER_LENGTH,
    MIN_DURATION_MINUTES,
)

Provider = Annotated[str, StringConstraints(min_length=1, max_length=MAX_PROVIDER_LENGTH)]
Note = Annotated[str, StringConstraints(min_length=1, max_length=MAX_NOTE_LENGTH)]


class ActivityCreate(RequestModel):
    activity_type: Code = Field(
        description="Code from the activity_type code list", examples=["motivational_talk"]
    )
    occurred_on: date = Field(
        description="Today or earlier; not before the referral, not after the enrolment ended"
    )
    duration_minutes: int = Field(ge=MIN_DURATION_MINUTES, le=MAX_DURATION_MINUTES)
    provider: Provider | None = Field(default=None, description="Who ran it, e.g. a school")
    note: Note | None = None


class ActivityRead(ResponseModel):
    id: int
    activity_type: str
    occurred_on: date
    duration_minutes: int
    provider: str | None
    note: str | None
    recorded_at: datetime
    recorded_by_user_id: int | None


class ActivityList(ResponseModel):
    enrolment_id: int
    items: list[ActivityRead] = Field(description="Newest first")


class WeekHoursRead(ResponseModel):
    week_start: date = Field(description="The Monday of the ISO week")
    iso_year: int
    iso_week: int
    hours: float = Field(description="Activities and attended sessions, rounded down to 0.1 h")
    meets_half_time: bool


class ActivityHoursRead(ResponseModel):
    enrolment_id: int
    half_time_hours_per_week: int = HALF_TIME_HOURS_PER_WEEK
    weeks: list[WeekHoursRead] = Field(description="Every week of the range, oldest first")
