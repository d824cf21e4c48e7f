"""The signed-in principal's own views: profile, caseload."""

from __future__ import annotations

from datetime import date

from pydantic import Field

from api.schemas.base import ResponseModel
from domain.enrolment import EnrolmentState


class MeRead(ResponseModel):
    kind: str
    id: int
    display_name: str
    role: str
    permissions: list[str]
    municipality_id: int | None
    organisation_id: int | None


class CaseloadItem(ResponseModel):
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    programme_code: str
    programme_name: str
    state: EnrolmentState
    step: int | None
    step_count: int
    step_name: str | None
    days_in_step: int | None
    referred_on: date
    started_on: date | None
    version: int


class MentorLoadRead(ResponseModel):
    mentor_id: int
    display_name: str
    role: str
    is_active: bool
    open_enrolments: int
    by_step: dict[int, int] = Field(description="Open enrolments per step; 0 = not started")


class CaseloadRead(ResponseModel):
    count: int
    items: list[CaseloadItem]
