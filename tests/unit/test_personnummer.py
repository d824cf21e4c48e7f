"""Personnummer parsing and validation.

Only Skatteverket's test series (birth numbers 988-999) may appear here, even as invalid input,
so no literal can ever be someone's real personnummer. Literals below were checked by hand;
everything else is built with `make_test_personnummer` or `_with_check`.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidPersonnummer
from domain.personnummer import (
    TEST_BIRTH_NUMBERS,
    TEST_NUMBERS_PER_SEX_PER_DATE,
    LegalSex,
    Personnummer,
    luhn_check_digit,
    make_test_personnummer,
)

TODAY = date(2025, 6, 15)

# Woman, 1 January 1990, birth number 988: Luhn over 900101988 gives 5.
WOMAN_1990 = "199001019885"
# Man, 1 January 1990, birth number 989.
MAN_1990 = "199001019893"
# Samordningsnummer (day 11 + 60) for a woman born 11 January 1990, birth number 988.
COORD_1990 = "199001719880"

MESSAGES = {
    "personnummer_format": "Personnumret ska ha 10 eller 12 siffror, t.ex. ÅÅÅÅMMDD-NNNN.",
    "personnummer_date": "Datumdelen är inte ett giltigt datum.",
    "personnummer_birth_number": "Födelsenumret 000 används inte.",
    "personnummer_checksum": (
        "Kontrollsiffran stämmer inte – kontrollera att personnumret är rätt inskrivet."
    ),
    "personnummer_future": "Födelsedatumet ligger i framtiden.",
}


def _with_check(prefix: str, birth_number: str = "998") -> str:
    """Date part (6 or 8 digits) + birth number + the correct check digit."""
    return prefix + birth_number + str(luhn_check_digit(prefix[-6:] + birth_number))


def _reject(text: str, today: date = TODAY) -> InvalidPersonnummer:
    with pytest.raises(InvalidPersonnummer) as caught:
        Personnummer.parse(text, today=today)
    return caught.value


# --- helpers -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("nine", "expected"),
    [("900101988", 5), ("900101989", 3), ("900171988", 0), ("240229988", 3), ("000229989", 9)],
)
def test_luhn_check_digit(nine: str, expected: int) -> None:
    assert luhn_check_digit(nine) == expected


@pytest.mark.parametrize("bad", ["", "90010198", "9001019880", "90010198a", "٩٠٠١٠١٩٨٨"])
def test_luhn_check_digit_needs_nine_ascii_digits(bad: str) -> None:
    with pytest.raises(ValueError):
        luhn_check_digit(bad)


# --- accepted forms ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "digits"),
    [
        ("199001019885", WOMAN_1990),
        ("19900101-9885", WOMAN_1990),
        ("900101-9885", WOMAN_1990),
        ("9001019885", WOMAN_1990),
        ("  19900101-9885\t\n", WOMAN_1990),
        (" 900101-9885 ", WOMAN_1990),
        ("19900101-9893", MAN_1990),
        ("900171-9880", COORD_1990),
        ("9001719880", COORD_1990),
        # '+' means 100 or older on `today`: 1924, not 2024.
        ("240229+9883", "192402299883"),
        ("240229-9883", "202402299883"),
        ("000229-9899", "200002299899"),
    ],
)
def test_every_accepted_form_normalises_to_twelve_digits(text: str, digits: str) -> None:
    assert Personnummer.parse(text, today=TODAY).digits == digits


def test_parsed_forms_are_equal_and_hash_alike() -> None:
    forms = ["199001019885", "19900101-9885", "900101-9885", "9001019885"]
    parsed = {Personnummer.parse(text, today=TODAY) for text in forms}
    assert parsed == {Personnummer(WOMAN_1990)}


@pytest.mark.parametrize(
    ("short_date", "separator", "today", "year"),
    [
        # Born today: the latest century that is not in the future.
        ("250615", "-", TODAY, 2025),
        ("250615", "", TODAY, 2025),
        # One day later would be tomorrow, so the century before.
        ("250616", "-", TODAY, 1925),
        ("250616", "", TODAY, 1925),
        # Exactly 100 today with '+'; one day short of 100 means '+' goes back another century.
        ("250615", "+", TODAY, 1925),
        ("250616", "+", TODAY, 1825),
        # Turn of the millennium.
        ("991231", "-", date(2000, 1, 1), 1999),
        ("000101", "-", date(2000, 1, 1), 2000),
        ("000102", "-", date(2000, 1, 1), 1900),
        ("000101", "+", date(2000, 1, 1), 1900),
        # 29 February: in a non-leap year the birthday counts from 1 March, as in age_on.
        ("000229", "-", date(2100, 2, 28), 2000),
        ("000229", "+", date(2100, 3, 1), 2000),
        ("240229", "+", date(2124, 2, 29), 2024),
        ("240229", "-", date(2124, 2, 28), 2024),
    ],
)
def test_century_of_ten_digit_forms(
    short_date: str, separator: str, today: date, year: int
) -> None:
    text = short_date + separator + _with_check(short_date)[6:]
    assert Personnummer.parse(text, today=today).birth_year == year


def test_29_february_without_plus_in_a_non_leap_century_year_is_an_invalid_date() -> None:
    # On 1 March 2100 "000229-" means 2100-02-29, which does not exist.
    text = "000229-" + _with_check("000229")[6:]
    assert _reject(text, today=date(2100, 3, 1)).reason == "personnummer_date"


# --- samordningsnummer ---------------------------------------------------------------------


def test_coordination_number() -> None:
    pnr = Personnummer.parse("19900171-9880", today=TODAY)
    assert pnr.is_coordination_number
    assert pnr.birth_date == date(1990, 1, 11)
    assert pnr.birth_year == 1990
    assert pnr.masked == "19900171-****"
    assert pnr.formatted == "19900171-9880"
    assert pnr.age_on(date(2025, 1, 11)) == 35


@pytest.mark.parametrize(("day", "real_day"), [(61, 1), (91, 31)])
def test_coordination_day_boundaries_accepted(day: int, real_day: int) -> None:
    pnr = Personnummer.parse(_with_check(f"199001{day}"), today=TODAY)
    assert pnr.is_coordination_number
    assert pnr.birth_date == date(1990, 1, real_day)


def test_ordinary_number_is_not_a_coordination_number() -> None:
    pnr = Personnummer(WOMAN_1990)
    assert not pnr.is_coordination_number
    assert pnr.birth_date == date(1990, 1, 1)


# --- sex, age, masking ---------------------------------------------------------------------


@pytest.mark.parametrize("birth_number", list(TEST_BIRTH_NUMBERS))
def test_legal_sex_follows_parity_of_birth_number(birth_number: int) -> None:
    pnr = Personnummer(_with_check("19900101", str(birth_number)))
    assert pnr.legal_sex == (LegalSex.MAN if birth_number % 2 else LegalSex.WOMAN)
    assert pnr.is_test_series


@pytest.mark.parametrize(
    ("born", "on", "age"),
    [
        (date(1990, 1, 1), date(1990, 1, 1), 0),
        (date(1990, 6, 15), date(2025, 6, 14), 34),
        (date(1990, 6, 15), date(2025, 6, 15), 35),
        (date(1990, 6, 15), date(2025, 6, 16), 35),
        (date(2000, 2, 29), date(2001, 2, 28), 0),
        (date(2000, 2, 29), date(2001, 3, 1), 1),
        (date(2000, 2, 29), date(2004, 2, 28), 3),
        (date(2000, 2, 29), date(2004, 2, 29), 4),
        (date(2000, 2, 29), date(2100, 2, 28), 99),
        (date(2000, 2, 29), date(2100, 3, 1), 100),
    ],
)
def test_age_on(born: date, on: date, age: int) -> None:
    assert make_test_personnummer(born, 0, LegalSex.WOMAN).age_on(on) == age
    assert make_test_personnummer(born, 3, LegalSex.MAN, coordination=True).age_on(on) == age


def test_age_before_birth_is_a_programming_error() -> None:
    with pytest.raises(ValueError):
        Personnummer(WOMAN_1990).age_on(date(1989, 12, 31))


def test_masked_and_formatted() -> None:
    pnr = Personnummer(WOMAN_1990)
    assert pnr.masked == "19900101-****"
    assert pnr.formatted == "19900101-9885"


def test_str_and_repr_never_show_the_full_number() -> None:
    pnr = Personnummer(WOMAN_1990)
    for shown in (str(pnr), repr(pnr), f"{pnr}", f"{pnr!r}", str([pnr]), str({"p": pnr})):
        assert "9885" not in shown
        assert "19900101-****" in shown


def test_is_test_series() -> None:
    assert Personnummer(WOMAN_1990).is_test_series
    assert Personnummer(_with_check("19900101", "999")).is_test_series
    # 987 is just outside the test series; built, never written out.
    assert not Personnummer(_with_check("19900101", "987")).is_test_series


# --- rejections ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        # Check digit: correct would be 5.
        ("19900101-9886", "personnummer_checksum"),
        ("900101-9886", "personnummer_checksum"),
        ("199001019880", "personnummer_checksum"),
        # Dates (correct check digits, so only the date is wrong).
        (_with_check("20130230"), "personnummer_date"),  # 30 February
        (_with_check("20230229"), "personnummer_date"),  # not a leap year
        (_with_check("19000229"), "personnummer_date"),  # century, not a leap year
        (_with_check("19901301"), "personnummer_date"),  # month 13
        (_with_check("19900001"), "personnummer_date"),  # month 0
        (_with_check("19900100"), "personnummer_date"),  # day 0
        (_with_check("19900132"), "personnummer_date"),  # day 32
        (_with_check("19900145"), "personnummer_date"),  # between the two ranges
        (_with_check("19900160"), "personnummer_date"),  # samordningsnummer "day 0"
        (_with_check("19900192"), "personnummer_date"),  # samordningsnummer "day 32"
        (_with_check("19900290"), "personnummer_date"),  # samordningsnummer 30 February
        (_with_check("00000101"), "personnummer_date"),  # year 0
        (_with_check("901301"), "personnummer_date"),
        # Birth number 000 is never assigned.
        (_with_check("19900101", "000"), "personnummer_birth_number"),
        (_with_check("900101", "000"), "personnummer_birth_number"),
        # Future: tomorrow, and a 12-digit year far ahead.
        (_with_check("20250616"), "personnummer_future"),
        (_with_check("20900101"), "personnummer_future"),
        (_with_check("20250676"), "personnummer_future"),  # samordningsnummer for tomorrow
        # Format.
        ("", "personnummer_format"),
        ("   ", "personnummer_format"),
        ("19900101-98A5", "personnummer_format"),
        ("1990O101-9885", "personnummer_format"),
        ("abcdefghijkl", "personnummer_format"),
        ("19900101988", "personnummer_format"),  # 11 digits
        ("1990010198851", "personnummer_format"),  # 13 digits
        ("900101988", "personnummer_format"),  # 9 digits
        ("19900101--9885", "personnummer_format"),
        ("19900101 9885", "personnummer_format"),
        ("19900101–9885", "personnummer_format"),  # en dash
        ("900101/9885", "personnummer_format"),
        ("19900101+9885", "personnummer_format"),  # '+' only belongs to the 10-digit form
        ("9001-01-9885", "personnummer_format"),
        ("900101-98-85", "personnummer_format"),
        ("١٩٩٠٠١٠١٩٨٨٥", "personnummer_format"),  # Arabic-Indic digits
    ],
)
def test_rejections(text: str, reason: str) -> None:
    error = _reject(text)
    assert error.reason == reason
    assert error.detail == MESSAGES[reason]
    assert error.fields == {"personnummer": MESSAGES[reason]}
    assert "9885" not in str(error)


def test_non_string_input_is_a_format_error() -> None:
    assert _reject(199001019885).reason == "personnummer_format"  # type: ignore[arg-type]


def test_born_today_is_not_in_the_future() -> None:
    assert Personnummer.parse(_with_check("20250615"), today=TODAY).age_on(TODAY) == 0


def test_direct_construction_validates_too() -> None:
    with pytest.raises(InvalidPersonnummer) as caught:
        Personnummer("199001019886")
    assert caught.value.reason == "personnummer_checksum"
    with pytest.raises(InvalidPersonnummer) as caught:
        Personnummer("19900101-9885")
    assert caught.value.reason == "personnummer_format"


# --- make_test_personnummer ----------------------------------------------------------------


def test_make_test_personnummer_known_values() -> None:
    assert make_test_personnummer(date(1990, 1, 1), 0, LegalSex.WOMAN).digits == WOMAN_1990
    assert make_test_personnummer(date(1990, 1, 1), 0, LegalSex.MAN).digits == MAN_1990
    coord = make_test_personnummer(date(1990, 1, 11), 0, LegalSex.WOMAN, coordination=True)
    assert coord.digits == COORD_1990


def test_make_test_personnummer_capacity_per_birth_date() -> None:
    born = date(1990, 1, 1)
    numbers = {
        make_test_personnummer(born, serial, sex, coordination)
        for serial in range(TEST_NUMBERS_PER_SEX_PER_DATE)
        for sex in LegalSex
        for coordination in (False, True)
    }
    assert len(numbers) == 2 * 2 * TEST_NUMBERS_PER_SEX_PER_DATE == 24
    assert {p.digits[8:11] for p in numbers} == {str(n) for n in TEST_BIRTH_NUMBERS}


@pytest.mark.parametrize("serial", [-1, TEST_NUMBERS_PER_SEX_PER_DATE])
def test_make_test_personnummer_rejects_serial_out_of_range(serial: int) -> None:
    with pytest.raises(ValueError):
        make_test_personnummer(date(1990, 1, 1), serial, LegalSex.MAN)


@given(
    born=st.dates(min_value=date(1900, 1, 1), max_value=date(2025, 12, 31)),
    serial=st.integers(min_value=0, max_value=TEST_NUMBERS_PER_SEX_PER_DATE - 1),
    sex=st.sampled_from(LegalSex),
    coordination=st.booleans(),
    days_after_birth=st.integers(min_value=0, max_value=150 * 366),
)
def test_generated_numbers_round_trip(
    born: date, serial: int, sex: LegalSex, coordination: bool, days_after_birth: int
) -> None:
    today = born + timedelta(days=days_after_birth)
    pnr = make_test_personnummer(born, serial, sex, coordination)

    assert pnr.is_test_series
    assert pnr.legal_sex == sex
    assert pnr.birth_date == born
    assert pnr.is_coordination_number == coordination

    digits, short = pnr.digits, pnr.digits[2:]
    separator = "+" if pnr.age_on(today) >= 100 else "-"
    forms = [digits, pnr.formatted, short[:6] + separator + short[6:]]
    if separator == "-":
        forms.append(short)
    for text in forms:
        assert Personnummer.parse(text, today=today) == pnr, text

    for wrong in set("0123456789") - {digits[-1]}:
        for text in (digits[:-1] + wrong, short[:6] + separator + short[6:-1] + wrong):
            assert _reject(text, today=today).reason == "personnummer_checksum", text
