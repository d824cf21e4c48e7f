"""ORM rows, one module per area. `core` holds the case core; the journey areas (self-assessment,
follow-ups, activities and cohorts, plans and resource groups, consents) have their own modules,
as has the task list's read model (`tasks`).

Importing the package registers every table on `Base.metadata`, which Alembic's comparison
test and the migrations rely on.
"""

# Imported for their side effect: each module's tables join Base.metadata.
from api.persistence.models import (  # noqa: F401
    activities,
    assessments,
    consents,
    follow_ups,
    plans,
    tasks,
)
from api.persistence.models.core import (
    NAMING_CONVENTION,
    AuditChainHeadRow,
    AuditEntryRow,
    AuditSubjectRow,
    Base,
    CodeListEntryRow,
    CodeListVersionRow,
    EnrolmentRow,
    IntegrationClientRow,
    MentorAssignmentRow,
    OrganisationRow,
    ParticipantRow,
    ProtectedIdentityGrantRow,
    RefreshTokenRow,
    TransitionRow,
    UserRow,
    UTCDateTime,
)

__all__ = [
    "NAMING_CONVENTION",
    "AuditChainHeadRow",
    "AuditEntryRow",
    "AuditSubjectRow",
    "Base",
    "CodeListEntryRow",
    "CodeListVersionRow",
    "EnrolmentRow",
    "IntegrationClientRow",
    "MentorAssignmentRow",
    "OrganisationRow",
    "ParticipantRow",
    "ProtectedIdentityGrantRow",
    "RefreshTokenRow",
    "TransitionRow",
    "UTCDateTime",
    "UserRow",
]
