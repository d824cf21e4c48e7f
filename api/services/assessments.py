"""Self-assessment use cases: read the questionnaire, submit, correct, an enrolment's
assessments and change per item, and the due list.

A submission locks its enrolment row (`for_update`) before checking whether the occasion is
already answered, so two people submitting the same occasion queue; the unique constraint on
(enrolment, occasion, revision) is the backstop that turns a lost race into 409, never two rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy.exc import IntegrityError

from api.context import AppContext
from api.errors import Conflict, NotFound
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.repositories.assessments import (
    AssessmentRepository,
    DueAssessmentLine,
    StoredSubmission,
    current_occasions,
    due_assessment_lines,
)
from api.persistence.repositories.enrolments import EnrolmentRepository, LoadedEnrolment
from api.schemas.assessments import AssessmentCorrectionCreate, AssessmentCreate
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.in_scope import enrolment_in_scope
from domain.errors import UnknownCode
from domain.programmes import Programme, get_programme
from domain.self_assessment import (
    CURRENT_QUESTIONNAIRE_VERSION,
    AssessmentStatus,
    ItemChange,
    Questionnaire,
    Reading,
    Submission,
    assessment_status,
    change_per_item,
    due_occasions,
    get_questionnaire,
    order_readings,
    programme_occasions,
    validate_correction,
    validate_submission,
)

SUBMISSION_NOT_FOUND = "Självskattningen finns inte eller ligger utanför din behörighet."
QUESTIONNAIRE_NOT_FOUND = "Enkätversionen finns inte."
CONCURRENT = (
    "Någon annan registrerade samma självskattning under tiden. Läs in den igen och försök på nytt."
)


def questionnaire(version: int | None = None) -> Questionnaire:
    try:
        return get_questionnaire(CURRENT_QUESTIONNAIRE_VERSION if version is None else version)
    except UnknownCode:
        raise NotFound(QUESTIONNAIRE_NOT_FOUND) from None


# --- an enrolment's assessments -------------------------------------------------------------


@dataclass(frozen=True)
class OccasionView:
    occasion: str
    due_on: date | None
    status: AssessmentStatus
    submission_id: int | None


@dataclass(frozen=True)
class EnrolmentAssessments:
    enrolment_id: int
    occasions: list[OccasionView]
    submissions: list[StoredSubmission]


def _occasions(
    programme: Programme,
    loaded: LoadedEnrolment,
    submissions: list[StoredSubmission],
    today: date,
) -> list[OccasionView]:
    due = {d.occasion: d.due_on for d in due_occasions(programme, loaded.enrolment)}
    current = {s.row.occasion: s.row.id for s in submissions if s.is_current}
    views = []
    for occasion in programme_occasions(programme):
        submission_id = current.get(occasion)
        due_on = due.get(occasion)
        if submission_id is not None:
            status = AssessmentStatus.ANSWERED
        elif due_on is not None:
            status = assessment_status(due_on, False, today)
        else:
            # Follow-up is never made due by a transition; the follow-up schedule decides when.
            status = AssessmentStatus.NOT_DUE
        views.append(OccasionView(occasion, due_on, status, submission_id))
    return views


def list_enrolment_assessments(
    ctx: AppContext, principal: Principal, enrolment_id: int
) -> EnrolmentAssessments:
    today = ctx.clock.today()
    with ctx.database.unit_of_work(write=False) as uow:
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        submissions = AssessmentRepository(uow.session).for_enrolment(enrolment_id)
        programme = get_programme(loaded.row.programme_code)
        view = EnrolmentAssessments(
            enrolment_id, _occasions(programme, loaded, submissions, today), submissions
        )
    record_read(
        ctx,
        principal,
        AuditEvent("assessment.list", [loaded.row.participant_id], "enrolment", enrolment_id),
    )
    return view


# --- submit and correct ---------------------------------------------------------------------


def submit_assessment(
    ctx: AppContext, principal: Principal, enrolment_id: int, data: AssessmentCreate
) -> StoredSubmission:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id, for_update=True)
        repo = AssessmentRepository(uow.session)
        existing = repo.for_enrolment(enrolment_id)
        submission = validate_submission(
            Submission(
                occasion=data.occasion,
                questionnaire_version=data.questionnaire_version,
                answered_on=data.answered_on,
                respondent=data.respondent,
                answers=data.answers,
                mentor_rating=data.mentor_rating,
            ),
            programme=get_programme(loaded.row.programme_code),
            enrolment=loaded.enrolment,
            answered_occasions=current_occasions(existing),
            today=today,
        )
        try:
            stored = repo.add(enrolment_id, submission, actor=principal, at=now)
        except IntegrityError:
            raise Conflict(CONCURRENT) from None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "assessment.submit",
                [loaded.row.participant_id],
                "assessment",
                stored.row.id,
                detail={
                    "enrolment_id": enrolment_id,
                    "occasion": submission.occasion,
                    "questionnaire_version": submission.questionnaire_version,
                },
            ),
            at=now,
        )
        uow.commit()
        return stored


def correct_assessment(
    ctx: AppContext, principal: Principal, submission_id: int, data: AssessmentCorrectionCreate
) -> StoredSubmission:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        repo = AssessmentRepository(uow.session)
        target = repo.submission_row(submission_id)
        if target is None:
            raise NotFound(SUBMISSION_NOT_FOUND)
        loaded = EnrolmentRepository(uow.session, scope_for(principal)).get(
            target.enrolment_id, for_update=True
        )
        if loaded is None:
            # Out of scope answers exactly like a missing submission.
            raise NotFound(SUBMISSION_NOT_FOUND)
        # Read after the lock: a correction committed meanwhile is seen, and refused below.
        existing = repo.for_enrolment(target.enrolment_id)
        original = next(s for s in existing if s.row.id == submission_id)
        correction, reason = validate_correction(
            original.record(),
            Submission(
                occasion=original.row.occasion,
                questionnaire_version=original.row.questionnaire_version,
                answered_on=data.answered_on,
                respondent=data.respondent,
                answers=data.answers,
                mentor_rating=data.mentor_rating,
            ),
            data.reason,
            programme=get_programme(loaded.row.programme_code),
            enrolment=loaded.enrolment,
            answered_occasions=current_occasions(existing),
            today=today,
        )
        try:
            stored = repo.add(
                target.enrolment_id,
                correction,
                actor=principal,
                at=now,
                supersedes=original.row,
                correction_reason=reason,
            )
        except IntegrityError:
            raise Conflict(CONCURRENT) from None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "assessment.correct",
                [loaded.row.participant_id],
                "assessment",
                stored.row.id,
                # The reason is free text and stays out of the log.
                detail={
                    "enrolment_id": target.enrolment_id,
                    "occasion": correction.occasion,
                    "supersedes_id": submission_id,
                },
            ),
            at=now,
        )
        uow.commit()
        return stored


# --- change per item ------------------------------------------------------------------------


@dataclass(frozen=True)
class AssessmentChange:
    enrolment_id: int
    questionnaire: Questionnaire
    readings: list[Reading]
    changes: dict[str, ItemChange]


def get_assessment_change(
    ctx: AppContext, principal: Principal, enrolment_id: int
) -> AssessmentChange:
    with ctx.database.unit_of_work(write=False) as uow:
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        current = [
            s for s in AssessmentRepository(uow.session).for_enrolment(enrolment_id) if s.is_current
        ]
    readings = order_readings(s.reading() for s in current)
    # Items and texts of the latest reading's version: a chart labels the scale as last asked.
    version = (
        next(s.row.questionnaire_version for s in current if s.row.id == readings[-1].submission_id)
        if readings
        else CURRENT_QUESTIONNAIRE_VERSION
    )
    change = AssessmentChange(
        enrolment_id, get_questionnaire(version), readings, change_per_item(readings)
    )
    record_read(
        ctx,
        principal,
        AuditEvent("assessment.change", [loaded.row.participant_id], "enrolment", enrolment_id),
    )
    return change


# --- the due list ---------------------------------------------------------------------------


def list_due_assessments(
    ctx: AppContext, principal: Principal, *, mentor_id: int | None = None
) -> list[DueAssessmentLine]:
    today = ctx.clock.today()
    with ctx.database.read_connection() as connection:
        lines = due_assessment_lines(
            connection, scope_for(principal), today=today, mentor_id=mentor_id
        )
    if lines:
        record_read(
            ctx,
            principal,
            AuditEvent("assessment.due_list", [line.participant_id for line in lines]),
        )
    return lines
