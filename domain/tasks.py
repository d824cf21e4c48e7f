"""The mentor's task list rules: which week is "this week" and who has gone quiet.

The lists themselves (due assessments, due follow-ups) come from their own areas; what is
decided here is only what the task list adds on top.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from domain.enrolment import EnrolmentState

# A participant with no recorded activity for this many days needs the mentor's attention.
QUIET_AFTER_DAYS = 30

# Paused people are quiet for a reason (sick or parental leave); closed enrolments are done.
STATES_EXPECTING_ACTIVITY = frozenset(
    {EnrolmentState.REFERRED, EnrolmentState.INTAKE, EnrolmentState.ACTIVE}
)


@dataclass(frozen=True, slots=True)
class Week:
    first_day: date  # Monday
    last_day: date  # Sunday


def week_of(today: date) -> Week:
    """The ISO week (Monday–Sunday) that contains `today`, as Swedish calendars show it."""
    monday = today - timedelta(days=today.weekday())
    return Week(monday, monday + timedelta(days=6))


def quiet_since_by(today: date) -> date:
    """The latest sign-of-life date that still counts as quiet on `today` (what
    `days_without_activity` decides, as a bound a query can filter on)."""
    return today - timedelta(days=QUIET_AFTER_DAYS)


def days_without_activity(
    state: EnrolmentState,
    *,
    last_activity_on: date | None,
    started_on: date | None,
    referred_on: date,
    today: date,
) -> int | None:
    """Days since the last sign of life when the participant counts as quiet, else None.

    Without any recorded activity the clock runs from the start (or the referral): someone
    referred two months ago whom nobody has met is exactly who the list is for.
    """
    if state not in STATES_EXPECTING_ACTIVITY:
        return None
    since = last_activity_on or started_on or referred_on
    return (today - since).days if since <= quiet_since_by(today) else None
