"""Logging a read of personal data before the data is returned (DOMAIN.md §9)."""

from __future__ import annotations

from api.context import AppContext
from api.persistence.audit import AuditEvent
from api.security.principal import Principal


def record_read(ctx: AppContext, principal: Principal, event: AuditEvent) -> None:
    """Blocks until the entry is committed (shared group commit, see read_audit).

    Call it after the read's unit of work is closed, so waiting for the shared commit never
    holds a pooled connection that the committing thread may need.
    """
    ctx.read_audit.record(principal, event, at=ctx.clock.now())
