"""The contact log and activity hours per week (issue 3, "Activities and group courses").

An activity is something that happened with or for the participant (a motivational talk, a work
trial, a group session ...), typed from the `activity_type` code list. SVS's first sub-goal is
half-time activity (DOMAIN.md §3), so hours are summed per ISO week and compared with half of a
40-hour week. No clock reads: `today` is always an argument.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_DOWN, Decimal

from domain.errors import InvalidEffectiveDate, InvalidInput

HALF_TIME_HOURS_PER_WEEK = 20  # half of a 40-hour week: SVS's first goal
MIN_DURATION_MINUTES = 1
MAX_DURATION_MINUTES = 720  # twelve hours: longer than any single activity in the programmes
MAX_PROVIDER_LENGTH = 200
MAX_NOTE_LENGTH = 1000
DEFAULT_HOURS_WEEKS = 12
MAX_HOURS_WEEKS = 104

_TENTH = Decimal("0.1")
_WEEK = timedelta(weeks=1)


@dataclass(frozen=True, slots=True)
class EnrolmentPeriod:
    """The dates an enrolment can have things happen on: from the referral to its end (exit or
    decline), or open-ended while it runs (DOMAIN.md §4 rule 7)."""

    referred_on: date
    ended_on: date | None = None


@dataclass(frozen=True, slots=True)
class Activity:
    activity_type: str  # a code already resolved against the current activity_type list
    occurred_on: date
    duration_minutes: int
    provider: str | None = None
    note: str | None = None


def check_within_enrolment(on: date, period: EnrolmentPeriod, *, field: str) -> None:
    """Something dated `on` must fall inside the enrolment: not before the referral, and not
    after an exit (only follow-ups happen after exit)."""
    if on < period.referred_on:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger före remissen ({period.referred_on.isoformat()}).",
            fields={field: "före remissdatum"},
        )
    if period.ended_on is not None and on > period.ended_on:
        raise InvalidEffectiveDate(
            f"Inskrivningen avslutades {period.ended_on.isoformat()}; efter avslut registreras "
            "bara uppföljningar.",
            fields={field: "efter avslut"},
        )


def _optional_text(value: str | None, limit: int, field: str, label: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidInput(f"{label} får vara högst {limit} tecken.", fields={field: "för lång"})
    return text


def validate_activity(activity: Activity, *, period: EnrolmentPeriod, today: date) -> Activity:
    """The activity as it may be stored (blank texts become None), or a domain error."""
    if activity.occurred_on > today:
        raise InvalidEffectiveDate(
            f"Datumet {activity.occurred_on.isoformat()} ligger i framtiden; registrera "
            "aktiviteten när den har ägt rum.",
            fields={"occurred_on": "datum i framtiden"},
        )
    check_within_enrolment(activity.occurred_on, period, field="occurred_on")
    if not MIN_DURATION_MINUTES <= activity.duration_minutes <= MAX_DURATION_MINUTES:
        raise InvalidInput(
            f"Längden ska vara mellan {MIN_DURATION_MINUTES} och {MAX_DURATION_MINUTES} minuter.",
            fields={"duration_minutes": f"{MIN_DURATION_MINUTES}–{MAX_DURATION_MINUTES} minuter"},
        )
    return Activity(
        activity_type=activity.activity_type,
        occurred_on=activity.occurred_on,
        duration_minutes=activity.duration_minutes,
        provider=_optional_text(activity.provider, MAX_PROVIDER_LENGTH, "provider", "Anordnaren"),
        note=_optional_text(activity.note, MAX_NOTE_LENGTH, "note", "Anteckningen"),
    )


# ---- hours per ISO week ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class WeekHours:
    week_start: date  # the Monday
    iso_year: int
    iso_week: int
    minutes: int
    # Rounded *down* to 0.1 h, so a week shown as 20.0 h always meets half-time.
    hours: Decimal
    meets_half_time: bool


def week_start(on: date) -> date:
    return on - timedelta(days=on.weekday())


def week_end(on: date) -> date:
    """The Sunday of `on`'s week (the calendar's last day when that week runs past it)."""
    return on + timedelta(days=min(6 - on.weekday(), (date.max - on).days))


def _hours(minutes: int) -> Decimal:
    return (Decimal(minutes) / 60).quantize(_TENTH, rounding=ROUND_DOWN)


def hours_per_week(
    items: Iterable[tuple[date, int]], *, first_week: date, last_week: date
) -> list[WeekHours]:
    """Minutes per ISO week from `first_week`'s week through `last_week`'s week, every week
    present (zero weeks too). Items outside the range are ignored; attended cohort sessions are
    items like any activity."""
    first, last = week_start(first_week), week_start(last_week)
    if last < first:
        raise InvalidInput(
            "Slutet av perioden ligger före början.", fields={"to": "före periodens början"}
        )
    minutes: dict[date, int] = {}
    for on, duration in items:
        monday = week_start(on)
        if first <= monday <= last:
            minutes[monday] = minutes.get(monday, 0) + duration
    weeks: list[WeekHours] = []
    monday = first
    while True:
        total = minutes.get(monday, 0)
        iso = monday.isocalendar()
        weeks.append(
            WeekHours(
                week_start=monday,
                iso_year=iso.year,
                iso_week=iso.week,
                minutes=total,
                hours=_hours(total),
                meets_half_time=total >= HALF_TIME_HOURS_PER_WEEK * 60,
            )
        )
        if monday == last:
            return weeks
        monday += _WEEK


def hours_range(from_on: date | None, to_on: date | None, *, today: date) -> tuple[date, date]:
    """The weeks an activity-hours query covers: by default the last 12 weeks up to today; one
    end alone means the 12 weeks starting or ending there; at most 104 weeks."""
    span = timedelta(weeks=DEFAULT_HOURS_WEEKS - 1)
    try:
        if from_on is None and to_on is None:
            to_on = today
        elif to_on is None:
            assert from_on is not None
            to_on = from_on + span
        if from_on is None:
            from_on = to_on - span
    except OverflowError:
        raise InvalidInput(
            "Perioden går utanför kalendern.", fields={"from": "ogiltigt datum"}
        ) from None
    if to_on < from_on:
        raise InvalidInput(
            "Slutdatumet ligger före startdatumet.", fields={"to": "före från-datum"}
        )
    weeks = (week_start(to_on) - week_start(from_on)).days // 7 + 1
    if weeks > MAX_HOURS_WEEKS:
        raise InvalidInput(
            f"Perioden får omfatta högst {MAX_HOURS_WEEKS} veckor.",
            fields={"to": f"högst {MAX_HOURS_WEEKS} veckor"},
        )
    return from_on, to_on
