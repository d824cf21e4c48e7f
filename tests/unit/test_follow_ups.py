"""Follow-up rules (DOMAIN.md §3, §9; issue 3 "Follow-ups"), table by table.

Enrolments are built through `open_referral` + `apply` with real commands, never by hand, so the
schedule is derived from the same histories the API stores. Dates in the tables are written
out, not computed with the code under test.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.codelists import CodeEntry, CodeListName, OutcomeGroup, default_code_list
from domain.consent import ConsentAction, ConsentEntry, ConsentLedger, ConsentPurpose
from domain.enrolment import (
    Advance,
    Command,
    CorrectDate,
    Decline,
    Enrolment,
    Exit,
    HoldIntake,
    Outcome,
    OutcomeKind,
    Pause,
    PauseReason,
    Resume,
    Start,
    StepBack,
    TransitionKind,
    add_months,
    apply,
    open_referral,
)
from domain.errors import (
    DomainError,
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
    UnknownCode,
)
from domain.follow_ups import (
    DUE_WINDOW_DAYS,
    FollowUpResult,
    FollowUpRule,
    FollowUpStatus,
    FollowUpTrigger,
    ScheduledFollowUp,
    contact_permitted,
    follow_up_schedule,
    follow_up_status,
    scheduled_follow_up,
    validate_result,
)
from domain.programmes import (
    BUILT_IN_PROGRAMMES,
    LEVEL_UP,
    LEVEL_UPGRADE,
    Programme,
    ProgrammeGoals,
    Step,
)

TODAY = date(2026, 6, 15)
YOUNG = date(2001, 3, 10)  # 22–25 in these tables: inside both built-in age ranges

EXIT_REASONS = default_code_list(CodeListName.EXIT_REASON)
EXIT_STATUSES = default_code_list(CodeListName.EXIT_STATUS)


def _code(entry: CodeEntry | None) -> CodeEntry:
    assert entry is not None
    return entry


COMPLETED = _code(EXIT_REASONS.find("completed"))
IN_ERROR = _code(EXIT_REASONS.find("registered_in_error"))
EMPLOYED = _code(EXIT_STATUSES.find("employment_unsubsidised"))

SUPPORT, D90, Y1 = "support_period_end", "after_exit_90_days", "after_exit_1_year"


# --- builders -------------------------------------------------------------------------------


def work(on: date) -> Outcome:
    return Outcome(OutcomeKind.WORK, starts_on=on, subsidised=False, extent_percent=100)


def journey(programme: Programme, referred_on: date, *commands: Command) -> Enrolment:
    enrolment, _ = open_referral(programme, referred_on=referred_on, birth_date=YOUNG, today=TODAY)
    for command in commands:
        enrolment, _ = apply(enrolment, command, programme=programme, today=TODAY)
    return enrolment


def to_level_4(programme: Programme, level_4_on: date, *more: Command) -> Enrolment:
    """Referred 2025-01-02, started 2025-01-10, Level 2 on 02-01, Level 3 on 03-01."""
    return journey(
        programme,
        date(2025, 1, 2),
        HoldIntake(date(2025, 1, 6)),
        Start(date(2025, 1, 10)),
        Advance(date(2025, 2, 1)),
        Advance(date(2025, 3, 1)),
        Advance(level_4_on, outcome=work(level_4_on)),
        *more,
    )


def exited_from_level_2(
    programme: Programme, exit_on: date, reason: CodeEntry = COMPLETED
) -> Enrolment:
    return journey(
        programme,
        date(2025, 1, 2),
        HoldIntake(date(2025, 1, 6)),
        Start(date(2025, 1, 10)),
        Advance(date(2025, 2, 1)),
        Exit(exit_on, exit_reason=reason, exit_status=EMPLOYED),
    )


def kinds_and_dates(schedule: tuple[ScheduledFollowUp, ...]) -> list[tuple[str, date, date]]:
    return [(s.kind, s.trigger_on, s.due_on) for s in schedule]


def seq_of(enrolment: Enrolment, kind: TransitionKind, nth: int = 0) -> int:
    return [t.seq for t in enrolment.history if t.kind is kind][nth]


# --- programme data -------------------------------------------------------------------------


def test_built_in_rules_are_programme_data() -> None:
    assert [r.kind for r in LEVEL_UP.follow_up_rules] == [SUPPORT]
    assert [r.kind for r in LEVEL_UPGRADE.follow_up_rules] == [SUPPORT, D90, Y1]
    for programme in BUILT_IN_PROGRAMMES.values():
        support = programme.follow_up_rule(SUPPORT)
        assert support is not None
        # The support-period follow-up sits at the END of the programme's support period.
        assert support.trigger is FollowUpTrigger.OUTCOME_STEP_ENTERED
        assert (support.offset_months, support.offset_days) == (programme.support_period_months, 0)
        assert support.requires_contact_consent is False
    d90, y1 = LEVEL_UPGRADE.follow_up_rule(D90), LEVEL_UPGRADE.follow_up_rule(Y1)
    assert d90 is not None and y1 is not None
    assert (d90.trigger, d90.offset_days, d90.offset_months) == (FollowUpTrigger.EXIT, 90, 0)
    assert (y1.trigger, y1.offset_days, y1.offset_months) == (FollowUpTrigger.EXIT, 0, 12)
    assert d90.requires_contact_consent and y1.requires_contact_consent
    assert LEVEL_UP.follow_up_rule(D90) is None


def _rule(kind: str, trigger: FollowUpTrigger = FollowUpTrigger.EXIT, **kw: Any) -> FollowUpRule:
    values: dict[str, Any] = {
        "kind": kind,
        "trigger": trigger,
        "label_sv": kind,
        "label_en": kind,
        "requires_contact_consent": False,
    }
    values.update(kw)
    return FollowUpRule(**values)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda: replace(LEVEL_UP, follow_up_rules=(_rule("a"), _rule("a"))), "unique"),
        (
            lambda: Programme(
                code="no_outcome",
                name_sv="x",
                name_en="x",
                steps=(Step(1, "one", "Ett", "One"),),
                min_age=16,
                max_age=64,
                support_period_months=None,
                goals=ProgrammeGoals(),
                follow_up_rules=(_rule("a", FollowUpTrigger.OUTCOME_STEP_ENTERED),),
            ),
            "outcome step",
        ),
        (lambda: _rule("a", offset_days=-1), "offsets"),
        (lambda: _rule("", offset_days=1), "kind"),
    ],
)
def test_malformed_rules_are_refused(make: Any, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        make()


# --- the schedule ---------------------------------------------------------------------------

L4 = date(2025, 4, 1)

SCHEDULES: list[tuple[str, Any, list[tuple[str, date, date]]]] = [
    (
        "level up at level 3: no trigger yet",
        lambda: journey(
            LEVEL_UP,
            date(2025, 1, 2),
            HoldIntake(date(2025, 1, 6)),
            Start(date(2025, 1, 10)),
            Advance(date(2025, 2, 1)),
            Advance(date(2025, 3, 1)),
        ),
        [],
    ),
    ("level up referred only", lambda: journey(LEVEL_UP, date(2025, 1, 2)), []),
    (
        "level up enters level 4: end of the 3-month support period",
        lambda: to_level_4(LEVEL_UP, L4),
        [(SUPPORT, L4, date(2025, 7, 1))],
    ),
    (
        "month end is clamped (31 Mar + 3 months = 30 Jun)",
        lambda: to_level_4(LEVEL_UP, date(2025, 3, 31)),
        [(SUPPORT, date(2025, 3, 31), date(2025, 6, 30))],
    ),
    (
        "level up exits after level 4: no after-exit rules in level up",
        lambda: to_level_4(
            LEVEL_UP, L4, Exit(date(2025, 9, 1), exit_reason=COMPLETED, exit_status=EMPLOYED)
        ),
        [(SUPPORT, L4, date(2025, 7, 1))],
    ),
    (
        "level up exits from level 2: nothing",
        lambda: exited_from_level_2(LEVEL_UP, date(2025, 3, 1)),
        [],
    ),
    (
        "level upgrade at level 4, not exited: only the support period",
        lambda: to_level_4(LEVEL_UPGRADE, L4),
        [(SUPPORT, L4, date(2025, 7, 1))],
    ),
    (
        "level upgrade exits after level 4: all three",
        lambda: to_level_4(
            LEVEL_UPGRADE,
            L4,
            Exit(date(2025, 9, 1), exit_reason=COMPLETED, exit_status=EMPLOYED),
        ),
        [
            (SUPPORT, L4, date(2025, 7, 1)),
            (D90, date(2025, 9, 1), date(2025, 11, 30)),
            (Y1, date(2025, 9, 1), date(2026, 9, 1)),
        ],
    ),
    (
        "level upgrade exits from level 2: the after-exit follow-ups only",
        lambda: exited_from_level_2(LEVEL_UPGRADE, date(2025, 3, 1)),
        [(D90, date(2025, 3, 1), date(2025, 5, 30)), (Y1, date(2025, 3, 1), date(2026, 3, 1))],
    ),
    (
        "exit on 29 Feb: one year later is 28 Feb",
        lambda: journey(
            LEVEL_UPGRADE,
            date(2024, 1, 2),
            HoldIntake(date(2024, 1, 6)),
            Start(date(2024, 1, 10)),
            Exit(date(2024, 2, 29), exit_reason=COMPLETED, exit_status=EMPLOYED),
        ),
        [(D90, date(2024, 2, 29), date(2024, 5, 29)), (Y1, date(2024, 2, 29), date(2025, 2, 28))],
    ),
    (
        "paused and resumed at level 4: the first entry still counts",
        lambda: to_level_4(
            LEVEL_UP, L4, Pause(date(2025, 5, 1), PauseReason.SICK_LEAVE), Resume(date(2025, 6, 1))
        ),
        [(SUPPORT, L4, date(2025, 7, 1))],
    ),
    (
        "stepped back from level 4 and up again: the first entry counts",
        lambda: to_level_4(
            LEVEL_UP,
            L4,
            StepBack(date(2025, 5, 1), "Förlorade jobbet"),
            Advance(date(2025, 6, 1), outcome=work(date(2025, 6, 1))),
        ),
        [(SUPPORT, L4, date(2025, 7, 1))],
    ),
    (
        "declined: never any follow-up",
        lambda: journey(
            LEVEL_UPGRADE,
            date(2025, 1, 2),
            HoldIntake(date(2025, 1, 6)),
            Decline(date(2025, 1, 9), "Vill inte"),
        ),
        [],
    ),
]


@pytest.mark.parametrize(
    ("make", "expected"), [(m, e) for _, m, e in SCHEDULES], ids=[n for n, _, _ in SCHEDULES]
)
def test_schedule_per_rule(make: Any, expected: list[tuple[str, date, date]]) -> None:
    enrolment = make()
    programme = BUILT_IN_PROGRAMMES[enrolment.programme_code]
    assert kinds_and_dates(follow_up_schedule(programme, enrolment)) == expected


def test_an_exit_registered_in_error_has_no_after_exit_follow_ups() -> None:
    enrolment = to_level_4(
        LEVEL_UPGRADE, L4, Exit(date(2025, 9, 1), exit_reason=IN_ERROR, exit_status=EMPLOYED)
    )
    schedule = follow_up_schedule(LEVEL_UPGRADE, enrolment, exit_excluded=True)
    assert kinds_and_dates(schedule) == [(SUPPORT, L4, date(2025, 7, 1))]
    only_exit = exited_from_level_2(LEVEL_UPGRADE, date(2025, 3, 1), IN_ERROR)
    assert follow_up_schedule(LEVEL_UPGRADE, only_exit, exit_excluded=True) == ()


def test_consent_requirement_is_carried_from_the_rule() -> None:
    enrolment = to_level_4(
        LEVEL_UPGRADE, L4, Exit(date(2025, 9, 1), exit_reason=COMPLETED, exit_status=EMPLOYED)
    )
    assert [
        (s.kind, s.requires_contact_consent) for s in follow_up_schedule(LEVEL_UPGRADE, enrolment)
    ] == [
        (SUPPORT, False),
        (D90, True),
        (Y1, True),
    ]


# Corrections: (which transition, corrected date) -> the schedule afterwards.
CORRECTIONS: list[tuple[str, TransitionKind, int, date, list[tuple[str, date, date]]]] = [
    (
        "level 4 entry moved earlier",
        TransitionKind.ADVANCE,
        2,
        date(2025, 3, 20),
        [
            (SUPPORT, date(2025, 3, 20), date(2025, 6, 20)),
            (D90, date(2025, 9, 1), date(2025, 11, 30)),
            (Y1, date(2025, 9, 1), date(2026, 9, 1)),
        ],
    ),
    (
        "exit moved later",
        TransitionKind.EXIT,
        0,
        date(2025, 9, 15),
        [
            (SUPPORT, L4, date(2025, 7, 1)),
            (D90, date(2025, 9, 15), date(2025, 12, 14)),
            (Y1, date(2025, 9, 15), date(2026, 9, 15)),
        ],
    ),
    (
        "an unrelated date (level 2 entry) moves nothing",
        TransitionKind.ADVANCE,
        0,
        date(2025, 2, 3),
        [
            (SUPPORT, L4, date(2025, 7, 1)),
            (D90, date(2025, 9, 1), date(2025, 11, 30)),
            (Y1, date(2025, 9, 1), date(2026, 9, 1)),
        ],
    ),
]


@pytest.mark.parametrize(
    ("kind", "nth", "corrected", "expected"),
    [c[1:] for c in CORRECTIONS],
    ids=[c[0] for c in CORRECTIONS],
)
def test_a_corrected_trigger_date_moves_the_due_dates(
    kind: TransitionKind, nth: int, corrected: date, expected: list[tuple[str, date, date]]
) -> None:
    enrolment = to_level_4(
        LEVEL_UPGRADE, L4, Exit(date(2025, 9, 1), exit_reason=COMPLETED, exit_status=EMPLOYED)
    )
    before = follow_up_schedule(LEVEL_UPGRADE, enrolment)
    corrected_enrolment, _ = apply(
        enrolment,
        CorrectDate(seq_of(enrolment, kind, nth), corrected, "Fel datum"),
        programme=LEVEL_UPGRADE,
        today=TODAY,
    )
    after = follow_up_schedule(LEVEL_UPGRADE, corrected_enrolment)
    assert kinds_and_dates(after) == expected
    assert (before != after) == (kinds_and_dates(before) != expected)


# --- which follow-up a recording refers to ---------------------------------------------------


def test_recording_needs_a_scheduled_follow_up() -> None:
    enrolment = to_level_4(LEVEL_UPGRADE, L4)
    schedule = follow_up_schedule(LEVEL_UPGRADE, enrolment)
    assert scheduled_follow_up(LEVEL_UPGRADE, schedule, SUPPORT).due_on == date(2025, 7, 1)
    # Known to the programme, but the exit has not happened.
    with pytest.raises(InvalidTransition) as not_yet:
        scheduled_follow_up(LEVEL_UPGRADE, schedule, D90)
    assert not_yet.value.fields == {"kind": "inte schemalagd för inskrivningen"}
    # Not a follow-up of this programme at all.
    with pytest.raises(UnknownCode):
        scheduled_follow_up(LEVEL_UP, follow_up_schedule(LEVEL_UP, enrolment), D90)
    with pytest.raises(UnknownCode):
        scheduled_follow_up(LEVEL_UPGRADE, schedule, "phone_call")


# --- status ---------------------------------------------------------------------------------

STATUSES: list[tuple[int, bool, bool, FollowUpStatus]] = [
    # (due_on - today in days, recorded, contact permitted today) -> status
    (-30, False, True, FollowUpStatus.OVERDUE),
    (-1, False, True, FollowUpStatus.OVERDUE),
    (0, False, True, FollowUpStatus.DUE),
    (1, False, True, FollowUpStatus.DUE),
    (14, False, True, FollowUpStatus.DUE),
    (15, False, True, FollowUpStatus.UPCOMING),
    (200, False, True, FollowUpStatus.UPCOMING),
    (-30, True, True, FollowUpStatus.DONE),
    (200, True, True, FollowUpStatus.DONE),
    (-30, True, False, FollowUpStatus.DONE),
    (-30, False, False, FollowUpStatus.NOT_PERMITTED),
    (5, False, False, FollowUpStatus.NOT_PERMITTED),
    (200, False, False, FollowUpStatus.NOT_PERMITTED),
]


@pytest.mark.parametrize(("offset", "recorded", "permitted", "expected"), STATUSES)
def test_status_on_today(
    offset: int, recorded: bool, permitted: bool, expected: FollowUpStatus
) -> None:
    due = TODAY + timedelta(days=offset)
    assert (
        follow_up_status(due, recorded=recorded, contact_permitted=permitted, today=TODAY)
        is expected
    )


def test_the_due_window_is_two_weeks() -> None:
    assert DUE_WINDOW_DAYS == 14


STATUS_ORDER = [FollowUpStatus.UPCOMING, FollowUpStatus.DUE, FollowUpStatus.OVERDUE]


@settings(max_examples=200, deadline=None)
@given(
    due=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    today=st.dates(date(2020, 1, 1), date(2030, 12, 31)),
    later=st.integers(0, 400),
)
def test_an_open_follow_up_only_moves_forward_through_its_statuses(
    due: date, today: date, later: int
) -> None:
    """As days pass an open follow-up goes upcoming -> due -> overdue, never back, and it is
    overdue exactly when its due date has passed."""
    first = follow_up_status(due, recorded=False, contact_permitted=True, today=today)
    second = follow_up_status(
        due, recorded=False, contact_permitted=True, today=today + timedelta(days=later)
    )
    assert STATUS_ORDER.index(first) <= STATUS_ORDER.index(second)
    assert (first is FollowUpStatus.OVERDUE) == (due < today)


def _ledger(*entries: tuple[ConsentAction, date]) -> ConsentLedger:
    return ConsentLedger(
        tuple(
            ConsentEntry(ConsentPurpose.FOLLOW_UP_CONTACT, action, on, "Blankett 1")
            for action, on in entries
        )
    )


GIVEN, WITHDRAWN = ConsentAction.GIVEN, ConsentAction.WITHDRAWN
CONSENTS: list[tuple[str, bool, ConsentLedger, bool]] = [
    ("no consent needed", False, ConsentLedger(), True),
    ("needed, never given", True, ConsentLedger(), False),
    ("given before", True, _ledger((GIVEN, date(2026, 1, 1))), True),
    ("given that day", True, _ledger((GIVEN, TODAY)), True),
    ("given later", True, _ledger((GIVEN, TODAY + timedelta(days=1))), False),
    (
        "withdrawn before",
        True,
        _ledger((GIVEN, date(2026, 1, 1)), (WITHDRAWN, date(2026, 3, 1))),
        False,
    ),
    ("withdrawn that day", True, _ledger((GIVEN, date(2026, 1, 1)), (WITHDRAWN, TODAY)), False),
    (
        "withdrawn later",
        True,
        _ledger((GIVEN, date(2026, 1, 1)), (WITHDRAWN, date(2026, 7, 1))),
        True,
    ),
    (
        "other purpose only",
        True,
        ConsentLedger((ConsentEntry(ConsentPurpose.EVALUATION, GIVEN, date(2026, 1, 1), "B"),)),
        False,
    ),
]


@pytest.mark.parametrize(
    ("requires", "ledger", "expected"), [c[1:] for c in CONSENTS], ids=[c[0] for c in CONSENTS]
)
def test_contact_is_permitted_only_with_consent_held_that_day(
    requires: bool, ledger: ConsentLedger, expected: bool
) -> None:
    assert contact_permitted(requires, ledger, TODAY) is expected


# --- recording a result ---------------------------------------------------------------------

TRIGGER = date(2026, 1, 10)
SCHEDULED = ScheduledFollowUp(SUPPORT, TRIGGER, date(2026, 4, 10), requires_contact_consent=False)
AFTER_EXIT = ScheduledFollowUp(D90, TRIGGER, date(2026, 4, 10), requires_contact_consent=True)
CONSENTED = _ledger((GIVEN, date(2025, 12, 1)))
CONTACTED = date(2026, 4, 8)

REACHED_WORK: dict[str, Any] = {
    "contacted_on": CONTACTED,
    "contact_reached": True,
    "attempts": 2,
    "status_group": OutcomeGroup.WORK,
    "employment_extent_percent": 75,
    "self_supporting": True,
    "current_benefit": "none",
    "note": "  Trivs på jobbet  ",
}
NOT_REACHED: dict[str, Any] = {
    "contacted_on": CONTACTED,
    "contact_reached": False,
    "attempts": 3,
    "final_non_response": True,
}


def result(base: dict[str, Any], **changes: Any) -> FollowUpResult:
    return FollowUpResult(**{**base, **changes})


VALID: list[tuple[str, ScheduledFollowUp, FollowUpResult]] = [
    ("reached, work", SCHEDULED, result(REACHED_WORK)),
    ("reached, work 100 %", SCHEDULED, result(REACHED_WORK, employment_extent_percent=100)),
    ("reached, work 1 %", SCHEDULED, result(REACHED_WORK, employment_extent_percent=1)),
    (
        "reached, studies",
        SCHEDULED,
        result(REACHED_WORK, status_group=OutcomeGroup.STUDIES, employment_extent_percent=None),
    ),
    (
        "reached, job seeking, not self-supporting, no extras",
        SCHEDULED,
        result(
            REACHED_WORK,
            status_group="job_seeking",
            employment_extent_percent=None,
            self_supporting=False,
            current_benefit=None,
            note=None,
        ),
    ),
    ("reached on the trigger day", SCHEDULED, result(REACHED_WORK, contacted_on=TRIGGER)),
    ("reached today", SCHEDULED, result(REACHED_WORK, contacted_on=TODAY)),
    ("not reached, final", SCHEDULED, result(NOT_REACHED)),
    (
        "not reached, more attempts to come",
        SCHEDULED,
        result(NOT_REACHED, final_non_response=False, attempts=1),
    ),
    ("20 attempts", SCHEDULED, result(NOT_REACHED, attempts=20)),
    ("after exit with consent", AFTER_EXIT, result(REACHED_WORK)),
]


@pytest.mark.parametrize(
    ("scheduled", "given_result"), [v[1:] for v in VALID], ids=[v[0] for v in VALID]
)
def test_valid_results_are_accepted(
    scheduled: ScheduledFollowUp, given_result: FollowUpResult
) -> None:
    stored = validate_result(scheduled, given_result, recorded=False, ledger=CONSENTED, today=TODAY)
    assert stored.contacted_on == given_result.contacted_on
    assert stored.note == (given_result.note.strip() if given_result.note else None)
    if given_result.status_group is not None:
        assert stored.status_group is OutcomeGroup(given_result.status_group)


WITHDRAWN_BEFORE = _ledger((GIVEN, date(2025, 12, 1)), (WITHDRAWN, date(2026, 3, 1)))

INVALID: list[
    tuple[str, ScheduledFollowUp, FollowUpResult, ConsentLedger, bool, type[DomainError], str]
] = [
    # (name, scheduled, result, consent ledger, already recorded, error, field)
    ("recorded twice", SCHEDULED, result(REACHED_WORK), CONSENTED, True, InvalidTransition, "kind"),
    (
        "in the future",
        SCHEDULED,
        result(REACHED_WORK, contacted_on=TODAY + timedelta(days=1)),
        CONSENTED,
        False,
        InvalidEffectiveDate,
        "contacted_on",
    ),
    (
        "before its trigger",
        SCHEDULED,
        result(REACHED_WORK, contacted_on=TRIGGER - timedelta(days=1)),
        CONSENTED,
        False,
        InvalidEffectiveDate,
        "contacted_on",
    ),
    (
        "no attempts",
        SCHEDULED,
        result(NOT_REACHED, attempts=0),
        CONSENTED,
        False,
        InvalidInput,
        "attempts",
    ),
    (
        "21 attempts",
        SCHEDULED,
        result(NOT_REACHED, attempts=21),
        CONSENTED,
        False,
        InvalidInput,
        "attempts",
    ),
    (
        "attempts as bool",
        SCHEDULED,
        result(NOT_REACHED, attempts=True),
        CONSENTED,
        False,
        InvalidInput,
        "attempts",
    ),
    (
        "extent 0",
        SCHEDULED,
        result(REACHED_WORK, employment_extent_percent=0),
        CONSENTED,
        False,
        InvalidInput,
        "employment_extent_percent",
    ),
    (
        "extent 101",
        SCHEDULED,
        result(REACHED_WORK, employment_extent_percent=101),
        CONSENTED,
        False,
        InvalidInput,
        "employment_extent_percent",
    ),
    (
        "extent for studies",
        SCHEDULED,
        result(REACHED_WORK, status_group=OutcomeGroup.STUDIES),
        CONSENTED,
        False,
        InvalidInput,
        "employment_extent_percent",
    ),
    (
        "work without extent",
        SCHEDULED,
        result(REACHED_WORK, employment_extent_percent=None),
        CONSENTED,
        False,
        MissingInformation,
        "employment_extent_percent",
    ),
    (
        "reached without status group",
        SCHEDULED,
        result(REACHED_WORK, status_group=None),
        CONSENTED,
        False,
        MissingInformation,
        "status_group",
    ),
    (
        "reached with an unknown status group",
        SCHEDULED,
        result(REACHED_WORK, status_group="retired"),
        CONSENTED,
        False,
        InvalidInput,
        "status_group",
    ),
    (
        "reached without self-supporting",
        SCHEDULED,
        result(REACHED_WORK, self_supporting=None),
        CONSENTED,
        False,
        MissingInformation,
        "self_supporting",
    ),
    (
        "reached but final non-response",
        SCHEDULED,
        result(REACHED_WORK, final_non_response=True),
        CONSENTED,
        False,
        InvalidInput,
        "final_non_response",
    ),
    (
        "not reached with a status",
        SCHEDULED,
        result(NOT_REACHED, status_group=OutcomeGroup.WORK),
        CONSENTED,
        False,
        InvalidInput,
        "status_group",
    ),
    (
        "not reached with self-supporting",
        SCHEDULED,
        result(NOT_REACHED, self_supporting=False),
        CONSENTED,
        False,
        InvalidInput,
        "self_supporting",
    ),
    (
        "not reached with a benefit",
        SCHEDULED,
        result(NOT_REACHED, current_benefit="none"),
        CONSENTED,
        False,
        InvalidInput,
        "current_benefit",
    ),
    (
        "not reached with a note",
        SCHEDULED,
        result(NOT_REACHED, note="Svarar inte"),
        CONSENTED,
        False,
        InvalidInput,
        "note",
    ),
    (
        "note too long",
        SCHEDULED,
        result(REACHED_WORK, note="x" * 501),
        CONSENTED,
        False,
        InvalidInput,
        "note",
    ),
    (
        "after exit without consent",
        AFTER_EXIT,
        result(REACHED_WORK),
        ConsentLedger(),
        False,
        InvalidTransition,
        "contacted_on",
    ),
    (
        "after exit, consent withdrawn before the contact",
        AFTER_EXIT,
        result(NOT_REACHED),
        WITHDRAWN_BEFORE,
        False,
        InvalidTransition,
        "contacted_on",
    ),
    (
        "after exit, consent given only after the contact",
        AFTER_EXIT,
        result(REACHED_WORK, contacted_on=date(2026, 1, 20)),
        _ledger((GIVEN, date(2026, 2, 1))),
        False,
        InvalidTransition,
        "contacted_on",
    ),
]


@pytest.mark.parametrize(
    ("scheduled", "given_result", "ledger", "recorded", "error", "field"),
    [i[1:] for i in INVALID],
    ids=[i[0] for i in INVALID],
)
def test_invalid_results_are_refused_with_the_field_to_fix(
    scheduled: ScheduledFollowUp,
    given_result: FollowUpResult,
    ledger: ConsentLedger,
    recorded: bool,
    error: type[DomainError],
    field: str,
) -> None:
    with pytest.raises(error) as raised:
        validate_result(scheduled, given_result, recorded=recorded, ledger=ledger, today=TODAY)
    assert type(raised.value) is error
    assert field in raised.value.fields
    assert raised.value.detail


def test_missing_consent_says_so_in_swedish() -> None:
    with pytest.raises(InvalidTransition, match="Samtycke till uppföljningskontakt saknas"):
        validate_result(
            AFTER_EXIT, result(REACHED_WORK), recorded=False, ledger=ConsentLedger(), today=TODAY
        )


def test_consent_is_judged_on_the_contact_day_not_today() -> None:
    # Held when the contact was made, withdrawn since: the contact was permitted.
    ledger = _ledger((GIVEN, date(2025, 12, 1)), (WITHDRAWN, date(2026, 5, 1)))
    validate_result(AFTER_EXIT, result(REACHED_WORK), recorded=False, ledger=ledger, today=TODAY)
    assert contact_permitted(True, ledger, TODAY) is False


# --- properties -----------------------------------------------------------------------------


@settings(max_examples=150, deadline=None)
@given(
    start_gap=st.integers(1, 60),
    step_gaps=st.lists(st.integers(0, 90), min_size=3, max_size=3),
    exit_gap=st.integers(0, 400),
    data=st.data(),
)
def test_a_correction_schedules_as_if_the_right_date_had_been_recorded(
    start_gap: int, step_gaps: list[int], exit_gap: int, data: st.DataObject
) -> None:
    """For any Level Upgrade journey to Level 4 and exit, correcting the Level 4 entry or the
    exit date yields exactly the schedule of the same journey recorded with the right date;
    and every due date is its trigger plus the rule's offset, never before the trigger."""
    referred = date(2023, 1, 2)
    started = referred + timedelta(days=start_gap)
    dates = [started]
    for gap in step_gaps:
        dates.append(dates[-1] + timedelta(days=gap))
    exit_on = dates[-1] + timedelta(days=exit_gap)

    def build(level_4_on: date, exit_date: date) -> Enrolment:
        return journey(
            LEVEL_UPGRADE,
            referred,
            HoldIntake(referred),
            Start(started),
            Advance(dates[1]),
            Advance(dates[2]),
            Advance(level_4_on, outcome=work(started)),
            Exit(exit_date, exit_reason=COMPLETED, exit_status=EMPLOYED),
        )

    recorded = build(dates[3], exit_on)
    target = data.draw(st.sampled_from(["level_4", "exit"]))
    if target == "level_4":
        right = data.draw(st.dates(dates[2], exit_on))
        seq, expected = seq_of(recorded, TransitionKind.ADVANCE, 2), build(right, exit_on)
    else:
        right = data.draw(st.dates(dates[3], TODAY))
        seq, expected = seq_of(recorded, TransitionKind.EXIT), build(dates[3], right)
    corrected, _ = apply(
        recorded, CorrectDate(seq, right, "Rättat datum"), programme=LEVEL_UPGRADE, today=TODAY
    )
    schedule = follow_up_schedule(LEVEL_UPGRADE, corrected)
    assert schedule == follow_up_schedule(LEVEL_UPGRADE, expected)
    assert [s.kind for s in schedule] == [SUPPORT, D90, Y1]
    support, d90, y1 = schedule
    level_4_on, exit_date = (right, exit_on) if target == "level_4" else (dates[3], right)
    assert (support.trigger_on, support.due_on) == (level_4_on, add_months(level_4_on, 3))
    assert (d90.trigger_on, d90.due_on) == (exit_date, exit_date + timedelta(days=90))
    assert (y1.trigger_on, y1.due_on) == (exit_date, add_months(exit_date, 12))
    assert all(s.trigger_on < s.due_on for s in schedule)
