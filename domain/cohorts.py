"""Cohorts: the Level 2 group activity and the Level 3 study-motivation course (DOMAIN.md §3).

Level Up runs Level 2 as an 8-week group by Studieförbundet Vuxenskolan and Level 3's course as
8 weeks at Vara folkhögskola. A cohort has a period of `weeks` weeks from `starts_on`, dated
sessions inside that period, members (enrolments, never bare people: attendance belongs to one
episode in the programme) and attendance per session and member. No clock reads.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from dataclasses import dataclass
from datetime import date, time, timedelta
from enum import StrEnum
from itertools import pairwise

from domain.activities import EnrolmentPeriod, check_within_enrolment
from domain.enrolment import TERMINAL_STATES, EnrolmentState
from domain.errors import InvalidEffectiveDate, InvalidInput, InvalidTransition

DEFAULT_WEEKS = 8
MIN_WEEKS = 1
MAX_WEEKS = 52
MIN_SESSION_MINUTES = 15
MAX_SESSION_MINUTES = 480
MAX_NAME_LENGTH = 200
MAX_PROVIDER_LENGTH = 200
MAX_SESSIONS = 400  # seven a day would still fit 52 weeks; more is a typing accident
MAX_ATTENDANCE_ENTRIES = 200


class CohortKind(StrEnum):
    LEVEL2_GROUP = "level2_group"
    LEVEL3_COURSE = "level3_course"


@dataclass(frozen=True, slots=True)
class CohortKindInfo:
    default_provider: str
    step: int  # the staircase level the cohort belongs to
    label_sv: str


COHORT_KINDS: dict[CohortKind, CohortKindInfo] = {
    CohortKind.LEVEL2_GROUP: CohortKindInfo("Studieförbundet Vuxenskolan", 2, "Gruppaktivitet"),
    CohortKind.LEVEL3_COURSE: CohortKindInfo("Vara folkhögskola", 3, "Studiemotiverande kurs"),
}


@dataclass(frozen=True, slots=True, order=True)
class PlannedSession:
    held_on: date
    start_time: time
    duration_minutes: int


@dataclass(frozen=True, slots=True)
class CohortPlan:
    kind: CohortKind
    name: str
    provider: str
    starts_on: date
    weeks: int
    sessions: tuple[PlannedSession, ...]

    @property
    def ends_before(self) -> date:
        """The first day after the period."""
        return period_end(self.starts_on, self.weeks)


def period_end(starts_on: date, weeks: int) -> date:
    try:
        return starts_on + timedelta(weeks=weeks)
    except OverflowError:
        raise InvalidInput(
            "Perioden går utanför kalendern.", fields={"starts_on": "ogiltigt datum"}
        ) from None


def _check_weeks(weeks: int) -> None:
    if not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise InvalidInput(
            f"Antalet veckor ska vara mellan {MIN_WEEKS} och {MAX_WEEKS}.",
            fields={"weeks": f"{MIN_WEEKS}–{MAX_WEEKS} veckor"},
        )


def _check_duration(minutes: int, field: str) -> None:
    if not MIN_SESSION_MINUTES <= minutes <= MAX_SESSION_MINUTES:
        raise InvalidInput(
            f"Ett tillfälle ska vara mellan {MIN_SESSION_MINUTES} och {MAX_SESSION_MINUTES} "
            "minuter.",
            fields={field: f"{MIN_SESSION_MINUTES}–{MAX_SESSION_MINUTES} minuter"},
        )


def plan_sessions(
    starts_on: date,
    weeks: int,
    weekdays: Collection[int],
    start_time: time,
    duration_minutes: int,
) -> tuple[PlannedSession, ...]:
    """Sessions on the given ISO weekdays (1 = Monday .. 7 = Sunday) of every week of the
    period, e.g. Tuesdays and Thursdays for 8 weeks gives 16 sessions."""
    _check_weeks(weeks)
    if not weekdays or any(not 1 <= d <= 7 for d in weekdays):
        raise InvalidInput(
            "Ange veckodagar som 1 (måndag) till 7 (söndag).",
            fields={"schedule.weekdays": "1–7"},
        )
    _check_duration(duration_minutes, "schedule.duration_minutes")
    end = period_end(starts_on, weeks)
    days = (starts_on + timedelta(days=n) for n in range((end - starts_on).days))
    return tuple(
        PlannedSession(day, start_time, duration_minutes)
        for day in days
        if day.isoweekday() in weekdays
    )


def _clean_text(value: str | None, limit: int, field: str, label: str) -> str | None:
    text = (value or "").strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidInput(f"{label} får vara högst {limit} tecken.", fields={field: "för lång"})
    return text


def plan_cohort(
    *,
    kind: CohortKind,
    name: str,
    provider: str | None,
    starts_on: date,
    weeks: int,
    sessions: Iterable[PlannedSession],
) -> CohortPlan:
    """A validated cohort: a name, the kind's default provider unless one is given, and at
    least one session, each inside [starts_on, starts_on + weeks) and 15..480 minutes long."""
    clean_name = _clean_text(name, MAX_NAME_LENGTH, "name", "Namnet")
    if clean_name is None:
        raise InvalidInput("Ge gruppen ett namn.", fields={"name": "namn krävs"})
    clean_provider = _clean_text(provider, MAX_PROVIDER_LENGTH, "provider", "Anordnaren")
    _check_weeks(weeks)
    end = period_end(starts_on, weeks)
    planned = sorted(sessions)
    if not planned:
        raise InvalidInput("Gruppen behöver minst ett tillfälle.", fields={"sessions": "tom"})
    if len(planned) > MAX_SESSIONS:
        raise InvalidInput(
            f"Högst {MAX_SESSIONS} tillfällen per grupp.", fields={"sessions": "för många"}
        )
    last_day = end - timedelta(days=1)
    for s in planned:
        _check_duration(s.duration_minutes, "sessions.duration_minutes")
        if not starts_on <= s.held_on < end:
            raise InvalidInput(
                f"Tillfället {s.held_on.isoformat()} ligger utanför gruppens period "
                f"({starts_on.isoformat()}–{last_day.isoformat()}).",
                fields={"sessions.held_on": "utanför perioden"},
            )
    for a, b in pairwise(planned):
        if (a.held_on, a.start_time) == (b.held_on, b.start_time):
            raise InvalidInput(
                f"Två tillfällen har samma dag och tid ({a.held_on.isoformat()} "
                f"{a.start_time.strftime('%H:%M')}).",
                fields={"sessions": "dubbletter"},
            )
    return CohortPlan(
        kind=kind,
        name=clean_name,
        provider=clean_provider or COHORT_KINDS[kind].default_provider,
        starts_on=starts_on,
        weeks=weeks,
        sessions=tuple(planned),
    )


# ---- members --------------------------------------------------------------------------------


def check_can_join(
    state: EnrolmentState, period: EnrolmentPeriod, joined_on: date, *, today: date
) -> None:
    """An enrolment may join a cohort while it is open (not exited or declined), on a date that
    is not in the future and not before its referral."""
    if state in TERMINAL_STATES:
        raise InvalidTransition(
            "Inskrivningen är avslutad; en avslutad inskrivning kan inte gå med i en grupp.",
            fields={"enrolment_id": "avslutad inskrivning"},
        )
    if joined_on > today:
        raise InvalidEffectiveDate(
            f"Datumet {joined_on.isoformat()} ligger i framtiden.",
            fields={"joined_on": "datum i framtiden"},
        )
    check_within_enrolment(joined_on, period, field="joined_on")


# ---- attendance -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class AttendanceMark:
    enrolment_id: int
    attended: bool


def check_attendance_batch(
    marks: Sequence[AttendanceMark],
    *,
    held_on: date,
    member_ids: Collection[int],
    today: date,
) -> None:
    """The batch is all or nothing: a session in the future, a repeated enrolment or any
    enrolment that is not a member of the cohort rejects every entry."""
    if held_on > today:
        raise InvalidEffectiveDate(
            f"Tillfället {held_on.isoformat()} har inte ägt rum än; närvaro registreras efteråt.",
            fields={"session_id": "tillfälle i framtiden"},
        )
    if not 1 <= len(marks) <= MAX_ATTENDANCE_ENTRIES:
        raise InvalidInput(
            f"Ange mellan 1 och {MAX_ATTENDANCE_ENTRIES} rader.", fields={"entries": "antal"}
        )
    seen: set[int] = set()
    for i, mark in enumerate(marks):
        if mark.enrolment_id in seen:
            raise InvalidInput(
                "Samma inskrivning förekommer två gånger.",
                fields={f"entries.{i}.enrolment_id": "dubblett"},
            )
        seen.add(mark.enrolment_id)
    outsiders = [i for i, mark in enumerate(marks) if mark.enrolment_id not in member_ids]
    if outsiders:
        raise InvalidInput(
            "Närvaro kan bara registreras för gruppens deltagare; inget registrerades.",
            fields={f"entries.{i}.enrolment_id": "inte med i gruppen" for i in outsiders},
        )


def check_attendance_dates(
    marks: Sequence[AttendanceMark], *, held_on: date, periods: dict[int, EnrolmentPeriod]
) -> None:
    """Per member: the session must fall inside the member's enrolment (nothing after exit)."""
    for i, mark in enumerate(marks):
        check_within_enrolment(held_on, periods[mark.enrolment_id], field=f"entries.{i}")
