"""Evaluator pseudonyms: keyed per evaluator, stable, unlinkable across evaluators."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidInput
from domain.pseudonyms import (
    PSEUDONYM_LENGTH,
    enrolment_pseudonym,
    evaluator_key,
    participant_pseudonym,
)

MASTER = b"m" * 40
OTHER_MASTER = b"n" * 40
ids = st.integers(min_value=1, max_value=2**31 - 1)


def test_matches_the_documented_construction() -> None:
    key = hmac.new(MASTER, b"evaluator:7", hashlib.sha256).digest()
    expected = hmac.new(key, b"participant:42", hashlib.sha256).hexdigest()[:32]
    assert evaluator_key(MASTER, 7) == key
    assert participant_pseudonym(key, 42) == expected


@pytest.mark.parametrize(
    ("master", "evaluator", "participant", "same_as_baseline"),
    [
        (MASTER, 7, 42, True),  # the baseline itself: stable
        (MASTER, 8, 42, False),  # another evaluator
        (OTHER_MASTER, 7, 42, False),  # another installation's master secret
        (MASTER, 7, 43, False),  # another participant
    ],
)
def test_pseudonym_depends_on_master_evaluator_and_participant(
    master: bytes, evaluator: int, participant: int, same_as_baseline: bool
) -> None:
    baseline = participant_pseudonym(evaluator_key(MASTER, 7), 42)
    value = participant_pseudonym(evaluator_key(master, evaluator), participant)
    assert (value == baseline) is same_as_baseline
    assert len(value) == PSEUDONYM_LENGTH and int(value, 16) >= 0


def test_enrolment_and_participant_pseudonyms_differ_for_the_same_number() -> None:
    key = evaluator_key(MASTER, 1)
    assert enrolment_pseudonym(key, 5) != participant_pseudonym(key, 5)


@pytest.mark.parametrize(
    ("call", "field"),
    [
        (lambda: evaluator_key(b"short", 1), "pseudonym_secret"),
        (lambda: evaluator_key(MASTER, 0), "evaluator_id"),
        (lambda: evaluator_key(MASTER, True), "evaluator_id"),
        (lambda: participant_pseudonym(b"k" * 32, -3), "participant_id"),
        (lambda: enrolment_pseudonym(b"k" * 32, 0), "enrolment_id"),
    ],
)
def test_bad_keys_and_ids_are_refused(call: object, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        call()  # type: ignore[operator]
    assert field in raised.value.fields


@given(evaluator=ids, a=ids, b=ids)
def test_stable_and_injective_in_practice(evaluator: int, a: int, b: int) -> None:
    key = evaluator_key(MASTER, evaluator)
    assert participant_pseudonym(key, a) == participant_pseudonym(key, a)
    assert (participant_pseudonym(key, a) == participant_pseudonym(key, b)) is (a == b)


@given(first=ids, second=ids, participant=ids)
def test_two_evaluators_never_share_a_pseudonym(first: int, second: int, participant: int) -> None:
    one = participant_pseudonym(evaluator_key(MASTER, first), participant)
    two = participant_pseudonym(evaluator_key(MASTER, second), participant)
    assert (one == two) is (first == second)
