"""A principal's Scope as SQL conditions. The one place that decides who sees which person.

The conditions are built from bound parameters (`:scope_municipality_id`, `:scope_user_id`)
and cached per scope *shape*, because building SQLAlchemy expressions in Python costs far
more than running them (the caseload benchmark spent ~40 % of its time here). Callers either
use `participant_visible(scope)` (values bound in) or a cached statement plus `scope_params`.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from sqlalchemy import ColumnElement, and_, bindparam, exists, false, or_, select
from sqlalchemy.orm import aliased

from api.persistence.models import EnrolmentRow, ParticipantRow, ProtectedIdentityGrantRow
from api.persistence.repositories.consents import consent_held_condition
from api.security.principal import Scope, ScopeKind
from domain.consent import ConsentPurpose

# Aliases, so the subqueries keep their own FROM when the outer query selects enrolments.
_MINE = aliased(EnrolmentRow, name="scope_mine")
_ANY_ENROLMENT = aliased(EnrolmentRow, name="scope_any_enrolment")

_MUNICIPALITY = bindparam("scope_municipality_id", type_=ParticipantRow.municipality_id.type)
_USER = bindparam("scope_user_id", type_=ParticipantRow.created_by_user_id.type)


def scope_params(scope: Scope) -> dict[str, Any]:
    """The bound values every scope condition expects."""
    return {"scope_municipality_id": scope.municipality_id, "scope_user_id": scope.user_id}


def _participant(kind: ScopeKind, municipality: Any, user: Any) -> ColumnElement[bool]:
    """`municipality` and `user` are plain values or bound parameters (for cached statements)."""
    p = ParticipantRow
    if kind is ScopeKind.MUNICIPALITY:
        base: ColumnElement[bool] = p.municipality_id == municipality
    elif kind is ScopeKind.CASELOAD:
        mentored = exists(
            select(_MINE.id).where(_MINE.participant_id == p.id, _MINE.mentor_id == user)
        )
        # Someone the mentor registered stays visible only until an enrolment puts them in a
        # caseload; after a reassignment the former mentor must lose them.
        registered_unenrolled = and_(
            p.created_by_user_id == user,
            ~exists(select(_ANY_ENROLMENT.id).where(_ANY_ENROLMENT.participant_id == p.id)),
        )
        base = and_(p.municipality_id == municipality, or_(mentored, registered_unenrolled))
    else:
        # Referrers see enrolment status through their own endpoint, never participant records.
        return false()
    return and_(base, _protected_identity(user))


def _protected_identity(user: Any) -> ColumnElement[bool]:
    if user is None:
        # Integration clients are never named users: protected records do not exist for them.
        return ParticipantRow.protected_identity.is_(False)
    named = exists(
        select(ProtectedIdentityGrantRow.user_id).where(
            ProtectedIdentityGrantRow.participant_id == ParticipantRow.id,
            ProtectedIdentityGrantRow.user_id == user,
        )
    )
    return or_(ParticipantRow.protected_identity.is_(False), named)


def _enrolment(kind: ScopeKind, municipality: Any, user: Any) -> ColumnElement[bool]:
    if kind is ScopeKind.REFERRALS:
        # A referrer is never shown a protected person unless named on the record, and sees
        # the status only while the person's consent to information exchange with the
        # referrer holds (DOMAIN.md §9): a withdrawal hides the enrolment at once.
        return and_(
            EnrolmentRow.referrer_user_id == user,
            _protected_identity(user),
            consent_held_condition(
                EnrolmentRow.participant_id, ConsentPurpose.REFERRER_INFORMATION_EXCHANGE
            ),
        )
    return _participant(kind, municipality, user)


@cache
def participant_condition(kind: ScopeKind, has_user: bool) -> ColumnElement[bool]:
    """Cached and parametrised, for prebuilt statements: execute with `scope_params(scope)`."""
    return _participant(kind, _MUNICIPALITY, _USER if has_user else None)


def participant_visible(scope: Scope) -> ColumnElement[bool]:
    """The participants a scope may see."""
    return _participant(scope.kind, scope.municipality_id, scope.user_id)


def enrolment_visible(scope: Scope) -> ColumnElement[bool]:
    """Enrolments a scope may see; the caller joins ParticipantRow on the enrolment."""
    return _enrolment(scope.kind, scope.municipality_id, scope.user_id)
