"""The contact log and activity hours through the HTTP API, on SQLite and PostgreSQL, with
real tokens: recording, reading newest first, hours per ISO week, who may do what, scope (404
exactly like a missing id), every refused input writing nothing, and the access log."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

import pytest
from conftest import Api, Caller, audit_entries, count, participant_body

from api.persistence.models import AuditEntryRow
from api.persistence.models.activities import ActivityRow
from api.persistence.repositories.activities import last_activity_on


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


def enrolment(api: Api, mentor: Caller, serial: int, *, referred: int = 200) -> tuple[int, str]:
    """A participant registered and referred `referred` days ago, started at Level 1."""
    r = mentor.post("/api/v1/participants", json=participant_body(serial))
    assert r.status_code == 201, r.text
    r = mentor.post(
        f"/api/v1/participants/{r.json()['id']}/enrolments",
        json={"programme_code": "level_up", "referred_on": day(api, referred)},
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = command(mentor, eid, "intake", r.headers["ETag"], effective_on=day(api, referred - 5))
    r = command(mentor, eid, "start", r.headers["ETag"], effective_on=day(api, referred - 10))
    return eid, r.headers["ETag"]


def exited(api: Api, mentor: Caller, serial: int, *, ended: int) -> int:
    eid, etag = enrolment(api, mentor, serial)
    command(
        mentor,
        eid,
        "exit",
        etag,
        effective_on=day(api, ended),
        exit_reason_code="completed",
        exit_status_code="studies",
    )
    return eid


def activity(api: Api, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "activity_type": "motivational_talk",
        "occurred_on": day(api, 3),
        "duration_minutes": 60,
    }
    body.update(overrides)
    return body


def participant_of(api: Api, caller: Caller, enrolment_id: int) -> int:
    return int(caller.get(f"/api/v1/enrolments/{enrolment_id}").json()["participant_id"])


# ---- the happy path --------------------------------------------------------------------------


def test_record_list_and_hours(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = enrolment(api, mentor, 1)
    pid = participant_of(api, mentor, eid)
    first = mentor.post(
        f"/api/v1/enrolments/{eid}/activities",
        json=activity(
            api,
            activity_type="praktik",
            occurred_on=day(api, 10),
            duration_minutes=480,
            provider="  Skara kommun, parkförvaltningen ",
            note="Första dagen gick bra.",
        ),
    )
    assert first.status_code == 201, first.text
    item = first.json()
    assert item["activity_type"] == "praktik"
    assert item["provider"] == "Skara kommun, parkförvaltningen"
    assert item["note"] == "Första dagen gick bra."
    assert item["recorded_by_user_id"] == api.world.user("mentor_a")
    assert item["recorded_at"]
    # The lead mentor records too (the whole municipality is in scope), the same day as another.
    lead = api.as_("lead_a")
    for body in (
        activity(api, occurred_on=day(api, 3), duration_minutes=45),
        activity(api, activity_type="health_activity", occurred_on=day(api, 3)),
        activity(api, activity_type="three_party_meeting", occurred_on=day(api, 190)),
    ):
        assert lead.post(f"/api/v1/enrolments/{eid}/activities", json=body).status_code == 201

    listed = mentor.get(f"/api/v1/enrolments/{eid}/activities")
    assert listed.status_code == 200, listed.text
    data = listed.json()
    assert data["enrolment_id"] == eid
    assert [(i["activity_type"], i["occurred_on"]) for i in data["items"]] == [
        ("health_activity", day(api, 3)),  # same day: the later recorded first
        ("motivational_talk", day(api, 3)),
        ("praktik", day(api, 10)),
        ("three_party_meeting", day(api, 190)),
    ]
    assert data["items"][2] == item

    # The unit manager may read but not record.
    assert api.as_("manager_a").get(f"/api/v1/enrolments/{eid}/activities").status_code == 200

    # The writes are in the access log, with codes and ids only.
    records = audit_entries(api, "activity.record")
    assert len(records) == 4
    entry, subjects = records[0]
    assert subjects == [pid]
    assert (entry.entity_type, entry.entity_id) == ("activity", item["id"])
    assert entry.detail == {"enrolment_id": eid, "activity_type": "praktik"}
    assert "gick bra" not in str(entry.detail)
    # And so are the reads.
    reads = audit_entries(api, "activity.list")
    assert [(e.actor_id, s) for e, s in reads] == [
        (api.world.user("mentor_a"), [pid]),
        (api.world.user("manager_a"), [pid]),
    ]


def test_hours_per_week(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = enrolment(api, mentor, 2)
    t = today(api)
    monday = t - timedelta(days=t.weekday())
    last_monday = monday - timedelta(weeks=1)
    # Last week: 5 × 4 h = 20 h (half-time); this week: 90 minutes.
    for d in range(5):
        body = activity(
            api, occurred_on=(last_monday + timedelta(days=d)).isoformat(), duration_minutes=240
        )
        assert mentor.post(f"/api/v1/enrolments/{eid}/activities", json=body).status_code == 201
    body = activity(api, occurred_on=t.isoformat(), duration_minutes=90)
    assert mentor.post(f"/api/v1/enrolments/{eid}/activities", json=body).status_code == 201

    r = mentor.get(f"/api/v1/enrolments/{eid}/activity-hours")
    assert r.status_code == 200, r.text
    data = r.json()
    assert data["enrolment_id"] == eid
    assert data["half_time_hours_per_week"] == 20
    weeks = data["weeks"]
    assert len(weeks) == 12  # the default: the last 12 weeks, this one included
    assert weeks[-1]["week_start"] == monday.isoformat()
    assert (weeks[-1]["hours"], weeks[-1]["meets_half_time"]) == (1.5, False)
    assert (weeks[-2]["hours"], weeks[-2]["meets_half_time"]) == (20.0, True)
    assert all(w["hours"] == 0 for w in weeks[:-2])
    iso = monday.isocalendar()
    assert (weeks[-1]["iso_year"], weeks[-1]["iso_week"]) == (iso.year, iso.week)

    # An explicit range: just last week.
    r = mentor.get(
        f"/api/v1/enrolments/{eid}/activity-hours",
        params={"from": last_monday.isoformat(), "to": (monday - timedelta(days=1)).isoformat()},
    )
    assert [(w["week_start"], w["hours"]) for w in r.json()["weeks"]] == [
        (last_monday.isoformat(), 20.0)
    ]
    # The hours are personal data: the read is logged.
    assert len(audit_entries(api, "activity.hours")) == 2


def test_last_activity_on_for_the_task_list(api: Api) -> None:
    mentor = api.as_("mentor_a")
    busy, _ = enrolment(api, mentor, 3)
    quiet, _ = enrolment(api, mentor, 4)
    for n in (40, 5, 12):
        body = activity(api, occurred_on=day(api, n))
        assert mentor.post(f"/api/v1/enrolments/{busy}/activities", json=body).status_code == 201
    with api.database.unit_of_work(write=False) as uow:
        latest = last_activity_on(uow.session.connection(), [busy, quiet, 999_999])
        assert last_activity_on(uow.session.connection(), []) == {}
    assert latest == {busy: today(api) - timedelta(days=5), quiet: None, 999_999: None}


# ---- who may, and scope ----------------------------------------------------------------------


@pytest.mark.parametrize("who", ["referrer_af", "analyst", "evaluator", "admin", "client"])
def test_roles_without_the_permission_get_403(api: Api, who: str) -> None:
    eid, _ = enrolment(api, api.as_("mentor_a"), 5)
    caller = api.as_(who)
    before = count(api, ActivityRow)
    for r in (
        caller.get(f"/api/v1/enrolments/{eid}/activities"),
        caller.get(f"/api/v1/enrolments/{eid}/activity-hours"),
        caller.post(f"/api/v1/enrolments/{eid}/activities", json=activity(api)),
    ):
        assert r.status_code == 403, r.text
        assert r.json()["error"] == "Forbidden"
    assert count(api, ActivityRow) == before


def test_the_unit_manager_cannot_record(api: Api) -> None:
    eid, _ = enrolment(api, api.as_("mentor_a"), 6)
    r = api.as_("manager_a").post(f"/api/v1/enrolments/{eid}/activities", json=activity(api))
    assert r.status_code == 403
    assert count(api, ActivityRow) == 0


@pytest.mark.parametrize("who", ["mentor_b", "lead_b", "mentor_a2"])
def test_out_of_scope_is_404_like_a_missing_id(api: Api, who: str) -> None:
    """Another municipality's staff, and a mentor of the same municipality whose caseload the
    person is not in, get exactly the answer a missing id gives."""
    eid, _ = enrolment(api, api.as_("mentor_a"), 7)
    caller = api.as_(who)
    missing = 2_000_000_000
    audit_before = count(api, AuditEntryRow)
    for method, suffix, body in (
        ("GET", "activities", None),
        ("GET", "activity-hours", None),
        ("POST", "activities", activity(api)),
    ):
        theirs = caller.request(method, f"/api/v1/enrolments/{eid}/{suffix}", json=body)
        nobody = caller.request(method, f"/api/v1/enrolments/{missing}/{suffix}", json=body)
        assert theirs.status_code == 404, theirs.text
        assert theirs.json() == nobody.json()
    assert count(api, ActivityRow) == 0
    assert count(api, AuditEntryRow) == audit_before


# ---- refused input writes nothing ------------------------------------------------------------


BAD_ACTIVITIES: list[tuple[str, dict[str, Any], str]] = [
    ("unknown-type", {"activity_type": "karaoke"}, "UnknownCode"),
    ("duration-0", {"duration_minutes": 0}, "ValidationError"),
    ("duration-721", {"duration_minutes": 721}, "ValidationError"),
    ("future-date", {"occurred_on": "+1"}, "InvalidEffectiveDate"),
    ("before-referral", {"occurred_on": "-201"}, "InvalidEffectiveDate"),
    ("unknown-field", {"participant_id": 1}, "ValidationError"),
    ("provider-too-long", {"provider": "x" * 201}, "ValidationError"),
    ("note-too-long", {"note": "x" * 1001}, "ValidationError"),
    ("control-characters", {"note": "hej\x00då"}, "ValidationError"),
    ("missing-type", {"activity_type": None}, "ValidationError"),
    ("impossible-date", {"occurred_on": "2026-02-30"}, "ValidationError"),
]


@pytest.mark.parametrize(
    ("overrides", "error"),
    [(o, e) for _, o, e in BAD_ACTIVITIES],
    ids=[name for name, _, _ in BAD_ACTIVITIES],
)
def test_bad_activities_are_refused_and_nothing_is_written(
    api: Api, overrides: dict[str, Any], error: str
) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = enrolment(api, mentor, 8)
    body = activity(api)
    for key, value in overrides.items():
        if key == "occurred_on" and isinstance(value, str) and value[0] in "+-":
            value = (today(api) + timedelta(days=int(value))).isoformat()
        if value is None:
            body.pop(key)
        else:
            body[key] = value
    before = (count(api, ActivityRow), count(api, AuditEntryRow))
    r = mentor.post(f"/api/v1/enrolments/{eid}/activities", json=body)
    assert r.status_code == 422, r.text
    payload = r.json()
    assert payload["error"] == error
    assert payload["detail"] and payload["fields"]
    assert (count(api, ActivityRow), count(api, AuditEntryRow)) == before


def test_nothing_after_the_exit(api: Api) -> None:
    mentor = api.as_("mentor_a")
    eid = exited(api, mentor, 9, ended=10)
    before = (count(api, ActivityRow), count(api, AuditEntryRow))
    r = mentor.post(
        f"/api/v1/enrolments/{eid}/activities", json=activity(api, occurred_on=day(api, 9))
    )
    assert r.status_code == 422, r.text
    assert r.json()["error"] == "InvalidEffectiveDate"
    assert r.json()["fields"] == {"occurred_on": "efter avslut"}
    assert (count(api, ActivityRow), count(api, AuditEntryRow)) == before
    # Registered afterwards, but dated on or before the exit: that is history, and allowed.
    r = mentor.post(
        f"/api/v1/enrolments/{eid}/activities", json=activity(api, occurred_on=day(api, 10))
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-03-10", "to": "2026-03-09"}, "to"),
        ({"from": "2024-01-01", "to": "2026-01-01"}, "to"),  # more than 104 weeks
        ({"from": "2026-13-01"}, "query.from"),
        ({"to": "0001-01-01"}, "from"),  # the default 12 weeks would start before year 1
    ],
    ids=["to-before-from", "over-104-weeks", "not-a-date", "off-the-calendar"],
)
def test_bad_hour_ranges_are_422(api: Api, params: dict[str, str], field: str) -> None:
    mentor = api.as_("mentor_a")
    eid, _ = enrolment(api, mentor, 10)
    before = count(api, AuditEntryRow)
    r = mentor.get(f"/api/v1/enrolments/{eid}/activity-hours", params=params)
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"]
    assert count(api, AuditEntryRow) == before  # nothing was read, so nothing is logged
