"""Base classes for API models.

Requests forbid unknown fields (mass assignment: `id`, `municipality_id`, `role`, `version` …
in a body is a 422, never silently ignored) and strip whitespace; every string has a maximum
length so a 1 MB string is a clear 422.
"""

from __future__ import annotations

import re
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

# C0 controls and DEL, except tab and newlines: PostgreSQL cannot store NUL at all, and the
# others only ever arrive by accident or attack.
_CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="after")
    @classmethod
    def _no_control_characters(cls, value: Any) -> Any:
        if isinstance(value, str) and _CONTROL_CHARACTERS.search(value):
            raise ValueError("Texten innehåller otillåtna kontrolltecken.")
        return value


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+()\- ]*$")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, at most 100")]
Cursor = Annotated[str, StringConstraints(max_length=600, pattern=r"^[A-Za-z0-9_-]*$")]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
