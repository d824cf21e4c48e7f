"""Contact-log rules and activity hours per ISO week (domain only, no database)."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from itertools import pairwise

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activities import (
    HALF_TIME_HOURS_PER_WEEK,
    MAX_HOURS_WEEKS,
    Activity,
    EnrolmentPeriod,
    check_within_enrolment,
    hours_per_week,
    hours_range,
    validate_activity,
    week_end,
    week_start,
)
from domain.errors import DomainError, InvalidEffectiveDate, InvalidInput

TODAY = date(2026, 11, 25)  # a Wednesday
REFERRED = date(2026, 6, 1)


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


def activity(**overrides: object) -> Activity:
    values: dict[str, object] = {
        "activity_type": "motivational_talk",
        "occurred_on": ago(3),
        "duration_minutes": 60,
        "provider": None,
        "note": None,
    }
    values.update(overrides)
    return Activity(**values)  # type: ignore[arg-type]


# ---- recording an activity -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occurred_on", "duration", "ended_on", "error", "field"),
    [
        (ago(3), 60, None, None, None),
        (TODAY, 1, None, None, None),  # today and the shortest allowed
        (REFERRED, 720, None, None, None),  # the referral day and the longest allowed
        (ago(10), 60, ago(10), None, None),  # on the exit day itself
        (TODAY + timedelta(days=1), 60, None, InvalidEffectiveDate, "occurred_on"),
        (REFERRED - timedelta(days=1), 60, None, InvalidEffectiveDate, "occurred_on"),
        (ago(9), 60, ago(10), InvalidEffectiveDate, "occurred_on"),  # after the exit
        (ago(3), 0, None, InvalidInput, "duration_minutes"),
        (ago(3), 721, None, InvalidInput, "duration_minutes"),
        (ago(3), -5, None, InvalidInput, "duration_minutes"),
    ],
)
def test_activity_rules(
    occurred_on: date,
    duration: int,
    ended_on: date | None,
    error: type[DomainError] | None,
    field: str | None,
) -> None:
    period = EnrolmentPeriod(REFERRED, ended_on)
    candidate = activity(occurred_on=occurred_on, duration_minutes=duration)
    if error is None:
        assert validate_activity(candidate, period=period, today=TODAY) == candidate
        return
    with pytest.raises(error) as caught:
        validate_activity(candidate, period=period, today=TODAY)
    assert field in caught.value.fields
    assert caught.value.detail  # a Swedish sentence a person can act on


@pytest.mark.parametrize(
    ("provider", "note", "expected_provider", "expected_note", "bad_field"),
    [
        ("  Vara folkhögskola ", " Bra samtal ", "Vara folkhögskola", "Bra samtal", None),
        ("   ", "", None, None, None),  # blank texts are absent, not empty strings
        ("x" * 200, "y" * 1000, "x" * 200, "y" * 1000, None),
        ("x" * 201, None, None, None, "provider"),
        (None, "y" * 1001, None, None, "note"),
    ],
)
def test_provider_and_note(
    provider: str | None,
    note: str | None,
    expected_provider: str | None,
    expected_note: str | None,
    bad_field: str | None,
) -> None:
    period = EnrolmentPeriod(REFERRED)
    candidate = activity(provider=provider, note=note)
    if bad_field:
        with pytest.raises(InvalidInput) as caught:
            validate_activity(candidate, period=period, today=TODAY)
        assert bad_field in caught.value.fields
        return
    stored = validate_activity(candidate, period=period, today=TODAY)
    assert (stored.provider, stored.note) == (expected_provider, expected_note)


@pytest.mark.parametrize(
    ("on", "ended_on", "reason"),
    [
        (REFERRED - timedelta(days=1), None, "före remissdatum"),
        (date(2026, 9, 2), date(2026, 9, 1), "efter avslut"),
    ],
)
def test_outside_the_enrolment(on: date, ended_on: date | None, reason: str) -> None:
    with pytest.raises(InvalidEffectiveDate) as caught:
        check_within_enrolment(on, EnrolmentPeriod(REFERRED, ended_on), field="held_on")
    assert caught.value.fields == {"held_on": reason}


# ---- hours per week --------------------------------------------------------------------------


def test_every_week_is_present_and_summed() -> None:
    # Monday 2026-11-09 .. Sunday 2026-11-29: three weeks, the middle one empty.
    items = [
        (date(2026, 11, 9), 600),  # Monday
        (date(2026, 11, 15), 600),  # Sunday of the same week
        (date(2026, 11, 23), 90),
        (date(2026, 11, 8), 999),  # the Sunday before: outside
        (date(2026, 11, 30), 999),  # the Monday after: outside
    ]
    weeks = hours_per_week(items, first_week=date(2026, 11, 12), last_week=date(2026, 11, 29))
    assert [(w.week_start, w.iso_week, w.minutes, w.hours, w.meets_half_time) for w in weeks] == [
        (date(2026, 11, 9), 46, 1200, Decimal("20.0"), True),
        (date(2026, 11, 16), 47, 0, Decimal("0.0"), False),
        (date(2026, 11, 23), 48, 90, Decimal("1.5"), False),
    ]


@pytest.mark.parametrize(
    ("minutes", "hours", "meets"),
    [
        (0, Decimal("0.0"), False),
        (1, Decimal("0.0"), False),
        (5, Decimal("0.0"), False),
        (6, Decimal("0.1"), False),
        (61, Decimal("1.0"), False),
        (1199, Decimal("19.9"), False),  # 19.98 h: rounded down, so never shown as 20.0
        (1200, Decimal("20.0"), True),
        (2400, Decimal("40.0"), True),
    ],
)
def test_rounding_and_the_half_time_line(minutes: int, hours: Decimal, meets: bool) -> None:
    monday = date(2026, 11, 23)
    [week] = hours_per_week([(monday, minutes)], first_week=monday, last_week=monday)
    assert (week.hours, week.meets_half_time) == (hours, meets)


def test_iso_weeks_across_the_year_end() -> None:
    weeks = hours_per_week([], first_week=date(2026, 12, 24), last_week=date(2027, 1, 5))
    assert [(w.week_start, w.iso_year, w.iso_week) for w in weeks] == [
        (date(2026, 12, 21), 2026, 52),
        (date(2026, 12, 28), 2026, 53),  # 2026 has 53 ISO weeks
        (date(2027, 1, 4), 2027, 1),
    ]


def test_last_week_before_first_is_refused() -> None:
    with pytest.raises(InvalidInput):
        hours_per_week([], first_week=date(2026, 11, 30), last_week=date(2026, 11, 29))


ITEM = st.tuples(
    st.dates(min_value=date(2025, 1, 1), max_value=date(2027, 12, 31)), st.integers(1, 720)
)


@given(
    items=st.lists(ITEM, max_size=60),
    first=st.dates(min_value=date(2025, 6, 1), max_value=date(2026, 6, 1)),
    span_days=st.integers(0, 400),
)
def test_hours_per_week_properties(
    items: list[tuple[date, int]], first: date, span_days: int
) -> None:
    last = first + timedelta(days=span_days)
    weeks = hours_per_week(items, first_week=first, last_week=last)
    # Every week from first's Monday to last's Monday, consecutive, each a Monday.
    assert weeks[0].week_start == week_start(first)
    assert weeks[-1].week_start == week_start(last)
    assert all(b.week_start - a.week_start == timedelta(weeks=1) for a, b in pairwise(weeks))
    assert all(w.week_start.isoweekday() == 1 for w in weeks)
    # Nothing in range is lost and nothing outside is counted.
    inside = [m for on, m in items if week_start(first) <= on <= week_end(last)]
    assert sum(w.minutes for w in weeks) == sum(inside)
    for w in weeks:
        # Rounded down to a tenth: never over, under by less than six minutes.
        assert w.hours * 60 <= w.minutes < w.hours * 60 + 6
        assert w.meets_half_time == (w.hours >= HALF_TIME_HOURS_PER_WEEK)
        assert (w.iso_year, w.iso_week) == tuple(w.week_start.isocalendar())[:2]


# ---- the range an hours query covers -----------------------------------------------------------


@pytest.mark.parametrize(
    ("from_on", "to_on", "expected"),
    [
        # Default: the last 12 weeks up to today (this week included).
        (None, None, (TODAY - timedelta(weeks=11), TODAY)),
        (date(2026, 1, 1), None, (date(2026, 1, 1), date(2026, 1, 1) + timedelta(weeks=11))),
        (None, date(2026, 3, 1), (date(2026, 3, 1) - timedelta(weeks=11), date(2026, 3, 1))),
        (date(2026, 3, 1), date(2026, 3, 1), (date(2026, 3, 1), date(2026, 3, 1))),
        # 104 ISO weeks exactly: Monday 2024-12-30 .. Sunday 2026-12-27.
        (date(2024, 12, 30), date(2026, 12, 27), (date(2024, 12, 30), date(2026, 12, 27))),
    ],
)
def test_hours_range(from_on: date | None, to_on: date | None, expected: tuple[date, date]) -> None:
    first, last = hours_range(from_on, to_on, today=TODAY)
    assert (first, last) == expected
    assert len(hours_per_week([], first_week=first, last_week=last)) <= MAX_HOURS_WEEKS


def test_the_longest_range_is_exactly_104_weeks() -> None:
    first, last = hours_range(date(2024, 12, 30), date(2026, 12, 27), today=TODAY)
    assert len(hours_per_week([], first_week=first, last_week=last)) == MAX_HOURS_WEEKS


@pytest.mark.parametrize(
    ("from_on", "to_on", "field"),
    [
        (date(2026, 3, 2), date(2026, 3, 1), "to"),  # to before from
        (date(2024, 12, 30), date(2026, 12, 28), "to"),  # 105 weeks
        (None, date.min, "from"),  # 12 weeks before the calendar's first day
        (date.max, None, "from"),
    ],
)
def test_hours_range_refusals(from_on: date | None, to_on: date | None, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        hours_range(from_on, to_on, today=TODAY)
    assert field in caught.value.fields


def test_the_calendar_edges_do_not_overflow() -> None:
    weeks = hours_per_week([], first_week=date.max, last_week=date.max)
    assert len(weeks) == 1 and week_end(date.max) == date.max
    assert week_start(date.min) == date.min  # 0001-01-01 is a Monday
