"""Opaque keyset cursors. Clients must not parse them; they may change between versions."""

from __future__ import annotations

import base64
import json
from typing import Any

from domain.errors import InvalidInput

# Bounds every database accepts for an id or a sort key, so a forged cursor is a 422.
MAX_CURSOR_INT = 2**62
MAX_CURSOR_TEXT = 400


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        for v, t in zip(values, types, strict=True):
            # type() not isinstance(): a JSON true is a Python bool, which is an int.
            if type(v) is not t:
                raise ValueError
            if isinstance(v, int) and not 0 <= v <= MAX_CURSOR_INT:
                raise ValueError
            if isinstance(v, str) and len(v) > MAX_CURSOR_TEXT:
                raise ValueError
        return tuple(values)
    except ValueError:
        raise InvalidInput(
            "Ogiltig sidmarkör; börja om från första sidan.", fields={"cursor": "ogiltig"}
        ) from None
