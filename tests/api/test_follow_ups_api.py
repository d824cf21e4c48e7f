"""Follow-ups through the HTTP API, on SQLite and PostgreSQL, with real tokens: schedules appear
when their trigger happens and move with date corrections, results are recorded once, after-exit
follow-ups need consent to contact, due lists follow the caller's scope, every refusal is a 4xx
with nothing written, and writes and reads of personal data are audited."""

from __future__ import annotations

import threading
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, count, participant_body, synthetic_pnr
from sqlalchemy import select

from api.clock import Clock
from api.persistence.models import AuditEntryRow, AuditSubjectRow, EnrolmentRow
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.repositories.consents import ConsentRepository
from api.persistence.repositories.enrolments import EnrolmentRepository
from api.persistence.repositories.follow_ups import (
    FollowUpRepository,
    due_follow_up_lines,
    sync_follow_ups,
)
from api.security.permissions import ROLE_PERMISSIONS, Role
from api.security.principal import ActorKind, Principal, Scope, ScopeKind, scope_for
from domain.consent import ConsentAction, ConsentEntry, ConsentPurpose
from domain.enrolment import add_months, replay
from domain.follow_ups import FollowUpResult

# The server's business day (Europe/Stockholm), so dates near midnight agree with the app.
TODAY = Clock().today()
MISSING_ID = 999_999


def days_ago(n: int) -> date:
    return TODAY - timedelta(days=n)


def iso(n: int) -> str:
    return days_ago(n).isoformat()


# ---- building enrolments through the API -----------------------------------------------------


def register(mentor: Caller, serial: int) -> int:
    r = mentor.post("/api/v1/participants", json=participant_body(serial))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def command(caller: Caller, eid: int, etag: str, name: str, **body: Any) -> str:
    r = caller.post(f"/api/v1/enrolments/{eid}/{name}", json=body, headers={"If-Match": etag})
    assert r.status_code == 200, (name, r.text)
    return str(r.headers["ETag"])


def enrolment(
    mentor: Caller,
    serial: int,
    *,
    programme: str = "level_up",
    top_level: int = 4,
    level_4_days_ago: int = 120,
    exit_days_ago: int | None = None,
    exit_reason: str = "completed",
) -> tuple[int, int, str]:
    """Referred 420 days ago, started 410, Level 2 at 400, Level 3 at 390, Level 4 (work) at
    `level_4_days_ago`, exit at `exit_days_ago`. Returns (enrolment id, participant id, ETag)."""
    pid = register(mentor, serial)
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": programme, "referred_on": iso(420)},
    )
    assert r.status_code == 201, r.text
    eid, etag = r.json()["id"], r.headers["ETag"]
    etag = command(mentor, eid, etag, "intake", effective_on=iso(415))
    etag = command(mentor, eid, etag, "start", effective_on=iso(410))
    for level, ago in ((2, 400), (3, 390)):
        if level <= top_level:
            etag = command(mentor, eid, etag, "advance", effective_on=iso(ago))
    if top_level >= 4:
        outcome = {
            "kind": "work",
            "starts_on": iso(level_4_days_ago),
            "subsidised": False,
            "extent_percent": 100,
        }
        etag = command(
            mentor, eid, etag, "advance", effective_on=iso(level_4_days_ago), outcome=outcome
        )
    if exit_days_ago is not None:
        etag = command(
            mentor,
            eid,
            etag,
            "exit",
            effective_on=iso(exit_days_ago),
            exit_reason_code=exit_reason,
            exit_status_code="employment_unsubsidised",
        )
    return eid, pid, etag


def follow_ups(caller: Caller, eid: int) -> dict[str, dict[str, Any]]:
    r = caller.get(f"/api/v1/enrolments/{eid}/follow-ups")
    assert r.status_code == 200, r.text
    assert r.json()["enrolment_id"] == eid
    return {item["kind"]: item for item in r.json()["items"]}


def record(caller: Caller, eid: int, **body: Any) -> Any:
    return caller.post(f"/api/v1/enrolments/{eid}/follow-ups", json=body)


REACHED_WORK: dict[str, Any] = {
    "kind": "support_period_end",
    "contacted_on": iso(1),
    "contact_reached": True,
    "attempts": 2,
    "status_group": "work",
    "employment_extent_percent": 75,
    "self_supporting": True,
    "current_benefit": "none",
    "note": "Har fått förlängt vikariat",
}


def give_consent(api: Api, pid: int, on: date, action: ConsentAction = ConsentAction.GIVEN) -> None:
    """Straight into the ledger: the consent API is another area's, and only the ledger's
    content matters here."""
    actor = Principal(
        ActorKind.USER,
        api.world.user("mentor_a"),
        Role.MENTOR,
        ROLE_PERMISSIONS[Role.MENTOR],
        api.world.municipality_a,
        api.world.unit_a,
        "Test mentor_a",
    )
    with api.database.unit_of_work(write=True) as uow:
        ConsentRepository(uow.session).append(
            pid,
            ConsentEntry(ConsentPurpose.FOLLOW_UP_CONTACT, action, on, "Samtyckesblankett 7"),
            actor,
            datetime.now(UTC),
        )
        uow.commit()


def stored_results(api: Api) -> list[tuple[Any, ...]]:
    with api.database.unit_of_work(write=False) as uow:
        return [
            tuple(r)
            for r in uow.session.execute(
                select(
                    FollowUpRow.id,
                    FollowUpRow.due_on,
                    FollowUpRow.contacted_on,
                    FollowUpRow.attempts,
                    FollowUpRow.status_group,
                    FollowUpRow.recorded_at,
                ).order_by(FollowUpRow.id)
            )
        ]


def audit_actions(api: Api, participant_id: int) -> list[tuple[str, str | None, int | None]]:
    with api.database.unit_of_work(write=False) as uow:
        return [
            (a, t, i)
            for a, t, i in uow.session.execute(
                select(AuditEntryRow.action, AuditEntryRow.entity_type, AuditEntryRow.entity_id)
                .join(AuditSubjectRow, AuditSubjectRow.audit_id == AuditEntryRow.id)
                .where(AuditSubjectRow.participant_id == participant_id)
                .order_by(AuditEntryRow.id)
            )
        ]


# ---- the happy path ------------------------------------------------------------------------------


def test_level_up_follow_up_at_the_end_of_the_support_period(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment(mentor, 1, level_4_days_ago=120)
    due = add_months(days_ago(120), 3)

    item = follow_ups(mentor, eid)["support_period_end"]
    assert item["trigger_on"] == iso(120)
    assert item["due_on"] == due.isoformat()
    assert item["status"] == "overdue"
    assert item["requires_contact_consent"] is False
    assert item["result"] is None
    assert item["label_sv"] == "Uppföljning när stödperioden slutar"
    assert item["label_en"] == "Follow-up at the end of the support period"

    r = mentor.get("/api/v1/follow-ups/due")
    assert r.status_code == 200, r.text
    assert r.json()["count"] == 1
    line = r.json()["items"][0]
    assert line == {
        "id": item["id"],
        "enrolment_id": eid,
        "participant_id": pid,
        "first_name": "Testa",
        "last_name": "Testsson1",
        "personnummer_masked": synthetic_pnr(1)[:8] + "-****",
        "mentor_id": api.world.user("mentor_a"),
        "programme_code": "level_up",
        "kind": "support_period_end",
        "due_on": due.isoformat(),
        "status": "overdue",
    }

    r = record(mentor, eid, **REACHED_WORK)
    assert r.status_code == 201, r.text
    done = r.json()
    assert (done["id"], done["status"]) == (item["id"], "done")
    result = done["result"]
    assert {k: result[k] for k in REACHED_WORK if k != "kind"} == {
        k: v for k, v in REACHED_WORK.items() if k != "kind"
    }
    assert result["final_non_response"] is False
    assert result["recorded_by_user_id"] == api.world.user("mentor_a")
    assert datetime.fromisoformat(result["recorded_at"]) <= datetime.now(UTC)

    assert follow_ups(mentor, eid)["support_period_end"]["result"] == result
    assert mentor.get("/api/v1/follow-ups/due").json() == {"items": [], "count": 0}

    actions = audit_actions(api, pid)
    assert ("follow_up.record", "follow_up", item["id"]) in actions
    assert actions.count(("follow_up.list", "enrolment", eid)) == 2
    assert ("follow_up.due_list", None, None) in actions
    with api.database.unit_of_work(write=False) as uow:
        details = uow.session.execute(
            select(AuditEntryRow.detail).where(AuditEntryRow.action == "follow_up.record")
        ).scalar_one()
    # Ids and codes only: nothing from the note or the person's situation.
    assert details == {"enrolment_id": eid, "kind": "support_period_end"}


def test_not_reached_is_recorded_as_non_response(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment(mentor, 2)
    r = record(
        mentor,
        eid,
        kind="support_period_end",
        contacted_on=iso(0),
        contact_reached=False,
        attempts=3,
        final_non_response=True,
    )
    assert r.status_code == 201, r.text
    result = r.json()["result"]
    assert (result["contact_reached"], result["attempts"], result["final_non_response"]) == (
        False,
        3,
        True,
    )
    assert result["status_group"] is None and result["self_supporting"] is None


def test_the_schedule_appears_with_its_trigger_and_moves_with_a_correction(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, etag = enrolment(mentor, 3, top_level=3)
    assert follow_ups(mentor, eid) == {}
    # Before Level 4: nothing to record, and nothing written.
    before = (stored_results(api), count(api, AuditEntryRow))
    r = record(mentor, eid, **{**REACHED_WORK, "contacted_on": iso(0)})
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "InvalidTransition"
    assert r.json()["fields"] == {"kind": "inte schemalagd för inskrivningen"}
    assert (stored_results(api), count(api, AuditEntryRow)) == before

    outcome = {"kind": "studies", "starts_on": iso(60), "studies_kind": "komvux"}
    etag = command(mentor, eid, etag, "advance", effective_on=iso(60), outcome=outcome)
    item = follow_ups(mentor, eid)["support_period_end"]
    assert (item["trigger_on"], item["due_on"]) == (
        iso(60),
        add_months(days_ago(60), 3).isoformat(),
    )
    assert item["status"] in ("due", "upcoming")

    # The Level 4 entry (history seq 6) really was ten days earlier.
    command(
        mentor, eid, etag, "corrections", target_seq=6, effective_on=iso(70), reason="Fel datum"
    )
    moved = follow_ups(mentor, eid)["support_period_end"]
    assert moved["id"] == item["id"]
    assert (moved["trigger_on"], moved["due_on"]) == (
        iso(70),
        add_months(days_ago(70), 3).isoformat(),
    )


# ---- Level Upgrade: after exit, with and without consent -------------------------------------


def test_after_exit_follow_ups_need_consent_to_contact(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment(
        mentor, 4, programme="level_upgrade", level_4_days_ago=300, exit_days_ago=100
    )
    items = follow_ups(mentor, eid)
    assert list(items) == ["support_period_end", "after_exit_90_days", "after_exit_1_year"]
    d90, y1 = items["after_exit_90_days"], items["after_exit_1_year"]
    assert (d90["trigger_on"], d90["due_on"]) == (iso(100), iso(10))
    assert y1["due_on"] == add_months(days_ago(100), 12).isoformat()
    assert d90["requires_contact_consent"] and y1["requires_contact_consent"]
    assert (items["support_period_end"]["status"], d90["status"], y1["status"]) == (
        "overdue",
        "not_permitted",
        "not_permitted",
    )
    due = mentor.get("/api/v1/follow-ups/due").json()["items"]
    assert [(i["kind"], i["status"]) for i in due] == [
        ("support_period_end", "overdue"),
        ("after_exit_90_days", "not_permitted"),
    ]

    # Without consent on the contact day: 409, nothing written.
    before = (stored_results(api), count(api, AuditEntryRow))
    body = {**REACHED_WORK, "kind": "after_exit_90_days", "contacted_on": iso(5)}
    r = record(mentor, eid, **body)
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "InvalidTransition"
    assert "Samtycke till uppföljningskontakt saknas" in r.json()["detail"]
    assert (stored_results(api), count(api, AuditEntryRow)) == before

    # Consent given after the contact day does not cover it; given before, it does.
    give_consent(api, pid, days_ago(3))
    assert record(mentor, eid, **body).status_code == 409
    assert follow_ups(mentor, eid)["after_exit_90_days"]["status"] == "overdue"
    assert follow_ups(mentor, eid)["after_exit_1_year"]["status"] == "upcoming"
    due = mentor.get("/api/v1/follow-ups/due").json()["items"]
    assert [(i["kind"], i["status"]) for i in due][1] == ("after_exit_90_days", "overdue")
    r = record(mentor, eid, **{**body, "contacted_on": iso(2)})
    assert r.status_code == 201, r.text

    # A withdrawal makes the remaining one not permitted from its date.
    give_consent(api, pid, days_ago(1), ConsentAction.WITHDRAWN)
    assert follow_ups(mentor, eid)["after_exit_1_year"]["status"] == "not_permitted"


def test_an_exit_registered_in_error_schedules_no_after_exit_follow_ups(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment(
        mentor,
        5,
        programme="level_upgrade",
        level_4_days_ago=300,
        exit_days_ago=100,
        exit_reason="registered_in_error",
    )
    assert list(follow_ups(mentor, eid)) == ["support_period_end"]
    r = record(mentor, eid, **{**REACHED_WORK, "kind": "after_exit_90_days"})
    assert r.status_code == 409, r.text


def test_sync_deletes_what_no_longer_applies_but_never_a_recorded_result(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment(
        mentor, 6, programme="level_upgrade", level_4_days_ago=300, exit_days_ago=100
    )
    give_consent(api, pid, days_ago(200))
    body = {**REACHED_WORK, "kind": "after_exit_90_days", "contacted_on": iso(5)}
    assert record(mentor, eid, **body).status_code == 201
    with api.database.unit_of_work(write=True) as uow:
        row = uow.session.get(EnrolmentRow, eid)
        assert row is not None
        loaded = EnrolmentRepository(
            uow.session, Scope(ScopeKind.MUNICIPALITY, row.municipality_id)
        ).get(eid)
        assert loaded is not None
        # The same enrolment without its exit: the after-exit follow-ups no longer apply.
        without_exit = replay(row.programme_code, loaded.enrolment.history[:-1])
        sync_follow_ups(uow.session, row, without_exit)
        uow.commit()
    assert list(follow_ups(mentor, eid)) == ["support_period_end", "after_exit_90_days"]
    assert follow_ups(mentor, eid)["after_exit_90_days"]["status"] == "done"


# ---- refusals: 4xx and nothing written ---------------------------------------------------------

BAD_BODIES: list[tuple[str, dict[str, Any], int, str, str]] = [
    # (case, changes to REACHED_WORK, status, error, field)
    ("unknown extra field", {"municipality_id": 2}, 422, "ValidationError", "body.municipality_id"),
    ("future date", {"contacted_on": iso(-1)}, 422, "InvalidEffectiveDate", "contacted_on"),
    ("before its trigger", {"contacted_on": iso(121)}, 422, "InvalidEffectiveDate", "contacted_on"),
    (
        "extent above 100",
        {"employment_extent_percent": 101},
        422,
        "ValidationError",
        "body.employment_extent_percent",
    ),
    (
        "extent 0",
        {"employment_extent_percent": 0},
        422,
        "ValidationError",
        "body.employment_extent_percent",
    ),
    (
        "extent for studies",
        {"status_group": "studies"},
        422,
        "InvalidInput",
        "employment_extent_percent",
    ),
    (
        "work without extent",
        {"employment_extent_percent": None},
        422,
        "MissingInformation",
        "employment_extent_percent",
    ),
    (
        "reached without status group",
        {"status_group": None},
        422,
        "MissingInformation",
        "status_group",
    ),
    (
        "reached without self-supporting",
        {"self_supporting": None},
        422,
        "MissingInformation",
        "self_supporting",
    ),
    (
        "not reached with a status",
        {
            "contact_reached": False,
            "employment_extent_percent": None,
            "self_supporting": None,
            "current_benefit": None,
            "note": None,
        },
        422,
        "InvalidInput",
        "status_group",
    ),
    (
        "unknown benefit code",
        {"current_benefit": "lottovinst"},
        422,
        "UnknownCode",
        "current_benefit",
    ),
    (
        "unknown status group",
        {"status_group": "retired"},
        422,
        "ValidationError",
        "body.status_group",
    ),
    ("no attempts", {"attempts": 0}, 422, "ValidationError", "body.attempts"),
    ("too many attempts", {"attempts": 21}, 422, "ValidationError", "body.attempts"),
    ("note too long", {"note": "x" * 501}, 422, "ValidationError", "body.note"),
    ("unknown kind", {"kind": "phone_call"}, 422, "UnknownCode", "kind"),
    ("kind of another programme", {"kind": "after_exit_1_year"}, 422, "UnknownCode", "kind"),
    ("missing contacted_on", {"contacted_on": None}, 422, "ValidationError", "body.contacted_on"),
]


def test_bad_input_is_refused_and_nothing_is_written(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _, _ = enrolment(mentor, 7, level_4_days_ago=120)
    before = (stored_results(api), count(api, AuditEntryRow))
    failures = []
    for case, changes, status, error, field in BAD_BODIES:
        r = record(mentor, eid, **{**REACHED_WORK, **changes})
        body = r.json()
        if r.status_code != status or body["error"] != error or field not in body["fields"]:
            failures.append(f"{case}: {r.status_code} {body}")
        if (stored_results(api), count(api, AuditEntryRow)) != before:
            failures.append(f"{case}: something was written")
    assert failures == []

    # Recording twice: the second is refused and the first stays as it was.
    assert record(mentor, eid, **REACHED_WORK).status_code == 201
    after_first = (stored_results(api), count(api, AuditEntryRow))
    r = record(mentor, eid, **{**REACHED_WORK, "attempts": 5})
    assert r.status_code == 409
    assert (r.json()["error"], r.json()["fields"]) == (
        "InvalidTransition",
        {"kind": "redan registrerad"},
    )
    assert (stored_results(api), count(api, AuditEntryRow)) == after_first


@pytest.mark.parametrize(
    "query",
    ["within_days=91", "within_days=-1", "within_days=x", "mentor_id=0", "mentor_id=abc"],
)
def test_bad_due_list_queries_are_422(api: Api, query: str) -> None:
    r = api.as_("lead_a").get(f"/api/v1/follow-ups/due?{query}")
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"


# ---- roles and scope ---------------------------------------------------------------------------


def test_roles_without_the_permission_get_403(api: Api) -> None:
    eid, _, _ = enrolment(api.as_("mentor_a"), 8)
    for key in ("analyst", "evaluator", "admin", "referrer_af", "client"):
        caller = api.as_(key)
        assert caller.get(f"/api/v1/enrolments/{eid}/follow-ups").status_code == 403, key
        assert caller.get("/api/v1/follow-ups/due").status_code == 403, key
        assert record(caller, eid, **REACHED_WORK).status_code == 403, key
    # The unit manager reviews follow-ups but does not record them.
    manager = api.as_("manager_a")
    assert manager.get(f"/api/v1/enrolments/{eid}/follow-ups").status_code == 200
    before = stored_results(api)
    r = record(manager, eid, **REACHED_WORK)
    assert (r.status_code, r.json()["error"]) == (403, "Forbidden")
    assert stored_results(api) == before
    assert api.anonymous.get("/api/v1/follow-ups/due").status_code == 401


def test_out_of_scope_is_indistinguishable_from_missing(api: Api) -> None:
    eid, _, _ = enrolment(api.as_("mentor_a"), 9)
    before = (stored_results(api), count(api, AuditEntryRow))
    for key in ("mentor_b", "lead_b", "mentor_a2"):
        caller = api.as_(key)
        for method, send in (
            ("GET", lambda c, i: c.get(f"/api/v1/enrolments/{i}/follow-ups")),
            ("POST", lambda c, i: record(c, i, **REACHED_WORK)),
        ):
            theirs, missing = send(caller, eid), send(caller, MISSING_ID)
            assert (theirs.status_code, missing.status_code) == (404, 404), (key, method)
            assert theirs.json() == missing.json(), (key, method)
        assert caller.get("/api/v1/follow-ups/due").json()["count"] == 0, key
    assert (stored_results(api), count(api, AuditEntryRow)) == before
    # The lead mentor of the municipality may record for a colleague's participant.
    assert record(api.as_("lead_a"), eid, **REACHED_WORK).status_code == 201


def test_due_lists_per_mentor_and_per_municipality(api: Api) -> None:
    mentor_a, mentor_a2 = api.as_("mentor_a"), api.as_("mentor_a2")
    overdue_a, _, _ = enrolment(mentor_a, 10, level_4_days_ago=120)  # due ~30 days ago
    due_a, _, _ = enrolment(mentor_a, 11, level_4_days_ago=85)  # due in about a week
    later_a, _, _ = enrolment(mentor_a, 12, level_4_days_ago=60)  # due in about a month
    overdue_a2, _, _ = enrolment(mentor_a2, 13, level_4_days_ago=150)
    enrolment(api.as_("mentor_b"), 14, level_4_days_ago=150)  # municipality B

    def listed(caller: Caller, query: str = "") -> list[tuple[int, str]]:
        r = caller.get(f"/api/v1/follow-ups/due{query}")
        assert r.status_code == 200, r.text
        assert r.json()["count"] == len(r.json()["items"])
        return [(i["enrolment_id"], i["status"]) for i in r.json()["items"]]

    assert listed(mentor_a) == [(overdue_a, "overdue"), (due_a, "due")]
    assert listed(mentor_a, "?within_days=0") == [(overdue_a, "overdue")]
    assert listed(mentor_a, "?within_days=60") == [
        (overdue_a, "overdue"),
        (due_a, "due"),
        (later_a, "upcoming"),
    ]
    assert listed(mentor_a2) == [(overdue_a2, "overdue")]
    lead = api.as_("lead_a")
    assert listed(lead) == [(overdue_a2, "overdue"), (overdue_a, "overdue"), (due_a, "due")]
    assert listed(api.as_("manager_a")) == listed(lead)
    mentor_id = api.world.user("mentor_a2")
    assert listed(lead, f"?mentor_id={mentor_id}") == [(overdue_a2, "overdue")]
    # Another municipality's mentor as a filter finds nothing in mine.
    assert listed(lead, f"?mentor_id={api.world.user('mentor_b')}") == []
    assert len(listed(api.as_("lead_b"))) == 1


# ---- concurrency -------------------------------------------------------------------------------


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_recordings_exactly_one_wins(api: Api, attempt: int) -> None:
    mentor, lead = api.as_("mentor_a"), api.as_("lead_a")
    eid, _, _ = enrolment(mentor, 15 + attempt)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def act(caller: Caller, attempts: int) -> None:
        barrier.wait()
        results.append(record(caller, eid, **{**REACHED_WORK, "attempts": attempts}).status_code)

    threads = [threading.Thread(target=act, args=(c, n)) for c, n in ((mentor, 1), (lead, 2))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [201, 409]
    assert count(api, AuditEntryRow, AuditEntryRow.action == "follow_up.record") == 1


def test_the_database_guard_refuses_a_second_result(api: Api) -> None:
    """Past the service's check (as when two requests read the open row at once), the
    conditional UPDATE still lets only one result in."""
    eid, _, _ = enrolment(api.as_("mentor_a"), 20)
    lead = Principal(
        ActorKind.USER,
        api.world.user("lead_a"),
        Role.LEAD_MENTOR,
        ROLE_PERMISSIONS[Role.LEAD_MENTOR],
        api.world.municipality_a,
        api.world.unit_a,
        "Test lead_a",
    )
    result = FollowUpResult(contacted_on=days_ago(1), contact_reached=False, attempts=1)
    with api.database.unit_of_work(write=True) as uow:
        repo = FollowUpRepository(uow.session, scope_for(lead))
        (row,) = repo.for_enrolment(eid)
        assert repo.record(row, result, lead, datetime.now(UTC)) is True
        assert repo.record(row, replace(result, attempts=9), lead, datetime.now(UTC)) is False
        uow.commit()
    assert [r[3] for r in stored_results(api)] == [1]


def test_due_lines_for_the_task_list(api: Api) -> None:
    """The repository function the mentor's task list uses: scope, window, mentor filter."""
    mentor = api.as_("mentor_a")
    eid, pid, _ = enrolment(mentor, 21, level_4_days_ago=120)
    enrolment(api.as_("mentor_b"), 22, level_4_days_ago=120)
    mentor_a = api.world.user("mentor_a")
    scope = Scope(ScopeKind.CASELOAD, api.world.municipality_a, mentor_a)
    with api.database.unit_of_work(write=False) as uow:
        lines = due_follow_up_lines(uow.session.connection(), scope, today=TODAY, within_days=14)
        assert [(x.enrolment_id, x.participant_id, x.status.value) for x in lines] == [
            (eid, pid, "overdue")
        ]
        assert lines[0].personnummer == synthetic_pnr(21).replace("-", "")
        other = api.world.user("mentor_a2")
        assert (
            due_follow_up_lines(
                uow.session.connection(), scope, today=TODAY, within_days=14, mentor_id=other
            )
            == []
        )
        # Seen from before the due date, it is not due yet within a week.
        early = add_months(days_ago(120), 3) - timedelta(days=8)
        assert (
            due_follow_up_lines(uow.session.connection(), scope, today=early, within_days=7) == []
        )
