"""Signing and verifying the API's JSON Web Tokens (access and refresh).

This is the only module in the project that imports ``jose``: python-jose is permissive (it accepts
an audience inside a list, string timestamps, leaks ``TypeError`` on odd claim types and, when HS
and RS algorithms are both allowed, HS256 tokens keyed with a public key), so every use of it is
fenced in here. ``decode`` lets jose verify the signature and then re-checks every claim itself.

Only HS256 with one shared secret is accepted. Every rejection raises ``TokenError`` whose message
is the constant ``"invalid token"``; ``TokenError.why`` is a short fixed phrase for logs and never
contains any part of the token.
"""

from __future__ import annotations

import base64
import re
import secrets
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any, Final, TypeGuard

from jose import jwk, jwt

from api.settings import MIN_SECRET_BYTES, Settings

ALGORITHM: Final = "HS256"
# Far above any token we issue (~400 bytes); checked before anything is decoded.
MAX_TOKEN_CHARS: Final = 8 * 1024
CLOCK_SKEW: Final = timedelta(seconds=30)

# Headers such as kid, jku, jwk, x5u or crit ask the verifier to fetch or trust other keys, or to
# understand extensions jose silently ignores; we never send them, so their presence is a forgery.
_ALLOWED_HEADER_KEYS: Final = frozenset({"alg", "typ"})
# A compact JWS is exactly three base64url segments; this also turns away JWE (five segments),
# unsigned tokens with an empty signature, whitespace and non-ASCII before any decoding.
_COMPACT_JWS: Final = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# 9999-12-31T23:59:59Z, the last instant a datetime can hold; larger values cannot be real.
_MAX_NUMERIC_DATE: Final = 253_402_300_799

_JOSE_OPTIONS: Final[Mapping[str, Any]] = {
    "verify_signature": True,
    "verify_aud": True,
    "verify_iat": True,
    "verify_exp": True,
    "verify_nbf": True,
    "verify_iss": True,
    "verify_sub": True,
    "verify_jti": True,
    "require_exp": True,
    "require_aud": True,
    "require_iss": True,
    "require_sub": True,
    "require_iat": True,
    "require_jti": True,
    "leeway": 0,
}


class TokenError(Exception):
    """Any invalid token. The message is always generic and never echoes the token."""

    def __init__(self, why: str = "unspecified") -> None:
        super().__init__("invalid token")
        # For server-side logs only; callers must not put token material in it.
        self.why = why


class TokenType(StrEnum):
    ACCESS = "access"
    REFRESH = "refresh"


@dataclass(frozen=True)
class TokenClaims:
    subject: str
    token_type: TokenType
    jti: str
    issued_at: datetime
    expires_at: datetime
    # Refresh tokens only: every rotation of one login shares it, so reuse can revoke them all.
    family_id: str | None


def _require_aware(now: datetime) -> datetime:
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime")
    return now


def _whole_seconds(ttl: timedelta, name: str) -> int:
    seconds = ttl.total_seconds()
    if seconds <= 0 or seconds != int(seconds):
        raise ValueError(f"{name} must be a positive whole number of seconds")
    return int(seconds)


def _numeric_date(value: Any) -> int | None:
    # Exactly int: jose would also take "1700000000", 1.5e9 or true, none of which we ever issue.
    if type(value) is int and 0 <= value <= _MAX_NUMERIC_DATE:
        return value
    return None


def _non_empty_str(value: object) -> TypeGuard[str]:
    return type(value) is str and value != ""


def _is_canonical_signature(segment: str) -> bool:
    # The last base64url character carries two unused bits, so several strings decode to the same
    # signature; only the canonical one is accepted, keeping the token string itself unforgeable.
    try:
        raw = base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    except ValueError:
        return False
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii") == segment


class TokenCodec:
    """Issues and verifies the API's tokens with one HS256 secret."""

    def __init__(
        self,
        *,
        secret: str,
        issuer: str,
        audience: str,
        access_ttl: timedelta,
        refresh_ttl: timedelta,
    ) -> None:
        if len(secret.encode("utf-8")) < MIN_SECRET_BYTES:
            raise ValueError(f"token secret must be at least {MIN_SECRET_BYTES} bytes")
        if not issuer or not audience:
            raise ValueError("issuer and audience must be non-empty")
        try:
            # A Key object (rather than the raw string) stops jose from trying to parse the
            # secret as JSON or a JWK set, and jose refuses PEM/SSH text as an HMAC secret.
            self._key = jwk.construct(secret, ALGORITHM)
        except Exception:
            raise ValueError("token secret is not usable as an HMAC key") from None
        self._issuer = issuer
        self._audience = audience
        self._ttl_seconds = {
            TokenType.ACCESS: _whole_seconds(access_ttl, "access_ttl"),
            TokenType.REFRESH: _whole_seconds(refresh_ttl, "refresh_ttl"),
        }

    def __repr__(self) -> str:
        return f"TokenCodec(issuer={self._issuer!r}, audience={self._audience!r})"

    @classmethod
    def from_settings(cls, settings: Settings) -> TokenCodec:
        return cls(
            secret=settings.jwt_secret.get_secret_value(),
            issuer=settings.jwt_issuer,
            audience=settings.jwt_audience,
            access_ttl=timedelta(minutes=settings.access_token_minutes),
            refresh_ttl=timedelta(days=settings.refresh_token_days),
        )

    def issue_access(self, subject: str, *, now: datetime) -> tuple[str, TokenClaims]:
        return self._issue(subject, TokenType.ACCESS, family_id=None, now=now)

    def issue_refresh(
        self, subject: str, *, family_id: str, now: datetime
    ) -> tuple[str, TokenClaims]:
        if not _non_empty_str(family_id):
            raise ValueError("family_id must be a non-empty string")
        return self._issue(subject, TokenType.REFRESH, family_id=family_id, now=now)

    def _issue(
        self, subject: str, token_type: TokenType, *, family_id: str | None, now: datetime
    ) -> tuple[str, TokenClaims]:
        if not _non_empty_str(subject):
            raise ValueError("subject must be a non-empty string")
        iat = int(_require_aware(now).timestamp())
        exp = iat + self._ttl_seconds[token_type]
        claims = TokenClaims(
            subject=subject,
            token_type=token_type,
            jti=secrets.token_urlsafe(16),
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
            family_id=family_id,
        )
        payload: dict[str, Any] = {
            "iss": self._issuer,
            "aud": self._audience,
            "sub": subject,
            "iat": iat,
            "exp": exp,
            "jti": claims.jti,
            "typ": token_type.value,
        }
        if family_id is not None:
            payload["fam"] = family_id
        return jwt.encode(payload, self._key, algorithm=ALGORITHM), claims

    def decode(
        self, token: str, *, expected_type: TokenType, now: datetime | None = None
    ) -> TokenClaims:
        """Verify ``token`` and return its claims, or raise ``TokenError``.

        ``now`` defaults to the current time. jose additionally checks ``exp`` and ``nbf`` against
        the wall clock, so a ``now`` in the past can never revive an expired token.
        """
        checked_at = datetime.now(UTC) if now is None else _require_aware(now)
        if type(token) is not str:
            raise TokenError("not a string")
        if len(token) > MAX_TOKEN_CHARS:
            raise TokenError("too long")
        if _COMPACT_JWS.fullmatch(token) is None:
            raise TokenError("not a compact JWS")
        if not _is_canonical_signature(token.rsplit(".", 1)[1]):
            raise TokenError("non-canonical signature encoding")
        try:
            header = jwt.get_unverified_header(token)
        except Exception:
            raise TokenError("unreadable header") from None
        # Checked by us before jose sees the token, so that "none" in any spelling, asymmetric
        # algorithms and algorithm confusion never reach jose's own algorithm dispatch.
        alg = header.get("alg")
        if type(alg) is not str or alg != ALGORITHM:
            raise TokenError("algorithm not allowed")
        if not set(header) <= _ALLOWED_HEADER_KEYS:
            raise TokenError("unexpected header parameter")
        if "typ" in header and header["typ"] != "JWT":
            raise TokenError("unexpected header typ")
        try:
            payload = jwt.decode(
                token,
                self._key,
                algorithms=[ALGORITHM],
                audience=self._audience,
                issuer=self._issuer,
                options=dict(_JOSE_OPTIONS),
            )
        except Exception as exc:
            # Not only JWTError: hostile claim types make jose raise TypeError or OverflowError.
            # The exception is dropped (from None) because its text can quote header values.
            raise TokenError(f"rejected by jose ({type(exc).__name__})") from None
        return self._check_claims(payload, expected_type, checked_at)

    def _check_claims(
        self, payload: Mapping[str, Any], expected_type: TokenType, now: datetime
    ) -> TokenClaims:
        # jose has checked most of this already; it is repeated because jose's checks are loose
        # (lists for aud, strings for dates, missing claims when not required) and a future
        # change in jose's defaults must not silently weaken ours.
        iss = payload.get("iss")
        if type(iss) is not str or iss != self._issuer:
            raise TokenError("wrong issuer")
        aud = payload.get("aud")
        if type(aud) is not str or aud != self._audience:
            raise TokenError("wrong audience")
        subject = payload.get("sub")
        if not _non_empty_str(subject):
            raise TokenError("bad subject")
        jti = payload.get("jti")
        if not _non_empty_str(jti):
            raise TokenError("bad jti")
        if payload.get("typ") != expected_type.value:
            raise TokenError("wrong token type")

        iat = _numeric_date(payload.get("iat"))
        exp = _numeric_date(payload.get("exp"))
        if iat is None or exp is None:
            raise TokenError("bad iat or exp")
        now_ts = now.timestamp()
        if iat > now_ts + CLOCK_SKEW.total_seconds():
            raise TokenError("issued in the future")
        if "nbf" in payload:
            nbf = _numeric_date(payload["nbf"])
            if nbf is None or nbf > now_ts:
                raise TokenError("not yet valid")
        if exp <= now_ts:
            raise TokenError("expired")
        # Every token we sign lives exactly its type's TTL; a longer one was not minted by this
        # configuration (for example before the TTL was shortened) and is refused.
        if not 0 < exp - iat <= self._ttl_seconds[expected_type]:
            raise TokenError("lifetime out of range")

        family_id = payload.get("fam")
        if expected_type is TokenType.REFRESH:
            if not _non_empty_str(family_id):
                raise TokenError("refresh token without family")
        elif "fam" in payload:
            raise TokenError("access token with family")

        return TokenClaims(
            subject=subject,
            token_type=expected_type,
            jti=jti,
            issued_at=datetime.fromtimestamp(iat, UTC),
            expires_at=datetime.fromtimestamp(exp, UTC),
            family_id=family_id if expected_type is TokenType.REFRESH else None,
        )
