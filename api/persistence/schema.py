"""The schema is the Alembic migrations: one way to run them for the CLI, the tests and bench.

Nothing calls `create_all`; every database, test databases included, is built by these.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Engine

REPOSITORY_ROOT = Path(__file__).resolve().parents[2]


class MigrationsNotFound(FileNotFoundError):
    pass


def alembic_ini() -> Path:
    """alembic.ini in the current directory first (deployments), else the repository's."""
    for candidate in (Path.cwd() / "alembic.ini", REPOSITORY_ROOT / "alembic.ini"):
        if candidate.is_file():
            return candidate
    raise MigrationsNotFound(
        "Hittar ingen alembic.ini i aktuell katalog eller i projektkatalogen. / "
        "No alembic.ini in the current directory or next to the project."
    )


def alembic_config() -> Config:
    return Config(str(alembic_ini()))


def upgrade(engine: Engine, revision: str = "head") -> None:
    _run(engine, "upgrade", revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    _run(engine, "downgrade", revision)


def _run(engine: Engine, action: str, revision: str) -> None:
    cfg = alembic_config()
    # migrations/env.py runs on the connection it is handed, in this transaction.
    with engine.begin() as conn:
        cfg.attributes["connection"] = conn
        if action == "upgrade":
            command.upgrade(cfg, revision)
        else:
            command.downgrade(cfg, revision)


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(heads) if heads else None


def head_revision() -> str | None:
    heads = ScriptDirectory.from_config(alembic_config()).get_heads()
    return ",".join(heads) if heads else None
