"""Streaming queries for exports: keyset pages of a bounded size, one short read unit of work
per page, so an export of 100 000 enrolments never holds more than one page in memory and never
keeps a pooled connection open while a slow client reads.

Who is exported is decided here, like every scope: the evaluation export by the evaluator's
association, consent and protected identity; the registration files by the principal's
municipality scope (`scope_filters.enrolment_visible`) and, for SUS, consent.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime
from typing import Any, TypeVar

from sqlalchemy import (
    ColumnElement,
    String,
    and_,
    cast,
    exists,
    func,
    literal,
    or_,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.orm import Session, aliased

from api.persistence.models.assessments import AssessmentAnswerRow, AssessmentSubmissionRow
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.models.core import (
    EnrolmentRow,
    OrganisationRow,
    ParticipantRow,
    TransitionRow,
)
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.repositories.consents import consent_held_condition
from api.persistence.repositories.enrolments import (
    DOMAIN_TRANSITION_COLUMNS,
    transition_from_columns,
)
from api.persistence.repositories.scope_filters import enrolment_visible
from api.persistence.uow import Database
from api.security.principal import Scope
from domain.consent import ConsentAction, ConsentPurpose
from domain.enrolment import EnrolmentState, Transition
from domain.registration_files import RegistrationEvent

DEFAULT_CHUNK_SIZE = 500

T = TypeVar("T")
K = TypeVar("K")


def stream_chunks(
    database: Database,
    fetch: Callable[[Session, K | None, int], list[T]],
    key: Callable[[T], K],
    *,
    chunk_size: int = DEFAULT_CHUNK_SIZE,
) -> Iterator[list[T]]:
    """Pages of at most `chunk_size` items, each read in its own read-only unit of work.

    `fetch(session, after, limit)` returns the items after the keyset position `after`
    (None: from the start) in key order; `key` gives an item's position. Each page is its own
    consistent read; a row changed between pages shows in its new form or is caught by the
    next incremental pull.
    """
    if chunk_size < 1:
        raise ValueError("chunk_size must be positive")
    after: K | None = None
    while True:
        with database.unit_of_work(write=False) as uow:
            page = fetch(uow.session, after, chunk_size)
        if page:
            yield page
        if len(page) < chunk_size:
            return
        after = key(page[-1])


# ---- the evaluation export ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class EvaluationFilter:
    # The evaluator's association: its member municipalities' participants are exported.
    association_id: int | None
    since: datetime | None = None


@dataclass(frozen=True, slots=True)
class StoredReading:
    occasion: str
    answered_on: date
    questionnaire_version: int
    answers: dict[str, int]


@dataclass(frozen=True, slots=True)
class StoredFollowUp:
    kind: str
    due_on: date
    contact_reached: bool
    final_non_response: bool | None
    status_group: str | None
    employment_extent_percent: int | None
    self_supporting: bool | None


@dataclass(frozen=True, slots=True)
class EvaluationRecord:
    """What the export may know about one enrolment: no names, contact data or free text is
    selected at all, so none can leak into a row by mistake. The personnummer is read only to
    derive legal sex and birth year and never leaves the service."""

    enrolment_id: int
    participant_id: int
    personnummer: str
    education_level: str | None
    municipality_id: int
    municipality_code: str | None
    referrer_type: str | None
    programme_code: str
    state: str
    referred_on: date
    started_on: date | None
    ended_on: date | None
    highest_step: int | None
    exit_reason_code: str | None
    exit_status_code: str | None
    benefit_at_start: str | None
    months_on_support_before_start: int | None
    history: tuple[Transition, ...] = ()
    readings: tuple[StoredReading, ...] = ()
    follow_ups: tuple[StoredFollowUp, ...] = field(default=())


def _member_municipalities(association_id: int | None) -> ColumnElement[bool]:
    return EnrolmentRow.municipality_id.in_(
        select(OrganisationRow.id).where(
            OrganisationRow.kind == "municipality", OrganisationRow.parent_id == association_id
        )
    )


def _changed_since(since: datetime) -> ColumnElement[bool]:
    """The enrolment, its person, an assessment or follow-up, or the evaluation consent was
    recorded after `since`. Consent counts so a newly given consent brings the person in."""
    submission = select(AssessmentSubmissionRow.id).where(
        AssessmentSubmissionRow.enrolment_id == EnrolmentRow.id,
        AssessmentSubmissionRow.recorded_at > since,
    )
    follow_up = select(FollowUpRow.id).where(
        FollowUpRow.enrolment_id == EnrolmentRow.id, FollowUpRow.recorded_at > since
    )
    consent = select(ConsentEntryRow.id).where(
        ConsentEntryRow.participant_id == EnrolmentRow.participant_id,
        ConsentEntryRow.purpose == ConsentPurpose.EVALUATION.value,
        ConsentEntryRow.recorded_at > since,
    )
    return or_(
        EnrolmentRow.updated_at > since,
        ParticipantRow.updated_at > since,
        exists(submission),
        exists(follow_up),
        exists(consent),
    )


def evaluation_conditions(flt: EvaluationFilter) -> list[ColumnElement[bool]]:
    """The evaluation export's population; the caller joins ParticipantRow on EnrolmentRow."""
    conditions: list[ColumnElement[bool]] = [
        _member_municipalities(flt.association_id),
        # Consent "held now" (DOMAIN.md §9): a withdrawal removes the person from this export on.
        consent_held_condition(ParticipantRow.id, ConsentPurpose.EVALUATION),
        # Protected identities are left out entirely. DOMAIN.md §9 says exports treat them as
        # anonymous (sex and year only), but issue 4 - the later and stricter requirement -
        # says leave them out: even sex, birth year and a dated history can identify someone
        # in a small municipality.
        ParticipantRow.protected_identity.is_(False),
    ]
    if flt.since is not None:
        conditions.append(_changed_since(flt.since))
    return conditions


def withdrawn_participants(session: Session, flt: EvaluationFilter) -> list[int]:
    """Participants an evaluator who pulled before `since` may hold rows of, and must now
    delete: they once consented to evaluation and, since then, withdrew that consent or got a
    protected identity. Empty for a full pull (`since` None), which only ever holds the
    current population."""
    if flt.since is None:
        return []
    evaluation = ConsentEntryRow.purpose == ConsentPurpose.EVALUATION.value
    ever_consented = exists(
        select(ConsentEntryRow.id).where(
            ConsentEntryRow.participant_id == ParticipantRow.id,
            evaluation,
            ConsentEntryRow.action == ConsentAction.GIVEN.value,
        )
    )
    ledger_changed = exists(
        select(ConsentEntryRow.id).where(
            ConsentEntryRow.participant_id == ParticipantRow.id,
            evaluation,
            ConsentEntryRow.recorded_at > flt.since,
        )
    )
    withdrawn = and_(
        ~consent_held_condition(ParticipantRow.id, ConsentPurpose.EVALUATION), ledger_changed
    )
    became_protected = and_(
        ParticipantRow.protected_identity.is_(True), ParticipantRow.updated_at > flt.since
    )
    stmt = (
        select(ParticipantRow.id)
        .where(
            ParticipantRow.municipality_id.in_(
                select(OrganisationRow.id).where(
                    OrganisationRow.kind == "municipality",
                    OrganisationRow.parent_id == flt.association_id,
                )
            ),
            ever_consented,
            or_(withdrawn, became_protected),
        )
        .order_by(ParticipantRow.id)
    )
    return list(session.scalars(stmt))


def count_evaluation_rows(session: Session, flt: EvaluationFilter) -> int:
    stmt = (
        select(func.count(EnrolmentRow.id))
        .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
        .where(*evaluation_conditions(flt))
    )
    return int(session.execute(stmt).scalar_one())


_REFERRER = aliased(OrganisationRow, name="export_referrer")
_MUNICIPALITY = aliased(OrganisationRow, name="export_municipality")


def evaluation_page(
    session: Session, flt: EvaluationFilter, after_id: int | None, limit: int
) -> list[EvaluationRecord]:
    """Enrolments after `after_id` in id order, each with its history, current participant
    self-assessments and recorded follow-ups (three IN queries per page, not per row)."""
    e, p = EnrolmentRow, ParticipantRow
    stmt = (
        select(
            e.id,
            e.participant_id,
            p.personnummer,
            p.education_level,
            e.municipality_id,
            _MUNICIPALITY.municipality_code,
            _REFERRER.referrer_type,
            e.programme_code,
            e.state,
            e.referred_on,
            e.started_on,
            e.ended_on,
            e.highest_step,
            e.exit_reason_code,
            e.exit_status_code,
            e.benefit_at_start,
            e.months_on_support_before_start,
        )
        .join(p, p.id == e.participant_id)
        .join(_MUNICIPALITY, _MUNICIPALITY.id == e.municipality_id)
        .outerjoin(_REFERRER, _REFERRER.id == e.referrer_organisation_id)
        .where(*evaluation_conditions(flt))
        .order_by(e.id)
        .limit(limit)
    )
    if after_id is not None:
        stmt = stmt.where(e.id > after_id)
    # 17 columns is past SQLAlchemy's typed overloads; the select list above is the contract.
    selected: list[Any] = list(session.execute(stmt))
    heads = [EvaluationRecord(*row) for row in selected]
    if not heads:
        return []
    ids = [h.enrolment_id for h in heads]
    history = _histories(session, ids)
    readings = _current_readings(session, ids)
    follow_ups = _recorded_follow_ups(session, ids)
    return [
        replace(
            h,
            history=tuple(history.get(h.enrolment_id, ())),
            readings=tuple(readings.get(h.enrolment_id, ())),
            follow_ups=tuple(follow_ups.get(h.enrolment_id, ())),
        )
        for h in heads
    ]


def _histories(session: Session, ids: Sequence[int]) -> dict[int, list[Transition]]:
    grouped: dict[int, list[Transition]] = {}
    # Core rows, not ORM objects: identity-mapping 40 000 transitions was most of the cost.
    rows = session.execute(
        select(TransitionRow.enrolment_id, *DOMAIN_TRANSITION_COLUMNS)
        .where(TransitionRow.enrolment_id.in_(ids))
        .order_by(TransitionRow.enrolment_id, TransitionRow.seq)
    )
    for enrolment_id, *columns in rows:
        grouped.setdefault(enrolment_id, []).append(transition_from_columns(*columns))
    return grouped


def _current_readings(session: Session, ids: Sequence[int]) -> dict[int, list[StoredReading]]:
    """Current submissions only (a corrected one is replaced by its correction), and only the
    participant's own scores: a mentor rating is stored beside them, never mixed (DOMAIN §7)."""
    s, a = AssessmentSubmissionRow, AssessmentAnswerRow
    newer = aliased(AssessmentSubmissionRow, name="export_correction")
    # One row per submission with its scores folded into "key:score,key:score" by the
    # database (item keys are snake_case by `Questionnaire`'s rule): a tenth of the rows to
    # fetch and walk compared with one per answer.
    scores = func.aggregate_strings(a.item_key + ":" + cast(a.score, String), ",")
    rows = session.execute(
        select(s.enrolment_id, s.occasion, s.answered_on, s.questionnaire_version, scores)
        .join(a, a.submission_id == s.id)
        .where(
            s.enrolment_id.in_(ids),
            a.rater == "participant",
            ~exists(select(newer.id).where(newer.supersedes_id == s.id)),
        )
        .group_by(s.enrolment_id, s.id, s.occasion, s.answered_on, s.questionnaire_version)
        .order_by(s.enrolment_id, s.answered_on, s.id)
    )
    grouped: dict[int, list[StoredReading]] = {}
    for enrolment_id, occasion, answered_on, version, folded in rows:
        pairs = sorted(pair.split(":") for pair in folded.split(","))
        grouped.setdefault(enrolment_id, []).append(
            StoredReading(occasion, answered_on, version, {k: int(v) for k, v in pairs})
        )
    return grouped


def _recorded_follow_ups(session: Session, ids: Sequence[int]) -> dict[int, list[StoredFollowUp]]:
    f = FollowUpRow
    rows = session.execute(
        select(
            f.enrolment_id,
            f.kind,
            f.due_on,
            f.contact_reached,
            f.final_non_response,
            f.status_group,
            f.employment_extent_percent,
            f.self_supporting,
        )
        .where(f.enrolment_id.in_(ids), f.recorded_at.is_not(None))
        .order_by(f.enrolment_id, f.due_on, f.id)
    )
    grouped: dict[int, list[StoredFollowUp]] = {}
    for enrolment_id, kind, due_on, reached, non_response, group, extent, supporting in rows:
        grouped.setdefault(enrolment_id, []).append(
            StoredFollowUp(kind, due_on, bool(reached), non_response, group, extent, supporting)
        )
    return grouped


# ---- registration files ------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RegistrationRecord:
    """One start (in) or exit (out) with what the SUS and ESF files need."""

    event_on: date
    enrolment_id: int
    event: RegistrationEvent
    participant_id: int
    personnummer: str
    protected_identity: bool
    gender: str | None
    education_level: str | None
    programme_code: str
    benefit_at_start: str | None
    exit_reason_code: str | None
    exit_status_code: str | None

    @property
    def position(self) -> tuple[date, int, str]:
        return (self.event_on, self.enrolment_id, self.event.value)


@dataclass(frozen=True, slots=True)
class RegistrationFilter:
    scope: Scope
    from_on: date
    to_on: date
    # SUS registration needs the person's consent; the ESF/SCB file is a reporting duty.
    consent_purpose: ConsentPurpose | None


def registration_page(
    session: Session,
    flt: RegistrationFilter,
    after: tuple[date, int, str] | None,
    limit: int,
) -> list[RegistrationRecord]:
    """Starts and exits dated in the period, in date order (then enrolment, then in before
    out), for the enrolments the scope sees."""
    ev = aliased(EnrolmentRow, name="export_event")
    starts = select(
        ev.id.label("enrolment_id"),
        ev.started_on.label("event_on"),
        literal(RegistrationEvent.IN.value, String(3)).label("event"),
    ).where(ev.started_on.is_not(None), ev.started_on.between(flt.from_on, flt.to_on))
    exits = select(
        ev.id.label("enrolment_id"),
        ev.ended_on.label("event_on"),
        literal(RegistrationEvent.OUT.value, String(3)).label("event"),
    ).where(
        ev.state == EnrolmentState.EXITED.value,
        ev.ended_on.between(flt.from_on, flt.to_on),
    )
    events = union_all(starts, exits).subquery("export_events")
    e, p = EnrolmentRow, ParticipantRow
    conditions: list[ColumnElement[bool]] = [enrolment_visible(flt.scope)]
    if flt.consent_purpose is not None:
        conditions.append(consent_held_condition(p.id, flt.consent_purpose))
    if after is not None:
        conditions.append(
            tuple_(events.c.event_on, events.c.enrolment_id, events.c.event)
            > tuple_(*(literal(v) for v in after))
        )
    stmt = (
        select(
            events.c.event_on,
            events.c.enrolment_id,
            events.c.event,
            p.id,
            p.personnummer,
            p.protected_identity,
            p.gender,
            p.education_level,
            e.programme_code,
            e.benefit_at_start,
            e.exit_reason_code,
            e.exit_status_code,
        )
        .select_from(events)
        .join(e, e.id == events.c.enrolment_id)
        .join(p, p.id == e.participant_id)
        .where(and_(*conditions))
        .order_by(events.c.event_on, events.c.enrolment_id, events.c.event)
        .limit(limit)
    )
    out: list[RegistrationRecord] = []
    for row in session.execute(stmt):
        values: list[Any] = list(row)
        values[2] = RegistrationEvent(values[2])
        out.append(RegistrationRecord(*values))
    return out
