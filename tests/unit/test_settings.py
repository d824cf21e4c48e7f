"""Secrets have no usable default outside development (ARCHITECTURE rule 13, SECURITY.md)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from api.settings import DEVELOPMENT_SECRET, Settings

STRONG = "s" * 48


@pytest.mark.parametrize("environment", ["test", "production"])
def test_the_development_secret_is_refused_outside_development(environment: str) -> None:
    with pytest.raises(ValidationError, match="LEVELUP_JWT_SECRET"):
        Settings(environment=environment, jwt_secret=DEVELOPMENT_SECRET)


@pytest.mark.parametrize("environment", ["development", "test", "production"])
def test_a_short_secret_is_refused_everywhere(environment: str) -> None:
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(environment=environment, jwt_secret="short")


def test_a_strong_secret_is_accepted_in_production() -> None:
    settings = Settings(environment="production", jwt_secret=STRONG, pseudonym_secret=STRONG * 2)
    assert settings.jwt_secret.get_secret_value() == STRONG


def test_the_development_pseudonym_secret_is_refused_in_production() -> None:
    # Evaluator pseudonyms derived from a published key could be recomputed by anyone.
    with pytest.raises(ValidationError, match="LEVELUP_PSEUDONYM_SECRET"):
        Settings(environment="production", jwt_secret=STRONG)
    with pytest.raises(ValidationError, match="32 bytes"):
        Settings(pseudonym_secret="short")


def test_postgres_urls_use_psycopg_3() -> None:
    settings = Settings(database_url="postgres://u@h/db")
    assert settings.sqlalchemy_url == "postgresql+psycopg://u@h/db"
    assert Settings(sqlite_path="var/x.sqlite3").sqlalchemy_url == "sqlite:///var/x.sqlite3"


def test_pool_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LEVELUP_DB_POOL_SIZE", "4")
    monkeypatch.setenv("LEVELUP_DB_MAX_OVERFLOW", "2")
    limits = Settings.from_env().pool_limits
    assert (limits.size, limits.overflow) == (4, 2)
    # Two pools a process: the threadpool's (4 + 2) and the event loop's (4, no overflow).
    assert limits.per_process == 10


def test_the_default_pools_leave_room_for_two_workers_under_max_connections() -> None:
    # PostgreSQL's default max_connections is 100; the CLI and maintenance need a few.
    assert 2 * Settings().pool_limits.per_process <= 90


@pytest.mark.parametrize(("field", "value"), [("db_pool_size", 0), ("db_max_overflow", -1)])
def test_a_pool_limit_out_of_range_is_refused(field: str, value: int) -> None:
    with pytest.raises(ValidationError, match=field):
        Settings(**{field: value})  # type: ignore[arg-type]
