"""Token endpoint and logout through the real app: password, refresh rotation with reuse
detection, client credentials, throttling, uniform failures; plus the unauthenticated probes."""

from __future__ import annotations

import io
import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from conftest import CLIENT_SECRET, PASSWORD, Api, build_api, make_settings
from fastapi.testclient import TestClient
from sqlalchemy import select

from api.app import create_app
from api.logging_setup import JsonFormatter
from api.persistence.models import RefreshTokenRow, UserRow
from api.persistence.uow import Database

TOKEN_URL = "/api/v1/auth/token"
LOGOUT_URL = "/api/v1/auth/logout"
PROTECTED_URL = "/api/v1/code-lists"
INVALID_CREDENTIALS = {
    "error": "InvalidCredentials",
    "detail": "Fel användarnamn eller lösenord.",
    "fields": {},
}


def login(api: Api, username: str, password: str = PASSWORD) -> Any:
    return api.client.post(
        TOKEN_URL, data={"grant_type": "password", "username": username, "password": password}
    )


def refresh(api: Api, token: str) -> Any:
    return api.client.post(TOKEN_URL, data={"grant_type": "refresh_token", "refresh_token": token})


def client_login(api: Api, client_id: str, secret: str = CLIENT_SECRET) -> Any:
    return api.client.post(
        TOKEN_URL,
        data={"grant_type": "client_credentials", "client_id": client_id, "client_secret": secret},
    )


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def tokens_for(api: Api, username: str) -> dict[str, Any]:
    r = login(api, username)
    assert r.status_code == 200, r.text
    return r.json()


# ---- password grant --------------------------------------------------------------------------


def test_password_grant_issues_working_tokens(api: Api) -> None:
    r = login(api, "mentor.a")
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "refresh_token", "role"}
    assert body["token_type"] == "bearer"
    assert body["role"] == "mentor"
    assert body["expires_in"] == 15 * 60
    assert r.headers["Cache-Control"] == "no-store"
    assert api.client.get(PROTECTED_URL, headers=bearer(body["access_token"])).status_code == 200
    with api.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(RefreshTokenRow)).scalars().all()
    assert [(row.user_id, row.used_at, row.revoked_at) for row in rows] == [
        (api.world.user("mentor_a"), None, None)
    ]


def test_unknown_user_wrong_password_and_disabled_user_answer_identically(api: Api) -> None:
    answers = [
        login(api, "nobody.here"),
        login(api, "mentor.a", "wrong password, long enough"),
        login(api, "disabled.mentor.a"),
    ]
    assert [r.status_code for r in answers] == [401, 401, 401]
    assert [r.json() for r in answers] == [INVALID_CREDENTIALS] * 3
    # Nothing distinguishes them in the headers either.
    assert (
        len({tuple(sorted((k, v) for k, v in r.headers.items() if k != "date")) for r in answers})
        == 1
    )


def test_disabling_a_user_ends_their_access_token_and_login(api: Api) -> None:
    tokens = tokens_for(api, "mentor.a")
    assert api.client.get(PROTECTED_URL, headers=bearer(tokens["access_token"])).status_code == 200
    admin = api.as_("admin")
    user_url = f"/api/v1/admin/users/{api.world.user('mentor_a')}"
    etag = admin.get(user_url).headers["ETag"]
    r = admin.patch(user_url, json={"is_active": False}, headers={"If-Match": etag})
    assert r.status_code == 200, r.text

    assert api.client.get(PROTECTED_URL, headers=bearer(tokens["access_token"])).status_code == 401
    assert refresh(api, tokens["refresh_token"]).status_code == 401
    r = login(api, "mentor.a")
    assert (r.status_code, r.json()) == (401, INVALID_CREDENTIALS)


def test_password_is_not_stripped_or_case_folded(api: Api) -> None:
    assert login(api, "mentor.a", f" {PASSWORD}").status_code == 401
    assert login(api, "mentor.a", PASSWORD.upper()).status_code == 401
    assert login(api, "mentor.a", PASSWORD).status_code == 200


def test_outdated_hash_is_upgraded_without_changing_the_etag(api: Api) -> None:
    weak = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash(PASSWORD)
    user_id = api.world.user("mentor_a")
    with api.database.unit_of_work(write=True) as uow:
        row = uow.session.get(UserRow, user_id)
        assert row is not None
        row.password_hash = weak
        uow.commit()
        version = row.version

    assert login(api, "mentor.a").status_code == 200
    with api.database.unit_of_work(write=False) as uow:
        row = uow.session.get(UserRow, user_id)
        assert row is not None
        assert row.password_hash != weak
        assert "m=19456,t=2,p=1" in row.password_hash
        assert row.version == version
    assert login(api, "mentor.a").status_code == 200


# ---- throttling --------------------------------------------------------------------------------


@pytest.fixture
def strict_api(database: Database, world: Any) -> Iterator[Api]:
    yield from build_api(database, world, login_failures_per_account=3)


def test_repeated_failures_are_throttled_with_retry_after(strict_api: Api) -> None:
    for _ in range(3):
        assert login(strict_api, "mentor.a", "wrong password, long enough").status_code == 401
    r = login(strict_api, "mentor.a")  # even the right password waits now
    assert r.status_code == 429
    assert r.json()["error"] == "TooManyRequests"
    assert 1 <= int(r.headers["Retry-After"]) <= 900
    # Another account from the same address is not affected by this account's limit.
    assert login(strict_api, "mentor.b").status_code == 200


def test_client_credentials_are_throttled_too(strict_api: Api) -> None:
    client_id = strict_api.world.client_id
    for _ in range(3):
        assert client_login(strict_api, client_id, "wrong").status_code == 401
    r = client_login(strict_api, client_id)
    assert r.status_code == 429
    assert int(r.headers["Retry-After"]) >= 1


# ---- refresh tokens ----------------------------------------------------------------------------


def test_refresh_rotates_and_reuse_revokes_the_whole_family(api: Api) -> None:
    first = tokens_for(api, "mentor.a")
    r = refresh(api, first["refresh_token"])
    assert r.status_code == 200, r.text
    second = r.json()
    assert second["refresh_token"] != first["refresh_token"]
    assert second["role"] == "mentor"
    assert r.headers["Cache-Control"] == "no-store"
    assert api.client.get(PROTECTED_URL, headers=bearer(second["access_token"])).status_code == 200

    reused = refresh(api, first["refresh_token"])
    assert reused.status_code == 401
    assert reused.json()["error"] == "InvalidGrant"
    # The thief or the user: we cannot tell, so the newest token of that login is dead too.
    assert refresh(api, second["refresh_token"]).status_code == 401

    with api.database.unit_of_work(write=False) as uow:
        rows = uow.session.execute(select(RefreshTokenRow)).scalars().all()
    assert len(rows) == 2
    assert all(row.revoked_at is not None for row in rows)
    assert len({row.family_id for row in rows}) == 1


def test_reuse_does_not_touch_other_logins(api: Api) -> None:
    stolen = tokens_for(api, "mentor.a")
    other_device = tokens_for(api, "mentor.a")
    assert refresh(api, stolen["refresh_token"]).status_code == 200
    assert refresh(api, stolen["refresh_token"]).status_code == 401
    assert refresh(api, other_device["refresh_token"]).status_code == 200


def test_refresh_token_is_not_an_access_token_and_vice_versa(api: Api) -> None:
    tokens = tokens_for(api, "mentor.a")
    r = api.client.get(PROTECTED_URL, headers=bearer(tokens["refresh_token"]))
    assert r.status_code == 401
    assert r.json()["error"] == "Unauthorized"
    r = refresh(api, tokens["access_token"])
    assert r.status_code == 401
    assert r.json()["error"] == "InvalidGrant"
    # Neither attempt spent the refresh token.
    assert refresh(api, tokens["refresh_token"]).status_code == 200


def test_garbage_refresh_token_is_401(api: Api) -> None:
    assert refresh(api, "not.a.token").status_code == 401


# ---- client credentials ------------------------------------------------------------------------


def test_client_credentials_issue_an_access_token_only(api: Api) -> None:
    r = client_login(api, api.world.client_id)
    assert r.status_code == 200, r.text
    body = r.json()
    assert set(body) == {"access_token", "token_type", "expires_in", "role"}
    assert body["role"] == "integration_client"
    assert r.headers["Cache-Control"] == "no-store"
    assert api.client.get(PROTECTED_URL, headers=bearer(body["access_token"])).status_code == 200


def test_client_wrong_secret_and_unknown_client_answer_identically(api: Api) -> None:
    answers = [client_login(api, api.world.client_id, "wrong"), client_login(api, "lu_nobody")]
    assert [r.status_code for r in answers] == [401, 401]
    assert answers[0].json() == answers[1].json()
    assert answers[0].json()["error"] == "InvalidClient"


def test_disabled_client_cannot_log_in(api: Api) -> None:
    r = api.as_("admin").patch(
        f"/api/v1/admin/integration-clients/{api.world.client_pk}", json={"is_active": False}
    )
    assert r.status_code == 200, r.text
    assert client_login(api, api.world.client_id).status_code == 401


# ---- logout ------------------------------------------------------------------------------------


def test_logout_revokes_the_login(api: Api) -> None:
    first = tokens_for(api, "mentor.a")
    second = refresh(api, first["refresh_token"]).json()
    r = api.client.post(
        LOGOUT_URL,
        json={"refresh_token": second["refresh_token"]},
        headers=bearer(second["access_token"]),
    )
    assert r.status_code == 204
    assert r.content == b""
    assert refresh(api, second["refresh_token"]).status_code == 401


def test_logout_is_silent_and_cannot_end_someone_elses_login(api: Api) -> None:
    victim = tokens_for(api, "mentor.b")
    caller = bearer(api.token("mentor_a"))
    for token in (victim["refresh_token"], "garbage", victim["access_token"]):
        r = api.client.post(LOGOUT_URL, json={"refresh_token": token}, headers=caller)
        assert r.status_code == 204
    assert refresh(api, victim["refresh_token"]).status_code == 200


def test_logout_needs_an_access_token(api: Api) -> None:
    tokens = tokens_for(api, "mentor.a")
    r = api.client.post(LOGOUT_URL, json={"refresh_token": tokens["refresh_token"]})
    assert r.status_code == 401
    assert refresh(api, tokens["refresh_token"]).status_code == 200


# ---- input -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("field", "length", "grant"),
    [
        ("username", 101, "password"),
        ("password", 1025, "password"),
        ("refresh_token", 8193, "refresh_token"),
        ("client_id", 65, "client_credentials"),
    ],
)
def test_over_long_form_fields_are_422(api: Api, field: str, length: int, grant: str) -> None:
    data = {
        "grant_type": grant,
        "username": "mentor.a",
        "password": PASSWORD,
        "refresh_token": "x",
        "client_id": "c",
        "client_secret": "s",
        field: "a" * length,
    }
    r = api.client.post(TOKEN_URL, data=data)
    assert r.status_code == 422
    assert r.json()["error"] == "ValidationError"
    assert f"body.{field}" in r.json()["fields"]
    assert "aaaa" not in r.text  # the rejected value is never echoed


@pytest.mark.parametrize(
    ("data", "missing"),
    [
        ({"grant_type": "password", "username": "mentor.a"}, "password"),
        ({"grant_type": "refresh_token"}, "refresh_token"),
        ({"grant_type": "client_credentials", "client_id": "lu_x"}, "client_secret"),
    ],
)
def test_missing_grant_fields_are_422(api: Api, data: dict[str, str], missing: str) -> None:
    r = api.client.post(TOKEN_URL, data=data)
    assert r.status_code == 422
    assert missing in r.json()["fields"]


def test_unknown_grant_type_and_json_body_are_422(api: Api) -> None:
    assert api.client.post(TOKEN_URL, data={"grant_type": "implicit"}).status_code == 422
    r = api.client.post(
        TOKEN_URL, json={"grant_type": "password", "username": "mentor.a", "password": PASSWORD}
    )
    assert r.status_code == 422


def test_unknown_oauth_parameters_are_ignored(api: Api) -> None:
    r = api.client.post(
        TOKEN_URL,
        data={
            "grant_type": "password",
            "username": "mentor.a",
            "password": PASSWORD,
            "scope": "openid",
        },
    )
    assert r.status_code == 200


def test_failed_login_log_is_escaped_and_holds_no_secret(api: Api) -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger("levelup.auth")
    logger.addHandler(handler)
    try:
        login(api, 'evil\nFORGED {"level": "error"}', "secret-password-123")
    finally:
        logger.removeHandler(handler)
    lines = stream.getvalue().splitlines()
    assert lines, "the failure was not logged"
    entries = [json.loads(line) for line in lines]  # every line is one JSON object
    assert any("evil\nFORGED" in entry["message"] for entry in entries)
    assert "secret-password-123" not in stream.getvalue()


# ---- probes ------------------------------------------------------------------------------------


def test_health_and_ready_need_no_token(api: Api, backend_url: str) -> None:
    r = api.client.get("/health")
    assert (r.status_code, r.json()) == (200, {"status": "ok"})
    r = api.client.get("/ready")
    assert r.status_code == 200
    expected = "postgresql" if backend_url.startswith("postgresql") else "sqlite"
    assert r.json() == {"status": "ready", "database": expected}


def test_ready_is_503_on_an_unmigrated_database(tmp_path: Path) -> None:
    app = create_app(make_settings(sqlite_path=tmp_path / "empty.sqlite3"))
    with TestClient(app, raise_server_exceptions=False) as client:
        r = client.get("/ready")
        assert r.status_code == 503
        assert r.json()["error"] == "ServiceUnavailable"
        assert client.get("/health").status_code == 200
