"""Outcome indicators as the Level Up final report counts them (DOMAIN.md §7–8).

Two halves, both pure:
- classifying ONE enrolment's facts (does it count, is it continuing or excluded, did it reach
  the preparation step, was the goal reached, which time bucket). The database computes the same
  classification with aggregate SQL; these functions are the reference it is tested against.
- the arithmetic over counts: shares, goal fulfilment against `Programme.goals`, net effect, and
  small-cell suppression for association staff and evaluators.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import astuple, dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

from domain.codelists import OutcomeGroup
from domain.enrolment import add_months, whole_months_between
from domain.errors import InvalidInput
from domain.programmes import Programme

# Cells with fewer people than this are not shown to association staff or evaluators.
SUPPRESSION_THRESHOLD = 5
# A longer exit period is almost certainly a typing error (the programmes began in 2015).
MAX_PERIOD_YEARS = 20
SHARE_DECIMALS = 3

GOAL_GROUPS = frozenset({OutcomeGroup.WORK, OutcomeGroup.STUDIES})


class Category(StrEnum):
    """What one exited enrolment is in the statistics."""

    EXITED = "exited"
    # Exit coded "continues in regular operations": counted as ongoing, reported separately.
    CONTINUING = "continuing"
    # Exit coded "registered in error": removed from every figure.
    EXCLUDED = "excluded"


class TimeBucket(StrEnum):
    UNDER_12 = "under_12"
    FROM_12_TO_17 = "12_to_17"
    FROM_18 = "18_or_more"


class GroupBy(StrEnum):
    LEGAL_SEX = "legal_sex"
    MUNICIPALITY = "municipality"
    REFERRER_TYPE = "referrer_type"
    TIME_BUCKET = "time_bucket"


@dataclass(frozen=True, slots=True)
class ExitCodeMeaning:
    """The statistics flags of one exit code (exit reason or status at exit)."""

    continues_in_regular_operations: bool = False
    excluded_from_statistics: bool = False
    outcome_group: OutcomeGroup | None = None


@dataclass(frozen=True, slots=True)
class ExitFacts:
    """The facts of one exited enrolment that the indicators use."""

    started_on: date | None
    ended_on: date
    exit_step: int | None
    highest_step: int | None
    reason: ExitCodeMeaning
    status: ExitCodeMeaning


@dataclass(frozen=True, slots=True)
class Classification:
    category: Category
    reached_preparation: bool
    ended_at_preparation: bool
    # work or studies when the goal was reached, else None
    goal: OutcomeGroup | None
    time_bucket: TimeBucket | None


def category(reason: ExitCodeMeaning, status: ExitCodeMeaning) -> Category:
    """A flag on either code decides; "registered in error" wins over "continues"."""
    if reason.excluded_from_statistics or status.excluded_from_statistics:
        return Category.EXCLUDED
    if reason.continues_in_regular_operations or status.continues_in_regular_operations:
        return Category.CONTINUING
    return Category.EXITED


def time_bucket(months: int) -> TimeBucket:
    if months < 12:
        return TimeBucket.UNDER_12
    if months < 18:
        return TimeBucket.FROM_12_TO_17
    return TimeBucket.FROM_18


def outcome_steps(programme: Programme) -> frozenset[int]:
    return frozenset(s.number for s in programme.steps if s.requires_outcome)


def preparation_step(programme: Programme) -> int | None:
    return programme.goals.preparation_step


def classify(facts: ExitFacts, programme: Programme) -> Classification:
    """Classify one exited enrolment (DOMAIN.md §8)."""
    cat = category(facts.reason, facts.status)
    months = (
        whole_months_between(facts.started_on, facts.ended_on)
        if facts.started_on is not None and facts.started_on <= facts.ended_on
        else None
    )
    bucket = time_bucket(months) if months is not None else None
    if cat is not Category.EXITED:
        return Classification(cat, False, False, None, bucket)
    prep = preparation_step(programme)
    reached = prep is not None and facts.highest_step is not None and facts.highest_step >= prep
    ended_at = prep is not None and facts.exit_step == prep
    group = facts.status.outcome_group
    goal = group if facts.exit_step in outcome_steps(programme) and group in GOAL_GROUPS else None
    return Classification(cat, reached, ended_at, goal, bucket)


# --- filters ----------------------------------------------------------------------------------


def parse_group_by(values: list[str] | tuple[str, ...]) -> tuple[GroupBy, ...]:
    """Known groupings in the order given, without repeats; unknown ones are refused."""
    unknown = [v for v in values if v not in GroupBy.__members__.values()]
    if unknown:
        allowed = ", ".join(g.value for g in GroupBy)
        raise InvalidInput(
            f"Okänd gruppering: {', '.join(sorted(set(unknown)))[:200]}. Tillåtna: {allowed}.",
            fields={"group_by": "okänd gruppering"},
        )
    ordered: list[GroupBy] = []
    for v in values:
        g = GroupBy(v)
        if g not in ordered:
            ordered.append(g)
    return tuple(ordered)


def check_period(exit_from: date | None, exit_to: date | None) -> None:
    if exit_from is not None and exit_to is not None:
        if exit_to < exit_from:
            raise InvalidInput(
                "Periodens slutdatum ligger före startdatum.",
                fields={"exit_to": "före exit_from"},
            )
        if exit_to > add_months(exit_from, MAX_PERIOD_YEARS * 12):
            raise InvalidInput(
                f"Perioden får vara högst {MAX_PERIOD_YEARS} år.",
                fields={"exit_to": f"högst {MAX_PERIOD_YEARS} år efter exit_from"},
            )


# --- arithmetic over counts --------------------------------------------------------------------


def share(numerator: int, denominator: int) -> Fraction | None:
    """An exact share; None when there is nothing to divide by."""
    if denominator <= 0:
        return None
    return Fraction(numerator, denominator)


def rounded(value: Fraction | None, places: int = SHARE_DECIMALS) -> Decimal | None:
    """Half up, as people round percentages (0.4705 -> 0.471), not banker's rounding."""
    if value is None:
        return None
    exact = Decimal(value.numerator) / Decimal(value.denominator)
    return exact.quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP)


def fulfilment(figure: Fraction | None, target: Fraction | None) -> Fraction | None:
    """Goal fulfilment = figure ÷ programme target (1 means the target was met exactly)."""
    if figure is None or target is None or target == 0:
        return None
    return figure / target


def net_effect(improved: int, worsened: int, n: int) -> Fraction | None:
    """Share improved − share worsened (DOMAIN.md §7)."""
    if n <= 0:
        return None
    return Fraction(improved - worsened, n)


def is_small_cell(count: int) -> bool:
    """1–4 people identify too few; 0 is shown (it discloses nobody)."""
    return 0 < count < SUPPRESSION_THRESHOLD


@dataclass(frozen=True, slots=True)
class Cell:
    """A count as shown: `value` is None exactly when `suppressed` (never a made-up zero)."""

    value: int | None
    suppressed: bool


@dataclass(frozen=True, slots=True)
class ShareCell:
    value: Decimal | None
    suppressed: bool


def count_cell(count: int, *, suppress: bool) -> Cell:
    if suppress and is_small_cell(count):
        return Cell(None, True)
    return Cell(count, False)


def share_cell(numerator: int, denominator: int, *, suppress: bool) -> ShareCell:
    """A share is suppressed when its numerator or its denominator would be."""
    if suppress and (is_small_cell(numerator) or is_small_cell(denominator)):
        return ShareCell(None, True)
    return ShareCell(rounded(share(numerator, denominator)), False)


def complementary_suppression(counts: Sequence[int], hidden: Sequence[bool]) -> list[bool]:
    """Secondary suppression for one margin: parts that add up to a total that is shown.

    If exactly one part is hidden, the total minus the shown parts gives it back, so the
    smallest other non-zero part is hidden too. (Zero parts disclose nobody and are never
    chosen; if every other part is zero, the hidden part is the total, which the total row's
    own suppression covers.)"""
    out = list(hidden)
    if sum(out) == 1:
        candidates = [(c, i) for i, c in enumerate(counts) if not out[i] and c > 0]
        if candidates:
            out[min(candidates)[1]] = True
    return out


# Count measures of OutcomeCounts, and the sums among them that a reader could subtract.
COUNT_MEASURES = (
    "persons",
    "enrolments",
    "exited",
    "continuing",
    "excluded",
    "reached_preparation",
    "ended_at_preparation",
    "goal_reached",
    "goal_work",
    "goal_studies",
)
_WITHIN_GROUP_MARGINS = (("goal_work", "goal_studies"), ("exited", "continuing"))


def suppressed_measures(groups: Sequence[OutcomeCounts]) -> list[frozenset[str]]:
    """Which measures to hide in each group of a table whose groups add up to a total row:
    primary suppression (1–4 people) plus complementary suppression along every margin, the
    column across groups and the sums within a group (work + studies = goal reached,
    exited + continuing = enrolments), repeated until no margin has a lone hidden cell."""
    hidden = [{m for m in COUNT_MEASURES if is_small_cell(int(getattr(g, m)))} for g in groups]
    changed = True
    while changed:
        changed = False
        margins: list[list[tuple[int, str]]] = [
            [(i, m) for i in range(len(groups))] for m in COUNT_MEASURES
        ]
        margins += [
            [(i, m) for m in pair] for i in range(len(groups)) for pair in _WITHIN_GROUP_MARGINS
        ]
        for margin in margins:
            counts = [int(getattr(groups[i], m)) for i, m in margin]
            before = [m in hidden[i] for i, m in margin]
            after = complementary_suppression(counts, before)
            for (i, m), was, now in zip(margin, before, after, strict=True):
                if now and not was:
                    hidden[i].add(m)
                    changed = True
    return [frozenset(h) for h in hidden]


# --- the reference aggregation ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OutcomeCounts:
    persons: int = 0
    enrolments: int = 0
    exited: int = 0
    continuing: int = 0
    excluded: int = 0
    reached_preparation: int = 0
    ended_at_preparation: int = 0
    goal_work: int = 0
    goal_studies: int = 0

    @property
    def goal_reached(self) -> int:
        return self.goal_work + self.goal_studies


def sum_by_legal_sex(by_sex: Iterable[OutcomeCounts]) -> OutcomeCounts:
    """The whole from its split by legal sex. Only that split may be summed: legal sex is a
    function of the personnummer, so no person is in two of its groups and distinct persons
    add up (a person can be in two municipalities' groups, so those may not be summed)."""
    total = OutcomeCounts()
    for c in by_sex:
        total = OutcomeCounts(*(a + b for a, b in zip(astuple(total), astuple(c), strict=True)))
    return total


def count_outcomes(
    rows: list[tuple[str, Classification]],
) -> OutcomeCounts:
    """Reference counts over (person key, classification) pairs; persons are distinct keys
    among the enrolments that count (exited or continuing)."""
    counted = [(p, c) for p, c in rows if c.category is not Category.EXCLUDED]
    exited = [c for _, c in counted if c.category is Category.EXITED]
    return OutcomeCounts(
        persons=len({p for p, _ in counted}),
        enrolments=len(counted),
        exited=len(exited),
        continuing=sum(1 for _, c in counted if c.category is Category.CONTINUING),
        excluded=len(rows) - len(counted),
        reached_preparation=sum(1 for c in exited if c.reached_preparation),
        ended_at_preparation=sum(1 for c in exited if c.ended_at_preparation),
        goal_work=sum(1 for c in exited if c.goal is OutcomeGroup.WORK),
        goal_studies=sum(1 for c in exited if c.goal is OutcomeGroup.STUDIES),
    )


@dataclass(frozen=True, slots=True)
class ItemSummary:
    n: int
    improved: int
    unchanged: int
    worsened: int
    median_first: Fraction | None
    median_latest: Fraction | None

    @property
    def net_effect(self) -> Fraction | None:
        return net_effect(self.improved, self.worsened, self.n)


def median_of_counts(counts: Mapping[int, int]) -> Fraction | None:
    """Median of a score distribution given as {score: how many}; the mean of the two middle
    values when the total is even (ordinal data: never a mean of all values)."""
    total = sum(counts.values())
    if total == 0:
        return None
    ordered = sorted((s, c) for s, c in counts.items() if c > 0)

    def nth(k: int) -> int:  # 0-based
        seen = 0
        for score, c in ordered:
            seen += c
            if k < seen:
                return score
        raise AssertionError("unreachable")

    if total % 2:
        return Fraction(nth(total // 2))
    return Fraction(nth(total // 2 - 1) + nth(total // 2), 2)


def summarise_item(pairs: Mapping[tuple[int, int], int]) -> ItemSummary:
    """From counts per (first, latest) score pair of one item to its cohort figures."""
    firsts: dict[int, int] = {}
    latests: dict[int, int] = {}
    improved = unchanged = worsened = 0
    for (first, latest), c in pairs.items():
        firsts[first] = firsts.get(first, 0) + c
        latests[latest] = latests.get(latest, 0) + c
        if latest > first:
            improved += c
        elif latest < first:
            worsened += c
        else:
            unchanged += c
    return ItemSummary(
        n=improved + unchanged + worsened,
        improved=improved,
        unchanged=unchanged,
        worsened=worsened,
        median_first=median_of_counts(firsts),
        median_latest=median_of_counts(latests),
    )
