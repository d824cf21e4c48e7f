"""Programmes as data: an ordered list of steps, entry rules, support period and goals.

The state machine works on any `Programme`; nothing may assume four steps. Level Up and Level
Upgrade are built in (DOMAIN.md §3); more programmes are added as data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from fractions import Fraction

from domain.errors import UnknownCode


@dataclass(frozen=True, slots=True)
class Step:
    number: int
    code: str
    name_sv: str
    name_en: str
    # Entering this step needs a work or studies outcome (Level 4 in the staircase).
    requires_outcome: bool = False


@dataclass(frozen=True, slots=True)
class ProgrammeGoals:
    # Shares of exited participants, as exact fractions so reports do not drift by rounding.
    goal_reached_share: Fraction | None = None
    reached_preparation_share: Fraction | None = None
    preparation_step: int | None = None
    target_participants: int | None = None
    target_women: int | None = None
    target_men: int | None = None


class FollowUpTrigger(StrEnum):
    # The first entry into an outcome step (Level 4): the support period starts that day.
    OUTCOME_STEP_ENTERED = "outcome_step_entered"
    EXIT = "exit"


@dataclass(frozen=True, slots=True, kw_only=True)
class FollowUpRule:
    """One follow-up a programme schedules: `offset` after its triggering event.

    Programme data, not code: Vägen till självförsörjning's "90 days and 1 year after exit" and
    SVS's "one year after finding a workplace" are expressed with the same two triggers.
    """

    kind: str
    trigger: FollowUpTrigger
    label_sv: str
    label_en: str
    offset_days: int = 0
    offset_months: int = 0
    # DOMAIN.md §9: contacting a person after the programme needs their consent to it.
    requires_contact_consent: bool

    def __post_init__(self) -> None:
        if not self.kind or self.offset_days < 0 or self.offset_months < 0:
            raise ValueError(f"follow-up rule {self.kind!r}: a kind and offsets >= 0 are needed")


@dataclass(frozen=True, slots=True)
class Programme:
    code: str
    name_sv: str
    name_en: str
    steps: tuple[Step, ...]
    min_age: int
    max_age: int
    # Months the mentor stays as safety net after an outcome step is entered.
    support_period_months: int | None
    goals: ProgrammeGoals
    follow_up_rules: tuple[FollowUpRule, ...] = ()

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"programme {self.code}: steps must be numbered 1..n")
        kinds = [r.kind for r in self.follow_up_rules]
        if len(set(kinds)) != len(kinds):
            raise ValueError(f"programme {self.code}: follow-up kinds must be unique")
        outcome_rules = any(
            r.trigger is FollowUpTrigger.OUTCOME_STEP_ENTERED for r in self.follow_up_rules
        )
        if outcome_rules and not any(s.requires_outcome for s in self.steps):
            raise ValueError(f"programme {self.code}: an outcome follow-up needs an outcome step")

    def follow_up_rule(self, kind: str) -> FollowUpRule | None:
        return next((r for r in self.follow_up_rules if r.kind == kind), None)

    @property
    def first_step(self) -> int:
        return self.steps[0].number

    @property
    def last_step(self) -> int:
        return self.steps[-1].number

    def step(self, number: int) -> Step:
        if not self.first_step <= number <= self.last_step:
            raise ValueError(f"programme {self.code} has no step {number}")
        return self.steps[number - 1]


_STAIRCASE = (
    Step(1, "relationship", "Level 1 – relationsskapande", "Level 1 – relationship building"),
    Step(2, "group", "Level 2 – gruppverksamhet", "Level 2 – group activity"),
    Step(3, "preparation", "Level 3 – förberedelse", "Level 3 – preparation"),
    Step(
        4,
        "work_or_studies",
        "Level 4 – arbete eller studier",
        "Level 4 – work or studies",
        requires_outcome=True,
    ),
)

# The staircase programmes' support period (DOMAIN.md §3: the mentor stays 3 months).
_STAIRCASE_SUPPORT_MONTHS = 3

SUPPORT_PERIOD_END = FollowUpRule(
    kind="support_period_end",
    trigger=FollowUpTrigger.OUTCOME_STEP_ENTERED,
    label_sv="Uppföljning när stödperioden slutar",
    label_en="Follow-up at the end of the support period",
    offset_months=_STAIRCASE_SUPPORT_MONTHS,
    # The person is still enrolled: this is case handling, not contact after the programme.
    requires_contact_consent=False,
)
AFTER_EXIT_90_DAYS = FollowUpRule(
    kind="after_exit_90_days",
    trigger=FollowUpTrigger.EXIT,
    label_sv="Uppföljning 90 dagar efter avslut",
    label_en="Follow-up 90 days after exit",
    offset_days=90,
    requires_contact_consent=True,
)
AFTER_EXIT_1_YEAR = FollowUpRule(
    kind="after_exit_1_year",
    trigger=FollowUpTrigger.EXIT,
    label_sv="Uppföljning 1 år efter avslut",
    label_en="Follow-up 1 year after exit",
    offset_months=12,
    requires_contact_consent=True,
)

LEVEL_UP = Programme(
    code="level_up",
    name_sv="Level Up",
    name_en="Level Up",
    steps=_STAIRCASE,
    min_age=16,
    max_age=29,
    support_period_months=_STAIRCASE_SUPPORT_MONTHS,
    goals=ProgrammeGoals(
        goal_reached_share=Fraction(1, 2),
        reached_preparation_share=Fraction(1, 4),
        preparation_step=3,
        target_participants=210,
        target_women=126,
        target_men=84,
    ),
    follow_up_rules=(SUPPORT_PERIOD_END,),
)

LEVEL_UPGRADE = Programme(
    code="level_upgrade",
    name_sv="Level Upgrade",
    name_en="Level Upgrade",
    steps=_STAIRCASE,
    min_age=18,
    max_age=64,
    support_period_months=_STAIRCASE_SUPPORT_MONTHS,
    # Seed 000 states qualitative goals only (all levels offered, a lead mentor per kommun).
    goals=ProgrammeGoals(preparation_step=3),
    # Issue 3: the after-exit follow-ups of Vägen till självförsörjning are on for Level Upgrade.
    follow_up_rules=(SUPPORT_PERIOD_END, AFTER_EXIT_90_DAYS, AFTER_EXIT_1_YEAR),
)

BUILT_IN_PROGRAMMES: dict[str, Programme] = {p.code: p for p in (LEVEL_UP, LEVEL_UPGRADE)}


def get_programme(code: str) -> Programme:
    try:
        return BUILT_IN_PROGRAMMES[code]
    except KeyError:
        raise UnknownCode(
            f"Programmet '{code}' finns inte.", fields={"programme": "okänt program"}
        ) from None
