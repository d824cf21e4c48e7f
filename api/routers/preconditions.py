"""If-Match handling for optimistic concurrency: missing -> 428, unparsable or stale -> 412."""

from __future__ import annotations

from typing import Annotated

from fastapi import Header

from api.errors import PreconditionFailed, PreconditionRequired


async def expected_version(
    if_match: Annotated[
        str | None,
        Header(
            max_length=100,
            description=(
                "The ETag from your last read of this resource. Required: without it two people "
                "could silently overwrite each other."
            ),
        ),
    ] = None,
) -> int:
    if if_match is None:
        raise PreconditionRequired("Ange If-Match med resursens ETag från senaste läsningen.")
    value = if_match.strip()
    if value.startswith("W/"):
        value = value[2:]
    value = value.strip('"')
    # isascii: str.isdigit() accepts "²" and other digits that int() rejects.
    if not (value.isascii() and value.isdigit()) or len(value) > 10:
        raise PreconditionFailed("If-Match stämmer inte med resursens ETag. Läs in den igen.")
    return int(value)
