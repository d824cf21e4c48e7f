"""Administration use cases: organisations, staff accounts, integration clients.

Audit rows carry ids, roles and changed field names only, never passwords or secrets. Argon2
hashing happens before a write transaction opens, so the SQLite write lock is not held for it.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm.exc import StaleDataError

from api.context import AppContext
from api.errors import Conflict, NotFound, PreconditionFailed
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import (
    IntegrationClientRow,
    OrganisationRow,
    RefreshTokenRow,
    UserRow,
)
from api.persistence.repositories.accounts import AccountRepository
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.uow import Database
from api.schemas.admin import (
    IntegrationClientCreate,
    IntegrationClientUpdate,
    OrganisationCreate,
    OrganisationKind,
    UserCreate,
    UserUpdate,
)
from api.security.passwords import hash_password
from api.security.permissions import INTEGRATION_GRANTABLE, MUNICIPAL_ROLES, Role
from api.security.principal import Principal
from domain.codelists import CodeListName
from domain.errors import InvalidInput

ORGANISATION_NOT_FOUND = "Organisationen finns inte."
USER_NOT_FOUND = "Användaren finns inte."
CLIENT_NOT_FOUND = "Integrationsklienten finns inte."

# Which organisation kind a role's organisation_id must point at.
_ROLE_ORGANISATION_KIND = {
    Role.REFERRER: OrganisationKind.REFERRER,
    Role.ASSOCIATION_ANALYST: OrganisationKind.ASSOCIATION,
    Role.EVALUATOR: OrganisationKind.ASSOCIATION,
    Role.ADMIN: OrganisationKind.ASSOCIATION,
}


def _organisation_of_kind(
    repo: AccountRepository, organisation_id: int, kinds: set[OrganisationKind], field: str
) -> OrganisationRow:
    row = repo.organisation(organisation_id)
    wanted = " eller ".join(sorted(k.value for k in kinds))
    if row is None:
        raise InvalidInput(
            f"Organisationen {organisation_id} finns inte.", fields={field: "finns inte"}
        )
    if row.kind not in kinds:
        raise InvalidInput(
            f"Organisationen {organisation_id} är av typen {row.kind}; här krävs {wanted}.",
            fields={field: f"måste vara {wanted}"},
        )
    return row


# ---- organisations -----------------------------------------------------------------------------


def list_organisations(
    ctx: AppContext, principal: Principal, kind: OrganisationKind | None = None
) -> list[OrganisationRow]:
    with ctx.database.unit_of_work(write=False) as uow:
        return AccountRepository(uow.session).organisations(kind=kind.value if kind else None)


def get_organisation(
    ctx: AppContext, principal: Principal, organisation_id: int
) -> OrganisationRow:
    with ctx.database.unit_of_work(write=False) as uow:
        row = AccountRepository(uow.session).organisation(organisation_id)
    if row is None:
        raise NotFound(ORGANISATION_NOT_FOUND)
    return row


def _check_organisation_rules(
    ctx: AppContext, repo: AccountRepository, codes: CodeListRepository, data: OrganisationCreate
) -> None:
    kind = data.kind
    if kind is OrganisationKind.UNIT and data.parent_id is None:
        raise InvalidInput(
            "En enhet måste höra till en kommun: ange parent_id.",
            fields={"parent_id": "krävs för enhet"},
        )
    if data.parent_id is not None:
        allowed = (
            {OrganisationKind.MUNICIPALITY}
            if kind is OrganisationKind.UNIT
            else set(OrganisationKind)
        )
        _organisation_of_kind(repo, data.parent_id, allowed, "parent_id")

    if kind is OrganisationKind.REFERRER:
        if data.referrer_type is None:
            raise InvalidInput(
                "En remittentorganisation behöver referrer_type.",
                fields={"referrer_type": "krävs för remittent"},
            )
        codes.current(CodeListName.REFERRER_TYPE).require(
            data.referrer_type, on=ctx.clock.today(), field="referrer_type"
        )
    elif data.referrer_type is not None:
        raise InvalidInput(
            "referrer_type anges bara för remittentorganisationer.",
            fields={"referrer_type": "bara för remittent"},
        )

    if kind is OrganisationKind.MUNICIPALITY:
        if data.municipality_code is None:
            raise InvalidInput(
                "En kommun behöver sin kommunkod (fyra siffror, t.ex. 1495).",
                fields={"municipality_code": "krävs för kommun"},
            )
        if any(
            o.municipality_code == data.municipality_code
            for o in repo.organisations(kind=OrganisationKind.MUNICIPALITY.value)
        ):
            raise Conflict(
                f"Det finns redan en kommun med kommunkod {data.municipality_code}.",
                fields={"municipality_code": "finns redan"},
            )
    elif data.municipality_code is not None:
        raise InvalidInput(
            "municipality_code anges bara för kommuner.",
            fields={"municipality_code": "bara för kommun"},
        )


def create_organisation(
    ctx: AppContext, principal: Principal, data: OrganisationCreate
) -> OrganisationRow:
    now = ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        repo = AccountRepository(uow.session)
        _check_organisation_rules(ctx, repo, CodeListRepository(uow.session), data)
        row = OrganisationRow(
            kind=data.kind.value,
            name=data.name,
            parent_id=data.parent_id,
            referrer_type=data.referrer_type,
            municipality_code=data.municipality_code,
            created_at=now,
        )
        repo.add(row)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "organisation.create",
                entity_type="organisation",
                entity_id=row.id,
                detail={"kind": row.kind, "parent_id": row.parent_id},
            ),
            at=now,
        )
        uow.commit()
        return row


# ---- users -------------------------------------------------------------------------------------


def list_users(
    ctx: AppContext,
    principal: Principal,
    *,
    role: Role | None = None,
    municipality_id: int | None = None,
) -> list[UserRow]:
    with ctx.database.unit_of_work(write=False) as uow:
        return AccountRepository(uow.session).users(
            role=role.value if role else None, municipality_id=municipality_id
        )


def get_user(ctx: AppContext, principal: Principal, user_id: int) -> UserRow:
    with ctx.database.unit_of_work(write=False) as uow:
        row = AccountRepository(uow.session).user(user_id)
    if row is None:
        raise NotFound(USER_NOT_FOUND)
    return row


def _resolve_user_organisations(
    repo: AccountRepository, data: UserCreate
) -> tuple[int | None, int | None]:
    """(municipality_id, organisation_id) for the new account, or InvalidInput."""
    if data.role in MUNICIPAL_ROLES:
        if data.municipality_id is None:
            raise InvalidInput(
                f"Rollen {data.role.value} kräver en kommun: ange municipality_id.",
                fields={"municipality_id": "krävs för rollen"},
            )
        _organisation_of_kind(
            repo, data.municipality_id, {OrganisationKind.MUNICIPALITY}, "municipality_id"
        )
        if data.organisation_id is None or data.organisation_id == data.municipality_id:
            return data.municipality_id, data.municipality_id
        unit = _organisation_of_kind(
            repo, data.organisation_id, {OrganisationKind.UNIT}, "organisation_id"
        )
        if unit.parent_id != data.municipality_id:
            raise InvalidInput(
                "Enheten hör inte till den angivna kommunen.",
                fields={"organisation_id": "annan kommuns enhet"},
            )
        return data.municipality_id, unit.id

    if data.municipality_id is not None:
        raise InvalidInput(
            f"Rollen {data.role.value} hör inte till en kommun; utelämna municipality_id.",
            fields={"municipality_id": "inte för rollen"},
        )
    kind = _ROLE_ORGANISATION_KIND[data.role]
    if data.organisation_id is None:
        if data.role is Role.ADMIN:
            return None, None
        raise InvalidInput(
            f"Rollen {data.role.value} kräver organisation_id ({kind.value}).",
            fields={"organisation_id": "krävs för rollen"},
        )
    _organisation_of_kind(repo, data.organisation_id, {kind}, "organisation_id")
    return None, data.organisation_id


def _username_taken() -> Conflict:
    return Conflict(
        "Användarnamnet är upptaget. Välj ett annat.", fields={"username": "finns redan"}
    )


def create_user(ctx: AppContext, principal: Principal, data: UserCreate) -> UserRow:
    return add_user(ctx.database, principal, data, now=ctx.clock.now())


def add_user(
    database: Database,
    principal: Principal | None,
    data: UserCreate,
    *,
    now: datetime,
    via: str | None = None,
) -> UserRow:
    """The one way a user is created: the admin API and `levelup create-user` (principal None,
    the system actor) share every rule for roles and organisations."""
    # Argon2 before the write transaction, so the SQLite write lock is not held for it.
    password_hash = hash_password(data.password)
    with database.unit_of_work(write=True) as uow:
        repo = AccountRepository(uow.session)
        if repo.user_by_username(data.username) is not None:
            raise _username_taken()
        municipality_id, organisation_id = _resolve_user_organisations(repo, data)
        row = UserRow(
            username=data.username,
            display_name=data.display_name,
            password_hash=password_hash,
            role=data.role.value,
            municipality_id=municipality_id,
            organisation_id=organisation_id,
            is_active=True,
            created_at=now,
            updated_at=now,
        )
        try:
            repo.add(row)
        except IntegrityError:
            # Created concurrently by someone else after our check (PostgreSQL).
            raise _username_taken() from None
        detail: dict[str, Any] = {
            "role": row.role,
            "municipality_id": municipality_id,
            "organisation_id": organisation_id,
        }
        if via:
            detail["via"] = via
        AuditLog(uow.session).append(
            principal,
            AuditEvent("user.create", entity_type="user", entity_id=row.id, detail=detail),
            at=now,
        )
        uow.commit()
        return row


def _stale() -> PreconditionFailed:
    return PreconditionFailed(
        "Posten har ändrats sedan du hämtade den. Hämta den igen och gör om ändringen."
    )


def update_user(
    ctx: AppContext, principal: Principal, user_id: int, data: UserUpdate, *, expected_version: int
) -> UserRow:
    new_hash = hash_password(data.password) if data.password is not None else None
    now = ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        row = AccountRepository(uow.session).user(user_id)
        if row is None:
            raise NotFound(USER_NOT_FOUND)
        if row.version != expected_version:
            raise _stale()
        changed: list[str] = []
        if data.display_name is not None and data.display_name != row.display_name:
            row.display_name = data.display_name
            changed.append("display_name")
        if data.is_active is not None and data.is_active != row.is_active:
            if not data.is_active and row.id == principal.user_id:
                raise Conflict(
                    "Du kan inte inaktivera ditt eget konto; be en annan administratör.",
                    fields={"is_active": "eget konto"},
                )
            row.is_active = data.is_active
            changed.append("is_active")
        if new_hash is not None:
            row.password_hash = new_hash
            changed.append("password")
        if not changed:
            return row
        if "password" in changed or "is_active" in changed:
            # A new password or a disabled account ends every login of the account.
            uow.session.execute(
                update(RefreshTokenRow)
                .where(RefreshTokenRow.user_id == row.id, RefreshTokenRow.revoked_at.is_(None))
                .values(revoked_at=now)
            )
        row.updated_at = now
        try:
            uow.session.flush()
        except StaleDataError:
            # Changed by a concurrent request between our read and write (PostgreSQL).
            raise _stale() from None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "user.update",
                entity_type="user",
                entity_id=row.id,
                detail={"fields": sorted(changed)},
            ),
            at=now,
        )
        uow.commit()
        return row


# ---- integration clients -------------------------------------------------------------------------


@dataclass(frozen=True)
class CreatedClient:
    row: IntegrationClientRow
    # Plain text exists only here, in this one answer; the database holds its Argon2 hash.
    client_secret: str


def list_integration_clients(ctx: AppContext, principal: Principal) -> list[IntegrationClientRow]:
    with ctx.database.unit_of_work(write=False) as uow:
        return AccountRepository(uow.session).clients()


def create_integration_client(
    ctx: AppContext, principal: Principal, data: IntegrationClientCreate
) -> CreatedClient:
    not_grantable = sorted(p.value for p in set(data.permissions) - INTEGRATION_GRANTABLE)
    if not_grantable:
        raise InvalidInput(
            f"Behörigheterna kan inte ges till en integrationsklient: {', '.join(not_grantable)}.",
            fields={"permissions": "ej tillåten för integrationsklient"},
        )
    client_secret = secrets.token_urlsafe(32)
    secret_hash = hash_password(client_secret)
    now = ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        repo = AccountRepository(uow.session)
        _organisation_of_kind(
            repo, data.municipality_id, {OrganisationKind.MUNICIPALITY}, "municipality_id"
        )
        client_id = _unused_client_id(repo)
        permissions = sorted({p.value for p in data.permissions})
        row = IntegrationClientRow(
            client_id=client_id,
            name=data.name,
            secret_hash=secret_hash,
            municipality_id=data.municipality_id,
            permissions=" ".join(permissions),
            is_active=True,
            created_at=now,
        )
        repo.add(row)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "integration_client.create",
                entity_type="integration_client",
                entity_id=row.id,
                detail={"municipality_id": row.municipality_id, "permissions": permissions},
            ),
            at=now,
        )
        uow.commit()
        return CreatedClient(row, client_secret)


def _unused_client_id(repo: AccountRepository) -> str:
    # 64 random bits make a collision practically impossible; checking costs one indexed read.
    while True:
        candidate = "lu_" + secrets.token_hex(8)
        if repo.client_by_client_id(candidate) is None:
            return candidate


def update_integration_client(
    ctx: AppContext, principal: Principal, integration_client_id: int, data: IntegrationClientUpdate
) -> IntegrationClientRow:
    now = ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        row = AccountRepository(uow.session).client(integration_client_id)
        if row is None:
            raise NotFound(CLIENT_NOT_FOUND)
        if row.is_active == data.is_active:
            return row
        row.is_active = data.is_active
        uow.session.flush()
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "integration_client.update",
                entity_type="integration_client",
                entity_id=row.id,
                detail={"fields": ["is_active"], "is_active": row.is_active},
            ),
            at=now,
        )
        uow.commit()
        return row
