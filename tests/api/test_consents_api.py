"""The consent ledger through the HTTP API, on SQLite and PostgreSQL: recording and listing,
every refused entry (4xx, nothing written), permissions, scope, audit, and the effect on the
referrer: the referrer sees a person's status only while consent to information exchange holds."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, count, participant_body
from sqlalchemy import select

from api.clock import Clock
from api.persistence.models import AuditEntryRow, AuditSubjectRow, ParticipantRow
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.repositories.consents import ConsentRepository, consent_held_condition
from api.persistence.repositories.enrolments import EnrolmentRepository, referral_lines
from api.security.principal import Scope, ScopeKind
from domain.consent import ConsentPurpose

TODAY = Clock().today()
MISSING_ID = 2**31 - 1
PURPOSES = ["referrer_information_exchange", "sus_registration", "evaluation", "follow_up_contact"]
FORM = "Samtyckesblankett 2026:3"


def days_ago(n: int) -> str:
    return (TODAY - timedelta(days=n)).isoformat()


def register(mentor: Caller, serial: int, **overrides: Any) -> int:
    r = mentor.post("/api/v1/participants", json=participant_body(serial, **overrides))
    assert r.status_code == 201, r.text
    return int(r.json()["id"])


def consent(
    caller: Caller,
    pid: int,
    action: str,
    on: str,
    purpose: str = "referrer_information_exchange",
    **extra: Any,
) -> Any:
    body: dict[str, Any] = {"purpose": purpose, "action": action, "effective_on": on}
    if action == "given":
        body["form_reference"] = FORM
    body.update(extra)
    return caller.post(f"/api/v1/participants/{pid}/consents", json=body)


def written(api: Api) -> tuple[int, int]:
    return (
        count(api, ConsentEntryRow),
        count(api, AuditEntryRow, AuditEntryRow.action.not_like("%.read")),
    )


def audit(api: Api, pid: int) -> list[tuple[str, dict[str, Any] | None, str | None, int | None]]:
    with api.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(
            select(
                AuditEntryRow.action,
                AuditEntryRow.detail,
                AuditEntryRow.entity_type,
                AuditEntryRow.entity_id,
            )
            .join(AuditSubjectRow, AuditSubjectRow.audit_id == AuditEntryRow.id)
            .where(AuditSubjectRow.participant_id == pid)
            .order_by(AuditEntryRow.id)
        ).all()
    return [(a, d, t, i) for a, d, t, i in rows]


# --- recording and listing --------------------------------------------------------------------


def test_consent_ledger_end_to_end(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 31)

    r = mentor.get(f"/api/v1/participants/{pid}/consents")
    assert r.status_code == 200, r.text
    empty = r.json()
    assert empty["participant_id"] == pid and empty["entries"] == []
    assert [p["purpose"] for p in empty["purposes"]] == PURPOSES
    for p in empty["purposes"]:
        assert p["held"] is False and p["given_on"] is None and p["withdrawn_on"] is None
        assert p["label_sv"] and p["label_en"]

    r = consent(mentor, pid, "given", days_ago(30))
    assert r.status_code == 201, r.text
    given = r.json()
    assert given == {
        "id": given["id"],
        "purpose": "referrer_information_exchange",
        "action": "given",
        "effective_on": days_ago(30),
        "form_reference": FORM,
        "recorded_at": given["recorded_at"],
        "recorded_by_user_id": api.world.user("mentor_a"),
    }
    assert consent(mentor, pid, "given", days_ago(20), "evaluation").status_code == 201

    state = {
        p["purpose"]: p
        for p in mentor.get(f"/api/v1/participants/{pid}/consents").json()["purposes"]
    }
    assert state["referrer_information_exchange"]["held"] is True
    assert state["referrer_information_exchange"]["given_on"] == days_ago(30)
    assert state["evaluation"]["held"] is True
    assert state["sus_registration"]["held"] is False

    r = consent(mentor, pid, "withdrawn", days_ago(5))
    assert r.status_code == 201, r.text
    assert r.json()["form_reference"] is None

    r = api.as_("manager_a").get(f"/api/v1/participants/{pid}/consents")
    assert r.status_code == 200, r.text
    ledger = r.json()
    state = {p["purpose"]: p for p in ledger["purposes"]}
    referrer = state["referrer_information_exchange"]
    assert (referrer["held"], referrer["given_on"], referrer["withdrawn_on"]) == (
        False,
        days_ago(30),
        days_ago(5),
    )
    assert state["evaluation"]["held"] is True  # purposes are independent
    assert [(e["purpose"], e["action"]) for e in ledger["entries"]] == [
        ("referrer_information_exchange", "given"),
        ("evaluation", "given"),
        ("referrer_information_exchange", "withdrawn"),
    ]

    entries = audit(api, pid)
    records = [(d, t) for a, d, t, _ in entries if a == "consent.record"]
    assert records == [
        ({"purpose": "referrer_information_exchange", "action": "given"}, "consent_entry"),
        ({"purpose": "evaluation", "action": "given"}, "consent_entry"),
        ({"purpose": "referrer_information_exchange", "action": "withdrawn"}, "consent_entry"),
    ]
    assert [a for a, *_ in entries].count("consent.read") == 3
    assert FORM not in str(entries)  # no free text in the audit log


def test_giving_again_after_a_withdrawal_on_the_same_day(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 32)
    for action in ("given", "withdrawn", "given"):
        assert consent(mentor, pid, action, days_ago(0)).status_code == 201
    state = mentor.get(f"/api/v1/participants/{pid}/consents").json()["purposes"][0]
    assert (state["held"], state["given_on"], state["withdrawn_on"]) == (
        True,
        days_ago(0),
        None,
    )


@pytest.mark.parametrize(
    ("earlier", "body", "status", "error"),
    [
        # withdrawn before it was given (dated earlier than the giving)
        (
            [("given", 10)],
            {"purpose": "referrer_information_exchange", "action": "withdrawn", "effective_on": 11},
            422,
            "InvalidEffectiveDate",
        ),
        # withdrawing with no consent
        (
            [],
            {"purpose": "referrer_information_exchange", "action": "withdrawn", "effective_on": 1},
            409,
            "InvalidTransition",
        ),
        # withdrawing what was withdrawn
        (
            [("given", 10), ("withdrawn", 5)],
            {"purpose": "referrer_information_exchange", "action": "withdrawn", "effective_on": 1},
            409,
            "InvalidTransition",
        ),
        # giving twice
        (
            [("given", 10)],
            {
                "purpose": "referrer_information_exchange",
                "action": "given",
                "effective_on": 1,
                "form_reference": FORM,
            },
            409,
            "InvalidTransition",
        ),
        # future date
        (
            [],
            {
                "purpose": "evaluation",
                "action": "given",
                "effective_on": -1,
                "form_reference": FORM,
            },
            422,
            "InvalidEffectiveDate",
        ),
        # dates out of order
        (
            [("given", 10), ("withdrawn", 5)],
            {
                "purpose": "referrer_information_exchange",
                "action": "given",
                "effective_on": 7,
                "form_reference": FORM,
            },
            422,
            "InvalidEffectiveDate",
        ),
        # given without saying on which form
        (
            [],
            {"purpose": "evaluation", "action": "given", "effective_on": 1},
            422,
            "InvalidInput",
        ),
        # unknown purpose
        (
            [],
            {
                "purpose": "marketing",
                "action": "given",
                "effective_on": 1,
                "form_reference": FORM,
            },
            422,
            "ValidationError",
        ),
        # unknown action
        (
            [],
            {"purpose": "evaluation", "action": "revoked", "effective_on": 1},
            422,
            "ValidationError",
        ),
        # unknown extra field
        (
            [],
            {
                "purpose": "evaluation",
                "action": "given",
                "effective_on": 1,
                "form_reference": FORM,
                "participant_id": 1,
            },
            422,
            "ValidationError",
        ),
        # too long a form reference
        (
            [],
            {
                "purpose": "evaluation",
                "action": "given",
                "effective_on": 1,
                "form_reference": "x" * 121,
            },
            422,
            "ValidationError",
        ),
    ],
)
def test_refused_entries_write_nothing(
    api: Api,
    earlier: list[tuple[str, int]],
    body: dict[str, Any],
    status: int,
    error: str,
) -> None:
    mentor = api.as_("mentor_a")
    pid = register(mentor, 33)
    for action, ago in earlier:
        assert consent(mentor, pid, action, days_ago(ago)).status_code == 201
    before = written(api)
    payload = {**body, "effective_on": days_ago(body["effective_on"])}
    r = mentor.post(f"/api/v1/participants/{pid}/consents", json=payload)
    assert r.status_code == status, r.text
    assert r.json()["error"] == error
    assert r.json()["detail"]
    assert written(api) == before


@pytest.mark.parametrize(
    ("who", "method", "status"),
    [
        ("lead_a", "POST", 201),
        ("manager_a", "GET", 200),
        ("manager_a", "POST", 403),
        ("referrer_af", "GET", 403),
        ("referrer_af", "POST", 403),
        ("analyst", "GET", 403),
        ("evaluator", "GET", 403),
        ("admin", "POST", 403),
        ("client", "GET", 403),
        ("client", "POST", 403),
    ],
)
def test_consent_permissions(api: Api, who: str, method: str, status: int) -> None:
    pid = register(api.as_("mentor_a"), 34)
    before = written(api)
    caller = api.as_(who)
    if method == "GET":
        r = caller.get(f"/api/v1/participants/{pid}/consents")
    else:
        r = consent(caller, pid, "given", days_ago(1))
    assert r.status_code == status, r.text
    if status == 403:
        assert r.json()["error"] == "Forbidden"
        assert written(api) == before


@pytest.mark.parametrize("who", ["mentor_b", "lead_b"])
def test_out_of_scope_consents_are_indistinguishable_from_missing(api: Api, who: str) -> None:
    pid = register(api.as_("mentor_a"), 35)
    caller = api.as_(who)
    before = written(api)
    body = {
        "purpose": "evaluation",
        "action": "given",
        "effective_on": days_ago(1),
        "form_reference": FORM,
    }
    for method, kw in [("GET", {}), ("POST", {"json": body})]:
        theirs = caller.request(method, f"/api/v1/participants/{pid}/consents", **kw)
        missing = caller.request(method, f"/api/v1/participants/{MISSING_ID}/consents", **kw)
        assert theirs.status_code == missing.status_code == 404, (method, theirs.text)
        assert theirs.json() == missing.json()
    assert written(api) == before


# --- the referrer sees status only while consent holds ------------------------------------------


def referred(api: Api, serial: int, **overrides: Any) -> tuple[int, int]:
    mentor = api.as_("mentor_a")
    pid = register(mentor, serial, **overrides)
    r = mentor.post(
        f"/api/v1/participants/{pid}/enrolments",
        json={
            "programme_code": "level_up",
            "referred_on": days_ago(40),
            "referrer_user_id": api.world.user("referrer_af"),
        },
    )
    assert r.status_code == 201, r.text
    return pid, int(r.json()["id"])


def referrer_sees(api: Api) -> set[int]:
    r = api.as_("referrer_af").get("/api/v1/me/referrals")
    assert r.status_code == 200, r.text
    return {item["enrolment_id"] for item in r.json()["items"]}


def repository_sees(api: Api, enrolment_id: int) -> bool:
    """The same rule through the scoped repository, which every referrer path goes through."""
    scope = Scope(ScopeKind.REFERRALS, None, api.world.user("referrer_af"))
    with api.database.unit_of_work(write=False) as uow:
        single = EnrolmentRepository(uow.session, scope).get(enrolment_id) is not None
        listed = any(
            e.id == enrolment_id
            for e, _ in referral_lines(uow.session, scope, after_id=None, limit=100)
        )
    assert single is listed
    return single


def test_the_referrer_sees_status_only_while_consent_holds(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid, eid = referred(api, 40)
    other_pid, other_eid = referred(api, 41)

    assert referrer_sees(api) == set()  # no consent recorded yet
    assert not repository_sees(api, eid)

    # Consent for another purpose does not open the referrer's view.
    assert consent(mentor, pid, "given", days_ago(20), "evaluation").status_code == 201
    assert referrer_sees(api) == set()

    assert consent(mentor, pid, "given", days_ago(20)).status_code == 201
    assert referrer_sees(api) == {eid}
    assert repository_sees(api, eid)
    assert not repository_sees(api, other_eid)

    # Withdrawal: the referrer stops seeing the enrolment at once.
    assert consent(mentor, pid, "withdrawn", days_ago(0)).status_code == 201
    assert referrer_sees(api) == set()
    assert not repository_sees(api, eid)

    # Given again: visible again; the other person is unaffected throughout.
    assert consent(mentor, pid, "given", days_ago(0)).status_code == 201
    assert consent(mentor, other_pid, "given", days_ago(3)).status_code == 201
    assert referrer_sees(api) == {eid, other_eid}


def test_a_withdrawal_dated_in_the_past_hides_the_status(api: Api) -> None:
    mentor = api.as_("mentor_a")
    pid, eid = referred(api, 42)
    assert consent(mentor, pid, "given", days_ago(30)).status_code == 201
    assert referrer_sees(api) == {eid}
    assert consent(mentor, pid, "withdrawn", days_ago(10)).status_code == 201
    assert referrer_sees(api) == set()


def test_consent_does_not_reveal_a_protected_person_to_the_referrer(api: Api) -> None:
    pid, _ = referred(api, 43, protected_identity=True)
    assert consent(api.as_("mentor_a"), pid, "given", days_ago(1)).status_code == 201
    assert referrer_sees(api) == set()


def test_the_sql_condition_agrees_with_the_domain_ledger_on_every_day(api: Api) -> None:
    """`consent_held_condition` (used by scope filters and other areas' queries) answers what
    `ConsentLedger.holds` answers, for each day around the entries, and `on=None` answers
    `is_held_now`; including same-day entries, where the later recorded one wins."""
    mentor = api.as_("mentor_a")
    pid = register(mentor, 44)
    for action, ago in [("given", 30), ("withdrawn", 20), ("given", 10), ("withdrawn", 10)]:
        assert consent(mentor, pid, action, days_ago(ago)).status_code == 201
    assert consent(mentor, pid, "given", days_ago(5), "evaluation").status_code == 201

    def sql_holds(purpose: ConsentPurpose, on: date | None) -> bool:
        with api.database.unit_of_work(write=False) as uow:
            found = uow.session.execute(
                select(ParticipantRow.id).where(
                    ParticipantRow.id == pid,
                    consent_held_condition(ParticipantRow.id, purpose, on),
                )
            ).scalar_one_or_none()
        return found is not None

    with api.database.unit_of_work(write=False) as uow:
        ledger = ConsentRepository(uow.session).ledger(pid)
    for purpose in (ConsentPurpose.REFERRER_INFORMATION_EXCHANGE, ConsentPurpose.EVALUATION):
        for ago in range(35, -1, -1):
            on = TODAY - timedelta(days=ago)
            assert sql_holds(purpose, on) is ledger.holds(purpose, on), (purpose, on)
        assert sql_holds(purpose, None) is ledger.is_held_now(purpose)
    assert sql_holds(ConsentPurpose.EVALUATION, None) is True
    assert sql_holds(ConsentPurpose.REFERRER_INFORMATION_EXCHANGE, None) is False
    assert sql_holds(ConsentPurpose.REFERRER_INFORMATION_EXCHANGE, TODAY - timedelta(25)) is True
