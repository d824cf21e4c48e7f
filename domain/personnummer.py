"""Swedish personnummer and samordningsnummer as a validated value object.

The full number is sensitive personal data: `str()` and `repr()` only ever show the masked form,
so it cannot leak into logs, tracebacks or error messages by accident. Use `formatted` or
`digits` explicitly where the full number is really needed (storage, export to authorities).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Literal

from domain.errors import InvalidPersonnummer

__all__ = [
    "TEST_BIRTH_NUMBERS",
    "TEST_NUMBERS_PER_SEX_PER_DATE",
    "LegalSex",
    "Personnummer",
    "luhn_check_digit",
    "make_test_personnummer",
]

# Skatteverket reserves birth numbers 988-999 for testing; they are never assigned to anyone,
# so they are the only ones allowed in demo data, fixtures and tests.
TEST_BIRTH_NUMBERS = range(988, 1000)
# Half of the 12 test birth numbers are odd (men), half even (women).
TEST_NUMBERS_PER_SEX_PER_DATE = 6

# Samordningsnummer add 60 to the day of birth so they never collide with a personnummer.
_COORDINATION_OFFSET = 60

# [0-9] rather than \d: \d also matches non-ASCII digits such as "١".
_TWELVE = re.compile(r"([0-9]{8})-?([0-9]{4})")
_TEN = re.compile(r"([0-9]{6})([-+]?)([0-9]{4})")

_MSG_FORMAT = "Personnumret ska ha 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN."
_MSG_DATE = "Datumdelen är inte ett giltigt datum."
_MSG_BIRTH_NUMBER = "Födelsenumret 000 används inte."
_MSG_CHECKSUM = "Kontrollsiffran stämmer inte – kontrollera att personnumret är rätt inskrivet."
_MSG_FUTURE = "Födelsedatumet ligger i framtiden."

_Reason = Literal[
    "personnummer_format",
    "personnummer_date",
    "personnummer_birth_number",
    "personnummer_checksum",
    "personnummer_future",
]


def _invalid(detail: str, reason: _Reason) -> InvalidPersonnummer:
    return InvalidPersonnummer(detail, reason=reason, fields={"personnummer": detail})


class LegalSex(StrEnum):
    WOMAN = "woman"
    MAN = "man"


def age_on(born: date, on: date) -> int:
    """Completed years on `on`; the one age rule of the domain (programme age limits too).

    Someone born on 29 February turns a year older on 1 March in non-leap years, which is how
    Swedish authorities count it.
    """
    if on < born:
        raise ValueError("age_on: the date is before the birth date")
    birthday = (born.month, born.day)
    if birthday == (2, 29) and not _is_leap(on.year):
        birthday = (3, 1)
    years = on.year - born.year
    return years - 1 if (on.month, on.day) < birthday else years


def mask_stored(digits: str) -> str:
    """The masked display form of an already validated, stored 12-digit number.

    For lists, where re-validating every stored number would cost more than the rest of the
    row. The stored day is kept (day + 60 for samordningsnummer) so the masked form still tells
    the two kinds apart when a mentor compares it with a paper document.
    """
    return f"{digits[:8]}-****"


def luhn_check_digit(nine_digits: str) -> int:
    """Check digit for the nine short digits YYMMDDNNN (the century is not part of the sum)."""
    if len(nine_digits) != 9 or not nine_digits.isascii() or not nine_digits.isdigit():
        raise ValueError("luhn_check_digit needs exactly nine ASCII digits")
    total = 0
    for position, char in enumerate(nine_digits):
        product = int(char) * (2 if position % 2 == 0 else 1)
        total += product - 9 if product > 9 else product  # digit sum of a two-digit product
    return (10 - total % 10) % 10


@dataclass(frozen=True, slots=True, repr=False)
class Personnummer:
    """A personnummer or samordningsnummer, always stored as 12 digits YYYYMMDDNNNC.

    Constructing one directly validates the date, birth number and check digit, so a value read
    back from storage is as trustworthy as a parsed one. Only `parse` can check "not in the
    future", because that needs to know what today is.
    """

    digits: str

    def __post_init__(self) -> None:
        digits = self.digits
        if not isinstance(digits, str) or not _is_ascii_digits(digits, 12):
            raise _invalid(_MSG_FORMAT, "personnummer_format")
        if _real_date(digits) is None:
            raise _invalid(_MSG_DATE, "personnummer_date")
        if digits[8:11] == "000":
            raise _invalid(_MSG_BIRTH_NUMBER, "personnummer_birth_number")
        if luhn_check_digit(digits[2:11]) != int(digits[11]):
            raise _invalid(_MSG_CHECKSUM, "personnummer_checksum")

    @classmethod
    def parse(cls, text: str, *, today: date) -> Personnummer:
        """Parse what a mentor typed; `today` decides the century of 10-digit forms."""
        if not isinstance(text, str):
            raise _invalid(_MSG_FORMAT, "personnummer_format")
        cleaned = text.strip()
        if match := _TWELVE.fullmatch(cleaned):
            digits = match.group(1) + match.group(2)
        elif match := _TEN.fullmatch(cleaned):
            short_date, separator, tail = match.groups()
            year = _infer_year(short_date, hundred_or_older=separator == "+", today=today)
            if not 1 <= year <= 9999:
                raise _invalid(_MSG_DATE, "personnummer_date")
            digits = f"{year:04d}{short_date[2:]}{tail}"
        else:
            raise _invalid(_MSG_FORMAT, "personnummer_format")

        # Date, birth number and check digit are checked first: a typo is more likely than
        # someone entering a future date, and its message points at the actual mistake.
        personnummer = cls(digits)
        if personnummer.birth_date > today:
            raise _invalid(_MSG_FUTURE, "personnummer_future")
        return personnummer

    @property
    def is_coordination_number(self) -> bool:
        return int(self.digits[6:8]) > _COORDINATION_OFFSET

    @property
    def birth_date(self) -> date:
        real = _real_date(self.digits)
        assert real is not None  # guaranteed by __post_init__
        return real

    @property
    def birth_year(self) -> int:
        return int(self.digits[:4])

    @property
    def legal_sex(self) -> LegalSex:
        return LegalSex.MAN if int(self.digits[10]) % 2 == 1 else LegalSex.WOMAN

    def age_on(self, on: date) -> int:
        """Completed years on `on`.

        Someone born on 29 February turns a year older on 1 March in non-leap years, which is
        how Swedish authorities count it (and so it agrees with the '+' rule in `parse`).
        """
        return age_on(self.birth_date, on)

    @property
    def masked(self) -> str:
        return mask_stored(self.digits)

    @property
    def formatted(self) -> str:
        return f"{self.digits[:8]}-{self.digits[8:]}"

    @property
    def is_test_series(self) -> bool:
        return int(self.digits[8:11]) in TEST_BIRTH_NUMBERS

    def __str__(self) -> str:
        return self.masked

    def __repr__(self) -> str:
        return f"Personnummer({self.masked!r})"


def make_test_personnummer(
    birth_date: date, serial: int, sex: LegalSex, coordination: bool = False
) -> Personnummer:
    """A valid number in Skatteverket's test series (birth numbers 988-999) for synthetic people.

    There are 12 test birth numbers, 6 odd (men) and 6 even (women), so each birth date gives
    `TEST_NUMBERS_PER_SEX_PER_DATE` = 6 distinct numbers per sex, and `coordination=True` gives
    another 6 per sex (day + 60). `serial` picks one of them (0-5) deterministically; to make
    thousands of distinct people, vary the birth date. A serial outside 0-5 raises instead of
    wrapping around, because wrapping would silently produce duplicates.
    """
    if not 0 <= serial < TEST_NUMBERS_PER_SEX_PER_DATE:
        raise ValueError(f"serial must be 0..{TEST_NUMBERS_PER_SEX_PER_DATE - 1}, got {serial}")
    first = 989 if sex == LegalSex.MAN else 988  # 988 is even, 989 odd
    birth_number = first + 2 * serial
    day = birth_date.day + (_COORDINATION_OFFSET if coordination else 0)
    short = f"{birth_date.year % 100:02d}{birth_date.month:02d}{day:02d}{birth_number:03d}"
    return Personnummer(f"{birth_date.year:04d}{short[2:]}{luhn_check_digit(short)}")


def _is_ascii_digits(text: str, length: int) -> bool:
    return len(text) == length and text.isascii() and text.isdigit()


def _is_leap(year: int) -> bool:
    return year % 4 == 0 and (year % 100 != 0 or year % 400 == 0)


def _real_date(digits: str) -> date | None:
    """Birth date in 12 digits, undoing the samordningsnummer offset; None if invalid."""
    year, month, day = int(digits[:4]), int(digits[4:6]), int(digits[6:8])
    if day > _COORDINATION_OFFSET:
        day -= _COORDINATION_OFFSET
    elif day == _COORDINATION_OFFSET:
        return None  # would be "day 0" of a samordningsnummer
    try:
        return date(year, month, day)
    except ValueError:
        return None


def _infer_year(short_date: str, *, hundred_or_older: bool, today: date) -> int:
    """Full birth year for YYMMDD: the latest century not after `today`, 100 years back for '+'.

    Compares (year, month, day) tuples instead of dates so an invalid date such as 29 February
    in a non-leap year still gets a century and is then reported as a bad date, not a bad format.
    For 29 February this also means the candidate counts as passed from 1 March onwards in a
    non-leap year, the same rule `age_on` uses.
    """
    yy, month, day = int(short_date[:2]), int(short_date[2:4]), int(short_date[4:6])
    if day > _COORDINATION_OFFSET:
        day -= _COORDINATION_OFFSET
    year = today.year - today.year % 100 + yy
    if (year, month, day) > (today.year, today.month, today.day):
        year -= 100
    return year - 100 if hundred_or_older else year
