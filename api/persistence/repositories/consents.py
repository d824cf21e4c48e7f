"""Consent ledger rows <-> `domain.consent.ConsentLedger`, and the "is consent held" questions
other areas ask (the referrer's scope, follow-up contact, evaluation exports)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from sqlalchemy import ColumnElement, and_, exists, select
from sqlalchemy.orm import QueryableAttribute, Session, aliased

from api.persistence.models.consents import ConsentEntryRow
from api.persistence.models.core import ParticipantRow
from api.security.principal import Principal
from domain.consent import ConsentAction, ConsentEntry, ConsentLedger, ConsentPurpose


def to_domain_entry(row: ConsentEntryRow) -> ConsentEntry:
    return ConsentEntry(
        purpose=ConsentPurpose(row.purpose),
        action=ConsentAction(row.action),
        effective_on=row.effective_on,
        form_reference=row.form_reference,
    )


def _latest_entry_is(
    action: ConsentAction,
    participant_id: ColumnElement[int] | QueryableAttribute[int],
    purpose: ConsentPurpose,
    on: date | ColumnElement[date] | None = None,
) -> ColumnElement[bool]:
    """SQL: the participant's latest `purpose` entry dated on or before `on` is `action`.

    Usable inside scope filters and aggregate queries, so nobody loads ledgers to filter.
    `on=None` asks about now: entries are never dated in the future, so that is
    simply the latest entry. It needs no date from the database server, whose CURRENT_DATE
    would be UTC on one backend and the session's zone on the other, not the business day.
    """
    latest = aliased(ConsentEntryRow, name="consent_latest")
    later = aliased(ConsentEntryRow, name="consent_later")
    newer = [
        later.participant_id == latest.participant_id,
        later.purpose == latest.purpose,
        # Same-day entries: the one recorded later wins (ids grow with recording order).
        (later.effective_on > latest.effective_on)
        | and_(later.effective_on == latest.effective_on, later.id > latest.id),
    ]
    held = [
        latest.participant_id == participant_id,
        latest.purpose == purpose.value,
        latest.action == action.value,
    ]
    if on is not None:
        newer.append(later.effective_on <= on)
        held.append(latest.effective_on <= on)
    return exists(select(latest.id).where(*held, ~exists(select(later.id).where(*newer))))


def consent_held_condition(
    participant_id: ColumnElement[int] | QueryableAttribute[int],
    purpose: ConsentPurpose,
    on: date | ColumnElement[date] | None = None,
) -> ColumnElement[bool]:
    """SQL: consent for `purpose` is held (on `on`, or now): the latest entry is a giving."""
    return _latest_entry_is(ConsentAction.GIVEN, participant_id, purpose, on)


def consent_withdrawn_condition(
    participant_id: ColumnElement[int] | QueryableAttribute[int],
    purpose: ConsentPurpose,
) -> ColumnElement[bool]:
    """SQL: consent for `purpose` was given and has been withdrawn (the latest entry is a
    withdrawal). Someone who never recorded an entry for the purpose has withdrawn nothing."""
    return _latest_entry_is(ConsentAction.WITHDRAWN, participant_id, purpose, None)


class ConsentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def ledger(self, participant_id: int) -> ConsentLedger:
        return ConsentLedger(tuple(to_domain_entry(r) for r in self.rows(participant_id)))

    def rows(self, participant_id: int) -> list[ConsentEntryRow]:
        return list(
            self._session.execute(
                select(ConsentEntryRow)
                .where(ConsentEntryRow.participant_id == participant_id)
                .order_by(ConsentEntryRow.id)
            ).scalars()
        )

    def ledgers(self, participant_ids: Iterable[int]) -> dict[int, ConsentLedger]:
        """Many ledgers in one query (task lists, follow-up schedules)."""
        ids = list(set(participant_ids))
        grouped: dict[int, list[ConsentEntry]] = {i: [] for i in ids}
        if ids:
            for row in self._session.execute(
                select(ConsentEntryRow)
                .where(ConsentEntryRow.participant_id.in_(ids))
                .order_by(ConsentEntryRow.id)
            ).scalars():
                grouped[row.participant_id].append(to_domain_entry(row))
        return {i: ConsentLedger(tuple(entries)) for i, entries in grouped.items()}

    def lock_ledger(self, participant_id: int) -> None:
        """Serialise writers of one participant's ledger until commit (PostgreSQL row lock on
        the participant; SQLite writers are already serialised by BEGIN IMMEDIATE). Without it
        two concurrent "given" entries could both pass the "not given twice" rule."""
        self._session.execute(
            select(ParticipantRow.id).where(ParticipantRow.id == participant_id).with_for_update()
        )

    def append(
        self, participant_id: int, entry: ConsentEntry, actor: Principal, at: datetime
    ) -> ConsentEntryRow:
        row = ConsentEntryRow(
            participant_id=participant_id,
            purpose=entry.purpose.value,
            action=entry.action.value,
            effective_on=entry.effective_on,
            form_reference=entry.form_reference,
            recorded_at=at,
            recorded_by_user_id=actor.user_id,
            recorded_by_client_id=actor.client_id,
        )
        self._session.add(row)
        self._session.flush()
        return row
