"""`column IN (...)` in prebuilt hot statements: for a list of ids whose length varies from
call to call (`one_of`), and for a fixed set of codes (`among_codes`)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from sqlalchemy import ColumnElement, Integer, any_, bindparam, literal_column
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


_CODE = re.compile(r"[a-z][a-z0-9_]*")


def among_codes(
    column: ColumnElement[Any] | InstrumentedAttribute[Any], codes: Iterable[str]
) -> ColumnElement[bool]:
    """`column IN ('a', 'b')` with the codes written into the statement text when it is built.

    A Python list given to `in_()` becomes an expanding parameter that SQLAlchemy renders anew
    on every execution, although these sets never change (the task list's due assessments
    spent 3-4 % of server CPU on it). Only our own lower-case codes are accepted, so quoting
    them needs no escaping."""
    literals: list[ColumnElement[Any]] = []
    for code in codes:
        if not _CODE.fullmatch(code):
            raise ValueError(f"not a code: {code!r}")
        literals.append(literal_column(f"'{code}'"))
    if not literals:
        raise ValueError("no codes")
    return column.in_(literals)
