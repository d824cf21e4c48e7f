"""Load one record through the caller's scope, or answer 404.

Out of scope must be indistinguishable from "no such id" (DOMAIN.md §9), so every use case asks
here and gets the same Swedish message, instead of each keeping its own copy of it.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.errors import NotFound
from api.persistence.models import ParticipantRow
from api.persistence.repositories.enrolments import EnrolmentRepository, LoadedEnrolment
from api.persistence.repositories.participants import ParticipantRepository
from api.security.principal import Principal, scope_for

ENROLMENT_NOT_FOUND = "Inskrivningen finns inte eller ligger utanför din behörighet."
PARTICIPANT_NOT_FOUND = "Deltagaren finns inte eller ligger utanför din behörighet."


def enrolment_in_scope(
    session: Session, principal: Principal, enrolment_id: int, *, for_update: bool = False
) -> LoadedEnrolment:
    loaded = EnrolmentRepository(session, scope_for(principal)).get(
        enrolment_id, for_update=for_update
    )
    if loaded is None:
        raise NotFound(ENROLMENT_NOT_FOUND)
    return loaded


def participant_in_scope(
    session: Session, principal: Principal, participant_id: int
) -> ParticipantRow:
    participant = ParticipantRepository(session, scope_for(principal)).get(participant_id)
    if participant is None:
        raise NotFound(PARTICIPANT_NOT_FOUND)
    return participant
