"""A principal's Scope as SQL conditions. The one place that decides who sees which person."""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, or_, select
from sqlalchemy.orm import aliased

from api.persistence.models import EnrolmentRow, ParticipantRow, ProtectedIdentityGrantRow
from api.security.principal import Scope, ScopeKind


def participant_visible(scope: Scope) -> ColumnElement[bool]:
    p = ParticipantRow
    if scope.kind is ScopeKind.MUNICIPALITY:
        base: ColumnElement[bool] = p.municipality_id == scope.municipality_id
    elif scope.kind is ScopeKind.CASELOAD:
        # An alias, so the subquery still has a FROM when the outer query selects enrolments.
        mine, any_enrolment = aliased(EnrolmentRow), aliased(EnrolmentRow)
        mentored = exists(
            select(mine.id).where(mine.participant_id == p.id, mine.mentor_id == scope.user_id)
        )
        # Someone the mentor registered stays visible only until an enrolment puts them in a
        # caseload; after a reassignment the former mentor must lose them.
        registered_unenrolled = and_(
            p.created_by_user_id == scope.user_id,
            ~exists(select(any_enrolment.id).where(any_enrolment.participant_id == p.id)),
        )
        base = and_(
            p.municipality_id == scope.municipality_id, or_(mentored, registered_unenrolled)
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
    """Enrolments a scope may see; the caller joins ParticipantRow on the enrolment."""
    if scope.kind is ScopeKind.REFERRALS:
        # A referrer is never shown a protected person unless named on the record.
        return and_(
            EnrolmentRow.referrer_user_id == scope.user_id, _protected_identity_allows(scope)
        )
    return participant_visible(scope)
