"""Rows and domain objects -> response schemas. The role decides which schema is used."""

from __future__ import annotations

from datetime import date
from typing import Any, Protocol

from api.persistence.models import AuditEntryRow, EnrolmentRow, ParticipantRow
from api.persistence.repositories.assessments import DueAssessmentLine
from api.persistence.repositories.enrolments import LoadedEnrolment
from api.persistence.repositories.follow_ups import DueFollowUpLine
from api.schemas.enrolments import (
    EnrolmentRead,
    EnrolmentSummary,
    MentorAssignmentRead,
    OutcomeRead,
    ReferralStatusRead,
    TransitionRead,
)
from api.schemas.participants import AccessLogEntry, Gender, ParticipantListItem, ParticipantRead
from api.services.enrolments import EnrolmentView
from api.services.participants import ParticipantView
from domain.enrolment import Outcome, TransitionKind, states_after_each
from domain.personnummer import Personnummer, mask_stored


def etag(version: int) -> str:
    return f'"{version}"'


def enrolment_summary(row: EnrolmentRow) -> EnrolmentSummary:
    return EnrolmentSummary.model_validate(row)


def _outcome(o: Outcome | None) -> OutcomeRead | None:
    if o is None:
        return None
    return OutcomeRead(
        kind=o.kind,
        starts_on=o.starts_on,
        subsidised=o.subsidised,
        extent_percent=o.extent_percent,
        studies_kind=o.studies_kind,
    )


def _history(loaded: LoadedEnrolment) -> list[TransitionRead]:
    e = loaded.enrolment
    corrected_by = {
        t.corrects_seq: t.seq for t in e.history if t.kind is TransitionKind.CORRECT_DATE
    }
    after_each = states_after_each(e.programme_code, e.history)
    out = []
    for t, row, (state_after, step_after) in zip(
        e.history, loaded.transitions, after_each, strict=True
    ):
        out.append(
            TransitionRead(
                seq=t.seq,
                kind=t.kind.value,
                effective_on=e.effective_dates.get(t.seq, t.effective_on),
                recorded_effective_on=t.effective_on,
                corrected_by_seq=corrected_by.get(t.seq),
                corrects_seq=t.corrects_seq,
                recorded_at=row.recorded_at,
                actor_user_id=row.actor_user_id,
                actor_client_id=row.actor_client_id,
                reason=t.reason,
                pause_reason=t.pause_reason,
                exit_reason_code=t.exit_reason_code,
                exit_status_code=t.exit_status_code,
                outcome=_outcome(t.outcome),
                step_after=step_after,
                state_after=state_after,
            )
        )
    return out


def enrolment_read(view: EnrolmentView, today: date) -> EnrolmentRead:
    row, e = view.loaded.row, view.loaded.enrolment
    return EnrolmentRead(
        id=row.id,
        participant_id=row.participant_id,
        programme_code=row.programme_code,
        state=e.state,
        step=e.step,
        highest_step=e.highest_step,
        referred_on=row.referred_on,
        started_on=e.started_on,
        ended_on=e.ended_on,
        step_entered_on=e.step_entered_on,
        days_in_step=e.days_in_step(today),
        outcome=_outcome(e.outcome),
        exit_reason_code=e.exit_reason_code,
        exit_status_code=e.exit_status_code,
        referrer_organisation_id=row.referrer_organisation_id,
        referrer_contact_name=row.referrer_contact_name,
        referrer_contact_phone=row.referrer_contact_phone,
        referrer_contact_email=row.referrer_contact_email,
        referrer_user_id=row.referrer_user_id,
        benefit_at_start=row.benefit_at_start,
        months_on_support_before_start=row.months_on_support_before_start,
        mentor_id=row.mentor_id,
        mentor_name=view.mentor_name,
        referrer_organisation_name=view.referrer_organisation_name,
        version=row.version,
        history=_history(view.loaded),
        mentor_history=[MentorAssignmentRead.model_validate(a) for a in view.mentor_history],
    )


def participant_read(view: ParticipantView, today: date) -> ParticipantRead:
    row = view.row
    pnr = Personnummer(row.personnummer)
    return ParticipantRead(
        id=row.id,
        municipality_id=row.municipality_id,
        municipality_name=view.municipality_name,
        personnummer_masked=pnr.masked,
        is_coordination_number=pnr.is_coordination_number,
        legal_sex=pnr.legal_sex,
        birth_date=pnr.birth_date,
        age=pnr.age_on(max(today, pnr.birth_date)),
        first_name=row.first_name,
        last_name=row.last_name,
        phone=row.phone,
        email=row.email,
        address=row.address,
        gender=Gender(row.gender) if row.gender else None,
        education_level=row.education_level,
        protected_identity=row.protected_identity,
        created_at=row.created_at,
        updated_at=row.updated_at,
        version=row.version,
        enrolments=[enrolment_summary(e) for e in view.enrolments],
    )


def participant_list_item(row: ParticipantRow, latest: EnrolmentRow | None) -> ParticipantListItem:
    pnr = Personnummer(row.personnummer)
    return ParticipantListItem(
        id=row.id,
        first_name=row.first_name,
        last_name=row.last_name,
        personnummer_masked=pnr.masked,
        legal_sex=pnr.legal_sex,
        birth_year=pnr.birth_year,
        current_enrolment=enrolment_summary(latest) if latest else None,
    )


def referral_status(row: EnrolmentRow, participant: ParticipantRow) -> ReferralStatusRead:
    return ReferralStatusRead(
        enrolment_id=row.id,
        participant_first_name=participant.first_name,
        participant_last_name=participant.last_name,
        personnummer_masked=Personnummer(participant.personnummer).masked,
        programme_code=row.programme_code,
        state=row.state,
        step=row.step,
        referred_on=row.referred_on,
        started_on=row.started_on,
        ended_on=row.ended_on,
    )


def access_log_entry(row: AuditEntryRow, actor_name: str | None) -> AccessLogEntry:
    return AccessLogEntry(
        id=row.id,
        occurred_at=row.occurred_at,
        actor_kind=row.actor_kind,
        actor_id=row.actor_id,
        actor_role=row.actor_role,
        actor_name=actor_name,
        action=row.action,
        entity_type=row.entity_type,
        entity_id=row.entity_id,
        purpose=row.purpose,
    )


# ---- due lists (the due-list endpoints and the task list show the same items) ---------------
# Plain dicts: FastAPI validates them once against the response model, as for the caseload.


class PersonLine(Protocol):
    # Read-only members, so frozen dataclasses (the repositories' lines) match.
    @property
    def enrolment_id(self) -> int: ...
    @property
    def participant_id(self) -> int: ...
    @property
    def first_name(self) -> str: ...
    @property
    def last_name(self) -> str: ...
    @property
    def personnummer(self) -> str: ...
    @property
    def programme_code(self) -> str: ...


def person_on_line(line: PersonLine) -> dict[str, Any]:
    """Who a list line is about, with the personnummer masked."""
    return {
        "enrolment_id": line.enrolment_id,
        "participant_id": line.participant_id,
        "first_name": line.first_name,
        "last_name": line.last_name,
        "personnummer_masked": mask_stored(line.personnummer),
        "programme_code": line.programme_code,
    }


def due_assessment_item(line: DueAssessmentLine) -> dict[str, Any]:
    return {
        **person_on_line(line),
        "mentor_id": line.mentor_id,
        "occasion": line.occasion,
        "due_on": line.due_on,
        "status": line.status,
    }


def due_follow_up_item(line: DueFollowUpLine) -> dict[str, Any]:
    return {
        **person_on_line(line),
        "id": line.id,
        "mentor_id": line.mentor_id,
        "kind": line.kind,
        "due_on": line.due_on,
        "status": line.status,
    }
