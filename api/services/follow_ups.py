"""Follow-up use cases: an enrolment's follow-ups, recording a result, due and overdue lists.

The schedule rows are kept in step with the enrolment by the enrolment repository; here they
are read through scoped repositories, statuses are computed by the domain for today, and a
result is validated by the domain (dates, shape, consent to contact) before the guarded write.
"""

from __future__ import annotations

from dataclasses import dataclass

from api.context import AppContext
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.consents import ConsentRepository
from api.persistence.repositories.follow_ups import (
    DueFollowUpLine,
    FollowUpRepository,
    due_follow_up_lines,
    to_scheduled,
)
from api.schemas.follow_ups import FollowUpCreate
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.in_scope import enrolment_in_scope
from domain.codelists import CodeListName
from domain.consent import ConsentLedger
from domain.errors import InvalidTransition
from domain.follow_ups import (
    ALREADY_RECORDED,
    FollowUpResult,
    FollowUpStatus,
    contact_permitted,
    follow_up_status,
    scheduled_follow_up,
    validate_result,
)
from domain.programmes import Programme, get_programme


@dataclass(frozen=True)
class FollowUpView:
    row: FollowUpRow
    status: FollowUpStatus
    label_sv: str
    label_en: str


@dataclass(frozen=True)
class EnrolmentFollowUps:
    enrolment_id: int
    items: list[FollowUpView]


def _view(
    row: FollowUpRow, programme: Programme, ledger: ConsentLedger, ctx: AppContext
) -> FollowUpView:
    today = ctx.clock.today()
    rule = programme.follow_up_rule(row.kind)
    status = follow_up_status(
        row.due_on,
        recorded=row.recorded_at is not None,
        contact_permitted=contact_permitted(row.requires_contact_consent, ledger, today),
        today=today,
    )
    # A kind a later programme version dropped keeps its stored rows; show its code then.
    return FollowUpView(
        row,
        status,
        rule.label_sv if rule else row.kind,
        rule.label_en if rule else row.kind,
    )


def list_enrolment_follow_ups(
    ctx: AppContext, principal: Principal, enrolment_id: int
) -> EnrolmentFollowUps:
    with ctx.database.unit_of_work(write=False) as uow:
        scope = scope_for(principal)
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        participant_id = loaded.row.participant_id
        rows = FollowUpRepository(uow.session, scope).for_enrolment(enrolment_id)
        ledger = (
            ConsentRepository(uow.session).ledger(participant_id)
            if any(r.requires_contact_consent and r.recorded_at is None for r in rows)
            else ConsentLedger()
        )
        programme = get_programme(loaded.row.programme_code)
        views = [_view(r, programme, ledger, ctx) for r in rows]
    record_read(
        ctx,
        principal,
        AuditEvent("follow_up.list", [participant_id], "enrolment", enrolment_id),
    )
    return EnrolmentFollowUps(enrolment_id, views)


def record_follow_up(
    ctx: AppContext, principal: Principal, enrolment_id: int, data: FollowUpCreate
) -> FollowUpView:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        scope = scope_for(principal)
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        participant_id = loaded.row.participant_id
        programme = get_programme(loaded.row.programme_code)
        rows = {
            r.kind: r for r in FollowUpRepository(uow.session, scope).for_enrolment(enrolment_id)
        }
        scheduled = scheduled_follow_up(
            programme, tuple(to_scheduled(r) for r in rows.values()), data.kind
        )
        row = rows[scheduled.kind]
        ledger = (
            ConsentRepository(uow.session).ledger(participant_id)
            if scheduled.requires_contact_consent
            else ConsentLedger()
        )
        result = validate_result(
            scheduled,
            FollowUpResult(
                contacted_on=data.contacted_on,
                contact_reached=data.contact_reached,
                attempts=data.attempts,
                final_non_response=data.final_non_response,
                status_group=data.status_group,
                employment_extent_percent=data.employment_extent_percent,
                self_supporting=data.self_supporting,
                current_benefit=data.current_benefit,
                note=data.note,
            ),
            recorded=row.recorded_at is not None,
            ledger=ledger,
            today=today,
        )
        if result.current_benefit is not None:
            CodeListRepository(uow.session).current(CodeListName.BENEFIT).require(
                result.current_benefit, on=result.contacted_on, field="current_benefit"
            )
        if not FollowUpRepository(uow.session, scope).record(row, result, principal, now):
            # A concurrent request recorded it between our read and our write.
            raise InvalidTransition(ALREADY_RECORDED, fields={"kind": "redan registrerad"})
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "follow_up.record",
                [participant_id],
                "follow_up",
                row.id,
                detail={"enrolment_id": enrolment_id, "kind": row.kind},
            ),
            at=now,
        )
        uow.commit()
        return _view(row, programme, ledger, ctx)


def list_due_follow_ups(
    ctx: AppContext, principal: Principal, *, within_days: int, mentor_id: int | None
) -> list[DueFollowUpLine]:
    with ctx.database.read_connection() as connection:
        lines = due_follow_up_lines(
            connection,
            scope_for(principal),
            today=ctx.clock.today(),
            within_days=within_days,
            mentor_id=mentor_id,
        )
    if lines:
        # Names and masked numbers of people: a read of each person's record.
        record_read(
            ctx,
            principal,
            AuditEvent(
                "follow_up.due_list",
                [line.participant_id for line in lines],
                detail={"within_days": within_days, "mentor_filter": mentor_id is not None},
            ),
        )
    return lines
