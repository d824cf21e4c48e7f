"""Self-assessment models: the questionnaire, submissions and corrections, change per item,
and the due list."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StrictInt, StringConstraints

from api.schemas.base import Reason, RequestModel, ResponseModel
from domain.self_assessment import (
    CURRENT_QUESTIONNAIRE_VERSION,
    AssessmentStatus,
    Direction,
    Respondent,
)

ItemKey = Annotated[str, StringConstraints(min_length=1, max_length=60)]
Occasion = Annotated[
    str,
    StringConstraints(min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$"),
]
# The scale (1–10) and the item keys are checked by the domain against the chosen questionnaire
# version, which answers with a Swedish message per item. Strict ints: 5.0, "5" and true are
# refused here rather than silently turned into a score.
Scores = Annotated[
    dict[ItemKey, StrictInt],
    Field(
        max_length=100,
        description="Item key -> score, an integer 1–10 (higher is better)",
        examples=[{"work_study_readiness": 4, "self_esteem": 6}],
    ),
]
QUESTIONNAIRE_VERSION_DESCRIPTION = "The questionnaire version the answers were given on"


class ItemRead(ResponseModel):
    key: str
    text_sv: str
    text_en: str
    low_label_sv: str
    high_label_sv: str
    low_label_en: str
    high_label_en: str


class QuestionnaireRead(ResponseModel):
    version: int
    scale_min: int = Field(description="Lowest score (worst)")
    scale_max: int = Field(description="Highest score (best)")
    items: list[ItemRead]


class AssessmentCreate(RequestModel):
    occasion: Occasion = Field(
        description="start, after_step_<n> (a step that is not the last), exit or follow_up",
        examples=["start"],
    )
    answered_on: date = Field(
        description="When the participant answered; not in the future, not before the "
        "referral or the day the occasion became due"
    )
    respondent: Respondent = Field(description="The participant alone or with the mentor")
    answers: Scores
    mentor_rating: Scores | None = Field(
        default=None, description="The mentor's own rating, stored beside the answers, never mixed"
    )
    questionnaire_version: int = Field(
        default=CURRENT_QUESTIONNAIRE_VERSION,
        ge=1,
        le=1000,
        description=QUESTIONNAIRE_VERSION_DESCRIPTION + " (default: the current one)",
    )


class AssessmentCorrectionCreate(RequestModel):
    reason: Reason = Field(description="Why the earlier answers were wrong")
    answered_on: date
    respondent: Respondent
    answers: Scores
    mentor_rating: Scores | None = None


class AssessmentSubmissionRead(ResponseModel):
    id: int
    occasion: str
    questionnaire_version: int = Field(description=QUESTIONNAIRE_VERSION_DESCRIPTION)
    answered_on: date
    respondent: Respondent
    answers: dict[str, int] = Field(description="The participant's answers, item key -> score")
    mentor_rating: dict[str, int] | None = Field(description="The mentor's separate rating")
    recorded_at: datetime
    recorded_by_user_id: int | None
    supersedes_id: int | None = Field(description="The submission this one corrects")
    superseded_by_id: int | None = Field(
        description="Set when a later correction replaced this submission"
    )
    correction_reason: str | None


class AssessmentOccasionRead(ResponseModel):
    occasion: str
    label_sv: str
    label_en: str
    due_on: date | None = Field(description="When it became due; null for follow-up")
    status: AssessmentStatus
    submission_id: int | None = Field(description="The current submission, when answered")


class EnrolmentAssessmentsRead(ResponseModel):
    enrolment_id: int
    occasions: list[AssessmentOccasionRead]
    submissions: list[AssessmentSubmissionRead]


class ReadingRead(ResponseModel):
    submission_id: int
    occasion: str
    answered_on: date
    answers: dict[str, int]


class ItemChangeRead(ResponseModel):
    key: str
    text_sv: str
    text_en: str
    first: int | None
    latest: int | None
    difference: int | None = Field(description="latest − first; null without a complete pair")
    direction: Direction | None


class AssessmentChangeRead(ResponseModel):
    enrolment_id: int
    questionnaire_version: int = Field(description="The version whose items and texts are shown")
    readings: list[ReadingRead]
    items: list[ItemChangeRead]


class DueAssessmentRead(ResponseModel):
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    mentor_id: int | None
    programme_code: str
    occasion: str
    due_on: date
    status: AssessmentStatus = Field(description="due, or overdue after 14 days")


class DueAssessmentPage(ResponseModel):
    items: list[DueAssessmentRead]
    count: int
