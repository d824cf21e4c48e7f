"""Consent as a ledger per purpose (DOMAIN.md §9).

Consent is never a boolean on the person: every giving and withdrawal is an entry with its
effective date, so "was consent held on that day?" can be answered for any date, and a
withdrawal changes what is shared, counted and exported *from its date*, not retroactively.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from domain.errors import InvalidEffectiveDate, InvalidInput, InvalidTransition

MAX_FORM_REFERENCE_LENGTH = 120


class ConsentPurpose(StrEnum):
    # Case handling: information exchange with the referrer (the referrer sees status).
    REFERRER_INFORMATION_EXCHANGE = "referrer_information_exchange"
    SUS_REGISTRATION = "sus_registration"
    EVALUATION = "evaluation"
    FOLLOW_UP_CONTACT = "follow_up_contact"


# (Swedish, English) labels for the web app and for integrators reading the API.
PURPOSE_LABELS: dict[ConsentPurpose, tuple[str, str]] = {
    ConsentPurpose.REFERRER_INFORMATION_EXCHANGE: (
        "Informationsutbyte med remittenten",
        "Information exchange with the referrer",
    ),
    ConsentPurpose.SUS_REGISTRATION: ("Registrering i SUS", "Registration in SUS"),
    ConsentPurpose.EVALUATION: ("Utvärdering", "Evaluation"),
    ConsentPurpose.FOLLOW_UP_CONTACT: (
        "Uppföljande kontakt efter avslut",
        "Follow-up contact after exit",
    ),
}


class ConsentAction(StrEnum):
    GIVEN = "given"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True, slots=True)
class ConsentEntry:
    purpose: ConsentPurpose
    action: ConsentAction
    effective_on: date
    form_reference: str | None = None


@dataclass(frozen=True, slots=True)
class ConsentPeriod:
    given_on: date
    withdrawn_on: date | None  # None: still held

    def covers(self, on: date) -> bool:
        return self.given_on <= on and (self.withdrawn_on is None or on < self.withdrawn_on)


@dataclass(frozen=True, slots=True)
class ConsentLedger:
    """Entries in the order they were recorded; per purpose their dates never go backwards."""

    entries: tuple[ConsentEntry, ...] = ()

    def for_purpose(self, purpose: ConsentPurpose) -> tuple[ConsentEntry, ...]:
        return tuple(e for e in self.entries if e.purpose is purpose)

    def periods(self, purpose: ConsentPurpose) -> tuple[ConsentPeriod, ...]:
        periods: list[ConsentPeriod] = []
        for e in self.for_purpose(purpose):
            if e.action is ConsentAction.GIVEN:
                periods.append(ConsentPeriod(e.effective_on, None))
            else:
                periods[-1] = ConsentPeriod(periods[-1].given_on, e.effective_on)
        return tuple(periods)

    def holds(self, purpose: ConsentPurpose, on: date) -> bool:
        """Consent for `purpose` is in force on `on` (withdrawal counts from its own date)."""
        return any(p.covers(on) for p in self.periods(purpose))

    def is_held_now(self, purpose: ConsentPurpose) -> bool:
        entries = self.for_purpose(purpose)
        return bool(entries) and entries[-1].action is ConsentAction.GIVEN


def record_consent(ledger: ConsentLedger, entry: ConsentEntry, *, today: date) -> ConsentLedger:
    """Append one entry, or raise: no future dates, no withdrawal of what is not held, no
    withdrawal dated before the giving, no giving twice, never out of date order."""
    if entry.effective_on > today:
        raise InvalidEffectiveDate(
            "Datumet för samtycket ligger i framtiden.",
            fields={"effective_on": "datum i framtiden"},
        )
    reference = entry.form_reference
    if reference is not None and len(reference) > MAX_FORM_REFERENCE_LENGTH:
        raise InvalidInput(
            "Hänvisningen till blanketten är för lång.", fields={"form_reference": "för lång"}
        )
    previous = ledger.for_purpose(entry.purpose)
    last = previous[-1] if previous else None
    if entry.action is ConsentAction.GIVEN:
        if last is not None and last.action is ConsentAction.GIVEN:
            raise InvalidTransition(
                "Samtycket för detta ändamål är redan lämnat.",
                fields={"action": "samtycket gäller redan"},
            )
        if reference is None:
            raise InvalidInput(
                "Ange vilken blankett samtycket lämnades på.",
                fields={"form_reference": "krävs när samtycke lämnas"},
            )
    elif last is None or last.action is ConsentAction.WITHDRAWN:
        raise InvalidTransition(
            "Det finns inget gällande samtycke att återkalla för detta ändamål.",
            fields={"action": "inget samtycke att återkalla"},
        )
    if last is not None and entry.effective_on < last.effective_on:
        what = "lämnades" if last.action is ConsentAction.GIVEN else "återkallades"
        raise InvalidEffectiveDate(
            f"Samtycket {what} {last.effective_on.isoformat()}; en ny händelse kan inte "
            "dateras före det.",
            fields={"effective_on": "före föregående händelse"},
        )
    return ConsentLedger((*ledger.entries, entry))
