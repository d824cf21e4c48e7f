"""The enrolment state machine, table by table (DOMAIN.md §3, §4).

Every start state is reached through `open_referral` + `apply` with real commands (see `at_step`),
never by constructing an `Enrolment` by hand, so the tables exercise the same path the API uses.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta

import pytest

from domain.codelists import CodeEntry, CodeListName, default_code_list
from domain.enrolment import (
    MAX_REASON_LENGTH,
    OCCASION_EXIT,
    OCCASION_START,
    Advance,
    AssessmentDue,
    Command,
    CorrectDate,
    Decline,
    Enrolment,
    EnrolmentState,
    Event,
    Exit,
    HoldIntake,
    Outcome,
    OutcomeKind,
    Pause,
    PauseReason,
    Resume,
    Start,
    StepBack,
    StudiesKind,
    SupportPeriodStarted,
    TransitionKind,
    TransitionRecorded,
    add_months,
    apply,
    occasion_after_step,
    open_referral,
    replay,
    whole_months_between,
)
from domain.errors import (
    DomainError,
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
    NotEligible,
    UnknownCode,
)
from domain.programmes import (
    BUILT_IN_PROGRAMMES,
    LEVEL_UP,
    LEVEL_UPGRADE,
    Programme,
    ProgrammeGoals,
    Step,
    get_programme,
)

TODAY = date(2025, 6, 15)
BIRTH = date(2001, 3, 10)  # 22–23 years old in 2024: inside both built-in age ranges
REFERRED_ON = date(2024, 1, 8)
# The matrix applies its command on this date: after every date the builder uses, before TODAY.
COMMAND_ON = date(2024, 6, 3)

R, IN, A, P, D, X = (
    EnrolmentState.REFERRED,
    EnrolmentState.INTAKE,
    EnrolmentState.ACTIVE,
    EnrolmentState.PAUSED,
    EnrolmentState.DECLINED,
    EnrolmentState.EXITED,
)

EXIT_REASONS = default_code_list(CodeListName.EXIT_REASON)
EXIT_STATUSES = default_code_list(CodeListName.EXIT_STATUS)


def _code(entry: CodeEntry | None) -> CodeEntry:
    assert entry is not None
    return entry


COMPLETED = _code(EXIT_REASONS.find("completed"))
EMPLOYED = _code(EXIT_STATUSES.find("employment_unsubsidised"))


# --- builders -------------------------------------------------------------------------------


def day(n: int) -> date:
    """The builder's n-th business date: one week apart, starting at the referral."""
    return REFERRED_ON + timedelta(weeks=n)


def work(on: date, *, subsidised: bool = False, extent: int = 75) -> Outcome:
    return Outcome(OutcomeKind.WORK, starts_on=on, subsidised=subsidised, extent_percent=extent)


def studies(on: date, kind: StudiesKind = StudiesKind.KOMVUX) -> Outcome:
    return Outcome(OutcomeKind.STUDIES, starts_on=on, studies_kind=kind)


def exit_command(on: date, reason: CodeEntry = COMPLETED, status: CodeEntry = EMPLOYED) -> Exit:
    return Exit(on, exit_reason=reason, exit_status=status)


def refer(programme: Programme = LEVEL_UP, referred_on: date = REFERRED_ON) -> Enrolment:
    enrolment, _ = open_referral(programme, referred_on=referred_on, birth_date=BIRTH, today=TODAY)
    return enrolment


def act(
    enrolment: Enrolment, *commands: Command, programme: Programme = LEVEL_UP, today: date = TODAY
) -> Enrolment:
    for command in commands:
        enrolment, _ = apply(enrolment, command, programme=programme, today=today)
    return enrolment


def at_step(step: int, programme: Programme = LEVEL_UP) -> Enrolment:
    """Referred day(0), intake day(1), started day(2), step n entered on day(n + 1)."""
    enrolment = act(refer(programme), HoldIntake(day(1)), Start(day(2)), programme=programme)
    for number in range(2, step + 1):
        on = day(number + 1)
        outcome = work(on) if programme.step(number).requires_outcome else None
        enrolment = act(enrolment, Advance(on, outcome=outcome), programme=programme)
    return enrolment


# Start states by name. `paused` pauses at step 2 and `exited` exits from step 3, so the tables
# can tell "keeps the step" apart from "falls back to step 1".
STATES: dict[str, Callable[[], Enrolment]] = {
    "referred": lambda: refer(),
    "intake": lambda: act(refer(), HoldIntake(day(1))),
    "active@1": lambda: at_step(1),
    "active@2": lambda: at_step(2),
    "active@3": lambda: at_step(3),
    "active@4": lambda: at_step(4),
    "paused@2": lambda: act(at_step(2), Pause(day(10), PauseReason.SICK_LEAVE)),
    "declined": lambda: act(refer(), HoldIntake(day(1)), Decline(day(2), "Vill inte delta")),
    "exited@3": lambda: act(at_step(3), exit_command(day(10))),
}

# Commands by name, all effective on COMMAND_ON.
COMMANDS: dict[str, Callable[[date], Command]] = {
    "HoldIntake": HoldIntake,
    "Start": Start,
    "Advance": Advance,
    "Advance+outcome": lambda on: Advance(on, outcome=work(on)),
    "StepBack": lambda on: StepBack(on, "Förlorade jobbet"),
    "Pause": lambda on: Pause(on, PauseReason.PARENTAL_LEAVE),
    "Resume": Resume,
    "Exit": exit_command,
    "Decline": lambda on: Decline(on, "Tackade nej"),
    # Moving the referral one day earlier is a valid correction in every state.
    "CorrectDate": lambda on: CorrectDate(1, REFERRED_ON - timedelta(days=1), "Fel datum"),
}

IT = InvalidTransition
_ALL_REJECTED: dict[str, object] = {name: IT for name in COMMANDS}

# (state, command) -> (resulting state, step) or the error class.
MATRIX: dict[str, dict[str, object]] = {
    "referred": {
        **_ALL_REJECTED,
        "HoldIntake": (IN, None),
        "Decline": (D, None),
        "CorrectDate": (R, None),
    },
    "intake": {**_ALL_REJECTED, "Start": (A, 1), "Decline": (D, None), "CorrectDate": (IN, None)},
    "active@1": {
        **_ALL_REJECTED,
        "Advance": (A, 2),
        "Advance+outcome": InvalidInput,  # Level 2 has no outcome
        "StepBack": IT,  # already at the first level
        "Pause": (P, 1),
        "Exit": (X, 1),
        "CorrectDate": (A, 1),
    },
    "active@2": {
        **_ALL_REJECTED,
        "Advance": (A, 3),
        "Advance+outcome": InvalidInput,
        "StepBack": (A, 1),
        "Pause": (P, 2),
        "Exit": (X, 2),
        "CorrectDate": (A, 2),
    },
    "active@3": {
        **_ALL_REJECTED,
        "Advance": MissingInformation,  # Level 4 needs an outcome
        "Advance+outcome": (A, 4),
        "StepBack": (A, 2),
        "Pause": (P, 3),
        "Exit": (X, 3),
        "CorrectDate": (A, 3),
    },
    "active@4": {
        **_ALL_REJECTED,
        "Advance": IT,  # last level
        "Advance+outcome": IT,
        "StepBack": (A, 3),
        "Pause": (P, 4),
        "Exit": (X, 4),
        "CorrectDate": (A, 4),
    },
    "paused@2": {**_ALL_REJECTED, "Resume": (A, 2), "Exit": (X, 2), "CorrectDate": (P, 2)},
    "declined": {**_ALL_REJECTED, "CorrectDate": (D, None)},
    "exited@3": {**_ALL_REJECTED, "CorrectDate": (X, 3)},
}

MATRIX_CASES = [
    pytest.param(state, command, expected, id=f"{state}-{command}")
    for state, row in MATRIX.items()
    for command, expected in row.items()
]
ALLOWED_CASES = [
    pytest.param(state, command, id=f"{state}-{command}")
    for state, row in MATRIX.items()
    for command, expected in row.items()
    if isinstance(expected, tuple) and command != "CorrectDate"
]


def test_matrix_covers_every_state_and_command() -> None:
    assert set(MATRIX) == set(STATES)
    for row in MATRIX.values():
        assert set(row) == set(COMMANDS)


@pytest.mark.parametrize("name", list(STATES))
def test_builder_reaches_the_named_state(name: str) -> None:
    enrolment = STATES[name]()
    expected_state = {
        "referred": R,
        "intake": IN,
        "paused@2": P,
        "declined": D,
        "exited@3": X,
    }.get(name, A)
    assert enrolment.state is expected_state
    assert enrolment == replay(enrolment.programme_code, enrolment.history)


# --- the full matrix ------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "command", "expected"), MATRIX_CASES)
def test_transition_matrix(state: str, command: str, expected: object) -> None:
    before = STATES[state]()
    cmd = COMMANDS[command](COMMAND_ON)
    if isinstance(expected, tuple):
        after, events = apply(before, cmd, programme=LEVEL_UP, today=TODAY)
        assert (after.state, after.step) == expected
        assert after.history[: len(before.history)] == before.history
        assert len(after.history) == len(before.history) + 1
        assert events[0] == TransitionRecorded(after.history[-1])
        assert after == replay(after.programme_code, after.history)
    else:
        assert isinstance(expected, type) and issubclass(expected, DomainError)
        history, dates = before.history, dict(before.effective_dates)
        with pytest.raises(expected):
            apply(before, cmd, programme=LEVEL_UP, today=TODAY)
        assert before.history == history and before.effective_dates == dates


# --- effective dates ------------------------------------------------------------------------


@pytest.mark.parametrize(("state", "command"), ALLOWED_CASES)
def test_future_effective_date_is_rejected(state: str, command: str) -> None:
    with pytest.raises(InvalidEffectiveDate):
        apply(
            STATES[state](),
            COMMANDS[command](TODAY + timedelta(days=1)),
            programme=LEVEL_UP,
            today=TODAY,
        )


@pytest.mark.parametrize(("state", "command"), ALLOWED_CASES)
def test_date_before_previous_transition_is_rejected(state: str, command: str) -> None:
    before = STATES[state]()
    on = before.last_effective_on - timedelta(days=1)
    with pytest.raises(InvalidEffectiveDate):
        apply(before, COMMANDS[command](on), programme=LEVEL_UP, today=TODAY)


@pytest.mark.parametrize(("state", "command"), ALLOWED_CASES)
def test_same_day_as_previous_transition_is_allowed(state: str, command: str) -> None:
    before = STATES[state]()
    on = before.last_effective_on
    after, _ = apply(before, COMMANDS[command](on), programme=LEVEL_UP, today=TODAY)
    assert after.history[-1].effective_on == on


@pytest.mark.parametrize(("state", "command"), ALLOWED_CASES)
def test_past_dates_and_today_are_allowed(state: str, command: str) -> None:
    before = STATES[state]()
    for on in (before.last_effective_on + timedelta(days=1), TODAY):
        after, _ = apply(before, COMMANDS[command](on), programme=LEVEL_UP, today=TODAY)
        assert after.last_effective_on == on


def test_effective_date_is_checked_against_today_argument_not_a_clock() -> None:
    enrolment = at_step(1)
    with pytest.raises(InvalidEffectiveDate):
        apply(enrolment, Advance(day(5)), programme=LEVEL_UP, today=day(4))
    after, _ = apply(enrolment, Advance(day(5)), programme=LEVEL_UP, today=day(5))
    assert after.step == 2


# --- one step at a time ---------------------------------------------------------------------


@pytest.mark.parametrize("step", [1, 2, 3], ids=lambda s: f"from-{s}")
def test_advance_goes_exactly_one_step_up(step: int) -> None:
    before = at_step(step)
    outcome = work(COMMAND_ON) if LEVEL_UP.step(step + 1).requires_outcome else None
    after = act(before, Advance(COMMAND_ON, outcome=outcome))
    assert after.step == step + 1
    assert after.highest_step == step + 1
    assert after.step_entered_on == COMMAND_ON
    assert after.history[-1].kind is TransitionKind.ADVANCE


@pytest.mark.parametrize("step", [2, 3, 4], ids=lambda s: f"from-{s}")
def test_step_back_goes_exactly_one_step_down_and_keeps_highest(step: int) -> None:
    after = act(at_step(step), StepBack(COMMAND_ON, "  Förlorade jobbet  "))
    assert after.step == step - 1
    assert after.highest_step == step
    assert after.step_entered_on == COMMAND_ON
    assert after.history[-1].reason == "Förlorade jobbet"  # stored stripped


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        pytest.param("", MissingInformation, id="empty"),
        pytest.param("   ", MissingInformation, id="blank"),
        pytest.param("\t\n", MissingInformation, id="whitespace"),
        pytest.param("x" * (MAX_REASON_LENGTH + 1), InvalidInput, id="501-chars"),
        pytest.param("x" * MAX_REASON_LENGTH, None, id="500-chars-ok"),
        pytest.param(" " + "x" * MAX_REASON_LENGTH + " ", None, id="500-chars-after-strip-ok"),
    ],
)
def test_step_back_reason(reason: str, error: type[DomainError] | None) -> None:
    before = at_step(2)
    if error is None:
        assert act(before, StepBack(COMMAND_ON, reason)).step == 1
    else:
        with pytest.raises(error):
            apply(before, StepBack(COMMAND_ON, reason), programme=LEVEL_UP, today=TODAY)


def test_step_back_at_first_step_is_invalid_transition() -> None:
    with pytest.raises(InvalidTransition):
        apply(at_step(1), StepBack(COMMAND_ON, "Vill börja om"), programme=LEVEL_UP, today=TODAY)


def test_advance_at_last_step_is_invalid_transition() -> None:
    with pytest.raises(InvalidTransition, match="sista"):
        apply(at_step(4), Advance(COMMAND_ON), programme=LEVEL_UP, today=TODAY)


def test_can_climb_again_after_stepping_back() -> None:
    enrolment = act(
        at_step(4),
        StepBack(day(10), "Förlorade jobbet"),
        Advance(day(11), outcome=studies(day(11))),
    )
    assert (enrolment.step, enrolment.highest_step) == (4, 4)
    assert enrolment.outcome == studies(day(11))


# --- Level 4 and outcomes -------------------------------------------------------------------


def test_advance_into_level_4_without_outcome_is_missing_information() -> None:
    with pytest.raises(MissingInformation) as caught:
        apply(at_step(3), Advance(COMMAND_ON), programme=LEVEL_UP, today=TODAY)
    assert "outcome" in caught.value.fields


@pytest.mark.parametrize(
    "outcome",
    [
        pytest.param(work(COMMAND_ON, subsidised=False, extent=100), id="work-unsubsidised-100"),
        pytest.param(work(COMMAND_ON, subsidised=True, extent=50), id="work-subsidised-50"),
        pytest.param(work(COMMAND_ON, subsidised=True, extent=1), id="work-extent-1"),
        *[pytest.param(studies(COMMAND_ON, kind), id=f"studies-{kind}") for kind in StudiesKind],
    ],
)
def test_advance_into_level_4_with_outcome(outcome: Outcome) -> None:
    after, events = apply(
        at_step(3), Advance(COMMAND_ON, outcome=outcome), programme=LEVEL_UP, today=TODAY
    )
    assert after.step == 4
    assert after.outcome == outcome
    assert after.history[-1].outcome == outcome
    assert SupportPeriodStarted(COMMAND_ON, add_months(COMMAND_ON, 3)) in events


def _make_outcome(**kwargs: object) -> Outcome:
    return Outcome(starts_on=COMMAND_ON, **kwargs)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        pytest.param({"kind": OutcomeKind.WORK}, MissingInformation, id="work-bare"),
        pytest.param(
            {"kind": OutcomeKind.WORK, "extent_percent": 50},
            MissingInformation,
            id="work-without-subsidised",
        ),
        pytest.param(
            {"kind": OutcomeKind.WORK, "subsidised": True},
            MissingInformation,
            id="work-without-extent",
        ),
        pytest.param(
            {"kind": OutcomeKind.WORK, "subsidised": False, "extent_percent": 0},
            InvalidInput,
            id="work-extent-0",
        ),
        pytest.param(
            {"kind": OutcomeKind.WORK, "subsidised": False, "extent_percent": 101},
            InvalidInput,
            id="work-extent-101",
        ),
        pytest.param(
            {"kind": OutcomeKind.WORK, "subsidised": False, "extent_percent": -50},
            InvalidInput,
            id="work-extent-negative",
        ),
        pytest.param(
            {
                "kind": OutcomeKind.WORK,
                "subsidised": False,
                "extent_percent": 50,
                "studies_kind": StudiesKind.KOMVUX,
            },
            InvalidInput,
            id="work-with-studies-kind",
        ),
        pytest.param({"kind": OutcomeKind.STUDIES}, MissingInformation, id="studies-without-kind"),
        pytest.param(
            {"kind": OutcomeKind.STUDIES, "studies_kind": StudiesKind.OTHER, "subsidised": True},
            InvalidInput,
            id="studies-subsidised-true",
        ),
        pytest.param(
            {"kind": OutcomeKind.STUDIES, "studies_kind": StudiesKind.OTHER, "subsidised": False},
            InvalidInput,
            id="studies-subsidised-false",
        ),
        pytest.param(
            {"kind": OutcomeKind.STUDIES, "studies_kind": StudiesKind.OTHER, "extent_percent": 0},
            InvalidInput,
            id="studies-extent-0",
        ),
        pytest.param(
            {"kind": OutcomeKind.WORK, "subsidised": True, "extent_percent": 100},
            None,
            id="work-ok",
        ),
        pytest.param(
            {"kind": OutcomeKind.STUDIES, "studies_kind": StudiesKind.UNIVERSITY},
            None,
            id="studies-ok",
        ),
    ],
)
def test_outcome_validation(kwargs: dict[str, object], error: type[DomainError] | None) -> None:
    if error is None:
        assert _make_outcome(**kwargs).starts_on == COMMAND_ON
    else:
        with pytest.raises(error):
            _make_outcome(**kwargs)


@pytest.mark.parametrize("step", [1, 2], ids=lambda s: f"from-{s}")
def test_outcome_on_a_step_without_outcome_is_invalid_input(step: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        apply(
            at_step(step),
            Advance(COMMAND_ON, outcome=work(COMMAND_ON)),
            programme=LEVEL_UP,
            today=TODAY,
        )
    assert "outcome" in caught.value.fields


def test_outcome_starting_before_the_start_date_is_invalid_effective_date() -> None:
    enrolment = at_step(3)
    assert enrolment.started_on == day(2)
    with pytest.raises(InvalidEffectiveDate):
        apply(
            enrolment,
            Advance(COMMAND_ON, outcome=work(day(2) - timedelta(days=1))),
            programme=LEVEL_UP,
            today=TODAY,
        )
    after = act(enrolment, Advance(COMMAND_ON, outcome=work(day(2))))
    assert after.outcome is not None and after.outcome.starts_on == day(2)


@pytest.mark.parametrize(
    ("entered_on", "ends_on"),
    [
        pytest.param(date(2024, 6, 3), date(2024, 9, 3), id="plain"),
        pytest.param(date(2024, 3, 31), date(2024, 6, 30), id="31st-into-30-day-month"),
        pytest.param(date(2024, 11, 30), date(2025, 2, 28), id="over-new-year-non-leap-feb"),
        pytest.param(date(2024, 10, 15), date(2025, 1, 15), id="over-new-year"),
    ],
)
def test_support_period_is_three_months_from_entering_level_4(
    entered_on: date, ends_on: date
) -> None:
    assert LEVEL_UP.support_period_months == 3
    _, events = apply(
        at_step(3), Advance(entered_on, outcome=work(entered_on)), programme=LEVEL_UP, today=TODAY
    )
    assert [e for e in events if isinstance(e, SupportPeriodStarted)] == [
        SupportPeriodStarted(starts_on=entered_on, ends_on=ends_on)
    ]


@pytest.mark.parametrize("step", [1, 2], ids=lambda s: f"from-{s}")
def test_no_support_period_when_entering_a_step_without_outcome(step: int) -> None:
    _, events = apply(at_step(step), Advance(COMMAND_ON), programme=LEVEL_UP, today=TODAY)
    assert not any(isinstance(e, SupportPeriodStarted) for e in events)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        pytest.param(date(2024, 1, 31), 1, date(2024, 2, 29), id="31-jan-leap"),
        pytest.param(date(2023, 1, 31), 1, date(2023, 2, 28), id="31-jan-non-leap"),
        pytest.param(date(2024, 1, 30), 1, date(2024, 2, 29), id="30-jan-leap"),
        pytest.param(date(2023, 1, 29), 1, date(2023, 2, 28), id="29-jan-non-leap"),
        pytest.param(date(2023, 11, 30), 3, date(2024, 2, 29), id="30-nov-plus-3-leap"),
        pytest.param(date(2024, 2, 29), 12, date(2025, 2, 28), id="leap-day-plus-year"),
        pytest.param(date(2024, 2, 29), 48, date(2028, 2, 29), id="leap-day-plus-4-years"),
        pytest.param(date(2024, 5, 31), 1, date(2024, 6, 30), id="31-may"),
        pytest.param(date(2024, 12, 15), 1, date(2025, 1, 15), id="december-wraps"),
        pytest.param(date(2024, 6, 15), 0, date(2024, 6, 15), id="zero"),
        pytest.param(date(2024, 3, 31), -1, date(2024, 2, 29), id="negative"),
        pytest.param(date(2024, 1, 15), -1, date(2023, 12, 15), id="negative-wraps"),
    ],
)
def test_add_months_clamps_to_month_end(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


# --- pause and resume -----------------------------------------------------------------------


@pytest.mark.parametrize("step", [1, 2, 3, 4], ids=lambda s: f"step-{s}")
def test_pause_keeps_the_step_and_resume_returns_to_it(step: int) -> None:
    active = at_step(step)
    paused = act(active, Pause(day(10), PauseReason.SICK_LEAVE, note=" Sjukskriven "))
    assert (paused.state, paused.step) == (P, step)
    assert paused.history[-1].pause_reason is PauseReason.SICK_LEAVE
    assert paused.history[-1].reason == "Sjukskriven"
    resumed = act(paused, Resume(day(12)))
    assert (resumed.state, resumed.step, resumed.highest_step) == (A, step, step)
    assert resumed.step_entered_on == active.step_entered_on
    assert resumed.outcome == active.outcome


@pytest.mark.parametrize("step", [1, 2, 3, 4], ids=lambda s: f"step-{s}")
def test_exit_from_paused_keeps_the_step(step: int) -> None:
    paused = act(at_step(step), Pause(day(10), PauseReason.OTHER))
    exited = act(paused, exit_command(day(11)))
    assert (exited.state, exited.step) == (X, step)
    assert exited.ended_on == day(11)


@pytest.mark.parametrize(
    "command",
    [
        pytest.param(Advance(COMMAND_ON), id="Advance"),
        pytest.param(StepBack(COMMAND_ON, "Förlorade jobbet"), id="StepBack"),
        pytest.param(Pause(COMMAND_ON, PauseReason.OTHER), id="Pause"),
    ],
)
def test_commands_while_paused_tell_the_user_to_resume(command: Command) -> None:
    paused = STATES["paused@2"]()
    with pytest.raises(InvalidTransition) as caught:
        apply(paused, command, programme=LEVEL_UP, today=TODAY)
    assert "Återuppta" in caught.value.detail
    assert "Återuppta" in str(caught.value)


def test_pause_note_too_long_is_invalid_input() -> None:
    with pytest.raises(InvalidInput):
        apply(
            at_step(1),
            Pause(COMMAND_ON, PauseReason.OTHER, note="x" * 501),
            programme=LEVEL_UP,
            today=TODAY,
        )


def test_blank_pause_note_is_stored_as_none() -> None:
    paused = act(at_step(1), Pause(COMMAND_ON, PauseReason.OTHER, note="   "))
    assert paused.history[-1].reason is None


# --- exit -----------------------------------------------------------------------------------


def test_default_exit_codes_are_found() -> None:
    assert EXIT_REASONS.find("5") is not None
    assert EXIT_STATUSES.find("7") is not None


@pytest.mark.parametrize(
    ("reason_code", "status_code"),
    [
        ("completed", "employment_unsubsidised"),
        ("5", "7"),
        ("regular_operations", "other_intervention"),
        ("registered_in_error", "7"),
    ],
    ids=lambda code: code,
)
def test_exit_stores_the_codes(reason_code: str, status_code: str) -> None:
    reason = _code(EXIT_REASONS.find(reason_code))
    status = _code(EXIT_STATUSES.find(status_code))
    exited = act(at_step(3), Exit(COMMAND_ON, exit_reason=reason, exit_status=status))
    assert (exited.exit_reason_code, exited.exit_status_code) == (reason_code, status_code)
    assert exited.history[-1].exit_reason_code == reason_code
    assert exited.history[-1].exit_status_code == status_code
    assert exited.ended_on == COMMAND_ON
    assert exited.started_on == day(2)


@pytest.mark.parametrize(
    ("reason", "status", "ok"),
    [
        pytest.param(
            replace(COMPLETED, valid_to=COMMAND_ON - timedelta(days=1)),
            EMPLOYED,
            False,
            id="reason-expired-day-before",
        ),
        pytest.param(
            COMPLETED,
            replace(EMPLOYED, valid_to=COMMAND_ON - timedelta(days=1)),
            False,
            id="status-expired-day-before",
        ),
        pytest.param(
            replace(COMPLETED, valid_from=COMMAND_ON + timedelta(days=1)),
            EMPLOYED,
            False,
            id="reason-not-yet-valid",
        ),
        pytest.param(
            replace(COMPLETED, valid_to=COMMAND_ON), EMPLOYED, True, id="reason-valid-to-exit-day"
        ),
        pytest.param(
            COMPLETED,
            replace(EMPLOYED, valid_from=COMMAND_ON),
            True,
            id="status-valid-from-exit-day",
        ),
    ],
)
def test_exit_codes_must_be_valid_on_the_exit_date(
    reason: CodeEntry, status: CodeEntry, ok: bool
) -> None:
    command = Exit(COMMAND_ON, exit_reason=reason, exit_status=status)
    if ok:
        assert act(at_step(2), command).state is X
    else:
        with pytest.raises(InvalidInput):
            apply(at_step(2), command, programme=LEVEL_UP, today=TODAY)


@pytest.mark.parametrize(
    ("reason_list", "status_list"),
    [
        pytest.param(CodeListName.EXIT_STATUS, CodeListName.EXIT_STATUS, id="reason-from-status"),
        pytest.param(CodeListName.EXIT_REASON, CodeListName.EXIT_REASON, id="status-from-reason"),
        pytest.param(CodeListName.BENEFIT, CodeListName.EXIT_STATUS, id="reason-from-benefit"),
        pytest.param(CodeListName.EXIT_STATUS, CodeListName.EXIT_REASON, id="swapped"),
    ],
)
def test_exit_codes_must_come_from_the_right_lists(
    reason_list: CodeListName, status_list: CodeListName
) -> None:
    command = Exit(
        COMMAND_ON,
        exit_reason=COMPLETED,
        exit_status=EMPLOYED,
        exit_reason_list=reason_list,
        exit_status_list=status_list,
    )
    with pytest.raises(InvalidInput):
        apply(at_step(2), command, programme=LEVEL_UP, today=TODAY)


# --- decline --------------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["referred", "intake"])
def test_decline_ends_a_referral_that_never_started(state: str) -> None:
    declined = act(STATES[state](), Decline(COMMAND_ON, "  Vill inte delta just nu "))
    assert (declined.state, declined.step, declined.started_on) == (D, None, None)
    assert declined.ended_on == COMMAND_ON
    assert declined.history[-1].reason == "Vill inte delta just nu"


@pytest.mark.parametrize("state", ["referred", "intake"])
@pytest.mark.parametrize(
    ("reason", "error"),
    [
        pytest.param("", MissingInformation, id="empty"),
        pytest.param("   ", MissingInformation, id="blank"),
        pytest.param("x" * (MAX_REASON_LENGTH + 1), InvalidInput, id="too-long"),
    ],
)
def test_decline_needs_a_reason(state: str, reason: str, error: type[DomainError]) -> None:
    with pytest.raises(error):
        apply(STATES[state](), Decline(COMMAND_ON, reason), programme=LEVEL_UP, today=TODAY)


# --- terminal states ------------------------------------------------------------------------


@pytest.mark.parametrize("state", ["declined", "exited@3"])
@pytest.mark.parametrize("command", [c for c in COMMANDS if c != "CorrectDate"])
def test_terminal_states_absorb_every_command(state: str, command: str) -> None:
    with pytest.raises(InvalidTransition) as caught:
        apply(STATES[state](), COMMANDS[command](COMMAND_ON), programme=LEVEL_UP, today=TODAY)
    assert "ny inskrivning" in caught.value.detail


@pytest.mark.parametrize("state", ["declined", "exited@3"])
def test_terminal_states_still_accept_a_date_correction(state: str) -> None:
    before = STATES[state]()
    after = act(before, CorrectDate(1, REFERRED_ON - timedelta(days=3), "Fel remissdatum"))
    assert after.state is before.state
    assert after.referred_on == REFERRED_ON - timedelta(days=3)


# --- self-assessments due (DOMAIN §4 rule 8) ------------------------------------------------


@pytest.mark.parametrize(
    ("state", "command", "occasions"),
    [
        pytest.param("referred", "HoldIntake", [], id="hold-intake-none"),
        pytest.param("intake", "Start", [OCCASION_START], id="start"),
        pytest.param("active@1", "Advance", [occasion_after_step(1)], id="advance-from-1"),
        pytest.param("active@2", "Advance", [occasion_after_step(2)], id="advance-from-2"),
        pytest.param("active@3", "Advance+outcome", [occasion_after_step(3)], id="advance-from-3"),
        pytest.param("active@2", "StepBack", [occasion_after_step(2)], id="step-back-from-2"),
        pytest.param("active@3", "StepBack", [occasion_after_step(3)], id="step-back-from-3"),
        # No occasion exists after the last step (DOMAIN.md §7: after Level 1, 2, 3 only).
        pytest.param("active@4", "StepBack", [], id="step-back-from-4"),
        pytest.param("active@1", "Exit", [OCCASION_EXIT], id="exit-from-1"),
        pytest.param("active@4", "Exit", [OCCASION_EXIT], id="exit-from-4"),
        pytest.param("paused@2", "Exit", [OCCASION_EXIT], id="exit-from-paused"),
        pytest.param("active@2", "Pause", [], id="pause-none"),
        pytest.param("paused@2", "Resume", [], id="resume-none"),
        pytest.param("referred", "Decline", [], id="decline-referred-none"),
        pytest.param("intake", "Decline", [], id="decline-intake-none"),
        pytest.param("active@2", "CorrectDate", [], id="correct-date-none"),
    ],
)
def test_assessment_due_events(state: str, command: str, occasions: list[str]) -> None:
    _, events = apply(
        STATES[state](), COMMANDS[command](COMMAND_ON), programme=LEVEL_UP, today=TODAY
    )
    due = [e for e in events if isinstance(e, AssessmentDue)]
    assert [e.occasion for e in due] == occasions
    assert all(e.due_on == COMMAND_ON for e in due)


def test_occasion_names() -> None:
    assert OCCASION_START == "start"
    assert OCCASION_EXIT == "exit"
    assert occasion_after_step(3) == "after_step_3"


def _kinds(events: list[Event]) -> list[type]:
    return [type(e) for e in events]


def test_every_command_records_exactly_one_transition_first() -> None:
    _, events = apply(
        at_step(3), Advance(COMMAND_ON, outcome=work(COMMAND_ON)), programme=LEVEL_UP, today=TODAY
    )
    assert _kinds(events) == [TransitionRecorded, AssessmentDue, SupportPeriodStarted]


# --- date corrections -----------------------------------------------------------------------


def _seq_of(enrolment: Enrolment, kind: TransitionKind) -> int:
    return next(t.seq for t in enrolment.history if t.kind is kind)


def test_correcting_the_start_date_changes_started_on_but_not_history() -> None:
    before = at_step(1)  # referred day(0), intake day(1), start day(2)
    start_seq = _seq_of(before, TransitionKind.START)
    original = before.history[start_seq - 1]
    new_date = day(2) - timedelta(days=3)
    after, events = apply(
        before,
        CorrectDate(start_seq, new_date, " Skrevs in för sent "),
        programme=LEVEL_UP,
        today=TODAY,
    )
    assert after.started_on == new_date
    assert after.step_entered_on == new_date
    assert after.effective_dates[start_seq] == new_date
    assert len(after.history) == len(before.history) + 1
    assert after.history[: len(before.history)] == before.history
    assert after.history[start_seq - 1] == original
    assert after.history[start_seq - 1].effective_on == day(2)
    correction = after.history[-1]
    assert correction.kind is TransitionKind.CORRECT_DATE
    assert correction.corrects_seq == start_seq
    assert correction.effective_on == new_date
    assert correction.reason == "Skrevs in för sent"
    assert events == [TransitionRecorded(correction)]


def test_correcting_a_step_entry_moves_step_entered_on_only() -> None:
    before = at_step(3)
    advance_seq = before.history[-1].seq
    after = act(before, CorrectDate(advance_seq, day(4) - timedelta(days=2), "Fel dag"))
    assert after.step_entered_on == day(4) - timedelta(days=2)
    assert after.started_on == before.started_on


def test_a_second_correction_of_the_same_transition_wins() -> None:
    before = at_step(1)
    start_seq = _seq_of(before, TransitionKind.START)
    after = act(
        before,
        CorrectDate(start_seq, day(2) - timedelta(days=1), "Fel"),
        CorrectDate(start_seq, day(2) - timedelta(days=4), "Fel igen"),
    )
    assert after.started_on == day(2) - timedelta(days=4)


@pytest.mark.parametrize(
    ("new_date", "ok"),
    [
        pytest.param(day(1) - timedelta(days=1), False, id="before-previous"),
        pytest.param(day(1), True, id="equal-to-previous"),
        pytest.param(day(2) + timedelta(days=2), True, id="between"),
        pytest.param(day(3), True, id="equal-to-next"),
        pytest.param(day(3) + timedelta(days=1), False, id="after-next"),
    ],
)
def test_corrected_date_must_stay_between_neighbours(new_date: date, ok: bool) -> None:
    before = at_step(2)  # referred day(0), intake day(1), start day(2), level 2 day(3)
    start_seq = _seq_of(before, TransitionKind.START)
    command = CorrectDate(start_seq, new_date, "Fel datum")
    if ok:
        assert act(before, command).started_on == new_date
    else:
        with pytest.raises(InvalidEffectiveDate):
            apply(before, command, programme=LEVEL_UP, today=TODAY)


def test_neighbour_check_uses_already_corrected_dates() -> None:
    before = at_step(2)
    start_seq = _seq_of(before, TransitionKind.START)
    advance_seq = before.history[-1].seq
    moved = act(before, CorrectDate(advance_seq, day(2) + timedelta(days=1), "Fel"))
    with pytest.raises(InvalidEffectiveDate):
        apply(
            moved,
            CorrectDate(start_seq, day(2) + timedelta(days=2), "Fel"),
            programme=LEVEL_UP,
            today=TODAY,
        )


def test_correcting_the_last_transition_into_the_future_is_rejected() -> None:
    before = at_step(1)
    last = before.history[-1].seq
    with pytest.raises(InvalidEffectiveDate):
        apply(
            before,
            CorrectDate(last, TODAY + timedelta(days=1), "Fel"),
            programme=LEVEL_UP,
            today=TODAY,
        )
    assert act(before, CorrectDate(last, TODAY, "Fel")).started_on == TODAY


@pytest.mark.parametrize("target", [0, -1, 99, 5], ids=["zero", "negative", "unknown", "next-seq"])
def test_correcting_an_unknown_transition_is_invalid_input(target: int) -> None:
    before = at_step(2)
    assert len(before.history) == 4
    with pytest.raises(InvalidInput):
        apply(before, CorrectDate(target, day(1), "Fel"), programme=LEVEL_UP, today=TODAY)


def test_a_correction_cannot_itself_be_corrected() -> None:
    before = act(at_step(1), CorrectDate(3, day(2) - timedelta(days=1), "Fel"))
    own_seq = before.history[-1].seq
    with pytest.raises(InvalidInput):
        apply(
            before,
            CorrectDate(own_seq, day(2) - timedelta(days=2), "Fel"),
            programme=LEVEL_UP,
            today=TODAY,
        )


@pytest.mark.parametrize(
    ("reason", "error"),
    [
        pytest.param("", MissingInformation, id="empty"),
        pytest.param("   ", MissingInformation, id="blank"),
        pytest.param("x" * (MAX_REASON_LENGTH + 1), InvalidInput, id="too-long"),
    ],
)
def test_a_correction_needs_a_reason(reason: str, error: type[DomainError]) -> None:
    with pytest.raises(error):
        apply(
            at_step(1),
            CorrectDate(3, day(2) - timedelta(days=1), reason),
            programme=LEVEL_UP,
            today=TODAY,
        )


def test_correcting_the_exit_date_moves_ended_on() -> None:
    before = STATES["exited@3"]()  # exit on day(10)
    exit_seq = _seq_of(before, TransitionKind.EXIT)
    after = act(before, CorrectDate(exit_seq, day(9), "Avslutades veckan innan"))
    assert after.state is X
    assert after.ended_on == day(9)
    assert after.history[exit_seq - 1].effective_on == day(10)
    assert after.exit_reason_code == before.exit_reason_code


def test_correcting_the_decline_date_moves_ended_on() -> None:
    before = STATES["declined"]()  # declined on day(2)
    decline_seq = _seq_of(before, TransitionKind.DECLINE)
    assert act(before, CorrectDate(decline_seq, day(1), "Fel")).ended_on == day(1)


def test_correcting_the_referral_date_moves_referred_on() -> None:
    before = at_step(1)
    after = act(before, CorrectDate(1, REFERRED_ON - timedelta(days=20), "Remissen kom tidigare"))
    assert after.referred_on == REFERRED_ON - timedelta(days=20)


def test_later_commands_are_checked_against_a_corrected_earlier_date() -> None:
    before = at_step(1)  # last transition: start on day(2)
    start_seq = before.history[-1].seq
    moved_back = act(before, CorrectDate(start_seq, day(1), "Fel"))
    assert moved_back.last_effective_on == day(1)
    # Before the correction this date was "before the previous transition".
    on = day(2) - timedelta(days=1)
    with pytest.raises(InvalidEffectiveDate):
        apply(before, Advance(on), programme=LEVEL_UP, today=TODAY)
    assert act(moved_back, Advance(on)).step == 2


def test_later_commands_are_checked_against_a_corrected_later_date() -> None:
    before = at_step(1)
    start_seq = before.history[-1].seq
    moved_forward = act(before, CorrectDate(start_seq, day(5), "Fel"))
    with pytest.raises(InvalidEffectiveDate):
        apply(moved_forward, Advance(day(4)), programme=LEVEL_UP, today=TODAY)
    assert act(moved_forward, Advance(day(5))).step == 2


# --- open_referral --------------------------------------------------------------------------


def _birthday(referred_on: date, age: int, days_later: int = 0) -> date:
    """A birth date making the person `age` on `referred_on`, shifted `days_later` days."""
    return referred_on.replace(year=referred_on.year - age) + timedelta(days=days_later)


@pytest.mark.parametrize(
    ("programme", "birth_date", "eligible"),
    [
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 16), True, id="up-16th-birthday"),
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 16, 1), False, id="up-day-before-16"),
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 15), False, id="up-15"),
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 29), True, id="up-29th-birthday"),
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 30, 1), True, id="up-day-before-30"),
        pytest.param(LEVEL_UP, _birthday(REFERRED_ON, 30), False, id="up-30th-birthday"),
        pytest.param(LEVEL_UPGRADE, _birthday(REFERRED_ON, 18, 1), False, id="upgrade-17"),
        pytest.param(LEVEL_UPGRADE, _birthday(REFERRED_ON, 18), True, id="upgrade-18"),
        pytest.param(LEVEL_UPGRADE, _birthday(REFERRED_ON, 40), True, id="upgrade-40"),
        pytest.param(LEVEL_UPGRADE, _birthday(REFERRED_ON, 65, 1), True, id="upgrade-64"),
        pytest.param(LEVEL_UPGRADE, _birthday(REFERRED_ON, 65), False, id="upgrade-65"),
        pytest.param(LEVEL_UPGRADE, REFERRED_ON + timedelta(days=1), False, id="unborn"),
    ],
)
def test_open_referral_age_range(programme: Programme, birth_date: date, eligible: bool) -> None:
    if eligible:
        enrolment, events = open_referral(
            programme, referred_on=REFERRED_ON, birth_date=birth_date, today=TODAY
        )
        assert enrolment.state is R
        assert enrolment.programme_code == programme.code
        assert enrolment.referred_on == REFERRED_ON
        assert [t.kind for t in enrolment.history] == [TransitionKind.REFER]
        assert enrolment.history[0].seq == 1
        assert events == [TransitionRecorded(enrolment.history[0])]
        assert (enrolment.step, enrolment.started_on, enrolment.ended_on) == (None, None, None)
    else:
        with pytest.raises(NotEligible):
            open_referral(programme, referred_on=REFERRED_ON, birth_date=birth_date, today=TODAY)


def test_age_is_taken_on_the_referral_date_not_today() -> None:
    # 29 on the referral date, 30 by "today": still eligible.
    birth = _birthday(REFERRED_ON, 30, 10)
    enrolment, _ = open_referral(LEVEL_UP, referred_on=REFERRED_ON, birth_date=birth, today=TODAY)
    assert enrolment.state is R


@pytest.mark.parametrize(
    ("referred_on", "ok"),
    [
        pytest.param(TODAY + timedelta(days=1), False, id="tomorrow"),
        pytest.param(TODAY + timedelta(days=400), False, id="next-year"),
        pytest.param(TODAY, True, id="today"),
        pytest.param(TODAY - timedelta(days=300), True, id="past"),
    ],
)
def test_open_referral_date(referred_on: date, ok: bool) -> None:
    if ok:
        enrolment, _ = open_referral(
            LEVEL_UP, referred_on=referred_on, birth_date=BIRTH, today=TODAY
        )
        assert enrolment.referred_on == referred_on
    else:
        with pytest.raises(InvalidEffectiveDate):
            open_referral(LEVEL_UP, referred_on=referred_on, birth_date=BIRTH, today=TODAY)


# --- whole months ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("start", "end", "months"),
    [
        pytest.param(date(2024, 3, 15), date(2024, 3, 15), 0, id="same-day"),
        pytest.param(date(2024, 3, 15), date(2024, 4, 14), 0, id="one-day-short"),
        pytest.param(date(2024, 3, 15), date(2024, 4, 15), 1, id="exactly-one"),
        pytest.param(date(2024, 1, 1), date(2024, 12, 31), 11, id="one-day-short-of-a-year"),
        pytest.param(date(2024, 1, 1), date(2025, 1, 1), 12, id="a-year"),
        pytest.param(date(2024, 3, 31), date(2024, 4, 30), 1, id="31st-to-30th"),
        pytest.param(date(2024, 3, 31), date(2024, 4, 29), 0, id="31st-to-29th"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 28), 0, id="31-jan-28-feb-leap"),
        pytest.param(date(2024, 1, 31), date(2024, 2, 29), 1, id="31-jan-29-feb-leap"),
        pytest.param(date(2023, 1, 31), date(2023, 2, 28), 1, id="31-jan-28-feb-non-leap"),
        pytest.param(date(2024, 1, 31), date(2024, 3, 30), 1, id="31-jan-30-mar"),
        pytest.param(date(2024, 1, 31), date(2024, 3, 31), 2, id="31-jan-31-mar"),
        pytest.param(date(2024, 2, 29), date(2024, 3, 28), 0, id="leap-day-short"),
        pytest.param(date(2024, 2, 29), date(2024, 3, 29), 1, id="leap-day-one"),
        pytest.param(date(2024, 2, 29), date(2025, 2, 28), 12, id="leap-day-a-year"),
        pytest.param(date(2024, 2, 28), date(2025, 2, 27), 11, id="28-feb-short-of-a-year"),
        pytest.param(date(2023, 12, 15), date(2024, 12, 14), 11, id="bucket-11"),
        pytest.param(date(2023, 12, 15), date(2024, 12, 15), 12, id="bucket-12"),
        pytest.param(date(2023, 12, 15), date(2025, 6, 14), 17, id="bucket-17"),
        pytest.param(date(2023, 12, 15), date(2025, 6, 15), 18, id="bucket-18"),
    ],
)
def test_whole_months_between(start: date, end: date, months: int) -> None:
    assert whole_months_between(start, end) == months


# --- programmes -----------------------------------------------------------------------------


@pytest.mark.parametrize("programme", [LEVEL_UP, LEVEL_UPGRADE], ids=lambda p: p.code)
def test_built_in_programmes_are_four_step_staircases(programme: Programme) -> None:
    assert [s.number for s in programme.steps] == [1, 2, 3, 4]
    assert (programme.first_step, programme.last_step) == (1, 4)
    assert [s.requires_outcome for s in programme.steps] == [False, False, False, True]
    assert programme.support_period_months == 3
    assert get_programme(programme.code) is programme
    assert BUILT_IN_PROGRAMMES[programme.code] is programme


def test_built_in_age_ranges() -> None:
    assert (LEVEL_UP.min_age, LEVEL_UP.max_age) == (16, 29)
    assert (LEVEL_UPGRADE.min_age, LEVEL_UPGRADE.max_age) == (18, 64)


def test_unknown_programme_is_unknown_code() -> None:
    with pytest.raises(UnknownCode):
        get_programme("nope")


@pytest.mark.parametrize(
    "numbers", [[], [0, 1], [1, 3], [2, 1], [1, 1]], ids=["empty", "from-0", "gap", "order", "dup"]
)
def test_programme_steps_must_be_numbered_one_to_n(numbers: list[int]) -> None:
    with pytest.raises(ValueError, match=r"1\.\.n"):
        Programme(
            code="bad",
            name_sv="Fel",
            name_en="Bad",
            steps=tuple(Step(n, f"s{n}", f"Steg {n}", f"Step {n}") for n in numbers),
            min_age=16,
            max_age=64,
            support_period_months=None,
            goals=ProgrammeGoals(),
        )


def test_step_outside_the_programme_is_value_error() -> None:
    for number in (0, 5):
        with pytest.raises(ValueError):
            LEVEL_UP.step(number)


def _five_steps(outcome_at: int | None, support: int | None = None) -> Programme:
    names = ["identifiering", "behovsanalys", "grundaktiviteter", "intresseväckning", "praktik"]
    return Programme(
        code=f"vagen_{outcome_at}",
        name_sv="Vägen till självförsörjning",
        name_en="The road to self-support",
        steps=tuple(
            Step(n, name, name.capitalize(), name, requires_outcome=n == outcome_at)
            for n, name in enumerate(names, start=1)
        ),
        min_age=16,
        max_age=64,
        support_period_months=support,
        goals=ProgrammeGoals(goal_reached_share=None),
    )


VAGEN = _five_steps(outcome_at=5)


def test_five_step_programme_climbs_all_five_steps() -> None:
    enrolment = at_step(4, VAGEN)  # 3 -> 4 needs no outcome here, unlike Level Up
    assert (enrolment.step, enrolment.outcome) == (4, None)
    with pytest.raises(MissingInformation):
        apply(enrolment, Advance(COMMAND_ON), programme=VAGEN, today=TODAY)
    enrolment, events = apply(
        enrolment, Advance(COMMAND_ON, outcome=studies(COMMAND_ON)), programme=VAGEN, today=TODAY
    )
    assert (enrolment.step, enrolment.highest_step) == (5, 5)
    assert [e.occasion for e in events if isinstance(e, AssessmentDue)] == [occasion_after_step(4)]
    # No support period configured: no event.
    assert not any(isinstance(e, SupportPeriodStarted) for e in events)
    with pytest.raises(InvalidTransition):
        apply(enrolment, Advance(TODAY, outcome=work(TODAY)), programme=VAGEN, today=TODAY)
    back = act(enrolment, StepBack(TODAY, "Praktiken avbröts"), programme=VAGEN)
    assert back.step == 4
    exited = act(back, exit_command(TODAY), programme=VAGEN)
    assert (exited.state, exited.step, exited.highest_step) == (X, 4, 5)


def test_five_step_programme_with_outcome_in_the_middle() -> None:
    programme = _five_steps(outcome_at=3, support=12)
    enrolment = at_step(2, programme)
    with pytest.raises(MissingInformation):
        apply(enrolment, Advance(COMMAND_ON), programme=programme, today=TODAY)
    at_3, events = apply(
        enrolment, Advance(COMMAND_ON, outcome=work(COMMAND_ON)), programme=programme, today=TODAY
    )
    assert SupportPeriodStarted(COMMAND_ON, add_months(COMMAND_ON, 12)) in events
    on = COMMAND_ON + timedelta(days=1)
    with pytest.raises(InvalidInput):
        apply(at_3, Advance(on, outcome=work(on)), programme=programme, today=TODAY)
    assert act(at_3, Advance(on), Advance(on), programme=programme).step == 5


def test_five_step_programme_without_any_outcome_step() -> None:
    programme = _five_steps(outcome_at=None)
    enrolment = at_step(5, programme)
    assert enrolment.step == 5
    assert all(t.outcome is None for t in enrolment.history)


def test_five_step_programme_age_range_is_its_own() -> None:
    older = _birthday(REFERRED_ON, 50)
    enrolment, _ = open_referral(VAGEN, referred_on=REFERRED_ON, birth_date=older, today=TODAY)
    assert enrolment.programme_code == VAGEN.code
    with pytest.raises(NotEligible):
        open_referral(LEVEL_UP, referred_on=REFERRED_ON, birth_date=older, today=TODAY)


def test_apply_with_another_programme_is_a_programming_error() -> None:
    with pytest.raises(ValueError, match="programme"):
        apply(at_step(1), Advance(COMMAND_ON), programme=LEVEL_UPGRADE, today=TODAY)


def test_outcome_survives_moving_past_and_back_onto_a_middle_outcome_step() -> None:
    """In a programme whose outcome step is not the last, stepping back onto it restores the
    outcome recorded on entering it (nothing assumes the outcome step is the last)."""
    steps = (
        Step(1, "s1", "Steg 1", "Step 1"),
        Step(2, "s2", "Steg 2", "Step 2", requires_outcome=True),
        Step(3, "s3", "Steg 3", "Step 3"),
    )
    programme = replace(LEVEL_UP, code="middle_outcome", steps=steps)
    e, _ = open_referral(programme, referred_on=day(0), birth_date=date(2000, 1, 1), today=TODAY)
    for command in (
        HoldIntake(day(1)),
        Start(day(2)),
        Advance(day(3), work(day(3))),
        Advance(day(4)),
    ):
        e, _ = apply(e, command, programme=programme, today=TODAY)
    assert (e.step, e.outcome) == (3, None)
    e, _ = apply(e, StepBack(day(5), "Praktiken avbröts"), programme=programme, today=TODAY)
    assert e.step == 2
    assert e.outcome == work(day(3))


def test_plain_strings_are_normalised_to_enums_in_an_outcome() -> None:
    outcome = Outcome(
        kind="work",  # type: ignore[arg-type]
        starts_on=day(1),
        subsidised=True,
        extent_percent=50,
    )
    assert outcome.kind is OutcomeKind.WORK
    with pytest.raises(InvalidInput):
        Outcome(OutcomeKind.WORK, day(1), subsidised=True, extent_percent=True)
