"""Code lists and programmes through the real app: reading, versioned publishing, validation."""

from __future__ import annotations

from typing import Any

import pytest
from conftest import Api
from sqlalchemy import func, select

from api.persistence.models import AuditEntryRow, CodeListVersionRow
from domain.codelists import CodeListName

LISTS = "/api/v1/code-lists"


def versions(api: Api) -> int:
    with api.database.unit_of_work(write=False) as uow:
        return int(
            uow.session.execute(select(func.count()).select_from(CodeListVersionRow)).scalar_one()
        )


def entry(code: str, **overrides: Any) -> dict[str, Any]:
    body = {"code": code, "label_sv": f"Kod {code}", "label_en": f"Code {code}", "sort_order": 10}
    body.update(overrides)
    return body


@pytest.mark.parametrize("role", ["mentor_a", "referrer_af", "evaluator", "admin", "client"])
def test_every_role_reads_the_current_lists(api: Api, role: str) -> None:
    r = api.as_(role).get(LISTS)
    assert r.status_code == 200, r.text
    lists = {cl["name"]: cl for cl in r.json()}
    assert set(lists) == {name.value for name in CodeListName}
    assert all(cl["version"] == 1 for cl in lists.values())
    exit_reason = {e["code"]: e for e in lists["exit_reason"]["entries"]}
    assert exit_reason["registered_in_error"]["excluded_from_statistics"] is True
    assert exit_reason["regular_operations"]["continues_in_regular_operations"] is True
    assert set(exit_reason["completed"]) == {
        "code",
        "label_sv",
        "label_en",
        "sort_order",
        "valid_from",
        "valid_to",
        "outcome_group",
        "continues_in_regular_operations",
        "excluded_from_statistics",
    }
    statuses = lists["exit_status"]["entries"]
    assert all(e["outcome_group"] for e in statuses)
    assert [e["sort_order"] for e in statuses] == sorted(e["sort_order"] for e in statuses)


def test_reading_needs_a_token(api: Api) -> None:
    assert api.anonymous.get(LISTS).status_code == 401
    assert api.anonymous.get("/api/v1/programmes").status_code == 401


def test_get_one_list_and_versions(api: Api) -> None:
    mentor = api.as_("mentor_a")
    r = mentor.get(f"{LISTS}/benefit")
    assert r.status_code == 200
    assert r.json()["name"] == "benefit"
    assert mentor.get(f"{LISTS}/benefit", params={"version": 1}).json() == r.json()
    r = mentor.get(f"{LISTS}/benefit", params={"version": 2})
    assert r.status_code == 404
    assert r.json()["error"] == "NotFound"
    assert mentor.get(f"{LISTS}/no_such_list").status_code == 422
    assert mentor.get(f"{LISTS}/benefit", params={"version": 0}).status_code == 422


def test_publish_creates_a_new_version_and_keeps_the_old(api: Api) -> None:
    admin = api.as_("admin")
    body = {
        "label": "Finsam 2027",
        "entries": [
            entry("fk", label_sv="Försäkringskassan"),
            entry("af", sort_order=20),
            entry("kriminalvarden", sort_order=30, valid_from="2027-01-01"),
        ],
    }
    r = admin.post(f"{LISTS}/referrer_type/versions", json=body)
    assert r.status_code == 201, r.text
    published = r.json()
    assert (published["name"], published["version"], published["label"]) == (
        "referrer_type",
        2,
        "Finsam 2027",
    )

    current = api.as_("mentor_a").get(f"{LISTS}/referrer_type").json()
    assert current == published
    assert [e["code"] for e in current["entries"]] == ["fk", "af", "kriminalvarden"]
    assert current["entries"][2]["valid_from"] == "2027-01-01"
    old = api.as_("mentor_a").get(f"{LISTS}/referrer_type", params={"version": 1}).json()
    assert len(old["entries"]) == 6

    with api.database.unit_of_work(write=False) as uow:
        [audit] = (
            uow.session.execute(
                select(AuditEntryRow).where(AuditEntryRow.action == "code_list.publish")
            )
            .scalars()
            .all()
        )
    assert audit.detail == {"list": "referrer_type", "version": 2}
    assert audit.actor_id == api.world.user("admin")


def test_exit_status_publish_carries_outcome_groups(api: Api) -> None:
    body = {
        "label": "Ny",
        "entries": [
            entry("work", outcome_group="work"),
            entry("other", outcome_group="other", excluded_from_statistics=True),
        ],
    }
    r = api.as_("admin").post(f"{LISTS}/exit_status/versions", json=body)
    assert r.status_code == 201, r.text
    assert [e["outcome_group"] for e in r.json()["entries"]] == ["work", "other"]


@pytest.mark.parametrize(
    ("list_name", "entries", "field"),
    [
        ("benefit", [entry("a"), entry("a")], "entries"),
        ("benefit", [entry("a", valid_from="2027-02-01", valid_to="2027-01-01")], "entries"),
        ("exit_status", [entry("work")], "entries"),
        ("benefit", [entry("a", outcome_group="work")], "entries"),
        ("benefit", [entry("a", excluded_from_statistics=True)], "entries"),
        ("benefit", [], "body.entries"),
        ("benefit", [entry(f"c{i}") for i in range(201)], "body.entries"),
        ("benefit", [entry("a b")], "body.entries.0.code"),
        ("benefit", [entry("a", label_sv="")], "body.entries.0.label_sv"),
        ("benefit", [entry("a", id=5)], "body.entries.0.id"),
    ],
)
def test_invalid_versions_are_422_and_publish_nothing(
    api: Api, list_name: str, entries: list[dict[str, Any]], field: str
) -> None:
    before = versions(api)
    r = api.as_("admin").post(
        f"{LISTS}/{list_name}/versions", json={"label": "Trasig", "entries": entries}
    )
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"], r.json()
    assert versions(api) == before
    assert api.as_("admin").get(f"{LISTS}/{list_name}").json()["version"] == 1


def test_duplicate_codes_name_the_duplicates(api: Api) -> None:
    r = api.as_("admin").post(
        f"{LISTS}/benefit/versions", json={"label": "x", "entries": [entry("a"), entry("a")]}
    )
    assert r.json()["error"] == "InvalidInput"
    assert "a" in r.json()["detail"]


@pytest.mark.parametrize("role", ["mentor_a", "lead_a", "manager_a", "analyst", "client"])
def test_only_admins_publish(api: Api, role: str) -> None:
    r = api.as_(role).post(
        f"{LISTS}/benefit/versions", json={"label": "x", "entries": [entry("a")]}
    )
    assert r.status_code == 403
    assert versions(api) == len(CodeListName)


def test_programmes(api: Api) -> None:
    r = api.as_("evaluator").get("/api/v1/programmes")
    assert r.status_code == 200, r.text
    programmes = {p["code"]: p for p in r.json()}
    assert set(programmes) == {"level_up", "level_upgrade"}
    level_up = programmes["level_up"]
    assert (level_up["min_age"], level_up["max_age"], level_up["support_period_months"]) == (
        16,
        29,
        3,
    )
    assert [s["number"] for s in level_up["steps"]] == [1, 2, 3, 4]
    assert [s["requires_outcome"] for s in level_up["steps"]] == [False, False, False, True]
    assert level_up["steps"][0]["code"] == "relationship"
    assert level_up["goals"] == {
        "goal_reached_share": 0.5,
        "reached_preparation_share": 0.25,
        "preparation_step": 3,
        "target_participants": 210,
        "target_women": 126,
        "target_men": 84,
    }
    assert programmes["level_upgrade"]["goals"]["goal_reached_share"] is None
