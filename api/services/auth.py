"""Issuing tokens: password, refresh-token rotation and client-credentials grants; logout.

Every failed grant answers one fixed body per grant type, whatever the cause (unknown account,
wrong secret, disabled account), so the answer never tells whether an account exists. Argon2
verification runs outside write transactions: on SQLite a write transaction holds the database
lock, and logins must not queue every other writer behind a deliberately slow hash.
"""

from __future__ import annotations

import logging
import secrets
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, update

from api.context import AppContext
from api.errors import ApiError, TooManyRequests
from api.persistence.models import RefreshTokenRow, UserRow
from api.persistence.repositories.accounts import AccountRepository
from api.persistence.uow import UnitOfWork
from api.security.passwords import hash_password, needs_rehash, verify_dummy, verify_password
from api.security.permissions import Role
from api.security.principal import ActorKind, Principal
from api.security.tokens import TokenClaims, TokenError, TokenType

log = logging.getLogger("levelup.auth")


class InvalidCredentials(ApiError):
    status_code, error = 401, "InvalidCredentials"

    def __init__(self) -> None:
        super().__init__("Fel användarnamn eller lösenord.")


class InvalidClient(ApiError):
    status_code, error = 401, "InvalidClient"

    def __init__(self) -> None:
        super().__init__("Fel klient-id eller klienthemlighet.")


class InvalidGrant(ApiError):
    status_code, error = 401, "InvalidGrant"

    def __init__(self) -> None:
        super().__init__("Inloggningen har gått ut eller avslutats. Logga in igen.")


@dataclass(frozen=True)
class IssuedTokens:
    access_token: str
    expires_in: int
    role: Role
    refresh_token: str | None = None


def _seconds_left(claims: TokenClaims) -> int:
    return int((claims.expires_at - claims.issued_at).total_seconds())


def _check_throttle(ctx: AppContext, account: str, address: str) -> None:
    wait = ctx.throttle.retry_after(account=account, address=address)
    if wait is not None:
        log.info("login throttled for account %s from %s", account, address)
        raise TooManyRequests(
            f"För många misslyckade inloggningsförsök. Försök igen om {wait} sekunder.",
            retry_after=wait,
        )


def _issue_user_tokens(
    ctx: AppContext, uow: UnitOfWork, user: UserRow, family_id: str
) -> IssuedTokens:
    now = ctx.clock.now()
    subject = f"{ActorKind.USER.value}:{user.id}"
    access, access_claims = ctx.tokens.issue_access(subject, now=now)
    refresh, refresh_claims = ctx.tokens.issue_refresh(subject, family_id=family_id, now=now)
    AccountRepository(uow.session).add_refresh_token(
        RefreshTokenRow(
            jti=refresh_claims.jti,
            family_id=family_id,
            user_id=user.id,
            issued_at=refresh_claims.issued_at,
            expires_at=refresh_claims.expires_at,
        )
    )
    return IssuedTokens(access, _seconds_left(access_claims), Role(user.role), refresh)


def issue_tokens_for_password(
    ctx: AppContext, *, username: str, password: str, address: str
) -> IssuedTokens:
    _check_throttle(ctx, username, address)
    with ctx.database.unit_of_work(write=False) as uow:
        user = AccountRepository(uow.session).user_by_username(username)
        snapshot = (user.id, user.password_hash, user.is_active) if user else None
    if snapshot is None:
        verify_dummy(password)
        failure = "unknown account"
    elif not verify_password(snapshot[1], password):
        failure = "wrong password"
    elif not snapshot[2]:
        failure = "disabled account"
    else:
        failure = ""
    if failure or snapshot is None:
        ctx.throttle.record_failure(account=username, address=address)
        log.info("login failed for account %s from %s: %s", username, address, failure)
        raise InvalidCredentials()

    user_id, verified_hash, _ = snapshot
    upgraded_hash = hash_password(password) if needs_rehash(verified_hash) else None
    with ctx.database.unit_of_work(write=True) as uow:
        user = AccountRepository(uow.session).user(user_id)
        if user is None or not user.is_active:
            # Disabled or deleted between the check and now.
            log.info("login failed for account %s from %s: disabled account", username, address)
            raise InvalidCredentials()
        if upgraded_hash is not None:
            # A conditional bulk update: it neither bumps the row version (an admin's ETag
            # stays valid) nor overwrites a password an admin changed in the meantime.
            uow.session.execute(
                update(UserRow)
                .where(UserRow.id == user_id, UserRow.password_hash == verified_hash)
                .values(password_hash=upgraded_hash)
            )
        issued = _issue_user_tokens(ctx, uow, user, secrets.token_urlsafe(16))
        uow.commit()
    ctx.throttle.record_success(account=username, address=address)
    log.info("login succeeded for user %s from %s", user_id, address)
    return issued


def _user_id_of(claims: TokenClaims) -> int | None:
    kind, _, raw_id = claims.subject.partition(":")
    if kind != ActorKind.USER.value or not raw_id.isdigit():
        return None
    return int(raw_id)


def rotate_refresh_token(ctx: AppContext, *, refresh_token: str, address: str) -> IssuedTokens:
    now = ctx.clock.now()
    try:
        claims = ctx.tokens.decode(refresh_token, expected_type=TokenType.REFRESH, now=now)
    except TokenError as exc:
        log.info("refresh rejected from %s: %s", address, exc.why)
        raise InvalidGrant() from None
    user_id = _user_id_of(claims)
    with ctx.database.unit_of_work(write=True) as uow:
        repo = AccountRepository(uow.session)
        row = repo.refresh_token(claims.jti)
        if row is None or row.user_id != user_id or row.family_id != claims.family_id:
            log.info("refresh rejected from %s: unknown token", address)
            raise InvalidGrant()
        # Claiming the token is one conditional UPDATE, so of two concurrent refreshes with the
        # same token exactly one wins, and the loser is treated as the reuse it is.
        claim = uow.session.execute(
            update(RefreshTokenRow)
            .where(
                RefreshTokenRow.jti == row.jti,
                RefreshTokenRow.used_at.is_(None),
                RefreshTokenRow.revoked_at.is_(None),
            )
            .values(used_at=now)
        )
        claimed = cast(CursorResult[Any], claim).rowcount
        if claimed != 1:
            # A used or revoked token presented again: it may have been stolen, and we cannot
            # tell the thief from the user, so every token of this login dies.
            repo.revoke_family(row.family_id, now)
            uow.commit()
            log.warning(
                "refresh token reuse for user %s from %s: family revoked", row.user_id, address
            )
            raise InvalidGrant()
        user = repo.user(row.user_id)
        if user is None or not user.is_active:
            log.info("refresh rejected from %s: disabled account %s", address, row.user_id)
            raise InvalidGrant()
        issued = _issue_user_tokens(ctx, uow, user, row.family_id)
        uow.commit()
    return issued


def issue_token_for_client(
    ctx: AppContext, *, client_id: str, client_secret: str, address: str
) -> IssuedTokens:
    account = f"client:{client_id}"
    _check_throttle(ctx, account, address)
    with ctx.database.unit_of_work(write=False) as uow:
        client = AccountRepository(uow.session).client_by_client_id(client_id)
    if client is None:
        verify_dummy(client_secret)
        failure = "unknown client"
    elif not verify_password(client.secret_hash, client_secret):
        failure = "wrong secret"
    elif not client.is_active:
        failure = "inactive client"
    else:
        failure = ""
    if failure or client is None:
        ctx.throttle.record_failure(account=account, address=address)
        log.info("client login failed for %s from %s: %s", client_id, address, failure)
        raise InvalidClient()
    ctx.throttle.record_success(account=account, address=address)
    access, claims = ctx.tokens.issue_access(
        f"{ActorKind.CLIENT.value}:{client.id}", now=ctx.clock.now()
    )
    log.info("client login succeeded for client %s from %s", client.id, address)
    return IssuedTokens(access, _seconds_left(claims), Role.INTEGRATION_CLIENT)


def log_out(ctx: AppContext, principal: Principal, *, refresh_token: str) -> None:
    """Revoke the login the refresh token belongs to. Silent whatever the token is: the answer
    must not tell a caller anything about a token that is not theirs."""
    now = ctx.clock.now()
    try:
        claims = ctx.tokens.decode(refresh_token, expected_type=TokenType.REFRESH, now=now)
    except TokenError as exc:
        log.info("logout by %s with an invalid refresh token: %s", principal.subject, exc.why)
        return
    if claims.subject != principal.subject:
        log.info("logout by %s with another account's refresh token", principal.subject)
        return
    with ctx.database.unit_of_work(write=True) as uow:
        repo = AccountRepository(uow.session)
        row = repo.refresh_token(claims.jti)
        if row is None or row.user_id != principal.user_id:
            return
        repo.revoke_family(row.family_id, now)
        uow.commit()
    log.info("logout by %s", principal.subject)
