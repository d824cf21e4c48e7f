"""Keyed pseudonyms for evaluation exports (DOMAIN.md §9).

Each evaluator gets their own HMAC key, derived from the master secret and their user id, so
one evaluator's pseudonyms are stable across exports (incremental pulls line up) but cannot be
joined with another evaluator's. Without the master secret a pseudonym cannot be traced back to
a participant id, and the master secret never leaves the server.
"""

from __future__ import annotations

import hashlib
import hmac

from domain.errors import InvalidInput

PSEUDONYM_LENGTH = 32
# At least as long as the master secret the settings require, so a short test key is refused.
MIN_MASTER_SECRET_BYTES = 32


def _positive_id(value: int, field: str) -> int:
    # bool is an int subclass: True would otherwise pseudonymise participant 1.
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise InvalidInput("Id:t måste vara ett positivt heltal.", fields={field: "ogiltigt id"})
    return value


def evaluator_key(master_secret: bytes, evaluator_id: int) -> bytes:
    """HMAC-SHA256(master, "evaluator:<id>"): the evaluator's own pseudonymisation key."""
    if len(master_secret) < MIN_MASTER_SECRET_BYTES:
        raise InvalidInput(
            "Huvudnyckeln för pseudonymer är för kort.", fields={"pseudonym_secret": "för kort"}
        )
    message = f"evaluator:{_positive_id(evaluator_id, 'evaluator_id')}".encode()
    return hmac.new(master_secret, message, hashlib.sha256).digest()


def _keyed(key: bytes, kind: str, value: int) -> str:
    message = f"{kind}:{_positive_id(value, f'{kind}_id')}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:PSEUDONYM_LENGTH]


def participant_pseudonym(key: bytes, participant_id: int) -> str:
    """HMAC-SHA256(evaluator key, "participant:<id>"), 32 hex characters (128 bits)."""
    return _keyed(key, "participant", participant_id)


def enrolment_pseudonym(key: bytes, enrolment_id: int) -> str:
    """The same for an enrolment: incremental pulls replace rows by this key, and one person
    may have several enrolments under one participant pseudonym."""
    return _keyed(key, "enrolment", enrolment_id)
