"""Participant use cases: register, find, read, change plain fields, reveal, access log."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.context import AppContext
from api.errors import Conflict, NotFound, PreconditionFailed
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import (
    AuditEntryRow,
    AuditSubjectRow,
    EnrolmentRow,
    OrganisationRow,
    ParticipantRow,
    UserRow,
)
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.enrolments import EnrolmentRepository
from api.persistence.repositories.participants import (
    ParticipantFilter,
    ParticipantRepository,
    search_name,
)
from api.schemas.participants import ParticipantCreate, ParticipantSearch, ParticipantUpdate
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.cursors import decode_cursor, encode_cursor
from api.services.in_scope import PARTICIPANT_NOT_FOUND
from domain.codelists import CodeListName
from domain.errors import InvalidInput
from domain.personnummer import Personnummer


@dataclass
class ParticipantPageResult:
    rows: list[ParticipantRow]
    latest: dict[int, EnrolmentRow]
    next_cursor: str | None


def _require_municipality(principal: Principal) -> int:
    if principal.municipality_id is None:
        raise InvalidInput("Ditt konto hör inte till någon kommun.")
    return principal.municipality_id


def _check_education(session: Session, code: str | None, today: date) -> None:
    if code is not None:
        CodeListRepository(session).current(CodeListName.EDUCATION_LEVEL).require(
            code, on=today, field="education_level"
        )


@dataclass(frozen=True)
class ParticipantView:
    row: ParticipantRow
    enrolments: list[EnrolmentRow]
    municipality_name: str


def _municipality_name(session: Session, municipality_id: int) -> str:
    municipality = session.get(OrganisationRow, municipality_id)
    return municipality.name if municipality is not None else ""


def create_participant(
    ctx: AppContext, principal: Principal, data: ParticipantCreate
) -> ParticipantView:
    today, now = ctx.clock.today(), ctx.clock.now()
    pnr = Personnummer.parse(data.personnummer, today=today)
    municipality_id = _require_municipality(principal)
    with ctx.database.unit_of_work(write=True) as uow:
        repo = ParticipantRepository(uow.session, scope_for(principal))
        if repo.personnummer_taken(municipality_id, pnr.digits):
            raise Conflict(
                "Personen finns redan registrerad i kommunen.",
                fields={"personnummer": "finns redan"},
            )
        _check_education(uow.session, data.education_level, today)
        row = repo.add(
            ParticipantRow(
                municipality_id=municipality_id,
                personnummer=pnr.digits,
                first_name=data.first_name,
                last_name=data.last_name,
                search_name=search_name(data.first_name, data.last_name),
                phone=data.phone,
                email=data.email,
                address=data.address,
                gender=data.gender.value if data.gender else None,
                education_level=data.education_level,
                protected_identity=data.protected_identity,
                created_by_user_id=principal.user_id,
                created_at=now,
                updated_at=now,
            )
        )
        if row.protected_identity and principal.user_id is not None:
            repo.grant_protected_access(
                row.id, principal.user_id, by_user_id=principal.user_id, at=now
            )
        AuditLog(uow.session).append(
            principal, AuditEvent("participant.create", [row.id], "participant", row.id), at=now
        )
        uow.commit()
        return ParticipantView(row, [], _municipality_name(uow.session, row.municipality_id))


def get_participant(ctx: AppContext, principal: Principal, participant_id: int) -> ParticipantView:
    with ctx.database.unit_of_work(write=False) as uow:
        scope = scope_for(principal)
        row = ParticipantRepository(uow.session, scope).get(participant_id)
        if row is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
        enrolments = EnrolmentRepository(uow.session, scope).for_participant(row.id)
        municipality_name = _municipality_name(uow.session, row.municipality_id)
    record_read(ctx, principal, AuditEvent("participant.read", [row.id], "participant", row.id))
    return ParticipantView(row, [e.row for e in enrolments], municipality_name)


def find_participants(
    ctx: AppContext, principal: Principal, query: ParticipantSearch
) -> ParticipantPageResult:
    pnr = (
        Personnummer.parse(query.personnummer, today=ctx.clock.today()).digits
        if query.personnummer
        else None
    )
    after: tuple[str, int] | None = None
    if query.cursor:
        name, last_id = decode_cursor(query.cursor, str, int)
        after = (name, last_id)
    flt = ParticipantFilter(
        name=query.name,
        personnummer=pnr,
        state=query.state.value if query.state else None,
        step=query.level,
        mentor_id=query.mentor_id,
    )
    with ctx.database.unit_of_work(write=False) as uow:
        scope = scope_for(principal)
        rows = ParticipantRepository(uow.session, scope).page(
            flt, after=after, limit=query.limit + 1
        )
        more = len(rows) > query.limit
        rows = rows[: query.limit]
        latest = EnrolmentRepository(uow.session, scope).latest_for_participants(
            [r.id for r in rows]
        )
    if rows:
        # A list shows names and masked numbers: that is a read of each person's record.
        filters = sorted(k for k, v in vars(flt).items() if v is not None)
        record_read(
            ctx,
            principal,
            AuditEvent("participant.list", [r.id for r in rows], detail={"filters": filters}),
        )
    cursor = encode_cursor(rows[-1].search_name, rows[-1].id) if more else None
    return ParticipantPageResult(rows, latest, cursor)


def update_participant(
    ctx: AppContext,
    principal: Principal,
    participant_id: int,
    data: ParticipantUpdate,
    *,
    expected_version: int,
) -> ParticipantView:
    now = ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        row = ParticipantRepository(uow.session, scope_for(principal)).get(participant_id)
        if row is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
        if row.version != expected_version:
            raise PreconditionFailed("Någon annan har ändrat deltagaren. Läs in den igen.")
        # mode="json": enums arrive as their stored values (gender "woman", not Gender.WOMAN).
        changes = data.model_dump(exclude_unset=True, mode="json")
        for name in ("first_name", "last_name"):
            if name in changes and changes[name] is None:
                raise InvalidInput("Namn kan inte tas bort.", fields={name: "krävs"})
        _check_education(uow.session, changes.get("education_level"), ctx.clock.today())
        for name, value in changes.items():
            setattr(row, name, value)
        row.search_name = search_name(row.first_name, row.last_name)
        row.updated_at = now
        uow.session.flush()
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "participant.update",
                [row.id],
                "participant",
                row.id,
                detail={"fields": sorted(changes)},
            ),
            at=now,
        )
        uow.commit()
        return ParticipantView(row, [], _municipality_name(uow.session, row.municipality_id))


def reveal_personnummer(
    ctx: AppContext, principal: Principal, participant_id: int, reason: str
) -> Personnummer:
    with ctx.database.unit_of_work(write=False) as uow:
        row = ParticipantRepository(uow.session, scope_for(principal)).get(participant_id)
        if row is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
    record_read(
        ctx,
        principal,
        AuditEvent(
            "participant.reveal_personnummer", [row.id], "participant", row.id, purpose=reason
        ),
    )
    return Personnummer(row.personnummer)


def access_log(
    ctx: AppContext, principal: Principal, participant_id: int, *, cursor: str | None, limit: int
) -> tuple[list[tuple[AuditEntryRow, str | None]], str | None]:
    """Who did what with this person's record, newest first (the manager's review)."""
    before = decode_cursor(cursor, int)[0] if cursor else None
    with ctx.database.unit_of_work(write=False) as uow:
        row = ParticipantRepository(uow.session, scope_for(principal)).get(participant_id)
        if row is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
        stmt = (
            select(AuditEntryRow, UserRow.display_name)
            .join(AuditSubjectRow, AuditSubjectRow.audit_id == AuditEntryRow.id)
            .outerjoin(
                UserRow,
                (UserRow.id == AuditEntryRow.actor_id) & (AuditEntryRow.actor_kind == "user"),
            )
            .where(AuditSubjectRow.participant_id == row.id)
            .order_by(AuditEntryRow.id.desc())
            .limit(limit + 1)
        )
        if before is not None:
            stmt = stmt.where(AuditEntryRow.id < before)
        entries: list[tuple[AuditEntryRow, str | None]] = [
            (e, name) for e, name in uow.session.execute(stmt)
        ]
    # Reviewing the log is itself a read of the person's data.
    record_read(
        ctx, principal, AuditEvent("participant.access_log.read", [row.id], "participant", row.id)
    )
    more = len(entries) > limit
    entries = entries[:limit]
    return entries, (encode_cursor(entries[-1][0].id) if more else None)
