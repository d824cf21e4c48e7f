"""A principal's Scope as SQL conditions. The one place that decides who sees which person."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select, true
from sqlalchemy.orm import aliased

from api.persistence.models import EnrolmentRow, ParticipantRow, ProtectedIdentityGrantRow
from api.security.principal import Scope, ScopeKind


def participant_visible(scope: Scope) -> ColumnElement[bool]:
    p = ParticipantRow
    if scope.kind is ScopeKind.MUNICIPALITY:
        base: ColumnElement[bool] = p.municipality_id == scope.municipality_id
    elif scope.kind is ScopeKind.CASELOAD:
        # An alias, so the subquery still has a FROM when the outer query selects enrolments.
        mine = aliased(EnrolmentRow)
        mentored = exists(
            select(mine.id).where(mine.participant_id == p.id, mine.mentor_id == scope.user_id)
        )
        base = and_(
            p.municipality_id == scope.municipality_id,
            or_(mentored, p.created_by_user_id == scope.user_id),
        )
    else:
        # Referrers see enrolment status through their own endpoint, never participant records.
        return false()
    return and_(base, _protected_identity_allows(scope))


def _protected_identity_allows(scope: Scope) -> ColumnElement[bool]:
    if scope.user_id is None:
        # Integration clients are never named users: protected records do not exist for them.
        return ParticipantRow.protected_identity.is_(False)
    named = exists(
        select(ProtectedIdentityGrantRow.user_id).where(
            ProtectedIdentityGrantRow.participant_id == ParticipantRow.id,
            ProtectedIdentityGrantRow.user_id == scope.user_id,
        )
    )
    return or_(ParticipantRow.protected_identity.is_(False), named)


def enrolment_visible(scope: Scope) -> ColumnElement[bool]:
    """An enrolment is visible when its participant is (the join is the caller's)."""
    if scope.kind is ScopeKind.REFERRALS:
        return EnrolmentRow.referrer_user_id == scope.user_id
    if scope.kind is ScopeKind.NONE:
        return false()
    return true()
