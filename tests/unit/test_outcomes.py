"""Outcome rules of DOMAIN.md §8 and the arithmetic over counts."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from fractions import Fraction
from statistics import median

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.codelists import OutcomeGroup
from domain.errors import InvalidInput
from domain.outcomes import (
    Category,
    Classification,
    ExitCodeMeaning,
    ExitFacts,
    GroupBy,
    TimeBucket,
    check_period,
    classify,
    count_cell,
    count_outcomes,
    fulfilment,
    median_of_counts,
    net_effect,
    parse_group_by,
    rounded,
    share_cell,
    sum_by_legal_sex,
    summarise_item,
    time_bucket,
)
from domain.programmes import LEVEL_UP

PLAIN = ExitCodeMeaning()
WORK = ExitCodeMeaning(outcome_group=OutcomeGroup.WORK)
STUDIES = ExitCodeMeaning(outcome_group=OutcomeGroup.STUDIES)
SEEKING = ExitCodeMeaning(outcome_group=OutcomeGroup.JOB_SEEKING)
CONTINUES = ExitCodeMeaning(continues_in_regular_operations=True)
IN_ERROR = ExitCodeMeaning(excluded_from_statistics=True)


def facts(step: int, highest: int, reason: ExitCodeMeaning, status: ExitCodeMeaning) -> ExitFacts:
    return ExitFacts(date(2017, 1, 1), date(2018, 3, 1), step, highest, reason, status)


@pytest.mark.parametrize(
    ("step", "highest", "reason", "status", "cat", "reached", "ended_at_3", "goal"),
    [
        (4, 4, PLAIN, WORK, Category.EXITED, True, False, OutcomeGroup.WORK),
        (4, 4, PLAIN, STUDIES, Category.EXITED, True, False, OutcomeGroup.STUDIES),
        (4, 4, PLAIN, SEEKING, Category.EXITED, True, False, None),
        # Work status but not exited from the outcome step: not the goal.
        (3, 3, PLAIN, WORK, Category.EXITED, True, True, None),
        # Stepped back from Level 4 to 3: reached Level 3, ended at Level 3.
        (3, 4, PLAIN, SEEKING, Category.EXITED, True, True, None),
        (2, 2, PLAIN, SEEKING, Category.EXITED, False, False, None),
        (1, 1, PLAIN, WORK, Category.EXITED, False, False, None),
        (4, 4, CONTINUES, WORK, Category.CONTINUING, False, False, None),
        (2, 2, PLAIN, CONTINUES, Category.CONTINUING, False, False, None),
        (4, 4, IN_ERROR, WORK, Category.EXCLUDED, False, False, None),
        # Registered in error wins over continues.
        (2, 2, CONTINUES, IN_ERROR, Category.EXCLUDED, False, False, None),
    ],
)
def test_classify(
    step: int,
    highest: int,
    reason: ExitCodeMeaning,
    status: ExitCodeMeaning,
    cat: Category,
    reached: bool,
    ended_at_3: bool,
    goal: OutcomeGroup | None,
) -> None:
    c = classify(facts(step, highest, reason, status), LEVEL_UP)
    assert (c.category, c.reached_preparation, c.ended_at_preparation, c.goal) == (
        cat,
        reached,
        ended_at_3,
        goal,
    )


@pytest.mark.parametrize(
    ("start", "end", "bucket"),
    [
        (date(2017, 1, 15), date(2018, 1, 14), TimeBucket.UNDER_12),
        (date(2017, 1, 15), date(2018, 1, 15), TimeBucket.FROM_12_TO_17),
        (date(2017, 1, 31), date(2018, 7, 30), TimeBucket.FROM_12_TO_17),
        (date(2016, 8, 31), date(2018, 2, 28), TimeBucket.FROM_18),  # month-end clamp
        (date(2016, 8, 31), date(2018, 2, 27), TimeBucket.FROM_12_TO_17),
        (date(2017, 1, 1), date(2017, 1, 1), TimeBucket.UNDER_12),
    ],
)
def test_time_bucket_of_an_exit(start: date, end: date, bucket: TimeBucket) -> None:
    c = classify(ExitFacts(start, end, 2, 2, PLAIN, SEEKING), LEVEL_UP)
    assert c.time_bucket is bucket


@pytest.mark.parametrize(
    ("months", "bucket"),
    [
        (0, TimeBucket.UNDER_12),
        (11, TimeBucket.UNDER_12),
        (12, TimeBucket.FROM_12_TO_17),
        (17, TimeBucket.FROM_12_TO_17),
        (18, TimeBucket.FROM_18),
        (80, TimeBucket.FROM_18),
    ],
)
def test_time_bucket_boundaries(months: int, bucket: TimeBucket) -> None:
    assert time_bucket(months) is bucket


@pytest.mark.parametrize(
    ("count", "suppress", "value", "suppressed"),
    [
        (0, True, 0, False),
        (1, True, None, True),
        (4, True, None, True),
        (5, True, 5, False),
        (3, False, 3, False),
    ],
)
def test_small_cells(count: int, suppress: bool, value: int | None, suppressed: bool) -> None:
    cell = count_cell(count, suppress=suppress)
    assert (cell.value, cell.suppressed) == (value, suppressed)


@pytest.mark.parametrize(
    ("num", "den", "value", "suppressed"),
    [
        (3, 10, None, True),
        (5, 4, None, True),
        (5, 10, Decimal("0.500"), False),
        (0, 10, Decimal("0.000"), False),
        (0, 0, None, False),
        (80, 170, Decimal("0.471"), False),
    ],
)
def test_share_cell_suppressed_when_part_is(
    num: int, den: int, value: Decimal | None, suppressed: bool
) -> None:
    cell = share_cell(num, den, suppress=True)
    assert (cell.value, cell.suppressed) == (value, suppressed)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Fraction(1, 2000), Decimal("0.001")),
        (Fraction(4705, 10000), Decimal("0.471")),
        (Fraction(2, 3), Decimal("0.667")),
        (None, None),
    ],
)
def test_rounding_is_half_up(value: Fraction | None, expected: Decimal | None) -> None:
    assert rounded(value) == expected


def test_fulfilment_and_net_effect() -> None:
    assert fulfilment(Fraction(80, 170), Fraction(1, 2)) == Fraction(16, 17)
    assert fulfilment(None, Fraction(1, 2)) is None
    assert fulfilment(Fraction(1, 2), None) is None
    assert net_effect(50, 12, 100) == Fraction(38, 100)
    assert net_effect(0, 0, 0) is None


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        (["legal_sex"], (GroupBy.LEGAL_SEX,)),
        (["time_bucket", "legal_sex", "time_bucket"], (GroupBy.TIME_BUCKET, GroupBy.LEGAL_SEX)),
        ([], ()),
    ],
)
def test_group_by(values: list[str], expected: tuple[GroupBy, ...]) -> None:
    assert parse_group_by(values) == expected


@pytest.mark.parametrize("bad", [["sex"], ["legal_sex", "personnummer"], [""]])
def test_unknown_group_by_is_refused(bad: list[str]) -> None:
    with pytest.raises(InvalidInput) as e:
        parse_group_by(bad)
    assert "group_by" in e.value.fields


@pytest.mark.parametrize(
    ("start", "end", "ok"),
    [
        (date(2019, 1, 1), date(2018, 12, 31), False),
        (date(2000, 1, 1), date(2020, 1, 1), True),
        (date(2000, 1, 1), date(2020, 1, 2), False),
        (None, date(2020, 1, 1), True),
        (date(2019, 1, 1), date(2019, 1, 1), True),
    ],
)
def test_period(start: date | None, end: date | None, ok: bool) -> None:
    if ok:
        check_period(start, end)
    else:
        with pytest.raises(InvalidInput):
            check_period(start, end)


@given(st.lists(st.integers(1, 10), min_size=1, max_size=60))
def test_median_of_counts_is_the_median(scores: list[int]) -> None:
    counts: dict[int, int] = {}
    for s in scores:
        counts[s] = counts.get(s, 0) + 1
    assert median_of_counts(counts) == Fraction(median(scores)).limit_denominator(2)


@given(st.lists(st.tuples(st.integers(1, 10), st.integers(1, 10)), max_size=60))
def test_item_summary_adds_up(pairs: list[tuple[int, int]]) -> None:
    counts: dict[tuple[int, int], int] = {}
    for p in pairs:
        counts[p] = counts.get(p, 0) + 1
    s = summarise_item(counts)
    assert s.n == len(pairs) == s.improved + s.unchanged + s.worsened
    assert s.improved == sum(1 for first, latest in pairs if latest > first)
    if pairs:
        assert s.net_effect == Fraction(s.improved - s.worsened, len(pairs))
        assert -1 <= s.net_effect <= 1
    else:
        assert s.net_effect is None and s.median_first is None


# ---- the whole from the split by legal sex -------------------------------------------------

_classifications = st.builds(
    Classification,
    category=st.sampled_from(list(Category)),
    reached_preparation=st.booleans(),
    ended_at_preparation=st.booleans(),
    goal=st.sampled_from([None, OutcomeGroup.WORK, OutcomeGroup.STUDIES]),
    time_bucket=st.sampled_from([None, *TimeBucket]),
)


@given(st.lists(st.tuples(st.integers(0, 12), _classifications), max_size=40))
def test_the_split_by_legal_sex_sums_to_the_whole(rows: list[tuple[int, Classification]]) -> None:
    # A person key decides the sex (as the personnummer does); people have several enrolments.
    keyed = [(f"p{person}", c) for person, c in rows]
    by_sex = [
        count_outcomes([(p, c) for p, c in keyed if int(p[1:]) % 2 == parity]) for parity in (0, 1)
    ]
    assert sum_by_legal_sex(by_sex) == count_outcomes(keyed)
