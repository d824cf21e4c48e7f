"""Cohorts through the HTTP API, on SQLite and PostgreSQL, with real tokens: planning a Level 2
group or Level 3 course, members, attendance (all or nothing), the member list filtered by the
caller's scope, who may do what, 404 for other municipalities, refused input writing nothing,
the access log, and the session list the mentor's task list is built from."""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, audit_entries, count, participant_body
from sqlalchemy import select

from api.deps import _load_principal
from api.persistence.models import AuditEntryRow
from api.persistence.models.activities import (
    AttendanceRow,
    CohortMemberRow,
    CohortRow,
    CohortSessionRow,
)
from api.persistence.models.tasks import TaskItemRow
from api.persistence.repositories.activities import last_activity_on
from api.persistence.repositories.cohorts import CohortRepository
from api.persistence.repositories.task_items import ACTIVITY, SESSION, TaskWindow, task_rows
from api.security.principal import scope_for

MISSING = 2_000_000_000


def today(api: Api) -> date:
    clock_today: date = api.app.state.context.clock.today()
    return clock_today


def day(api: Api, days_ago: int) -> str:
    return (today(api) - timedelta(days=days_ago)).isoformat()


def command(caller: Caller, enrolment_id: int, name: str, etag: str, **body: Any) -> Any:
    r = caller.post(
        f"/api/v1/enrolments/{enrolment_id}/{name}", json=body, headers={"If-Match": etag}
    )
    assert r.status_code == 200, r.text
    return r


def enrolment(api: Api, mentor: Caller, serial: int) -> tuple[int, int, str]:
    """(enrolment id, participant id, etag): referred 200 days ago, started at Level 1."""
    r = mentor.post("/api/v1/participants", json=participant_body(serial))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": day(api, 200)},
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = command(mentor, eid, "intake", r.headers["ETag"], effective_on=day(api, 195))
    r = command(mentor, eid, "start", r.headers["ETag"], effective_on=day(api, 190))
    return eid, pid, r.headers["ETag"]


def cohort_body(api: Api, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "level2_group",
        "name": "Självkänsla och samhälle, hösten",
        "starts_on": day(api, 28),
        "schedule": {"weekdays": [2, 4], "start_time": "09:30", "duration_minutes": 180},
    }
    body.update(overrides)
    return body


WRITTEN = (CohortRow, CohortSessionRow, CohortMemberRow, AttendanceRow, AuditEntryRow)


def counts(api: Api) -> tuple[int, ...]:
    return tuple(count(api, m) for m in WRITTEN)


@dataclass
class Course:
    id: int
    past_session: int  # the latest session before today
    future_session: int
    other_past_session: int  # an earlier one
    mine: list[tuple[int, int]]  # mentor_a's members: (enrolment id, participant id)
    theirs: tuple[int, int]  # mentor_a2's member


def course(api: Api) -> Course:
    """A Level 2 group started four weeks ago (Tuesdays and Thursdays) with two of mentor_a's
    participants and one of mentor_a2's."""
    lead = api.as_("lead_a")
    r = lead.post("/api/v1/cohorts", json=cohort_body(api))
    assert r.status_code == 201, r.text
    data = r.json()
    t = today(api)
    past = [s for s in data["sessions"] if date.fromisoformat(s["held_on"]) < t]
    future = [s for s in data["sessions"] if date.fromisoformat(s["held_on"]) > t]
    mentor, mentor2 = api.as_("mentor_a"), api.as_("mentor_a2")
    mine = [enrolment(api, mentor, n)[:2] for n in (1, 2)]
    theirs = enrolment(api, mentor2, 3)[:2]
    for eid, _ in mine:
        r = mentor.post(f"/api/v1/cohorts/{data['id']}/members", json={"enrolment_id": eid})
        assert r.status_code == 201, r.text
    r = mentor2.post(f"/api/v1/cohorts/{data['id']}/members", json={"enrolment_id": theirs[0]})
    assert r.status_code == 201, r.text
    return Course(data["id"], past[-1]["id"], future[0]["id"], past[0]["id"], mine, theirs)


def put(caller: Caller, url: str, **kw: Any) -> Any:
    # conftest's Caller has no put(); the lead may add one.
    return caller.request("PUT", url, **kw)


def attendance_url(c: Course, session_id: int) -> str:
    return f"/api/v1/cohorts/{c.id}/sessions/{session_id}/attendance"


# ---- the happy path --------------------------------------------------------------------------


def test_plan_a_group_with_a_weekly_schedule(api: Api) -> None:
    lead = api.as_("lead_a")
    r = lead.post("/api/v1/cohorts", json=cohort_body(api))
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["kind"] == "level2_group"
    assert data["provider"] == "Studieförbundet Vuxenskolan"  # the kind's default
    assert data["weeks"] == 8
    assert data["starts_on"] == day(api, 28)
    # Tuesdays and Thursdays for 8 weeks: 16 sessions, all inside the period.
    assert len(data["sessions"]) == 16
    start = today(api) - timedelta(days=28)
    for s in data["sessions"]:
        held = date.fromisoformat(s["held_on"])
        assert start <= held < start + timedelta(weeks=8)
        assert held.isoweekday() in (2, 4)
        assert (s["start_time"], s["duration_minutes"], s["attended_count"]) == ("09:30", 180, 0)
    assert (data["members"], data["other_member_count"]) == ([], 0)

    [(entry, subjects)] = audit_entries(api, "cohort.create")
    assert (entry.entity_type, entry.entity_id, subjects) == ("cohort", data["id"], [])
    assert entry.detail == {"kind": "level2_group", "weeks": 8, "sessions": 16}

    listed = api.as_("mentor_a").get("/api/v1/cohorts")
    assert listed.status_code == 200
    assert listed.json()["items"] == [
        {
            "id": data["id"],
            "kind": "level2_group",
            "name": "Självkänsla och samhälle, hösten",
            "provider": "Studieförbundet Vuxenskolan",
            "starts_on": day(api, 28),
            "weeks": 8,
            "session_count": 16,
            "member_count": 0,
        }
    ]


def test_plan_a_course_with_explicit_sessions(api: Api) -> None:
    body = cohort_body(
        api,
        kind="level3_course",
        weeks=2,
        schedule=None,
        sessions=[
            {"held_on": day(api, 27), "start_time": "13:00", "duration_minutes": 120},
            {"held_on": day(api, 28), "start_time": "09:00", "duration_minutes": 240},
        ],
    )
    body.pop("schedule")
    r = api.as_("mentor_a").post("/api/v1/cohorts", json=body)
    assert r.status_code == 201, r.text
    data = r.json()
    assert data["provider"] == "Vara folkhögskola"
    assert [(s["held_on"], s["start_time"]) for s in data["sessions"]] == [
        (day(api, 28), "09:00"),
        (day(api, 27), "13:00"),
    ]


def test_members_attendance_and_scope(api: Api) -> None:
    c = course(api)
    (e1, p1), (e2, p2) = c.mine
    e3, p3 = c.theirs
    lead, mentor = api.as_("lead_a"), api.as_("mentor_a")

    # The lead mentor records for everyone, in one batch.
    r = put(
        lead,
        attendance_url(c, c.past_session),
        json={
            "entries": [
                {"enrolment_id": e1, "attended": True},
                {"enrolment_id": e2, "attended": False},
                {"enrolment_id": e3, "attended": True},
            ]
        },
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert (data["id"], data["cohort_id"], data["attended_count"]) == (c.past_session, c.id, 2)
    assert sorted((a["enrolment_id"], a["attended"]) for a in data["attendance"]) == [
        (e1, True),
        (e2, False),
        (e3, True),
    ]

    # Recording again replaces the value; the mentor only sees the own members in the answer.
    r = put(
        mentor,
        attendance_url(c, c.past_session),
        json={"entries": [{"enrolment_id": e2, "attended": True}]},
    )
    assert r.status_code == 200, r.text
    assert r.json()["attended_count"] == 3
    assert sorted((a["enrolment_id"], a["attended"]) for a in r.json()["attendance"]) == [
        (e1, True),
        (e2, True),
    ]
    assert count(api, AttendanceRow) == 3
    writes = audit_entries(api, "cohort.record_attendance")
    assert [(e.entity_type, e.entity_id, s) for e, s in writes] == [
        ("cohort_session", c.past_session, sorted([p1, p2, p3])),
        ("cohort_session", c.past_session, [p2]),
    ]
    assert writes[0][0].detail == {
        "cohort_id": c.id,
        "enrolment_ids": sorted([e1, e2, e3]),
        "replaced": [],
    }
    assert writes[1][0].detail == {"cohort_id": c.id, "enrolment_ids": [e2], "replaced": [e2]}
    # The answer also showed e1's earlier mark to the mentor: that read is logged too.
    [(shown, shown_subjects)] = audit_entries(api, "cohort_session.read")
    assert (shown.actor_id, shown_subjects) == (api.world.user("mentor_a"), [p1])

    # The mentor sees the own members by name and only a count of the others.
    r = mentor.get(f"/api/v1/cohorts/{c.id}")
    assert r.status_code == 200, r.text
    data = r.json()
    assert sorted(m["enrolment_id"] for m in data["members"]) == sorted([e1, e2])
    assert data["other_member_count"] == 1
    assert all(m["first_name"] == "Testa" for m in data["members"])
    assert {m["enrolment_id"]: m["attendance"] for m in data["members"]} == {
        e1: {str(c.past_session): True},
        e2: {str(c.past_session): True},
    }
    assert p3 not in {m["participant_id"] for m in data["members"]}
    session = next(s for s in data["sessions"] if s["id"] == c.past_session)
    assert session["attended_count"] == 3

    # The lead mentor and the unit manager see everyone.
    for who in ("lead_a", "manager_a"):
        data = api.as_(who).get(f"/api/v1/cohorts/{c.id}").json()
        assert sorted(m["enrolment_id"] for m in data["members"]) == sorted([e1, e2, e3])
        assert data["other_member_count"] == 0

    # Each read is in the access log with exactly the people it showed.
    reads = audit_entries(api, "cohort.read")
    assert [(e.actor_id, s) for e, s in reads] == [
        (api.world.user("mentor_a"), sorted([p1, p2])),
        (api.world.user("lead_a"), sorted([p1, p2, p3])),
        (api.world.user("manager_a"), sorted([p1, p2, p3])),
    ]
    adds = audit_entries(api, "cohort.add_member")
    assert [s for _, s in adds] == [[p1], [p2], [p3]]
    assert adds[0][0].detail == {"enrolment_id": e1}

    listed = mentor.get("/api/v1/cohorts").json()["items"]
    assert [(i["id"], i["member_count"]) for i in listed] == [(c.id, 3)]


def test_attended_sessions_count_as_activity_hours(api: Api) -> None:
    c = course(api)
    (e1, _), (e2, _) = c.mine
    mentor = api.as_("mentor_a")
    for session_id in (c.past_session, c.other_past_session):
        r = put(
            mentor,
            attendance_url(c, session_id),
            json={
                "entries": [
                    {"enrolment_id": e1, "attended": True},
                    {"enrolment_id": e2, "attended": False},
                ]
            },
        )
        assert r.status_code == 200, r.text
    hours = {
        e: sum(
            w["hours"] for w in mentor.get(f"/api/v1/enrolments/{e}/activity-hours").json()["weeks"]
        )
        for e in (e1, e2)
    }
    assert hours == {e1: 6.0, e2: 0.0}  # two attended sessions of 3 h; absence counts nothing
    with api.database.unit_of_work(write=False) as uow:
        latest = last_activity_on(uow.session.connection(), [e1, e2])
    held = {s["id"]: s["held_on"] for s in mentor.get(f"/api/v1/cohorts/{c.id}").json()["sessions"]}
    assert latest == {e1: date.fromisoformat(held[c.past_session]), e2: None}
    # The task list's read model stores the same date, written when the attendance was.
    with api.database.read_connection() as connection:
        stored = dict(
            connection.execute(
                select(TaskItemRow.enrolment_id, TaskItemRow.dated_on).where(
                    TaskItemRow.kind == ACTIVITY, TaskItemRow.enrolment_id.in_([e1, e2])
                )
            ).all()
        )
    assert stored == {e1: latest[e1]}


def _session_rows(api: Api, who: str, first: date, last: date) -> dict[int, list[int]]:
    """The task list's session rows for `who` between two dates: session id -> members."""
    with api.database.read_connection() as connection:
        principal = _load_principal(connection, f"user:{api.world.user(who)}")
        assert principal is not None and principal.user_id is not None
        window = TaskWindow(
            follow_ups_due_by=first, quiet_since_by=first, week_first=first, week_last=last
        )
        rows = task_rows(connection, scope_for(principal), principal.user_id, window)
    out: dict[int, list[int]] = {}
    for row in rows:
        if row.kind == SESSION:
            out.setdefault(row.source_id, []).append(row.enrolment_id)
    return {session: sorted(members) for session, members in out.items()}


def test_the_task_list_reads_the_sessions_of_the_callers_own_members(api: Api) -> None:
    c = course(api)
    (e1, _), (e2, _) = c.mine
    e3, _ = c.theirs
    # A second cohort nobody of mentor_a's is in.
    other = api.as_("lead_a").post("/api/v1/cohorts", json=cohort_body(api, name="Annan grupp"))
    assert other.status_code == 201
    first, last = today(api) - timedelta(days=28), today(api) + timedelta(days=60)
    held = {
        s["id"]: s["held_on"]
        for s in api.as_("lead_a").get(f"/api/v1/cohorts/{c.id}").json()["sessions"]
    }
    mine = _session_rows(api, "mentor_a", first, last)
    assert len(mine) == 16 and set(mine) == set(held)
    assert all(members == sorted([e1, e2]) for members in mine.values())
    assert _session_rows(api, "mentor_a2", first, last) == {s: [e3] for s in held}
    # Tuesdays and Thursdays: one 7-day window holds exactly two sessions of the cohort.
    week = _session_rows(api, "mentor_a", today(api), today(api) + timedelta(days=6))
    assert len(week) == 2 and all(members == sorted([e1, e2]) for members in week.values())
    # Nobody mentored by the unit manager: no sessions.
    assert _session_rows(api, "manager_a", first, last) == {}


# ---- who may, and scope ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["referrer_af", "analyst", "evaluator", "admin", "client"])
def test_roles_without_cohort_permissions_get_403(api: Api, who: str) -> None:
    c = course(api)
    caller = api.as_(who)
    before = counts(api)
    for r in (
        caller.get("/api/v1/cohorts"),
        caller.get(f"/api/v1/cohorts/{c.id}"),
        caller.post("/api/v1/cohorts", json=cohort_body(api)),
        caller.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": c.mine[0][0]}),
        put(
            caller,
            attendance_url(c, c.past_session),
            json={"entries": [{"enrolment_id": c.mine[0][0], "attended": True}]},
        ),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "Forbidden"
    assert counts(api) == before


def test_the_unit_manager_reads_but_does_not_manage(api: Api) -> None:
    c = course(api)
    manager = api.as_("manager_a")
    before = counts(api)
    assert manager.post("/api/v1/cohorts", json=cohort_body(api)).status_code == 403
    r = manager.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": c.mine[0][0]})
    assert r.status_code == 403
    r = put(
        manager,
        attendance_url(c, c.past_session),
        json={"entries": [{"enrolment_id": c.mine[0][0], "attended": True}]},
    )
    assert r.status_code == 403
    assert counts(api) == before
    assert manager.get("/api/v1/cohorts").status_code == 200


@pytest.mark.parametrize("who", ["mentor_b", "lead_b"])
def test_another_municipality_gets_404_like_a_missing_id(api: Api, who: str) -> None:
    c = course(api)
    caller = api.as_(who)
    assert caller.get("/api/v1/cohorts").json() == {"items": []}
    before = counts(api)
    entries = {"entries": [{"enrolment_id": c.mine[0][0], "attended": True}]}
    pairs = [
        (caller.get(f"/api/v1/cohorts/{c.id}"), caller.get(f"/api/v1/cohorts/{MISSING}")),
        (
            caller.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": c.mine[0][0]}),
            caller.post(f"/api/v1/cohorts/{MISSING}/members", json={"enrolment_id": 1}),
        ),
        (
            put(caller, attendance_url(c, c.past_session), json=entries),
            put(
                caller,
                f"/api/v1/cohorts/{MISSING}/sessions/{c.past_session}/attendance",
                json=entries,
            ),
        ),
    ]
    for theirs, nobody in pairs:
        assert theirs.status_code == 404, theirs.text
        assert theirs.json() == nobody.json()
    assert counts(api) == before


def test_adding_someone_outside_the_callers_scope_is_404(api: Api) -> None:
    c = course(api)
    mentor = api.as_("mentor_a")
    outsider, _, _ = enrolment(api, api.as_("mentor_a2"), 20)
    b_enrolment, _, _ = enrolment(api, api.as_("mentor_b"), 21)
    before = counts(api)
    missing = mentor.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": MISSING})
    assert missing.status_code == 404
    for eid, caller in (
        (outsider, mentor),
        (b_enrolment, mentor),
        (b_enrolment, api.as_("lead_a")),
    ):
        r = caller.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": eid})
        assert r.status_code == 404, r.text
        assert r.json() == missing.json()
    assert counts(api) == before


def test_attendance_for_anyone_outside_the_callers_scope_is_one_404(api: Api) -> None:
    """A colleague's member, a colleague's participant who is no member, an id that does not
    exist, a session of another cohort: one and the same 404, so nobody can probe who is in
    a cohort or which ids exist. The valid entry of the batch is not written either."""
    c = course(api)
    own = {"enrolment_id": c.mine[0][0], "attended": True}
    colleague_only, _, _ = enrolment(api, api.as_("mentor_a2"), 20)  # not a member
    other = api.as_("lead_a").post("/api/v1/cohorts", json=cohort_body(api, name="Annan"))
    foreign_session = other.json()["sessions"][0]["id"]
    mentor = api.as_("mentor_a")
    before = counts(api)
    answers = [
        put(mentor, attendance_url(c, c.past_session), json={"entries": [own, extra]})
        for extra in (
            {"enrolment_id": c.theirs[0], "attended": True},
            {"enrolment_id": colleague_only, "attended": True},
            {"enrolment_id": MISSING, "attended": True},
        )
    ]
    answers += [
        put(mentor, attendance_url(c, session_id), json={"entries": [own]})
        for session_id in (foreign_session, MISSING)
    ]
    answers.append(
        put(
            mentor,
            f"/api/v1/cohorts/{MISSING}/sessions/{c.past_session}/attendance",
            json={"entries": [own]},
        )
    )
    for r in answers:
        assert r.status_code == 404, r.text
        assert r.json() == answers[0].json()
    assert counts(api) == before


# ---- refused input writes nothing ------------------------------------------------------------


def test_attendance_for_someone_not_in_the_cohort_writes_nothing_of_the_batch(api: Api) -> None:
    c = course(api)
    (e1, _), (e2, _) = c.mine
    # In the mentor's scope, but not members.
    stranger, _, _ = enrolment(api, api.as_("mentor_a"), 30)
    another, _, _ = enrolment(api, api.as_("mentor_a"), 31)
    before = counts(api)
    r = put(
        api.as_("mentor_a"),
        attendance_url(c, c.past_session),
        json={
            "entries": [
                {"enrolment_id": e1, "attended": True},
                {"enrolment_id": stranger, "attended": True},
                {"enrolment_id": e2, "attended": False},
                {"enrolment_id": another, "attended": True},
            ]
        },
    )
    assert r.status_code == 422, r.text
    body = r.json()
    assert body["error"] == "InvalidInput"
    assert body["fields"] == {
        "entries.1.enrolment_id": "inte med i gruppen",
        "entries.3.enrolment_id": "inte med i gruppen",
    }
    assert counts(api) == before  # not even e1 and e2


def test_attendance_for_a_future_session_is_422(api: Api) -> None:
    c = course(api)
    before = counts(api)
    r = put(
        api.as_("mentor_a"),
        attendance_url(c, c.future_session),
        json={"entries": [{"enrolment_id": c.mine[0][0], "attended": True}]},
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "InvalidEffectiveDate"
    assert counts(api) == before


def test_attendance_after_the_members_exit_is_422(api: Api) -> None:
    c = course(api)
    mentor = api.as_("mentor_a")
    eid, _ = c.mine[0]
    etag = mentor.get(f"/api/v1/enrolments/{eid}").headers["ETag"]
    command(
        mentor,
        eid,
        "exit",
        etag,
        effective_on=day(api, 27),
        exit_reason_code="completed",
        exit_status_code="studies",
    )
    before = counts(api)
    r = put(
        mentor,
        attendance_url(c, c.past_session),
        json={"entries": [{"enrolment_id": eid, "attended": True}]},
    )
    assert r.status_code == 422, r.text
    assert r.json()["fields"] == {"entries.0": "efter avslut"}
    assert counts(api) == before


@pytest.mark.parametrize(
    ("body", "status", "error"),
    [
        ({"entries": []}, 422, "ValidationError"),
        ({"entries": [{"enrolment_id": 1, "attended": True}] * 201}, 422, "ValidationError"),
        ({"entries": [{"enrolment_id": 1, "attended": "kanske"}]}, 422, "ValidationError"),
        ({"entries": [{"enrolment_id": 1, "attended": True, "note": "x"}]}, 422, "ValidationError"),
        ({"entries": [], "session_id": 1}, 422, "ValidationError"),
    ],
    ids=["empty", "over-200", "not-a-boolean", "extra-field-in-entry", "extra-field"],
)
def test_bad_attendance_bodies(api: Api, body: dict[str, Any], status: int, error: str) -> None:
    c = course(api)
    before = counts(api)
    r = put(api.as_("mentor_a"), attendance_url(c, c.past_session), json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    assert counts(api) == before


def test_a_repeated_member_in_one_batch_is_422(api: Api) -> None:
    c = course(api)
    eid = c.mine[0][0]
    before = counts(api)
    r = put(
        api.as_("mentor_a"),
        attendance_url(c, c.past_session),
        json={
            "entries": [
                {"enrolment_id": eid, "attended": True},
                {"enrolment_id": eid, "attended": False},
            ]
        },
    )
    assert r.status_code == 422, r.text
    assert counts(api) == before


BAD_COHORTS: list[tuple[str, dict[str, Any], str]] = [
    ("weeks-0", {"weeks": 0}, "weeks"),
    ("weeks-53", {"weeks": 53}, "weeks"),
    ("unknown-field", {"municipality_id": 2}, "municipality_id"),
    ("unknown-kind", {"kind": "level1_walk"}, "kind"),
    ("empty-name", {"name": ""}, "name"),
    (
        "weekday-8",
        {"schedule": {"weekdays": [8], "start_time": "09:00", "duration_minutes": 60}},
        "",
    ),
    (
        "bad-time",
        {"schedule": {"weekdays": [1], "start_time": "25:00", "duration_minutes": 60}},
        "",
    ),
    (
        "short-session",
        {"schedule": {"weekdays": [1], "start_time": "09:00", "duration_minutes": 14}},
        "",
    ),
    (
        "both-plans",
        {"sessions": [{"held_on": "2026-01-01", "start_time": "09:00", "duration_minutes": 60}]},
        "",
    ),
    ("no-plan", {"schedule": None}, ""),
]


@pytest.mark.parametrize(
    ("overrides", "field"),
    [(o, f) for _, o, f in BAD_COHORTS],
    ids=[name for name, _, _ in BAD_COHORTS],
)
def test_bad_cohorts_are_refused_and_nothing_is_written(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    before = counts(api)
    r = api.as_("lead_a").post("/api/v1/cohorts", json=cohort_body(api, **overrides))
    assert r.status_code == 422, r.text
    payload = r.json()
    assert payload["error"] == "ValidationError"
    assert any(field in k for k in payload["fields"])
    assert counts(api) == before


@pytest.mark.parametrize(
    ("held_days_from_start", "weeks", "field"),
    [
        (-1, 8, "sessions.held_on"),  # the day before the start
        (56, 8, "sessions.held_on"),  # the first day after 8 weeks
        (7, 1, "sessions.held_on"),
    ],
)
def test_a_session_outside_the_period_is_refused(
    api: Api, held_days_from_start: int, weeks: int, field: str
) -> None:
    start = today(api) - timedelta(days=28)
    body = cohort_body(
        api,
        weeks=weeks,
        sessions=[
            {"held_on": start.isoformat(), "start_time": "09:00", "duration_minutes": 60},
            {
                "held_on": (start + timedelta(days=held_days_from_start)).isoformat(),
                "start_time": "09:00",
                "duration_minutes": 60,
            },
        ],
    )
    body.pop("schedule")
    before = counts(api)
    r = api.as_("lead_a").post("/api/v1/cohorts", json=body)
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "InvalidInput"
    assert field in r.json()["fields"]
    assert counts(api) == before


def test_a_period_off_the_calendar_is_422_not_500(api: Api) -> None:
    before = counts(api)
    r = api.as_("lead_a").post("/api/v1/cohorts", json=cohort_body(api, starts_on="9999-12-25"))
    assert r.status_code == 422, r.text
    assert counts(api) == before


def test_members_twice_or_closed_are_409(api: Api) -> None:
    c = course(api)
    mentor = api.as_("mentor_a")
    eid, _ = c.mine[0]
    before = counts(api)
    r = mentor.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": eid})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "Conflict"

    closed, _, etag = enrolment(api, mentor, 40)
    command(
        mentor,
        closed,
        "exit",
        etag,
        effective_on=day(api, 1),
        exit_reason_code="completed",
        exit_status_code="studies",
    )
    before = counts(api)
    r = mentor.post(f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": closed})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "InvalidTransition"
    assert counts(api) == before


@pytest.mark.parametrize(
    ("joined", "status"), [(-1, 422), (201, 422), (0, 201), (200, 201)], ids=str
)
def test_joined_on(api: Api, joined: int, status: int) -> None:
    c = course(api)
    eid, _, _ = enrolment(api, api.as_("mentor_a"), 50)  # referred 200 days ago
    before = counts(api)
    r = api.as_("mentor_a").post(
        f"/api/v1/cohorts/{c.id}/members", json={"enrolment_id": eid, "joined_on": day(api, joined)}
    )
    assert r.status_code == status, r.text
    if status == 201:
        assert r.json()["joined_on"] == day(api, joined)
        assert r.json()["attendance"] == {}
    else:
        assert counts(api) == before


@pytest.mark.parametrize("attempt", range(3))
def test_concurrent_attendance_for_one_session_both_succeed_once(
    api: Api, attempt: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two people marking the same members at the same moment: the second replaces the first,
    neither fails, and each (session, member) pair has exactly one row."""
    c = course(api)
    original = CohortRepository.member_enrolments

    def slow(self: CohortRepository, cohort_id: int) -> Any:
        # Hold each writer between loading the session and writing its rows, so that without
        # the session lock both would find no row and both insert.
        time.sleep(0.2)
        return original(self, cohort_id)

    monkeypatch.setattr(CohortRepository, "member_enrolments", slow)
    entries = [{"enrolment_id": e, "attended": True} for e, _ in c.mine]
    results: list[int] = []
    barrier = threading.Barrier(2)

    def mark(caller: Caller) -> None:
        barrier.wait()
        results.append(
            put(caller, attendance_url(c, c.past_session), json={"entries": entries}).status_code
        )

    threads = [
        threading.Thread(target=mark, args=(api.as_(who),)) for who in ("mentor_a", "lead_a")
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [200, 200]
    assert count(api, AttendanceRow) == 2
    writes = audit_entries(api, "cohort.record_attendance")
    assert sorted(len(e.detail["replaced"]) for e, _ in writes) == [0, 2]  # type: ignore[index]
