"""The IN-list helpers of prebuilt hot statements render fixed statement text."""

from __future__ import annotations

import pytest
from sqlalchemy import Column, Integer, MetaData, String, Table, select
from sqlalchemy.dialects import postgresql, sqlite

from api.persistence.repositories.id_lists import among_codes, one_of

_t = Table("t", MetaData(), Column("id", Integer), Column("state", String))
DIALECTS = {"postgresql": postgresql.dialect(), "sqlite": sqlite.dialect()}


def _sql(condition, dialect_name: str) -> str:
    return str(select(_t.c.id).where(condition).compile(dialect=DIALECTS[dialect_name]))


@pytest.mark.parametrize("dialect_name", sorted(DIALECTS))
def test_codes_are_written_into_the_statement_with_no_parameter(dialect_name: str) -> None:
    statement = select(_t.c.id).where(among_codes(_t.c.state, ("active", "paused")))
    compiled = statement.compile(dialect=DIALECTS[dialect_name])
    assert "t.state IN ('active', 'paused')" in str(compiled)
    assert compiled.params == {}


@pytest.mark.parametrize(
    "codes",
    [("active'; DROP TABLE t; --",), ("Active",), ("",), ("a b",), ()],
    ids=["quote", "upper-case", "empty code", "space", "no codes"],
)
def test_anything_but_plain_codes_is_refused(codes: tuple[str, ...]) -> None:
    with pytest.raises(ValueError):
        among_codes(_t.c.state, codes)


def test_postgresql_takes_any_number_of_ids_as_one_array_parameter() -> None:
    sql = _sql(one_of(_t.c.id, "ids", "postgresql"), "postgresql")
    assert "t.id = ANY (CAST(%(ids)s AS INTEGER[]))" in sql


def test_sqlite_expands_the_ids() -> None:
    sql = _sql(one_of(_t.c.id, "ids", "sqlite"), "sqlite")
    assert "t.id IN (__[POSTCOMPILE_ids])" in sql
