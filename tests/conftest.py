"""Shared fixtures.

Every database is built by running the Alembic migrations (never `create_all`): once per session
into a template, then copied per test (SQLite file copy, PostgreSQL `CREATE DATABASE … TEMPLATE`),
so each test starts from a fresh, fully migrated database. Tests that take `backend_url` (and
everything built on it: `database`, `world`, `api`) run on SQLite and on PostgreSQL. PostgreSQL
comes from `LEVELUP_TEST_POSTGRES_URL` (set by `scripts/with-postgres.sh`, which `make test` uses);
without it those cases are skipped locally and fail under CI.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, func, select, text

from api.app import create_app
from api.clock import Clock
from api.persistence import schema
from api.persistence.db import make_engine
from api.persistence.models import (
    AuditEntryRow,
    AuditSubjectRow,
    IntegrationClientRow,
    OrganisationRow,
    UserRow,
)
from api.persistence.models.tasks import TaskItemRow
from api.persistence.repositories.task_items import rebuild
from api.persistence.uow import Database
from api.security.passwords import hash_password
from api.security.permissions import Role
from api.settings import Settings
from domain.personnummer import LegalSex, make_test_personnummer

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "correct horse battery staple"
CLIENT_SECRET = "integration-client-secret-for-tests-only-0123456789"
TEST_SECRET = "test-secret-" + "x" * 40
TEST_PSEUDONYM_SECRET = "test-pseudonym-secret-" + "y" * 40
POSTGRES_ENV = "LEVELUP_TEST_POSTGRES_URL"


def migrate(engine: Engine, revision: str = "head") -> None:
    schema.upgrade(engine, revision)


def downgrade(engine: Engine, revision: str = "base") -> None:
    schema.downgrade(engine, revision)


# ---- databases -------------------------------------------------------------------------------


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "levelup.sqlite3"
    engine = make_engine(f"sqlite:///{path}")
    migrate(engine)
    engine.dispose()  # closing the last connection checkpoints the WAL into the main file
    return path


def postgres_admin_url() -> str | None:
    return os.environ.get(POSTGRES_ENV)


def _replace_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(scope="session")
def postgres_template() -> Iterator[str]:
    admin_url = postgres_admin_url()
    if not admin_url:
        if os.environ.get("CI"):
            pytest.fail(f"{POSTGRES_ENV} is not set: CI must test PostgreSQL too")
        pytest.skip(f"{POSTGRES_ENV} not set (run through scripts/with-postgres.sh)")
    name = f"levelup_template_{uuid.uuid4().hex[:8]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine = make_engine(_replace_database(admin_url, name))
    migrate(engine)
    engine.dispose()
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def backend_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """A fresh, migrated database URL, on each backend in turn."""
    if request.param == "sqlite":
        path = tmp_path / "levelup.sqlite3"
        shutil.copyfile(request.getfixturevalue("sqlite_template"), path)
        yield f"sqlite:///{path}"
        return
    template = request.getfixturevalue("postgres_template")
    admin_url = postgres_admin_url()
    assert admin_url
    name = f"levelup_t_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{template}"'))
    try:
        yield _replace_database(admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@pytest.fixture
def database(backend_url: str) -> Iterator[Database]:
    db = Database.from_url(backend_url)
    yield db
    db.dispose()


# ---- a small world of organisations, users and a client --------------------------------------


@dataclass
class World:
    association_id: int
    municipality_a: int
    municipality_b: int
    unit_a: int
    referrer_org_af: int
    referrer_org_fk: int
    users: dict[str, int] = field(default_factory=dict)
    client_pk: int = 0
    client_id: str = "lu_test_client_a"

    def user(self, key: str) -> int:
        return self.users[key]


# key -> (role, home: "a" | "b" | "association" | "af" | None, active)
USERS: dict[str, tuple[Role, str | None, bool]] = {
    "admin": (Role.ADMIN, None, True),
    "analyst": (Role.ASSOCIATION_ANALYST, "association", True),
    "evaluator": (Role.EVALUATOR, "association", True),
    "mentor_a": (Role.MENTOR, "a", True),
    "mentor_a2": (Role.MENTOR, "a", True),
    "lead_a": (Role.LEAD_MENTOR, "a", True),
    "manager_a": (Role.UNIT_MANAGER, "a", True),
    "mentor_b": (Role.MENTOR, "b", True),
    "lead_b": (Role.LEAD_MENTOR, "b", True),
    "referrer_af": (Role.REFERRER, "af", True),
    "disabled_mentor_a": (Role.MENTOR, "a", False),
}

CLIENT_PERMISSIONS = (
    "participant:read participant:create participant:update enrolment:read "
    "enrolment:refer enrolment:transition code_list:read programme:read"
)


@pytest.fixture(scope="session")
def password_hash() -> str:
    # Argon2 is deliberately slow; hash once and share it among the seeded users.
    return hash_password(PASSWORD)


@pytest.fixture(scope="session")
def client_secret_hash() -> str:
    return hash_password(CLIENT_SECRET)


def seed_world(db: Database, password_hash: str, client_secret_hash: str) -> World:
    now = datetime.now(UTC)
    with db.unit_of_work(write=True) as uow:
        s = uow.session

        def org(kind: str, name: str, parent: int | None = None, **kw: Any) -> int:
            row = OrganisationRow(kind=kind, name=name, parent_id=parent, created_at=now, **kw)
            s.add(row)
            s.flush()
            return row.id

        association = org("association", "Samordningsförbundet Testbygden")
        mun_a = org("municipality", "Skara", association, municipality_code="1495")
        mun_b = org("municipality", "Vara", association, municipality_code="1470")
        unit_a = org("unit", "Arbetsmarknadsenheten Skara", mun_a)
        af = org("referrer", "Arbetsförmedlingen Skaraborg", None, referrer_type="af")
        fk = org("referrer", "Försäkringskassan Skaraborg", None, referrer_type="fk")
        world = World(association, mun_a, mun_b, unit_a, af, fk)
        homes = {"a": mun_a, "b": mun_b}
        for key, (role, home, active) in USERS.items():
            organisation = {"a": unit_a, "b": mun_b, "association": association, "af": af}.get(
                home or ""
            )
            row = UserRow(
                username=key.replace("_", "."),
                display_name=f"Test {key}",
                password_hash=password_hash,
                role=role.value,
                organisation_id=organisation,
                municipality_id=homes.get(home or ""),
                is_active=active,
                created_at=now,
                updated_at=now,
            )
            s.add(row)
            s.flush()
            world.users[key] = row.id
        client = IntegrationClientRow(
            client_id=world.client_id,
            name="Verksamhetssystem Skara",
            secret_hash=client_secret_hash,
            municipality_id=mun_a,
            permissions=CLIENT_PERMISSIONS,
            is_active=True,
            created_at=now,
        )
        s.add(client)
        s.flush()
        world.client_pk = client.id
        uow.commit()
    return world


@pytest.fixture
def world(database: Database, password_hash: str, client_secret_hash: str) -> World:
    return seed_world(database, password_hash, client_secret_hash)


# ---- the HTTP API ------------------------------------------------------------------------------


def make_settings(**overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "environment": "test",
        "jwt_secret": TEST_SECRET,
        "pseudonym_secret": TEST_PSEUDONYM_SECRET,
    }
    values.update(overrides)
    return Settings(**values)


class Caller:
    """An HTTP client that acts as one principal, with a real signed access token."""

    def __init__(self, client: TestClient, token: str | None) -> None:
        self.client = client
        self.headers = {"Authorization": f"Bearer {token}"} if token else {}

    def request(
        self, method: str, url: str, *, headers: dict[str, str] | None = None, **kw: Any
    ) -> Any:
        return self.client.request(method, url, headers={**self.headers, **(headers or {})}, **kw)

    def get(self, url: str, **kw: Any) -> Any:
        return self.request("GET", url, **kw)

    def post(self, url: str, **kw: Any) -> Any:
        return self.request("POST", url, **kw)

    def patch(self, url: str, **kw: Any) -> Any:
        return self.request("PATCH", url, **kw)

    def put(self, url: str, **kw: Any) -> Any:
        return self.request("PUT", url, **kw)

    def delete(self, url: str, **kw: Any) -> Any:
        return self.request("DELETE", url, **kw)


@dataclass
class Api:
    app: FastAPI
    client: TestClient
    world: World
    database: Database

    def token(self, key: str) -> str:
        ctx = self.app.state.context
        subject = (
            f"client:{self.world.client_pk}" if key == "client" else f"user:{self.world.user(key)}"
        )
        token, _ = ctx.tokens.issue_access(subject, now=ctx.clock.now())
        return str(token)

    def as_(self, key: str) -> Caller:
        return Caller(self.client, self.token(key))

    @property
    def anonymous(self) -> Caller:
        return Caller(self.client, None)


def build_api(database: Database, world: World, **setting_overrides: Any) -> Iterator[Api]:
    app = create_app(make_settings(**setting_overrides), clock=Clock(), database=database)
    with TestClient(app, raise_server_exceptions=False) as client:
        yield Api(app, client, world, database)


@pytest.fixture
def api(database: Database, world: World) -> Iterator[Api]:
    yield from build_api(database, world)


# ---- synthetic people --------------------------------------------------------------------------


def synthetic_pnr(
    serial: int,
    *,
    birth: date = date(2001, 5, 17),
    sex: LegalSex = LegalSex.WOMAN,
    coordination: bool = False,
) -> str:
    """A valid test-series personnummer (birth number 988–999). `serial` picks a distinct one:
    6 per sex and date, then the next day."""
    day_offset, within = divmod(serial, 6)
    birth = date.fromordinal(birth.toordinal() + day_offset)
    return make_test_personnummer(birth, within, sex, coordination).formatted


def participant_body(serial: int = 0, **overrides: Any) -> dict[str, Any]:
    body: dict[str, Any] = {
        "personnummer": synthetic_pnr(serial),
        "first_name": "Testa",
        "last_name": f"Testsson{serial}",
    }
    body.update(overrides)
    return body


# ---- reading back what a request wrote -----------------------------------------------------


def count(api: Api, model: Any, *where: Any) -> int:
    """Rows of `model` (matching `where`): "nothing written" checks compare it before/after."""
    with api.database.unit_of_work(write=False) as uow:
        stmt = select(func.count()).select_from(model)
        if where:
            stmt = stmt.where(*where)
        return int(uow.session.execute(stmt).scalar_one())


def audit_entries(api: Api, action: str) -> list[tuple[AuditEntryRow, list[int]]]:
    """The audit entries with this action, oldest first, each with its subjects' ids."""
    with api.database.unit_of_work(write=False) as uow:
        rows = list(
            uow.session.execute(
                select(AuditEntryRow)
                .where(AuditEntryRow.action == action)
                .order_by(AuditEntryRow.id)
            ).scalars()
        )
        return [
            (
                row,
                sorted(
                    uow.session.execute(
                        select(AuditSubjectRow.participant_id).where(
                            AuditSubjectRow.audit_id == row.id
                        )
                    ).scalars()
                ),
            )
            for row in rows
        ]


TaskItem = tuple[int, str, date, int | None, str | None, bool | None, int | None]


def stored_task_items(database: Database) -> list[TaskItem]:
    """The task list's read model as stored (every column but the id), in a fixed order."""
    t = TaskItemRow
    with database.read_connection() as connection:
        rows = connection.execute(
            select(
                t.enrolment_id,
                t.kind,
                t.dated_on,
                t.source_id,
                t.label,
                t.contact_permitted,
                t.mentor_id,
            )
        ).all()
    items: list[TaskItem] = [
        (r[0], r[1], r[2], r[3], r[4], None if r[5] is None else bool(r[5]), r[6]) for r in rows
    ]
    # (is None, value) never compares None with a value.
    return sorted(items, key=lambda item: tuple((v is None, v) for v in item))


def rebuild_task_items(database: Database) -> list[TaskItem]:
    """Recompute the read model from its sources, and return it as stored."""
    with database.unit_of_work(write=True) as uow:
        rebuild(uow.session.connection())
        uow.commit()
    return stored_task_items(database)
