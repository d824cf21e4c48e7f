"""Schedules projected from an enrolment's history: the self-assessments it makes due and the
follow-ups its programme's rules generate.

They are derived data (domain functions of the history, with corrected dates applied) stored as
rows so that due and overdue lists are plain indexed queries. The enrolment repository calls
`sync_schedules` on every save, so no writer (service, demo data, CLI) can forget it, and a
date correction moves the due dates in the same transaction.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.persistence.models.core import EnrolmentRow
from api.persistence.repositories.assessments import sync_due_assessments
from api.persistence.repositories.follow_ups import sync_follow_ups
from domain.enrolment import Enrolment


def sync_schedules(session: Session, row: EnrolmentRow, enrolment: Enrolment) -> None:
    sync_due_assessments(session, row, enrolment)
    sync_follow_ups(session, row, enrolment)
