"""Follow-up models: an enrolment's scheduled follow-ups with results, recording one, due lists."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from api.schemas.base import Code, RequestModel, ResponseModel
from domain.codelists import OutcomeGroup
from domain.follow_ups import MAX_ATTEMPTS, MAX_NOTE_LENGTH, FollowUpStatus


class FollowUpCreate(RequestModel):
    kind: Code = Field(
        description="The programme's follow-up kind, e.g. support_period_end, "
        "after_exit_90_days, after_exit_1_year",
        examples=["support_period_end"],
    )
    contacted_on: date = Field(
        description="Date of the (last) contact attempt: not in the future, not before the "
        "follow-up's triggering event"
    )
    contact_reached: bool
    attempts: int = Field(ge=1, le=MAX_ATTEMPTS, description="Contact attempts made")
    final_non_response: bool = Field(
        default=False,
        description="Only when not reached: the last attempt failed and no more will be made",
    )
    status_group: OutcomeGroup | None = Field(
        default=None, description="Required when reached; not allowed otherwise"
    )
    employment_extent_percent: int | None = Field(
        default=None, ge=1, le=100, description="Required for work, only for work"
    )
    self_supporting: bool | None = Field(
        default=None, description="Required when reached; not allowed otherwise"
    )
    current_benefit: Code | None = Field(
        default=None, description="Code from the benefit code list; only when reached"
    )
    note: str | None = Field(
        default=None, max_length=MAX_NOTE_LENGTH, description="Only when reached"
    )


class FollowUpResultRead(ResponseModel):
    contacted_on: date
    contact_reached: bool
    attempts: int
    final_non_response: bool
    status_group: OutcomeGroup | None
    employment_extent_percent: int | None
    self_supporting: bool | None
    current_benefit: str | None
    note: str | None
    recorded_at: datetime
    recorded_by_user_id: int | None


class FollowUpRead(ResponseModel):
    id: int
    kind: str
    label_sv: str
    label_en: str
    trigger_on: date = Field(description="Date of the triggering event (corrected dates apply)")
    due_on: date
    status: FollowUpStatus = Field(
        description="done; not_permitted (no consent to follow-up contact today); upcoming "
        "(due in more than 14 days); due (within 14 days); overdue"
    )
    requires_contact_consent: bool
    result: FollowUpResultRead | None


class EnrolmentFollowUpsRead(ResponseModel):
    enrolment_id: int
    items: list[FollowUpRead]


class DueFollowUpRead(ResponseModel):
    id: int
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    mentor_id: int | None
    programme_code: str
    kind: str
    due_on: date
    status: FollowUpStatus = Field(
        description="overdue, due or not_permitted (upcoming only when within_days reaches "
        "past the 14-day due window)"
    )


class DueFollowUpList(ResponseModel):
    items: list[DueFollowUpRead]
    count: int
