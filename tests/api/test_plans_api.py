"""The individual plan and the resource group through the HTTP API, on SQLite and PostgreSQL:
revisions with If-Match, who may read and write, scope, bad input (4xx and nothing written),
and the audit entries for every write and every read of personal data."""

from __future__ import annotations

import threading
from datetime import timedelta
from typing import Any

import pytest
from conftest import Api, Caller, count, participant_body
from sqlalchemy import select

from api.clock import Clock
from api.persistence.models import AuditEntryRow, AuditSubjectRow
from api.persistence.models.plans import PlanGoalRow, PlanRevisionRow, ResourceGroupMemberRow

TODAY = Clock().today()
MISSING_ID = 2**31 - 1


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def register(mentor: Caller, serial: int) -> int:
    r = mentor.post("/api/v1/participants", json=participant_body(serial))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def enrolment(mentor: Caller, serial: int, *, until: str = "start") -> tuple[int, int]:
    """(participant id, enrolment id): referred 100 days ago, then up to `until`."""
    pid = register(mentor, serial)
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={"programme_code": "level_up", "referred_on": days_ago(100)},
    )
    assert r.status_code == 201, r.text
    eid, etag = r.json()["id"], r.headers["ETag"]
    steps: list[tuple[str, dict[str, Any]]] = {
        "referred": [],
        "start": [
            ("intake", {"effective_on": days_ago(90)}),
            ("start", {"effective_on": days_ago(80)}),
        ],
        "decline": [("decline", {"effective_on": days_ago(90), "reason": "Vill inte delta"})],
        "exit": [
            ("intake", {"effective_on": days_ago(90)}),
            ("start", {"effective_on": days_ago(80)}),
            (
                "exit",
                {
                    "effective_on": days_ago(10),
                    "exit_reason_code": "completed",
                    "exit_status_code": "studies",
                },
            ),
        ],
    }[until]
    for name, body in steps:
        r = mentor.post(f"/api/v1/enrolments/{eid}/{name}", json=body, headers={"If-Match": etag})
        assert r.status_code == 200, (name, r.text)
        etag = r.headers["ETag"]
    return pid, eid


def audit_actions(api: Api, participant_id: int) -> list[tuple[str, dict[str, Any] | None]]:
    with api.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(
            select(AuditEntryRow.action, AuditEntryRow.detail)
            .join(AuditSubjectRow, AuditSubjectRow.audit_id == AuditEntryRow.id)
            .where(AuditSubjectRow.participant_id == participant_id)
            .order_by(AuditEntryRow.id)
        ).all()
    return [(a, d) for a, d in rows]


def written(api: Api) -> tuple[int, int, int, int]:
    return (
        count(api, PlanRevisionRow),
        count(api, PlanGoalRow),
        count(api, ResourceGroupMemberRow),
        count(api, AuditEntryRow, AuditEntryRow.action.not_like("%.read")),
    )


GOALS = [
    {"text": "Börja på komvux i höst", "status": "in_progress", "target_on": days_ago(-120)},
    {"text": "Träna två gånger i veckan", "status": "not_started", "area": "Hälsa"},
]


def save(caller: Caller, eid: int, body: dict[str, Any], if_match: str | None) -> Any:
    headers = {"If-Match": if_match} if if_match is not None else {}
    return caller.request("PUT", f"/api/v1/enrolments/{eid}/plan", json=body, headers=headers)


# --- the plan ---------------------------------------------------------------------------------


def test_plan_revisions_end_to_end(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid, eid = enrolment(mentor, 1)

    r = mentor.get(f"/api/v1/enrolments/{eid}/plan")
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"0"'
    assert r.json() == {
        "enrolment_id": eid,
        "revision": 0,
        "goals": [],
        "note": None,
        "saved_at": None,
        "saved_by_user_id": None,
    }

    r = save(mentor, eid, {"goals": GOALS, "note": "Första planen"}, '"0"')
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == '"1"'
    first = r.json()
    assert first["revision"] == 1
    assert first["saved_by_user_id"] == api.world.user("mentor_a")
    assert first["goals"] == [
        {
            "text": "Börja på komvux i höst",
            "status": "in_progress",
            "target_on": days_ago(-120),  # target dates may lie in the future
            "area": None,
        },
        {
            "text": "Träna två gånger i veckan",
            "status": "not_started",
            "target_on": None,
            "area": "Hälsa",
        },
    ]

    # The lead mentor of the municipality revises it; the first revision stays as it was.
    lead = api.as_("lead_a")
    second_goals = [{**GOALS[0], "status": "achieved"}]
    r = save(lead, eid, {"goals": second_goals}, r.headers["ETag"])
    assert r.status_code == 200, r.text
    assert (r.headers["ETag"], r.json()["revision"]) == ('"2"', 2)

    r = mentor.get(f"/api/v1/enrolments/{eid}/plan")
    assert r.headers["ETag"] == '"2"'
    current = r.json()
    assert current["revision"] == 2 and current["note"] is None
    assert [g["status"] for g in current["goals"]] == ["achieved"]
    assert current["saved_by_user_id"] == api.world.user("lead_a")

    r = api.as_("manager_a").get(f"/api/v1/enrolments/{eid}/plan/revisions")
    assert r.status_code == 200, r.text
    listing = r.json()
    assert listing["enrolment_id"] == eid
    assert [i["revision"] for i in listing["items"]] == [2, 1]
    assert listing["items"][1]["goals"] == first["goals"]
    assert listing["items"][1]["note"] == "Första planen"
    assert listing["items"][1]["saved_at"] == first["saved_at"]

    actions = audit_actions(api, pid)
    saves = [d for a, d in actions if a == "plan.save"]
    assert saves == [{"revision": 1, "goals": 2}, {"revision": 2, "goals": 1}]
    assert [a for a, _ in actions].count("plan.read") == 2
    assert [a for a, _ in actions].count("plan.revisions.read") == 1
    # Audit details are ids and counts, never the plan's text.
    assert "komvux" not in str(actions)


def test_an_empty_plan_and_a_plan_in_intake_are_allowed(api: Api) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 2, until="referred")
    r = save(mentor, eid, {"goals": []}, '"0"')
    assert r.status_code == 200, r.text
    assert r.json()["goals"] == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"goals": [{"text": "Mål"}] * 31}, "goals"),
        ({"goals": [{"text": "Mål", "status": "finished"}]}, "goals.0.status"),
        ({"goals": [{"text": ""}]}, "goals.0.text"),
        ({"goals": [{"text": "Mål"}, {"text": "   "}]}, "goals.1.text"),
        ({"goals": [{"text": "x" * 501}]}, "goals.0.text"),
        ({"goals": [{"text": "Mål", "area": "a" * 101}]}, "goals.0.area"),
        ({"goals": [{"text": "Mål", "target_on": "snart"}]}, "goals.0.target_on"),
        ({"goals": [], "note": "n" * 2001}, "note"),
        ({"goals": [], "revision": 5}, "revision"),  # unknown extra field
        ({"goals": [{"text": "Mål", "id": 3}]}, "goals.0.id"),
        ({"note": "Inga mål"}, "goals"),
        ({"goals": "Mål"}, "goals"),
    ],
)
def test_bad_plans_are_refused_and_nothing_is_written(
    api: Api, body: dict[str, Any], field: str
) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 3)
    before = written(api)
    r = save(mentor, eid, body, '"0"')
    assert r.status_code == 422, r.text
    error = r.json()
    assert error["detail"]
    assert any(f.endswith(field) for f in error["fields"]), error
    assert written(api) == before
    assert mentor.get(f"/api/v1/enrolments/{eid}/plan").json()["revision"] == 0


@pytest.mark.parametrize(
    ("if_match", "status"),
    [(None, 428), ('"1"', 412), ('"abc"', 412), ('"-1"', 412)],
)
def test_missing_or_stale_if_match_writes_nothing(
    api: Api, if_match: str | None, status: int
) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 4)
    before = written(api)
    r = save(mentor, eid, {"goals": GOALS}, if_match)
    assert r.status_code == status, r.text
    assert r.json()["error"] in ("PreconditionRequired", "PreconditionFailed")
    assert written(api) == before


def test_a_second_save_with_the_old_etag_is_stale(api: Api) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 5)
    assert save(mentor, eid, {"goals": GOALS}, '"0"').status_code == 200
    before = written(api)
    r = save(api.as_("lead_a"), eid, {"goals": []}, '"0"')
    assert r.status_code == 412, r.text
    assert written(api) == before


@pytest.mark.parametrize("until", ["exit", "decline"])
def test_no_plan_after_exit_or_for_a_declined_referral(api: Api, until: str) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 6, until=until)
    before = written(api)
    r = save(mentor, eid, {"goals": GOALS}, '"0"')
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "InvalidTransition"
    assert written(api) == before
    # Reading what was agreed stays possible.
    assert mentor.get(f"/api/v1/enrolments/{eid}/plan").status_code == 200


def test_concurrent_saves_one_wins(api: Api) -> None:
    mentor = api.as_("mentor_a")
    _, eid = enrolment(mentor, 7)
    lead = api.as_("lead_a")
    barrier = threading.Barrier(2)
    results: list[int] = []

    def act(caller: Caller, text: str) -> None:
        barrier.wait()
        results.append(save(caller, eid, {"goals": [{"text": text}]}, '"0"').status_code)

    threads = [
        threading.Thread(target=act, args=(mentor, "Mentorns mål")),
        threading.Thread(target=act, args=(lead, "Huvudmentorns mål")),
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results)[0] == 200
    assert sorted(results)[1] in (409, 412)
    revisions = mentor.get(f"/api/v1/enrolments/{eid}/plan/revisions").json()["items"]
    assert [r["revision"] for r in revisions] == [1]
    assert count(api, PlanGoalRow) == 1


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        ("manager_a", "GET", 200),
        ("manager_a", "PUT", 403),  # the manager reads but does not do case work
        ("referrer_af", "GET", 403),
        ("referrer_af", "PUT", 403),
        ("analyst", "GET", 403),
        ("evaluator", "GET", 403),
        ("admin", "GET", 403),
        ("client", "GET", 403),
        ("client", "PUT", 403),
    ],
)
def test_plan_permissions(api: Api, who: str, method: str, status: int) -> None:
    _, eid = enrolment(api.as_("mentor_a"), 8)
    before = written(api)
    caller = api.as_(who)
    if method == "GET":
        r = caller.get(f"/api/v1/enrolments/{eid}/plan")
    else:
        r = save(caller, eid, {"goals": GOALS}, '"0"')
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["error"] == "Forbidden"
        assert written(api) == before


@pytest.mark.parametrize("who", ["mentor_b", "lead_b", "mentor_a2"])
def test_out_of_scope_plan_is_indistinguishable_from_a_missing_one(api: Api, who: str) -> None:
    _, eid = enrolment(api.as_("mentor_a"), 9)
    caller = api.as_(who)
    before = written(api)
    for method, path in [
        ("GET", "/plan"),
        ("GET", "/plan/revisions"),
        ("PUT", "/plan"),
    ]:
        kw: dict[str, Any] = (
            {"json": {"goals": GOALS}, "headers": {"If-Match": '"0"'}} if method == "PUT" else {}
        )
        theirs = caller.request(method, f"/api/v1/enrolments/{eid}{path}", **kw)
        missing = caller.request(method, f"/api/v1/enrolments/{MISSING_ID}{path}", **kw)
        assert theirs.status_code == missing.status_code == 404, (method, path, theirs.text)
        assert theirs.json() == missing.json()
    assert written(api) == before


# --- the resource group ------------------------------------------------------------------------

MEMBER = {
    "role": "Handläggare",
    "organisation": "Försäkringskassan",
    "name": "Hanna Handläggare",
    "phone": "010-116 00 00",
    "email": "hanna@fk.example",
}


def add(caller: Caller, pid: int, **overrides: Any) -> Any:
    return caller.post(f"/api/v1/participants/{pid}/resource-group", json={**MEMBER, **overrides})


def test_resource_group_end_to_end(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 20)
    r = mentor.get(f"/api/v1/participants/{pid}/resource-group")
    assert r.status_code == 200, r.text
    assert r.json() == {"participant_id": pid, "items": []}

    r = add(mentor, pid, added_on=days_ago(30))
    assert r.status_code == 201, r.text
    fk = r.json()
    assert fk == {"id": fk["id"], **MEMBER, "added_on": days_ago(30), "removed_on": None}
    r = add(
        mentor,
        pid,
        role="Kurator",
        organisation="Vårdcentralen",
        name="Kim Kurator",
        phone=None,
        email=None,
    )
    assert r.status_code == 201, r.text
    kurator = r.json()
    assert kurator["added_on"] == TODAY.isoformat()  # defaults to today

    r = mentor.delete(f"/api/v1/participants/{pid}/resource-group/{fk['id']}")
    assert r.status_code == 204, r.text
    assert r.content == b""

    items = mentor.get(f"/api/v1/participants/{pid}/resource-group").json()["items"]
    assert [i["id"] for i in items] == [kurator["id"], fk["id"]]  # current first
    assert items[1]["removed_on"] == TODAY.isoformat()
    assert items[0]["removed_on"] is None
    assert count(api, ResourceGroupMemberRow) == 2  # the removed member is kept as history

    actions = [a for a, _ in audit_actions(api, pid)]
    assert actions.count("resource_group.add") == 2
    assert actions.count("resource_group.remove") == 1
    assert actions.count("resource_group.read") == 2
    assert "Hanna" not in str(audit_actions(api, pid))


def test_removing_twice_or_a_member_of_another_participant(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 21)
    other = register(mentor, 22)
    member_id = add(mentor, pid).json()["id"]
    assert (
        mentor.delete(f"/api/v1/participants/{pid}/resource-group/{member_id}").status_code == 204
    )

    before = written(api)
    r = mentor.delete(f"/api/v1/participants/{pid}/resource-group/{member_id}")
    assert r.status_code == 409, r.text
    assert r.json()["error"] == "InvalidTransition"
    assert written(api) == before

    other_member = add(mentor, other).json()["id"]
    before = written(api)
    r = mentor.delete(f"/api/v1/participants/{pid}/resource-group/{other_member}")
    assert r.status_code == 404, r.text
    missing = mentor.delete(f"/api/v1/participants/{pid}/resource-group/{MISSING_ID}")
    assert missing.status_code == 404
    assert r.json() == missing.json()
    assert written(api) == before
    items = mentor.get(f"/api/v1/participants/{other}/resource-group").json()["items"]
    assert items[0]["removed_on"] is None


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"added_on": days_ago(-1)}, "added_on"),
        ({"role": ""}, "role"),
        ({"role": "r" * 101}, "role"),
        ({"organisation": "o" * 201}, "organisation"),
        ({"name": "   "}, "name"),
        ({"phone": "ring mig"}, "phone"),
        ({"email": "inte-en-adress"}, "email"),
        ({"participant_id": 1}, "participant_id"),  # unknown extra field
        ({"removed_on": days_ago(1)}, "removed_on"),
    ],
)
def test_bad_members_are_refused_and_nothing_is_written(
    api: Api, overrides: dict[str, Any], field: str
) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 23)
    before = written(api)
    r = add(mentor, pid, **overrides)
    assert r.status_code == 422, r.text
    assert any(f.endswith(field) for f in r.json()["fields"]), r.json()
    assert written(api) == before


def test_a_member_without_a_role_is_refused(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 24)
    before = written(api)
    body = {k: v for k, v in MEMBER.items() if k != "role"}
    r = mentor.post(f"/api/v1/participants/{pid}/resource-group", json=body)
    assert r.status_code == 422
    assert written(api) == before


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        ("lead_a", "POST", 201),
        ("manager_a", "GET", 200),
        ("manager_a", "POST", 403),
        ("manager_a", "DELETE", 403),
        ("referrer_af", "GET", 403),
        ("analyst", "POST", 403),
        ("admin", "GET", 403),
        ("client", "GET", 403),
        ("client", "DELETE", 403),
    ],
)
def test_resource_group_permissions(api: Api, who: str, method: str, status: int) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 25)
    member_id = add(mentor, pid).json()["id"]
    before = written(api)
    caller = api.as_(who)
    if method == "GET":
        r = caller.get(f"/api/v1/participants/{pid}/resource-group")
    elif method == "POST":
        r = add(caller, pid)
    else:
        r = caller.delete(f"/api/v1/participants/{pid}/resource-group/{member_id}")
    assert r.status_code == status, r.text
    if status == 403:
        assert written(api) == before


@pytest.mark.parametrize("who", ["mentor_b", "lead_b"])
def test_out_of_scope_resource_group_is_indistinguishable_from_missing(api: Api, who: str) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 26)
    member_id = add(mentor, pid).json()["id"]
    caller = api.as_(who)
    before = written(api)
    for method, suffix, kw in [
        ("GET", "", {}),
        ("POST", "", {"json": MEMBER}),
        ("DELETE", f"/{member_id}", {}),
    ]:
        theirs = caller.request(method, f"/api/v1/participants/{pid}/resource-group{suffix}", **kw)
        missing = caller.request(
            method, f"/api/v1/participants/{MISSING_ID}/resource-group{suffix}", **kw
        )
        assert theirs.status_code == missing.status_code == 404, (method, theirs.text)
        assert theirs.json() == missing.json()
    assert written(api) == before
