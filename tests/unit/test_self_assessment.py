"""Self-assessment rules (DOMAIN.md §4 rule 8, §7): the questionnaire, which occasions each
transition makes due (also after a date correction), what a valid submission and correction is,
change per item, and overdue status. Table-driven, plus hypothesis where a property exists:
`due_occasions` must agree with the `AssessmentDue` events the state machine emits."""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import date, timedelta
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.codelists import CodeListName, default_code_list
from domain.enrolment import (
    Advance,
    AssessmentDue,
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
    StudiesKind,
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
from domain.programmes import LEVEL_UP, LEVEL_UPGRADE, Programme, ProgrammeGoals, Step
from domain.self_assessment import (
    ASSESSMENT_OVERDUE_AFTER_DAYS,
    CURRENT_QUESTIONNAIRE_VERSION,
    QUESTIONNAIRES,
    AssessmentStatus,
    Direction,
    DueOccasion,
    Item,
    ItemChange,
    Questionnaire,
    Reading,
    Respondent,
    Submission,
    SubmissionRecord,
    assessment_status,
    change_per_item,
    check_occasion,
    classify,
    due_occasions,
    follow_up_available_on,
    get_questionnaire,
    occasion_label,
    occasion_sort_key,
    programme_occasions,
    step_of_occasion,
    validate_correction,
    validate_submission,
)

TODAY = date(2025, 6, 15)
REFERRED_ON = date(2024, 1, 10)
BIRTH = date(2000, 3, 3)
EXIT_REASON = default_code_list(CodeListName.EXIT_REASON).entries[0]
EXIT_STATUS = default_code_list(CodeListName.EXIT_STATUS).entries[0]
WORK = Outcome(OutcomeKind.WORK, date(2024, 6, 1), subsidised=False, extent_percent=100)

V1_KEYS = (
    "work_study_readiness",
    "physical_health",
    "mental_health",
    "social_situation",
    "self_esteem",
    "exercise_habits",
    "diet",
    "life_satisfaction",
    "relations_with_authorities",
    "family_relations",
)

# A five-step programme whose outcome step is in the middle: nothing may assume Level Up's shape.
FIVE = Programme(
    code="five",
    name_sv="Fem steg",
    name_en="Five steps",
    steps=tuple(
        Step(n, f"s{n}", f"Steg {n}", f"Step {n}", requires_outcome=n == 3) for n in range(1, 6)
    ),
    min_age=16,
    max_age=64,
    support_period_months=None,
    goals=ProgrammeGoals(),
)


def d(days: int) -> date:
    """A business date `days` after the referral."""
    return REFERRED_ON + timedelta(days=days)


def run(programme: Programme, *commands: Command) -> Enrolment:
    e, _ = open_referral(programme, referred_on=REFERRED_ON, birth_date=BIRTH, today=TODAY)
    for c in commands:
        e, _ = apply(e, c, programme=programme, today=TODAY)
    return e


def exit_on(days: int) -> Exit:
    return Exit(d(days), exit_reason=EXIT_REASON, exit_status=EXIT_STATUS)


STARTED = (HoldIntake(d(5)), Start(d(10)))
TO_LEVEL_4 = (*STARTED, Advance(d(40)), Advance(d(80)), Advance(d(140), outcome=WORK))


# --- the questionnaire ----------------------------------------------------------------------


def test_version_1_has_the_ten_items_in_order_with_both_languages() -> None:
    q = get_questionnaire(1)
    assert q.keys == V1_KEYS
    assert CURRENT_QUESTIONNAIRE_VERSION == 1 and QUESTIONNAIRES[1] is q
    for item in q.items:
        for text in (
            item.text_sv,
            item.text_en,
            item.low_label_sv,
            item.high_label_sv,
            item.low_label_en,
            item.high_label_en,
        ):
            assert text.strip() == text and len(text) >= 3
        assert item.text_sv.endswith("?") and item.text_en.endswith("?")
        assert item.text_sv != item.text_en
        assert item.low_label_sv != item.high_label_sv


@pytest.mark.parametrize("version", [0, 2, -1, 999])
def test_unknown_questionnaire_version(version: int) -> None:
    with pytest.raises(UnknownCode) as caught:
        get_questionnaire(version)
    assert caught.value.fields == {"questionnaire_version": "okänd version"}


# --- occasions ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("occasion", "step"),
    [
        ("after_step_1", 1),
        ("after_step_12", 12),
        ("after_step_0", None),
        ("after_step_01", None),
        ("after_step_", None),
        ("after_step_x", None),
        ("after_step_٣", None),
        ("start", None),
        ("exit", None),
    ],
)
def test_step_of_occasion(occasion: str, step: int | None) -> None:
    assert step_of_occasion(occasion) == step


@pytest.mark.parametrize(
    ("occasion", "sv", "en"),
    [
        ("start", "Start", "Start"),
        ("after_step_1", "Efter Level 1", "After Level 1"),
        ("after_step_3", "Efter Level 3", "After Level 3"),
        ("exit", "Avslut", "Exit"),
        ("follow_up", "Uppföljning", "Follow-up"),
    ],
)
def test_occasion_labels(occasion: str, sv: str, en: str) -> None:
    label = occasion_label(occasion)
    assert (label.sv, label.en) == (sv, en)


def test_the_staircase_has_six_occasions_in_order() -> None:
    expected = ("start", "after_step_1", "after_step_2", "after_step_3", "exit", "follow_up")
    assert programme_occasions(LEVEL_UP) == expected
    assert sorted(reversed(expected), key=occasion_sort_key) == list(expected)
    assert len(programme_occasions(FIVE)) == 7


@pytest.mark.parametrize("occasion", ["after_step_4", "after_step_0", "later", "START", ""])
def test_an_occasion_outside_the_programme_is_invalid_input(occasion: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        check_occasion(LEVEL_UP, occasion)
    assert caught.value.fields == {"occasion": "okänt tillfälle"}


# Each row: the commands after referral, and the occasions that must be due with their dates.
DUE_CASES: list[tuple[str, Programme, tuple[Command, ...], list[tuple[str, date]]]] = [
    ("referred", LEVEL_UP, (), []),
    ("intake", LEVEL_UP, (HoldIntake(d(5)),), []),
    ("declined", LEVEL_UP, (Decline(d(5), "Vill inte"),), []),
    ("start", LEVEL_UP, STARTED, [("start", d(10))]),
    (
        "pause-resume",
        LEVEL_UP,
        (*STARTED, Pause(d(20), PauseReason.OTHER), Resume(d(30))),
        [("start", d(10))],
    ),
    (
        "advance",
        LEVEL_UP,
        (*STARTED, Advance(d(40))),
        [("start", d(10)), ("after_step_1", d(40))],
    ),
    (
        "to-level-4",
        LEVEL_UP,
        TO_LEVEL_4,
        [
            ("start", d(10)),
            ("after_step_1", d(40)),
            ("after_step_2", d(80)),
            ("after_step_3", d(140)),
        ],
    ),
    (
        "step-back-from-the-last-step-makes-nothing-due",
        LEVEL_UP,
        (*TO_LEVEL_4, StepBack(d(150), "Förlorade jobbet")),
        [
            ("start", d(10)),
            ("after_step_1", d(40)),
            ("after_step_2", d(80)),
            ("after_step_3", d(140)),
        ],
    ),
    (
        "step-back-from-a-middle-step",
        LEVEL_UP,
        (*STARTED, Advance(d(40)), StepBack(d(50), "Behövde mer stöd")),
        [("start", d(10)), ("after_step_1", d(40)), ("after_step_2", d(50))],
    ),
    (
        "advancing-again-keeps-the-first-due-date",
        LEVEL_UP,
        (*STARTED, Advance(d(40)), StepBack(d(50), "Behövde mer stöd"), Advance(d(60))),
        [("start", d(10)), ("after_step_1", d(40)), ("after_step_2", d(50))],
    ),
    (
        "exit-from-active",
        LEVEL_UP,
        (*STARTED, Advance(d(40)), exit_on(90)),
        [("start", d(10)), ("after_step_1", d(40)), ("exit", d(90))],
    ),
    (
        "exit-from-paused",
        LEVEL_UPGRADE,
        (*STARTED, Pause(d(20), PauseReason.SICK_LEAVE), exit_on(30)),
        [("start", d(10)), ("exit", d(30))],
    ),
    (
        "exit-from-level-4",
        LEVEL_UP,
        (*TO_LEVEL_4, exit_on(200)),
        [
            ("start", d(10)),
            ("after_step_1", d(40)),
            ("after_step_2", d(80)),
            ("after_step_3", d(140)),
            ("exit", d(200)),
        ],
    ),
    (
        "corrected-start-date-moves-the-start-occasion",
        LEVEL_UP,
        (*STARTED, Advance(d(40)), CorrectDate(3, d(12), "Fel startdatum")),
        [("start", d(12)), ("after_step_1", d(40))],
    ),
    (
        "corrected-advance-date-moves-its-occasion",
        LEVEL_UP,
        (*STARTED, Advance(d(40)), Advance(d(80)), CorrectDate(4, d(35), "Fel datum")),
        [("start", d(10)), ("after_step_1", d(35)), ("after_step_2", d(80))],
    ),
    (
        "corrected-exit-date-moves-exit",
        LEVEL_UP,
        (*STARTED, exit_on(90), CorrectDate(4, d(85), "Fel avslutsdatum")),
        [("start", d(10)), ("exit", d(85))],
    ),
    (
        "five-steps-outcome-in-the-middle",
        FIVE,
        (
            *STARTED,
            Advance(d(20)),
            Advance(d(30), outcome=replace(WORK, starts_on=d(30))),
            Advance(d(40)),
            Advance(d(50)),
            StepBack(d(60), "Tillbaka"),
        ),
        [
            ("start", d(10)),
            ("after_step_1", d(20)),
            ("after_step_2", d(30)),
            ("after_step_3", d(40)),
            ("after_step_4", d(50)),
        ],
    ),
]


@pytest.mark.parametrize(
    ("programme", "commands", "expected"),
    [c[1:] for c in DUE_CASES],
    ids=[c[0] for c in DUE_CASES],
)
def test_occasions_made_due_by_each_transition(
    programme: Programme, commands: tuple[Command, ...], expected: list[tuple[str, date]]
) -> None:
    e = run(programme, *commands)
    assert due_occasions(programme, e) == tuple(DueOccasion(o, on) for o, on in expected)


FOLLOW_UP_CASES: list[tuple[str, Programme, tuple[Command, ...], date | None]] = [
    ("referred", LEVEL_UP, (), None),
    ("at-level-3", LEVEL_UP, TO_LEVEL_4[:-1], None),
    ("level-4-entered", LEVEL_UP, TO_LEVEL_4, d(140)),
    (
        "stepped-back-from-level-4",
        LEVEL_UP,
        (*TO_LEVEL_4, StepBack(d(150), "Jobbet tog slut")),
        d(140),
    ),
    ("exited-before-level-4", LEVEL_UP, (*STARTED, exit_on(30)), d(30)),
    ("exit-after-level-4-keeps-the-first", LEVEL_UP, (*TO_LEVEL_4, exit_on(200)), d(140)),
    ("declined", LEVEL_UP, (Decline(d(5), "Vill inte"),), None),
    (
        "outcome-step-in-the-middle",
        FIVE,
        (*STARTED, Advance(d(20)), Advance(d(30), outcome=replace(WORK, starts_on=d(30)))),
        d(30),
    ),
]


@pytest.mark.parametrize(
    ("programme", "commands", "expected"),
    [c[1:] for c in FOLLOW_UP_CASES],
    ids=[c[0] for c in FOLLOW_UP_CASES],
)
def test_when_a_follow_up_assessment_may_be_answered(
    programme: Programme, commands: tuple[Command, ...], expected: date | None
) -> None:
    assert follow_up_available_on(programme, run(programme, *commands)) == expected


@pytest.mark.parametrize(
    ("days_since_due", "answered", "expected"),
    [
        (0, False, AssessmentStatus.DUE),
        (ASSESSMENT_OVERDUE_AFTER_DAYS, False, AssessmentStatus.DUE),
        (ASSESSMENT_OVERDUE_AFTER_DAYS + 1, False, AssessmentStatus.OVERDUE),
        (400, False, AssessmentStatus.OVERDUE),
        (400, True, AssessmentStatus.ANSWERED),
        (0, True, AssessmentStatus.ANSWERED),
    ],
)
def test_assessment_status(days_since_due: int, answered: bool, expected: AssessmentStatus) -> None:
    assert assessment_status(TODAY - timedelta(days=days_since_due), answered, TODAY) is expected


# --- due occasions agree with the state machine's AssessmentDue events ----------------------

ACTIONS = (
    "intake",
    "start",
    "advance",
    "step_back",
    "pause",
    "resume",
    "exit",
    "decline",
    "correct",
)


def _command(action: str, e: Enrolment, programme: Programme, offset: int, pick: int) -> Command:
    on = e.last_effective_on + timedelta(days=offset)
    if action == "intake":
        return HoldIntake(on)
    if action == "start":
        return Start(on)
    if action == "advance":
        needs = (
            e.step is not None
            and e.step < programme.last_step
            and programme.step(e.step + 1).requires_outcome
        )
        outcome = Outcome(OutcomeKind.STUDIES, on, studies_kind=StudiesKind.KOMVUX)
        return Advance(on, outcome=outcome if needs else None)
    if action == "step_back":
        return StepBack(on, "Behövde gå tillbaka")
    if action == "pause":
        return Pause(on, PauseReason.OTHER)
    if action == "resume":
        return Resume(on)
    if action == "exit":
        return Exit(on, exit_reason=EXIT_REASON, exit_status=EXIT_STATUS)
    if action == "decline":
        return Decline(on, "Vill inte")
    dated = [t for t in e.history if t.kind.value != "correct_date"]
    target = dated[pick % len(dated)]
    return CorrectDate(
        target.seq, e.effective_dates[target.seq] + timedelta(days=offset - 3), "Fel"
    )


# What a walk tries from each state; repeats weight the choice, so walks climb the staircase
# and step back, pause and correct dates on the way, and only sometimes end early.
WALK_OPTIONS: dict[str, list[str]] = {
    "referred": ["intake"] * 6 + ["decline", "correct"],
    "intake": ["start"] * 6 + ["decline", "correct"],
    "active": ["advance"] * 4 + ["step_back"] * 2 + ["pause", "exit", "correct", "correct"],
    "paused": ["resume"] * 3 + ["exit", "correct"],
    "exited": ["correct"],
    "declined": ["correct"],
}


@settings(max_examples=300, deadline=None)
@given(programme=st.sampled_from([LEVEL_UP, LEVEL_UPGRADE, FIVE]), data=st.data())
def test_due_occasions_agree_with_the_assessment_due_events(
    programme: Programme, data: st.DataObject
) -> None:
    today = REFERRED_ON + timedelta(days=3000)
    e, _ = open_referral(programme, referred_on=REFERRED_ON, birth_date=BIRTH, today=today)
    # occasion -> seq of the transition whose event first made it due
    first_event: dict[str, int] = {}
    for _ in range(data.draw(st.integers(0, 40), label="length")):
        action = data.draw(st.sampled_from(WALK_OPTIONS[e.state.value]), label="action")
        # Offsets below 3 let some corrections fall before the previous date (and be refused).
        offset = data.draw(st.integers(0, 20), label="offset")
        pick = data.draw(st.integers(0, 50), label="pick")
        try:
            e, events = apply(
                e, _command(action, e, programme, offset, pick), programme=programme, today=today
            )
        except DomainError:
            continue
        for ev in events:
            if isinstance(ev, AssessmentDue):
                assert ev.due_on == e.history[-1].effective_on
                first_event.setdefault(ev.occasion, e.history[-1].seq)
        # Compared after every command, not only at the end of the walk.
        expected = tuple(DueOccasion(o, e.effective_dates[seq]) for o, seq in first_event.items())
        assert due_occasions(programme, e) == expected
    assert all(o in programme_occasions(programme) for o in first_event)


# --- submissions ----------------------------------------------------------------------------

AT_LEVEL_2 = run(LEVEL_UP, *STARTED, Advance(d(40)))


def submission(**overrides: Any) -> Submission:
    values: dict[str, Any] = {
        "occasion": "after_step_1",
        "questionnaire_version": 1,
        "answered_on": d(45),
        "respondent": Respondent.PARTICIPANT,
        "answers": {"self_esteem": 6, "diet": 4},
        "mentor_rating": None,
    }
    values.update(overrides)
    return Submission(**values)


def validate(
    s: Submission, enrolment: Enrolment = AT_LEVEL_2, answered: tuple[str, ...] = ()
) -> Submission:
    return validate_submission(
        s, programme=LEVEL_UP, enrolment=enrolment, answered_occasions=answered, today=TODAY
    )


def test_a_valid_submission_is_normalised_to_questionnaire_order() -> None:
    clean = validate(
        submission(answers={"diet": 4, "self_esteem": 6}, respondent="participant_with_mentor")
    )
    assert list(clean.answers) == ["self_esteem", "diet"]
    assert clean.respondent is Respondent.PARTICIPANT_WITH_MENTOR
    assert clean.mentor_rating is None


def test_the_mentor_rating_is_kept_apart() -> None:
    clean = validate(submission(answers={"diet": 2}, mentor_rating={"diet": 7, "self_esteem": 5}))
    assert clean.answers == {"diet": 2}
    assert clean.mentor_rating == {"self_esteem": 5, "diet": 7}


def test_every_boundary_score_is_accepted() -> None:
    q = get_questionnaire(1)
    for score in (1, 10):
        assert validate(submission(answers=dict.fromkeys(q.keys, score))).answers == dict.fromkeys(
            q.keys, score
        )


REFUSALS: list[tuple[str, dict[str, Any], type[DomainError], str]] = [
    ("score-0", {"answers": {"diet": 0}}, InvalidInput, "answers.diet"),
    ("score-11", {"answers": {"diet": 11}}, InvalidInput, "answers.diet"),
    ("negative", {"answers": {"diet": -3}}, InvalidInput, "answers.diet"),
    ("float", {"answers": {"diet": 5.0}}, InvalidInput, "answers.diet"),
    ("string", {"answers": {"diet": "5"}}, InvalidInput, "answers.diet"),
    ("bool", {"answers": {"diet": True}}, InvalidInput, "answers.diet"),
    ("unknown-item", {"answers": {"happiness": 5}}, InvalidInput, "answers.happiness"),
    ("no-answers", {"answers": {}}, MissingInformation, "answers"),
    ("mentor-score-11", {"mentor_rating": {"diet": 11}}, InvalidInput, "mentor_rating.diet"),
    ("mentor-unknown-item", {"mentor_rating": {"x": 3}}, InvalidInput, "mentor_rating.x"),
    ("mentor-empty", {"mentor_rating": {}}, MissingInformation, "mentor_rating"),
    ("unknown-version", {"questionnaire_version": 2}, UnknownCode, "questionnaire_version"),
    ("unknown-occasion", {"occasion": "halfway"}, InvalidInput, "occasion"),
    ("occasion-after-last-step", {"occasion": "after_step_4"}, InvalidInput, "occasion"),
    ("unknown-respondent", {"respondent": "mentor"}, InvalidInput, "respondent"),
    ("not-yet-due", {"occasion": "after_step_2"}, InvalidTransition, "occasion"),
    ("exit-not-yet-due", {"occasion": "exit"}, InvalidTransition, "occasion"),
    ("follow-up-too-early", {"occasion": "follow_up"}, InvalidTransition, "occasion"),
    ("future", {"answered_on": TODAY + timedelta(days=1)}, InvalidEffectiveDate, "answered_on"),
    (
        "before-referral",
        {"occasion": "start", "answered_on": d(-1)},
        InvalidEffectiveDate,
        "answered_on",
    ),
    ("before-due", {"answered_on": d(39)}, InvalidEffectiveDate, "answered_on"),
]


@pytest.mark.parametrize(
    ("overrides", "error", "field"), [r[1:] for r in REFUSALS], ids=[r[0] for r in REFUSALS]
)
def test_refused_submissions(
    overrides: dict[str, Any], error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as caught:
        validate(submission(**overrides))
    assert type(caught.value) is error
    assert field in caught.value.fields
    assert caught.value.detail


def test_answering_an_occasion_twice_is_refused() -> None:
    with pytest.raises(InvalidTransition) as caught:
        validate(submission(), answered=("after_step_1",))
    assert caught.value.fields == {"occasion": "redan besvarad"}
    # Other occasions being answered does not matter.
    assert validate(submission(), answered=("start",)).occasion == "after_step_1"


def test_the_start_may_be_answered_on_the_start_date() -> None:
    assert validate(submission(occasion="start", answered_on=d(10))).answered_on == d(10)


def test_follow_up_may_be_answered_after_level_4_or_exit() -> None:
    at_4 = run(LEVEL_UP, *TO_LEVEL_4)
    ok = validate(submission(occasion="follow_up", answered_on=d(200)), enrolment=at_4)
    assert ok.occasion == "follow_up"
    with pytest.raises(InvalidEffectiveDate):
        validate(submission(occasion="follow_up", answered_on=d(139)), enrolment=at_4)
    exited = run(LEVEL_UP, *STARTED, exit_on(30))
    assert validate(
        submission(occasion="follow_up", answered_on=d(31)), enrolment=exited
    ).answered_on == d(31)


# --- corrections ----------------------------------------------------------------------------

ORIGINAL = SubmissionRecord(id=7, occasion="after_step_1", questionnaire_version=1, is_current=True)


def correct(
    record: SubmissionRecord = ORIGINAL,
    reason: str | None = "Fel siffra för kost",
    answered: tuple[str, ...] = ("after_step_1",),
    **overrides: Any,
) -> tuple[Submission, str]:
    return validate_correction(
        record,
        submission(**overrides),
        reason,
        programme=LEVEL_UP,
        enrolment=AT_LEVEL_2,
        answered_occasions=answered,
        today=TODAY,
    )


def test_a_correction_replaces_the_answered_occasion() -> None:
    clean, reason = correct(reason="  Fel siffra för kost ", answers={"diet": 5})
    assert clean.answers == {"diet": 5} and reason == "Fel siffra för kost"


CORRECTION_REFUSALS: list[tuple[str, dict[str, Any], type[DomainError], str]] = [
    ("superseded", {"record": replace(ORIGINAL, is_current=False)}, InvalidTransition, "id"),
    ("no-reason", {"reason": None}, MissingInformation, "reason"),
    ("blank-reason", {"reason": "   "}, MissingInformation, "reason"),
    ("long-reason", {"reason": "x" * 501}, InvalidInput, "reason"),
    ("other-occasion", {"occasion": "start"}, InvalidInput, "occasion"),
    ("other-version", {"questionnaire_version": 2}, InvalidInput, "occasion"),
    ("score-11", {"answers": {"diet": 11}}, InvalidInput, "answers.diet"),
    ("future", {"answered_on": TODAY + timedelta(days=3)}, InvalidEffectiveDate, "answered_on"),
]


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [r[1:] for r in CORRECTION_REFUSALS],
    ids=[r[0] for r in CORRECTION_REFUSALS],
)
def test_refused_corrections(
    overrides: dict[str, Any], error: type[DomainError], field: str
) -> None:
    with pytest.raises(error) as caught:
        correct(**overrides)
    assert type(caught.value) is error
    assert field in caught.value.fields


# --- change per item ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("first", "latest", "direction"),
    [
        (1, 10, Direction.IMPROVED),
        (4, 5, Direction.IMPROVED),
        (5, 5, Direction.UNCHANGED),
        (10, 10, Direction.UNCHANGED),
        (6, 5, Direction.WORSENED),
        (10, 1, Direction.WORSENED),
    ],
)
def test_classify(first: int, latest: int, direction: Direction) -> None:
    assert classify(first, latest) is direction


def reading(sid: int, occasion: str, days: int, **answers: int) -> Reading:
    return Reading(sid, occasion, d(days), answers)


CHANGE_CASES: list[tuple[str, list[Reading], dict[str, ItemChange]]] = [
    ("no-readings", [], {}),
    ("one-reading-has-no-pair", [reading(1, "start", 10, diet=3, self_esteem=4)], {}),
    (
        "first-vs-latest-not-the-middle",
        [
            reading(1, "start", 10, diet=3),
            reading(2, "after_step_1", 40, diet=9),
            reading(3, "exit", 90, diet=5),
        ],
        {"diet": ItemChange(3, 5, 2, Direction.IMPROVED)},
    ),
    (
        "input-order-does-not-matter",
        [reading(3, "exit", 90, diet=2), reading(1, "start", 10, diet=6)],
        {"diet": ItemChange(6, 2, -4, Direction.WORSENED)},
    ),
    (
        "an-item-missing-in-one-reading-has-no-pair",
        [
            reading(1, "start", 10, diet=3, self_esteem=4),
            reading(2, "after_step_1", 40, diet=3),
        ],
        {"diet": ItemChange(3, 3, 0, Direction.UNCHANGED)},
    ),
    (
        "per-item-first-and-latest-reading-that-has-it",
        [
            reading(1, "start", 10, diet=3),
            reading(2, "after_step_1", 40, self_esteem=2),
            reading(3, "after_step_2", 80, diet=4),
            reading(4, "exit", 90, self_esteem=8),
        ],
        {
            "diet": ItemChange(3, 4, 1, Direction.IMPROVED),
            "self_esteem": ItemChange(2, 8, 6, Direction.IMPROVED),
        },
    ),
    (
        "same-day-ordered-by-occasion",
        [reading(9, "exit", 50, diet=7), reading(8, "after_step_3", 50, diet=2)],
        {"diet": ItemChange(2, 7, 5, Direction.IMPROVED)},
    ),
]


@pytest.mark.parametrize(
    ("readings", "expected"), [c[1:] for c in CHANGE_CASES], ids=[c[0] for c in CHANGE_CASES]
)
def test_change_per_item(readings: list[Reading], expected: dict[str, ItemChange]) -> None:
    assert change_per_item(readings) == expected


scores = st.dictionaries(st.sampled_from(V1_KEYS), st.integers(1, 10), max_size=10)


@settings(max_examples=200, deadline=None)
@given(
    answer_sets=st.lists(scores, max_size=8),
    days=st.lists(st.integers(0, 500), min_size=8, max_size=8, unique=True),
    seed=st.integers(0, 2**16),
)
def test_change_properties(answer_sets: list[dict[str, int]], days: list[int], seed: int) -> None:
    readings = [reading(i + 1, "start", days[i], **a) for i, a in enumerate(answer_sets)]
    changes = change_per_item(readings)
    shuffled = readings[:]
    random.Random(seed).shuffle(shuffled)
    assert change_per_item(shuffled) == changes
    by_date = sorted(readings, key=lambda r: r.answered_on)
    for key in V1_KEYS:
        having = [r for r in by_date if key in r.answers]
        if len(having) < 2:
            assert key not in changes
            continue
        c = changes[key]
        assert (c.first, c.latest) == (having[0].answers[key], having[-1].answers[key])
        assert c.difference == c.latest - c.first
        assert -9 <= c.difference <= 9
        assert c.direction is classify(c.first, c.latest)
        assert (c.difference > 0) == (c.direction is Direction.IMPROVED)
        assert (c.difference < 0) == (c.direction is Direction.WORSENED)


@pytest.mark.parametrize(
    ("key", "accepted"),
    [
        ("work_study_readiness", True),
        ("item2", True),
        ("Health", False),  # not lower case
        ("a:b", False),  # the export folds answers as "key:score,key:score"
        ("a,b", False),
        ("2nd", False),
        ("", False),
        ("x" * 61, False),
    ],
)
def test_item_keys_are_snake_case(key: str, accepted: bool) -> None:
    item = Item(key, "Fråga", "Question", "låg", "hög", "low", "high")
    if accepted:
        assert Questionnaire(9, (item,)).keys == (key,)
    else:
        with pytest.raises(ValueError, match="snake_case"):
            Questionnaire(9, (item,))
