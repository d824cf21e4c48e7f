"""Self-assessment through the HTTP API with real tokens, on SQLite and PostgreSQL: the
questionnaire, submitting at the occasions transitions make due, corrections that supersede,
change per item, the due lists per mentor and municipality, audit of writes and reads, 403 for
roles without the permission, 404 out of scope, and every bad input answered 4xx with nothing
written (including a concurrent double submit)."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, audit_entries, count, participant_body
from sqlalchemy.exc import IntegrityError

from api.persistence.models import AuditEntryRow
from api.persistence.models.assessments import (
    AssessmentAnswerRow,
    AssessmentDueRow,
    AssessmentSubmissionRow,
)
from api.persistence.repositories.assessments import projected_due
from api.persistence.repositories.enrolments import EnrolmentRepository
from api.security.principal import Scope, ScopeKind
from domain.programmes import LEVEL_UP
from domain.self_assessment import due_occasions

ALL_ITEMS = (
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


# --- helpers --------------------------------------------------------------------------------


def today(api: Api) -> date:
    # The app's own business date (Europe/Stockholm), so tests agree with the server at midnight.
    return api.app.state.context.clock.today()


def ago(api: Api, n: int) -> str:
    return (today(api) - timedelta(days=n)).isoformat()


def command(caller: Caller, enrolment_id: int, name: str, etag: str, **body: Any) -> str:
    r = caller.post(
        f"/api/v1/enrolments/{enrolment_id}/{name}", json=body, headers={"If-Match": etag}
    )
    assert r.status_code == 200, r.text
    return str(r.headers["ETag"])


def enrolment_at(
    api: Api, caller: Caller, serial: int, *, advances: int = 0
) -> tuple[int, int, str]:
    """A participant referred 200 days ago, started 180 days ago, then advanced `advances`
    times (150, 100 and 60 days ago). Returns (enrolment id, participant id, ETag)."""
    r = caller.post("/api/v1/participants", json=participant_body(serial))
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    r = caller.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": ago(api, 200)},
    )
    assert r.status_code == 201, r.text
    eid, etag = r.json()["id"], r.headers["ETag"]
    etag = command(caller, eid, "intake", etag, effective_on=ago(api, 190))
    etag = command(caller, eid, "start", etag, effective_on=ago(api, 180))
    for days in (150, 100, 60)[:advances]:
        body: dict[str, Any] = {"effective_on": ago(api, days)}
        if days == 60:
            body["outcome"] = {
                "kind": "studies",
                "starts_on": ago(api, 60),
                "studies_kind": "komvux",
            }
        etag = command(caller, eid, "advance", etag, **body)
    return eid, pid, etag


def answers(score: int = 5, **overrides: int) -> dict[str, int]:
    values = dict.fromkeys(ALL_ITEMS, score)
    values.update(overrides)
    return values


def submit(
    api: Api, caller: Caller, eid: int, occasion: str = "start", days_ago: int = 179, **body: Any
) -> Any:
    payload: dict[str, Any] = {
        "occasion": occasion,
        "answered_on": ago(api, days_ago),
        "respondent": "participant",
        "answers": answers(),
    }
    payload.update(body)
    return caller.post(f"/api/v1/enrolments/{eid}/assessments", json=payload)


def written(api: Api) -> tuple[int, int, int]:
    return (
        count(api, AssessmentSubmissionRow),
        count(api, AssessmentAnswerRow),
        count(api, AuditEntryRow),
    )


# --- the questionnaire ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["mentor_a", "manager_a", "analyst", "admin", "client"])
def test_the_questionnaire_is_readable_by_every_role(api: Api, who: str) -> None:
    r = api.as_(who).get("/api/v1/questionnaires/current")
    assert r.status_code == 200, r.text
    body = r.json()
    assert (body["version"], body["scale_min"], body["scale_max"]) == (1, 1, 10)
    assert [i["key"] for i in body["items"]] == list(ALL_ITEMS)
    first = body["items"][0]
    assert set(first) == {
        "key",
        "text_sv",
        "text_en",
        "low_label_sv",
        "high_label_sv",
        "low_label_en",
        "high_label_en",
    }
    assert first["low_label_sv"] == "Inte alls redo" and first["high_label_sv"] == "Helt redo"
    assert api.as_(who).get("/api/v1/questionnaires/1").json() == body


def test_questionnaire_versions_unknown_and_unauthenticated(api: Api) -> None:
    mentor = api.as_("mentor_a")
    missing = mentor.get("/api/v1/questionnaires/2")
    assert missing.status_code == 404 and missing.json()["error"] == "NotFound"
    assert mentor.get("/api/v1/questionnaires/0").status_code == 422
    assert mentor.get(f"/api/v1/questionnaires/{2**31}").status_code == 422
    assert api.anonymous.get("/api/v1/questionnaires/current").status_code == 401


# --- the journey ----------------------------------------------------------------------------


def test_submit_correct_and_follow_the_change(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment_at(api, mentor, 1, advances=2)
    url = f"/api/v1/enrolments/{eid}/assessments"

    listing = mentor.get(url)
    assert listing.status_code == 200, listing.text
    occasions = {o["occasion"]: o for o in listing.json()["occasions"]}
    assert list(occasions) == [
        "start",
        "after_step_1",
        "after_step_2",
        "after_step_3",
        "exit",
        "follow_up",
    ]
    assert occasions["start"] == {
        "occasion": "start",
        "label_sv": "Start",
        "label_en": "Start",
        "due_on": ago(api, 180),
        "status": "overdue",
        "submission_id": None,
    }
    assert occasions["after_step_2"]["label_sv"] == "Efter Level 2"
    assert occasions["after_step_2"]["due_on"] == ago(api, 100)
    assert [occasions[o]["status"] for o in ("after_step_3", "exit", "follow_up")] == [
        "not_due"
    ] * 3
    assert occasions["follow_up"]["due_on"] is None
    assert listing.json()["submissions"] == []

    first = submit(
        api,
        mentor,
        eid,
        answers=answers(3, self_esteem=2),
        mentor_rating={"self_esteem": 4},
        respondent="participant_with_mentor",
    )
    assert first.status_code == 201, first.text
    start = first.json()
    assert start["answers"] == answers(3, self_esteem=2)
    assert start["mentor_rating"] == {"self_esteem": 4}
    assert start["respondent"] == "participant_with_mentor"
    assert start["recorded_by_user_id"] == api.world.user("mentor_a")
    assert (start["supersedes_id"], start["superseded_by_id"], start["correction_reason"]) == (
        None,
        None,
        None,
    )
    assert start["questionnaire_version"] == 1

    later = submit(api, mentor, eid, "after_step_1", 140, answers={"self_esteem": 6, "diet": 3})
    assert later.status_code == 201, later.text

    change = mentor.get(f"{url}/change")
    assert change.status_code == 200, change.text
    body = change.json()
    assert body["questionnaire_version"] == 1
    assert [r["occasion"] for r in body["readings"]] == ["start", "after_step_1"]
    # The mentor's rating is never part of the participant's readings.
    assert body["readings"][0]["answers"]["self_esteem"] == 2
    items = {i["key"]: i for i in body["items"]}
    assert list(items) == list(ALL_ITEMS)
    assert items["self_esteem"] == {
        "key": "self_esteem",
        "text_sv": "Hur mycket tror du på dig själv och din förmåga?",
        "text_en": "How much do you believe in yourself and what you can do?",
        "first": 2,
        "latest": 6,
        "difference": 4,
        "direction": "improved",
    }
    assert (items["diet"]["difference"], items["diet"]["direction"]) == (0, "unchanged")
    # Not answered at the later occasion: no complete pair, no change.
    assert [items["mental_health"][k] for k in ("first", "latest", "difference", "direction")] == [
        None
    ] * 4

    corrected = mentor.post(
        f"/api/v1/assessments/{start['id']}/corrections",
        json={
            "reason": "Svaren för kost och självkänsla blev förväxlade",
            "answered_on": ago(api, 179),
            "respondent": "participant",
            "answers": answers(3, self_esteem=7),
        },
    )
    assert corrected.status_code == 201, corrected.text
    fix = corrected.json()
    assert fix["supersedes_id"] == start["id"] and fix["occasion"] == "start"
    assert fix["correction_reason"] == "Svaren för kost och självkänsla blev förväxlade"
    assert fix["mentor_rating"] is None and fix["questionnaire_version"] == 1

    listing = mentor.get(url).json()
    by_id = {s["id"]: s for s in listing["submissions"]}
    assert by_id[start["id"]]["superseded_by_id"] == fix["id"]
    # The superseded submission is kept exactly as it was given.
    assert by_id[start["id"]]["answers"] == answers(3, self_esteem=2)
    assert by_id[start["id"]]["mentor_rating"] == {"self_esteem": 4}
    assert by_id[fix["id"]]["superseded_by_id"] is None
    occasions = {o["occasion"]: o for o in listing["occasions"]}
    assert (occasions["start"]["status"], occasions["start"]["submission_id"]) == (
        "answered",
        fix["id"],
    )
    assert occasions["after_step_1"]["status"] == "answered"
    assert occasions["after_step_2"]["status"] == "overdue"

    items = {i["key"]: i for i in mentor.get(f"{url}/change").json()["items"]}
    assert (items["self_esteem"]["first"], items["self_esteem"]["direction"]) == (7, "worsened")

    # Only the latest version can be corrected.
    again = mentor.post(
        f"/api/v1/assessments/{start['id']}/corrections",
        json={
            "reason": "Ett försök till",
            "answered_on": ago(api, 179),
            "respondent": "participant",
            "answers": answers(),
        },
    )
    assert again.status_code == 409 and again.json()["error"] == "InvalidTransition"
    # ... and the start occasion cannot be answered a second time either.
    assert submit(api, mentor, eid).status_code == 409

    submits = audit_entries(api, "assessment.submit")
    assert [(row.entity_type, row.entity_id) for row, _ in submits] == [
        ("assessment", start["id"]),
        ("assessment", later.json()["id"]),
    ]
    assert all(subjects == [pid] for _, subjects in submits)
    assert submits[0][0].detail == {
        "enrolment_id": eid,
        "occasion": "start",
        "questionnaire_version": 1,
    }
    [(correction, subjects)] = audit_entries(api, "assessment.correct")
    assert subjects == [pid] and correction.entity_id == fix["id"]
    # Ids and codes only: the free-text reason stays out of the log.
    assert correction.detail == {
        "enrolment_id": eid,
        "occasion": "start",
        "supersedes_id": start["id"],
    }


def test_reads_of_assessments_are_audited(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment_at(api, mentor, 2)
    for path, action in (
        (f"/api/v1/enrolments/{eid}/assessments", "assessment.list"),
        (f"/api/v1/enrolments/{eid}/assessments/change", "assessment.change"),
        ("/api/v1/assessments/due", "assessment.due_list"),
    ):
        before = count(api, AuditEntryRow)
        assert mentor.get(path).status_code == 200
        assert count(api, AuditEntryRow) == before + 1
        [(row, subjects)] = audit_entries(api, action)
        assert subjects == [pid], action
        assert row.actor_id == api.world.user("mentor_a")
    # A refused read writes nothing.
    before = count(api, AuditEntryRow)
    assert api.as_("mentor_b").get(f"/api/v1/enrolments/{eid}/assessments").status_code == 404
    assert count(api, AuditEntryRow) == before


# --- due lists ------------------------------------------------------------------------------


def test_due_lists_per_mentor_and_municipality(api: Api) -> None:
    mentor, mentor2 = api.as_("mentor_a"), api.as_("mentor_a2")
    old, old_pid, _ = enrolment_at(api, mentor, 3, advances=1)  # start 180, after_1 150 days ago
    fresh, _, etag = enrolment_at(api, mentor2, 4)
    command(mentor2, fresh, "advance", etag, effective_on=ago(api, 3))  # after_step_1, 3 days
    assert submit(api, mentor, old).status_code == 201  # the start is answered

    mine = mentor.get("/api/v1/assessments/due")
    assert mine.status_code == 200, mine.text
    assert mine.json()["count"] == 1
    [item] = mine.json()["items"]
    assert item == {
        "enrolment_id": old,
        "participant_id": old_pid,
        "first_name": "Testa",
        "last_name": "Testsson3",
        "personnummer_masked": item["personnummer_masked"],
        "mentor_id": api.world.user("mentor_a"),
        "programme_code": "level_up",
        "occasion": "after_step_1",
        "due_on": ago(api, 150),
        "status": "overdue",
    }
    assert item["personnummer_masked"].endswith("-****")

    theirs = [
        (i["enrolment_id"], i["occasion"], i["status"])
        for i in mentor2.get("/api/v1/assessments/due").json()["items"]
    ]
    assert theirs == [(fresh, "start", "overdue"), (fresh, "after_step_1", "due")]

    lead = api.as_("lead_a")
    everything = lead.get("/api/v1/assessments/due").json()
    assert [(i["enrolment_id"], i["occasion"]) for i in everything["items"]] == [
        (fresh, "start"),
        (old, "after_step_1"),
        (fresh, "after_step_1"),
    ]  # oldest due date first
    narrowed = lead.get(f"/api/v1/assessments/due?mentor_id={api.world.user('mentor_a2')}")
    assert [i["enrolment_id"] for i in narrowed.json()["items"]] == [fresh, fresh]
    assert api.as_("manager_a").get("/api/v1/assessments/due").json()["count"] == 3
    # Another municipality sees none of it; a mentor cannot look into a colleague's caseload.
    assert api.as_("lead_b").get("/api/v1/assessments/due").json() == {"items": [], "count": 0}
    peek = mentor.get(f"/api/v1/assessments/due?mentor_id={api.world.user('mentor_a2')}")
    assert peek.json()["count"] == 0
    assert mentor.get("/api/v1/assessments/due?mentor_id=0").status_code == 422


def test_exit_makes_an_assessment_due_and_a_date_correction_moves_it(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, etag = enrolment_at(api, mentor, 5)
    etag = command(
        mentor,
        eid,
        "exit",
        etag,
        effective_on=ago(api, 10),
        exit_reason_code="completed",
        exit_status_code="studies",
    )
    due = {i["occasion"]: i for i in mentor.get("/api/v1/assessments/due").json()["items"]}
    assert set(due) == {"start", "exit"}
    assert (due["exit"]["due_on"], due["exit"]["status"]) == (ago(api, 10), "due")
    # seq 3 is the start: a corrected start date moves the start occasion with it.
    command(
        mentor, eid, "corrections", etag, target_seq=3, effective_on=ago(api, 185), reason="Fel"
    )
    due = {i["occasion"]: i for i in mentor.get("/api/v1/assessments/due").json()["items"]}
    assert due["start"]["due_on"] == ago(api, 185)
    with api.database.unit_of_work(write=False) as uow:
        loaded = EnrolmentRepository(
            uow.session, Scope(ScopeKind.MUNICIPALITY, api.world.municipality_a)
        ).get(eid)
        assert loaded is not None
        # The stored projection is exactly what the domain derives from the history.
        assert projected_due(uow.session, eid) == {
            d.occasion: d.due_on for d in due_occasions(LEVEL_UP, loaded.enrolment)
        }
    # After exit the exit and follow-up assessments can be answered, nothing else new.
    assert submit(api, mentor, eid, "exit", 9).status_code == 201
    assert submit(api, mentor, eid, "follow_up", 1).status_code == 201
    assert submit(api, mentor, eid, "after_step_1", 1).status_code == 409
    assert [i["occasion"] for i in mentor.get("/api/v1/assessments/due").json()["items"]] == [
        "start"
    ]


def test_follow_up_needs_level_4_or_exit(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 6, advances=2)
    before = written(api)
    early = submit(api, mentor, eid, "follow_up", 1)
    assert early.status_code == 409 and early.json()["fields"] == {"occasion": "inte aktuellt ännu"}
    assert written(api) == before
    eid4, _, _ = enrolment_at(api, mentor, 7, advances=3)
    assert submit(api, mentor, eid4, "follow_up", 61).status_code == 422  # before Level 4
    assert submit(api, mentor, eid4, "follow_up", 30).status_code == 201


# --- authorization and scope ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "method", "path"),
    [
        ("manager_a", "POST", "/api/v1/enrolments/{eid}/assessments"),
        ("manager_a", "POST", "/api/v1/assessments/{sid}/corrections"),
        ("referrer_af", "GET", "/api/v1/enrolments/{eid}/assessments"),
        ("referrer_af", "GET", "/api/v1/assessments/due"),
        ("analyst", "GET", "/api/v1/enrolments/{eid}/assessments/change"),
        ("evaluator", "GET", "/api/v1/assessments/due"),
        ("admin", "GET", "/api/v1/enrolments/{eid}/assessments"),
        ("client", "GET", "/api/v1/enrolments/{eid}/assessments"),
        ("client", "POST", "/api/v1/enrolments/{eid}/assessments"),
    ],
)
def test_roles_without_the_permission_get_403(api: Api, who: str, method: str, path: str) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 8)
    sid = submit(api, mentor, eid).json()["id"]
    body = {
        "reason": "Fel",
        "occasion": "start",
        "answered_on": ago(api, 1),
        "respondent": "participant",
        "answers": answers(),
    }
    if "corrections" in path:
        body.pop("occasion")
    before = written(api)
    r = api.as_(who).request(
        method,
        path.format(eid=eid, sid=sid),
        json=body if method == "POST" else None,
    )
    assert r.status_code == 403, r.text
    assert r.json()["error"] == "Forbidden"
    assert written(api) == before


def test_manager_reads_but_does_not_record(api: Api) -> None:
    eid, _, _ = enrolment_at(api, api.as_("mentor_a"), 9)
    manager = api.as_("manager_a")
    assert manager.get(f"/api/v1/enrolments/{eid}/assessments").status_code == 200
    assert manager.get(f"/api/v1/enrolments/{eid}/assessments/change").status_code == 200


def test_out_of_scope_is_indistinguishable_from_missing(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 10)
    sid = submit(api, mentor, eid).json()["id"]
    correction = {
        "reason": "Fel",
        "answered_on": ago(api, 179),
        "respondent": "participant",
        "answers": answers(),
    }
    for outsider in ("mentor_b", "lead_b", "mentor_a2"):
        caller = api.as_(outsider)
        before = written(api)
        for path in (
            "/api/v1/enrolments/{}/assessments",
            "/api/v1/enrolments/{}/assessments/change",
        ):
            hidden, missing = caller.get(path.format(eid)), caller.get(path.format(999_999))
            assert (hidden.status_code, hidden.json()) == (404, missing.json()), outsider
            assert hidden.json()["detail"] == (
                "Inskrivningen finns inte eller ligger utanför din behörighet."
            )
        hidden = submit(api, caller, eid, "after_step_1", 1)
        missing = submit(api, caller, 999_999, "after_step_1", 1)
        assert (hidden.status_code, hidden.json()) == (404, missing.json())
        hidden = caller.post(f"/api/v1/assessments/{sid}/corrections", json=correction)
        missing = caller.post("/api/v1/assessments/999999/corrections", json=correction)
        assert (hidden.status_code, hidden.json()) == (404, missing.json())
        assert hidden.json()["detail"] == (
            "Självskattningen finns inte eller ligger utanför din behörighet."
        )
        assert written(api) == before


# --- bad input ------------------------------------------------------------------------------

BAD_SUBMISSIONS: list[tuple[str, dict[str, Any], int, str]] = [
    ("score-0", {"answers": answers(diet=0)}, 422, "InvalidInput"),
    ("score-11", {"answers": answers(diet=11)}, 422, "InvalidInput"),
    ("score-not-an-integer", {"answers": {"diet": 5.5}}, 422, "ValidationError"),
    ("score-integral-float", {"answers": {"diet": 5.0}}, 422, "ValidationError"),
    ("score-as-text", {"answers": {"diet": "5"}}, 422, "ValidationError"),
    ("score-bool", {"answers": {"diet": True}}, 422, "ValidationError"),
    ("score-null", {"answers": {"diet": None}}, 422, "ValidationError"),
    ("huge-score", {"answers": {"diet": 10**30}}, 422, "InvalidInput"),
    ("unknown-item", {"answers": {"diet": 5, "happiness": 5}}, 422, "InvalidInput"),
    ("empty-answers", {"answers": {}}, 422, "MissingInformation"),
    ("answers-not-an-object", {"answers": [5, 5]}, 422, "ValidationError"),
    ("mentor-score-11", {"mentor_rating": {"diet": 11}}, 422, "InvalidInput"),
    ("mentor-unknown-item", {"mentor_rating": {"nope": 3}}, 422, "InvalidInput"),
    ("already-answered", {"occasion": "start"}, 409, "InvalidTransition"),
    ("not-yet-due", {"occasion": "after_step_2"}, 409, "InvalidTransition"),
    ("exit-not-yet-due", {"occasion": "exit"}, 409, "InvalidTransition"),
    ("unknown-occasion", {"occasion": "after_step_9"}, 422, "InvalidInput"),
    ("occasion-bad-shape", {"occasion": "Start!"}, 422, "ValidationError"),
    ("future-date", {"answered_on": "FUTURE"}, 422, "InvalidEffectiveDate"),
    ("before-due-date", {"answered_on": "BEFORE_DUE"}, 422, "InvalidEffectiveDate"),
    ("impossible-date", {"answered_on": "2025-02-30"}, 422, "ValidationError"),
    ("unknown-respondent", {"respondent": "mentor"}, 422, "ValidationError"),
    ("unknown-version", {"questionnaire_version": 2}, 422, "UnknownCode"),
    ("version-0", {"questionnaire_version": 0}, 422, "ValidationError"),
    ("extra-field", {"recorded_by_user_id": 1}, 422, "ValidationError"),
    ("extra-field-supersedes", {"supersedes_id": 1}, 422, "ValidationError"),
    ("missing-answered-on", {"answered_on": None}, 422, "ValidationError"),
]


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [b[1:] for b in BAD_SUBMISSIONS],
    ids=[b[0] for b in BAD_SUBMISSIONS],
)
def test_bad_submissions_are_4xx_and_write_nothing(
    api: Api, overrides: dict[str, Any], status: int, error: str
) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 11, advances=1)  # after_step_1 due 150 days ago
    assert submit(api, mentor, eid).status_code == 201  # start answered
    body: dict[str, Any] = {
        "occasion": "after_step_1",
        "answered_on": ago(api, 140),
        "respondent": "participant",
        "answers": answers(),
    }
    body.update(overrides)
    if body["answered_on"] == "FUTURE":
        body["answered_on"] = (today(api) + timedelta(days=1)).isoformat()
    elif body["answered_on"] == "BEFORE_DUE":
        body["answered_on"] = ago(api, 151)
    elif body["answered_on"] is None:
        del body["answered_on"]
    before = written(api)
    r = mentor.post(f"/api/v1/enrolments/{eid}/assessments", json=body)
    assert r.status_code == status, r.text
    payload = r.json()
    assert payload["error"] == error
    assert payload["detail"]
    assert written(api) == before


BAD_CORRECTIONS: list[tuple[str, dict[str, Any], int, str]] = [
    ("no-reason", {"reason": None}, 422, "ValidationError"),
    ("empty-reason", {"reason": ""}, 422, "ValidationError"),
    ("blank-reason", {"reason": "   "}, 422, "ValidationError"),
    ("too-long-reason", {"reason": "x" * 501}, 422, "ValidationError"),
    ("score-11", {"answers": answers(diet=11)}, 422, "InvalidInput"),
    ("unknown-item", {"answers": {"happiness": 3}}, 422, "InvalidInput"),
    ("future-date", {"answered_on": "FUTURE"}, 422, "InvalidEffectiveDate"),
    ("other-occasion", {"occasion": "after_step_1"}, 422, "ValidationError"),
    ("extra-field", {"questionnaire_version": 1}, 422, "ValidationError"),
]


@pytest.mark.parametrize(
    ("overrides", "status", "error"),
    [b[1:] for b in BAD_CORRECTIONS],
    ids=[b[0] for b in BAD_CORRECTIONS],
)
def test_bad_corrections_are_4xx_and_write_nothing(
    api: Api, overrides: dict[str, Any], status: int, error: str
) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 12)
    sid = submit(api, mentor, eid).json()["id"]
    body: dict[str, Any] = {
        "reason": "Fel svar registrerades",
        "answered_on": ago(api, 179),
        "respondent": "participant",
        "answers": answers(),
    }
    body.update(overrides)
    if body["reason"] is None:
        del body["reason"]
    if body["answered_on"] == "FUTURE":
        body["answered_on"] = (today(api) + timedelta(days=1)).isoformat()
    before = written(api)
    r = mentor.post(f"/api/v1/assessments/{sid}/corrections", json=body)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    assert written(api) == before


@pytest.mark.parametrize("path_id", ["0", "-1", str(2**31), "abc"])
def test_bad_path_ids_are_422(api: Api, path_id: str) -> None:
    mentor = api.as_("mentor_a")
    assert mentor.get(f"/api/v1/enrolments/{path_id}/assessments").status_code == 422
    r = mentor.post(f"/api/v1/assessments/{path_id}/corrections", json={})
    assert r.status_code == 422


# --- concurrency ----------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", range(3))
def test_a_concurrent_double_submit_gives_one_201_and_one_409(api: Api, attempt: int) -> None:
    mentor, lead = api.as_("mentor_a"), api.as_("lead_a")
    eid, _, _ = enrolment_at(api, mentor, 20 + attempt)
    barrier = threading.Barrier(2)
    results: list[int] = []

    def act(caller: Caller, score: int) -> None:
        barrier.wait()
        results.append(submit(api, caller, eid, answers=answers(score)).status_code)

    threads = [threading.Thread(target=act, args=(c, s)) for c, s in ((mentor, 4), (lead, 6))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409]
    assert count(api, AssessmentSubmissionRow) == 1
    assert count(api, AssessmentAnswerRow) == len(ALL_ITEMS)


def test_a_concurrent_double_correction_supersedes_once(api: Api) -> None:
    mentor, lead = api.as_("mentor_a"), api.as_("lead_a")
    eid, _, _ = enrolment_at(api, mentor, 30)
    sid = submit(api, mentor, eid).json()["id"]
    barrier = threading.Barrier(2)
    results: list[int] = []

    def act(caller: Caller) -> None:
        barrier.wait()
        r = caller.post(
            f"/api/v1/assessments/{sid}/corrections",
            json={
                "reason": "Fel",
                "answered_on": ago(api, 179),
                "respondent": "participant",
                "answers": answers(7),
            },
        )
        results.append(r.status_code)

    threads = [threading.Thread(target=act, args=(c,)) for c in (mentor, lead)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409]
    assert count(api, AssessmentSubmissionRow) == 2


def test_stored_scores_stay_on_the_scale_even_past_the_api(api: Api) -> None:
    """The database refuses an out-of-scale score or an unknown rater on its own."""
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 31)
    sid = submit(api, mentor, eid).json()["id"]
    for values in (
        {"submission_id": sid, "item_key": "extra", "rater": "participant", "score": 11},
        {"submission_id": sid, "item_key": "extra", "rater": "referrer", "score": 5},
    ):
        with api.database.unit_of_work(write=True) as uow, pytest.raises(IntegrityError):
            uow.session.add(AssessmentAnswerRow(**values))
            uow.session.flush()
    assert count(api, AssessmentDueRow) == 1


def test_the_database_refuses_a_second_answer_when_the_check_is_raced(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Behind the row lock: if the "already answered" check ever saw stale data, the unique
    (enrolment, occasion, revision) constraint still turns the second write into a 409."""
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment_at(api, mentor, 32)
    assert submit(api, mentor, eid).status_code == 201
    monkeypatch.setattr("api.services.assessments.current_occasions", lambda _s: set())
    before = written(api)
    r = submit(api, mentor, eid)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "Conflict"
    assert "IntegrityError" not in r.text
    assert written(api) == before
