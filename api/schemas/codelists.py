"""Code lists and programmes: reference data every role reads."""

from __future__ import annotations

from datetime import date
from fractions import Fraction
from typing import Annotated

from pydantic import Field, StringConstraints

from api.schemas.base import RequestModel, ResponseModel
from domain.codelists import CodeEntry, CodeListName, OutcomeGroup
from domain.programmes import Programme

# Codes end up in exports and statistics files, so they stay plain.
EntryCode = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_.-]+$")
]
Label = Annotated[str, StringConstraints(min_length=1, max_length=200)]


class CodeEntryRead(ResponseModel):
    code: str
    label_sv: str
    label_en: str
    sort_order: int
    valid_from: date | None
    valid_to: date | None
    outcome_group: OutcomeGroup | None = Field(description="exit_status only: what it counts as")
    continues_in_regular_operations: bool
    excluded_from_statistics: bool


class CodeListRead(ResponseModel):
    name: CodeListName
    version: int
    label: str
    entries: list[CodeEntryRead]


class CodeEntryCreate(RequestModel):
    code: EntryCode
    label_sv: Label
    label_en: Label
    sort_order: int = Field(ge=0, le=1_000_000)
    valid_from: date | None = None
    valid_to: date | None = None
    outcome_group: OutcomeGroup | None = Field(
        default=None, description="Required on exit_status entries, not allowed elsewhere"
    )
    continues_in_regular_operations: bool = Field(
        default=False, description="exit_reason/exit_status only"
    )
    excluded_from_statistics: bool = Field(
        default=False, description="exit_reason/exit_status only"
    )

    def to_domain(self) -> CodeEntry:
        return CodeEntry(**self.model_dump())


class CodeListVersionCreate(RequestModel):
    label: Label
    entries: list[CodeEntryCreate] = Field(min_length=1, max_length=200)


class StepRead(ResponseModel):
    number: int
    code: str
    name_sv: str
    name_en: str
    requires_outcome: bool


class ProgrammeGoalsRead(ResponseModel):
    goal_reached_share: float | None = Field(
        description="Share of exited participants reaching the goal, 4 decimals (0.5 = 50 %)"
    )
    reached_preparation_share: float | None = Field(
        description="Share of exited participants reaching preparation_step, 4 decimals"
    )
    preparation_step: int | None
    target_participants: int | None
    target_women: int | None
    target_men: int | None


class ProgrammeRead(ResponseModel):
    code: str
    name_sv: str
    name_en: str
    min_age: int
    max_age: int
    support_period_months: int | None
    steps: list[StepRead]
    goals: ProgrammeGoalsRead

    @classmethod
    def from_domain(cls, programme: Programme) -> ProgrammeRead:
        goals = programme.goals
        return cls(
            code=programme.code,
            name_sv=programme.name_sv,
            name_en=programme.name_en,
            min_age=programme.min_age,
            max_age=programme.max_age,
            support_period_months=programme.support_period_months,
            steps=[StepRead.model_validate(step) for step in programme.steps],
            goals=ProgrammeGoalsRead(
                goal_reached_share=_share(goals.goal_reached_share),
                reached_preparation_share=_share(goals.reached_preparation_share),
                preparation_step=goals.preparation_step,
                target_participants=goals.target_participants,
                target_women=goals.target_women,
                target_men=goals.target_men,
            ),
        )


def _share(value: Fraction | None) -> float | None:
    return None if value is None else round(float(value), 4)


class ReferrerOrganisationRead(ResponseModel):
    id: int
    name: str
    referrer_type: str | None = Field(description="Code in the referrer_type list")


class ReferrerOrganisationList(ResponseModel):
    items: list[ReferrerOrganisationRead]
