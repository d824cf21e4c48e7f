"""Token endpoint (OAuth2 form fields) and session models."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Literal

from pydantic import ConfigDict, Field, StringConstraints

from api.schemas.base import RequestModel, ResponseModel
from api.security.permissions import Role
from api.security.tokens import MAX_TOKEN_CHARS

# Secrets are taken byte for byte: a password that ends in a space must keep it.
Username = Annotated[str, StringConstraints(max_length=100)]
Password = Annotated[str, StringConstraints(max_length=1024, strip_whitespace=False)]
TokenText = Annotated[str, StringConstraints(max_length=MAX_TOKEN_CHARS, strip_whitespace=False)]
ClientId = Annotated[str, StringConstraints(max_length=64)]
ClientSecret = Annotated[str, StringConstraints(max_length=256, strip_whitespace=False)]


class GrantType(StrEnum):
    PASSWORD = "password"  # noqa: S105 - an OAuth2 grant name, not a secret
    REFRESH_TOKEN = "refresh_token"  # noqa: S105
    CLIENT_CREDENTIALS = "client_credentials"


class TokenForm(RequestModel):
    """`application/x-www-form-urlencoded` body of `POST /api/v1/auth/token` (RFC 6749)."""

    # RFC 6749 §3.2: unknown parameters must be ignored (OAuth2 libraries send `scope`,
    # `client_id` with a password grant …), so this one request model does not forbid extras.
    model_config = ConfigDict(extra="ignore", str_strip_whitespace=False)

    grant_type: GrantType = Field(description="password, refresh_token or client_credentials")
    username: Username | None = Field(default=None, description="password grant")
    password: Password | None = Field(default=None, description="password grant")
    refresh_token: TokenText | None = Field(default=None, description="refresh_token grant")
    client_id: ClientId | None = Field(default=None, description="client_credentials grant")
    client_secret: ClientSecret | None = Field(default=None, description="client_credentials grant")


class TokenResponse(ResponseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"  # noqa: S105 - the OAuth2 token type name
    expires_in: int = Field(description="Seconds until the access token expires")
    refresh_token: str | None = Field(
        default=None, description="Absent for client credentials; single use (rotated)"
    )
    role: Role


class LogoutRequest(RequestModel):
    refresh_token: TokenText
