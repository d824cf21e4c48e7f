"""Programmes as data: an ordered list of steps, entry rules, support period and goals.

The state machine works on any `Programme`; nothing may assume four steps. Level Up and Level
Upgrade are built in (DOMAIN.md §3); more programmes are added as data, not code.
"""

from __future__ import annotations

from dataclasses import dataclass
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

    def __post_init__(self) -> None:
        numbers = [s.number for s in self.steps]
        if not numbers or numbers != list(range(1, len(numbers) + 1)):
            raise ValueError(f"programme {self.code}: steps must be numbered 1..n")

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

LEVEL_UP = Programme(
    code="level_up",
    name_sv="Level Up",
    name_en="Level Up",
    steps=_STAIRCASE,
    min_age=16,
    max_age=29,
    support_period_months=3,
    goals=ProgrammeGoals(
        goal_reached_share=Fraction(1, 2),
        reached_preparation_share=Fraction(1, 4),
        preparation_step=3,
        target_participants=210,
        target_women=126,
        target_men=84,
    ),
)

LEVEL_UPGRADE = Programme(
    code="level_upgrade",
    name_sv="Level Upgrade",
    name_en="Level Upgrade",
    steps=_STAIRCASE,
    min_age=18,
    max_age=64,
    support_period_months=3,
    # Seed 000 states qualitative goals only (all levels offered, a lead mentor per kommun).
    goals=ProgrammeGoals(preparation_step=3),
)

BUILT_IN_PROGRAMMES: dict[str, Programme] = {p.code: p for p in (LEVEL_UP, LEVEL_UPGRADE)}


def get_programme(code: str) -> Programme:
    try:
        return BUILT_IN_PROGRAMMES[code]
    except KeyError:
        raise UnknownCode(
            f"Programmet '{code}' finns inte.", fields={"programme": "okänt program"}
        ) from None
