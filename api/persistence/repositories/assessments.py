"""assessments rows <-> domain objects. Filled by the journey work (issue 3)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.persistence.models.core import EnrolmentRow
from domain.enrolment import Enrolment


def sync_due_assessments(session: Session, row: EnrolmentRow, enrolment: Enrolment) -> None:
    """Bring the projected schedule in line with the enrolment's (corrected) history."""
