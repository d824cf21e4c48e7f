"""Self-assessment: the questionnaire, submissions, corrections, change per item, due occasions."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.persistence.repositories.assessments import StoredSubmission
from api.presenters import due_assessment_item
from api.schemas.assessments import (
    AssessmentChangeRead,
    AssessmentCorrectionCreate,
    AssessmentCreate,
    AssessmentOccasionRead,
    AssessmentSubmissionRead,
    DueAssessmentPage,
    EnrolmentAssessmentsRead,
    ItemChangeRead,
    ItemRead,
    QuestionnaireRead,
    ReadingRead,
)
from api.security.permissions import Permission as P
from api.services import assessments as service
from domain.self_assessment import (
    SCALE_MAX,
    SCALE_MIN,
    Questionnaire,
    Respondent,
    occasion_label,
)

router = APIRouter(
    prefix="/api/v1", tags=["self-assessment"], dependencies=[Depends(authenticated)]
)

EnrolmentId = Annotated[int, Path(ge=1, le=2**31 - 1)]
SubmissionId = Annotated[int, Path(ge=1, le=2**31 - 1)]
QuestionnaireVersion = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
Responses = dict[int | str, dict[str, Any]]
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}
ENROLMENT_NOT_FOUND: Responses = {404: {**_E, "description": "No such enrolment in your scope"}}
WRITE_ERRORS: Responses = {
    **FORBIDDEN,
    409: {
        **_E,
        "description": "The occasion is not due yet, is already answered, or the submission "
        "was already corrected",
    },
    422: {
        **_E,
        "description": "Unknown item or occasion, score outside 1–10, no answers, or a date "
        "in the future or before the occasion",
    },
}


def _questionnaire_read(q: Questionnaire) -> QuestionnaireRead:
    return QuestionnaireRead(
        version=q.version,
        scale_min=SCALE_MIN,
        scale_max=SCALE_MAX,
        items=[ItemRead.model_validate(item, from_attributes=True) for item in q.items],
    )


def _submission_read(s: StoredSubmission) -> AssessmentSubmissionRead:
    r = s.row
    return AssessmentSubmissionRead(
        id=r.id,
        occasion=r.occasion,
        questionnaire_version=r.questionnaire_version,
        answered_on=r.answered_on,
        respondent=Respondent(r.respondent),
        answers=s.answers,
        mentor_rating=s.mentor_rating,
        recorded_at=r.recorded_at,
        recorded_by_user_id=r.recorded_by_user_id,
        supersedes_id=r.supersedes_id,
        superseded_by_id=s.superseded_by_id,
        correction_reason=r.correction_reason,
    )


@router.get(
    "/questionnaires/current",
    response_model=QuestionnaireRead,
    summary="The current self-assessment questionnaire",
    operation_id="get_current_questionnaire",
    dependencies=[require(P.PROGRAMME_READ)],
    responses=FORBIDDEN,
)
def get_current_questionnaire() -> QuestionnaireRead:
    """The questionnaire new self-assessments are answered on: its version and its items in
    order, each a question on the scale 1–10 (higher is better) with labelled ends, in Swedish
    and English."""
    return _questionnaire_read(service.questionnaire())


@router.get(
    "/questionnaires/{version}",
    response_model=QuestionnaireRead,
    summary="A self-assessment questionnaire version",
    operation_id="get_questionnaire",
    dependencies=[require(P.PROGRAMME_READ)],
    responses={**FORBIDDEN, 404: {**_E, "description": "No such questionnaire version"}},
)
def get_questionnaire(version: QuestionnaireVersion) -> QuestionnaireRead:
    """One questionnaire version, for reading answers given on it: a new version never changes
    what older answers meant."""
    return _questionnaire_read(service.questionnaire(version))


@router.get(
    "/enrolments/{enrolment_id}/assessments",
    response_model=EnrolmentAssessmentsRead,
    summary="An enrolment's self-assessments",
    operation_id="list_enrolment_assessments",
    dependencies=[require(P.ASSESSMENT_READ)],
    responses={**FORBIDDEN, **ENROLMENT_NOT_FOUND},
)
def list_enrolment_assessments(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal
) -> EnrolmentAssessmentsRead:
    """Every occasion of the enrolment's programme with its status (`not_due`, `due`, `overdue`
    14 days after it became due, `answered`) and every submission, corrections and the
    submissions they superseded included (`superseded_by_id` is set on those)."""
    view = service.list_enrolment_assessments(ctx, principal, enrolment_id)
    occasions = []
    for o in view.occasions:
        label = occasion_label(o.occasion)
        occasions.append(
            AssessmentOccasionRead(
                occasion=o.occasion,
                label_sv=label.sv,
                label_en=label.en,
                due_on=o.due_on,
                status=o.status,
                submission_id=o.submission_id,
            )
        )
    return EnrolmentAssessmentsRead(
        enrolment_id=view.enrolment_id,
        occasions=occasions,
        submissions=[_submission_read(s) for s in view.submissions],
    )


@router.post(
    "/enrolments/{enrolment_id}/assessments",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentSubmissionRead,
    summary="Submit a self-assessment",
    operation_id="submit_assessment",
    dependencies=[require(P.ASSESSMENT_RECORD)],
    responses={**WRITE_ERRORS, **ENROLMENT_NOT_FOUND},
)
def submit_assessment(
    enrolment_id: EnrolmentId, data: AssessmentCreate, ctx: Context, principal: CurrentPrincipal
) -> AssessmentSubmissionRead:
    """Records the participant's answers for an occasion the enrolment has made due (start,
    after a level, exit) or, once the participant reached work/studies or exited, for the
    follow-up. Each occasion is answered once; a mistake is fixed with a correction. The
    mentor's own rating, if given, is stored beside the answers and never mixed into them."""
    return _submission_read(service.submit_assessment(ctx, principal, enrolment_id, data))


@router.post(
    "/assessments/{submission_id}/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=AssessmentSubmissionRead,
    summary="Correct a self-assessment",
    operation_id="correct_assessment",
    dependencies=[require(P.ASSESSMENT_RECORD)],
    responses={
        **WRITE_ERRORS,
        404: {**_E, "description": "No such submission in your scope"},
    },
)
def correct_assessment(
    submission_id: SubmissionId,
    data: AssessmentCorrectionCreate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> AssessmentSubmissionRead:
    """Submitted answers are never changed: a correction is a new submission, for the same
    occasion and questionnaire version, that supersedes the given one and carries a reason. The
    superseded submission stays readable. Only the current (latest) submission can be
    corrected."""
    return _submission_read(service.correct_assessment(ctx, principal, submission_id, data))


@router.get(
    "/enrolments/{enrolment_id}/assessments/change",
    response_model=AssessmentChangeRead,
    summary="Change per item over an enrolment",
    operation_id="get_assessment_change",
    dependencies=[require(P.ASSESSMENT_READ)],
    responses={**FORBIDDEN, **ENROLMENT_NOT_FOUND},
)
def get_assessment_change(
    enrolment_id: EnrolmentId, ctx: Context, principal: CurrentPrincipal
) -> AssessmentChangeRead:
    """What a chart needs: the participant's current readings in order (mentor ratings are
    left out) and per item the first and latest reading, their difference and whether it
    improved, stayed unchanged or worsened. An item answered in fewer than two submissions has
    no change (null)."""
    change = service.get_assessment_change(ctx, principal, enrolment_id)
    items = []
    for item in change.questionnaire.items:
        c = change.changes.get(item.key)
        items.append(
            ItemChangeRead(
                key=item.key,
                text_sv=item.text_sv,
                text_en=item.text_en,
                first=c.first if c else None,
                latest=c.latest if c else None,
                difference=c.difference if c else None,
                direction=c.direction if c else None,
            )
        )
    return AssessmentChangeRead(
        enrolment_id=change.enrolment_id,
        questionnaire_version=change.questionnaire.version,
        readings=[
            ReadingRead(
                submission_id=r.submission_id,
                occasion=r.occasion,
                answered_on=r.answered_on,
                answers=dict(r.answers),
            )
            for r in change.readings
        ],
        items=items,
    )


@router.get(
    "/assessments/due",
    response_model=DueAssessmentPage,
    summary="Due and overdue self-assessments",
    operation_id="list_due_assessments",
    dependencies=[require(P.ASSESSMENT_READ)],
    responses=FORBIDDEN,
)
def list_due_assessments(
    ctx: Context,
    principal: CurrentPrincipal,
    mentor_id: Annotated[
        int | None,
        Query(ge=1, le=2**31 - 1, description="Only this mentor's enrolments"),
    ] = None,
) -> dict[str, Any]:
    """Unanswered self-assessments that are due, or overdue (more than 14 days), oldest first,
    in the caller's scope: a mentor's own caseload, a lead mentor's or unit manager's whole
    municipality. `mentor_id` narrows the list to one mentor's enrolments."""
    lines = service.list_due_assessments(ctx, principal, mentor_id=mentor_id)
    return {"items": [due_assessment_item(line) for line in lines], "count": len(lines)}
