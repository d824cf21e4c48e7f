"""Who is calling (Principal) and which records they may see (Scope).

The scope is computed once per request from the principal and handed to every repository, which
turns it into a WHERE clause; services never filter by hand.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from api.security.permissions import Permission, Role


class ActorKind(StrEnum):
    USER = "user"
    CLIENT = "client"
    SYSTEM = "system"


@dataclass(frozen=True, slots=True)
class Principal:
    kind: ActorKind
    id: int
    role: Role
    permissions: frozenset[Permission]
    municipality_id: int | None
    organisation_id: int | None
    display_name: str

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind is ActorKind.USER else None

    @property
    def client_id(self) -> int | None:
        return self.id if self.kind is ActorKind.CLIENT else None

    @property
    def subject(self) -> str:
        return f"{self.kind.value}:{self.id}"


class ScopeKind(StrEnum):
    CASELOAD = "caseload"  # a mentor: people whose enrolment they mentor or whom they registered
    MUNICIPALITY = "municipality"  # lead mentor, unit manager, integration client
    REFERRALS = "referrals"  # a referrer: enrolments they referred
    NONE = "none"  # association staff, evaluators, admins: no person-level records


@dataclass(frozen=True, slots=True)
class Scope:
    kind: ScopeKind
    municipality_id: int | None = None
    # The user whose caseload/referrals these are, and who may be named on protected records.
    user_id: int | None = None


_MUNICIPALITY_ROLES = {Role.LEAD_MENTOR, Role.UNIT_MANAGER, Role.INTEGRATION_CLIENT}


def scope_for(principal: Principal) -> Scope:
    if principal.role is Role.MENTOR and principal.municipality_id is not None:
        return Scope(ScopeKind.CASELOAD, principal.municipality_id, principal.user_id)
    if principal.role in _MUNICIPALITY_ROLES and principal.municipality_id is not None:
        return Scope(ScopeKind.MUNICIPALITY, principal.municipality_id, principal.user_id)
    if principal.role is Role.REFERRER:
        return Scope(ScopeKind.REFERRALS, None, principal.user_id)
    return Scope(ScopeKind.NONE)
