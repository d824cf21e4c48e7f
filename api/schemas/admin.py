"""Administration of organisations, staff accounts and integration clients (no case data)."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import Field, StringConstraints, field_validator

from api.schemas.base import Code, Id, Name, RequestModel, ResponseModel
from api.security.permissions import Permission, Role

OrganisationName = Annotated[str, StringConstraints(min_length=1, max_length=200)]
Username = Annotated[
    str, StringConstraints(min_length=3, max_length=100, pattern=r"^[a-z0-9._-]+$")
]
# Taken byte for byte (no stripping): the user types exactly this at login.
NewPassword = Annotated[
    str, StringConstraints(min_length=12, max_length=1024, strip_whitespace=False)
]
MunicipalityCode = Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")]


class OrganisationKind(StrEnum):
    ASSOCIATION = "association"
    MUNICIPALITY = "municipality"
    UNIT = "unit"
    REFERRER = "referrer"


class OrganisationCreate(RequestModel):
    kind: OrganisationKind
    name: OrganisationName
    parent_id: Id | None = Field(default=None, description="Required for a unit: its municipality")
    referrer_type: Code | None = Field(
        default=None, description="Referrer organisations only: a code from referrer_type"
    )
    municipality_code: MunicipalityCode | None = Field(
        default=None, description="Municipalities only: SCB code, 4 digits (1495 = Skara)"
    )


class OrganisationRead(ResponseModel):
    id: int
    kind: OrganisationKind
    name: str
    parent_id: int | None
    referrer_type: str | None
    municipality_code: str | None
    created_at: datetime


# Integration clients are not users; they are created under /integration-clients.
_USER_ROLES = frozenset(Role) - {Role.INTEGRATION_CLIENT}


class UserCreate(RequestModel):
    username: Username = Field(description="3–100 characters: a-z 0-9 . _ -")
    display_name: Name
    password: NewPassword = Field(description="At least 12 characters")
    role: Role = Field(description="Any role except integration_client")
    municipality_id: Id | None = Field(
        default=None, description="Required for mentor, lead_mentor, unit_manager"
    )
    organisation_id: Id | None = Field(
        default=None,
        description="Referrer: a referrer organisation; association_analyst, evaluator: an "
        "association; municipal roles: optionally a unit of their municipality",
    )

    @field_validator("role")
    @classmethod
    def _user_role(cls, role: Role) -> Role:
        if role not in _USER_ROLES:
            raise ValueError("integration_client is not a user role")
        return role


class UserUpdate(RequestModel):
    """Username, role and organisations are not changeable: create a new account instead, so
    the audit trail of the old one keeps its meaning."""

    display_name: Name | None = None
    is_active: bool | None = Field(
        default=None, description="false disables login and ends sessions at the next request"
    )
    password: NewPassword | None = Field(default=None, description="Sets a new password")


class UserRead(ResponseModel):
    id: int
    username: str
    display_name: str
    role: Role
    municipality_id: int | None
    organisation_id: int | None
    is_active: bool
    created_at: datetime
    updated_at: datetime
    version: int = Field(description="Also sent as the ETag; send it back in If-Match")


class IntegrationClientCreate(RequestModel):
    name: Name
    municipality_id: Id
    permissions: list[Permission] = Field(
        min_length=1,
        max_length=len(Permission),
        description="Each from the integration-grantable set (participant, enrolment, "
        "code list and programme permissions)",
    )


class IntegrationClientUpdate(RequestModel):
    is_active: bool


class IntegrationClientRead(ResponseModel):
    id: int
    client_id: str
    name: str
    municipality_id: int
    permissions: list[Permission]
    is_active: bool
    created_at: datetime

    @field_validator("permissions", mode="before")
    @classmethod
    def _split_stored(cls, value: Any) -> Any:
        # Stored as one space-separated column.
        return value.split() if isinstance(value, str) else value


class IntegrationClientCreated(IntegrationClientRead):
    client_secret: str = Field(description="Shown only in this answer; store it now")
