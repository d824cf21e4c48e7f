"""Enrolment use cases: referral, every state transition through the domain, mentor changes.

State changes only ever go through `domain.enrolment.apply` (ARCHITECTURE.md rule 2). Each
command is guarded by the enrolment's version (If-Match) and by the ORM version counter, so of
two concurrent transitions exactly one wins and the other gets 412 or 409.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.exc import StaleDataError

from api.context import AppContext
from api.errors import Conflict, NotFound, PreconditionFailed
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import (
    EnrolmentRow,
    MentorAssignmentRow,
    OrganisationRow,
    ParticipantRow,
    UserRow,
)
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.enrolments import EnrolmentRepository, LoadedEnrolment
from api.persistence.repositories.participants import ParticipantRepository
from api.schemas.enrolments import EnrolmentCreate, MentorAssignmentCreate
from api.security.permissions import Role
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.in_scope import ENROLMENT_NOT_FOUND, PARTICIPANT_NOT_FOUND
from domain import enrolment as sm
from domain.codelists import CodeListName
from domain.errors import InvalidInput
from domain.personnummer import Personnummer
from domain.programmes import get_programme

STALE = "Någon annan har ändrat inskrivningen under tiden. Läs in den igen och försök på nytt."

MENTORING_ROLES = (Role.MENTOR.value, Role.LEAD_MENTOR.value)


@dataclass
class EnrolmentView:
    loaded: LoadedEnrolment
    mentor_history: list[MentorAssignmentRow]
    mentor_name: str | None = None
    referrer_organisation_name: str | None = None


def _view(session: Session, repo: EnrolmentRepository, loaded: LoadedEnrolment) -> EnrolmentView:
    """The enrolment with the names a reader needs beside the ids (the mentor's, the referrer
    organisation's): staff and organisation names, no participant data."""
    row = loaded.row
    mentor = session.get(UserRow, row.mentor_id) if row.mentor_id is not None else None
    referrer = (
        session.get(OrganisationRow, row.referrer_organisation_id)
        if row.referrer_organisation_id is not None
        else None
    )
    return EnrolmentView(
        loaded,
        repo.mentor_history(row.id),
        mentor_name=mentor.display_name if mentor is not None else None,
        referrer_organisation_name=referrer.name if referrer is not None else None,
    )


# A command factory gets the session and today, so Exit can resolve its codes from the
# current code-list versions while the domain stays free of I/O.
CommandFactory = Callable[[Session, date], sm.Command]


def _check_mentor(session: Session, mentor_id: int, municipality_id: int) -> None:
    mentor = session.get(UserRow, mentor_id)
    if (
        mentor is None
        or not mentor.is_active
        or mentor.role not in MENTORING_ROLES
        or mentor.municipality_id != municipality_id
    ):
        raise InvalidInput("Mentorn finns inte i kommunen.", fields={"mentor_id": "okänd mentor"})


def _check_referrer(session: Session, data: EnrolmentCreate, today: date) -> None:
    if data.referrer_organisation_id is not None:
        org = session.get(OrganisationRow, data.referrer_organisation_id)
        if org is None or org.kind != "referrer":
            raise InvalidInput(
                "Remitterande organisation finns inte.",
                fields={"referrer_organisation_id": "okänd organisation"},
            )
    if data.referrer_user_id is not None:
        user = session.get(UserRow, data.referrer_user_id)
        if user is None or user.role != Role.REFERRER.value:
            raise InvalidInput(
                "Handläggaren finns inte som användare.",
                fields={"referrer_user_id": "okänd handläggare"},
            )
    if data.benefit_at_start is not None:
        CodeListRepository(session).current(CodeListName.BENEFIT).require(
            data.benefit_at_start, on=today, field="benefit_at_start"
        )


def refer(
    ctx: AppContext, principal: Principal, participant_id: int, data: EnrolmentCreate
) -> EnrolmentView:
    today, now = ctx.clock.today(), ctx.clock.now()
    programme = get_programme(data.programme_code)
    with ctx.database.unit_of_work(write=True) as uow:
        scope = scope_for(principal)
        participant = ParticipantRepository(uow.session, scope).get(participant_id)
        if participant is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
        _check_referrer(uow.session, data, today)
        mentor_id = data.mentor_id
        if mentor_id is None and principal.role.value in MENTORING_ROLES:
            mentor_id = principal.user_id
        if mentor_id is not None:
            _check_mentor(uow.session, mentor_id, participant.municipality_id)
        birth_date = Personnummer(participant.personnummer).birth_date
        enrolment, _events = sm.open_referral(
            programme, referred_on=data.referred_on, birth_date=birth_date, today=today
        )
        repo = EnrolmentRepository(uow.session, scope)
        row = EnrolmentRow(
            participant_id=participant.id,
            municipality_id=participant.municipality_id,
            programme_code=programme.code,
            referrer_organisation_id=data.referrer_organisation_id,
            referrer_contact_name=data.referrer_contact_name,
            referrer_contact_phone=data.referrer_contact_phone,
            referrer_contact_email=data.referrer_contact_email,
            referrer_user_id=data.referrer_user_id,
            benefit_at_start=data.benefit_at_start,
            months_on_support_before_start=data.months_on_support_before_start,
            created_at=now,
            updated_at=now,
        )
        loaded = repo.add(row, enrolment, principal, now)
        if mentor_id is not None:
            _assign(
                uow.session,
                repo,
                loaded.row,
                participant,
                mentor_id,
                on=data.referred_on,
                reason=None,
                principal=principal,
                now=now,
            )
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "enrolment.refer",
                [participant.id],
                "enrolment",
                row.id,
                detail={"programme": programme.code},
            ),
            at=now,
        )
        uow.commit()
        return _view(uow.session, repo, loaded)


def _assign(
    session: Session,
    repo: EnrolmentRepository,
    row: EnrolmentRow,
    participant: ParticipantRow,
    mentor_id: int,
    *,
    on: date,
    reason: str | None,
    principal: Principal,
    now: datetime,
) -> None:
    repo.assign_mentor(row, mentor_id, on=on, reason=reason, by_user_id=principal.user_id, at=now)
    if participant.protected_identity:
        # The mentor of a protected person must be one of the named users who may see them.
        ParticipantRepository(session, scope_for(principal)).grant_protected_access(
            participant.id, mentor_id, by_user_id=principal.user_id, at=now
        )


def get_enrolment(ctx: AppContext, principal: Principal, enrolment_id: int) -> EnrolmentView:
    with ctx.database.unit_of_work(write=False) as uow:
        repo = EnrolmentRepository(uow.session, scope_for(principal))
        loaded = repo.get(enrolment_id)
        if loaded is None:
            raise NotFound(ENROLMENT_NOT_FOUND)
        view = _view(uow.session, repo, loaded)
    record_read(
        ctx,
        principal,
        AuditEvent("enrolment.read", [loaded.row.participant_id], "enrolment", loaded.row.id),
    )
    return view


def transition(
    ctx: AppContext,
    principal: Principal,
    enrolment_id: int,
    make_command: CommandFactory,
    *,
    expected_version: int,
) -> EnrolmentView:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        repo = EnrolmentRepository(uow.session, scope_for(principal))
        loaded = repo.get(enrolment_id, for_update=True)
        if loaded is None:
            raise NotFound(ENROLMENT_NOT_FOUND)
        if loaded.row.version != expected_version:
            raise PreconditionFailed(STALE)
        command = make_command(uow.session, today)
        programme = get_programme(loaded.row.programme_code)
        new, events = sm.apply(loaded.enrolment, command, programme=programme, today=today)
        try:
            saved = repo.save(loaded, new, principal, now)
        except (StaleDataError, IntegrityError):
            # Backstop behind the row lock: a concurrent writer got the same sequence number.
            raise Conflict(STALE) from None
        recorded = next(e.transition for e in events if isinstance(e, sm.TransitionRecorded))
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                f"enrolment.{recorded.kind.value}",
                [loaded.row.participant_id],
                "enrolment",
                loaded.row.id,
                detail={"seq": recorded.seq},
            ),
            at=now,
        )
        uow.commit()
        return _view(uow.session, repo, saved)


def exit_command(effective_on: date, reason_code: str, status_code: str) -> CommandFactory:
    def build(session: Session, today: date) -> sm.Command:
        codes = CodeListRepository(session)
        return sm.Exit(
            effective_on=effective_on,
            exit_reason=codes.current(CodeListName.EXIT_REASON).require(
                reason_code, on=effective_on, field="exit_reason_code"
            ),
            exit_status=codes.current(CodeListName.EXIT_STATUS).require(
                status_code, on=effective_on, field="exit_status_code"
            ),
        )

    return build


def plain_command(command: sm.Command) -> CommandFactory:
    return lambda _session, _today: command


def assign_mentor(
    ctx: AppContext,
    principal: Principal,
    enrolment_id: int,
    data: MentorAssignmentCreate,
    *,
    expected_version: int,
) -> EnrolmentView:
    today, now = ctx.clock.today(), ctx.clock.now()
    on = data.assigned_on or today
    if on > today:
        raise InvalidInput(
            "Tilldelningsdatumet ligger i framtiden.", fields={"assigned_on": "datum i framtiden"}
        )
    with ctx.database.unit_of_work(write=True) as uow:
        scope = scope_for(principal)
        repo = EnrolmentRepository(uow.session, scope)
        loaded = repo.get(enrolment_id, for_update=True)
        if loaded is None:
            raise NotFound(ENROLMENT_NOT_FOUND)
        if loaded.row.version != expected_version:
            raise PreconditionFailed(STALE)
        if loaded.enrolment.is_terminal:
            raise InvalidInput("En avslutad inskrivning kan inte få ny mentor.")
        if loaded.row.mentor_id == data.mentor_id:
            raise InvalidInput(
                "Deltagaren har redan den mentorn.", fields={"mentor_id": "samma mentor"}
            )
        participant = uow.session.get(ParticipantRow, loaded.row.participant_id)
        assert participant is not None
        _check_mentor(uow.session, data.mentor_id, participant.municipality_id)
        _assign(
            uow.session,
            repo,
            loaded.row,
            participant,
            data.mentor_id,
            on=on,
            reason=data.reason,
            principal=principal,
            now=now,
        )
        try:
            uow.session.flush()
        except StaleDataError:
            raise Conflict(STALE) from None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "enrolment.assign_mentor",
                [participant.id],
                "enrolment",
                loaded.row.id,
                detail={"mentor_id": data.mentor_id},
            ),
            at=now,
        )
        uow.commit()
        # The history is unchanged and the flush already bumped the row's version: no re-read.
        return _view(uow.session, repo, loaded)


def list_for_participant(
    ctx: AppContext, principal: Principal, participant_id: int
) -> list[EnrolmentView]:
    with ctx.database.unit_of_work(write=False) as uow:
        scope = scope_for(principal)
        if ParticipantRepository(uow.session, scope).get(participant_id) is None:
            raise NotFound(PARTICIPANT_NOT_FOUND)
        repo = EnrolmentRepository(uow.session, scope)
        loaded = repo.for_participant(participant_id)
        views = [_view(uow.session, repo, item) for item in loaded]
    record_read(
        ctx,
        principal,
        AuditEvent("enrolment.list", [participant_id], "participant", participant_id),
    )
    return views
