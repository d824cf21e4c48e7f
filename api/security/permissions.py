"""Roles and permissions as data (ARCHITECTURE.md rule 4).

Routers attach `require(Permission.X)`; *which* records a principal sees is decided separately
by its `Scope`, applied inside the repositories, so lists, counts and single reads all obey it.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    MENTOR = "mentor"
    LEAD_MENTOR = "lead_mentor"
    UNIT_MANAGER = "unit_manager"
    REFERRER = "referrer"
    ASSOCIATION_ANALYST = "association_analyst"
    EVALUATOR = "evaluator"
    ADMIN = "admin"
    # Not a user role: the role a municipal integration client acts in.
    INTEGRATION_CLIENT = "integration_client"


class Permission(StrEnum):
    PARTICIPANT_READ = "participant:read"
    PARTICIPANT_CREATE = "participant:create"
    PARTICIPANT_UPDATE = "participant:update"
    PARTICIPANT_REVEAL_PERSONNUMMER = "participant:reveal_personnummer"
    ENROLMENT_READ = "enrolment:read"
    ENROLMENT_REFER = "enrolment:refer"
    ENROLMENT_TRANSITION = "enrolment:transition"
    ENROLMENT_ASSIGN_MENTOR = "enrolment:assign_mentor"
    REFERRAL_STATUS_READ = "referral_status:read"
    CASELOAD_READ = "caseload:read"
    MUNICIPALITY_MENTORS_READ = "municipality_mentors:read"
    ACCESS_LOG_READ = "access_log:read"
    CODE_LIST_READ = "code_list:read"
    CODE_LIST_PUBLISH = "code_list:publish"
    PROGRAMME_READ = "programme:read"
    USER_ADMIN = "user:admin"
    ORGANISATION_ADMIN = "organisation:admin"
    INTEGRATION_CLIENT_ADMIN = "integration_client:admin"
    # The participant journey (issue 3): each area read and written separately, so a role can
    # review without recording.
    ASSESSMENT_READ = "assessment:read"
    ASSESSMENT_RECORD = "assessment:record"
    FOLLOW_UP_READ = "follow_up:read"
    FOLLOW_UP_RECORD = "follow_up:record"
    ACTIVITY_READ = "activity:read"
    ACTIVITY_RECORD = "activity:record"
    COHORT_READ = "cohort:read"
    COHORT_MANAGE = "cohort:manage"
    PLAN_READ = "plan:read"
    PLAN_WRITE = "plan:write"
    CONSENT_READ = "consent:read"
    CONSENT_RECORD = "consent:record"
    TASKS_READ = "tasks:read"
    # Outcome statistics and exports (issue 4). Statistics: exact for one's own municipality,
    # suppressed small cells for association-wide roles (decided by scope, not permission).
    STATS_READ = "stats:read"
    EVALUATION_EXPORT = "export:evaluation"
    REGISTRATION_EXPORT = "export:registration"


P = Permission

_EVERYONE = frozenset({P.CODE_LIST_READ, P.PROGRAMME_READ})

_JOURNEY_READ = frozenset(
    {
        P.ASSESSMENT_READ,
        P.FOLLOW_UP_READ,
        P.ACTIVITY_READ,
        P.COHORT_READ,
        P.PLAN_READ,
        P.CONSENT_READ,
    }
)

_JOURNEY_WORK = _JOURNEY_READ | {
    P.ASSESSMENT_RECORD,
    P.FOLLOW_UP_RECORD,
    P.ACTIVITY_RECORD,
    P.COHORT_MANAGE,
    P.PLAN_WRITE,
    P.CONSENT_RECORD,
    P.TASKS_READ,
}

_CASE_WORK = (
    frozenset(
        {
            P.PARTICIPANT_READ,
            P.PARTICIPANT_CREATE,
            P.PARTICIPANT_UPDATE,
            P.PARTICIPANT_REVEAL_PERSONNUMMER,
            P.ENROLMENT_READ,
            P.ENROLMENT_REFER,
            P.ENROLMENT_TRANSITION,
            P.CASELOAD_READ,
        }
    )
    | _JOURNEY_WORK
)

ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.MENTOR: _EVERYONE | _CASE_WORK,
    Role.LEAD_MENTOR: _EVERYONE
    | _CASE_WORK
    | {
        P.ENROLMENT_ASSIGN_MENTOR,
        P.MUNICIPALITY_MENTORS_READ,
        P.STATS_READ,
        P.REGISTRATION_EXPORT,
    },
    # The manager reads cases and reviews access logs but does not do case work.
    Role.UNIT_MANAGER: _EVERYONE
    | {
        P.PARTICIPANT_READ,
        P.ENROLMENT_READ,
        P.ACCESS_LOG_READ,
        P.ENROLMENT_ASSIGN_MENTOR,
        P.MUNICIPALITY_MENTORS_READ,
        P.STATS_READ,
        P.REGISTRATION_EXPORT,
    }
    | _JOURNEY_READ,
    Role.REFERRER: _EVERYONE | {P.REFERRAL_STATUS_READ},
    # Aggregates (small cells suppressed) and pseudonymised exports; never person-level records.
    Role.ASSOCIATION_ANALYST: _EVERYONE | {P.STATS_READ},
    Role.EVALUATOR: _EVERYONE | {P.STATS_READ, P.EVALUATION_EXPORT},
    Role.ADMIN: _EVERYONE
    | {P.CODE_LIST_PUBLISH, P.USER_ADMIN, P.ORGANISATION_ADMIN, P.INTEGRATION_CLIENT_ADMIN},
    # An integration client's effective permissions are the ones listed on the client, which
    # must be a subset of this set.
    Role.INTEGRATION_CLIENT: _EVERYONE
    | {
        P.PARTICIPANT_READ,
        P.PARTICIPANT_CREATE,
        P.PARTICIPANT_UPDATE,
        P.ENROLMENT_READ,
        P.ENROLMENT_REFER,
        P.ENROLMENT_TRANSITION,
    },
}

INTEGRATION_GRANTABLE = ROLE_PERMISSIONS[Role.INTEGRATION_CLIENT]

# Roles that belong to one municipality and must have one.
MUNICIPAL_ROLES = frozenset({Role.MENTOR, Role.LEAD_MENTOR, Role.UNIT_MANAGER})
