"""Export models: one line of the evaluation NDJSON export, and its closing line.

The evaluation export is NDJSON: row lines (`EvaluationRow`), then, in an incremental pull,
withdrawal lines (`EvaluationWithdrawal`: delete what you hold of that person), and last an
`EvaluationTrailer` carrying the cursor for the next incremental pull. A client that does
not see the trailer knows the stream was cut and should pull again with the same `since`.
"""

from __future__ import annotations

from datetime import date, datetime

from pydantic import Field, RootModel

from api.schemas.base import ResponseModel
from domain.codelists import OutcomeGroup
from domain.personnummer import LegalSex


class LevelEntry(ResponseModel):
    step: int = Field(description="The level entered (1–4 in Level Up)")
    entered_on: date = Field(description="Business date, with any date corrections applied")


class AssessmentReading(ResponseModel):
    occasion: str = Field(description="start, after_step_<n>, exit or follow_up")
    answered_on: date
    questionnaire_version: int
    answers: dict[str, int] = Field(
        description="Item key -> the participant's own score 1–10 (mentor ratings excluded)"
    )


class FollowUpResult(ResponseModel):
    kind: str = Field(description="The programme's follow-up kind, e.g. after_exit_90_days")
    due_on: date
    contact_reached: bool
    final_non_response: bool | None
    status_group: OutcomeGroup | None
    employment_extent_percent: int | None
    self_supporting: bool | None


class EvaluationRow(ResponseModel):
    """One enrolment. No names, personnummer, contact data, free text or staff ids."""

    pseudonym: str = Field(
        description="The participant: HMAC-SHA256 with a key of your own, 32 hex characters. "
        "Stable across your exports; different for every evaluator"
    )
    enrolment_pseudonym: str = Field(
        description="The enrolment, keyed the same way: incremental pulls replace rows by it"
    )
    legal_sex: LegalSex
    birth_year: int
    municipality_code: str | None = Field(description="SCB municipality code, e.g. 1495")
    referrer_type: str | None = Field(description="Code in the referrer_type list (af, fk …)")
    benefit_at_start: str | None = Field(description="Code in the benefit list")
    education_level: str | None = Field(
        description="Code in the education_level list, as currently recorded"
    )
    months_on_support_before_start: int | None
    programme_code: str
    state: str = Field(description="referred, intake, active, paused, declined or exited")
    referred_on: date
    started_on: date | None
    exited_on: date | None
    highest_step: int | None
    level_history: list[LevelEntry] = Field(description="Each level entered, in order")
    exit_reason_code: str | None
    exit_status_code: str | None
    exit_outcome_group: OutcomeGroup | None = Field(
        description="The exit status's outcome group in the current code list"
    )
    continues_in_regular_operations: bool = Field(
        description="The exit reason or status says the person continues in regular "
        "operations: counted as ongoing, not exited (DOMAIN.md §8)"
    )
    excluded_from_statistics: bool = Field(
        description="Registered in error: leave out of every figure"
    )
    assessments: list[AssessmentReading] = Field(
        description="Current (not superseded) self-assessments, by occasion"
    )
    follow_ups: list[FollowUpResult] = Field(description="Recorded follow-ups only")


class EvaluationWithdrawal(ResponseModel):
    """In an incremental pull (`since`): a person you may hold rows of who has since withdrawn
    consent to evaluation (or whose identity is now protected). Delete every row with this
    pseudonym; they will not be exported again unless consent is given anew."""

    withdrawn_pseudonym: str = Field(description="The `pseudonym` of the rows to delete")


class EvaluationTrailer(ResponseModel):
    """The last line of every complete export."""

    next_since: datetime = Field(
        description="Pass as `since` next time to get only enrolments changed after this pull"
    )
    rows: int = Field(description="How many row lines came before this one")
    withdrawals: int = Field(
        default=0, description="How many withdrawal lines came before this one"
    )


class EvaluationExportLine(RootModel[EvaluationRow | EvaluationWithdrawal | EvaluationTrailer]):
    """One NDJSON line: a row, a withdrawal, or the closing trailer."""
