"""Follow-ups after the outcome step and after exit (DOMAIN.md §3, §8, §9).

A follow-up schedule is a pure function of the programme's rules and the enrolment's history
with corrected dates applied, so a corrected Level 4 entry or exit date moves the due dates, and
the stored schedule is only a projection of it. Recording a result is validated here: dates,
the shape of a reached vs. a not-reached contact, and consent to contact after exit. No clock
reads, no I/O: `today` and the participant's consent ledger are handed in.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from enum import StrEnum

from domain.codelists import OutcomeGroup
from domain.consent import ConsentLedger, ConsentPurpose
from domain.enrolment import Enrolment, EnrolmentState, add_months, states_after_each
from domain.errors import (
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
    UnknownCode,
)
from domain.programmes import FollowUpRule, FollowUpTrigger, Programme

__all__ = [
    "DUE_WINDOW_DAYS",
    "MAX_ATTEMPTS",
    "MAX_NOTE_LENGTH",
    "FollowUpResult",
    "FollowUpRule",
    "FollowUpStatus",
    "FollowUpTrigger",
    "ScheduledFollowUp",
    "contact_permitted",
    "due_on",
    "follow_up_schedule",
    "follow_up_status",
    "scheduled_follow_up",
    "trigger_dates",
    "validate_result",
]

# A follow-up counts as due this many days before its due date, so the mentor can book it.
DUE_WINDOW_DAYS = 14
MAX_ATTEMPTS = 20
MAX_NOTE_LENGTH = 500

ALREADY_RECORDED = "Uppföljningen är redan registrerad. Ett resultat kan bara registreras en gång."
CONSENT_MISSING = (
    "Samtycke till uppföljningskontakt saknas för kontaktdagen. Registrera samtycket först, "
    "eller låt bli att kontakta personen."
)


class FollowUpStatus(StrEnum):
    DONE = "done"
    NOT_PERMITTED = "not_permitted"
    UPCOMING = "upcoming"
    DUE = "due"
    OVERDUE = "overdue"


@dataclass(frozen=True, slots=True)
class ScheduledFollowUp:
    kind: str
    trigger_on: date
    due_on: date
    requires_contact_consent: bool


@dataclass(frozen=True, slots=True)
class FollowUpResult:
    """What the mentor found out. Outcome fields only when the person was reached."""

    contacted_on: date
    contact_reached: bool
    attempts: int
    # The last attempt failed and no more will be made: "not reached" in the statistics.
    final_non_response: bool = False
    status_group: OutcomeGroup | None = None
    employment_extent_percent: int | None = None
    self_supporting: bool | None = None
    # A code in the BENEFIT code list; resolved against the current version by the caller.
    current_benefit: str | None = None
    note: str | None = None


# --- the schedule -----------------------------------------------------------------------------


def trigger_dates(programme: Programme, enrolment: Enrolment) -> dict[FollowUpTrigger, date]:
    """The dates of the triggering events that have happened, with corrections applied."""
    dates: dict[FollowUpTrigger, date] = {}
    after_each = states_after_each(enrolment.programme_code, enrolment.history)
    for transition, (_state, step) in zip(enrolment.history, after_each, strict=True):
        if step is not None and programme.step(step).requires_outcome:
            # The first entry counts: stepping back (the job ended) and up again does not
            # restart the support period's follow-up.
            dates[FollowUpTrigger.OUTCOME_STEP_ENTERED] = enrolment.effective_dates[transition.seq]
            break
    if enrolment.state is EnrolmentState.EXITED and enrolment.ended_on is not None:
        dates[FollowUpTrigger.EXIT] = enrolment.ended_on
    return dates


def due_on(rule: FollowUpRule, trigger_on: date) -> date:
    return add_months(trigger_on, rule.offset_months) + timedelta(days=rule.offset_days)


def follow_up_schedule(
    programme: Programme, enrolment: Enrolment, *, exit_excluded: bool = False
) -> tuple[ScheduledFollowUp, ...]:
    """Every follow-up whose triggering event has happened, in the programme's rule order.

    `exit_excluded`: the exit reason is flagged `excluded_from_statistics` (registered in
    error), so there was no real exit to follow up.
    """
    if enrolment.state is EnrolmentState.DECLINED:
        return ()
    triggers = trigger_dates(programme, enrolment)
    schedule = []
    for rule in programme.follow_up_rules:
        trigger_on = triggers.get(rule.trigger)
        if trigger_on is None or (rule.trigger is FollowUpTrigger.EXIT and exit_excluded):
            continue
        schedule.append(
            ScheduledFollowUp(
                kind=rule.kind,
                trigger_on=trigger_on,
                due_on=due_on(rule, trigger_on),
                requires_contact_consent=rule.requires_contact_consent,
            )
        )
    return tuple(schedule)


def scheduled_follow_up(
    programme: Programme, schedule: tuple[ScheduledFollowUp, ...], kind: str
) -> ScheduledFollowUp:
    """The scheduled follow-up of `kind`, or why there is none to record."""
    found = next((s for s in schedule if s.kind == kind), None)
    if found is not None:
        return found
    if programme.follow_up_rule(kind) is None:
        known = ", ".join(r.kind for r in programme.follow_up_rules) or "inga"
        raise UnknownCode(
            f"Programmet {programme.name_sv} har ingen uppföljning '{kind}' (finns: {known}).",
            fields={"kind": "okänd uppföljning för programmet"},
        )
    raise InvalidTransition(
        "Uppföljningen är inte aktuell ännu: händelsen som utlöser den (inträde på nivån med "
        "arbete eller studier, eller avslut) har inte inträffat för inskrivningen.",
        fields={"kind": "inte schemalagd för inskrivningen"},
    )


# --- status -----------------------------------------------------------------------------------


def contact_permitted(requires_contact_consent: bool, ledger: ConsentLedger, on: date) -> bool:
    return not requires_contact_consent or ledger.holds(ConsentPurpose.FOLLOW_UP_CONTACT, on)


def follow_up_status(
    due_on: date, *, recorded: bool, contact_permitted: bool, today: date
) -> FollowUpStatus:
    """`contact_permitted`: consent (where the rule needs it) is held today, the day an open
    follow-up's contact would be made."""
    if recorded:
        return FollowUpStatus.DONE
    if not contact_permitted:
        return FollowUpStatus.NOT_PERMITTED
    if due_on < today:
        return FollowUpStatus.OVERDUE
    if due_on <= today + timedelta(days=DUE_WINDOW_DAYS):
        return FollowUpStatus.DUE
    return FollowUpStatus.UPCOMING


# --- recording a result -----------------------------------------------------------------------


def validate_result(
    scheduled: ScheduledFollowUp,
    result: FollowUpResult,
    *,
    recorded: bool,
    ledger: ConsentLedger,
    today: date,
) -> FollowUpResult:
    """The result, normalised, or a domain error saying what to fix.

    `recorded`: a result is already stored for this follow-up (one per enrolment and kind).
    """
    if recorded:
        raise InvalidTransition(ALREADY_RECORDED, fields={"kind": "redan registrerad"})
    _check_dates(scheduled, result.contacted_on, today)
    _check_attempts(result.attempts)
    note = _normalise_note(result.note)
    group = None
    if result.contact_reached:
        group = _check_reached(result)
    else:
        _check_not_reached(result, note)
    if not contact_permitted(scheduled.requires_contact_consent, ledger, result.contacted_on):
        raise InvalidTransition(
            CONSENT_MISSING, fields={"contacted_on": "samtycke till uppföljningskontakt saknas"}
        )
    return replace(result, note=note, status_group=group)


def _check_dates(scheduled: ScheduledFollowUp, contacted_on: date, today: date) -> None:
    if contacted_on > today:
        raise InvalidEffectiveDate(
            "Kontaktdatumet ligger i framtiden.", fields={"contacted_on": "datum i framtiden"}
        )
    if contacted_on < scheduled.trigger_on:
        raise InvalidEffectiveDate(
            "Uppföljningen kan inte göras före händelsen som utlöser den "
            f"({scheduled.trigger_on.isoformat()}).",
            fields={"contacted_on": "före utlösande händelse"},
        )


def _check_attempts(attempts: int) -> None:
    if isinstance(attempts, bool) or not 1 <= attempts <= MAX_ATTEMPTS:
        raise InvalidInput(
            f"Antal kontaktförsök anges som ett heltal 1–{MAX_ATTEMPTS}.",
            fields={"attempts": f"1–{MAX_ATTEMPTS}"},
        )


def _normalise_note(note: str | None) -> str | None:
    note = note.strip() if note else None
    if note and len(note) > MAX_NOTE_LENGTH:
        raise InvalidInput(
            f"Anteckningen får vara högst {MAX_NOTE_LENGTH} tecken.", fields={"note": "för lång"}
        )
    return note or None


def _check_reached(r: FollowUpResult) -> OutcomeGroup:
    if r.final_non_response:
        raise InvalidInput(
            "Slutligt bortfall anges bara när personen inte gick att nå.",
            fields={"final_non_response": "bara när kontakt inte nåddes"},
        )
    if r.status_group is None:
        raise MissingInformation(
            "Ange personens nuvarande situation: arbete, studier, arbetssökande eller annat.",
            fields={"status_group": "krävs när kontakt nåddes"},
        )
    try:
        # Adapters may hand in the plain string value.
        group = OutcomeGroup(r.status_group)
    except ValueError:
        raise InvalidInput(
            "Situationen anges som arbete, studier, arbetssökande eller annat.",
            fields={"status_group": "work, studies, job_seeking eller other"},
        ) from None
    extent = r.employment_extent_percent
    if extent is not None and (isinstance(extent, bool) or not 1 <= extent <= 100):
        raise InvalidInput(
            "Sysselsättningsgraden anges i procent, 1–100.",
            fields={"employment_extent_percent": "1–100"},
        )
    if group is OutcomeGroup.WORK and extent is None:
        raise MissingInformation(
            "Ange sysselsättningsgraden i procent för arbete.",
            fields={"employment_extent_percent": "krävs för arbete"},
        )
    if group is not OutcomeGroup.WORK and extent is not None:
        raise InvalidInput(
            "Sysselsättningsgrad anges bara för arbete.",
            fields={"employment_extent_percent": "bara för arbete"},
        )
    if r.self_supporting is None:
        raise MissingInformation(
            "Ange om personen är självförsörjande.",
            fields={"self_supporting": "krävs när kontakt nåddes"},
        )
    return group


def _check_not_reached(r: FollowUpResult, note: str | None) -> None:
    given = {
        "status_group": r.status_group,
        "employment_extent_percent": r.employment_extent_percent,
        "self_supporting": r.self_supporting,
        "current_benefit": r.current_benefit,
        "note": note,
    }
    extra = {name: "anges bara när kontakt nåddes" for name, v in given.items() if v is not None}
    if extra:
        raise InvalidInput(
            "Personen nåddes inte: situation, sysselsättningsgrad, självförsörjning, ersättning "
            "och anteckning anges bara när kontakt nåddes.",
            fields=extra,
        )
