"""GET /me/tasks: the mentor's to-do list in one request, built from the real journey endpoints
(on SQLite and PostgreSQL): what is on it, what is not, whose it is, and that reading it is
logged."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import Api, Caller
from sqlalchemy import select
from test_enrolment_journey import active_enrolment, command, days_ago, refer, register

from api.clock import Clock
from api.persistence.models import AuditEntryRow, AuditSubjectRow
from api.schemas.tasks import TasksRead
from domain.tasks import week_of

TODAY = Clock().today()


def level4_enrolment(mentor: Caller, serial: int) -> int:
    """Started 400 days ago, at Level 4 since 300 days ago: the support period ended long ago."""
    person = register(mentor, serial)
    enrolment, etag = refer(mentor, person["id"], referred_days_ago=420)
    eid = enrolment["id"]
    outcome = {"kind": "studies", "starts_on": days_ago(300), "studies_kind": "komvux"}
    steps: list[tuple[str, dict[str, Any]]] = [
        ("intake", {"effective_on": days_ago(410)}),
        ("start", {"effective_on": days_ago(400)}),
        ("advance", {"effective_on": days_ago(380)}),
        ("advance", {"effective_on": days_ago(350)}),
        ("advance", {"effective_on": days_ago(300), "outcome": outcome}),
    ]
    for name, body in steps:
        r = command(mentor, eid, name, etag, **body)
        assert r.status_code == 200, r.text
        etag = r.headers["ETag"]
    return int(eid)


def by_enrolment(items: list[dict[str, Any]]) -> dict[int, list[dict[str, Any]]]:
    out: dict[int, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(item["enrolment_id"], []).append(item)
    return out


def test_the_task_list_gathers_every_kind_of_task(api: Api) -> None:
    mentor = api.as_("mentor_a")
    # A: started 180 days ago, nothing recorded: start assessment overdue, quiet for 180 days.
    quiet_id, _ = active_enrolment(mentor, 1)
    # B: started too, but had an activity 3 days ago and attends a group this week.
    busy_id, _ = active_enrolment(mentor, 2)
    r = mentor.post(
        f"/api/v1/enrolments/{busy_id}/activities",
        json={
            "activity_type": "motivational_talk",
            "occurred_on": days_ago(3),
            "duration_minutes": 45,
        },
    )
    assert r.status_code == 201, r.text
    week = week_of(TODAY)
    r = mentor.post(
        "/api/v1/cohorts",
        json={
            "kind": "level2_group",
            "name": "Veckans grupp",
            "starts_on": (week.first_day - timedelta(days=7)).isoformat(),
            "sessions": [
                {"held_on": TODAY.isoformat(), "start_time": "10:00", "duration_minutes": 90},
                # Last week's session is not this week's task.
                {
                    "held_on": (week.first_day - timedelta(days=7)).isoformat(),
                    "start_time": "10:00",
                    "duration_minutes": 90,
                },
            ],
        },
    )
    assert r.status_code == 201, r.text
    cohort = r.json()
    r = mentor.post(f"/api/v1/cohorts/{cohort['id']}/members", json={"enrolment_id": busy_id})
    assert r.status_code == 201, r.text
    # C: at Level 4 for 300 days: the support-period follow-up is overdue, after-step
    # assessments are due.
    level4_id = level4_enrolment(mentor, 3)
    # D: paused: never quiet.
    paused_id, etag = active_enrolment(mentor, 4)
    r = command(mentor, paused_id, "pause", etag, effective_on=days_ago(100), reason="sick_leave")
    assert r.status_code == 200, r.text
    # Someone else's participant in the same municipality: never on mentor_a's list.
    other_id, _ = active_enrolment(api.as_("mentor_a2"), 5)

    r = mentor.get("/api/v1/me/tasks")
    assert r.status_code == 200, r.text
    tasks = r.json()
    # Written out unvalidated (api/responses.py): exactly what the declared model would give.
    assert r.headers["content-type"] == "application/json"
    assert TasksRead.model_validate(tasks).model_dump(mode="json") == tasks
    assert (tasks["today"], tasks["week_start"], tasks["week_end"]) == (
        TODAY.isoformat(),
        week.first_day.isoformat(),
        week.last_day.isoformat(),
    )

    assessments = by_enrolment(tasks["assessments"])
    assert {a["occasion"] for a in assessments[quiet_id]} == {"start"}
    assert assessments[quiet_id][0]["status"] == "overdue"
    assert {a["occasion"] for a in assessments[level4_id]} == {
        "start",
        "after_step_1",
        "after_step_2",
        "after_step_3",
    }
    assert other_id not in assessments

    follow_ups = by_enrolment(tasks["follow_ups"])
    assert set(follow_ups) == {level4_id}
    assert follow_ups[level4_id][0]["kind"] == "support_period_end"
    assert follow_ups[level4_id][0]["status"] == "overdue"

    assert [(s["session_id"], s["enrolment_ids"]) for s in tasks["sessions"]] == [
        (next(x["id"] for x in cohort["sessions"] if x["held_on"] == TODAY.isoformat()), [busy_id])
    ]

    quiet = {q["enrolment_id"]: q for q in tasks["quiet_participants"]}
    assert set(quiet) == {quiet_id, level4_id}
    assert quiet[quiet_id]["days_without_activity"] == 180
    assert quiet[quiet_id]["last_activity_on"] is None
    assert quiet[level4_id]["days_without_activity"] == 400
    for item in [*tasks["assessments"], *tasks["follow_ups"], *tasks["quiet_participants"]]:
        assert item["personnummer_masked"].endswith("-****")

    # Recording the start assessment takes it off the list.
    r = mentor.post(
        f"/api/v1/enrolments/{quiet_id}/assessments",
        json={
            "occasion": "start",
            "answered_on": days_ago(1),
            "respondent": "participant",
            "answers": {"self_esteem": 4},
        },
    )
    assert r.status_code == 201, r.text
    after = by_enrolment(mentor.get("/api/v1/me/tasks").json()["assessments"])
    assert quiet_id not in after


def test_reading_the_task_list_is_logged_with_the_people_on_it(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = active_enrolment(mentor, 1)
    r = mentor.get("/api/v1/me/tasks")
    assert r.status_code == 200, r.text
    pid = r.json()["quiet_participants"][0]["participant_id"]
    with api.database.unit_of_work(write=False) as uow:
        logged = uow.session.execute(
            select(AuditSubjectRow.participant_id)
            .join(AuditEntryRow, AuditEntryRow.id == AuditSubjectRow.audit_id)
            .where(AuditEntryRow.action == "tasks.read")
        ).scalars()
        assert set(logged) == {pid}
    assert eid == r.json()["quiet_participants"][0]["enrolment_id"]


def test_an_empty_task_list_for_a_lead_mentor_without_own_participants(api: Api) -> None:
    active_enrolment(api.as_("mentor_a"), 1)
    tasks = api.as_("lead_a").get("/api/v1/me/tasks").json()
    assert [tasks[k] for k in ("assessments", "follow_ups", "sessions", "quiet_participants")] == [
        [],
        [],
        [],
        [],
    ]


def test_roles_without_a_caseload_get_403(api: Api) -> None:
    for who in ("manager_a", "referrer_af", "analyst", "evaluator", "admin", "client"):
        r = api.as_(who).get("/api/v1/me/tasks")
        assert r.status_code == 403, (who, r.text)
