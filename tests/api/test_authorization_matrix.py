"""Route × role × object authorization matrix (SECURITY.md "Authorization", DOMAIN.md §9).

Seeded through the API, in every test:

    P_own        registered by mentor_a;  enrolments E_own, D_own mentored by mentor_a;
                 E_own was referred with referrer_user_id = referrer_af
    P_colleague  registered by mentor_a2; E_colleague, D_colleague mentored by mentor_a2
    P_other      registered by mentor_b (municipality B); E_other, D_other
    P_protected  protected identity, registered by mentor_a2; E_protected, D_protected
    missing      id 999999 (no such record)

    Each person also has F_x, an enrolment that reached Level 4 long ago (so its follow-up is
    overdue and its assessments are due), with a submitted start assessment, and one
    resource-group member. P_own has consent to information exchange with its referrer.
    cohort_A, cohort_B: a Level 2 group in each municipality, with past sessions.

The expectations are written down below as two tables, independent of the app's own
permission data: which role may call which operation (ROLE_TABLE), and which principal's scope
covers which person (SCOPE_TABLE). From them every cell follows:

    anonymous, disabled account            -> 401
    role lacks the operation               -> 403 (whatever the object)
    object out of scope, or missing        -> 404, with the same body as for a missing id
    in scope                               -> the operation's success status

Each principal is one test (one seeded database) that runs all its cells in a fixed order: the
reads first, then the commands, which walk E_x through intake → start → advance → step-back →
pause → resume → correction → exit (and decline D_x) so that every permitted command really
succeeds; the journey writes (assessment, activity, plan, cohort membership and attendance)
sit between start and advance, where the enrolment is open. All mismatches are collected and
reported as "<cell> -> <expected> (got <actual>)".
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api, Caller, participant_body, synthetic_pnr
from fastapi.routing import APIRoute
from sqlalchemy import select

from api.clock import Clock
from api.persistence.models import EnrolmentRow, ParticipantRow

TODAY = Clock().today()
MISSING_ID = 999_999


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


# ---- the expectations ----------------------------------------------------------------------------

ROLES = ("mentor", "lead", "manager", "client", "referrer", "analyst", "evaluator", "admin")

# x = the role holds the operation's permission. Commands = every enrolment state command.
ROLE_TABLE = """
operation                     mentor lead manager client referrer analyst evaluator admin
get_me                          x     x     x       x       x       x        x       x
list_code_lists                 x     x     x       x       x       x        x       x
list_programmes                 x     x     x       x       x       x        x       x
list_participants               x     x     x       x       .       .        .       .
search_participants             x     x     x       x       .       .        .       .
create_participant              x     x     .       x       .       .        .       .
get_my_caseload                 x     x     .       .       .       .        .       .
get_my_referrals                .     .     .       .       x       .        .       .
list_municipality_mentors       .     x     x       .       .       .        .       .
get_participant                 x     x     x       x       .       .        .       .
list_participant_enrolments     x     x     x       x       .       .        .       .
get_enrolment                   x     x     x       x       .       .        .       .
get_participant_access_log      .     .     x       .       .       .        .       .
reveal_personnummer             x     x     .       .       .       .        .       .
update_participant              x     x     .       x       .       .        .       .
create_referral                 x     x     .       x       .       .        .       .
list_referrer_organisations     x     x     .       x       .       .        .       .
assign_mentor                   .     x     x       .       .       .        .       .
commands                        x     x     .       x       .       .        .       .
admin                           .     .     .       .       .       .        .       x
questionnaire                   x     x     x       x       x       x        x       x
journey_read                    x     x     x       .       .       .        .       .
journey_write                   x     x     .       .       .       .        .       .
tasks                           x     x     .       .       .       .        .       .
stats                           .     x     x       .       .       x        x       .
evaluation_export               .     .     .       .       .       .        x       .
registration_export             .     x     x       .       .       .        .       .
"""

# x = the person is in the principal's scope. Mentors: own caseload, plus people they registered
# who have no enrolment yet; lead mentor, unit manager, integration client: their municipality;
# protected identity: only named users (creator, assigned mentor) who also have the person in
# scope, never a municipality-wide role or a client.
SCOPE_TABLE = """
principal      P_own P_colleague P_other P_protected
mentor_a         x       .          .        .
mentor_a2        .       x          .        x
lead_a           x       x          .        .
manager_a        x       x          .        .
client           x       x          .        .
mentor_b         .       .          x        .
lead_b           .       .          x        .
"""

PRINCIPAL_ROLE = {
    "mentor_a": "mentor",
    "mentor_a2": "mentor",
    "mentor_b": "mentor",
    "lead_a": "lead",
    "lead_b": "lead",
    "manager_a": "manager",
    "client": "client",
    "referrer_af": "referrer",
    "analyst": "analyst",
    "evaluator": "evaluator",
    "admin": "admin",
    "disabled_mentor_a": "mentor",
}
UNAUTHENTICATED = {"anonymous", "disabled_mentor_a"}
PRINCIPALS = [*PRINCIPAL_ROLE, "anonymous"]

# Open enrolments in /me/caseload (only the enrolments one mentors oneself).
CASELOAD = {
    "mentor_a": {"E_own", "D_own", "F_own"},
    "mentor_a2": {
        "E_colleague",
        "D_colleague",
        "F_colleague",
        "E_protected",
        "D_protected",
        "F_protected",
    },
    "mentor_b": {"E_other", "D_other", "F_other"},
    "lead_a": set(),
    "lead_b": set(),
}
# The cohorts (municipality objects) each principal's municipality holds.
COHORTS = {
    "mentor_a": {"cohort_A"},
    "mentor_a2": {"cohort_A"},
    "lead_a": {"cohort_A"},
    "manager_a": {"cohort_A"},
    "mentor_b": {"cohort_B"},
    "lead_b": {"cohort_B"},
}
MUNICIPALITY_OF = {"P_own": "A", "P_colleague": "A", "P_protected": "A", "P_other": "B"}
REFERRALS = {"referrer_af": {"E_own"}}
# /me/municipality/mentors: every mentor and lead mentor account of one's own municipality.
MUNICIPALITY_MENTORS = {
    "lead_a": {"mentor_a", "mentor_a2", "lead_a", "disabled_mentor_a"},
    "manager_a": {"mentor_a", "mentor_a2", "lead_a", "disabled_mentor_a"},
    "lead_b": {"mentor_b", "lead_b"},
}

PEOPLE = ("P_own", "P_colleague", "P_other", "P_protected")
OBJECTS = (*PEOPLE, "missing")


def _parse(table: str) -> dict[str, dict[str, bool]]:
    header, *rows = [line.split() for line in table.strip().splitlines()]
    parsed = {}
    for row in rows:
        assert len(row) == len(header), row
        parsed[row[0]] = {col: mark == "x" for col, mark in zip(header[1:], row[1:], strict=True)}
    return parsed


PERMITTED = _parse(ROLE_TABLE)
IN_SCOPE = _parse(SCOPE_TABLE)


def permitted(principal: str, group: str) -> bool:
    return PERMITTED[group][PRINCIPAL_ROLE[principal]]


def in_scope(principal: str, person: str) -> bool:
    return person != "missing" and IN_SCOPE.get(principal, {}).get(person, False)


def visible_people(principal: str) -> set[str]:
    return {p for p in PEOPLE if in_scope(principal, p)}


# ---- the seeded world ----------------------------------------------------------------------------

OWNER = {
    "P_own": "mentor_a",
    "P_colleague": "mentor_a2",
    "P_other": "mentor_b",
    "P_protected": "mentor_a2",
}
# An active mentor of the person's municipality who is not its current mentor.
OTHER_MENTOR = {
    "P_own": "mentor_a2",
    "P_colleague": "mentor_a",
    "P_other": "lead_b",
    "P_protected": "mentor_a",
    "missing": "mentor_a",
}
REFERRER_CONTACT = {
    "referrer_contact_name": "Handläggare Hemlig",
    "referrer_contact_phone": "010-4860000",
    "referrer_contact_email": "handlaggare@af.example",
}


@dataclass
class Seeded:
    participant: dict[str, int] = field(default_factory=dict)
    enrolment: dict[str, int] = field(default_factory=dict)  # E_x, D_x and F_x
    personnummer: dict[str, str] = field(default_factory=dict)
    submission: dict[str, int] = field(default_factory=dict)  # F_x's start assessment
    member: dict[str, int] = field(default_factory=dict)  # one resource-group member
    cohort: dict[str, int] = field(default_factory=dict)  # cohort_A, cohort_B
    cohort_session: dict[str, int] = field(default_factory=dict)  # a past session of each

    def participant_id(self, obj: str) -> int:
        return MISSING_ID if obj == "missing" else self.participant[obj]

    def enrolment_id(self, name: str) -> int:
        return self.enrolment.get(name, MISSING_ID)

    def path_ids(self, obj: str) -> dict[str, int]:
        """Ids for the secondary path parameters, for one person (or the missing object)."""
        municipality = MUNICIPALITY_OF.get(obj, "A")
        return {
            "{submission_id}": self.submission.get(obj, MISSING_ID),
            "{member_id}": self.member.get(obj, MISSING_ID),
            "{cohort_id}": self.cohort[f"cohort_{municipality}"],
            "{session_id}": self.cohort_session[f"cohort_{municipality}"],
        }


def seed(api: Api) -> Seeded:
    s = Seeded()
    for serial, person in enumerate(PEOPLE, start=1):
        owner = api.as_(OWNER[person])
        body = participant_body(serial, protected_identity=person == "P_protected")
        r = owner.post("/api/v1/participants", json=body)
        assert r.status_code == 201, r.text
        s.participant[person] = r.json()["id"]
        s.personnummer[person] = synthetic_pnr(serial)
        suffix = person.removeprefix("P_")
        for kind in ("E", "D"):
            refer: dict[str, Any] = {"programme_code": "level_up", "referred_on": days_ago(200)}
            if (kind, person) == ("E", "P_own"):
                refer |= {
                    "referrer_user_id": api.world.user("referrer_af"),
                    "referrer_organisation_id": api.world.referrer_org_af,
                    **REFERRER_CONTACT,
                }
            r = owner.post(f"/api/v1/participants/{s.participant[person]}/enrolments", json=refer)
            assert r.status_code == 201, r.text
            s.enrolment[f"{kind}_{suffix}"] = r.json()["id"]
        _seed_journey(api, s, person)
    for municipality, lead in (("A", "lead_a"), ("B", "lead_b")):
        r = api.as_(lead).post("/api/v1/cohorts", json=COHORT_BODY)
        assert r.status_code == 201, r.text
        s.cohort[f"cohort_{municipality}"] = r.json()["id"]
        s.cohort_session[f"cohort_{municipality}"] = r.json()["sessions"][0]["id"]
    return s


ALL_ANSWERS = {
    key: 5
    for key in (
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
}
COHORT_BODY = {
    "kind": "level2_group",
    "name": "Gruppverksamhet höst",
    "starts_on": days_ago(28),
    "schedule": {"weekdays": [2], "start_time": "09:00", "duration_minutes": 120},
}
RESOURCE_MEMBER = {
    "role": "Handläggare",
    "organisation": "Försäkringskassan",
    "name": "Kontakt Påhittad",
}


def _seed_journey(api: Api, s: Seeded, person: str) -> None:
    """F_x at Level 4 for a year, its start assessment, a resource-group member; consent to
    share with the referrer for P_own (whose E_own the referrer follows)."""
    owner = api.as_(OWNER[person])
    suffix = person.removeprefix("P_")
    pid = s.participant[person]
    r = owner.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": days_ago(420)},
    )
    assert r.status_code == 201, r.text
    eid, etag = r.json()["id"], r.headers["ETag"]
    s.enrolment[f"F_{suffix}"] = eid
    outcome = {
        "kind": "work",
        "starts_on": days_ago(380),
        "subsidised": False,
        "extent_percent": 100,
    }
    for command, body in [
        ("intake", {"effective_on": days_ago(415)}),
        ("start", {"effective_on": days_ago(410)}),
        ("advance", {"effective_on": days_ago(400)}),
        ("advance", {"effective_on": days_ago(390)}),
        ("advance", {"effective_on": days_ago(380), "outcome": outcome}),
    ]:
        r = owner.post(f"/api/v1/enrolments/{eid}/{command}", json=body, headers={"If-Match": etag})
        assert r.status_code == 200, r.text
        etag = r.headers["ETag"]
    r = owner.post(
        f"/api/v1/enrolments/{eid}/assessments",
        json={
            "occasion": "start",
            "answered_on": days_ago(409),
            "respondent": "participant",
            "answers": ALL_ANSWERS,
        },
    )
    assert r.status_code == 201, r.text
    s.submission[person] = r.json()["id"]
    r = owner.post(f"/api/v1/participants/{pid}/resource-group", json=RESOURCE_MEMBER)
    assert r.status_code == 201, r.text
    s.member[person] = r.json()["id"]
    if person == "P_own":
        r = owner.post(
            f"/api/v1/participants/{pid}/consents",
            json={
                "purpose": "referrer_information_exchange",
                "action": "given",
                "effective_on": days_ago(200),
                "form_reference": "Samtyckesblankett 2026-01",
            },
        )
        assert r.status_code == 201, r.text


def current_version(api: Api, model: Any, row_id: int) -> str:
    with api.database.unit_of_work(write=False) as uow:
        version = uow.session.execute(
            select(model.version).where(model.id == row_id)
        ).scalar_one_or_none()
    return f'"{version or 1}"'


# ---- the operations on one person ----------------------------------------------------------------


@dataclass(frozen=True)
class Op:
    label: str  # "METHOD /path" as in the OpenAPI document, without /api/v1
    operation_id: str
    group: str  # row of ROLE_TABLE
    success: int
    # participant | enrolment (E_x) | spare (D_x) | level4 (F_x) | none (ids from path_ids only)
    target: str = "participant"
    body: Callable[[Seeded, str, Api], dict[str, Any]] | None = None
    # The If-Match header the operation needs: the enrolment's version, or the plan revision.
    precondition: str | None = None  # None | "enrolment" | "participant" | "plan"

    @property
    def method(self) -> str:
        return self.label.split()[0]

    def url(self, s: Seeded, obj: str) -> str:
        path = self.label.split()[1]
        if self.target == "participant":
            path = path.replace("{id}", str(s.participant_id(obj)))
        elif self.target != "none":
            prefix = {"enrolment": "E", "spare": "D", "level4": "F"}[self.target]
            path = path.replace("{id}", str(s.enrolment_id(f"{prefix}_{obj.removeprefix('P_')}")))
        for name, value in s.path_ids(obj).items():
            path = path.replace(name, str(value))
        return "/api/v1" + path


def _const(body: dict[str, Any]) -> Callable[[Seeded, str, Api], dict[str, Any]]:
    return lambda _s, _obj, _api: body


def _assign_body(_s: Seeded, obj: str, api: Api) -> dict[str, Any]:
    return {"mentor_id": api.world.user(OTHER_MENTOR[obj]), "reason": "Omfördelning"}


REVEAL_REASON = "Kontakt med Försäkringskassan"

# In execution order: reads, then changes; the commands in an order that succeeds.
PERSON_OPS = [
    Op("GET /participants/{id}", "get_participant", "get_participant", 200),
    Op(
        "GET /participants/{id}/enrolments",
        "list_participant_enrolments",
        "list_participant_enrolments",
        200,
    ),
    Op("GET /enrolments/{id}", "get_enrolment", "get_enrolment", 200, "enrolment"),
    Op(
        "GET /participants/{id}/access-log",
        "get_participant_access_log",
        "get_participant_access_log",
        200,
    ),
    Op(
        "GET /enrolments/{id}/assessments",
        "list_enrolment_assessments",
        "journey_read",
        200,
        "enrolment",
    ),
    Op(
        "GET /enrolments/{id}/assessments/change",
        "get_assessment_change",
        "journey_read",
        200,
        "level4",
    ),
    Op(
        "GET /enrolments/{id}/follow-ups",
        "list_enrolment_follow_ups",
        "journey_read",
        200,
        "level4",
    ),
    Op(
        "GET /enrolments/{id}/activities",
        "list_enrolment_activities",
        "journey_read",
        200,
        "enrolment",
    ),
    Op(
        "GET /enrolments/{id}/activity-hours",
        "get_activity_hours",
        "journey_read",
        200,
        "enrolment",
    ),
    Op("GET /enrolments/{id}/plan", "get_plan", "journey_read", 200, "enrolment"),
    Op(
        "GET /enrolments/{id}/plan/revisions",
        "list_plan_revisions",
        "journey_read",
        200,
        "enrolment",
    ),
    Op("GET /participants/{id}/resource-group", "list_resource_group", "journey_read", 200),
    Op("GET /participants/{id}/consents", "list_consents", "journey_read", 200),
    Op(
        "POST /participants/{id}/reveal-personnummer",
        "reveal_personnummer",
        "reveal_personnummer",
        200,
        body=_const({"reason": REVEAL_REASON}),
    ),
    Op(
        "PATCH /participants/{id}",
        "update_participant",
        "update_participant",
        200,
        body=_const({"phone": "070-1234567"}),
        precondition="participant",
    ),
    Op(
        "POST /participants/{id}/enrolments",
        "create_referral",
        "create_referral",
        201,
        body=_const({"programme_code": "level_up", "referred_on": days_ago(10)}),
    ),
    Op(
        "POST /enrolments/{id}/mentor",
        "assign_mentor",
        "assign_mentor",
        200,
        "enrolment",
        body=_assign_body,
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/intake",
        "hold_intake",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(190)}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/start",
        "start_enrolment",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(180)}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/assessments",
        "submit_assessment",
        "journey_write",
        201,
        "enrolment",
        body=_const(
            {
                "occasion": "start",
                "answered_on": days_ago(179),
                "respondent": "participant_with_mentor",
                "answers": ALL_ANSWERS,
            }
        ),
    ),
    Op(
        "POST /enrolments/{id}/activities",
        "record_activity",
        "journey_write",
        201,
        "enrolment",
        body=_const(
            {
                "activity_type": "motivational_talk",
                "occurred_on": days_ago(178),
                "duration_minutes": 60,
            }
        ),
    ),
    Op(
        "PUT /enrolments/{id}/plan",
        "save_plan",
        "journey_write",
        200,
        "enrolment",
        body=_const({"goals": [{"text": "Börja på en kurs", "status": "in_progress"}]}),
        precondition="plan",
    ),
    Op(
        "POST /cohorts/{cohort_id}/members",
        "add_cohort_member",
        "journey_write",
        201,
        "none",
        body=lambda s, obj, _api: {"enrolment_id": s.enrolment_id(f"E_{obj.removeprefix('P_')}")},
    ),
    Op(
        "PUT /cohorts/{cohort_id}/sessions/{session_id}/attendance",
        "record_attendance",
        "journey_write",
        200,
        "none",
        body=lambda s, obj, _api: {
            "entries": [
                {"enrolment_id": s.enrolment_id(f"E_{obj.removeprefix('P_')}"), "attended": True}
            ]
        },
    ),
    Op(
        "POST /enrolments/{id}/advance",
        "advance_level",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(170)}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/step-back",
        "step_back_level",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(160), "reason": "Tappade praktikplatsen"}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/pause",
        "pause_enrolment",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(150), "reason": "sick_leave"}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/resume",
        "resume_enrolment",
        "commands",
        200,
        "enrolment",
        body=_const({"effective_on": days_ago(140)}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/corrections",
        "correct_transition_date",
        "commands",
        200,
        "enrolment",
        body=_const({"target_seq": 3, "effective_on": days_ago(185), "reason": "Fel startdatum"}),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/exit",
        "exit_enrolment",
        "commands",
        200,
        "enrolment",
        body=_const(
            {
                "effective_on": days_ago(130),
                "exit_reason_code": "completed",
                "exit_status_code": "job_seeking",
            }
        ),
        precondition="enrolment",
    ),
    Op(
        "POST /enrolments/{id}/decline",
        "decline_enrolment",
        "commands",
        200,
        "spare",
        body=_const({"effective_on": days_ago(100), "reason": "Vill inte delta"}),
        precondition="enrolment",
    ),
    Op(
        "POST /assessments/{submission_id}/corrections",
        "correct_assessment",
        "journey_write",
        201,
        "none",
        body=_const(
            {
                "reason": "Fel svar registrerades",
                "answered_on": days_ago(409),
                "respondent": "participant",
                "answers": {**ALL_ANSWERS, "self_esteem": 6},
            }
        ),
    ),
    Op(
        "POST /enrolments/{id}/follow-ups",
        "record_follow_up",
        "journey_write",
        201,
        "level4",
        body=_const(
            {
                "kind": "support_period_end",
                "contacted_on": days_ago(5),
                "contact_reached": True,
                "attempts": 1,
                "status_group": "work",
                "employment_extent_percent": 100,
                "self_supporting": True,
            }
        ),
    ),
    Op(
        "POST /participants/{id}/resource-group",
        "add_resource_group_member",
        "journey_write",
        201,
        body=_const(RESOURCE_MEMBER),
    ),
    Op(
        "DELETE /participants/{id}/resource-group/{member_id}",
        "remove_resource_group_member",
        "journey_write",
        204,
    ),
    Op(
        "POST /participants/{id}/consents",
        "record_consent",
        "journey_write",
        201,
        body=_const(
            {
                "purpose": "evaluation",
                "action": "given",
                "effective_on": days_ago(10),
                "form_reference": "Samtyckesblankett utvärdering",
            }
        ),
    ),
]
# Operations with no object: the lists, checked for their exact id sets below (operation id ->
# its row of ROLE_TABLE).
LIST_OPS = {
    "list_participants": "list_participants",
    "search_participants": "search_participants",
    "get_my_caseload": "get_my_caseload",
    "get_my_referrals": "get_my_referrals",
    "list_municipality_mentors": "list_municipality_mentors",
    "list_due_assessments": "journey_read",
    "list_due_follow_ups": "journey_read",
    "get_my_tasks": "tasks",
    "list_cohorts": "journey_read",
}
OTHER_OPS = {
    "get_me",
    "create_participant",
    "list_code_lists",
    "list_programmes",
    "get_current_questionnaire",
    "get_questionnaire",
    "create_cohort",
    "list_referrer_organisations",
}
# Cohorts are municipality objects: checked per cohort, not per person.
COHORT_OPS = {"get_cohort"}


def expected_status(principal: str, op: Op, obj: str) -> int:
    if principal in UNAUTHENTICATED:
        return 401
    if not permitted(principal, op.group):
        return 403
    if not in_scope(principal, obj):
        return 404
    return op.success


# ---- response shapes (snapshots of the exact top-level keys) -------------------------------------

PARTICIPANT_KEYS = {
    "id",
    "municipality_id",
    "municipality_name",
    "personnummer_masked",
    "is_coordination_number",
    "legal_sex",
    "birth_date",
    "age",
    "first_name",
    "last_name",
    "phone",
    "email",
    "address",
    "gender",
    "education_level",
    "protected_identity",
    "created_at",
    "updated_at",
    "version",
    "enrolments",
}
PARTICIPANT_LIST_ITEM_KEYS = {
    "id",
    "first_name",
    "last_name",
    "personnummer_masked",
    "legal_sex",
    "birth_year",
    "current_enrolment",
}
ENROLMENT_KEYS = {
    "id",
    "participant_id",
    "programme_code",
    "state",
    "step",
    "highest_step",
    "referred_on",
    "started_on",
    "ended_on",
    "step_entered_on",
    "days_in_step",
    "outcome",
    "exit_reason_code",
    "exit_status_code",
    "referrer_organisation_id",
    "referrer_organisation_name",
    "referrer_contact_name",
    "referrer_contact_phone",
    "referrer_contact_email",
    "referrer_user_id",
    "benefit_at_start",
    "months_on_support_before_start",
    "mentor_id",
    "mentor_name",
    "version",
    "history",
    "mentor_history",
}
CASELOAD_ITEM_KEYS = {
    "enrolment_id",
    "participant_id",
    "first_name",
    "last_name",
    "personnummer_masked",
    "programme_code",
    "programme_name",
    "state",
    "step",
    "step_count",
    "step_name",
    "days_in_step",
    "referred_on",
    "started_on",
    "version",
}
MENTOR_LOAD_KEYS = {"mentor_id", "display_name", "role", "is_active", "open_enrolments", "by_step"}
REFERRAL_ITEM_KEYS = {
    "enrolment_id",
    "participant_first_name",
    "participant_last_name",
    "personnummer_masked",
    "programme_code",
    "state",
    "step",
    "referred_on",
    "started_on",
    "ended_on",
}
MASKED = re.compile(r"^\d{8}-\*{4}$")


def pnr_forms(pnr: str) -> list[str]:
    """Every way a full personnummer could appear: 12 digits, with a dash, 10 digits."""
    digits = pnr.replace("-", "")
    return [pnr, digits, digits[2:], f"{digits[2:8]}-{digits[8:]}"]


# ---- the check -----------------------------------------------------------------------------------


@dataclass
class Matrix:
    api: Api
    principal: str
    seeded: Seeded
    caller: Caller
    mismatches: list[str] = field(default_factory=list)
    not_found_bodies: dict[str, dict[str, Any]] = field(default_factory=lambda: defaultdict(dict))

    def fail(self, message: str) -> None:
        self.mismatches.append(message)

    def send(
        self,
        method: str,
        url: str,
        *,
        json: Any = None,
        headers: dict[str, str] | None = None,
        reveal: bool = False,
    ) -> Any:
        r = self.caller.request(method, url, json=json, headers=headers)
        if not reveal:
            for person, pnr in self.seeded.personnummer.items():
                if any(form in r.text for form in pnr_forms(pnr)):
                    self.fail(
                        f"{method} {url} as {self.principal}: full personnummer of "
                        f"{person} in the response"
                    )
        if r.status_code >= 500 or "Traceback" in r.text:
            self.fail(f"{method} {url} as {self.principal}: {r.status_code} {r.text[:200]}")
        return r

    def expect(self, cell: str, r: Any, expected: int) -> bool:
        if r.status_code != expected:
            self.fail(f"{cell} -> {expected} (got {r.status_code}: {r.text[:160]})")
            return False
        error = {401: "Unauthorized", 403: "Forbidden", 404: "NotFound"}.get(expected)
        if error is not None:
            body = r.json()
            if set(body) != {"error", "detail", "fields"} or body["error"] != error:
                self.fail(f"{cell}: error body {body}")
        if expected == 401 and r.headers.get("WWW-Authenticate") != "Bearer":
            self.fail(f"{cell}: 401 without WWW-Authenticate: Bearer")
        return True

    # -- cells on one person --

    def person_cell(self, op: Op, obj: str) -> None:
        expected = expected_status(self.principal, op, obj)
        cell = f"{op.label} {self.principal} {obj}"
        url = op.url(self.seeded, obj)
        headers = {}
        if op.precondition == "plan":
            headers["If-Match"] = '"0"'  # each principal's run saves the first plan
        elif op.precondition is not None:
            model = ParticipantRow if op.precondition == "participant" else EnrolmentRow
            object_id = int(url.split("/")[4])  # /api/v1/<resource>/<id>/...
            # The real current ETag, so scope is the only reason for a refusal.
            headers["If-Match"] = current_version(self.api, model, object_id)
        body = op.body(self.seeded, obj, self.api) if op.body else None
        r = self.send(
            op.method,
            url,
            json=body,
            headers=headers,
            reveal=op.operation_id == "reveal_personnummer",
        )
        if not self.expect(cell, r, expected):
            return
        if expected == 404:
            self.not_found_bodies[op.label][obj] = r.json()
        elif expected in (200, 201):
            self.check_success(cell, op, obj, r.json())

    def check_success(self, cell: str, op: Op, obj: str, data: Any) -> None:
        if op.operation_id == "get_participant":
            if set(data) != PARTICIPANT_KEYS:
                self.fail(f"{cell}: keys {sorted(set(data) ^ PARTICIPANT_KEYS)} differ")
            if not MASKED.match(data["personnummer_masked"]):
                self.fail(f"{cell}: personnummer not masked")
        elif op.operation_id == "get_enrolment" and set(data) != ENROLMENT_KEYS:
            self.fail(f"{cell}: keys {sorted(set(data) ^ ENROLMENT_KEYS)} differ")
        elif op.operation_id == "reveal_personnummer" and data != {
            "personnummer": self.seeded.personnummer[obj]
        }:
            self.fail(f"{cell}: revealed {data}")
        elif op.operation_id == "list_participant_enrolments":
            suffix = obj.removeprefix("P_")
            expected = {self.seeded.enrolment[f"{k}_{suffix}"] for k in "EDF"}
            if {e["id"] for e in data} != expected:
                self.fail(f"{cell}: enrolments {[e['id'] for e in data]}")

    def check_not_found_bodies(self) -> None:
        # Out of scope must be indistinguishable from "no such id".
        for label, bodies in self.not_found_bodies.items():
            if "missing" not in bodies:
                continue
            for obj, body in bodies.items():
                if body != bodies["missing"]:
                    self.fail(
                        f"{label} {self.principal} {obj}: 404 body {body} differs from "
                        f"the missing id's {bodies['missing']}"
                    )

    # -- cells without an object --

    def list_cells(self) -> None:
        s, p = self.seeded, self.principal
        people_ids = {s.participant[x]: x for x in PEOPLE}

        def expected_for(group: str) -> int:
            return 401 if p in UNAUTHENTICATED else 200 if permitted(p, group) else 403

        def names(ids: list[int]) -> set[str]:
            return {people_ids.get(i, f"unknown#{i}") for i in ids}

        r = self.send("GET", "/api/v1/participants?limit=100")
        if (
            self.expect(f"GET /participants {p}", r, expected_for("list_participants"))
            and r.status_code == 200
        ):
            items = r.json()["items"]
            if names([i["id"] for i in items]) != visible_people(p):
                self.fail(
                    f"GET /participants {p}: got {sorted(names([i['id'] for i in items]))}"
                    f", expected {sorted(visible_people(p))}"
                )
            for item in items:
                if set(item) != PARTICIPANT_LIST_ITEM_KEYS:
                    self.fail(f"GET /participants {p}: item keys {sorted(item)}")

        r = self.send("POST", "/api/v1/participants/search", json={"limit": 100})
        if (
            self.expect(f"POST /participants/search {p}", r, expected_for("search_participants"))
            and r.status_code == 200
        ):
            got = names([i["id"] for i in r.json()["items"]])
            if got != visible_people(p):
                self.fail(f"POST /participants/search {p}: got {sorted(got)}")
            # Even the exact personnummer finds nobody outside the scope.
            for person in PEOPLE:
                r = self.send(
                    "POST",
                    "/api/v1/participants/search",
                    json={"personnummer": s.personnummer[person]},
                )
                got = names([i["id"] for i in r.json()["items"]])
                want = {person} if in_scope(p, person) else set()
                if r.status_code != 200 or got != want:
                    self.fail(
                        f"POST /participants/search {p} personnummer of {person}: "
                        f"{r.status_code} {sorted(got)}, expected {sorted(want)}"
                    )

        r = self.send("GET", "/api/v1/me/caseload")
        if (
            self.expect(f"GET /me/caseload {p}", r, expected_for("get_my_caseload"))
            and r.status_code == 200
        ):
            by_id = {v: k for k, v in s.enrolment.items()}
            items = r.json()["items"]
            got = {by_id.get(i["enrolment_id"], f"unknown#{i['enrolment_id']}") for i in items}
            if got != CASELOAD[p] or r.json()["count"] != len(items):
                self.fail(
                    f"GET /me/caseload {p}: got {sorted(got)}, expected {sorted(CASELOAD[p])}"
                )
            for item in items:
                if set(item) != CASELOAD_ITEM_KEYS or not MASKED.match(item["personnummer_masked"]):
                    self.fail(f"GET /me/caseload {p}: item {item}")

        r = self.send("GET", "/api/v1/me/municipality/mentors")
        if (
            self.expect(
                f"GET /me/municipality/mentors {p}", r, expected_for("list_municipality_mentors")
            )
            and r.status_code == 200
        ):
            users = {v: k for k, v in self.api.world.users.items()}
            got = {users.get(i["mentor_id"], f"unknown#{i['mentor_id']}") for i in r.json()}
            if got != MUNICIPALITY_MENTORS[p]:
                self.fail(f"GET /me/municipality/mentors {p}: got {sorted(got)}")
            for item in r.json():
                if set(item) != MENTOR_LOAD_KEYS:
                    self.fail(f"GET /me/municipality/mentors {p}: keys {sorted(item)}")
            # Counts only: no person appears by name.
            if "Testsson" in r.text:
                self.fail(f"GET /me/municipality/mentors {p}: a participant's name in {r.text}")

        r = self.send("GET", "/api/v1/me/referrals")
        if (
            self.expect(f"GET /me/referrals {p}", r, expected_for("get_my_referrals"))
            and r.status_code == 200
        ):
            by_id = {v: k for k, v in s.enrolment.items()}
            items = r.json()["items"]
            got = {by_id.get(i["enrolment_id"], "unknown") for i in items}
            if got != REFERRALS[p]:
                self.fail(f"GET /me/referrals {p}: got {sorted(got)}")
            for item in items:
                if set(item) != REFERRAL_ITEM_KEYS:
                    self.fail(f"GET /me/referrals {p}: keys {sorted(item)}")
                if not MASKED.match(item["personnummer_masked"]):
                    self.fail(f"GET /me/referrals {p}: personnummer not masked")
                # No contact data, notes or reasons: not as keys, not as values.
                text = str(item)
                for secret in [*REFERRER_CONTACT.values(), "Tappade", "reason", "note"]:
                    if secret in text:
                        self.fail(f"GET /me/referrals {p}: {secret!r} in {item}")

    def journey_list_cells(self) -> None:
        """The due lists, the task list and the cohort list: exact sets, masked personnummer."""
        s, p = self.seeded, self.principal
        by_id = {v: k for k, v in s.enrolment.items()}

        def expected_for(group: str) -> int:
            return 401 if p in UNAUTHENTICATED else 200 if permitted(p, group) else 403

        def enrolments(items: list[dict[str, Any]]) -> set[str]:
            return {by_id.get(i["enrolment_id"], f"unknown#{i['enrolment_id']}") for i in items}

        # Before any command ran, only F_x has due assessments and an overdue follow-up.
        due = {f"F_{person.removeprefix('P_')}" for person in visible_people(p)}
        for path in ("/assessments/due", "/follow-ups/due"):
            r = self.send("GET", "/api/v1" + path)
            if self.expect(f"GET {path} {p}", r, expected_for("journey_read")) and (
                r.status_code == 200
            ):
                items = r.json()["items"]
                if enrolments(items) != due or r.json()["count"] != len(items):
                    self.fail(f"GET {path} {p}: got {sorted(enrolments(items))}")
                for item in items:
                    if not MASKED.match(item["personnummer_masked"]):
                        self.fail(f"GET {path} {p}: personnummer not masked in {item}")

        r = self.send("GET", "/api/v1/me/tasks")
        if self.expect(f"GET /me/tasks {p}", r, expected_for("tasks")) and r.status_code == 200:
            tasks = r.json()
            mine = CASELOAD.get(p, set())
            own_level4 = {name for name in mine if name.startswith("F_")}
            for key, want in (
                ("assessments", own_level4),
                ("follow_ups", own_level4),
                # Nobody has any activity yet: every open enrolment of one's own is quiet.
                ("quiet_participants", mine),
                ("sessions", set()),
            ):
                got = (
                    {str(i["session_id"]) for i in tasks[key]}
                    if key == "sessions"
                    else enrolments(tasks[key])
                )
                if got != want:
                    self.fail(f"GET /me/tasks {p}: {key} {sorted(got)}, expected {sorted(want)}")

        r = self.send("GET", "/api/v1/cohorts")
        if self.expect(f"GET /cohorts {p}", r, expected_for("journey_read")) and (
            r.status_code == 200
        ):
            names = {v: k for k, v in s.cohort.items()}
            got = {names.get(i["id"], f"unknown#{i['id']}") for i in r.json()["items"]}
            if got != COHORTS.get(p, set()):
                self.fail(f"GET /cohorts {p}: got {sorted(got)}")

    def cohort_cells(self) -> None:
        """A cohort belongs to one municipality: others answer 404 like a missing id."""
        p = self.principal
        bodies: dict[str, Any] = {}
        for obj in ("cohort_A", "cohort_B", "missing"):
            cohort_id = self.seeded.cohort.get(obj, MISSING_ID)
            if p in UNAUTHENTICATED:
                expected = 401
            elif not permitted(p, "journey_read"):
                expected = 403
            elif obj in COHORTS.get(p, set()):
                expected = 200
            else:
                expected = 404
            r = self.send("GET", f"/api/v1/cohorts/{cohort_id}")
            if self.expect(f"GET /cohorts/{{id}} {p} {obj}", r, expected) and expected == 404:
                bodies[obj] = r.json()
        for obj, body in bodies.items():
            if "missing" in bodies and body != bodies["missing"]:
                self.fail(f"GET /cohorts/{{id}} {p} {obj}: 404 body differs from a missing id's")

    def other_cells(self) -> None:
        p = self.principal
        for label, group, success, body in [
            ("GET /me", "get_me", 200, None),
            ("GET /code-lists", "list_code_lists", 200, None),
            ("GET /programmes", "list_programmes", 200, None),
            ("GET /referrer-organisations", "list_referrer_organisations", 200, None),
            ("GET /questionnaires/current", "questionnaire", 200, None),
            ("GET /questionnaires/1", "questionnaire", 200, None),
            ("POST /participants", "create_participant", 201, participant_body(40)),
            ("POST /cohorts", "journey_write", 201, COHORT_BODY),
            ("GET /stats/outcomes", "stats", 200, None),
            ("GET /stats/self-assessment", "stats", 200, None),
            ("GET /stats/outcomes.xlsx", "stats", 200, None),
            ("GET /exports/evaluation?purpose=Utvärdering", "evaluation_export", 200, None),
            (
                f"GET /exports/sus?purpose=Registrering&from={days_ago(400)}&to={days_ago(0)}",
                "registration_export",
                200,
                None,
            ),
            (
                f"GET /exports/esf-monthly?purpose=Månadsfil&month={days_ago(40)[:7]}",
                "registration_export",
                200,
                None,
            ),
        ]:
            expected = 401 if p in UNAUTHENTICATED else success if permitted(p, group) else 403
            method, path = label.split()
            r = self.send(method, "/api/v1" + path, json=body)
            self.expect(f"{label} {p}", r, expected)

    def admin_cells(self) -> None:
        """Every route under /api/v1/admin and code-list publishing: admins only."""
        p = self.principal
        world = self.api.world
        params = {
            "{organisation_id}": str(world.association_id),
            "{user_id}": str(world.user("mentor_b")),
            "{integration_client_id}": str(world.client_pk),
            "{list_name}": "exit_reason",
        }
        checked = 0
        for route in app_routes(self.api):
            if not (
                route.path.startswith("/api/v1/admin")
                or route.operation_id == "publish_code_list_version"
            ):
                continue
            (method,) = set(route.methods) - {"HEAD"}
            url = route.path
            for name, value in params.items():
                url = url.replace(name, value)
            assert "{" not in url, url
            # An empty body: refused by validation if the guard lets the caller through, so
            # the admin's cells prove access without changing anything.
            body: dict[str, Any] | None = {} if method in ("POST", "PATCH") else None
            r = self.send(method, url, json=body, headers={"If-Match": '"999"'})
            cell = f"{method} {route.path.removeprefix('/api/v1')} {p}"
            checked += 1
            if p in UNAUTHENTICATED:
                self.expect(cell, r, 401)
            elif p != "admin":
                self.expect(cell, r, 403)
            elif r.status_code in (401, 403) or r.status_code >= 500:
                self.fail(f"{cell} -> past the guard (got {r.status_code}: {r.text[:160]})")
        if checked < 10:
            self.fail(f"only {checked} admin routes found")


def app_routes(api: Api) -> list[Any]:
    try:
        from fastapi.routing import iter_route_contexts
    except ImportError:  # pragma: no cover - older FastAPI flattens routes
        return [r for r in api.app.routes if isinstance(r, APIRoute)]
    return [
        c for c in iter_route_contexts(api.app.routes) if isinstance(c.original_route, APIRoute)
    ]


# ---- the tests -----------------------------------------------------------------------------------


def test_the_tables_are_complete(api: Api) -> None:
    """Every person-level route of the app is a row of the matrix (a new one must be added)."""
    covered = {op.operation_id for op in PERSON_OPS} | set(LIST_OPS) | OTHER_OPS
    person_level = {
        r.operation_id
        for r in app_routes(api)
        if r.path.startswith(
            (
                "/api/v1/participants",
                "/api/v1/enrolments",
                "/api/v1/me",
                "/api/v1/assessments",
                "/api/v1/follow-ups",
                "/api/v1/cohorts",
                "/api/v1/questionnaires",
            )
        )
    }
    covered |= COHORT_OPS
    assert person_level - covered == set(), "add these operations to the matrix"
    assert {op.group for op in PERSON_OPS} | set(LIST_OPS.values()) <= set(PERMITTED)
    assert set(IN_SCOPE) <= set(PRINCIPAL_ROLE)
    for row in PERMITTED.values():
        assert set(row) == set(ROLES)


@pytest.mark.parametrize("principal", PRINCIPALS)
def test_authorization_matrix(api: Api, principal: str) -> None:
    seeded = seed(api)
    caller = api.anonymous if principal == "anonymous" else api.as_(principal)
    m = Matrix(api, principal, seeded, caller)
    m.list_cells()
    m.journey_list_cells()
    m.cohort_cells()
    for op in PERSON_OPS:
        for obj in OBJECTS:
            m.person_cell(op, obj)
    m.check_not_found_bodies()
    m.other_cells()  # registers someone: after the lists
    m.admin_cells()
    assert not m.mismatches, f"{len(m.mismatches)} mismatches:\n" + "\n".join(m.mismatches)


def test_the_matrix_reads_every_cell_it_claims(api: Api) -> None:
    """The harness itself: an in-scope command sequence really succeeds (not vacuous), and
    a principal that can act leaves the expected end state."""
    seeded = seed(api)
    m = Matrix(api, "mentor_a", seeded, api.as_("mentor_a"))
    for op in PERSON_OPS:
        m.person_cell(op, "P_own")
    assert not m.mismatches, m.mismatches
    final = api.as_("mentor_a").get(f"/api/v1/enrolments/{seeded.enrolment['E_own']}").json()
    assert (final["state"], [h["kind"] for h in final["history"]]) == (
        "exited",
        [
            "refer",
            "hold_intake",
            "start",
            "advance",
            "step_back",
            "pause",
            "resume",
            "correct_date",
            "exit",
        ],
    )
    declined = api.as_("mentor_a").get(f"/api/v1/enrolments/{seeded.enrolment['D_own']}")
    assert declined.json()["state"] == "declined"


# ---- protected identity and the edges of a mentor's caseload -------------------------------------


def test_protected_identity_is_visible_to_the_named_mentor_only(api: Api) -> None:
    creator = api.as_("mentor_a2")
    r = creator.post("/api/v1/participants", json=participant_body(50, protected_identity=True))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    # Referred by the creator with mentor_a as the assigned mentor: mentor_a becomes named and
    # it is in their caseload. The creator is named too, but the person left their scope when
    # the enrolment put them in someone else's caseload.
    r = creator.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={
            "programme_code": "level_up",
            "referred_on": days_ago(5),
            "mentor_id": api.world.user("mentor_a"),
        },
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    for who, status in [
        ("mentor_a2", 404),
        ("mentor_a", 200),
        ("lead_a", 404),
        ("manager_a", 404),
        ("client", 404),
        ("mentor_b", 404),
        ("lead_b", 404),
    ]:
        caller = api.as_(who)
        assert caller.get(f"/api/v1/participants/{pid}").status_code == status, who
        assert caller.get(f"/api/v1/enrolments/{eid}").status_code == status, who
        listed = {i["id"] for i in caller.get("/api/v1/participants").json()["items"]}
        assert (pid in listed) is (status == 200), who


def test_a_mentor_sees_people_they_registered_before_any_enrolment(api: Api) -> None:
    r = api.as_("mentor_a").post("/api/v1/participants", json=participant_body(51))
    pid = r.json()["id"]
    assert api.as_("mentor_a").get(f"/api/v1/participants/{pid}").status_code == 200
    assert api.as_("mentor_a2").get(f"/api/v1/participants/{pid}").status_code == 404
    assert api.as_("lead_a").get(f"/api/v1/participants/{pid}").status_code == 200


def test_a_reassigned_mentor_loses_the_person(api: Api) -> None:
    mentor_a = api.as_("mentor_a")
    pid = mentor_a.post("/api/v1/participants", json=participant_body(52)).json()["id"]
    r = mentor_a.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": days_ago(5)},
    )
    eid, etag = r.json()["id"], r.headers["ETag"]
    r = api.as_("lead_a").post(
        f"/api/v1/enrolments/{eid}/mentor",
        json={"mentor_id": api.world.user("mentor_a2")},
        headers={"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert api.as_("mentor_a2").get(f"/api/v1/participants/{pid}").status_code == 200
    assert mentor_a.get("/api/v1/me/caseload").json()["items"] == []
    assert mentor_a.get(f"/api/v1/enrolments/{eid}").status_code == 404
    assert mentor_a.get(f"/api/v1/participants/{pid}").status_code == 404


def test_a_referrer_does_not_see_a_protected_person(api: Api) -> None:
    mentor = api.as_("mentor_a2")
    r = mentor.post("/api/v1/participants", json=participant_body(53, protected_identity=True))
    pid = r.json()["id"]
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={
            "programme_code": "level_up",
            "referred_on": days_ago(5),
            "referrer_user_id": api.world.user("referrer_af"),
        },
    )
    assert r.status_code == 201, r.text
    items = api.as_("referrer_af").get("/api/v1/me/referrals").json()["items"]
    assert items == []


def test_a_referrer_sees_status_but_no_contact_notes_or_reasons(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = mentor.post("/api/v1/participants", json=participant_body(54)).json()["id"]
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={
            "programme_code": "level_up",
            "referred_on": days_ago(60),
            "referrer_user_id": api.world.user("referrer_af"),
            "benefit_at_start": "forsorjningsstod",
            **REFERRER_CONTACT,
        },
    )
    assert r.status_code == 201, r.text
    eid, etag = r.json()["id"], r.headers["ETag"]
    for name, body in [
        ("intake", {"effective_on": days_ago(50)}),
        ("start", {"effective_on": days_ago(40)}),
        ("advance", {"effective_on": days_ago(30)}),
        ("step-back", {"effective_on": days_ago(20), "reason": "Hemlig anledning"}),
        ("pause", {"effective_on": days_ago(10), "reason": "other", "note": "Hemlig anteckning"}),
    ]:
        r = mentor.post(f"/api/v1/enrolments/{eid}/{name}", json=body, headers={"If-Match": etag})
        assert r.status_code == 200, (name, r.text)
        etag = r.headers["ETag"]
    # Without consent to share with the referrer, the referrer sees nothing (DOMAIN.md §9).
    assert api.as_("referrer_af").get("/api/v1/me/referrals").json()["items"] == []
    r = mentor.post(
        f"/api/v1/participants/{pid}/consents",
        json={
            "purpose": "referrer_information_exchange",
            "action": "given",
            "effective_on": days_ago(60),
            "form_reference": "Samtyckesblankett 1",
        },
    )
    assert r.status_code == 201, r.text
    r = api.as_("referrer_af").get("/api/v1/me/referrals")
    assert r.status_code == 200, r.text
    (item,) = r.json()["items"]
    assert set(item) == REFERRAL_ITEM_KEYS
    assert (item["enrolment_id"], item["state"], item["step"]) == (eid, "paused", 1)
    assert MASKED.match(item["personnummer_masked"])
    for secret in [
        *REFERRER_CONTACT.values(),
        "Hemlig",
        "forsorjningsstod",
        "sick",
        "other",
        *pnr_forms(synthetic_pnr(54)),
    ]:
        assert secret not in r.text, secret
