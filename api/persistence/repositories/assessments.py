"""Self-assessment rows <-> domain objects, the due-occasion projection, and the due list.

Scope is not decided here for single enrolments: services reach an enrolment's assessments only
after `EnrolmentRepository(session, scope).get(...)` found the enrolment. The due list, which
spans enrolments, applies the scope itself through `scope_filters`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Select, bindparam, delete, exists, insert, select
from sqlalchemy.orm import Session

from api.persistence.models.assessments import (
    AssessmentAnswerRow,
    AssessmentDueRow,
    AssessmentSubmissionRow,
)
from api.persistence.models.core import EnrolmentRow, ParticipantRow
from api.persistence.repositories.id_lists import among_codes
from api.persistence.repositories.scope_filters import participant_condition, scope_params
from api.persistence.repositories.task_marks import mark_stale
from api.security.principal import Principal, Scope, ScopeKind
from domain.enrolment import Enrolment
from domain.programmes import get_programme
from domain.self_assessment import (
    AssessmentStatus,
    Rater,
    Reading,
    Submission,
    SubmissionRecord,
    assessment_status,
    due_occasions,
)

# Enrolments whose due assessments are listed: open ones and exited ones (an exit makes one
# due). Declined enrolments never started, so nothing was ever due for them.
DUE_LIST_STATES = ("referred", "intake", "active", "paused", "exited")


@dataclass(frozen=True)
class StoredSubmission:
    row: AssessmentSubmissionRow
    answers: dict[str, int]
    mentor_rating: dict[str, int] | None
    superseded_by_id: int | None

    @property
    def is_current(self) -> bool:
        return self.superseded_by_id is None

    def record(self) -> SubmissionRecord:
        return SubmissionRecord(
            id=self.row.id,
            occasion=self.row.occasion,
            questionnaire_version=self.row.questionnaire_version,
            is_current=self.is_current,
        )

    def reading(self) -> Reading:
        """As change per item sees it: the participant's answers only."""
        return Reading(self.row.id, self.row.occasion, self.row.answered_on, self.answers)


class AssessmentRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def submission_row(self, submission_id: int) -> AssessmentSubmissionRow | None:
        """Unscoped: the caller must find the row's enrolment through a scoped repository."""
        return self._session.get(AssessmentSubmissionRow, submission_id)

    def for_enrolment(self, enrolment_id: int) -> list[StoredSubmission]:
        """Every submission of the enrolment, superseded ones included, oldest first."""
        rows = list(
            self._session.execute(
                select(AssessmentSubmissionRow)
                .where(AssessmentSubmissionRow.enrolment_id == enrolment_id)
                .order_by(AssessmentSubmissionRow.id)
            ).scalars()
        )
        return self._with_answers(rows)

    def _with_answers(self, rows: list[AssessmentSubmissionRow]) -> list[StoredSubmission]:
        if not rows:
            return []
        ids = [r.id for r in rows]
        scores: dict[tuple[int, str], dict[str, int]] = {}
        for submission_id, item_key, rater, score in self._session.execute(
            select(
                AssessmentAnswerRow.submission_id,
                AssessmentAnswerRow.item_key,
                AssessmentAnswerRow.rater,
                AssessmentAnswerRow.score,
            )
            .where(AssessmentAnswerRow.submission_id.in_(ids))
            .order_by(AssessmentAnswerRow.id)
        ):
            scores.setdefault((submission_id, rater), {})[item_key] = score
        superseded_by = {r.supersedes_id: r.id for r in rows if r.supersedes_id is not None}
        return [
            StoredSubmission(
                row=r,
                answers=scores.get((r.id, Rater.PARTICIPANT.value), {}),
                mentor_rating=scores.get((r.id, Rater.MENTOR.value)),
                superseded_by_id=superseded_by.get(r.id),
            )
            for r in rows
        ]

    def add(
        self,
        enrolment_id: int,
        submission: Submission,
        *,
        actor: Principal,
        at: datetime,
        supersedes: AssessmentSubmissionRow | None = None,
        correction_reason: str | None = None,
    ) -> StoredSubmission:
        """Insert a validated submission and its scores. Flushes, so a concurrent submission
        for the same occasion fails here on the (enrolment, occasion, revision) constraint."""
        row = AssessmentSubmissionRow(
            enrolment_id=enrolment_id,
            occasion=submission.occasion,
            revision=1 if supersedes is None else supersedes.revision + 1,
            questionnaire_version=submission.questionnaire_version,
            answered_on=submission.answered_on,
            respondent=submission.respondent.value,
            recorded_by_user_id=actor.user_id,
            recorded_by_client_id=actor.client_id,
            recorded_at=at,
            supersedes_id=None if supersedes is None else supersedes.id,
            correction_reason=correction_reason,
        )
        self._session.add(row)
        self._session.flush()
        values = [
            {"submission_id": row.id, "item_key": k, "rater": Rater.PARTICIPANT.value, "score": v}
            for k, v in submission.answers.items()
        ]
        values += [
            {"submission_id": row.id, "item_key": k, "rater": Rater.MENTOR.value, "score": v}
            for k, v in (submission.mentor_rating or {}).items()
        ]
        self._session.execute(insert(AssessmentAnswerRow), values)
        return StoredSubmission(
            row=row,
            answers=dict(submission.answers),
            mentor_rating=None
            if submission.mentor_rating is None
            else dict(submission.mentor_rating),
            superseded_by_id=None,
        )


def current_occasions(submissions: Iterable[StoredSubmission]) -> set[str]:
    """Occasions that have a current (not superseded) submission."""
    return {s.row.occasion for s in submissions if s.is_current}


# --- the due projection ---------------------------------------------------------------------


def sync_due_assessments(session: Session, row: EnrolmentRow, enrolment: Enrolment) -> None:
    """Bring the projected schedule in line with the enrolment's (corrected) history: add new
    occasions, move due dates a date correction moved, drop occasions no longer due unless they
    were answered. Runs inside the caller's transaction and never commits."""
    wanted = {
        d.occasion: d.due_on for d in due_occasions(get_programme(row.programme_code), enrolment)
    }
    stored = {
        r.occasion: r
        for r in session.execute(
            select(AssessmentDueRow).where(AssessmentDueRow.enrolment_id == row.id)
        ).scalars()
    }
    gone = [occasion for occasion in stored if occasion not in wanted]
    if gone:
        answered = set(
            session.execute(
                select(AssessmentSubmissionRow.occasion).where(
                    AssessmentSubmissionRow.enrolment_id == row.id,
                    AssessmentSubmissionRow.occasion.in_(gone),
                )
            ).scalars()
        )
        unanswered = [o for o in gone if o not in answered]
        if unanswered:
            mark_stale(session, [row.id])  # no flush reports the DELETE
            session.execute(
                delete(AssessmentDueRow).where(
                    AssessmentDueRow.enrolment_id == row.id,
                    AssessmentDueRow.occasion.in_(unanswered),
                )
            )
    for occasion, due_on in wanted.items():
        existing = stored.get(occasion)
        if existing is None:
            session.add(AssessmentDueRow(enrolment_id=row.id, occasion=occasion, due_on=due_on))
        elif existing.due_on != due_on:
            existing.due_on = due_on
    session.flush()


def projected_due(session: Session, enrolment_id: int) -> dict[str, date]:
    """The stored projection for one enrolment (what the due lists read)."""
    return {
        occasion: due_on
        for occasion, due_on in session.execute(
            select(AssessmentDueRow.occasion, AssessmentDueRow.due_on).where(
                AssessmentDueRow.enrolment_id == enrolment_id
            )
        )
    }


# --- the due list ---------------------------------------------------------------------------


@dataclass(frozen=True)
class DueAssessmentLine:
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    # As stored (12 digits): the caller masks it before it leaves the API.
    personnummer: str
    mentor_id: int | None
    programme_code: str
    occasion: str
    due_on: date
    status: AssessmentStatus  # due | overdue


@cache
def _due_statement(kind: ScopeKind, has_user: bool, by_mentor: bool) -> Select[*tuple[Any, ...]]:
    """Built once per scope shape and filter (as the caseload statement is): building it costs
    more than running it, and the mentor's task list runs it on every request."""
    d, e, p, s = AssessmentDueRow, EnrolmentRow, ParticipantRow, AssessmentSubmissionRow
    answered = exists(
        select(s.id).where(s.enrolment_id == d.enrolment_id, s.occasion == d.occasion)
    )
    stmt = (
        select(
            e.id,
            e.participant_id,
            p.first_name,
            p.last_name,
            p.personnummer,
            e.mentor_id,
            e.programme_code,
            d.occasion,
            d.due_on,
        )
        .select_from(d)
        .join(e, e.id == d.enrolment_id)
        .join(p, p.id == e.participant_id)
        .where(
            participant_condition(kind, has_user),
            among_codes(e.state, DUE_LIST_STATES),
            ~answered,
        )
        .order_by(d.due_on, e.id, d.id)
    )
    if by_mentor:
        stmt = stmt.where(e.mentor_id == bindparam("due_mentor_id"))
    return stmt


def due_assessment_lines(
    connection: Connection, scope: Scope, *, today: date, mentor_id: int | None = None
) -> list[DueAssessmentLine]:
    """Due and overdue self-assessments in the scope, oldest due date first: one query over the
    projection, joined with the people, keeping occasions without any submission (a corrected
    submission still answers its occasion). `mentor_id` narrows to one mentor's enrolments."""
    if scope.kind is ScopeKind.REFERRALS:
        # Referrers see status only, never self-assessments: no line can be theirs.
        return []
    # For every other scope kind `enrolment_visible(scope)` is exactly this participant
    # condition, here in its cached, parametrised form.
    stmt = _due_statement(scope.kind, scope.user_id is not None, mentor_id is not None)
    params = {**scope_params(scope), "due_mentor_id": mentor_id}
    result = connection.execute(stmt, params)
    return [
        DueAssessmentLine(
            enrolment_id=enrolment_id,
            participant_id=participant_id,
            first_name=first_name,
            last_name=last_name,
            personnummer=personnummer,
            mentor_id=line_mentor_id,
            programme_code=programme_code,
            occasion=occasion,
            due_on=due_on,
            status=assessment_status(due_on, False, today),
        )
        for (
            enrolment_id,
            participant_id,
            first_name,
            last_name,
            personnummer,
            line_mentor_id,
            programme_code,
            occasion,
            due_on,
        ) in result
    ]
