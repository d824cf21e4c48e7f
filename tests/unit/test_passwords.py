from __future__ import annotations

import pytest
from argon2 import PasswordHasher

from api.security.passwords import (
    MAX_PASSWORD_CHARS,
    dummy_hash,
    hash_password,
    needs_rehash,
    verify_dummy,
    verify_password,
)


@pytest.fixture(scope="module")
def stored() -> str:
    return hash_password("correct horse battery staple")


def test_round_trip(stored: str) -> None:
    assert verify_password(stored, "correct horse battery staple")


def test_wrong_password(stored: str) -> None:
    assert not verify_password(stored, "correct horse battery stapl")
    assert not verify_password(stored, "")
    assert not verify_password(stored, "Correct horse battery staple")


def test_hash_is_argon2id_with_owasp_parameters(stored: str) -> None:
    assert stored.startswith("$argon2id$v=19$m=19456,t=2,p=1$")


def test_hashes_are_salted() -> None:
    assert hash_password("same") != hash_password("same")


@pytest.mark.parametrize(
    "bad_hash",
    [
        "",
        "not a hash",
        "$argon2id$",
        "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$",
        "$2b$12$abcdefghijklmnopqrstuuq8mB5T3XGhFv2vW7v6z8k2d9GJ7Xl5W",
        "pbkdf2_sha256$600000$salt$hash",
        "$argon2id$v=19$m=19456,t=2,p=1$åäö$åäö",
    ],
)
def test_invalid_hash_is_false_not_an_error(bad_hash: str) -> None:
    assert verify_password(bad_hash, "whatever") is False


def test_unencodable_password_is_false(stored: str) -> None:
    assert verify_password(stored, "\ud800") is False


def test_very_long_password_is_refused_without_hashing(stored: str) -> None:
    too_long = "a" * (MAX_PASSWORD_CHARS + 1)
    assert verify_password(stored, too_long) is False
    assert verify_password(stored, "a" * 5_000_000) is False
    with pytest.raises(ValueError):
        hash_password(too_long)
    # Exactly the limit is still an ordinary password.
    at_limit = "b" * MAX_PASSWORD_CHARS
    assert verify_password(hash_password(at_limit), at_limit)


def test_dummy_verify_is_always_false() -> None:
    assert verify_dummy("anything") is False
    assert verify_dummy("") is False
    assert verify_dummy("x" * 10_000) is False
    assert dummy_hash() is dummy_hash()
    assert dummy_hash().startswith("$argon2id$")


def test_needs_rehash(stored: str) -> None:
    assert needs_rehash(stored) is False
    weaker = PasswordHasher(time_cost=1, memory_cost=8192, parallelism=1).hash("pw")
    assert needs_rehash(weaker) is True
    assert needs_rehash("not a hash") is True
    # An old hash still verifies, so the login can upgrade it.
    assert verify_password(weaker, "pw")
