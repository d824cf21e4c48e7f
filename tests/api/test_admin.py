"""Administration through the real app: admin-only access, organisation and account rules,
mass assignment, optimistic concurrency, integration clients and their one-time secret."""

from __future__ import annotations

import json
from typing import Any

import pytest
from conftest import PASSWORD, Api
from sqlalchemy import func, select

from api.persistence.models import AuditEntryRow, IntegrationClientRow, OrganisationRow, UserRow

ADMIN = "/api/v1/admin"
NEW_PASSWORD = "a brand new password 42"


def count(api: Api, model: Any) -> int:
    with api.database.unit_of_work(write=False) as uow:
        return int(uow.session.execute(select(func.count()).select_from(model)).scalar_one())


def audit_rows(api: Api, action: str) -> list[AuditEntryRow]:
    with api.database.unit_of_work(write=False) as uow:
        return list(
            uow.session.execute(
                select(AuditEntryRow).where(AuditEntryRow.action == action)
            ).scalars()
        )


def login(api: Api, username: str, password: str) -> int:
    return int(
        api.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "password", "username": username, "password": password},
        ).status_code
    )


def mentor_body(api: Api, **overrides: Any) -> dict[str, Any]:
    body = {
        "username": "new.mentor",
        "display_name": "Ny Mentor",
        "password": NEW_PASSWORD,
        "role": "mentor",
        "municipality_id": api.world.municipality_a,
    }
    body.update(overrides)
    return body


# ---- access --------------------------------------------------------------------------------------


def admin_requests(api: Api) -> list[tuple[str, str, dict[str, Any] | None]]:
    w = api.world
    return [
        ("GET", f"{ADMIN}/organisations", None),
        ("POST", f"{ADMIN}/organisations", {"kind": "association", "name": "X"}),
        ("GET", f"{ADMIN}/organisations/{w.municipality_a}", None),
        ("GET", f"{ADMIN}/users", None),
        ("POST", f"{ADMIN}/users", mentor_body(api)),
        ("GET", f"{ADMIN}/users/{w.user('mentor_a')}", None),
        ("PATCH", f"{ADMIN}/users/{w.user('mentor_a')}", {"display_name": "X"}),
        ("GET", f"{ADMIN}/integration-clients", None),
        (
            "POST",
            f"{ADMIN}/integration-clients",
            {"name": "X", "municipality_id": w.municipality_a, "permissions": ["participant:read"]},
        ),
        ("PATCH", f"{ADMIN}/integration-clients/{w.client_pk}", {"is_active": False}),
    ]


@pytest.mark.parametrize(
    "role", ["mentor_a", "lead_a", "manager_a", "referrer_af", "analyst", "evaluator", "client"]
)
def test_admin_endpoints_are_403_for_everyone_but_admins(api: Api, role: str) -> None:
    caller = api.as_(role)
    before = (count(api, OrganisationRow), count(api, UserRow), count(api, IntegrationClientRow))
    for method, url, body in admin_requests(api):
        r = caller.request(method, url, json=body, headers={"If-Match": '"1"'})
        assert r.status_code == 403, (method, url, r.text)
        assert r.json()["error"] == "Forbidden"
    after = (count(api, OrganisationRow), count(api, UserRow), count(api, IntegrationClientRow))
    assert after == before


def test_admin_endpoints_are_401_without_a_token(api: Api) -> None:
    for method, url, body in admin_requests(api):
        assert api.anonymous.request(method, url, json=body).status_code == 401, url


def test_admin_reads_succeed(api: Api) -> None:
    admin = api.as_("admin")
    for method, url, _ in admin_requests(api):
        if method == "GET":
            assert admin.get(url).status_code == 200, url


# ---- organisations -------------------------------------------------------------------------------


def test_create_and_read_organisations(api: Api) -> None:
    admin = api.as_("admin")
    r = admin.post(
        f"{ADMIN}/organisations",
        json={
            "kind": "municipality",
            "name": "Götene",
            "parent_id": api.world.association_id,
            "municipality_code": "1471",
        },
    )
    assert r.status_code == 201, r.text
    municipality = r.json()
    assert municipality["kind"] == "municipality"
    assert municipality["municipality_code"] == "1471"

    r = admin.post(
        f"{ADMIN}/organisations",
        json={"kind": "unit", "name": "Jobbcentrum Götene", "parent_id": municipality["id"]},
    )
    assert r.status_code == 201, r.text
    r = admin.post(
        f"{ADMIN}/organisations",
        json={"kind": "referrer", "name": "Vuxenpsykiatrin", "referrer_type": "vuxenpsykiatri"},
    )
    assert r.status_code == 201, r.text

    assert admin.get(f"{ADMIN}/organisations/{municipality['id']}").json() == municipality
    units = admin.get(f"{ADMIN}/organisations", params={"kind": "unit"}).json()
    assert {u["kind"] for u in units} == {"unit"}
    assert len(units) == 2
    assert admin.get(f"{ADMIN}/organisations/999999").status_code == 404
    assert len(audit_rows(api, "organisation.create")) == 3


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"kind": "unit", "name": "U"}, "parent_id"),
        ({"kind": "unit", "name": "U", "parent_id": "association"}, "parent_id"),
        ({"kind": "unit", "name": "U", "parent_id": 999999}, "parent_id"),
        ({"kind": "referrer", "name": "R"}, "referrer_type"),
        ({"kind": "referrer", "name": "R", "referrer_type": "no_such_type"}, "referrer_type"),
        ({"kind": "unit", "name": "U", "parent_id": "a", "referrer_type": "af"}, "referrer_type"),
        ({"kind": "municipality", "name": "M"}, "municipality_code"),
        (
            {"kind": "municipality", "name": "M", "municipality_code": "149"},
            "body.municipality_code",
        ),
        ({"kind": "association", "name": "A", "municipality_code": "1234"}, "municipality_code"),
        ({"kind": "county", "name": "C"}, "body.kind"),
    ],
)
def test_organisation_rules_are_422(api: Api, body: dict[str, Any], field: str) -> None:
    ids = {"association": api.world.association_id, "a": api.world.municipality_a}
    if isinstance(body.get("parent_id"), str):
        body = {**body, "parent_id": ids[body["parent_id"]]}
    before = count(api, OrganisationRow)
    r = api.as_("admin").post(f"{ADMIN}/organisations", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"]
    assert count(api, OrganisationRow) == before


def test_duplicate_municipality_code_is_409(api: Api) -> None:
    r = api.as_("admin").post(
        f"{ADMIN}/organisations",
        json={"kind": "municipality", "name": "Skara igen", "municipality_code": "1495"},
    )
    assert r.status_code == 409


# ---- users ---------------------------------------------------------------------------------------


def test_create_user_and_log_in(api: Api) -> None:
    r = api.as_("admin").post(f"{ADMIN}/users", json=mentor_body(api))
    assert r.status_code == 201, r.text
    user = r.json()
    assert set(user) == {
        "id",
        "username",
        "display_name",
        "role",
        "municipality_id",
        "organisation_id",
        "is_active",
        "created_at",
        "updated_at",
        "version",
    }
    assert r.headers["ETag"] == f'"{user["version"]}"'
    assert user["municipality_id"] == user["organisation_id"] == api.world.municipality_a
    assert login(api, "new.mentor", NEW_PASSWORD) == 200

    [entry] = audit_rows(api, "user.create")
    assert entry.entity_id == user["id"]
    assert entry.actor_id == api.world.user("admin")
    assert NEW_PASSWORD not in json.dumps(entry.detail)


def test_create_users_of_each_kind(api: Api) -> None:
    w, admin = api.world, api.as_("admin")
    bodies = [
        mentor_body(api, username="unit.mentor", organisation_id=w.unit_a),
        mentor_body(
            api,
            username="referrer.x",
            role="referrer",
            municipality_id=None,
            organisation_id=w.referrer_org_fk,
        ),
        mentor_body(
            api,
            username="analyst.x",
            role="association_analyst",
            municipality_id=None,
            organisation_id=w.association_id,
        ),
        mentor_body(api, username="admin.x", role="admin", municipality_id=None),
    ]
    for body in bodies:
        r = admin.post(f"{ADMIN}/users", json=body)
        assert r.status_code == 201, (body["username"], r.text)


def test_user_response_never_holds_the_password_hash(api: Api) -> None:
    admin = api.as_("admin")
    listed = admin.get(f"{ADMIN}/users").text
    single = admin.get(f"{ADMIN}/users/{api.world.user('mentor_a')}").text
    assert "argon2" not in listed + single
    assert "password" not in listed + single


@pytest.mark.parametrize(
    "extra",
    [
        {"id": 4242},
        {"created_at": "2020-01-01T00:00:00Z"},
        {"version": 7},
        {"is_active": False},
        {"password_hash": "x"},
    ],
)
def test_mass_assignment_on_create_user_is_422_and_creates_nothing(
    api: Api, extra: dict[str, Any]
) -> None:
    before = count(api, UserRow)
    r = api.as_("admin").post(f"{ADMIN}/users", json=mentor_body(api, **extra))
    assert r.status_code == 422, r.text
    assert next(iter(extra)) in next(iter(r.json()["fields"]))
    assert count(api, UserRow) == before
    assert login(api, "new.mentor", NEW_PASSWORD) == 401


def test_duplicate_username_is_409(api: Api) -> None:
    before = count(api, UserRow)
    r = api.as_("admin").post(f"{ADMIN}/users", json=mentor_body(api, username="mentor.a"))
    assert r.status_code == 409
    assert r.json()["fields"] == {"username": "finns redan"}
    assert count(api, UserRow) == before


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"username": "Ab"}, "body.username"),
        ({"username": "Anna.Andersson"}, "body.username"),
        ({"username": "anna andersson"}, "body.username"),
        ({"password": "too short"}, "body.password"),
        ({"password": "x" * 1025}, "body.password"),
        ({"role": "integration_client"}, "body.role"),
        ({"role": "superuser"}, "body.role"),
        ({"municipality_id": None}, "municipality_id"),
        ({"municipality_id": "association"}, "municipality_id"),
        ({"organisation_id": "unit_other"}, "organisation_id"),
        ({"role": "referrer", "municipality_id": None}, "organisation_id"),
        (
            {"role": "referrer", "municipality_id": None, "organisation_id": "association"},
            "organisation_id",
        ),
        ({"role": "referrer", "organisation_id": "referrer"}, "municipality_id"),
        ({"role": "evaluator", "municipality_id": None, "organisation_id": "a"}, "organisation_id"),
    ],
)
def test_user_rules_are_422(api: Api, overrides: dict[str, Any], field: str) -> None:
    w, admin = api.world, api.as_("admin")
    other_unit = admin.post(
        f"{ADMIN}/organisations",
        json={"kind": "unit", "name": "Vara enhet", "parent_id": w.municipality_b},
    ).json()["id"]
    ids = {
        "association": w.association_id,
        "a": w.municipality_a,
        "unit_other": other_unit,
        "referrer": w.referrer_org_af,
    }
    body = mentor_body(
        api,
        **{
            k: ids.get(v, v) if isinstance(v, str) and k.endswith("_id") else v
            for k, v in overrides.items()
        },
    )
    before = count(api, UserRow)
    r = admin.post(f"{ADMIN}/users", json=body)
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"], r.json()
    assert "x" * 100 not in r.text
    assert count(api, UserRow) == before


def test_list_users_filters(api: Api) -> None:
    admin = api.as_("admin")
    mentors = admin.get(f"{ADMIN}/users", params={"role": "mentor"}).json()
    assert {u["role"] for u in mentors} == {"mentor"}
    assert len(mentors) == 4
    in_b = admin.get(f"{ADMIN}/users", params={"municipality_id": api.world.municipality_b})
    assert {u["username"] for u in in_b.json()} == {"mentor.b", "lead.b"}
    assert admin.get(f"{ADMIN}/users", params={"role": "nope"}).status_code == 422
    assert admin.get(f"{ADMIN}/users/999999").status_code == 404


# ---- PATCH with If-Match -------------------------------------------------------------------------


def test_patch_user_needs_a_current_if_match(api: Api) -> None:
    admin = api.as_("admin")
    url = f"{ADMIN}/users/{api.world.user('mentor_a')}"
    etag = admin.get(url).headers["ETag"]

    r = admin.patch(url, json={"display_name": "Ändrad"})
    assert r.status_code == 428
    assert r.json()["error"] == "PreconditionRequired"

    r = admin.patch(url, json={"display_name": "Ändrad"}, headers={"If-Match": etag})
    assert r.status_code == 200, r.text
    assert r.json()["display_name"] == "Ändrad"
    new_etag = r.headers["ETag"]
    assert new_etag != etag

    r = admin.patch(url, json={"display_name": "Igen"}, headers={"If-Match": etag})
    assert r.status_code == 412
    assert admin.get(url).json()["display_name"] == "Ändrad"
    assert (
        admin.patch(url, json={"display_name": "X"}, headers={"If-Match": "garbage"}).status_code
        == 412
    )
    assert [e.detail for e in audit_rows(api, "user.update")] == [{"fields": ["display_name"]}]


def test_patch_password_lets_the_user_log_in_with_it_and_is_not_audited_in_clear(
    api: Api,
) -> None:
    admin = api.as_("admin")
    url = f"{ADMIN}/users/{api.world.user('mentor_a')}"
    refresh_before = api.client.post(
        "/api/v1/auth/token",
        data={"grant_type": "password", "username": "mentor.a", "password": PASSWORD},
    ).json()
    r = admin.patch(
        url, json={"password": NEW_PASSWORD}, headers={"If-Match": admin.get(url).headers["ETag"]}
    )
    assert r.status_code == 200, r.text
    assert login(api, "mentor.a", PASSWORD) == 401
    assert login(api, "mentor.a", NEW_PASSWORD) == 200
    # A new password ends the sessions started with the old one.
    assert (
        api.client.post(
            "/api/v1/auth/token",
            data={"grant_type": "refresh_token", "refresh_token": refresh_before["refresh_token"]},
        ).status_code
        == 401
    )
    [entry] = audit_rows(api, "user.update")
    assert entry.detail == {"fields": ["password"]}


@pytest.mark.parametrize(
    "extra",
    [{"role": "admin"}, {"username": "x.y.z"}, {"version": 9}, {"municipality_id": 1}, {"id": 3}],
)
def test_patch_user_mass_assignment_is_422(api: Api, extra: dict[str, Any]) -> None:
    admin = api.as_("admin")
    url = f"{ADMIN}/users/{api.world.user('mentor_a')}"
    before = admin.get(url)
    r = admin.patch(
        url, json={"display_name": "X", **extra}, headers={"If-Match": before.headers["ETag"]}
    )
    assert r.status_code == 422
    assert admin.get(url).json() == before.json()


def test_admin_cannot_disable_themselves(api: Api) -> None:
    admin = api.as_("admin")
    url = f"{ADMIN}/users/{api.world.user('admin')}"
    r = admin.patch(
        url, json={"is_active": False}, headers={"If-Match": admin.get(url).headers["ETag"]}
    )
    assert r.status_code == 409


# ---- integration clients -------------------------------------------------------------------------


def test_create_integration_client_shows_the_secret_once(api: Api) -> None:
    admin = api.as_("admin")
    r = admin.post(
        f"{ADMIN}/integration-clients",
        json={
            "name": "Treserva Götene",
            "municipality_id": api.world.municipality_b,
            "permissions": ["participant:read", "enrolment:read", "participant:read"],
        },
    )
    assert r.status_code == 201, r.text
    created = r.json()
    assert r.headers["Cache-Control"] == "no-store"
    assert created["client_id"].startswith("lu_")
    assert len(created["client_secret"]) >= 40
    assert created["permissions"] == ["enrolment:read", "participant:read"]

    token = api.client.post(
        "/api/v1/auth/token",
        data={
            "grant_type": "client_credentials",
            "client_id": created["client_id"],
            "client_secret": created["client_secret"],
        },
    )
    assert token.status_code == 200, token.text

    listed = admin.get(f"{ADMIN}/integration-clients")
    assert created["client_secret"] not in listed.text
    assert "argon2" not in listed.text
    assert {c["client_id"] for c in listed.json()} == {api.world.client_id, created["client_id"]}
    with api.database.unit_of_work(write=False) as uow:
        stored = uow.session.execute(
            select(IntegrationClientRow).where(
                IntegrationClientRow.client_id == created["client_id"]
            )
        ).scalar_one()
    assert stored.secret_hash.startswith("$argon2id$")
    [entry] = audit_rows(api, "integration_client.create")
    assert created["client_secret"] not in json.dumps(entry.detail)


@pytest.mark.parametrize(
    ("permissions", "field"),
    [
        (["participant:read", "user:admin"], "permissions"),
        (["participant:reveal_personnummer"], "permissions"),
        (["code_list:publish"], "permissions"),
        (["everything"], "body.permissions.0"),
        ([], "body.permissions"),
    ],
)
def test_integration_client_permissions_must_be_grantable(
    api: Api, permissions: list[str], field: str
) -> None:
    before = count(api, IntegrationClientRow)
    r = api.as_("admin").post(
        f"{ADMIN}/integration-clients",
        json={"name": "X", "municipality_id": api.world.municipality_a, "permissions": permissions},
    )
    assert r.status_code == 422, r.text
    assert field in r.json()["fields"]
    assert count(api, IntegrationClientRow) == before


def test_integration_client_needs_a_municipality(api: Api) -> None:
    r = api.as_("admin").post(
        f"{ADMIN}/integration-clients",
        json={
            "name": "X",
            "municipality_id": api.world.association_id,
            "permissions": ["participant:read"],
        },
    )
    assert r.status_code == 422
    assert "municipality_id" in r.json()["fields"]


def test_disable_integration_client_stops_its_tokens(api: Api) -> None:
    client_token = api.token("client")
    assert (
        api.client.get(
            "/api/v1/code-lists", headers={"Authorization": f"Bearer {client_token}"}
        ).status_code
        == 200
    )
    admin = api.as_("admin")
    r = admin.patch(f"{ADMIN}/integration-clients/{api.world.client_pk}", json={"is_active": False})
    assert r.status_code == 200
    assert r.json()["is_active"] is False
    assert (
        api.client.get(
            "/api/v1/code-lists", headers={"Authorization": f"Bearer {client_token}"}
        ).status_code
        == 401
    )
    assert (
        admin.patch(f"{ADMIN}/integration-clients/999999", json={"is_active": False}).status_code
        == 404
    )
    assert (
        admin.patch(
            f"{ADMIN}/integration-clients/{api.world.client_pk}",
            json={"is_active": True, "permissions": "user:admin"},
        ).status_code
        == 422
    )


def test_patch_without_changes_keeps_the_version(api: Api) -> None:
    admin = api.as_("admin")
    url = f"{ADMIN}/users/{api.world.user('mentor_a')}"
    before = admin.get(url)
    r = admin.patch(
        url,
        json={"display_name": before.json()["display_name"]},
        headers={"If-Match": before.headers["ETag"]},
    )
    assert r.status_code == 200, r.text
    assert r.headers["ETag"] == before.headers["ETag"]
    assert audit_rows(api, "user.update") == []
    r = admin.patch(f"{ADMIN}/integration-clients/{api.world.client_pk}", json={"is_active": True})
    assert (r.status_code, r.json()["is_active"]) == (200, True)
    assert audit_rows(api, "integration_client.update") == []
