"""Password hashing with Argon2id (argon2-cffi), using OWASP's minimum parameters.

``verify_password`` and ``verify_dummy`` never raise for a wrong password or a malformed stored
hash: the login path treats every such case as "wrong credentials". An unknown user is answered by
``verify_dummy``, which costs one full Argon2 verification, so the response time does not reveal
whether the account exists.
"""

from __future__ import annotations

import functools
import secrets
from typing import Final

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError

# Passwords longer than this are refused before hashing: Argon2 reads the whole input, so
# megabyte passwords would turn the login endpoint into a cheap CPU and memory sink.
MAX_PASSWORD_CHARS: Final = 1024

# OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1.
_HASHER: Final = PasswordHasher(
    time_cost=2,
    memory_cost=19_456,
    parallelism=1,
    hash_len=32,
    salt_len=16,
    type=Type.ID,
)


def hash_password(password: str) -> str:
    """Hash ``password`` for storage. Raises ``ValueError`` if it is too long to accept."""
    if len(password) > MAX_PASSWORD_CHARS:
        raise ValueError(f"password longer than {MAX_PASSWORD_CHARS} characters")
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    """True only if ``password`` matches ``stored_hash``; False for any mismatch or bad hash."""
    if len(password) > MAX_PASSWORD_CHARS:
        return False
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerificationError, InvalidHashError, UnicodeError):
        # UnicodeError: a non-ASCII "hash" or a password with lone surrogates cannot be encoded.
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True if ``stored_hash`` was made with other parameters (or is unreadable) and should be
    replaced by ``hash_password`` of the password that just verified."""
    try:
        return _HASHER.check_needs_rehash(stored_hash)
    except (InvalidHashError, ValueError):
        return True


@functools.cache
def dummy_hash() -> str:
    """A hash of a random password, made once per process on first use.

    Lazy so that importing this module (for example in the CLI or tests) does not pay for a hash.
    """
    return _HASHER.hash(secrets.token_urlsafe(32))


def verify_dummy(password: str) -> bool:
    """Spend the same work as ``verify_password`` for a user that does not exist; always False."""
    verify_password(dummy_hash(), password)
    return False
