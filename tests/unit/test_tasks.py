"""The task list's own rules: this week, and who counts as quiet."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.enrolment import EnrolmentState
from domain.tasks import QUIET_AFTER_DAYS, days_without_activity, quiet_since_by, week_of

TODAY = date(2026, 11, 23)  # a Monday
S = EnrolmentState


@pytest.mark.parametrize(
    ("today", "monday", "sunday"),
    [
        (date(2026, 11, 23), date(2026, 11, 23), date(2026, 11, 29)),  # Monday
        (date(2026, 11, 29), date(2026, 11, 23), date(2026, 11, 29)),  # Sunday
        (date(2026, 12, 31), date(2026, 12, 28), date(2027, 1, 3)),  # across the year
        (date(2024, 2, 29), date(2024, 2, 26), date(2024, 3, 3)),  # leap day
    ],
)
def test_week_of(today: date, monday: date, sunday: date) -> None:
    week = week_of(today)
    assert (week.first_day, week.last_day) == (monday, sunday)


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)))
def test_the_week_is_monday_to_sunday_and_contains_today(today: date) -> None:
    week = week_of(today)
    assert week.first_day.weekday() == 0
    assert week.last_day - week.first_day == timedelta(days=6)
    assert week.first_day <= today <= week.last_day


def ago(days: int) -> date:
    return TODAY - timedelta(days=days)


@pytest.mark.parametrize(
    ("state", "last_activity", "started", "referred", "expected"),
    [
        # The latest activity decides.
        (S.ACTIVE, ago(29), ago(400), ago(410), None),
        (S.ACTIVE, ago(30), ago(400), ago(410), 30),
        (S.ACTIVE, ago(45), ago(400), ago(410), 45),
        # No activity at all: from the start, else from the referral.
        (S.ACTIVE, None, ago(31), ago(60), 31),
        (S.ACTIVE, None, ago(10), ago(60), None),
        (S.INTAKE, None, None, ago(30), 30),
        (S.REFERRED, None, None, ago(29), None),
        # Paused, exited and declined people are never on the list.
        (S.PAUSED, ago(90), ago(400), ago(410), None),
        (S.EXITED, ago(90), ago(400), ago(410), None),
        (S.DECLINED, None, None, ago(90), None),
    ],
)
def test_who_is_quiet(
    state: EnrolmentState,
    last_activity: date | None,
    started: date | None,
    referred: date,
    expected: int | None,
) -> None:
    assert (
        days_without_activity(
            state,
            last_activity_on=last_activity,
            started_on=started,
            referred_on=referred,
            today=TODAY,
        )
        == expected
    )


@given(st.integers(min_value=0, max_value=2000), st.integers(min_value=0, max_value=2000))
def test_a_newer_activity_never_makes_someone_quieter(older: int, newer_offset: int) -> None:
    older_day = ago(older + newer_offset)
    newer_day = ago(older)
    kw = {"started_on": ago(3000), "referred_on": ago(3000), "today": TODAY}
    with_older = days_without_activity(S.ACTIVE, last_activity_on=older_day, **kw)
    with_newer = days_without_activity(S.ACTIVE, last_activity_on=newer_day, **kw)
    assert (with_newer or 0) <= (with_older or 0)
    assert (with_newer is None) == (older < QUIET_AFTER_DAYS)


@given(
    st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 1, 1)),
    st.integers(min_value=-10, max_value=400),
)
def test_the_quiet_bound_is_where_days_without_activity_starts_counting(
    today: date, days_ago: int
) -> None:
    # The task list's query filters on quiet_since_by; it must let through exactly the rows
    # days_without_activity counts.
    since = today - timedelta(days=days_ago)
    days = days_without_activity(
        S.ACTIVE, last_activity_on=since, started_on=None, referred_on=since, today=today
    )
    assert (days is not None) == (since <= quiet_since_by(today))
    assert quiet_since_by(TODAY) == ago(QUIET_AFTER_DAYS)
