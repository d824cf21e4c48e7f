"""Cohort rules: planning sessions, the period, members and attendance (domain only)."""

from __future__ import annotations

from datetime import date, time, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.activities import EnrolmentPeriod
from domain.cohorts import (
    COHORT_KINDS,
    DEFAULT_WEEKS,
    AttendanceMark,
    CohortKind,
    CohortPlan,
    PlannedSession,
    check_attendance_batch,
    check_attendance_dates,
    check_can_join,
    plan_cohort,
    plan_sessions,
)
from domain.enrolment import EnrolmentState
from domain.errors import DomainError, InvalidEffectiveDate, InvalidInput, InvalidTransition

TODAY = date(2026, 11, 25)  # a Wednesday
START = date(2026, 9, 1)  # a Tuesday
NINE = time(9, 0)


def session(on: date, at: time = NINE, minutes: int = 120) -> PlannedSession:
    return PlannedSession(on, at, minutes)


def plan(**overrides: object) -> CohortPlan:
    values: dict[str, object] = {
        "kind": CohortKind.LEVEL2_GROUP,
        "name": "Grupp hösten 2026",
        "provider": None,
        "starts_on": START,
        "weeks": DEFAULT_WEEKS,
        "sessions": [session(START)],
    }
    values.update(overrides)
    return plan_cohort(**values)  # type: ignore[arg-type]


# ---- kinds and defaults ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "provider", "step"),
    [
        (CohortKind.LEVEL2_GROUP, "Studieförbundet Vuxenskolan", 2),
        (CohortKind.LEVEL3_COURSE, "Vara folkhögskola", 3),
    ],
)
def test_each_kind_has_its_default_provider_and_step(
    kind: CohortKind, provider: str, step: int
) -> None:
    assert (COHORT_KINDS[kind].default_provider, COHORT_KINDS[kind].step) == (provider, step)
    made = plan_cohort(
        kind=kind, name="Kurs", provider=None, starts_on=START, weeks=8, sessions=[session(START)]
    )
    assert made.provider == provider
    assert made.weeks == DEFAULT_WEEKS


def test_a_given_provider_wins_over_the_default() -> None:
    made = plan(provider="  ABF Skaraborg ")
    assert made.provider == "ABF Skaraborg"


# ---- planning sessions -----------------------------------------------------------------------


def test_two_sessions_a_week_for_eight_weeks() -> None:
    # Tuesdays and Thursdays from Tuesday 1 September: 16 sessions, the last on 22 October.
    sessions = plan_sessions(START, 8, {2, 4}, time(9, 30), 180)
    assert len(sessions) == 16
    assert sessions[0] == PlannedSession(date(2026, 9, 1), time(9, 30), 180)
    assert sessions[1].held_on == date(2026, 9, 3)
    assert sessions[-1].held_on == date(2026, 10, 22)
    assert {s.held_on.isoweekday() for s in sessions} == {2, 4}


def test_a_period_starting_mid_week_still_has_one_of_each_weekday_per_week() -> None:
    # Starts on a Thursday: the first Monday session is the following Monday.
    sessions = plan_sessions(date(2026, 9, 3), 2, {1}, NINE, 60)
    assert [s.held_on for s in sessions] == [date(2026, 9, 7), date(2026, 9, 14)]


@pytest.mark.parametrize(
    ("weeks", "weekdays", "minutes", "field"),
    [
        (0, {1}, 60, "weeks"),
        (53, {1}, 60, "weeks"),
        (8, set(), 60, "schedule.weekdays"),
        (8, {0}, 60, "schedule.weekdays"),
        (8, {8}, 60, "schedule.weekdays"),
        (8, {1}, 14, "schedule.duration_minutes"),
        (8, {1}, 481, "schedule.duration_minutes"),
    ],
)
def test_schedule_refusals(weeks: int, weekdays: set[int], minutes: int, field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        plan_sessions(START, weeks, weekdays, NINE, minutes)
    assert field in caught.value.fields


@given(
    starts_on=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 1, 1)),
    weeks=st.integers(1, 52),
    weekdays=st.sets(st.integers(1, 7), min_size=1),
    minutes=st.integers(15, 480),
)
def test_planned_sessions_fill_the_period(
    starts_on: date, weeks: int, weekdays: set[int], minutes: int
) -> None:
    sessions = plan_sessions(starts_on, weeks, weekdays, NINE, minutes)
    end = starts_on + timedelta(weeks=weeks)
    # Every 7-day stretch contains each weekday exactly once.
    assert len(sessions) == weeks * len(weekdays)
    assert all(starts_on <= s.held_on < end for s in sessions)
    assert all(s.held_on.isoweekday() in weekdays for s in sessions)
    assert [s.held_on for s in sessions] == sorted({s.held_on for s in sessions})
    # Whatever the schedule plans, the cohort accepts.
    made = plan_cohort(
        kind=CohortKind.LEVEL3_COURSE,
        name="Kurs",
        provider=None,
        starts_on=starts_on,
        weeks=weeks,
        sessions=sessions,
    )
    assert made.sessions == sessions
    assert made.ends_before == end


# ---- the cohort and its period ---------------------------------------------------------------

LAST_DAY = START + timedelta(weeks=8) - timedelta(days=1)


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({"sessions": [session(START), session(LAST_DAY)]}, None, None),
        ({"weeks": 0}, InvalidInput, "weeks"),
        ({"weeks": 53}, InvalidInput, "weeks"),
        ({"sessions": [session(START - timedelta(days=1))]}, InvalidInput, "sessions.held_on"),
        ({"sessions": [session(LAST_DAY + timedelta(days=1))]}, InvalidInput, "sessions.held_on"),
        ({"weeks": 1, "sessions": [session(START + timedelta(days=7))]}, InvalidInput, None),
        ({"sessions": [session(START, minutes=14)]}, InvalidInput, "sessions.duration_minutes"),
        ({"sessions": [session(START, minutes=481)]}, InvalidInput, "sessions.duration_minutes"),
        ({"sessions": [session(START), session(START)]}, InvalidInput, "sessions"),
        ({"sessions": []}, InvalidInput, "sessions"),
        ({"name": "   "}, InvalidInput, "name"),
        ({"name": "x" * 201}, InvalidInput, "name"),
        ({"provider": "x" * 201}, InvalidInput, "provider"),
        ({"starts_on": date.max}, InvalidInput, "starts_on"),  # the period runs off the calendar
    ],
)
def test_cohort_rules(
    overrides: dict[str, object], error: type[DomainError] | None, field: str | None
) -> None:
    if error is None:
        made = plan(**overrides)
        assert made.sessions == tuple(overrides["sessions"])  # type: ignore[arg-type]
        return
    with pytest.raises(error) as caught:
        plan(**overrides)
    if field:
        assert field in caught.value.fields


def test_two_sessions_on_one_day_at_different_times_are_fine() -> None:
    made = plan(sessions=[session(START, time(13, 0)), session(START, time(9, 0))])
    assert [s.start_time for s in made.sessions] == [time(9, 0), time(13, 0)]


# ---- members ---------------------------------------------------------------------------------

S = EnrolmentState
OPEN = EnrolmentPeriod(date(2026, 5, 1))


@pytest.mark.parametrize(
    ("state", "joined_on", "error", "field"),
    [
        (S.REFERRED, TODAY, None, None),
        (S.INTAKE, TODAY, None, None),
        (S.ACTIVE, date(2026, 5, 1), None, None),
        (S.PAUSED, TODAY, None, None),
        (S.EXITED, TODAY, InvalidTransition, "enrolment_id"),
        (S.DECLINED, TODAY, InvalidTransition, "enrolment_id"),
        (S.ACTIVE, TODAY + timedelta(days=1), InvalidEffectiveDate, "joined_on"),
        (S.ACTIVE, date(2026, 4, 30), InvalidEffectiveDate, "joined_on"),
    ],
)
def test_who_may_join(
    state: EnrolmentState, joined_on: date, error: type[DomainError] | None, field: str | None
) -> None:
    if error is None:
        check_can_join(state, OPEN, joined_on, today=TODAY)
        return
    with pytest.raises(error) as caught:
        check_can_join(state, OPEN, joined_on, today=TODAY)
    assert field in caught.value.fields


# ---- attendance ------------------------------------------------------------------------------

MEMBERS = {11, 12, 13}


def marks(*ids: int) -> list[AttendanceMark]:
    return [AttendanceMark(i, True) for i in ids]


@pytest.mark.parametrize(
    ("batch", "held_on", "error", "fields"),
    [
        (marks(11, 12), TODAY, None, None),
        (marks(13), TODAY - timedelta(days=30), None, None),
        (marks(11), TODAY + timedelta(days=1), InvalidEffectiveDate, {"session_id"}),
        # One outsider rejects the whole batch, and every outsider is named.
        (
            marks(11, 99, 12, 98),
            TODAY,
            InvalidInput,
            {"entries.1.enrolment_id", "entries.3.enrolment_id"},
        ),
        (marks(11, 11), TODAY, InvalidInput, {"entries.1.enrolment_id"}),
        ([], TODAY, InvalidInput, {"entries"}),
        (marks(*([11] * 201)), TODAY, InvalidInput, {"entries"}),
    ],
)
def test_attendance_batch(
    batch: list[AttendanceMark],
    held_on: date,
    error: type[DomainError] | None,
    fields: set[str] | None,
) -> None:
    if error is None:
        check_attendance_batch(batch, held_on=held_on, member_ids=MEMBERS, today=TODAY)
        return
    with pytest.raises(error) as caught:
        check_attendance_batch(batch, held_on=held_on, member_ids=MEMBERS, today=TODAY)
    assert set(caught.value.fields) == fields


@given(
    members=st.sets(st.integers(1, 50), max_size=10),
    batch=st.lists(st.integers(1, 60), min_size=1, max_size=20, unique=True),
)
def test_a_batch_passes_exactly_when_everyone_is_a_member(
    members: set[int], batch: list[int]
) -> None:
    try:
        check_attendance_batch(marks(*batch), held_on=TODAY, member_ids=members, today=TODAY)
        accepted = True
    except InvalidInput as exc:
        accepted = False
        outsiders = {f"entries.{i}.enrolment_id" for i, e in enumerate(batch) if e not in members}
        assert set(exc.fields) == outsiders
    assert accepted == set(batch).issubset(members)


def test_attendance_after_the_members_exit_is_refused() -> None:
    periods = {
        11: EnrolmentPeriod(date(2026, 5, 1)),
        12: EnrolmentPeriod(date(2026, 5, 1), ended_on=date(2026, 10, 1)),
    }
    check_attendance_dates(marks(11, 12), held_on=date(2026, 10, 1), periods=periods)
    with pytest.raises(InvalidEffectiveDate) as caught:
        check_attendance_dates(marks(11, 12), held_on=date(2026, 10, 2), periods=periods)
    assert caught.value.fields == {"entries.1": "efter avslut"}
