"""Use cases for the consent ledger (DOMAIN.md §9).

Every giving and withdrawal goes through `domain.consent.record_consent`, which refuses future
dates, withdrawing what is not held, giving twice and dates out of order. What a consent changes
elsewhere (the referrer's view, follow-up contact, evaluation exports) is read from the ledger by
those areas through `ConsentRepository` / `consent_held_condition`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from api.context import AppContext
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.repositories.consents import ConsentRepository, to_domain_entry
from api.schemas.consents import ConsentEntryCreate
from api.security.principal import Principal
from api.services.access_logging import record_read
from api.services.in_scope import participant_in_scope
from domain.consent import (
    ConsentEntry,
    ConsentLedger,
    ConsentPurpose,
    record_consent,
)


@dataclass(frozen=True)
class PurposeState:
    purpose: ConsentPurpose
    held: bool
    given_on: date | None
    withdrawn_on: date | None


@dataclass(frozen=True)
class ConsentView:
    participant_id: int
    purposes: list[PurposeState]
    entries: list[ConsentEntryRow]


def purpose_states(ledger: ConsentLedger, today: date) -> list[PurposeState]:
    """Every purpose, in a fixed order, with its latest consent period."""
    states = []
    for purpose in ConsentPurpose:
        periods = ledger.periods(purpose)
        latest = periods[-1] if periods else None
        states.append(
            PurposeState(
                purpose=purpose,
                held=ledger.holds(purpose, today),
                given_on=latest.given_on if latest else None,
                withdrawn_on=latest.withdrawn_on if latest else None,
            )
        )
    return states


def list_consents(ctx: AppContext, principal: Principal, participant_id: int) -> ConsentView:
    today = ctx.clock.today()
    with ctx.database.unit_of_work(write=False) as uow:
        participant = participant_in_scope(uow.session, principal, participant_id)
        rows = ConsentRepository(uow.session).rows(participant.id)
    ledger = ConsentLedger(tuple(to_domain_entry(r) for r in rows))
    record_read(
        ctx,
        principal,
        AuditEvent("consent.read", [participant.id], "participant", participant.id),
    )
    return ConsentView(participant.id, purpose_states(ledger, today), rows)


def record(
    ctx: AppContext, principal: Principal, participant_id: int, data: ConsentEntryCreate
) -> ConsentEntryRow:
    today, now = ctx.clock.today(), ctx.clock.now()
    entry = ConsentEntry(
        purpose=data.purpose,
        action=data.action,
        effective_on=data.effective_on,
        form_reference=data.form_reference,
    )
    with ctx.database.unit_of_work(write=True) as uow:
        participant = participant_in_scope(uow.session, principal, participant_id)
        repo = ConsentRepository(uow.session)
        repo.lock_ledger(participant.id)
        record_consent(repo.ledger(participant.id), entry, today=today)
        row = repo.append(participant.id, entry, principal, now)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "consent.record",
                [participant.id],
                "consent_entry",
                row.id,
                detail={"purpose": entry.purpose.value, "action": entry.action.value},
            ),
            at=now,
        )
        uow.commit()
        return row
