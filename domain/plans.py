"""The individual plan (genomförandeplan) and the resource group (resursgrupp), DOMAIN.md §3.

A plan belongs to one enrolment. It is never edited in place: every save is a new revision
(1, 2, ...) and earlier revisions stay as they were, so "what did we agree in March?" can always
be answered. Resource-group members belong to the participant (the people around the person
outlive any one enrolment); removing a member ends it on a date and keeps it as history.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date
from enum import StrEnum

from domain.enrolment import Enrolment, EnrolmentState
from domain.errors import (
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
)

MAX_GOALS = 30
MAX_GOAL_TEXT_LENGTH = 500
MAX_GOAL_AREA_LENGTH = 100
MAX_PLAN_NOTE_LENGTH = 2000

MAX_MEMBER_ROLE_LENGTH = 100
MAX_MEMBER_ORGANISATION_LENGTH = 200
MAX_MEMBER_NAME_LENGTH = 100
MAX_MEMBER_PHONE_LENGTH = 40
MAX_MEMBER_EMAIL_LENGTH = 254


class GoalStatus(StrEnum):
    NOT_STARTED = "not_started"
    IN_PROGRESS = "in_progress"
    ACHIEVED = "achieved"
    DROPPED = "dropped"


@dataclass(frozen=True, slots=True)
class Goal:
    text: str
    status: GoalStatus = GoalStatus.NOT_STARTED
    # A target is a plan for the future, so unlike business dates it may lie ahead.
    target_on: date | None = None
    area: str | None = None


@dataclass(frozen=True, slots=True)
class PlanRevision:
    revision: int
    goals: tuple[Goal, ...]
    note: str | None = None


NO_PLAN_REVISION = 0


def _optional_text(value: str | None, limit: int, field: str, what: str) -> str | None:
    if value is None:
        return None
    text = value.strip()
    if not text:
        return None
    if len(text) > limit:
        raise InvalidInput(f"{what} får vara högst {limit} tecken.", fields={field: "för lång"})
    return text


def _required_text(value: str, limit: int, field: str, what: str) -> str:
    text = (value or "").strip()
    if not text:
        raise MissingInformation(f"Ange {what.lower()}.", fields={field: "krävs"})
    if len(text) > limit:
        raise InvalidInput(f"{what} får vara högst {limit} tecken.", fields={field: "för lång"})
    return text


def _check_goal(index: int, goal: Goal) -> Goal:
    prefix = f"goals.{index}"
    text = (goal.text or "").strip()
    if not text:
        raise MissingInformation(
            f"Mål {index + 1} saknar text. Beskriv målet eller ta bort det.",
            fields={f"{prefix}.text": "krävs"},
        )
    if len(text) > MAX_GOAL_TEXT_LENGTH:
        raise InvalidInput(
            f"Mål {index + 1} är för långt; högst {MAX_GOAL_TEXT_LENGTH} tecken.",
            fields={f"{prefix}.text": "för lång"},
        )
    if not isinstance(goal.status, GoalStatus):
        raise InvalidInput(
            f"Mål {index + 1} har en okänd status.", fields={f"{prefix}.status": "okänd status"}
        )
    area = _optional_text(goal.area, MAX_GOAL_AREA_LENGTH, f"{prefix}.area", "Området")
    return Goal(text=text, status=goal.status, target_on=goal.target_on, area=area)


def check_plan_allowed(enrolment: Enrolment) -> None:
    """A plan belongs to a running enrolment: nothing but follow-ups happens after exit
    (DOMAIN.md §4 rule 7), and a declined referral never started."""
    if enrolment.state is EnrolmentState.EXITED:
        raise InvalidTransition(
            "Inskrivningen är avslutad; planen kan inte ändras efter avslut. "
            "En person som kommer tillbaka får en ny inskrivning med en ny plan."
        )
    if enrolment.state is EnrolmentState.DECLINED:
        raise InvalidTransition(
            "Inskrivningen avböjdes och startade aldrig; den kan inte få någon plan."
        )


def save_plan(
    enrolment: Enrolment, current_revision: int, goals: Iterable[Goal], note: str | None
) -> PlanRevision:
    """The next revision of the enrolment's plan, or a domain error. `current_revision` is the
    newest stored revision (0 when there is no plan yet)."""
    check_plan_allowed(enrolment)
    if current_revision < NO_PLAN_REVISION:
        raise InvalidInput("Planens revision kan inte vara negativ.")
    goal_list = list(goals)
    if len(goal_list) > MAX_GOALS:
        raise InvalidInput(
            f"En plan kan ha högst {MAX_GOALS} mål; dela upp eller slå ihop mål.",
            fields={"goals": f"högst {MAX_GOALS}"},
        )
    checked = tuple(_check_goal(i, g) for i, g in enumerate(goal_list))
    clean_note = _optional_text(note, MAX_PLAN_NOTE_LENGTH, "note", "Sammanfattningen")
    return PlanRevision(revision=current_revision + 1, goals=checked, note=clean_note)


# --- resource group ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ResourceGroupMember:
    role: str
    organisation: str
    name: str
    added_on: date
    phone: str | None = None
    email: str | None = None
    removed_on: date | None = None

    @property
    def is_current(self) -> bool:
        return self.removed_on is None


def add_member(
    *,
    role: str,
    organisation: str,
    name: str,
    phone: str | None,
    email: str | None,
    added_on: date,
    today: date,
) -> ResourceGroupMember:
    if added_on > today:
        raise InvalidEffectiveDate(
            f"Datumet {added_on.isoformat()} ligger i framtiden; lägg till personen när hen "
            "ingår i resursgruppen.",
            fields={"added_on": "datum i framtiden"},
        )
    return ResourceGroupMember(
        role=_required_text(role, MAX_MEMBER_ROLE_LENGTH, "role", "Rollen"),
        organisation=_required_text(
            organisation, MAX_MEMBER_ORGANISATION_LENGTH, "organisation", "Organisationen"
        ),
        name=_required_text(name, MAX_MEMBER_NAME_LENGTH, "name", "Namnet"),
        phone=_optional_text(phone, MAX_MEMBER_PHONE_LENGTH, "phone", "Telefonnumret"),
        email=_optional_text(email, MAX_MEMBER_EMAIL_LENGTH, "email", "E-postadressen"),
        added_on=added_on,
    )


def remove_member(member: ResourceGroupMember, *, today: date) -> ResourceGroupMember:
    """Ends the membership today; the member stays in the history."""
    if member.removed_on is not None:
        raise InvalidTransition(
            f"Personen togs redan bort ur resursgruppen {member.removed_on.isoformat()}.",
            fields={"member_id": "redan borttagen"},
        )
    if today < member.added_on:
        # Only reachable with a clock that went backwards; never end before the start.
        raise InvalidEffectiveDate(
            "Personen kan inte tas bort före den dag hen lades till.",
            fields={"removed_on": "före tillagd"},
        )
    return replace(member, removed_on=today)
