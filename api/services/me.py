"""The caller's own views: the mentor's caseload and the referrer's referrals."""

from __future__ import annotations

from sqlalchemy import Connection

from api.context import AppContext
from api.persistence.audit import AuditEvent
from api.persistence.models import EnrolmentRow, ParticipantRow
from api.persistence.repositories.enrolments import (
    CaseloadLine,
    MentorLoad,
    caseload_lines,
    mentor_loads,
    referral_lines,
)
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.cursors import decode_cursor, encode_cursor
from domain.errors import InvalidInput


def my_caseload(
    connection: Connection, principal: Principal
) -> tuple[list[CaseloadLine], AuditEvent | None]:
    """The caller's open enrolments, and the audit event of the read (None when it showed no
    one), which the caller logs before returning the lines (HotReads.read_audited)."""
    if principal.user_id is None:
        raise InvalidInput("Bara användare har en egen ärendelista.")
    lines = caseload_lines(connection, scope_for(principal), principal.user_id)
    if not lines:
        return lines, None
    return lines, AuditEvent("caseload.read", [line.participant_id for line in lines])


def municipality_mentors(ctx: AppContext, principal: Principal) -> list[MentorLoad]:
    if principal.municipality_id is None:
        raise InvalidInput("Ditt konto hör inte till någon kommun.")
    with ctx.database.unit_of_work(write=False) as uow:
        return mentor_loads(uow.session, principal.municipality_id)


def my_referrals(
    ctx: AppContext, principal: Principal, *, cursor: str | None, limit: int
) -> tuple[list[tuple[EnrolmentRow, ParticipantRow]], str | None]:
    after = decode_cursor(cursor, int)[0] if cursor else None
    with ctx.database.unit_of_work(write=False) as uow:
        rows = referral_lines(uow.session, scope_for(principal), after_id=after, limit=limit + 1)
        more = len(rows) > limit
        rows = rows[:limit]
    if rows:
        record_read(ctx, principal, AuditEvent("referral_status.read", [p.id for _, p in rows]))
    return rows, (encode_cursor(rows[-1][0].id) if more else None)
