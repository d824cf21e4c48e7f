"""Opaque keyset cursors. Clients must not parse them; they may change between versions."""

from __future__ import annotations

import base64
import json
from typing import Any

from domain.errors import InvalidInput


def encode_cursor(*values: Any) -> str:
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, *types: type) -> tuple[Any, ...]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(values, list) or len(values) != len(types):
            raise ValueError
        if not all(isinstance(v, t) for v, t in zip(values, types, strict=True)):
            raise ValueError
        return tuple(values)
    except ValueError:
        raise InvalidInput(
            "Ogiltig sidmarkör; börja om från första sidan.", fields={"cursor": "ogiltig"}
        ) from None
