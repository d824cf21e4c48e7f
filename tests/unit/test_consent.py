"""The consent ledger (domain/consent.py, DOMAIN.md §9): which entries are accepted, and whether
consent holds on a given day, table-driven and against a simple reference model."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.consent import (
    MAX_FORM_REFERENCE_LENGTH,
    PURPOSE_LABELS,
    ConsentAction,
    ConsentEntry,
    ConsentLedger,
    ConsentPeriod,
    ConsentPurpose,
    record_consent,
)
from domain.errors import DomainError, InvalidEffectiveDate, InvalidInput, InvalidTransition

TODAY = date(2025, 6, 15)
REFERRER = ConsentPurpose.REFERRER_INFORMATION_EXCHANGE
EVALUATION = ConsentPurpose.EVALUATION
GIVEN, WITHDRAWN = ConsentAction.GIVEN, ConsentAction.WITHDRAWN
FORM = "Blankett 2025:1"


def d(n: int) -> date:
    """Day n before TODAY (negative n: after)."""
    return TODAY - timedelta(days=n)


def entry(
    action: ConsentAction,
    on: date,
    purpose: ConsentPurpose = REFERRER,
    form: str | None = FORM,
) -> ConsentEntry:
    return ConsentEntry(purpose, action, on, form if action is GIVEN else None)


def ledger_of(*entries: ConsentEntry) -> ConsentLedger:
    ledger = ConsentLedger()
    for e in entries:
        ledger = record_consent(ledger, e, today=TODAY)
    return ledger


# --- accepted and refused entries ------------------------------------------------------------


@pytest.mark.parametrize(
    ("earlier", "new", "error"),
    [
        # accepted
        ([], entry(GIVEN, d(10)), None),
        ([], entry(GIVEN, TODAY), None),
        ([entry(GIVEN, d(10))], entry(WITHDRAWN, d(5)), None),
        ([entry(GIVEN, d(10))], entry(WITHDRAWN, d(10)), None),  # same day
        ([entry(GIVEN, d(10)), entry(WITHDRAWN, d(5))], entry(GIVEN, d(2)), None),
        ([entry(GIVEN, d(10)), entry(WITHDRAWN, d(5))], entry(GIVEN, d(5)), None),
        # another purpose is a ledger of its own
        ([entry(GIVEN, d(10), EVALUATION)], entry(GIVEN, d(20)), None),
        ([entry(GIVEN, d(10))], entry(GIVEN, d(10), EVALUATION), None),
        # withdrawn before it was given (dated earlier than the giving)
        ([entry(GIVEN, d(10))], entry(WITHDRAWN, d(11)), InvalidEffectiveDate),
        # withdrawing with no consent
        ([], entry(WITHDRAWN, d(5)), InvalidTransition),
        ([entry(GIVEN, d(10), EVALUATION)], entry(WITHDRAWN, d(5)), InvalidTransition),
        ([entry(GIVEN, d(10)), entry(WITHDRAWN, d(5))], entry(WITHDRAWN, d(1)), InvalidTransition),
        # giving twice
        ([entry(GIVEN, d(10))], entry(GIVEN, d(5)), InvalidTransition),
        # future date
        ([], entry(GIVEN, d(-1)), InvalidEffectiveDate),
        ([entry(GIVEN, d(10))], entry(WITHDRAWN, d(-1)), InvalidEffectiveDate),
        # dates out of order: a new giving dated before the last withdrawal
        ([entry(GIVEN, d(10)), entry(WITHDRAWN, d(5))], entry(GIVEN, d(7)), InvalidEffectiveDate),
        # the form is required when consent is given, and bounded
        ([], entry(GIVEN, d(1), form=None), InvalidInput),
        ([], entry(GIVEN, d(1), form="x" * (MAX_FORM_REFERENCE_LENGTH + 1)), InvalidInput),
        ([], entry(GIVEN, d(1), form="x" * MAX_FORM_REFERENCE_LENGTH), None),
    ],
)
def test_record_consent(
    earlier: list[ConsentEntry], new: ConsentEntry, error: type[DomainError] | None
) -> None:
    ledger = ledger_of(*earlier)
    if error is None:
        after = record_consent(ledger, new, today=TODAY)
        assert after.entries == (*ledger.entries, new)
    else:
        with pytest.raises(error) as info:
            record_consent(ledger, new, today=TODAY)
        assert info.value.detail and info.value.fields
        assert type(info.value) is error  # not a broader or narrower class


def test_record_consent_never_changes_the_ledger_it_was_given() -> None:
    ledger = ledger_of(entry(GIVEN, d(10)))
    record_consent(ledger, entry(WITHDRAWN, d(5)), today=TODAY)
    assert ledger.entries == (entry(GIVEN, d(10)),)


# --- holds, periods, is_held_now -------------------------------------------------------------


GIVEN_ON, WITHDRAWN_ON, GIVEN_AGAIN_ON = d(30), d(20), d(10)


@pytest.mark.parametrize(
    ("on", "held"),
    [
        (GIVEN_ON - timedelta(days=1), False),
        (GIVEN_ON, True),
        (WITHDRAWN_ON - timedelta(days=1), True),  # the day before the withdrawal
        (WITHDRAWN_ON, False),  # a withdrawal counts from its own date
        (WITHDRAWN_ON + timedelta(days=1), False),  # the day after
        (GIVEN_AGAIN_ON - timedelta(days=1), False),
        (GIVEN_AGAIN_ON, True),
        (TODAY, True),
    ],
)
def test_holds_around_a_withdrawal_and_a_new_giving(on: date, held: bool) -> None:
    ledger = ledger_of(
        entry(GIVEN, GIVEN_ON), entry(WITHDRAWN, WITHDRAWN_ON), entry(GIVEN, GIVEN_AGAIN_ON)
    )
    assert ledger.holds(REFERRER, on) is held
    assert ledger.holds(EVALUATION, on) is False  # nothing recorded for that purpose


@pytest.mark.parametrize(
    ("entries", "periods", "held_now"),
    [
        ([], (), False),
        ([entry(GIVEN, d(5))], (ConsentPeriod(d(5), None),), True),
        (
            [entry(GIVEN, d(5)), entry(WITHDRAWN, d(2))],
            (ConsentPeriod(d(5), d(2)),),
            False,
        ),
        (
            [entry(GIVEN, d(5)), entry(WITHDRAWN, d(2)), entry(GIVEN, d(1))],
            (ConsentPeriod(d(5), d(2)), ConsentPeriod(d(1), None)),
            True,
        ),
        # given and withdrawn the same day: an empty period, never in force
        (
            [entry(GIVEN, d(3)), entry(WITHDRAWN, d(3))],
            (ConsentPeriod(d(3), d(3)),),
            False,
        ),
    ],
)
def test_periods_and_is_held_now(
    entries: list[ConsentEntry], periods: tuple[ConsentPeriod, ...], held_now: bool
) -> None:
    ledger = ledger_of(*entries)
    assert ledger.periods(REFERRER) == periods
    assert ledger.is_held_now(REFERRER) is held_now
    assert ledger.holds(REFERRER, TODAY) is held_now


def test_every_purpose_has_a_swedish_and_an_english_label() -> None:
    assert set(PURPOSE_LABELS) == set(ConsentPurpose)
    for sv, en in PURPOSE_LABELS.values():
        assert sv and en and sv != en


# --- property: the ledger agrees with a reference model ---------------------------------------

DAYS = 12  # a short window, so same-day entries and out-of-order dates are common
FIRST_DAY = TODAY - timedelta(days=DAYS - 2)  # the window also reaches past TODAY

attempts = st.lists(
    st.tuples(
        st.sampled_from([REFERRER, EVALUATION]),
        st.sampled_from([GIVEN, WITHDRAWN]),
        st.integers(min_value=0, max_value=DAYS - 1),
        st.booleans(),  # with a form reference
    ),
    max_size=25,
)


def reference_accepts(
    accepted: list[tuple[ConsentPurpose, ConsentAction, date]], new: ConsentEntry
) -> bool:
    mine = [(action, on) for purpose, action, on in accepted if purpose is new.purpose]
    last_action, last_on = mine[-1] if mine else (None, None)
    if new.effective_on > TODAY:
        return False
    if new.action is GIVEN and (last_action is GIVEN or new.form_reference is None):
        return False
    if new.action is WITHDRAWN and last_action is not GIVEN:
        return False
    return last_on is None or new.effective_on >= last_on


def reference_holds(
    accepted: list[tuple[ConsentPurpose, ConsentAction, date]],
    purpose: ConsentPurpose,
    on: date,
) -> bool:
    """Held on `on` when the last recorded entry dated on or before `on` is a giving."""
    dated = [action for p, action, when in accepted if p is purpose and when <= on]
    return bool(dated) and dated[-1] is GIVEN


@given(attempts)
def test_any_accepted_sequence_agrees_with_the_reference_model(
    tries: list[tuple[ConsentPurpose, ConsentAction, int, bool]],
) -> None:
    ledger = ConsentLedger()
    accepted: list[tuple[ConsentPurpose, ConsentAction, date]] = []
    for purpose, action, offset, with_form in tries:
        new = ConsentEntry(
            purpose, action, FIRST_DAY + timedelta(days=offset), FORM if with_form else None
        )
        expected = reference_accepts(accepted, new)
        try:
            ledger = record_consent(ledger, new, today=TODAY)
        except DomainError:
            assert not expected, new
            continue
        assert expected, new
        accepted.append((purpose, action, new.effective_on))
    for purpose in (REFERRER, EVALUATION):
        for offset in range(-1, DAYS + 1):
            on = FIRST_DAY + timedelta(days=offset)
            assert ledger.holds(purpose, on) is reference_holds(accepted, purpose, on), (
                purpose,
                on,
            )
        assert ledger.is_held_now(purpose) is reference_holds(accepted, purpose, TODAY)
