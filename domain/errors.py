"""Domain errors. They know nothing of HTTP; `api/errors.py` maps each class to a status code.

Messages are Swedish because they reach mentors in the web app; `reason` is a stable machine
code that integrators and the frontend can switch on.
"""

from __future__ import annotations


class DomainError(Exception):
    """Base of every rule violation the domain reports."""

    reason: str = "domain_error"

    def __init__(
        self, detail: str, *, reason: str | None = None, fields: dict[str, str] | None = None
    ):
        super().__init__(detail)
        self.detail = detail
        if reason is not None:
            self.reason = reason
        self.fields = fields or {}


class InvalidInput(DomainError):
    """A value that can never be valid, such as a personnummer with a wrong check digit."""

    reason = "invalid_input"


class InvalidPersonnummer(InvalidInput):
    reason = "invalid_personnummer"


class InvalidTransition(DomainError):
    """The command is not allowed from the enrolment's current state."""

    reason = "invalid_transition"


class InvalidEffectiveDate(DomainError):
    """The business date is in the future or before the previous transition."""

    reason = "invalid_effective_date"


class MissingInformation(DomainError):
    """The command lacks something the rules require (an outcome, an exit code, a reason)."""

    reason = "missing_information"


class NotEligible(DomainError):
    """The person does not meet the programme's entry rules (for example age)."""

    reason = "not_eligible"


class UnknownCode(DomainError):
    """A code that is not in the current version of its code list."""

    reason = "unknown_code"
