"""The mentor's core journey through the HTTP API, on SQLite and PostgreSQL, with real tokens:
register, refer, intake, start, advance to Level 4 with an outcome, exit; plus every refusal
the issue lists, each answered with a clear 4xx and nothing written."""

from __future__ import annotations

import threading
from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, participant_body, synthetic_pnr
from sqlalchemy import func, select

from api.clock import Clock
from api.persistence.models import AuditEntryRow, EnrolmentRow, ParticipantRow, TransitionRow
from api.schemas.me import CaseloadRead

TODAY = Clock().today()


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def register(mentor: Caller, serial: int = 0, **overrides: Any) -> dict[str, Any]:
    r = mentor.post("/api/v1/participants", json=participant_body(serial, **overrides))
    assert r.status_code == 201, r.text
    return r.json()


def refer(
    mentor: Caller, participant_id: int, referred_days_ago: int = 200, **overrides: Any
) -> tuple[dict[str, Any], str]:
    body = {"programme_code": "level_up", "referred_on": days_ago(referred_days_ago)}
    body.update(overrides)
    r = mentor.post(f"/api/v1/participants/{participant_id}/enrolments", json=body)
    assert r.status_code == 201, r.text
    return r.json(), r.headers["ETag"]


def command(mentor: Caller, enrolment_id: int, name: str, etag: str | None, **body: Any) -> Any:
    headers = {"If-Match": etag} if etag else {}
    return mentor.post(f"/api/v1/enrolments/{enrolment_id}/{name}", json=body, headers=headers)


def active_enrolment(mentor: Caller, serial: int = 0) -> tuple[int, str]:
    """A participant started at Level 1 (referred 200 days ago, started 180 days ago)."""
    person = register(mentor, serial)
    enrolment, etag = refer(mentor, person["id"])
    r = command(mentor, enrolment["id"], "intake", etag, effective_on=days_ago(190))
    r = command(mentor, enrolment["id"], "start", r.headers["ETag"], effective_on=days_ago(180))
    assert r.status_code == 200, r.text
    return enrolment["id"], r.headers["ETag"]


def count(api: Api, model: Any) -> int:
    with api.database.unit_of_work(write=False) as uow:
        return int(uow.session.execute(select(func.count()).select_from(model)).scalar_one())


def test_full_journey_to_work_and_exit(api: Api) -> None:
    mentor = api.as_("mentor_a")
    person = register(mentor, 1, education_level="gymnasial", gender="non_binary")
    assert person["personnummer_masked"].endswith("-****")
    assert person["legal_sex"] == "woman"
    enrolment, etag = refer(
        mentor,
        person["id"],
        benefit_at_start="forsorjningsstod",
        months_on_support_before_start=14,
        referrer_organisation_id=api.world.referrer_org_af,
    )
    assert enrolment["state"] == "referred"
    assert enrolment["mentor_id"] == api.world.user("mentor_a")
    # Names beside the ids, for people reading the record (staff and organisations only).
    assert enrolment["mentor_name"] == "Test mentor_a"
    assert enrolment["referrer_organisation_name"] == "Arbetsförmedlingen Skaraborg"
    assert person["municipality_name"] == "Skara"
    eid = enrolment["id"]

    steps: list[tuple[str, dict[str, Any], str, int | None]] = [
        ("intake", {"effective_on": days_ago(190)}, "intake", None),
        ("start", {"effective_on": days_ago(180)}, "active", 1),
        ("advance", {"effective_on": days_ago(150)}, "active", 2),
        ("advance", {"effective_on": days_ago(100)}, "active", 3),
        ("pause", {"effective_on": days_ago(90), "reason": "sick_leave"}, "paused", 3),
        ("resume", {"effective_on": days_ago(80)}, "active", 3),
        (
            "advance",
            {
                "effective_on": days_ago(40),
                "outcome": {
                    "kind": "work",
                    "starts_on": days_ago(40),
                    "subsidised": True,
                    "extent_percent": 75,
                },
            },
            "active",
            4,
        ),
        (
            "exit",
            {
                "effective_on": days_ago(1),
                "exit_reason_code": "completed",
                "exit_status_code": "employment_subsidised",
            },
            "exited",
            4,
        ),
    ]
    for name, body, state, step in steps:
        r = command(mentor, eid, name, etag, **body)
        assert r.status_code == 200, (name, r.text)
        data = r.json()
        assert (data["state"], data["step"]) == (state, step), name
        assert r.headers["ETag"] != etag
        etag = r.headers["ETag"]

    assert data["highest_step"] == 4
    assert data["started_on"] == days_ago(180)
    assert data["ended_on"] == days_ago(1)
    assert data["outcome"]["kind"] == "work" and data["outcome"]["extent_percent"] == 75
    assert [h["kind"] for h in data["history"]] == [
        "refer",
        "hold_intake",
        "start",
        "advance",
        "advance",
        "pause",
        "resume",
        "advance",
        "exit",
    ]
    # Nothing but follow-ups after exit.
    r = command(mentor, eid, "resume", etag, effective_on=days_ago(0))
    assert r.status_code == 409
    assert r.json()["error"] == "InvalidTransition"
    # A returning person gets a new enrolment.
    again, _ = refer(mentor, person["id"], referred_days_ago=0)
    assert again["id"] != eid and again["state"] == "referred"


def test_correction_is_a_linked_event_not_an_edit(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor)
    r = command(
        mentor,
        eid,
        "corrections",
        etag,
        target_seq=3,
        effective_on=days_ago(185),
        reason="Fel datum angavs vid start",
    )
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["started_on"] == days_ago(185)
    start = next(h for h in data["history"] if h["seq"] == 3)
    assert start["recorded_effective_on"] == days_ago(180)
    assert start["effective_on"] == days_ago(185)
    assert start["corrected_by_seq"] == 4
    assert data["history"][-1]["kind"] == "correct_date"


def test_level_4_requires_an_outcome(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor)
    for n in (170, 160):
        etag = command(mentor, eid, "advance", etag, effective_on=days_ago(n)).headers["ETag"]
    r = command(mentor, eid, "advance", etag, effective_on=days_ago(150))
    assert r.status_code == 422
    assert r.json()["error"] == "MissingInformation"
    assert "outcome" in r.json()["fields"]


@pytest.mark.parametrize(
    ("name", "body", "status", "error"),
    [
        (
            "advance",
            {"effective_on": (TODAY + timedelta(days=1)).isoformat()},
            422,
            "InvalidEffectiveDate",
        ),
        ("advance", {"effective_on": days_ago(181)}, 422, "InvalidEffectiveDate"),
        (
            "step-back",
            {"effective_on": days_ago(1), "reason": "Tappade jobbet"},
            409,
            "InvalidTransition",
        ),
        ("step-back", {"effective_on": days_ago(1)}, 422, "ValidationError"),
        ("resume", {"effective_on": days_ago(1)}, 409, "InvalidTransition"),
        ("start", {"effective_on": days_ago(1)}, 409, "InvalidTransition"),
        ("decline", {"effective_on": days_ago(1), "reason": "Vill inte"}, 409, "InvalidTransition"),
        (
            "exit",
            {
                "effective_on": days_ago(1),
                "exit_reason_code": "nope",
                "exit_status_code": "studies",
            },
            422,
            "UnknownCode",
        ),
        (
            "exit",
            {"effective_on": days_ago(1), "exit_reason_code": "completed"},
            422,
            "ValidationError",
        ),
        ("advance", {"effective_on": days_ago(1), "level": 3}, 422, "ValidationError"),
        ("advance", {"effective_on": "2025-02-30"}, 422, "ValidationError"),
        ("pause", {"effective_on": days_ago(1), "reason": "holiday"}, 422, "ValidationError"),
        ("step-back", {"effective_on": days_ago(1), "reason": "x" * 501}, 422, "ValidationError"),
    ],
    ids=[
        "future-date",
        "before-previous",
        "step-back-at-level-1",
        "step-back-no-reason",
        "resume-when-active",
        "start-twice",
        "decline-after-start",
        "unknown-exit-code",
        "exit-without-status",
        "skip-to-level",
        "impossible-date",
        "unknown-pause-reason",
        "over-long-reason",
    ],
)
def test_refused_commands_write_nothing(
    api: Api, name: str, body: dict[str, Any], status: int, error: str
) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor)
    before = (count(api, TransitionRow), count(api, AuditEntryRow))
    r = command(mentor, eid, name, etag, **body)
    assert r.status_code == status, r.text
    payload = r.json()
    assert payload["error"] == error
    assert payload["detail"]
    assert (count(api, TransitionRow), count(api, AuditEntryRow)) == before
    assert mentor.get(f"/api/v1/enrolments/{eid}").headers["ETag"] == etag


def test_if_match_missing_428_and_stale_412(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor)
    assert command(mentor, eid, "advance", None, effective_on=days_ago(1)).status_code == 428
    assert command(mentor, eid, "advance", '"999"', effective_on=days_ago(1)).status_code == 412
    assert command(mentor, eid, "advance", "garbage", effective_on=days_ago(1)).status_code == 412
    ok = command(mentor, eid, "advance", etag, effective_on=days_ago(1))
    assert ok.status_code == 200
    # The same (now stale) ETag cannot advance again: no accidental double step.
    again = command(mentor, eid, "advance", etag, effective_on=days_ago(1))
    assert again.status_code == 412
    assert mentor.get(f"/api/v1/enrolments/{eid}").json()["step"] == 2


@pytest.mark.parametrize("attempt", range(3))
def test_two_concurrent_transitions_exactly_one_wins(api: Api, attempt: int) -> None:
    mentor_a, lead = api.as_("mentor_a"), api.as_("lead_a")
    eid, etag = active_enrolment(mentor_a)
    results: list[int] = []
    barrier = threading.Barrier(2)

    def act(caller: Caller, name: str, body: dict[str, Any]) -> None:
        barrier.wait()
        results.append(command(caller, eid, name, etag, **body).status_code)

    threads = [
        threading.Thread(target=act, args=(mentor_a, "advance", {"effective_on": days_ago(1)})),
        threading.Thread(
            target=act, args=(lead, "pause", {"effective_on": days_ago(1), "reason": "other"})
        ),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == 200
    assert sorted(results)[1] in (409, 412)
    history = mentor_a.get(f"/api/v1/enrolments/{eid}").json()["history"]
    assert len(history) == 4  # refer, intake, start + exactly one of the two


def test_crash_in_the_middle_of_a_write_leaves_no_partial_rows(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor = api.as_("mentor_a")
    eid, etag = active_enrolment(mentor)
    before = count(api, TransitionRow)

    def explode(*_a: Any, **_k: Any) -> None:
        raise RuntimeError("simulated crash after the transition row was written")

    # The audit append runs after the transition insert and projection update, before commit.
    monkeypatch.setattr("api.services.enrolments.AuditLog.append", explode)
    r = command(mentor, eid, "advance", etag, effective_on=days_ago(1))
    assert r.status_code == 500
    assert r.json() == {"error": "InternalError", "detail": r.json()["detail"], "fields": {}}
    assert "Traceback" not in r.text and "simulated" not in r.text
    monkeypatch.undo()
    assert count(api, TransitionRow) == before
    current = mentor.get(f"/api/v1/enrolments/{eid}")
    assert current.json()["step"] == 1 and current.headers["ETag"] == etag


# ---- participants: registration, search, reveal, audit -------------------------------------


@pytest.mark.parametrize(
    ("personnummer", "reason_field"),
    [
        (synthetic_pnr(0)[:-1] + str((int(synthetic_pnr(0)[-1]) + 1) % 10), "personnummer"),
        ("20010230-9980", "personnummer"),
        ("20010517-0000", "personnummer"),
        ("2001051", "personnummer"),
        ("abcdefgh-ijkl", "personnummer"),
    ],
    ids=["wrong-check-digit", "no-such-date", "birth-number-000", "too-short", "letters"],
)
def test_invalid_personnummer_is_explained(api: Api, personnummer: str, reason_field: str) -> None:
    r = api.as_("mentor_a").post(
        "/api/v1/participants", json=participant_body(personnummer=personnummer)
    )
    assert r.status_code == 422
    body = r.json()
    assert body["error"] == "InvalidPersonnummer"
    assert reason_field in body["fields"]
    assert personnummer not in r.text  # never echo the number back
    assert count(api, ParticipantRow) == 0


def test_duplicate_personnummer_in_municipality_is_409(api: Api) -> None:
    register(api.as_("mentor_a"), 3)
    r = api.as_("mentor_a2").post("/api/v1/participants", json=participant_body(3))
    assert r.status_code == 409
    # Another municipality is another controller: the same person may be registered there.
    assert (
        api.as_("mentor_b").post("/api/v1/participants", json=participant_body(3)).status_code
        == 201
    )


@pytest.mark.parametrize("field", ["id", "municipality_id", "version", "created_at", "role"])
def test_mass_assignment_is_refused(api: Api, field: str) -> None:
    r = api.as_("mentor_a").post("/api/v1/participants", json=participant_body(4, **{field: 7}))
    assert r.status_code == 422
    assert count(api, ParticipantRow) == 0


def test_patch_changes_plain_fields_only_with_if_match(api: Api) -> None:
    mentor = api.as_("mentor_a")
    person = register(mentor, 5)
    url = f"/api/v1/participants/{person['id']}"
    assert mentor.patch(url, json={"phone": "070-1234567"}).status_code == 428
    assert mentor.patch(url, json={"phone": "070"}, headers={"If-Match": '"9"'}).status_code == 412
    for forbidden in (
        {"personnummer": synthetic_pnr(6)},
        {"state": "exited"},
        {"municipality_id": api.world.municipality_b},
        {"step": 4},
    ):
        r = mentor.patch(url, json=forbidden, headers={"If-Match": '"1"'})
        assert r.status_code == 422, forbidden
    r = mentor.patch(
        url, json={"phone": "070-1234567", "last_name": "Nyname"}, headers={"If-Match": '"1"'}
    )
    assert r.status_code == 200, r.text
    assert r.json()["phone"] == "070-1234567" and r.headers["ETag"] == '"2"'


def test_search_by_body_and_cursor_pagination(api: Api) -> None:
    mentor = api.as_("mentor_a")
    ids = {register(mentor, i)["id"] for i in range(7)}
    seen: set[int] = set()
    cursor = None
    pages = 0
    while True:
        body: dict[str, Any] = {"limit": 3}
        if cursor:
            body["cursor"] = cursor
        r = mentor.post("/api/v1/participants/search", json=body)
        assert r.status_code == 200, r.text
        seen |= {item["id"] for item in r.json()["items"]}
        pages += 1
        cursor = r.json()["next_cursor"]
        if not cursor:
            break
    assert seen == ids and pages == 3
    exact = mentor.post("/api/v1/participants/search", json={"personnummer": synthetic_pnr(2)})
    assert [i["last_name"] for i in exact.json()["items"]] == ["Testsson2"]
    by_name = mentor.post("/api/v1/participants/search", json={"name": "testsson5"})
    assert [i["last_name"] for i in by_name.json()["items"]] == ["Testsson5"]
    assert mentor.get("/api/v1/participants?limit=101").status_code == 422
    assert (
        mentor.post("/api/v1/participants/search", json={"cursor": "not-a-cursor"}).status_code
        == 422
    )


def test_reads_and_reveal_are_audited_and_visible_to_the_manager(api: Api) -> None:
    mentor = api.as_("mentor_a")
    person = register(mentor, 8)
    assert mentor.get(f"/api/v1/participants/{person['id']}").status_code == 200
    r = mentor.post(
        f"/api/v1/participants/{person['id']}/reveal-personnummer",
        json={"reason": "Kontakt med Försäkringskassan"},
    )
    assert r.status_code == 200
    assert r.json()["personnummer"] == synthetic_pnr(8)
    assert r.headers["Cache-Control"] == "no-store"
    log = api.as_("manager_a").get(f"/api/v1/participants/{person['id']}/access-log")
    assert log.status_code == 200, log.text
    actions = [e["action"] for e in log.json()["items"]]
    assert actions[:3] == [
        "participant.reveal_personnummer",
        "participant.read",
        "participant.create",
    ]
    reveal = log.json()["items"][0]
    assert reveal["purpose"] == "Kontakt med Försäkringskassan"
    assert reveal["actor_id"] == api.world.user("mentor_a")
    # The mentor may not review the access log.
    assert mentor.get(f"/api/v1/participants/{person['id']}/access-log").status_code == 403


def test_caseload_has_everything_the_start_screen_needs(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = active_enrolment(mentor, 9)
    register(api.as_("mentor_a2"), 10)  # someone else's person is not in my caseload
    r = mentor.get("/api/v1/me/caseload")
    assert r.status_code == 200
    assert r.headers["content-type"] == "application/json"
    # The route writes its plain data out unvalidated (api/responses.py): it must be exactly
    # what the declared model would have produced.
    assert CaseloadRead.model_validate(r.json()).model_dump(mode="json") == r.json()
    items = r.json()["items"]
    assert [i["enrolment_id"] for i in items] == [eid]
    item = items[0]
    assert item["personnummer_masked"].endswith("-****")
    assert (item["state"], item["step"], item["step_count"]) == ("active", 1, 4)
    assert item["days_in_step"] == 180
    assert item["programme_name"] == "Level Up"


def test_lead_mentor_reassigns_and_the_new_mentor_takes_over(api: Api) -> None:
    eid, etag = active_enrolment(api.as_("mentor_a"), 11)
    lead = api.as_("lead_a")
    r = lead.post(
        f"/api/v1/enrolments/{eid}/mentor",
        json={"mentor_id": api.world.user("mentor_a2"), "reason": "Föräldraledighet"},
        headers={"If-Match": etag},
    )
    assert r.status_code == 200, r.text
    assert r.json()["mentor_id"] == api.world.user("mentor_a2")
    assert r.json()["mentor_name"] == "Test mentor_a2"
    assert [m["mentor_id"] for m in r.json()["mentor_history"]] == [
        api.world.user("mentor_a"),
        api.world.user("mentor_a2"),
    ]
    assert [
        i["enrolment_id"] for i in api.as_("mentor_a2").get("/api/v1/me/caseload").json()["items"]
    ] == [eid]
    # A mentor from another municipality cannot be assigned; mentors cannot reassign.
    other = lead.post(
        f"/api/v1/enrolments/{eid}/mentor",
        json={"mentor_id": api.world.user("mentor_b")},
        headers={"If-Match": r.headers["ETag"]},
    )
    assert other.status_code == 422
    assert (
        api.as_("mentor_a2")
        .post(
            f"/api/v1/enrolments/{eid}/mentor",
            json={"mentor_id": api.world.user("mentor_a")},
            headers={"If-Match": r.headers["ETag"]},
        )
        .status_code
        == 403
    )


def test_age_outside_the_programme_is_refused_at_referral(api: Api) -> None:
    mentor = api.as_("mentor_a")
    person = register(mentor, 12, personnummer=synthetic_pnr(0, birth=date(1980, 3, 3)))
    r = mentor.post(
        f"/api/v1/participants/{person['id']}/enrolments",
        json={"programme_code": "level_up", "referred_on": days_ago(1)},
    )
    assert r.status_code == 422 and r.json()["error"] == "NotEligible"
    ok = mentor.post(
        f"/api/v1/participants/{person['id']}/enrolments",
        json={"programme_code": "level_upgrade", "referred_on": days_ago(1)},
    )
    assert ok.status_code == 201
    assert count(api, EnrolmentRow) == 1


def test_lead_mentor_sees_mentors_with_caseload_sizes(api: Api) -> None:
    active_enrolment(api.as_("mentor_a"), 13)
    r = api.as_("lead_a").get("/api/v1/me/municipality/mentors")
    assert r.status_code == 200, r.text
    loads = {m["mentor_id"]: m for m in r.json()}
    assert set(loads) == {
        api.world.user(k) for k in ("mentor_a", "mentor_a2", "lead_a", "disabled_mentor_a")
    }
    assert loads[api.world.user("mentor_a")]["open_enrolments"] == 1
    assert loads[api.world.user("mentor_a")]["by_step"] == {"1": 1}
    assert api.as_("mentor_a").get("/api/v1/me/municipality/mentors").status_code == 403


@pytest.mark.parametrize("if_match", ['"²"', '"٣"', '"1' + "0" * 40 + '"', '""', "*"])
def test_odd_if_match_values_are_412_not_500(api: Api, if_match: str) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = active_enrolment(mentor, 14)
    # Raw UTF-8 bytes: httpx refuses non-ASCII header strings, but a client can send them.
    r = mentor.post(
        f"/api/v1/enrolments/{eid}/advance",
        json={"effective_on": days_ago(1)},
        headers={"If-Match": if_match.encode()},
    )
    assert r.status_code == 412, r.text
