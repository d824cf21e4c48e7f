"""Users, organisations, integration clients and refresh tokens (no person-level data)."""

from __future__ import annotations

from datetime import datetime
from typing import Any, cast

from sqlalchemy import Connection, Row, Table, bindparam, select, update
from sqlalchemy.orm import Session

from api.persistence.models import (
    IntegrationClientRow,
    OrganisationRow,
    RefreshTokenRow,
    UserRow,
)

_USERS = cast(Table, UserRow.__table__)
_CLIENTS = cast(Table, IntegrationClientRow.__table__)
# Prebuilt Core statements: every authenticated request runs one of them, and an ORM
# `Session.get` cost about three times as much as this select (bench/).
_ACTING_USER = select(
    _USERS.c.id,
    _USERS.c.is_active,
    _USERS.c.role,
    _USERS.c.municipality_id,
    _USERS.c.organisation_id,
    _USERS.c.display_name,
).where(_USERS.c.id == bindparam("account_id"))
_ACTING_CLIENT = select(
    _CLIENTS.c.id,
    _CLIENTS.c.is_active,
    _CLIENTS.c.permissions,
    _CLIENTS.c.municipality_id,
    _CLIENTS.c.name,
).where(_CLIENTS.c.id == bindparam("account_id"))


def acting_user(connection: Connection, user_id: int) -> Row[*tuple[Any, ...]] | None:
    """id, is_active, role, municipality_id, organisation_id, display_name."""
    return connection.execute(_ACTING_USER, {"account_id": user_id}).first()


def acting_client(connection: Connection, client_id: int) -> Row[*tuple[Any, ...]] | None:
    """id, is_active, permissions (space-separated), municipality_id, name."""
    return connection.execute(_ACTING_CLIENT, {"account_id": client_id}).first()


class AccountRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    # users
    def user(self, user_id: int) -> UserRow | None:
        return self._session.get(UserRow, user_id)

    def user_by_username(self, username: str) -> UserRow | None:
        return self._session.execute(
            select(UserRow).where(UserRow.username == username)
        ).scalar_one_or_none()

    def users(
        self, *, role: str | None = None, municipality_id: int | None = None
    ) -> list[UserRow]:
        stmt = select(UserRow).order_by(UserRow.username)
        if role:
            stmt = stmt.where(UserRow.role == role)
        if municipality_id is not None:
            stmt = stmt.where(UserRow.municipality_id == municipality_id)
        return list(self._session.execute(stmt).scalars())

    # organisations
    def organisation(self, organisation_id: int) -> OrganisationRow | None:
        return self._session.get(OrganisationRow, organisation_id)

    def organisations(self, *, kind: str | None = None) -> list[OrganisationRow]:
        stmt = select(OrganisationRow).order_by(OrganisationRow.kind, OrganisationRow.name)
        if kind:
            stmt = stmt.where(OrganisationRow.kind == kind)
        return list(self._session.execute(stmt).scalars())

    # integration clients
    def client_by_client_id(self, client_id: str) -> IntegrationClientRow | None:
        return self._session.execute(
            select(IntegrationClientRow).where(IntegrationClientRow.client_id == client_id)
        ).scalar_one_or_none()

    def client(self, client_pk: int) -> IntegrationClientRow | None:
        return self._session.get(IntegrationClientRow, client_pk)

    def clients(self) -> list[IntegrationClientRow]:
        return list(
            self._session.execute(
                select(IntegrationClientRow).order_by(IntegrationClientRow.name)
            ).scalars()
        )

    # refresh tokens
    def refresh_token(self, jti: str) -> RefreshTokenRow | None:
        return self._session.get(RefreshTokenRow, jti)

    def add_refresh_token(self, row: RefreshTokenRow) -> None:
        self._session.add(row)

    def revoke_family(self, family_id: str, at: datetime) -> None:
        self._session.execute(
            update(RefreshTokenRow)
            .where(RefreshTokenRow.family_id == family_id, RefreshTokenRow.revoked_at.is_(None))
            .values(revoked_at=at)
        )

    def add(self, row: object) -> None:
        self._session.add(row)
        self._session.flush()
