"""`column IN (ids)` for a list of ids whose length varies from call to call."""

from __future__ import annotations

from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.orm import InstrumentedAttribute


def one_of(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], name: str, dialect_name: str
) -> ColumnElement[bool]:
    """PostgreSQL: `column = ANY(CAST(:name AS INTEGER[]))`, one array parameter, so the
    statement text is the same for any number of ids: psycopg parses it once and prepares it,
    and SQLAlchemy need not render an expanding IN list on every execution (under task-list
    load that rendering was 7 % of server CPU). SQLite has no arrays: an expanding IN."""
    if dialect_name == "postgresql":
        return column == any_(sql_cast(bindparam(name), ARRAY(Integer)))
    return column.in_(bindparam(name, expanding=True))
