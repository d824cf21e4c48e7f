"""Export use cases: the pseudonymised evaluation export and the SUS / ESF registration files.

Every export is validated and audited *before* the first byte is sent (the entry commits even
if the client then disconnects), then streamed from keyset pages read one short unit of work at
a time (`repositories.exports.stream_chunks`), so memory stays flat however many rows there are.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

from api.context import AppContext
from api.errors import Forbidden
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.repositories import exports as export_repository
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.exports import (
    EvaluationFilter,
    EvaluationRecord,
    RegistrationFilter,
    RegistrationRecord,
    count_evaluation_rows,
    evaluation_page,
    registration_page,
    stream_chunks,
    withdrawn_participants,
)
from api.schemas.exports import (
    AssessmentReading,
    EvaluationRow,
    EvaluationTrailer,
    EvaluationWithdrawal,
    FollowUpResult,
    LevelEntry,
)
from api.security.principal import Principal, scope_for
from domain.codelists import CodeEntry, CodeList, CodeListName, OutcomeGroup
from domain.consent import ConsentPurpose
from domain.enrolment import TransitionKind, replay_with_states
from domain.errors import InvalidInput
from domain.personnummer import Personnummer
from domain.pseudonyms import enrolment_pseudonym, evaluator_key, participant_pseudonym
from domain.registration_files import (
    BYTE_ORDER_MARK,
    ESF_COLUMNS,
    SUS_COLUMNS,
    EsfRow,
    SusRow,
    check_period,
    csv_line,
    esf_fields,
    parse_month,
    sus_fields,
)

# The next cursor lies this far before the export started: a change whose transaction began
# before the export but committed after the export read its page carries an earlier
# `updated_at`, and would otherwise fall between two pulls. Rows may repeat across pulls;
# clients replace them by `enrolment_pseudonym`.
CURSOR_OVERLAP = timedelta(minutes=5)
MAX_SINCE_LENGTH = 64
_LEVEL_ENTRIES = (TransitionKind.START, TransitionKind.ADVANCE, TransitionKind.STEP_BACK)


def _chunk_size() -> int:
    # Read at call time so a test can shrink the pages without a public parameter.
    return export_repository.DEFAULT_CHUNK_SIZE


# ---- codes ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExitCodes:
    """The current exit code lists: what an exit code means for statistics."""

    reasons: CodeList
    statuses: CodeList

    def _entries(self, reason: str | None, status: str | None) -> list[CodeEntry]:
        found = [
            self.reasons.find(reason) if reason else None,
            self.statuses.find(status) if status else None,
        ]
        return [e for e in found if e is not None]

    def outcome_group(self, status: str | None) -> OutcomeGroup | None:
        entry = self.statuses.find(status) if status else None
        return entry.outcome_group if entry else None

    def continues(self, reason: str | None, status: str | None) -> bool:
        return any(e.continues_in_regular_operations for e in self._entries(reason, status))

    def excluded(self, reason: str | None, status: str | None) -> bool:
        return any(e.excluded_from_statistics for e in self._entries(reason, status))


def _exit_codes(ctx: AppContext) -> ExitCodes:
    with ctx.database.unit_of_work(write=False) as uow:
        repo = CodeListRepository(uow.session)
        return ExitCodes(
            repo.current(CodeListName.EXIT_REASON), repo.current(CodeListName.EXIT_STATUS)
        )


def _audit(ctx: AppContext, principal: Principal, event: AuditEvent) -> None:
    with ctx.database.unit_of_work(write=True) as uow:
        AuditLog(uow.session).append(principal, event, at=ctx.clock.now())
        uow.commit()


# ---- the evaluation export -----------------------------------------------------------------


def parse_since(text: str | None, *, now: datetime) -> datetime | None:
    """The `since` cursor: the `next_since` of an earlier export, an ISO 8601 date-time with
    a UTC offset (e.g. 2026-03-01T12:00:00Z). Naive or future times are refused."""
    if text is None:
        return None
    invalid = InvalidInput(
        "Ogiltig markör i since: ange next_since från en tidigare export, "
        "t.ex. 2026-03-01T12:00:00Z.",
        fields={"since": "ogiltig tidpunkt"},
    )
    if len(text) > MAX_SINCE_LENGTH or not text.isascii():
        raise invalid
    try:
        at = datetime.fromisoformat(text)
    except ValueError:
        raise invalid from None
    if at.tzinfo is None or at.utcoffset() is None:
        raise InvalidInput(
            "Tidpunkten i since måste ha tidszon, t.ex. 2026-03-01T12:00:00Z.",
            fields={"since": "tidszon saknas"},
        )
    at = at.astimezone(UTC)
    if at > now:
        raise InvalidInput(
            "Tidpunkten i since ligger i framtiden.", fields={"since": "ligger i framtiden"}
        )
    return at


def level_history(record: EvaluationRecord) -> list[LevelEntry]:
    """Each level entered, dated with corrections applied (the domain's replay decides)."""
    if not record.history:
        return []
    enrolment, after_each = replay_with_states(record.programme_code, record.history)
    dates = enrolment.effective_dates
    return [
        LevelEntry(step=step, entered_on=dates[t.seq])
        for t, (_state, step) in zip(record.history, after_each, strict=True)
        if t.kind in _LEVEL_ENTRIES and step is not None
    ]


def evaluation_row(record: EvaluationRecord, key: bytes, codes: ExitCodes) -> EvaluationRow:
    """Only coded, dated and numeric facts: the personnummer is used for sex and year only."""
    pnr = Personnummer(record.personnummer)
    return EvaluationRow(
        pseudonym=participant_pseudonym(key, record.participant_id),
        enrolment_pseudonym=enrolment_pseudonym(key, record.enrolment_id),
        legal_sex=pnr.legal_sex,
        birth_year=pnr.birth_year,
        municipality_code=record.municipality_code,
        referrer_type=record.referrer_type,
        benefit_at_start=record.benefit_at_start,
        education_level=record.education_level,
        months_on_support_before_start=record.months_on_support_before_start,
        programme_code=record.programme_code,
        state=record.state,
        referred_on=record.referred_on,
        started_on=record.started_on,
        exited_on=record.ended_on if record.state == "exited" else None,
        highest_step=record.highest_step,
        level_history=level_history(record),
        exit_reason_code=record.exit_reason_code,
        exit_status_code=record.exit_status_code,
        exit_outcome_group=codes.outcome_group(record.exit_status_code),
        continues_in_regular_operations=codes.continues(
            record.exit_reason_code, record.exit_status_code
        ),
        excluded_from_statistics=codes.excluded(record.exit_reason_code, record.exit_status_code),
        assessments=[
            AssessmentReading(
                occasion=r.occasion,
                answered_on=r.answered_on,
                questionnaire_version=r.questionnaire_version,
                answers=r.answers,
            )
            for r in record.readings
        ],
        follow_ups=[
            FollowUpResult(
                kind=f.kind,
                due_on=f.due_on,
                contact_reached=f.contact_reached,
                final_non_response=f.final_non_response,
                status_group=OutcomeGroup(f.status_group) if f.status_group else None,
                employment_extent_percent=f.employment_extent_percent,
                self_supporting=f.self_supporting,
            )
            for f in record.follow_ups
        ],
    )


@dataclass
class EvaluationExport:
    lines: Iterator[bytes]
    next_since: datetime


def export_evaluation(
    ctx: AppContext,
    principal: Principal,
    *,
    purpose: str,
    since: str | None = None,
    evaluator_id: int | None = None,
) -> EvaluationExport:
    """Validate, audit once with the purpose, then hand back the NDJSON line generator."""
    if principal.user_id is None or (evaluator_id is not None and evaluator_id != principal.id):
        # Pseudonym keys are per evaluator: nobody may pull with another evaluator's key.
        raise Forbidden("Du kan bara hämta exporten med din egen pseudonymnyckel.")
    now = ctx.clock.now()
    since_at = parse_since(since, now=now)
    next_since = now - CURSOR_OVERLAP
    flt = EvaluationFilter(association_id=principal.organisation_id, since=since_at)
    codes = _exit_codes(ctx)
    key = evaluator_key(ctx.settings.pseudonym_secret.get_secret_value().encode(), principal.id)
    with ctx.database.unit_of_work(write=True) as uow:
        rows = count_evaluation_rows(uow.session, flt)
        withdrawn = withdrawn_participants(uow.session, flt)
        # No subjects: the export is pseudonymised, and listing the participant ids here would
        # put the link between pseudonym set and identities in a second place. Who was
        # exported is reproducible from this entry's time, `since` and the consent ledger.
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "export.evaluation",
                entity_type="export",
                purpose=purpose,
                detail={
                    "purpose": purpose,
                    "rows": rows,
                    "withdrawals": len(withdrawn),
                    "since": since_at.isoformat() if since_at else None,
                    "next_since": next_since.isoformat(),
                },
            ),
            at=now,
        )
        uow.commit()
    return EvaluationExport(
        _evaluation_lines(ctx, principal, flt, key, codes, next_since, withdrawn), next_since
    )


def _evaluation_lines(
    ctx: AppContext,
    principal: Principal,
    flt: EvaluationFilter,
    key: bytes,
    codes: ExitCodes,
    next_since: datetime,
    withdrawn: list[int],
) -> Iterator[bytes]:
    sent = 0
    pages = stream_chunks(
        ctx.database,
        lambda session, after, limit: evaluation_page(session, flt, after, limit),
        lambda record: record.enrolment_id,
        chunk_size=_chunk_size(),
    )
    for page in pages:
        sent += len(page)
        yield "".join(evaluation_row(r, key, codes).model_dump_json() + "\n" for r in page).encode()
    # Withdrawals were read when the export started (a short list of ids): a withdrawal
    # recorded during the stream is caught by the next pull, whose `since` overlaps.
    if withdrawn:
        yield "".join(
            EvaluationWithdrawal(
                withdrawn_pseudonym=participant_pseudonym(key, participant_id)
            ).model_dump_json()
            + "\n"
            for participant_id in withdrawn
        ).encode()
    trailer = EvaluationTrailer(next_since=next_since, rows=sent, withdrawals=len(withdrawn))
    yield (trailer.model_dump_json() + "\n").encode()
    # Reached only when the whole stream was produced; the start entry stands either way.
    _audit(
        ctx,
        principal,
        AuditEvent("export.evaluation.completed", entity_type="export", detail={"rows": sent}),
    )


# ---- registration files --------------------------------------------------------------------

# A record to its CSV fields, or None to leave it out of the file.
ToFields = Callable[[RegistrationRecord], tuple[str, ...] | None]


def _registration_stream(
    ctx: AppContext,
    principal: Principal,
    flt: RegistrationFilter,
    action: str,
    header: tuple[str, ...],
    to_fields: ToFields,
) -> Iterator[bytes]:
    yield (BYTE_ORDER_MARK + csv_line(header)).encode()
    sent = 0
    pages = stream_chunks(
        ctx.database,
        lambda session, after, limit: registration_page(session, flt, after, limit),
        lambda record: record.position,
        chunk_size=_chunk_size(),
    )
    for page in pages:
        sent_records = [(r, f) for r, f in ((r, to_fields(r)) for r in page) if f is not None]
        if not sent_records:
            continue
        # The page's people are logged before their rows leave (DOMAIN.md §9: every export is
        # in the access log with the persons it concerns).
        _audit(
            ctx,
            principal,
            AuditEvent(
                f"{action}.rows",
                sorted({r.participant_id for r, _ in sent_records}),
                entity_type="export",
                detail={"rows": len(sent_records)},
            ),
        )
        sent += len(sent_records)
        yield "".join(csv_line(fields) for _, fields in sent_records).encode()
    _audit(
        ctx,
        principal,
        AuditEvent(f"{action}.completed", entity_type="export", detail={"rows": sent}),
    )


def _start_registration_export(
    ctx: AppContext, principal: Principal, action: str, purpose: str, detail: dict[str, str]
) -> None:
    _audit(
        ctx,
        principal,
        AuditEvent(
            action, entity_type="export", purpose=purpose, detail={"purpose": purpose, **detail}
        ),
    )


def _municipality_scope(principal: Principal) -> None:
    if principal.municipality_id is None:
        raise Forbidden("Din roll är inte knuten till en kommun.")


def _sus_fields(record: RegistrationRecord) -> tuple[str, ...] | None:
    return sus_fields(
        SusRow(
            personnummer=record.personnummer,
            protected_identity=record.protected_identity,
            programme_code=record.programme_code,
            event=record.event,
            event_on=record.event_on,
            exit_reason_code=record.exit_reason_code,
            exit_status_code=record.exit_status_code,
        )
    )


def _esf_fields(codes: ExitCodes) -> ToFields:
    def fields(record: RegistrationRecord) -> tuple[str, ...] | None:
        # Registered in error: not a real start or exit, so not reported to SCB (DOMAIN.md §4.6).
        if codes.excluded(record.exit_reason_code, record.exit_status_code):
            return None
        return esf_fields(
            EsfRow(
                personnummer=record.personnummer,
                protected_identity=record.protected_identity,
                gender=record.gender,
                education_level=record.education_level,
                benefit_at_start=record.benefit_at_start,
                event=record.event,
                event_on=record.event_on,
                outcome_group=codes.outcome_group(record.exit_status_code),
            )
        )

    return fields


def export_sus(
    ctx: AppContext, principal: Principal, *, purpose: str, from_on: date, to_on: date
) -> Iterator[bytes]:
    """SUS in/out file for the period: only people whose SUS-registration consent holds."""
    check_period(from_on, to_on)
    _municipality_scope(principal)
    flt = RegistrationFilter(scope_for(principal), from_on, to_on, ConsentPurpose.SUS_REGISTRATION)
    _start_registration_export(
        ctx,
        principal,
        "export.sus",
        purpose,
        {"from": from_on.isoformat(), "to": to_on.isoformat()},
    )
    return _registration_stream(ctx, principal, flt, "export.sus", SUS_COLUMNS, _sus_fields)


def export_esf_monthly(
    ctx: AppContext, principal: Principal, *, purpose: str, month: str
) -> Iterator[bytes]:
    """ESF/SCB monthly file: every start and exit of the month in date order. A reporting
    duty of the ESF project owner rather than a consent-based sharing, so no consent filter."""
    from_on, to_on = parse_month(month, today=ctx.clock.today())
    _municipality_scope(principal)
    codes = _exit_codes(ctx)
    flt = RegistrationFilter(scope_for(principal), from_on, to_on, None)
    _start_registration_export(ctx, principal, "export.esf_monthly", purpose, {"month": month})
    return _registration_stream(
        ctx, principal, flt, "export.esf_monthly", ESF_COLUMNS, _esf_fields(codes)
    )
