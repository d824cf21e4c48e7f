"""Row rules for the SUS in/out file and the ESF/SCB monthly file."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.codelists import OutcomeGroup
from domain.errors import InvalidInput
from domain.personnummer import LegalSex, make_test_personnummer
from domain.registration_files import (
    ESF_COLUMNS,
    SEPARATOR,
    SUS_COLUMNS,
    EsfRow,
    RegistrationEvent,
    SusRow,
    check_period,
    csv_line,
    esf_fields,
    isced_group,
    parse_month,
    sus_fields,
)

TODAY = date(2026, 11, 23)
MAN_1990 = make_test_personnummer(date(1990, 4, 2), 0, LegalSex.MAN, False).digits


@pytest.mark.parametrize(
    ("from_on", "to_on", "field"),
    [
        (date(2026, 1, 1), date(2026, 1, 1), None),  # one day
        (date(2006, 1, 1), date(2026, 1, 1), None),  # exactly 20 years
        (date(2004, 2, 29), date(2024, 2, 29), None),  # 20 years from a leap day
        (date(2026, 1, 2), date(2026, 1, 1), "to"),  # end before start
        (date(2006, 1, 1), date(2026, 1, 2), "to"),  # a day over 20 years
    ],
)
def test_period(from_on: date, to_on: date, field: str | None) -> None:
    if field is None:
        check_period(from_on, to_on)
        return
    with pytest.raises(InvalidInput) as raised:
        check_period(from_on, to_on)
    assert field in raised.value.fields


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2026-02", (date(2026, 2, 1), date(2026, 2, 28))),
        ("2024-02", (date(2024, 2, 1), date(2024, 2, 29))),
        ("2025-12", (date(2025, 12, 1), date(2025, 12, 31))),
        ("2026-11", (date(2026, 11, 1), date(2026, 11, 30))),  # the current month
        ("2026-13", None),
        ("2026-1", None),
        ("26-01", None),
        ("2026/01", None),
        ("2026-00", None),
        ("", None),
        ("2026-01-01", None),
        ("0999-01", None),
        ("2026-12", None),  # not begun yet
    ],
)
def test_parse_month(text: str, expected: tuple[date, date] | None) -> None:
    if expected is not None:
        assert parse_month(text, today=TODAY) == expected
        return
    with pytest.raises(InvalidInput) as raised:
        parse_month(text, today=TODAY)
    assert "month" in raised.value.fields


@pytest.mark.parametrize(
    ("level", "group"),
    [
        ("forgymnasial", "ISCED 0-2"),
        ("gymnasial", "ISCED 3-4"),
        ("eftergymnasial", "ISCED 5-8"),
        (None, ""),
        ("unknown", ""),
    ],
)
def test_isced_group(level: str | None, group: str) -> None:
    assert isced_group(level) == group


def sus(event: RegistrationEvent, protected: bool = False) -> SusRow:
    return SusRow(MAN_1990, protected, "level_up", event, date(2026, 3, 4), "5", "7")


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (sus(RegistrationEvent.IN), (MAN_1990, "level_up", "in", "2026-03-04", "", "")),
        (sus(RegistrationEvent.OUT), (MAN_1990, "level_up", "out", "2026-03-04", "5", "7")),
        (sus(RegistrationEvent.OUT, True), ("", "level_up", "out", "2026-03-04", "5", "7")),
    ],
)
def test_sus_fields(row: SusRow, expected: tuple[str, ...]) -> None:
    assert sus_fields(row) == expected
    assert len(expected) == len(SUS_COLUMNS)


def esf(event: RegistrationEvent, protected: bool = False) -> EsfRow:
    return EsfRow(
        MAN_1990,
        protected,
        "non_binary",
        "gymnasial",
        "forsorjningsstod",
        event,
        date(2026, 3, 4),
        OutcomeGroup.WORK,
    )


@pytest.mark.parametrize(
    ("row", "expected"),
    [
        (
            esf(RegistrationEvent.IN),
            (
                MAN_1990,
                "man",
                "1990",
                "non_binary",
                "ISCED 3-4",
                "forsorjningsstod",
                "in",
                "2026-03-04",
                "",
            ),
        ),
        (
            esf(RegistrationEvent.OUT),
            (
                MAN_1990,
                "man",
                "1990",
                "non_binary",
                "ISCED 3-4",
                "forsorjningsstod",
                "out",
                "2026-03-04",
                "work",
            ),
        ),
        (
            esf(RegistrationEvent.OUT, True),
            ("", "man", "1990", "", "", "", "out", "2026-03-04", "work"),
        ),
    ],
)
def test_esf_fields(row: EsfRow, expected: tuple[str, ...]) -> None:
    assert esf_fields(row) == expected
    assert len(expected) == len(ESF_COLUMNS)


@pytest.mark.parametrize(
    ("fields", "line"),
    [
        (("a", "b"), "a;b\r\n"),
        (("a;b", "c"), '"a;b";c\r\n'),
        (('say "hi"', ""), '"say ""hi""";\r\n'),
        (("=SUM(A1)", "+1", "@x", "-2"), "'=SUM(A1);'+1;'@x;'-2\r\n"),
        (("line\nbreak",), '"line\nbreak"\r\n'),
    ],
)
def test_csv_line(fields: tuple[str, ...], line: str) -> None:
    assert csv_line(fields) == line


@given(
    st.lists(
        st.text(alphabet=st.characters(blacklist_characters="\r"), max_size=20),
        min_size=2,
        max_size=8,
    )
)
def test_csv_line_round_trips_through_the_csv_module(fields: list[str]) -> None:
    # Two or more fields: a lone empty field is an empty line, which readers skip.
    parsed = next(csv.reader(io.StringIO(csv_line(fields)), delimiter=SEPARATOR))
    # Formula-looking cells come back with their guard quote and nothing else changed.
    expected = ["'" + f if f.startswith(("=", "+", "-", "@", "\t")) else f for f in fields]
    assert parsed == expected
