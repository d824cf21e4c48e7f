"""Statistics responses: aggregates only, never a person.

Counts are integers, shares decimals in 0..1 rounded to 3 places (half up). For association
staff and evaluators a count of 1–4 is shown as `{"value": null, "suppressed": true,
"suppression": "small"}`, and so is every share whose numerator or denominator is such a count:
marked, never a made-up zero. Cells that would give a hidden one back by subtraction from a
shown total are hidden too, with `"suppression": "complementary"`.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field

from api.schemas.base import ResponseModel

Suppression = Literal["small", "complementary"]
_SUPPRESSION = (
    "Why the cell is hidden: `small` - it counts 1-4 people (or rests on such a count); "
    "`complementary` - it is not small itself but would give a hidden cell back by "
    "subtraction from a total. Null when shown."
)


class CountCell(ResponseModel):
    value: int | None = Field(description="The count; null exactly when suppressed")
    suppressed: bool
    suppression: Suppression | None = Field(default=None, description=_SUPPRESSION)


class ShareCell(ResponseModel):
    value: float | None = Field(
        description="Share 0..1, 3 decimals; null when suppressed or nothing to divide by"
    )
    suppressed: bool
    suppression: Suppression | None = Field(default=None, description=_SUPPRESSION)


class Indicator(ResponseModel):
    count: CountCell
    share: ShareCell = Field(
        description="Share of the denominator: exited (outcomes), recorded (follow-ups), n (items)"
    )


class FollowUpSustainability(ResponseModel):
    kind: str = Field(description="Follow-up kind, e.g. support_period_end")
    recorded: CountCell = Field(description="Goal-reached exits with this follow-up recorded")
    still_in_work_or_studies: Indicator
    not_reached: Indicator


class OutcomeFigures(ResponseModel):
    persons: CountCell = Field(description="Unique persons among exited and continuing")
    enrolments: CountCell = Field(description="Enrolments, exited and continuing")
    exited: CountCell
    continuing: CountCell = Field(
        description="Exits coded 'continues in regular operations': counted as ongoing"
    )
    excluded: CountCell = Field(description="Exits coded 'registered in error'; in no figure")
    reached_level_3: Indicator = Field(description="Highest step ≥ the preparation step")
    ended_at_level_3: Indicator = Field(description="Exited from the preparation step")
    goal_reached: Indicator = Field(description="Exited from the outcome step to work/studies")
    goal_reached_work: Indicator
    goal_reached_studies: Indicator
    follow_ups: list[FollowUpSustainability]


class OutcomeGroupRead(ResponseModel):
    key: dict[str, str | int | None] = Field(
        description="The group: one entry per group_by dimension"
    )
    figures: OutcomeFigures


class ReferrerComposition(ResponseModel):
    referrer_type: str | None
    goal_reached: CountCell
    share: ShareCell = Field(description="Share of all goal-reached exits")


class TargetFulfilment(ResponseModel):
    indicator: str
    target: float | int
    figure: ShareCell | CountCell
    fulfilment: ShareCell = Field(description="Figure ÷ target (1.0 = met), 3 decimals")


class StatsFilters(ResponseModel):
    programme: str
    exit_from: date | None
    exit_to: date | None
    municipality_ids: list[int]
    referrer_type: str | None
    group_by: list[str] = Field(default_factory=list)


class MunicipalityName(ResponseModel):
    id: int
    name: str


class OutcomeStatisticsRead(ResponseModel):
    filters: StatsFilters
    municipalities: list[MunicipalityName] = Field(
        description="The municipalities in your statistics scope (for filters and labels)"
    )
    suppressed_below: int | None = Field(
        description="Counts below this are suppressed for you; null = exact numbers"
    )
    total: OutcomeFigures
    groups: list[OutcomeGroupRead]
    composition_by_referrer: list[ReferrerComposition]
    targets: list[TargetFulfilment]


class ItemFigures(ResponseModel):
    n: CountCell = Field(description="Enrolments with a complete first and latest reading")
    improved: Indicator
    unchanged: Indicator
    worsened: Indicator
    net_effect: ShareCell = Field(description="Share improved − share worsened")
    median_first: float | None
    median_latest: float | None
    medians_suppressed: bool


class SelfAssessmentItemRead(ResponseModel):
    item: str
    label_sv: str
    overall: ItemFigures
    by_legal_sex: dict[str, ItemFigures] = Field(description="Keys: woman, man")


class SelfAssessmentStatisticsRead(ResponseModel):
    filters: StatsFilters
    suppressed_below: int | None
    items: list[SelfAssessmentItemRead]
