"""The task list's read model (task_items) is never stale: every kind of write through the API
that should change a mentor's task list changes the very next GET /me/tasks, by exactly what
the write means, and afterwards the stored items equal a recomputation from the sources (on
SQLite and PostgreSQL).

The list reads stored items, refreshed at commit for the enrolments a flush or a Core writer
noted; a write path that notes nothing would leave an old list behind, which only a request
after the write can see. Each test therefore reads, writes, reads again, and compares the whole
answer with the one before, so an unrelated change shows up too."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from conftest import Api, Caller, rebuild_task_items, stored_task_items
from test_assessments_api import answers, submit
from test_cohorts_api import attendance_url, course, put
from test_consents_api import consent
from test_enrolment_journey import active_enrolment, command, days_ago, refer, register
from test_follow_ups_api import REACHED_WORK, record
from test_follow_ups_api import enrolment as follow_up_enrolment
from test_tasks_api import by_enrolment, level4_enrolment

from api.clock import Clock
from domain.enrolment import add_months

TODAY = Clock().today()
SECTIONS = ("assessments", "follow_ups", "sessions", "quiet_participants")


def tasks(caller: Caller) -> dict[str, Any]:
    r = caller.get("/api/v1/me/tasks")
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def changed(before: dict[str, Any], **sections: list[dict[str, Any]]) -> dict[str, Any]:
    """The list `before`, with these sections as they should read after the write."""
    assert set(sections) <= set(SECTIONS)
    return {**before, **sections}


def without(items: list[dict[str, Any]], enrolment_id: int, **match: Any) -> list[dict[str, Any]]:
    """`items` less the enrolment's ones that match every field in `match`."""
    return [
        item
        for item in items
        if not (
            item["enrolment_id"] == enrolment_id and all(item[k] == v for k, v in match.items())
        )
    ]


def updated(
    items: list[dict[str, Any]], enrolment_id: int, match: dict[str, Any], **fields: Any
) -> list[dict[str, Any]]:
    """`items` with the enrolment's ones that match `match` given these field values."""
    return [
        {**item, **fields}
        if item["enrolment_id"] == enrolment_id and all(item[k] == v for k, v in match.items())
        else item
        for item in items
    ]


def one(items: list[dict[str, Any]], enrolment_id: int, **match: Any) -> dict[str, Any]:
    found = [
        i
        for i in by_enrolment(items).get(enrolment_id, [])
        if all(i[k] == v for k, v in match.items())
    ]
    assert len(found) == 1, (enrolment_id, match, items)
    return found[0]


def etag_of(caller: Caller, enrolment_id: int) -> str:
    r = caller.get(f"/api/v1/enrolments/{enrolment_id}")
    assert r.status_code == 200, r.text
    return str(r.headers["ETag"])


def support_period_end(level_4_days_ago: int) -> str:
    """The due date of Level Up's follow-up for a Level 4 entry that many days ago."""
    return add_months(TODAY - timedelta(days=level_4_days_ago), 3).isoformat()


def history_seq(caller: Caller, enrolment_id: int, kind: str, nth: int = -1) -> int:
    """The seq of the `nth` history entry of `kind`, so corrections name it without counting."""
    history = caller.get(f"/api/v1/enrolments/{enrolment_id}").json()["history"]
    return int([h for h in history if h["kind"] == kind][nth]["seq"])


def assert_stored_items_equal_a_rebuild(api: Api) -> None:
    # The request after the write shows what was stored; this shows nothing else is stored
    # either (say, a row for an item the write took off the list but a read filters out).
    kept = stored_task_items(api.database)
    assert rebuild_task_items(api.database) == kept


# ---- 1. activities -------------------------------------------------------------------------------


def test_an_activity_takes_a_quiet_participant_off_the_list(api: Api) -> None:
    mentor = api.as_("mentor_a")
    talked_to, _ = active_enrolment(mentor, 1)
    long_ago, _ = active_enrolment(mentor, 2)
    before = tasks(mentor)
    assert [q["enrolment_id"] for q in before["quiet_participants"]] == [talked_to, long_ago]

    # Recorded today but held 40 days ago: still quiet, now counted from that day.
    r = mentor.post(
        f"/api/v1/enrolments/{long_ago}/activities",
        json={
            "activity_type": "motivational_talk",
            "occurred_on": days_ago(40),
            "duration_minutes": 45,
        },
    )
    assert r.status_code == 201, r.text
    after = tasks(mentor)
    assert after == changed(
        before,
        quiet_participants=updated(
            before["quiet_participants"],
            long_ago,
            {},
            last_activity_on=days_ago(40),
            days_without_activity=40,
        ),
    )
    assert_stored_items_equal_a_rebuild(api)

    before = after
    r = mentor.post(
        f"/api/v1/enrolments/{talked_to}/activities",
        json={"activity_type": "praktik", "occurred_on": days_ago(3), "duration_minutes": 240},
    )
    assert r.status_code == 201, r.text
    assert tasks(mentor) == changed(
        before, quiet_participants=without(before["quiet_participants"], talked_to)
    )
    assert_stored_items_equal_a_rebuild(api)


# ---- 2. attendance at a cohort session -----------------------------------------------------------


def test_attending_a_session_takes_a_quiet_participant_off_the_list(api: Api) -> None:
    c = course(api)
    (attended, _), (absent, _) = c.mine
    mentor = api.as_("mentor_a")
    before = tasks(mentor)
    assert {q["enrolment_id"] for q in before["quiet_participants"]} == {attended, absent}

    r = put(
        mentor,
        attendance_url(c, c.past_session),
        json={
            "entries": [
                {"enrolment_id": attended, "attended": True},
                {"enrolment_id": absent, "attended": False},
            ]
        },
    )
    assert r.status_code == 200, r.text
    assert tasks(mentor) == changed(
        before, quiet_participants=without(before["quiet_participants"], attended)
    )
    assert_stored_items_equal_a_rebuild(api)

    # A mark corrected to absent replaces the attendance: the last sign of life is gone again.
    r = put(
        mentor,
        attendance_url(c, c.past_session),
        json={"entries": [{"enrolment_id": attended, "attended": False}]},
    )
    assert r.status_code == 200, r.text
    assert tasks(mentor) == before
    assert_stored_items_equal_a_rebuild(api)


# ---- 3. self-assessments -------------------------------------------------------------------------


def test_a_submitted_assessment_leaves_the_list_and_a_correction_keeps_it_off(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = active_enrolment(mentor, 1)
    other, _ = active_enrolment(mentor, 2)
    before = tasks(mentor)
    assert one(before["assessments"], eid)["occasion"] == "start"
    assert one(before["assessments"], other)["occasion"] == "start"

    r = submit(api, mentor, eid, "start", days_ago=179)
    assert r.status_code == 201, r.text
    submission_id = r.json()["id"]
    after = tasks(mentor)
    assert after == changed(
        before, assessments=without(before["assessments"], eid, occasion="start")
    )
    assert_stored_items_equal_a_rebuild(api)

    # The correction supersedes the submission: the occasion is still answered.
    r = mentor.post(
        f"/api/v1/assessments/{submission_id}/corrections",
        json={
            "reason": "Svaren för kost och självkänsla blev förväxlade",
            "answered_on": days_ago(179),
            "respondent": "participant",
            "answers": answers(3, self_esteem=7),
        },
    )
    assert r.status_code == 201, r.text
    assert tasks(mentor) == after
    assert_stored_items_equal_a_rebuild(api)


# ---- 4. transitions ------------------------------------------------------------------------------


def test_a_transition_makes_the_next_occasion_due(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor, 1)
    before = tasks(mentor)
    start = one(before["assessments"], eid, occasion="start")
    assert (start["due_on"], start["status"]) == (days_ago(180), "overdue")

    r = command(mentor, eid, "advance", etag, effective_on=days_ago(3))
    assert r.status_code == 200, r.text
    after = tasks(mentor)
    after_step_1 = {**start, "occasion": "after_step_1", "due_on": days_ago(3), "status": "due"}
    assert after == changed(
        before,
        assessments=[*before["assessments"], after_step_1],
        quiet_participants=updated(before["quiet_participants"], eid, {}, step=2),
    )
    assert_stored_items_equal_a_rebuild(api)

    # An exit makes its occasion due, and an exited participant is no longer quiet.
    before = after
    r = command(
        mentor,
        eid,
        "exit",
        r.headers["ETag"],
        effective_on=days_ago(1),
        exit_reason_code="completed",
        exit_status_code="studies",
    )
    assert r.status_code == 200, r.text
    exit_due = {**start, "occasion": "exit", "due_on": days_ago(1), "status": "due"}
    assert tasks(mentor) == changed(
        before,
        assessments=[*before["assessments"], exit_due],
        quiet_participants=without(before["quiet_participants"], eid),
    )
    assert_stored_items_equal_a_rebuild(api)


# ---- 5. date corrections -------------------------------------------------------------------------


def test_a_date_correction_moves_the_due_dates_that_depend_on_it(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid = level4_enrolment(mentor, 1)
    before = tasks(mentor)
    assert one(before["assessments"], eid, occasion="after_step_3")["due_on"] == days_ago(300)
    assert one(before["follow_ups"], eid)["due_on"] == support_period_end(300)

    # Level 4 was really entered ten days earlier: the assessment made due by leaving Level 3
    # and the support period's follow-up both move.
    r = command(
        mentor,
        eid,
        "corrections",
        etag_of(mentor, eid),
        target_seq=history_seq(mentor, eid, "advance"),
        effective_on=days_ago(310),
        reason="Fel datum för nivå 4",
    )
    assert r.status_code == 200, r.text
    after = tasks(mentor)
    moved_follow_up = support_period_end(310)
    assert after == changed(
        before,
        assessments=updated(
            before["assessments"], eid, {"occasion": "after_step_3"}, due_on=days_ago(310)
        ),
        follow_ups=updated(before["follow_ups"], eid, {}, due_on=moved_follow_up),
    )
    assert_stored_items_equal_a_rebuild(api)

    # The start was five days earlier: the start occasion moves, and so does the quiet count,
    # which runs from the start while nothing is recorded.
    before = after
    r = command(
        mentor,
        eid,
        "corrections",
        r.headers["ETag"],
        target_seq=history_seq(mentor, eid, "start"),
        effective_on=days_ago(405),
        reason="Fel startdatum",
    )
    assert r.status_code == 200, r.text
    assert tasks(mentor) == changed(
        before,
        assessments=updated(
            before["assessments"], eid, {"occasion": "start"}, due_on=days_ago(405)
        ),
        quiet_participants=updated(
            before["quiet_participants"], eid, {}, days_without_activity=405
        ),
    )
    assert_stored_items_equal_a_rebuild(api)


def test_entering_level_4_again_and_its_correction_change_only_the_follow_up(api: Api) -> None:
    mentor = api.as_("mentor_a")
    person = register(mentor, 1)
    enrolment, etag = refer(mentor, person["id"], referred_days_ago=420)
    eid = enrolment["id"]
    # Stepping back from Level 3 already made after_step_3 due, so entering Level 4 later
    # makes no assessment due, and correcting that entry moves no assessment: the follow-up
    # is the only source of the list these writes change.
    steps: list[tuple[str, dict[str, Any]]] = [
        ("intake", {"effective_on": days_ago(415)}),
        ("start", {"effective_on": days_ago(410)}),
        ("advance", {"effective_on": days_ago(400)}),
        ("advance", {"effective_on": days_ago(390)}),
        ("step-back", {"effective_on": days_ago(380), "reason": "Kursen avbröts"}),
        ("advance", {"effective_on": days_ago(370)}),
    ]
    for name, body in steps:
        r = command(mentor, eid, name, etag, **body)
        assert r.status_code == 200, (name, r.text)
        etag = r.headers["ETag"]
    before = tasks(mentor)
    assert one(before["assessments"], eid, occasion="after_step_3")["due_on"] == days_ago(380)
    assert by_enrolment(before["follow_ups"]).get(eid) is None

    outcome = {"kind": "studies", "starts_on": days_ago(300), "studies_kind": "komvux"}
    r = command(mentor, eid, "advance", etag, effective_on=days_ago(300), outcome=outcome)
    assert r.status_code == 200, r.text
    after = tasks(mentor)
    follow_up = one(after["follow_ups"], eid)
    assert (follow_up["kind"], follow_up["due_on"], follow_up["status"]) == (
        "support_period_end",
        support_period_end(300),
        "overdue",
    )
    assert after == changed(
        before,
        follow_ups=[*before["follow_ups"], follow_up],
        quiet_participants=updated(before["quiet_participants"], eid, {}, step=4),
    )
    assert_stored_items_equal_a_rebuild(api)

    before = after
    r = command(
        mentor,
        eid,
        "corrections",
        r.headers["ETag"],
        target_seq=history_seq(mentor, eid, "advance"),
        effective_on=days_ago(310),
        reason="Fel datum för nivå 4",
    )
    assert r.status_code == 200, r.text
    assert tasks(mentor) == changed(
        before,
        follow_ups=updated(before["follow_ups"], eid, {}, due_on=support_period_end(310)),
    )
    assert_stored_items_equal_a_rebuild(api)


# ---- 6. follow-up results ------------------------------------------------------------------------


def test_a_recorded_follow_up_leaves_the_list(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid = level4_enrolment(mentor, 1)
    other = level4_enrolment(mentor, 2)
    before = tasks(mentor)
    assert one(before["follow_ups"], eid)["kind"] == "support_period_end"
    assert one(before["follow_ups"], other)["kind"] == "support_period_end"

    r = record(mentor, eid, **REACHED_WORK)
    assert r.status_code == 201, r.text
    assert tasks(mentor) == changed(before, follow_ups=without(before["follow_ups"], eid))
    assert_stored_items_equal_a_rebuild(api)


# ---- 7. consent to follow-up contact -------------------------------------------------------------


def test_consent_to_contact_decides_whether_an_after_exit_follow_up_is_permitted(
    api: Api,
) -> None:
    mentor = api.as_("mentor_a")
    # Level Upgrade follows up after exit, and contact after exit needs consent; exited 100
    # days ago, the 90-day follow-up is 10 days overdue.
    eid, pid, _ = follow_up_enrolment(
        mentor, 1, programme="level_upgrade", level_4_days_ago=300, exit_days_ago=100
    )
    before = tasks(mentor)
    assert [(f["kind"], f["status"]) for f in by_enrolment(before["follow_ups"])[eid]] == [
        ("support_period_end", "overdue"),
        ("after_exit_90_days", "not_permitted"),
    ]
    after_exit = {"kind": "after_exit_90_days"}

    steps = [
        ("given", days_ago(150), "overdue"),
        ("withdrawn", days_ago(2), "not_permitted"),
        # Held again from today, which is the day an open follow-up's contact would be made.
        ("given", days_ago(0), "overdue"),
    ]
    for action, on, status in steps:
        r = consent(mentor, pid, action, on, "follow_up_contact")
        assert r.status_code == 201, r.text
        after = tasks(mentor)
        assert after == changed(
            before, follow_ups=updated(before["follow_ups"], eid, after_exit, status=status)
        ), (action, on)
        assert_stored_items_equal_a_rebuild(api)
        before = after

    # Consent for another purpose is no consent to contact.
    r = consent(mentor, pid, "withdrawn", days_ago(0), "follow_up_contact")
    assert r.status_code == 201, r.text
    before = tasks(mentor)
    assert one(before["follow_ups"], eid, **after_exit)["status"] == "not_permitted"
    r = consent(mentor, pid, "given", days_ago(0), "evaluation")
    assert r.status_code == 201, r.text
    assert tasks(mentor) == before
    assert_stored_items_equal_a_rebuild(api)


# ---- 8. reassignment -----------------------------------------------------------------------------


def test_a_reassigned_enrolment_moves_to_the_new_mentors_list(api: Api) -> None:
    old, new = api.as_("mentor_a"), api.as_("mentor_a2")
    eid = level4_enrolment(old, 1)
    before = tasks(old)
    assert {a["enrolment_id"] for a in before["assessments"]} == {eid}
    assert {f["enrolment_id"] for f in before["follow_ups"]} == {eid}
    assert [q["enrolment_id"] for q in before["quiet_participants"]] == [eid]
    assert all(tasks(new)[s] == [] for s in SECTIONS)

    r = api.as_("lead_a").post(
        f"/api/v1/enrolments/{eid}/mentor",
        json={"mentor_id": api.world.user("mentor_a2"), "reason": "Föräldraledighet"},
        headers={"If-Match": etag_of(old, eid)},
    )
    assert r.status_code == 200, r.text
    assert tasks(old) == changed(before, **{s: [] for s in SECTIONS})
    new_mentor = api.world.user("mentor_a2")
    assert tasks(new) == changed(
        before,
        assessments=[{**a, "mentor_id": new_mentor} for a in before["assessments"]],
        follow_ups=[{**f, "mentor_id": new_mentor} for f in before["follow_ups"]],
    )
    assert_stored_items_equal_a_rebuild(api)
