"""The API serves the built web app at / (client-side routes included) with browser-safety
headers, while unknown API paths stay JSON 404s and API answers are never cached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import make_settings
from fastapi.testclient import TestClient

from api.app import create_app
from api.security_headers import WEB_APP_CSP

INDEX = "<!doctype html><title>Level Up</title><div id=root></div>"


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    dist = tmp_path / "dist"
    (dist / "assets").mkdir(parents=True)
    (dist / "index.html").write_text(INDEX)
    (dist / "assets" / "index-abc123.js").write_text("console.log('app')")
    (tmp_path / "secret.txt").write_text("outside the build")
    app = create_app(make_settings(sqlite_path=tmp_path / "web.sqlite3", web_dist_dir=dist))
    with TestClient(app) as c:
        yield c


@pytest.mark.parametrize("path", ["/", "/start", "/deltagare/12", "/admin/kodlistor"])
def test_app_routes_get_the_app_shell_with_a_strict_csp(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 200
    assert r.text == INDEX
    assert r.headers["content-security-policy"] == WEB_APP_CSP
    assert "script-src 'self';" in WEB_APP_CSP and "frame-ancestors 'none'" in WEB_APP_CSP
    assert r.headers["cache-control"] == "no-cache"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["referrer-policy"] == "no-referrer"
    assert r.headers["x-frame-options"] == "DENY"


def test_hashed_assets_are_served_and_cached_for_good(client: TestClient) -> None:
    r = client.get("/assets/index-abc123.js")
    assert r.status_code == 200
    assert "console.log" in r.text
    assert r.headers["cache-control"] == "public, max-age=31536000, immutable"


def test_files_outside_the_build_are_not_served(client: TestClient) -> None:
    for path in ("/../secret.txt", "/%2e%2e/secret.txt", "/assets/../../secret.txt"):
        r = client.get(path)
        assert "outside the build" not in r.text, path


@pytest.mark.parametrize("path", ["/api", "/api/v1/no-such-thing", "/api/v2/participants"])
def test_unknown_api_paths_stay_json_404s(client: TestClient, path: str) -> None:
    r = client.get(path)
    assert r.status_code == 404
    assert r.headers["content-type"].startswith("application/json")
    assert "content-security-policy" not in r.headers


def test_api_answers_are_not_cached_by_browsers(client: TestClient) -> None:
    r = client.get("/api/v1/me")
    assert r.status_code == 401
    assert r.headers["cache-control"] == "no-store"
    assert r.headers["x-content-type-options"] == "nosniff"


def test_health_is_not_the_app(client: TestClient) -> None:
    r = client.get("/health")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("application/json")
    assert "content-security-policy" not in r.headers
