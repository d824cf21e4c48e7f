"""One validated settings object, read from the environment (prefix LEVELUP_) once, at startup.

Nothing reads the environment at import time: `Settings.from_env()` is called by the CLI or by
`create_app`, and tests build `Settings(...)` directly.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from api.persistence.db import PoolLimits

# Only usable in development and tests; production refuses to start with it (see validator).
DEVELOPMENT_SECRET = "development-only-secret-do-not-use-in-production-0123456789"  # noqa: S105 (refused outside development)
DEVELOPMENT_PSEUDONYM_SECRET = "development-only-pseudonym-secret-not-for-real-data-0123"  # noqa: S105 (refused outside development)
MIN_SECRET_BYTES = 32


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="LEVELUP_", extra="ignore", frozen=True)

    environment: Literal["development", "test", "production"] = "development"
    # PostgreSQL when set (DATABASE_URL is the conventional name, LEVELUP_DATABASE_URL wins).
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("LEVELUP_DATABASE_URL", "DATABASE_URL")
    )
    sqlite_path: Path = Path("var/levelup.sqlite3")
    # PostgreSQL connections per pool; a process has two pools (see PoolLimits).
    db_pool_size: int = Field(default=PoolLimits.size, ge=1, le=100)
    db_max_overflow: int = Field(default=PoolLimits.overflow, ge=0, le=100)

    jwt_secret: SecretStr = SecretStr(DEVELOPMENT_SECRET)
    jwt_issuer: str = "https://levelup.invalid/api"
    jwt_audience: str = "levelup-api"
    access_token_minutes: int = Field(default=15, ge=1, le=120)
    refresh_token_days: int = Field(default=14, ge=1, le=90)

    # Login throttling: failures allowed per window before 429 (never a permanent lockout).
    login_failures_per_account: int = Field(default=5, ge=1)
    login_failures_per_address: int = Field(default=20, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)

    # The master secret evaluator pseudonyms are derived from (a different HMAC key per
    # evaluator, stable for that evaluator). Refused at its default in production.
    pseudonym_secret: SecretStr = SecretStr(DEVELOPMENT_PSEUDONYM_SECRET)

    max_body_bytes: int = Field(default=1_000_000, ge=1024)
    # Where the built single-page app lives; served at / when present.
    web_dist_dir: Path = Path("frontend/dist")
    cors_origins: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _refuse_weak_secrets_outside_development(self) -> Settings:
        secret = self.jwt_secret.get_secret_value()
        if len(secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError("LEVELUP_JWT_SECRET must be at least 32 bytes")
        if self.environment != "development" and secret == DEVELOPMENT_SECRET:
            raise ValueError(
                f"LEVELUP_JWT_SECRET must be set (32+ random bytes) when LEVELUP_ENVIRONMENT is "
                f"{self.environment}; the built-in secret is for development only"
            )
        pseudonym = self.pseudonym_secret.get_secret_value()
        if len(pseudonym.encode()) < MIN_SECRET_BYTES:
            raise ValueError("LEVELUP_PSEUDONYM_SECRET must be at least 32 bytes")
        # Refused in production only: tests and benchmarks never export real people, and a
        # leaked development key pseudonymises nothing real.
        if self.environment == "production" and pseudonym == DEVELOPMENT_PSEUDONYM_SECRET:
            raise ValueError(
                "LEVELUP_PSEUDONYM_SECRET must be set (32+ random bytes) in production; the "
                "built-in secret is for development and tests only"
            )
        return self

    @property
    def pool_limits(self) -> PoolLimits:
        return PoolLimits(self.db_pool_size, self.db_max_overflow)

    @property
    def sqlalchemy_url(self) -> str:
        if self.database_url:
            url = self.database_url
            # Accept the libpq-style scheme people paste and use psycopg 3.
            for prefix in ("postgres://", "postgresql://"):
                if url.startswith(prefix):
                    return "postgresql+psycopg://" + url[len(prefix) :]
            return url
        return f"sqlite:///{self.sqlite_path}"

    @classmethod
    def from_env(cls) -> Settings:
        return cls()
