"""FastAPI dependencies: the app context, the current principal, and the permission guard.

Routers attach `Depends(authenticated)` at router level, so every new endpoint is protected by
default (a test walks `app.routes` to prove it), and `require(Permission.X)` per route.
"""

from __future__ import annotations

import logging
from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import Connection

from api.context import AppContext
from api.errors import Forbidden, Unauthorized
from api.persistence.repositories.accounts import acting_client, acting_user
from api.security.permissions import INTEGRATION_GRANTABLE, ROLE_PERMISSIONS, Permission, Role
from api.security.principal import ActorKind, Principal, Scope, scope_for
from api.security.tokens import TokenError, TokenType

log = logging.getLogger("levelup.auth")

_bearer = HTTPBearer(auto_error=False, description="Access token from /api/v1/auth/token")


async def get_context(request: Request) -> AppContext:
    return request.app.state.context


Context = Annotated[AppContext, Depends(get_context)]


def _load_principal(connection: Connection, subject: str) -> Principal | None:
    kind, _, raw_id = subject.partition(":")
    if not (raw_id.isascii() and raw_id.isdigit()):
        return None
    if kind == ActorKind.USER.value:
        user = acting_user(connection, int(raw_id))
        if user is None or not user.is_active:
            return None
        role = Role(user.role)
        return Principal(
            ActorKind.USER,
            user.id,
            role,
            ROLE_PERMISSIONS[role],
            user.municipality_id,
            user.organisation_id,
            user.display_name,
        )
    if kind == ActorKind.CLIENT.value:
        client = acting_client(connection, int(raw_id))
        if client is None or not client.is_active:
            return None
        listed = {Permission(p) for p in client.permissions.split() if p}
        return Principal(
            ActorKind.CLIENT,
            client.id,
            Role.INTEGRATION_CLIENT,
            frozenset(listed & INTEGRATION_GRANTABLE),
            client.municipality_id,
            client.municipality_id,
            client.name,
        )
    return None


async def authenticated(
    request: Request,
    ctx: Context,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    """Token -> principal, reloaded from the database on every request (disabled -> 401)."""
    cached = getattr(request.state, "principal", None)
    if cached is not None:
        return cached
    if credentials is None:
        raise Unauthorized()
    try:
        claims = ctx.tokens.decode(
            credentials.credentials, expected_type=TokenType.ACCESS, now=ctx.clock.now()
        )
    except TokenError as exc:
        log.info("rejected access token: %s", getattr(exc, "why", "invalid"))
        raise Unauthorized() from None
    # async, with only the reload handed to the hot reads: the token check is a few
    # microseconds of CPU.
    principal = await ctx.hot_reads.read(_load_principal, claims.subject)
    if principal is None:
        log.info("access token for an unknown or disabled account")
        raise Unauthorized()
    request.state.principal = principal
    return principal


CurrentPrincipal = Annotated[Principal, Depends(authenticated)]


def require(*permissions: Permission):
    """A dependency that answers 403 unless the principal holds every listed permission."""

    # async: it never blocks, so it need not take a threadpool round trip per request.
    async def guard(principal: CurrentPrincipal) -> Principal:
        missing = [p for p in permissions if p not in principal.permissions]
        if missing:
            log.info(
                "denied %s (%s) missing %s",
                principal.subject,
                principal.role.value,
                ",".join(missing),
            )
            raise Forbidden("Din roll har inte behörighet till detta.")
        return principal

    guard.required_permissions = permissions  # type: ignore[attr-defined]
    return Depends(guard)


async def current_scope(principal: CurrentPrincipal) -> Scope:
    return scope_for(principal)


CurrentScope = Annotated[Scope, Depends(current_scope)]
