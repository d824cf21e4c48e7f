"""Exports through the HTTP API on SQLite and PostgreSQL: the pseudonymised evaluation export
(consent, protected identities, since cursor, purpose audit, chunked streaming) and the SUS and
ESF registration files, plus every refusal the issue lists (4xx, nothing leaked or written)."""

from __future__ import annotations

import csv
import io
import json
import time
from collections.abc import Generator
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from conftest import (
    TEST_PSEUDONYM_SECRET,
    Api,
    Caller,
    World,
    audit_entries,
    count,
    participant_body,
    synthetic_pnr,
)
from sqlalchemy import insert, select, update
from sqlalchemy.orm import Session

from api.persistence.models import AuditEntryRow, EnrolmentRow, ParticipantRow
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.repositories import exports as export_repository
from api.persistence.repositories.exports import (
    EvaluationFilter,
    EvaluationRecord,
    evaluation_page,
    stream_chunks,
)
from api.persistence.uow import Database
from domain.pseudonyms import enrolment_pseudonym, evaluator_key, participant_pseudonym

ITEMS = (
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
PURPOSE = "Utvärdering Level Up 2026"


# ---- helpers -----------------------------------------------------------------------------------


def today(api: Api) -> date:
    return api.app.state.context.clock.today()


def ago(api: Api, n: int) -> str:
    return (today(api) - timedelta(days=n)).isoformat()


def ok(r: Any, status: int = 200) -> Any:
    assert r.status_code == status, r.text
    return r


def register(caller: Caller, serial: int, **overrides: Any) -> int:
    body = participant_body(serial, phone="0701234567", email=f"p{serial}@example.se", **overrides)
    return int(ok(caller.post("/api/v1/participants", json=body), 201).json()["id"])


def command(caller: Caller, eid: int, etag: str, name: str, **body: Any) -> str:
    r = ok(caller.post(f"/api/v1/enrolments/{eid}/{name}", json=body, headers={"If-Match": etag}))
    return str(r.headers["ETag"])


def consent(caller: Caller, pid: int, purpose: str, on: str, action: str = "given") -> None:
    body: dict[str, Any] = {"purpose": purpose, "action": action, "effective_on": on}
    if action == "given":
        body["form_reference"] = "Samtyckesblankett 1"
    ok(caller.post(f"/api/v1/participants/{pid}/consents", json=body), 201)


def started(
    api: Api, caller: Caller, pid: int, start_ago: int = 180, **refer: Any
) -> tuple[int, str]:
    body = {"programme_code": "level_up", "referred_on": ago(api, start_ago + 20), **refer}
    r = ok(caller.post(f"/api/v1/participants/{pid}/enrolments", json=body), 201)
    eid, etag = r.json()["id"], r.headers["ETag"]
    etag = command(caller, eid, etag, "intake", effective_on=ago(api, start_ago + 10))
    etag = command(caller, eid, etag, "start", effective_on=ago(api, start_ago))
    return int(eid), etag


def exit_(api: Api, caller: Caller, eid: int, etag: str, on: str, reason: str, status: str) -> str:
    return command(
        caller, eid, etag, "exit", effective_on=on, exit_reason_code=reason, exit_status_code=status
    )


def ndjson(r: Any) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    assert r.headers["content-type"].startswith("application/x-ndjson")
    lines = [json.loads(line) for line in r.text.splitlines()]
    return lines[:-1], lines[-1]


def evaluate(api: Api, **params: Any) -> Any:
    return api.as_("evaluator").get(
        "/api/v1/exports/evaluation", params={"purpose": PURPOSE, **params}
    )


def key_for(api: Api, user: str = "evaluator") -> bytes:
    return evaluator_key(TEST_PSEUDONYM_SECRET.encode(), api.world.user(user))


# ---- the evaluation export ---------------------------------------------------------------------


def test_evaluation_export_end_to_end(api: Api) -> None:
    mentor, mentor_b = api.as_("mentor_a"), api.as_("mentor_b")
    # P1: the full journey, consent held.
    p1 = register(mentor, 1, education_level="gymnasial", gender="non_binary")
    e1, etag = started(
        api,
        mentor,
        p1,
        benefit_at_start="forsorjningsstod",
        months_on_support_before_start=14,
        referrer_organisation_id=api.world.referrer_org_af,
        referrer_contact_name="Hanna Handläggare",
        referrer_contact_phone="0501-12345",
    )
    etag = command(
        mentor,
        e1,
        etag,
        "corrections",
        target_seq=3,
        effective_on=ago(api, 178),
        reason="Fel startdatum angivet",
    )
    etag = command(mentor, e1, etag, "advance", effective_on=ago(api, 150))
    etag = command(mentor, e1, etag, "advance", effective_on=ago(api, 100))
    etag = command(
        mentor,
        e1,
        etag,
        "advance",
        effective_on=ago(api, 120 - 20),
        outcome={
            "kind": "work",
            "starts_on": ago(api, 100),
            "subsidised": True,
            "extent_percent": 75,
        },
    )
    start = ok(
        mentor.post(
            f"/api/v1/enrolments/{e1}/assessments",
            json={
                "occasion": "start",
                "answered_on": ago(api, 170),
                "respondent": "participant",
                "answers": dict.fromkeys(ITEMS, 3),
                "mentor_rating": dict.fromkeys(ITEMS, 9),
            },
        ),
        201,
    ).json()
    ok(
        mentor.post(
            f"/api/v1/assessments/{start['id']}/corrections",
            json={
                "reason": "Fel blankett",
                "answered_on": ago(api, 170),
                "respondent": "participant",
                "answers": dict.fromkeys(ITEMS, 4),
            },
        ),
        201,
    )
    ok(
        mentor.post(
            f"/api/v1/enrolments/{e1}/follow-ups",
            json={
                "kind": "support_period_end",
                "contacted_on": ago(api, 5),
                "contact_reached": True,
                "attempts": 1,
                "status_group": "work",
                "employment_extent_percent": 75,
                "self_supporting": True,
                "current_benefit": "none",
                "note": "Fritext som inte får med",
            },
        ),
        201,
    )
    exit_(api, mentor, e1, etag, ago(api, 2), "completed", "employment_subsidised")
    consent(mentor, p1, "evaluation", ago(api, 150))
    # P2: consent given, then withdrawn. P3: never asked. P4: protected identity, consent held.
    p2 = register(mentor, 2)
    started(api, mentor, p2)
    consent(mentor, p2, "evaluation", ago(api, 100))
    consent(mentor, p2, "evaluation", ago(api, 10), "withdrawn")
    p3 = register(mentor, 3)
    started(api, mentor, p3)
    p4 = register(mentor, 4, protected_identity=True)
    started(api, mentor, p4)
    consent(mentor, p4, "evaluation", ago(api, 100))
    # P5: another member municipality, continues in regular operations.
    p5 = register(mentor_b, 5)
    e5, etag5 = started(api, mentor_b, p5)
    exit_(api, mentor_b, e5, etag5, ago(api, 3), "regular_operations", "7")
    consent(mentor_b, p5, "evaluation", ago(api, 100))

    before = count(api, AuditEntryRow)
    r = ok(evaluate(api))
    rows, trailer = ndjson(r)
    assert r.headers["cache-control"] == "no-store"
    key = key_for(api)
    assert [row["pseudonym"] for row in rows] == [
        participant_pseudonym(key, p1),
        participant_pseudonym(key, p5),
    ]
    assert trailer == {"next_since": trailer["next_since"], "rows": 2, "withdrawals": 0}
    assert r.headers["X-Next-Since"] == trailer["next_since"].replace("Z", "+00:00")
    next_since = datetime.fromisoformat(trailer["next_since"])
    assert datetime.now(UTC) - timedelta(minutes=6) < next_since < datetime.now(UTC)

    row = rows[0]
    assert row == {
        "pseudonym": participant_pseudonym(key, p1),
        "enrolment_pseudonym": enrolment_pseudonym(key, e1),
        "legal_sex": "woman",
        "birth_year": 2001,
        "municipality_code": "1495",
        "referrer_type": "af",
        "benefit_at_start": "forsorjningsstod",
        "education_level": "gymnasial",
        "months_on_support_before_start": 14,
        "programme_code": "level_up",
        "state": "exited",
        "referred_on": ago(api, 200),
        "started_on": ago(api, 178),
        "exited_on": ago(api, 2),
        "highest_step": 4,
        "level_history": [
            {"step": 1, "entered_on": ago(api, 178)},  # the corrected date
            {"step": 2, "entered_on": ago(api, 150)},
            {"step": 3, "entered_on": ago(api, 100)},
            {"step": 4, "entered_on": ago(api, 100)},
        ],
        "exit_reason_code": "completed",
        "exit_status_code": "employment_subsidised",
        "exit_outcome_group": "work",
        "continues_in_regular_operations": False,
        "excluded_from_statistics": False,
        # Only the correction, only the participant's own scores.
        "assessments": [
            {
                "occasion": "start",
                "answered_on": ago(api, 170),
                "questionnaire_version": 1,
                "answers": dict.fromkeys(ITEMS, 4),
            }
        ],
        "follow_ups": [
            {
                "kind": "support_period_end",
                "due_on": rows[0]["follow_ups"][0]["due_on"],
                "contact_reached": True,
                "final_non_response": False,
                "status_group": "work",
                "employment_extent_percent": 75,
                "self_supporting": True,
            }
        ],
    }
    assert rows[1]["municipality_code"] == "1470"
    assert rows[1]["continues_in_regular_operations"] is True
    assert rows[1]["exit_outcome_group"] == "other"
    # Nothing identifying anywhere in the body: names, personnummer, contact data, free text,
    # staff ids.
    for secret in (
        "Testa",
        "Testsson",
        synthetic_pnr(1).replace("-", ""),
        synthetic_pnr(1),
        "0701234567",
        "example.se",
        "Hanna",
        "0501-12345",
        "Fritext",
        "Fel blankett",
        "Fel startdatum",
        "mentor_id",
        '"id"',
    ):
        assert secret not in r.text, secret

    # Audited once at the start with the purpose and row count, no subjects; then completed.
    assert count(api, AuditEntryRow) == before + 2
    [(started_entry, subjects)] = audit_entries(api, "export.evaluation")
    assert subjects == []
    assert started_entry.purpose == PURPOSE
    assert started_entry.actor_id == api.world.user("evaluator")
    assert started_entry.detail is not None
    assert (started_entry.detail["purpose"], started_entry.detail["rows"]) == (PURPOSE, 2)
    [(completed, _)] = audit_entries(api, "export.evaluation.completed")
    assert completed.detail == {"rows": 2}

    # Stable for the same evaluator, also when the own id is passed explicitly.
    again, _ = ndjson(ok(evaluate(api, evaluator_id=api.world.user("evaluator"))))
    assert [x["pseudonym"] for x in again] == [x["pseudonym"] for x in rows]


def test_since_cursor_returns_only_what_changed(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pids = [register(mentor, i) for i in range(3)]
    enrolments = [started(api, mentor, pid) for pid in pids]
    for pid in pids[:2]:
        consent(mentor, pid, "evaluation", ago(api, 100))
    time.sleep(0.01)
    cut = datetime.now(UTC)
    time.sleep(0.01)
    assert ndjson(ok(evaluate(api, since=cut.isoformat())))[0] == []

    # An enrolment change, and a newly given consent, each bring their row back.
    eid, etag = enrolments[0]
    command(mentor, eid, etag, "advance", effective_on=ago(api, 10))
    consent(mentor, pids[2], "evaluation", ago(api, 1))
    rows, trailer = ndjson(ok(evaluate(api, since=cut.isoformat().replace("+00:00", "Z"))))
    key = key_for(api)
    assert sorted(r["pseudonym"] for r in rows) == sorted(
        participant_pseudonym(key, p) for p in (pids[0], pids[2])
    )
    assert trailer["rows"] == 2
    entry = audit_entries(api, "export.evaluation")[-1][0]
    assert entry.detail is not None
    assert entry.detail["since"] == cut.isoformat()


def test_incremental_pull_lists_people_to_delete_after_the_rows(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pids = [register(mentor, i) for i in range(4)]
    for pid in pids:
        started(api, mentor, pid)
    for pid in (pids[0], pids[1], pids[3]):
        consent(mentor, pid, "evaluation", ago(api, 100))
    key = key_for(api)
    rows, trailer = ndjson(ok(evaluate(api)))
    assert len(rows) == 3 and trailer["withdrawals"] == 0
    time.sleep(0.01)
    cut = datetime.now(UTC)
    time.sleep(0.01)

    # P0 withdraws; P3 gets a protected identity; P2 (never consented to evaluation) changes
    # another purpose's consent; P1 is untouched.
    consent(mentor, pids[0], "evaluation", ago(api, 0), action="withdrawn")
    with api.database.unit_of_work(write=True) as uow:
        uow.session.execute(
            update(ParticipantRow)
            .where(ParticipantRow.id == pids[3])
            .values(protected_identity=True, updated_at=datetime.now(UTC))
        )
        uow.commit()
    consent(mentor, pids[2], "sus_registration", ago(api, 0))

    lines, trailer = ndjson(ok(evaluate(api, since=cut.isoformat())))
    withdrawals = [line for line in lines if "withdrawn_pseudonym" in line]
    assert [set(w) for w in withdrawals] == [{"withdrawn_pseudonym"}] * 2
    assert sorted(w["withdrawn_pseudonym"] for w in withdrawals) == sorted(
        participant_pseudonym(key, p) for p in (pids[0], pids[3])
    )
    # Rows come first, withdrawals after them; neither withdrawn person has a row.
    assert lines[-len(withdrawals) :] == withdrawals
    assert [line for line in lines if "pseudonym" in line] == []
    assert (trailer["rows"], trailer["withdrawals"]) == (0, 2)
    entry = audit_entries(api, "export.evaluation")[-1][0]
    assert entry.detail is not None and entry.detail["withdrawals"] == 2

    # A full pull holds only the current population and needs no deletions.
    rows, trailer = ndjson(ok(evaluate(api)))
    assert [r["pseudonym"] for r in rows] == [participant_pseudonym(key, pids[1])]
    assert trailer["withdrawals"] == 0


def test_another_evaluators_pseudonyms_differ(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 1)
    started(api, mentor, pid)
    consent(mentor, pid, "evaluation", ago(api, 100))
    [row], _ = ndjson(ok(evaluate(api)))
    assert row["pseudonym"] == participant_pseudonym(key_for(api), pid)
    # Another evaluator's key: the same person, a pseudonym nobody can join with ours.
    assert row["pseudonym"] != participant_pseudonym(key_for(api, "analyst"), pid)


def test_streaming_reads_in_small_chunks_through_the_api(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    mentor = api.as_("mentor_a")
    for i in range(5):
        pid = register(mentor, i)
        started(api, mentor, pid)
        consent(mentor, pid, "evaluation", ago(api, 100))
    whole, _ = ndjson(ok(evaluate(api)))
    pages: list[int] = []
    original = export_repository.evaluation_page

    def counted(session: Session, flt: EvaluationFilter, after: int | None, limit: int) -> Any:
        page = original(session, flt, after, limit)
        pages.append(len(page))
        return page

    monkeypatch.setattr(export_repository, "DEFAULT_CHUNK_SIZE", 2)
    monkeypatch.setattr("api.services.exports.evaluation_page", counted)
    chunked, trailer = ndjson(ok(evaluate(api)))
    assert chunked == whole and trailer["rows"] == 5
    assert pages == [2, 2, 1]


# ---- refusals ----------------------------------------------------------------------------------


def _other_evaluator(api: Api) -> dict[str, Any]:
    return {"purpose": PURPOSE, "evaluator_id": api.world.user("analyst")}


REFUSALS: list[tuple[str, str, Any, int, str]] = [
    ("evaluator", "/api/v1/exports/evaluation", {}, 422, "purpose"),
    ("evaluator", "/api/v1/exports/evaluation", {"purpose": "kort"}, 422, "purpose"),
    ("evaluator", "/api/v1/exports/evaluation", {"purpose": "     abc   "}, 422, "purpose"),
    ("evaluator", "/api/v1/exports/evaluation", _other_evaluator, 403, ""),
    (
        "evaluator",
        "/api/v1/exports/evaluation",
        {"purpose": PURPOSE, "evaluator_id": 0},
        422,
        "evaluator_id",
    ),
    (
        "evaluator",
        "/api/v1/exports/evaluation",
        {"purpose": PURPOSE, "since": "igår"},
        422,
        "since",
    ),
    (
        "evaluator",
        "/api/v1/exports/evaluation",
        {"purpose": PURPOSE, "since": "2026-01-01T00:00:00"},
        422,
        "since",
    ),
    (
        "evaluator",
        "/api/v1/exports/evaluation",
        {"purpose": PURPOSE, "since": "2999-01-01T00:00:00Z"},
        422,
        "since",
    ),
    (
        "evaluator",
        "/api/v1/exports/evaluation",
        {"purpose": PURPOSE, "since": "x" * 65},
        422,
        "since",
    ),
    ("lead_a", "/api/v1/exports/evaluation", {"purpose": PURPOSE}, 403, ""),
    ("manager_a", "/api/v1/exports/evaluation", {"purpose": PURPOSE}, 403, ""),
    ("analyst", "/api/v1/exports/evaluation", {"purpose": PURPOSE}, 403, ""),
    ("mentor_a", "/api/v1/exports/evaluation", {"purpose": PURPOSE}, 403, ""),
    ("client", "/api/v1/exports/evaluation", {"purpose": PURPOSE}, 403, ""),
    (
        "evaluator",
        "/api/v1/exports/sus",
        {"purpose": PURPOSE, "from": "2026-01-01", "to": "2026-02-01"},
        403,
        "",
    ),
    (
        "mentor_a",
        "/api/v1/exports/sus",
        {"purpose": PURPOSE, "from": "2026-01-01", "to": "2026-02-01"},
        403,
        "",
    ),
    ("evaluator", "/api/v1/exports/esf-monthly", {"purpose": PURPOSE, "month": "2026-01"}, 403, ""),
    ("lead_a", "/api/v1/exports/sus", {"from": "2026-01-01", "to": "2026-02-01"}, 422, "purpose"),
    (
        "lead_a",
        "/api/v1/exports/sus",
        {"purpose": PURPOSE, "from": "2026-02-01", "to": "2026-01-31"},
        422,
        "to",
    ),
    (
        "lead_a",
        "/api/v1/exports/sus",
        {"purpose": PURPOSE, "from": "2000-01-01", "to": "2020-01-02"},
        422,
        "to",
    ),
    ("lead_a", "/api/v1/exports/sus", {"purpose": PURPOSE, "from": "2026-01-01"}, 422, "to"),
    (
        "lead_a",
        "/api/v1/exports/sus",
        {"purpose": PURPOSE, "from": "2026-13-01", "to": "2026-02-01"},
        422,
        "from",
    ),
    ("manager_a", "/api/v1/exports/esf-monthly", {"month": "2026-01"}, 422, "purpose"),
    (
        "manager_a",
        "/api/v1/exports/esf-monthly",
        {"purpose": PURPOSE, "month": "2026-13"},
        422,
        "month",
    ),
    (
        "manager_a",
        "/api/v1/exports/esf-monthly",
        {"purpose": PURPOSE, "month": "mars"},
        422,
        "month",
    ),
    (
        "manager_a",
        "/api/v1/exports/esf-monthly",
        {"purpose": PURPOSE, "month": "2999-01"},
        422,
        "month",
    ),
    ("manager_a", "/api/v1/exports/esf-monthly", {"purpose": PURPOSE}, 422, "month"),
]


@pytest.mark.parametrize(("who", "url", "params", "status", "field"), REFUSALS)
def test_refusals_leak_nothing_and_write_nothing(
    api: Api, who: str, url: str, params: Any, status: int, field: str
) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 1)
    started(api, mentor, pid)
    consent(mentor, pid, "evaluation", ago(api, 100))
    consent(mentor, pid, "sus_registration", ago(api, 100))
    before = count(api, AuditEntryRow)
    r = api.as_(who).get(url, params=params(api) if callable(params) else params)
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error", "detail", "fields"}
    if field:
        assert any(field in key for key in body["fields"]), body
    assert count(api, AuditEntryRow) == before
    assert synthetic_pnr(1).replace("-", "") not in r.text


def test_unauthenticated_is_401(api: Api) -> None:
    r = api.anonymous.get("/api/v1/exports/evaluation", params={"purpose": PURPOSE})
    assert r.status_code == 401


# ---- registration files ------------------------------------------------------------------------


def read_csv(r: Any) -> list[list[str]]:
    assert r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.content.startswith("\ufeff".encode())
    return list(csv.reader(io.StringIO(r.content.decode("utf-8-sig")), delimiter=";"))


def test_sus_file_in_and_out_rows_for_consenting_people_of_the_own_municipality(api: Api) -> None:
    mentor = api.as_("mentor_a")
    p1 = register(mentor, 1)
    e1, etag = started(api, mentor, p1, start_ago=60)
    exit_(api, mentor, e1, etag, ago(api, 20), "5", "7")
    consent(mentor, p1, "sus_registration", ago(api, 70))
    p2 = register(mentor, 2)
    started(api, mentor, p2, start_ago=30)
    consent(mentor, p2, "sus_registration", ago(api, 70))
    p3 = register(mentor, 3)  # no SUS consent: not in the file
    started(api, mentor, p3, start_ago=40)
    p4 = register(mentor, 4)  # started before the period
    started(api, mentor, p4, start_ago=200)
    consent(mentor, p4, "sus_registration", ago(api, 250))
    p5 = register(api.as_("mentor_b"), 5)  # another municipality
    started(api, api.as_("mentor_b"), p5, start_ago=30)
    consent(api.as_("mentor_b"), p5, "sus_registration", ago(api, 70))

    params = {"purpose": "SUS-registrering kvartal", "from": ago(api, 90), "to": ago(api, 0)}
    r = ok(api.as_("lead_a").get("/api/v1/exports/sus", params=params))
    assert r.headers["content-disposition"].startswith('attachment; filename="sus-')
    pnr = {p: synthetic_pnr(s).replace("-", "") for p, s in ((p1, 1), (p2, 2))}
    assert read_csv(r) == [
        ["personnummer", "program", "handelse", "datum", "avslutsorsak", "status_vid_avslut"],
        [pnr[p1], "level_up", "in", ago(api, 60), "", ""],
        [pnr[p2], "level_up", "in", ago(api, 30), "", ""],
        [pnr[p1], "level_up", "out", ago(api, 20), "5", "7"],
    ]
    [(start_entry, none)] = audit_entries(api, "export.sus")
    assert none == [] and start_entry.purpose == "SUS-registrering kvartal"
    assert start_entry.detail == {
        "purpose": "SUS-registrering kvartal",
        "from": ago(api, 90),
        "to": ago(api, 0),
    }
    [(rows_entry, subjects)] = audit_entries(api, "export.sus.rows")
    assert subjects == sorted([p1, p2]) and rows_entry.detail == {"rows": 3}
    [(done, _)] = audit_entries(api, "export.sus.completed")
    assert done.detail == {"rows": 3}

    # Municipality B's lead sees only B's person; scope, not the file, decides.
    rows_b = read_csv(ok(api.as_("lead_b").get("/api/v1/exports/sus", params=params)))
    assert [row[0] for row in rows_b[1:]] == [synthetic_pnr(5).replace("-", "")]


def test_esf_monthly_file_in_date_order(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    mentor = api.as_("mentor_a")
    month_first = (today(api) - timedelta(days=70)).replace(day=1)
    month = month_first.strftime("%Y-%m")

    def days_back(on: date) -> int:
        return (today(api) - on).days

    def day(n: int) -> date:
        return month_first + timedelta(days=n)

    p1 = register(mentor, 1, gender="woman", education_level="eftergymnasial")
    started(api, mentor, p1, start_ago=days_back(day(10)), benefit_at_start="sjukpenning")
    p2 = register(mentor, 2)
    e2, etag2 = started(api, mentor, p2, start_ago=days_back(day(0)) + 200)
    exit_(api, mentor, e2, etag2, day(3).isoformat(), "completed", "studies")
    p3 = register(mentor, 3)  # registered in error: not reported
    e3, etag3 = started(api, mentor, p3, start_ago=days_back(day(5)))
    exit_(api, mentor, e3, etag3, day(6).isoformat(), "registered_in_error", "7")
    # A protected identity registered by the lead, who is therefore named on the record and
    # sees it; everyone else's scope hides it.
    lead = api.as_("lead_a")
    p4 = register(lead, 4, protected_identity=True)
    started(api, lead, p4, start_ago=days_back(day(12)))
    monkeypatch.setattr(export_repository, "DEFAULT_CHUNK_SIZE", 1)

    r = ok(
        api.as_("lead_a").get(
            "/api/v1/exports/esf-monthly", params={"purpose": "ESF månadsfil", "month": month}
        )
    )
    rows = read_csv(r)
    assert rows[0][0] == "personnummer" and len(rows[0]) == 9
    assert rows[1:] == [
        [
            synthetic_pnr(2).replace("-", ""),
            "woman",
            "2001",
            "",
            "",
            "",
            "out",
            day(3).isoformat(),
            "studies",
        ],
        [
            synthetic_pnr(1).replace("-", ""),
            "woman",
            "2001",
            "woman",
            "ISCED 5-8",
            "sjukpenning",
            "in",
            day(10).isoformat(),
            "",
        ],
        # The protected identity: sex and birth year only.
        ["", "woman", "2001", "", "", "", "in", day(12).isoformat(), ""],
    ]
    # Chunks of one row: one access-log entry per page, each with its person.
    # Pages of one record: an access-log entry per page that sent a row, with its person
    # (the enrolment registered in error was read but not sent, so it is not logged).
    assert [subjects for _, subjects in audit_entries(api, "export.esf_monthly.rows")] == [
        [p2],
        [p1],
        [p4],
    ]
    assert audit_entries(api, "export.esf_monthly")[0][0].detail == {
        "purpose": "ESF månadsfil",
        "month": month,
    }


# ---- the repository: chunked, flat-memory reads --------------------------------------------------


def _bulk(database: Database, world: World, n: int) -> None:
    now = datetime.now(UTC)
    with database.unit_of_work(write=True) as uow:
        s = uow.session
        s.execute(
            insert(ParticipantRow),
            [
                {
                    "municipality_id": world.municipality_a if i % 2 else world.municipality_b,
                    "personnummer": synthetic_pnr(i).replace("-", ""),
                    "first_name": "Testa",
                    "last_name": f"Testsson{i}",
                    "search_name": f"testa testsson{i}",
                    "protected_identity": i % 50 == 0,
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for i in range(n)
            ],
        )
        ids = list(s.execute(select(ParticipantRow.id, ParticipantRow.municipality_id)))
        s.execute(
            insert(EnrolmentRow),
            [
                {
                    "participant_id": pid,
                    "municipality_id": mid,
                    "programme_code": "level_up",
                    "state": "referred",
                    "referred_on": date(2026, 1, 5),
                    "created_at": now,
                    "updated_at": now,
                    "version": 1,
                }
                for pid, mid in ids
            ],
        )
        s.execute(
            insert(ConsentEntryRow),
            [
                {
                    "participant_id": pid,
                    "purpose": "evaluation",
                    "action": "given",
                    "effective_on": date(2026, 1, 5),
                    "recorded_at": now,
                }
                for pid, _ in ids
                if pid % 7
            ],
        )
        uow.commit()


def test_repository_reads_a_few_thousand_enrolments_in_chunks(
    database: Database, world: World
) -> None:
    _bulk(database, world, 2500)
    with database.unit_of_work(write=False) as uow:
        # Consent missing for every 7th participant id, protected for every 50th serial.
        rows = uow.session.execute(
            select(ParticipantRow.id, ParticipantRow.protected_identity)
        ).all()
    expected = sum(1 for pid, protected in rows if pid % 7 and not protected)
    fetches: list[int] = []
    flt = EvaluationFilter(association_id=world.association_id)

    def fetch(session: Session, after: int | None, limit: int) -> list[EvaluationRecord]:
        page = evaluation_page(session, flt, after, limit)
        fetches.append(len(page))
        return page

    seen: list[int] = []
    for page in stream_chunks(database, fetch, lambda r: r.enrolment_id, chunk_size=300):
        assert len(page) <= 300
        seen.extend(r.enrolment_id for r in page)
    assert len(seen) == expected == len(set(seen)) and seen == sorted(seen)
    full, rest = divmod(expected, 300)
    assert fetches == [300] * full + [rest]  # never all rows at once, never a page too many

    # A municipality's enrolments made invisible to the association: nothing else changes.
    with database.unit_of_work(write=True) as uow:
        uow.session.execute(update(ParticipantRow).values(protected_identity=True))
        uow.commit()
    assert list(stream_chunks(database, fetch, lambda r: r.enrolment_id, chunk_size=300)) == []


def test_chunk_size_must_be_positive(database: Database) -> None:
    with pytest.raises(ValueError):
        next(stream_chunks(database, lambda s, a, n: [], lambda r: r, chunk_size=0))


def test_the_audit_entry_is_committed_before_any_row_is_sent(api: Api) -> None:
    """A client that disconnects after the first byte still leaves the export in the log."""
    from api.services import exports as service

    mentor = api.as_("mentor_a")
    pid = register(mentor, 1)
    started(api, mentor, pid)
    consent(mentor, pid, "evaluation", ago(api, 100))
    ctx = api.app.state.context
    principal = ctx_principal(api, "evaluator")
    export = service.export_evaluation(ctx, principal, purpose=PURPOSE)
    [(entry, _)] = audit_entries(api, "export.evaluation")
    assert entry.detail is not None and entry.detail["rows"] == 1
    assert isinstance(export.lines, Generator)
    first = next(export.lines)
    export.lines.close()  # what a disconnect does to the generator
    assert participant_pseudonym(key_for(api), pid) in first.decode()
    assert audit_entries(api, "export.evaluation.completed") == []


def ctx_principal(api: Api, key: str) -> Any:
    from api.deps import _load_principal

    with api.database.read_connection() as connection:
        return _load_principal(connection, f"user:{api.world.user(key)}")
