"""Code lists as versioned reference data (DOMAIN.md §6)."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from domain.codelists import (
    DEFAULT_CODE_LISTS,
    DEFAULT_SET_LABEL,
    CodeEntry,
    CodeList,
    CodeListName,
    OutcomeGroup,
    default_code_list,
    validate_entries,
)
from domain.errors import InvalidInput, UnknownCode

EXIT_LISTS = (CodeListName.EXIT_REASON, CodeListName.EXIT_STATUS)
OTHER_LISTS = tuple(n for n in CodeListName if n not in EXIT_LISTS)
ON = date(2025, 6, 15)


def entry(code: str = "a", **kwargs: object) -> CodeEntry:
    values: dict[str, object] = {
        "label_sv": f"Kod {code}",
        "label_en": f"Code {code}",
        "sort_order": 10,
    }
    values.update(kwargs)
    return CodeEntry(code=code, **values)  # type: ignore[arg-type]


def status(code: str = "a", **kwargs: object) -> CodeEntry:
    return entry(code, outcome_group=OutcomeGroup.OTHER, **kwargs)


# --- the default set ------------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CodeListName), ids=str)
def test_default_set_has_every_list(name: CodeListName) -> None:
    assert name in DEFAULT_CODE_LISTS
    code_list = default_code_list(name)
    assert code_list.name is name
    assert code_list.version == 1
    assert code_list.label == DEFAULT_SET_LABEL
    assert code_list.entries
    codes = [e.code for e in code_list.entries]
    assert len(codes) == len(set(codes))
    assert all(e.label_sv.strip() and e.label_en.strip() for e in code_list.entries)
    orders = [e.sort_order for e in code_list.entries]
    assert orders == sorted(orders) and len(orders) == len(set(orders))
    assert all(e.is_valid_on(ON) for e in code_list.entries)


def test_default_set_is_labelled_as_not_official() -> None:
    assert "ej officiell" in DEFAULT_SET_LABEL


def test_exit_reasons_contain_annat_5_and_felregistrering() -> None:
    reasons = default_code_list(CodeListName.EXIT_REASON)
    annat = reasons.find("5")
    assert annat is not None and "Annat (5)" in annat.label_sv
    in_error = [e for e in reasons.entries if e.excluded_from_statistics]
    assert [e.code for e in in_error] == ["registered_in_error"]
    assert "felregistrering" in in_error[0].label_sv.lower()
    assert not in_error[0].continues_in_regular_operations


def test_exit_reasons_flag_continuing_in_regular_operations() -> None:
    reasons = default_code_list(CodeListName.EXIT_REASON)
    continuing = [e for e in reasons.entries if e.continues_in_regular_operations]
    assert len(continuing) == 1
    assert not continuing[0].excluded_from_statistics
    assert "ordinarie" in continuing[0].label_sv


@pytest.mark.parametrize(
    "label",
    [
        "genomförd enligt plan",
        "avbruten av deltagaren",
        "ohälsa",
        "flyttat",
        "annat (5)",
        "felregistrering",
    ],
)
def test_exit_reasons_cover_the_minimum_set(label: str) -> None:
    labels = [e.label_sv.lower() for e in default_code_list(CodeListName.EXIT_REASON).entries]
    assert any(label in text for text in labels), labels


@pytest.mark.parametrize(
    ("label", "group"),
    [
        ("anställning utan stöd", OutcomeGroup.WORK),
        ("anställning med stöd", OutcomeGroup.WORK),
        ("studier", OutcomeGroup.STUDIES),
        ("arbetssökande", OutcomeGroup.JOB_SEEKING),
        ("i annan insats", OutcomeGroup.OTHER),
        ("sjukskriven", OutcomeGroup.OTHER),
        ("annat (7)", OutcomeGroup.OTHER),
    ],
)
def test_exit_statuses_cover_the_minimum_set(label: str, group: OutcomeGroup) -> None:
    matches = [
        e
        for e in default_code_list(CodeListName.EXIT_STATUS).entries
        if label in e.label_sv.lower()
    ]
    assert len(matches) == 1
    assert matches[0].outcome_group is group


def test_exit_statuses_contain_annat_7_and_all_have_an_outcome_group() -> None:
    statuses = default_code_list(CodeListName.EXIT_STATUS)
    annat = statuses.find("7")
    assert annat is not None and "Annat (7)" in annat.label_sv
    assert all(isinstance(e.outcome_group, OutcomeGroup) for e in statuses.entries)
    assert {e.outcome_group for e in statuses.entries} == set(OutcomeGroup)


@pytest.mark.parametrize("name", OTHER_LISTS, ids=str)
def test_other_lists_have_no_outcome_group_and_no_flags(name: CodeListName) -> None:
    for e in default_code_list(name).entries:
        assert e.outcome_group is None
        assert not e.continues_in_regular_operations
        assert not e.excluded_from_statistics


def test_exit_reasons_have_no_outcome_group() -> None:
    assert all(e.outcome_group is None for e in default_code_list(CodeListName.EXIT_REASON).entries)


# --- validate_entries -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "entries"),
    [
        pytest.param(CodeListName.BENEFIT, (), id="empty"),
        pytest.param(CodeListName.EXIT_STATUS, (), id="empty-exit-status"),
        pytest.param(
            CodeListName.BENEFIT, (entry("a"), entry("b"), entry("a")), id="duplicate-code"
        ),
        pytest.param(
            CodeListName.EXIT_STATUS, (status("7"), status("7")), id="duplicate-status-code"
        ),
        pytest.param(CodeListName.BENEFIT, (entry("a", label_sv=""),), id="empty-label"),
        pytest.param(CodeListName.BENEFIT, (entry("a", label_sv="   "),), id="blank-label"),
        pytest.param(CodeListName.BENEFIT, (entry(""),), id="empty-code"),
        pytest.param(CodeListName.BENEFIT, (entry("  "),), id="blank-code"),
        pytest.param(
            CodeListName.BENEFIT,
            (entry("a", valid_from=date(2025, 1, 2), valid_to=date(2025, 1, 1)),),
            id="valid-to-before-valid-from",
        ),
        pytest.param(
            CodeListName.EXIT_STATUS,
            (status("a"), entry("b")),
            id="exit-status-without-outcome-group",
        ),
        *[
            pytest.param(
                name, (entry("a", outcome_group=OutcomeGroup.WORK),), id=f"outcome-group-on-{name}"
            )
            for name in (CodeListName.EXIT_REASON, *OTHER_LISTS)
        ],
        *[
            pytest.param(name, (entry("a", **{flag: True}),), id=f"{flag}-on-{name}")
            for name in OTHER_LISTS
            for flag in ("continues_in_regular_operations", "excluded_from_statistics")
        ],
    ],
)
def test_validate_entries_rejects(name: CodeListName, entries: tuple[CodeEntry, ...]) -> None:
    with pytest.raises(InvalidInput):
        validate_entries(name, entries)
    with pytest.raises(InvalidInput):
        CodeList(name=name, version=2, label="Ny version", entries=entries)


@pytest.mark.parametrize(
    ("name", "entries"),
    [
        pytest.param(CodeListName.BENEFIT, (entry("a"),), id="single"),
        pytest.param(
            CodeListName.BENEFIT,
            (entry("a", valid_from=date(2025, 1, 1), valid_to=date(2025, 1, 1)),),
            id="valid-one-day",
        ),
        pytest.param(CodeListName.BENEFIT, (entry("a", label_en=""),), id="english-optional"),
        pytest.param(
            CodeListName.EXIT_STATUS,
            (status("7", excluded_from_statistics=True),),
            id="flag-on-exit-status",
        ),
        pytest.param(
            CodeListName.EXIT_REASON,
            (
                entry("5", continues_in_regular_operations=True),
                entry("x", excluded_from_statistics=True),
            ),
            id="flags-on-exit-reason",
        ),
        *[
            pytest.param(name, DEFAULT_CODE_LISTS[name], id=f"default-{name}")
            for name in CodeListName
        ],
    ],
)
def test_validate_entries_accepts(name: CodeListName, entries: tuple[CodeEntry, ...]) -> None:
    validate_entries(name, entries)
    assert CodeList(name=name, version=2, label="Ny version", entries=entries).entries == entries


def test_an_association_can_replace_a_list_with_a_new_version() -> None:
    official = CodeList(
        name=CodeListName.EXIT_REASON,
        version=2,
        label="SUS avslutsorsaker 2025",
        entries=(
            entry("1"),
            entry("5", label_sv="Annat (5)", continues_in_regular_operations=True),
        ),
    )
    five = official.require("5", on=ON, field="exit_reason_code")
    assert five.continues_in_regular_operations
    # The default list stays untouched.
    default_five = default_code_list(CodeListName.EXIT_REASON).find("5")
    assert default_five is not None and not default_five.continues_in_regular_operations


# --- lookups --------------------------------------------------------------------------------


def test_find_returns_the_entry_or_none() -> None:
    reasons = default_code_list(CodeListName.EXIT_REASON)
    found = reasons.find("5")
    assert found is not None and found.code == "5"
    assert reasons.find("nope") is None
    assert reasons.find("") is None


def test_require_returns_a_valid_entry() -> None:
    statuses = default_code_list(CodeListName.EXIT_STATUS)
    assert statuses.require("7", on=ON, field="exit_status_code").code == "7"


def test_require_unknown_code_is_unknown_code() -> None:
    with pytest.raises(UnknownCode) as caught:
        default_code_list(CodeListName.EXIT_REASON).require("99", on=ON, field="exit_reason_code")
    assert caught.value.fields == {"exit_reason_code": "okänd kod"}


@pytest.mark.parametrize(
    ("valid_from", "valid_to"),
    [
        pytest.param(date(2025, 6, 16), None, id="not-yet-valid"),
        pytest.param(None, date(2025, 6, 14), id="expired"),
    ],
)
def test_require_code_not_valid_on_the_date_is_unknown_code(
    valid_from: date | None, valid_to: date | None
) -> None:
    code_list = CodeList(
        CodeListName.BENEFIT, 3, "Test", (entry("a", valid_from=valid_from, valid_to=valid_to),)
    )
    with pytest.raises(UnknownCode) as caught:
        code_list.require("a", on=ON, field="benefit")
    assert "benefit" in caught.value.fields


@pytest.mark.parametrize(
    ("valid_from", "valid_to", "on", "valid"),
    [
        pytest.param(None, None, date(1900, 1, 1), True, id="open-ended"),
        pytest.param(date(2025, 1, 1), None, date(2024, 12, 31), False, id="day-before-from"),
        pytest.param(date(2025, 1, 1), None, date(2025, 1, 1), True, id="from-is-inclusive"),
        pytest.param(None, date(2025, 12, 31), date(2025, 12, 31), True, id="to-is-inclusive"),
        pytest.param(None, date(2025, 12, 31), date(2026, 1, 1), False, id="day-after-to"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 1), date(2025, 3, 1), True, id="one-day"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 31), date(2025, 2, 28), False, id="before"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 31), date(2025, 3, 15), True, id="inside"),
        pytest.param(date(2025, 3, 1), date(2025, 3, 31), date(2025, 4, 1), False, id="after"),
    ],
)
def test_is_valid_on_boundaries(
    valid_from: date | None, valid_to: date | None, on: date, valid: bool
) -> None:
    assert entry(valid_from=valid_from, valid_to=valid_to).is_valid_on(on) is valid


def test_entries_are_immutable() -> None:
    e = entry()
    with pytest.raises(AttributeError):
        e.code = "b"  # type: ignore[misc]
    assert replace(e, code="b").code == "b" and e.code == "a"
