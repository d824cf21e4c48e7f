"""The individual plan and the resource group (domain/plans.py): revisions, goal rules, the
states a plan may be saved in, and resource-group membership."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.codelists import CodeEntry, CodeListName, default_code_list
from domain.enrolment import (
    Command,
    Decline,
    Enrolment,
    EnrolmentState,
    Exit,
    HoldIntake,
    Pause,
    PauseReason,
    Start,
    apply,
    open_referral,
)
from domain.errors import (
    DomainError,
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
)
from domain.plans import (
    MAX_GOAL_AREA_LENGTH,
    MAX_GOAL_TEXT_LENGTH,
    MAX_GOALS,
    MAX_PLAN_NOTE_LENGTH,
    Goal,
    GoalStatus,
    ResourceGroupMember,
    add_member,
    remove_member,
    save_plan,
)
from domain.programmes import LEVEL_UP

TODAY = date(2025, 6, 15)
BIRTH = date(2001, 3, 10)
REFERRED_ON = date(2024, 1, 8)


def _code(entry: CodeEntry | None) -> CodeEntry:
    assert entry is not None
    return entry


COMPLETED = _code(default_code_list(CodeListName.EXIT_REASON).find("completed"))
EMPLOYED = _code(default_code_list(CodeListName.EXIT_STATUS).find("employment_unsubsidised"))


def day(n: int) -> date:
    return REFERRED_ON + timedelta(weeks=n)


def enrolment_in(state: EnrolmentState) -> Enrolment:
    """An enrolment brought to `state` through the real state machine."""
    e, _ = open_referral(LEVEL_UP, referred_on=REFERRED_ON, birth_date=BIRTH, today=TODAY)
    paths: dict[EnrolmentState, list[Command]] = {
        EnrolmentState.REFERRED: [],
        EnrolmentState.INTAKE: [HoldIntake(day(1))],
        EnrolmentState.ACTIVE: [HoldIntake(day(1)), Start(day(2))],
        EnrolmentState.PAUSED: [
            HoldIntake(day(1)),
            Start(day(2)),
            Pause(day(3), PauseReason.SICK_LEAVE),
        ],
        EnrolmentState.DECLINED: [HoldIntake(day(1)), Decline(day(2), "Vill inte delta")],
        EnrolmentState.EXITED: [
            HoldIntake(day(1)),
            Start(day(2)),
            Exit(day(3), exit_reason=COMPLETED, exit_status=EMPLOYED),
        ],
    }
    for command in paths[state]:
        e, _ = apply(e, command, programme=LEVEL_UP, today=TODAY)
    assert e.state is state
    return e


ACTIVE = enrolment_in(EnrolmentState.ACTIVE)


# --- where a plan may be saved -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("state", "allowed"),
    [
        (EnrolmentState.REFERRED, True),
        (EnrolmentState.INTAKE, True),
        (EnrolmentState.ACTIVE, True),
        (EnrolmentState.PAUSED, True),
        (EnrolmentState.DECLINED, False),
        (EnrolmentState.EXITED, False),
    ],
)
def test_plan_may_be_saved_until_exit_or_decline(state: EnrolmentState, allowed: bool) -> None:
    goals = [Goal("Börja på komvux")]
    if allowed:
        assert save_plan(enrolment_in(state), 0, goals, None).revision == 1
    else:
        with pytest.raises(InvalidTransition) as info:
            save_plan(enrolment_in(state), 0, goals, None)
        assert info.value.detail  # a Swedish message a person can act on


@pytest.mark.parametrize(("current", "expected"), [(0, 1), (1, 2), (7, 8)])
def test_a_save_is_the_next_revision(current: int, expected: int) -> None:
    assert save_plan(ACTIVE, current, [], None).revision == expected


def test_negative_current_revision_is_refused() -> None:
    with pytest.raises(InvalidInput):
        save_plan(ACTIVE, -1, [], None)


# --- goal rules --------------------------------------------------------------------------------

FUTURE = TODAY + timedelta(days=400)


@pytest.mark.parametrize(
    ("goals", "note", "error", "field"),
    [
        ([], None, None, None),
        ([Goal("Mål")] * MAX_GOALS, None, None, None),
        ([Goal("Mål")] * (MAX_GOALS + 1), None, InvalidInput, "goals"),
        ([Goal("")], None, MissingInformation, "goals.0.text"),
        ([Goal("Mål"), Goal("   ")], None, MissingInformation, "goals.1.text"),
        ([Goal("x" * MAX_GOAL_TEXT_LENGTH)], None, None, None),
        ([Goal("x" * (MAX_GOAL_TEXT_LENGTH + 1))], None, InvalidInput, "goals.0.text"),
        ([Goal("Mål", area="a" * MAX_GOAL_AREA_LENGTH)], None, None, None),
        ([Goal("Mål", area="a" * (MAX_GOAL_AREA_LENGTH + 1))], None, InvalidInput, "goals.0.area"),
        ([Goal("Mål", status="finished")], None, InvalidInput, "goals.0.status"),  # type: ignore[arg-type]
        ([Goal("Mål", target_on=FUTURE)], None, None, None),
        ([], "n" * MAX_PLAN_NOTE_LENGTH, None, None),
        ([], "n" * (MAX_PLAN_NOTE_LENGTH + 1), InvalidInput, "note"),
    ],
)
def test_goal_and_note_rules(
    goals: list[Goal], note: str | None, error: type[DomainError] | None, field: str | None
) -> None:
    if error is None:
        plan = save_plan(ACTIVE, 0, goals, note)
        assert len(plan.goals) == len(goals)
    else:
        with pytest.raises(error) as info:
            save_plan(ACTIVE, 0, goals, note)
        assert field in info.value.fields


def test_text_is_trimmed_blank_optionals_become_none_and_order_is_kept() -> None:
    plan = save_plan(
        ACTIVE,
        2,
        [
            Goal("  Praktik på lager  ", GoalStatus.IN_PROGRESS, date(2025, 9, 1), "  Arbete "),
            Goal("Simma varje vecka", GoalStatus.ACHIEVED, None, "   "),
            Goal("Körkort", GoalStatus.DROPPED),
        ],
        "   ",
    )
    assert plan.revision == 3
    assert plan.note is None
    assert plan.goals == (
        Goal("Praktik på lager", GoalStatus.IN_PROGRESS, date(2025, 9, 1), "Arbete"),
        Goal("Simma varje vecka", GoalStatus.ACHIEVED, None, None),
        Goal("Körkort", GoalStatus.DROPPED, None, None),
    )


goal_texts = st.one_of(
    st.text(alphabet=" ", max_size=3),  # blank
    st.text(alphabet="abc åäö", min_size=1, max_size=MAX_GOAL_TEXT_LENGTH + 20),
)


@given(texts=st.lists(goal_texts, max_size=MAX_GOALS + 5))
def test_a_plan_is_accepted_exactly_when_every_goal_rule_holds(texts: list[str]) -> None:
    """Property: accepted iff at most 30 goals and every text is non-blank and at most 500
    characters once trimmed; an accepted plan keeps every goal, in order, trimmed."""
    valid = len(texts) <= MAX_GOALS and all(
        0 < len(t.strip()) <= MAX_GOAL_TEXT_LENGTH for t in texts
    )
    goals = [Goal(t) for t in texts]
    if valid:
        plan = save_plan(ACTIVE, 0, goals, None)
        assert [g.text for g in plan.goals] == [t.strip() for t in texts]
    else:
        with pytest.raises((InvalidInput, MissingInformation)):
            save_plan(ACTIVE, 0, goals, None)


# --- resource group ----------------------------------------------------------------------------


def member(**overrides: object) -> ResourceGroupMember:
    values: dict[str, object] = {
        "role": "Handläggare",
        "organisation": "Försäkringskassan",
        "name": "Hanna Handläggare",
        "phone": None,
        "email": None,
        "added_on": TODAY,
        "today": TODAY,
    }
    values.update(overrides)
    return add_member(**values)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("overrides", "error", "field"),
    [
        ({}, None, None),
        ({"added_on": TODAY - timedelta(days=300)}, None, None),
        ({"added_on": TODAY + timedelta(days=1)}, InvalidEffectiveDate, "added_on"),
        ({"role": "  "}, MissingInformation, "role"),
        ({"role": "r" * 101}, InvalidInput, "role"),
        ({"organisation": ""}, MissingInformation, "organisation"),
        ({"organisation": "o" * 201}, InvalidInput, "organisation"),
        ({"name": ""}, MissingInformation, "name"),
        ({"name": "n" * 101}, InvalidInput, "name"),
        ({"phone": "0" * 41}, InvalidInput, "phone"),
        ({"email": "e" * 250 + "@x.se"}, InvalidInput, "email"),
    ],
)
def test_member_rules(
    overrides: dict[str, object], error: type[DomainError] | None, field: str | None
) -> None:
    if error is None:
        m = member(**overrides)
        assert m.is_current and m.removed_on is None
    else:
        with pytest.raises(error) as info:
            member(**overrides)
        assert field in info.value.fields


def test_member_text_is_trimmed_and_blank_contact_is_none() -> None:
    m = member(role=" Kurator ", phone="  ", email=" ", name=" Kim Kurator ")
    assert (m.role, m.name, m.phone, m.email) == ("Kurator", "Kim Kurator", None, None)


@pytest.mark.parametrize(
    ("added_days_ago", "removed_days_ago", "error"),
    [
        (10, None, None),
        (0, None, None),  # added and removed the same day
        (10, 3, InvalidTransition),  # removing twice
    ],
)
def test_removing_a_member_ends_it_once(
    added_days_ago: int, removed_days_ago: int | None, error: type[DomainError] | None
) -> None:
    m = member(added_on=TODAY - timedelta(days=added_days_ago))
    if removed_days_ago is not None:
        m = remove_member(m, today=TODAY - timedelta(days=removed_days_ago))
    if error is None:
        ended = remove_member(m, today=TODAY)
        assert ended.removed_on == TODAY and not ended.is_current
        assert (ended.role, ended.added_on) == (m.role, m.added_on)  # the rest is kept
    else:
        with pytest.raises(error):
            remove_member(m, today=TODAY)


def test_removal_before_the_member_was_added_is_refused() -> None:
    m = member(added_on=TODAY)
    with pytest.raises(InvalidEffectiveDate):
        remove_member(m, today=TODAY - timedelta(days=1))
