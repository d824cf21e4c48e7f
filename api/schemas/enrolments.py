"""Enrolment models: referral, the transition commands, and reads per role."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field

from api.schemas.base import Code, Email, Id, Name, Phone, Reason, RequestModel, ResponseModel
from domain.enrolment import EnrolmentState, OutcomeKind, PauseReason, StudiesKind


class EnrolmentCreate(RequestModel):
    programme_code: Code = Field(examples=["level_up"])
    referred_on: date
    referrer_organisation_id: Id | None = None
    referrer_contact_name: Name | None = None
    referrer_contact_phone: Phone | None = None
    referrer_contact_email: Email | None = None
    referrer_user_id: Id | None = Field(
        default=None, description="A referrer user who may follow this enrolment's status"
    )
    benefit_at_start: Code | None = Field(default=None, description="Code from benefit")
    months_on_support_before_start: int | None = Field(default=None, ge=0, le=600)
    mentor_id: Id | None = Field(
        default=None, description="Defaults to the mentor who registers the referral"
    )


class DatedCommand(RequestModel):
    effective_on: date = Field(
        description="Business date; today or earlier, not before the previous transition"
    )


class HoldIntakeCommand(DatedCommand):
    pass


class StartCommand(DatedCommand):
    pass


class OutcomeIn(RequestModel):
    kind: OutcomeKind
    starts_on: date
    subsidised: bool | None = None
    extent_percent: int | None = Field(default=None, ge=1, le=100)
    studies_kind: StudiesKind | None = None


class AdvanceCommand(DatedCommand):
    outcome: OutcomeIn | None = Field(
        default=None, description="Required when entering a work/studies step"
    )


class StepBackCommand(DatedCommand):
    reason: Reason


class PauseCommand(DatedCommand):
    reason: PauseReason
    note: str | None = Field(default=None, max_length=500)


class ResumeCommand(DatedCommand):
    pass


class ExitCommand(DatedCommand):
    exit_reason_code: Code
    exit_status_code: Code


class DeclineCommand(DatedCommand):
    reason: Reason


class CorrectionCommand(RequestModel):
    target_seq: int = Field(ge=1, le=10_000, description="The history entry whose date is wrong")
    effective_on: date = Field(description="The correct date")
    reason: Reason


class MentorAssignmentCreate(RequestModel):
    mentor_id: Id
    assigned_on: date | None = None
    reason: str | None = Field(default=None, max_length=500)


class OutcomeRead(ResponseModel):
    kind: OutcomeKind
    starts_on: date
    subsidised: bool | None
    extent_percent: int | None
    studies_kind: StudiesKind | None


class TransitionRead(ResponseModel):
    seq: int
    kind: str
    effective_on: date = Field(description="The date in force (after any correction)")
    recorded_effective_on: date = Field(description="The date as first recorded")
    corrected_by_seq: int | None
    corrects_seq: int | None
    recorded_at: datetime
    actor_user_id: int | None
    actor_client_id: int | None
    reason: str | None
    pause_reason: PauseReason | None
    exit_reason_code: str | None
    exit_status_code: str | None
    outcome: OutcomeRead | None
    step_after: int | None = Field(description="The step after this transition")
    state_after: EnrolmentState


class MentorAssignmentRead(ResponseModel):
    mentor_id: int
    assigned_on: date
    ended_on: date | None
    reason: str | None


class EnrolmentSummary(ResponseModel):
    id: int
    programme_code: str
    state: EnrolmentState
    step: int | None
    referred_on: date
    started_on: date | None
    ended_on: date | None
    mentor_id: int | None


class EnrolmentRead(EnrolmentSummary):
    participant_id: int
    mentor_name: str | None = Field(description="The current mentor's display name")
    highest_step: int | None
    step_entered_on: date | None
    days_in_step: int | None
    outcome: OutcomeRead | None
    exit_reason_code: str | None
    exit_status_code: str | None
    referrer_organisation_id: int | None
    referrer_organisation_name: str | None
    referrer_contact_name: str | None
    referrer_contact_phone: str | None
    referrer_contact_email: str | None
    referrer_user_id: int | None
    benefit_at_start: str | None
    months_on_support_before_start: int | None
    version: int
    history: list[TransitionRead]
    mentor_history: list[MentorAssignmentRead]


class ReferralStatusRead(ResponseModel):
    """What a referrer may see: status, never notes, reasons or contact data."""

    enrolment_id: int
    participant_first_name: str
    participant_last_name: str
    personnummer_masked: str
    programme_code: str
    state: EnrolmentState
    step: int | None
    referred_on: date
    started_on: date | None
    ended_on: date | None


class ReferralStatusPage(ResponseModel):
    items: list[ReferralStatusRead]
    next_cursor: str | None
