"""The Alembic migrations are the schema: they must agree with the models, downgrade cleanly,
and ship the default code lists exactly as the domain defines them. On both backends."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from conftest import downgrade, migrate
from sqlalchemy import inspect

from api.persistence.models import Base
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.uow import Database
from domain.codelists import DEFAULT_CODE_LISTS, CodeListName


def _diff(database: Database) -> list[object]:
    with database.engine.connect() as conn:
        context = MigrationContext.configure(conn, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))


def test_models_and_migrations_agree(database: Database) -> None:
    assert _diff(database) == []


def test_downgrade_to_base_and_upgrade_again(database: Database) -> None:
    downgrade(database.engine, "base")
    tables = set(inspect(database.engine).get_table_names()) - {"alembic_version"}
    assert tables == set()
    migrate(database.engine)
    assert _diff(database) == []


def test_default_code_lists_match_the_domain_defaults(database: Database) -> None:
    with database.unit_of_work(write=False) as uow:
        repo = CodeListRepository(uow.session)
        for name in CodeListName:
            stored = repo.current(name)
            assert stored.version == 1
            assert stored.entries == DEFAULT_CODE_LISTS[name], name
