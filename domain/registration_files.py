"""Row rules for the registration files municipalities send on (DOMAIN.md §5, §8, §9).

Two files: the SUS-style in/out registration file (one row per start or exit in a period) and
the ESF/SCB-style monthly participant file (starts and exits of one month, in date order).
Both are `;`-separated CSV as Swedish Excel reads it. Pure: the caller supplies the rows it
read and `today`; nothing here reads a clock or a database.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from domain.codelists import OutcomeGroup
from domain.errors import InvalidInput
from domain.personnummer import Personnummer

SEPARATOR = ";"
# Excel opens a UTF-8 file as UTF-8 only when it starts with a byte order mark; without it
# "Försörjningsstöd" and every å/ä/ö turn into mojibake.
BYTE_ORDER_MARK = "\ufeff"
LINE_END = "\r\n"
MAX_PERIOD_YEARS = 20
# A cell starting with one of these is a formula to a spreadsheet (CSV injection); codes are
# admin-defined text, so they are guarded even though today's codes never start so.
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_MONTH = re.compile(r"^([0-9]{4})-(0[1-9]|1[0-2])$")


class RegistrationEvent(StrEnum):
    IN = "in"  # the start (intake -> Level 1)
    OUT = "out"  # the exit


# Education level code -> ISCED 2011 group (DOMAIN.md §5).
ISCED_GROUPS: dict[str, str] = {
    "forgymnasial": "ISCED 0-2",
    "gymnasial": "ISCED 3-4",
    "eftergymnasial": "ISCED 5-8",
}


def isced_group(education_level: str | None) -> str:
    """Empty when not recorded or not one of the three default levels."""
    return ISCED_GROUPS.get(education_level or "", "")


# ---- periods -------------------------------------------------------------------------------


def _add_years(on: date, years: int) -> date:
    try:
        return on.replace(year=on.year + years)
    except ValueError:  # 29 February into a common year
        return on.replace(year=on.year + years, day=28)


def check_period(from_on: date, to_on: date) -> None:
    """A registration period: `to` on or after `from`, and at most 20 years long."""
    if to_on < from_on:
        raise InvalidInput(
            "Periodens slutdatum ligger före startdatumet.",
            fields={"to": "före startdatumet"},
        )
    if to_on > _add_years(from_on, MAX_PERIOD_YEARS):
        raise InvalidInput(
            f"En period får vara högst {MAX_PERIOD_YEARS} år lång.",
            fields={"to": f"mer än {MAX_PERIOD_YEARS} år efter startdatumet"},
        )


def parse_month(text: str, *, today: date) -> tuple[date, date]:
    """ "YYYY-MM" -> (first day, last day). A month that has not begun yet is refused."""
    match = _MONTH.match(text)
    if match is None:
        raise InvalidInput(
            "Månaden anges som ÅÅÅÅ-MM, t.ex. 2026-03.", fields={"month": "ska vara ÅÅÅÅ-MM"}
        )
    year, month = int(match.group(1)), int(match.group(2))
    if year < 1900:
        raise InvalidInput("Året är orimligt.", fields={"month": "orimligt år"})
    first = date(year, month, 1)
    if first > today:
        raise InvalidInput("Månaden har inte börjat än.", fields={"month": "ligger i framtiden"})
    following = date(year + month // 12, month % 12 + 1, 1)
    return first, following - timedelta(days=1)


# ---- rows ----------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class SusRow:
    """One start or exit, as read from the database."""

    personnummer: str  # the stored 12 digits
    protected_identity: bool
    programme_code: str
    event: RegistrationEvent
    event_on: date
    exit_reason_code: str | None
    exit_status_code: str | None


SUS_COLUMNS = (
    "personnummer",
    "program",
    "handelse",
    "datum",
    "avslutsorsak",
    "status_vid_avslut",
)


def sus_fields(row: SusRow) -> tuple[str, ...]:
    """SUS needs the identity to register the person; a protected identity is exported
    anonymously (DOMAIN.md §9), so its row carries no personnummer and the municipality's
    named user registers it by hand."""
    out = row.event is RegistrationEvent.OUT
    return (
        "" if row.protected_identity else row.personnummer,
        row.programme_code,
        row.event.value,
        row.event_on.isoformat(),
        (row.exit_reason_code or "") if out else "",
        (row.exit_status_code or "") if out else "",
    )


@dataclass(frozen=True, slots=True)
class EsfRow:
    personnummer: str
    protected_identity: bool
    gender: str | None
    education_level: str | None
    benefit_at_start: str | None
    event: RegistrationEvent
    event_on: date
    # The exit status's outcome group; None for starts (and for unknown codes).
    outcome_group: OutcomeGroup | None


ESF_COLUMNS = (
    "personnummer",
    "juridiskt_kon",
    "fodelsear",
    "kon_sjalvuppgivet",
    "utbildningsniva_isced",
    "ersattning_vid_start",
    "handelse",
    "datum",
    "utfallsgrupp",
)


def esf_fields(row: EsfRow) -> tuple[str, ...]:
    """Legal sex and birth year are derived from the personnummer, never typed (DOMAIN.md §5).
    A protected identity keeps only sex and year (DOMAIN.md §9: exported as anonymous)."""
    pnr = Personnummer(row.personnummer)
    out = row.event is RegistrationEvent.OUT
    hidden = row.protected_identity
    return (
        "" if hidden else row.personnummer,
        pnr.legal_sex.value,
        str(pnr.birth_year),
        "" if hidden else (row.gender or ""),
        "" if hidden else isced_group(row.education_level),
        "" if hidden else (row.benefit_at_start or ""),
        row.event.value,
        row.event_on.isoformat(),
        row.outcome_group.value if out and row.outcome_group is not None else "",
    )


# ---- CSV -----------------------------------------------------------------------------------


def _cell(value: str) -> str:
    if value.startswith(_FORMULA_START):
        value = "'" + value
    if any(c in value for c in (SEPARATOR, '"', "\n", "\r")):
        value = '"' + value.replace('"', '""') + '"'
    return value


def csv_line(fields: Iterable[str]) -> str:
    """One `;`-separated line ending in CRLF (what Excel writes and reads)."""
    return SEPARATOR.join(_cell(f) for f in fields) + LINE_END
