"""Base classes for API models.

Requests forbid unknown fields (mass assignment: `id`, `municipality_id`, `role`, `version` …
in a body is a 422, never silently ignored) and strip whitespace; every string has a maximum
length so a 1 MB string is a clear 422.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints


class RequestModel(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class ResponseModel(BaseModel):
    model_config = ConfigDict(from_attributes=True)


ShortText = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Name = Annotated[str, StringConstraints(min_length=1, max_length=100)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=500)]
Code = Annotated[str, StringConstraints(min_length=1, max_length=40)]
Phone = Annotated[str, StringConstraints(max_length=40, pattern=r"^[0-9+()\- ]*$")]
Email = Annotated[str, StringConstraints(max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]
Limit = Annotated[int, Field(ge=1, le=100, description="Page size, at most 100")]
Cursor = Annotated[str, StringConstraints(max_length=200)]
Id = Annotated[int, Field(ge=1, le=2**31 - 1)]
