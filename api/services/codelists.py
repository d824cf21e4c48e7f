"""Reference data: reading and publishing code lists, listing the built-in programmes."""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import aliased

from api.context import AppContext
from api.errors import Conflict, NotFound
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models.core import OrganisationRow
from api.persistence.repositories.codelists import CodeListRepository
from api.schemas.codelists import CodeListVersionCreate
from api.security.principal import Principal
from domain.codelists import CodeList, CodeListName
from domain.programmes import BUILT_IN_PROGRAMMES, Programme


def list_code_lists(ctx: AppContext, principal: Principal) -> list[CodeList]:
    with ctx.database.unit_of_work(write=False) as uow:
        return CodeListRepository(uow.session).all_current()


def list_referrer_organisations(ctx: AppContext, principal: Principal) -> list[OrganisationRow]:
    """The organisations a referral may name: national ones (Arbetsförmedlingen,
    Försäkringskassan …) and those that belong to the caller's own municipality (its
    socialtjänst), never another municipality's."""
    parent = aliased(OrganisationRow)
    own = principal.municipality_id
    stmt = (
        select(OrganisationRow)
        .outerjoin(parent, parent.id == OrganisationRow.parent_id)
        .where(OrganisationRow.kind == "referrer")
        .order_by(OrganisationRow.name, OrganisationRow.id)
    )
    if own is not None:
        stmt = stmt.where(
            or_(
                OrganisationRow.parent_id.is_(None),
                parent.kind != "municipality",
                OrganisationRow.parent_id == own,
            )
        )
    with ctx.database.unit_of_work(write=False) as uow:
        rows = list(uow.session.scalars(stmt))
        uow.session.expunge_all()
    return rows


def get_code_list(
    ctx: AppContext, principal: Principal, name: CodeListName, version: int | None = None
) -> CodeList:
    with ctx.database.unit_of_work(write=False) as uow:
        repo = CodeListRepository(uow.session)
        if version is None:
            return repo.current(name)
        found = repo.version(name, version)
    if found is None:
        raise NotFound(f"Kodlistan {name.value} har ingen version {version}.")
    return found


def publish_code_list(
    ctx: AppContext, principal: Principal, name: CodeListName, data: CodeListVersionCreate
) -> CodeList:
    now = ctx.clock.now()
    entries = tuple(entry.to_domain() for entry in data.entries)
    with ctx.database.unit_of_work(write=True) as uow:
        try:
            published = CodeListRepository(uow.session).publish(
                name, data.label, entries, by_user_id=principal.user_id, at=now
            )
            AuditLog(uow.session).append(
                principal,
                AuditEvent(
                    "code_list.publish",
                    entity_type="code_list",
                    detail={"list": name.value, "version": published.version},
                ),
                at=now,
            )
            uow.commit()
        except IntegrityError:
            # Two publishers took the same next version number (PostgreSQL; SQLite queues them).
            raise Conflict(
                f"Någon publicerade en ny version av {name.value} samtidigt. Hämta listan och "
                "försök igen."
            ) from None
    return published


def list_programmes(ctx: AppContext, principal: Principal) -> list[Programme]:
    return list(BUILT_IN_PROGRAMMES.values())
