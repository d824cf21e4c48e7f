"""Tokens: round trips, and a forged-token suite where every case must raise TokenError.

Forged tokens are assembled by hand (JSON, base64url, hmac) because jose refuses to create most of
them. `test_forge_helper_builds_accepted_tokens` proves the helper itself makes valid tokens, so
each forged case fails for the one thing it changes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from api.security.tokens import (
    ALGORITHM,
    MAX_TOKEN_CHARS,
    TokenClaims,
    TokenCodec,
    TokenError,
    TokenType,
)
from api.settings import Settings

SECRET = "unit-test-secret-0123456789abcdef0123456789"
ISSUER = "https://levelup.invalid/api"
AUDIENCE = "levelup-api"
ACCESS_TTL = timedelta(minutes=15)
REFRESH_TTL = timedelta(days=14)
_DROP = object()


@pytest.fixture
def codec() -> TokenCodec:
    return TokenCodec(
        secret=SECRET,
        issuer=ISSUER,
        audience=AUDIENCE,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
    )


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str) -> bytes:
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def encode_json(value: Any) -> str:
    return b64url(json.dumps(value, separators=(",", ":")).encode())


def now_ts() -> int:
    return int(time.time())


def claims(kind: str = "access", **overrides: Any) -> dict[str, Any]:
    iat = now_ts()
    ttl = ACCESS_TTL if kind == "access" else REFRESH_TTL
    payload: dict[str, Any] = {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user:12",
        "iat": iat,
        "exp": iat + int(ttl.total_seconds()),
        "jti": "forged-jti",
        "typ": kind,
    }
    if kind == "refresh":
        payload["fam"] = "family-1"
    for name, value in overrides.items():
        if value is _DROP:
            payload.pop(name, None)
        else:
            payload[name] = value
    return payload


def hs256(signing_input: str, key: bytes = SECRET.encode()) -> str:
    return b64url(hmac.new(key, signing_input.encode(), hashlib.sha256).digest())


def forge(
    payload: dict[str, Any] | None = None,
    *,
    header: Any = None,
    key: bytes = SECRET.encode(),
) -> str:
    header = {"alg": "HS256", "typ": "JWT"} if header is None else header
    signing_input = f"{encode_json(header)}.{encode_json(claims() if payload is None else payload)}"
    return f"{signing_input}.{hs256(signing_input, key)}"


def assert_rejected(
    codec: TokenCodec, token: str, expected_type: TokenType = TokenType.ACCESS
) -> TokenError:
    with pytest.raises(TokenError) as caught:
        codec.decode(token, expected_type=expected_type)
    error = caught.value
    assert str(error) == "invalid token"
    # Nothing from the token may leak into what gets logged.
    # (Short parts are skipped: "a" or " " occur in any message by chance.)
    for part in (part for part in token.split(".") if len(part) >= 8):
        assert part not in error.why
        assert part not in repr(error)
    return error


# --- positive -------------------------------------------------------------------------------


def test_access_round_trip(codec: TokenCodec) -> None:
    now = datetime.now(UTC)
    token, issued = codec.issue_access("user:12", now=now)
    decoded = codec.decode(token, expected_type=TokenType.ACCESS)
    assert decoded == issued
    assert decoded.subject == "user:12"
    assert decoded.token_type is TokenType.ACCESS
    assert decoded.family_id is None
    assert decoded.issued_at == now.replace(microsecond=0)
    assert decoded.expires_at == decoded.issued_at + ACCESS_TTL


def test_refresh_round_trip(codec: TokenCodec) -> None:
    now = datetime.now(UTC)
    token, issued = codec.issue_refresh("client:3", family_id="fam-abc", now=now)
    decoded = codec.decode(token, expected_type=TokenType.REFRESH)
    assert decoded == issued
    assert decoded.subject == "client:3"
    assert decoded.token_type is TokenType.REFRESH
    assert decoded.family_id == "fam-abc"
    assert decoded.expires_at == decoded.issued_at + REFRESH_TTL


def test_token_contents_are_exactly_what_we_document(codec: TokenCodec) -> None:
    token, issued = codec.issue_refresh("user:12", family_id="fam-1", now=datetime.now(UTC))
    header_segment, payload_segment, _ = token.split(".")
    assert json.loads(b64url_decode(header_segment)) == {"alg": "HS256", "typ": "JWT"}
    payload = json.loads(b64url_decode(payload_segment))
    assert payload == {
        "iss": ISSUER,
        "aud": AUDIENCE,
        "sub": "user:12",
        "iat": int(issued.issued_at.timestamp()),
        "exp": int(issued.expires_at.timestamp()),
        "jti": issued.jti,
        "typ": "refresh",
        "fam": "fam-1",
    }
    assert ALGORITHM == "HS256"


def test_every_issue_has_a_new_jti(codec: TokenCodec) -> None:
    now = datetime.now(UTC)
    jtis = {codec.issue_access("user:1", now=now)[1].jti for _ in range(20)}
    jtis |= {codec.issue_refresh("user:1", family_id="f", now=now)[1].jti for _ in range(20)}
    assert len(jtis) == 40


def test_from_settings_uses_configured_values() -> None:
    settings = Settings(
        environment="test",
        jwt_secret=SECRET,
        jwt_issuer="https://example.invalid/iss",
        jwt_audience="aud-x",
        access_token_minutes=5,
        refresh_token_days=2,
    )
    codec = TokenCodec.from_settings(settings)
    token, issued = codec.issue_refresh("user:1", family_id="f", now=datetime.now(UTC))
    assert issued.expires_at - issued.issued_at == timedelta(days=2)
    payload = json.loads(b64url_decode(token.split(".")[1]))
    assert (payload["iss"], payload["aud"]) == ("https://example.invalid/iss", "aud-x")
    access, issued_access = codec.issue_access("user:1", now=datetime.now(UTC))
    assert issued_access.expires_at - issued_access.issued_at == timedelta(minutes=5)
    assert codec.decode(access, expected_type=TokenType.ACCESS) == issued_access


def test_forge_helper_builds_accepted_tokens(codec: TokenCodec) -> None:
    access = codec.decode(forge(), expected_type=TokenType.ACCESS)
    assert access.subject == "user:12"
    refresh = codec.decode(forge(claims("refresh")), expected_type=TokenType.REFRESH)
    assert refresh.family_id == "family-1"
    # Also without the optional header typ, and with a past nbf.
    assert codec.decode(forge(header={"alg": "HS256"}), expected_type=TokenType.ACCESS)
    past_nbf = claims(nbf=now_ts() - 10)
    assert codec.decode(forge(past_nbf), expected_type=TokenType.ACCESS)


def test_iat_within_clock_skew_is_accepted(codec: TokenCodec) -> None:
    iat = now_ts() + 20
    token = forge(claims(iat=iat, exp=iat + 600))
    assert codec.decode(token, expected_type=TokenType.ACCESS).issued_at.timestamp() == iat


def test_repr_and_error_do_not_reveal_the_secret(codec: TokenCodec) -> None:
    assert SECRET not in repr(codec)
    assert SECRET not in str(TokenError("x"))


# --- construction ---------------------------------------------------------------------------


def test_short_secret_is_refused() -> None:
    with pytest.raises(ValueError, match="32 bytes"):
        TokenCodec(
            secret="x" * 31,
            issuer=ISSUER,
            audience=AUDIENCE,
            access_ttl=ACCESS_TTL,
            refresh_ttl=REFRESH_TTL,
        )
    # Bytes, not characters, count: 16 "å" are 32 bytes in UTF-8.
    TokenCodec(
        secret="å" * 16,
        issuer=ISSUER,
        audience=AUDIENCE,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
    )


def test_public_key_text_is_refused_as_a_secret() -> None:
    pem = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        .public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )
    with pytest.raises(ValueError):
        TokenCodec(
            secret=pem,
            issuer=ISSUER,
            audience=AUDIENCE,
            access_ttl=ACCESS_TTL,
            refresh_ttl=REFRESH_TTL,
        )


def test_issue_refuses_bad_input(codec: TokenCodec) -> None:
    with pytest.raises(ValueError):
        codec.issue_access("", now=datetime.now(UTC))
    with pytest.raises(ValueError):
        codec.issue_access("user:1", now=datetime.now())  # naive on purpose
    with pytest.raises(ValueError):
        codec.issue_refresh("user:1", family_id="", now=datetime.now(UTC))


# --- forged and invalid tokens ----------------------------------------------------------------


@pytest.mark.parametrize("alg", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "empty-sig", "hmac"])
def test_alg_none_is_rejected(codec: TokenCodec, alg: str, signature: str) -> None:
    signing_input = f"{encode_json({'alg': alg, 'typ': 'JWT'})}.{encode_json(claims())}"
    sig = {"": "", "empty-sig": "AAAA", "hmac": hs256(signing_input)}[signature]
    assert_rejected(codec, f"{signing_input}.{sig}")
    assert_rejected(codec, signing_input)


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "hs256", "typ": "JWT"},
        {"alg": "HS256 ", "typ": "JWT"},
        {"alg": ["HS256"], "typ": "JWT"},
        {"alg": None, "typ": "JWT"},
        {"typ": "JWT"},
        {"alg": "HS256", "typ": "JWT", "kid": "../../../../dev/null"},
        {"alg": "HS256", "typ": "JWT", "jku": "https://attacker.invalid/jwks.json"},
        {"alg": "HS256", "typ": "JWT", "crit": ["exp"]},
        {"alg": "HS256", "typ": "JWT", "b64": False},
        {"alg": "HS256", "typ": "JWE"},
        [],
        "HS256",
    ],
)
def test_unexpected_headers_are_rejected(codec: TokenCodec, header: Any) -> None:
    assert_rejected(codec, forge(header=header))


def test_other_hmac_algorithms_with_our_secret_are_rejected(codec: TokenCodec) -> None:
    for alg, digest in (("HS384", hashlib.sha384), ("HS512", hashlib.sha512)):
        signing_input = f"{encode_json({'alg': alg, 'typ': 'JWT'})}.{encode_json(claims())}"
        sig = b64url(hmac.new(SECRET.encode(), signing_input.encode(), digest).digest())
        assert_rejected(codec, f"{signing_input}.{sig}")


def test_different_secret_is_rejected(codec: TokenCodec) -> None:
    assert_rejected(codec, forge(key=b"another-secret-that-is-long-enough-000000"))
    other = TokenCodec(
        secret=SECRET + "x",
        issuer=ISSUER,
        audience=AUDIENCE,
        access_ttl=ACCESS_TTL,
        refresh_ttl=REFRESH_TTL,
    )
    token, _ = other.issue_access("user:12", now=datetime.now(UTC))
    assert_rejected(codec, token)


def test_tampered_payload_is_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    header, payload, signature = token.split(".")
    data = json.loads(b64url_decode(payload))
    data["sub"] = "user:1"
    assert_rejected(codec, f"{header}.{encode_json(data)}.{signature}")


def test_tampered_header_is_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    _, payload, signature = token.split(".")
    assert_rejected(codec, f"{encode_json({'typ': 'JWT', 'alg': 'HS256'})}.{payload}.{signature}")


def test_tampered_signature_is_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    header, payload, signature = token.split(".")
    raw = bytearray(b64url_decode(signature))
    raw[0] ^= 0x01
    assert_rejected(codec, f"{header}.{payload}.{b64url(bytes(raw))}")
    assert_rejected(codec, f"{header}.{payload}.{b64url(bytes(raw[:-1]))}")


def test_non_canonical_signature_encoding_is_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    # The last of 43 characters has two unused low bits; flipping one decodes to the same bytes.
    last = alphabet[alphabet.index(token[-1]) ^ 1]
    malleated = token[:-1] + last
    assert b64url_decode(malleated.split(".")[2]) == b64url_decode(token.split(".")[2])
    assert_rejected(codec, malleated)


def _rs256_token(payload: dict[str, Any]) -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    signing_input = f"{encode_json({'alg': 'RS256', 'typ': 'JWT'})}.{encode_json(payload)}"
    signature = key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def _es256_token(payload: dict[str, Any]) -> str:
    key = ec.generate_private_key(ec.SECP256R1())
    signing_input = f"{encode_json({'alg': 'ES256', 'typ': 'JWT'})}.{encode_json(payload)}"
    r, s = decode_dss_signature(key.sign(signing_input.encode(), ec.ECDSA(hashes.SHA256())))
    return f"{signing_input}.{b64url(r.to_bytes(32, 'big') + s.to_bytes(32, 'big'))}"


def test_asymmetric_tokens_are_rejected(codec: TokenCodec) -> None:
    assert_rejected(codec, _rs256_token(claims()))
    assert_rejected(codec, _es256_token(claims()))


def test_hs256_keyed_with_public_key_text_is_rejected(codec: TokenCodec) -> None:
    public = rsa.generate_private_key(public_exponent=65537, key_size=2048).public_key()
    pem = public.public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    der = public.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    assert_rejected(codec, forge(key=pem))
    assert_rejected(codec, forge(key=der))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"exp": _DROP}, id="exp-missing"),
        pytest.param({"exp": "99999999999"}, id="exp-string"),
        pytest.param({"exp": 1.0e10}, id="exp-float"),
        pytest.param({"exp": True}, id="exp-bool"),
        pytest.param({"exp": [99999999999]}, id="exp-list"),
        pytest.param({"exp": None}, id="exp-null"),
        pytest.param({"exp": 10**30}, id="exp-huge"),
        pytest.param({"iat": _DROP}, id="iat-missing"),
        pytest.param({"iat": "0"}, id="iat-string"),
        pytest.param({"iat": -1}, id="iat-negative"),
        pytest.param({"aud": _DROP}, id="aud-missing"),
        pytest.param({"aud": "levelup-web"}, id="aud-wrong"),
        pytest.param({"aud": "levelup-api "}, id="aud-suffix"),
        pytest.param({"aud": ["other", "levelup-web"]}, id="aud-list-without-ours"),
        pytest.param({"aud": ["levelup-api", "other"]}, id="aud-list-with-ours"),
        pytest.param({"aud": None}, id="aud-null"),
        pytest.param({"iss": _DROP}, id="iss-missing"),
        pytest.param({"iss": ISSUER[:-1]}, id="iss-prefix"),
        pytest.param({"iss": "https://levelup.invalid"}, id="iss-shorter-prefix"),
        pytest.param({"iss": ISSUER + "/evil"}, id="iss-suffix"),
        pytest.param({"iss": ISSUER + ".attacker.invalid"}, id="iss-domain-suffix"),
        pytest.param({"iss": ISSUER.upper()}, id="iss-case"),
        pytest.param({"iss": [ISSUER]}, id="iss-list"),
        pytest.param({"sub": _DROP}, id="sub-missing"),
        pytest.param({"sub": ""}, id="sub-empty"),
        pytest.param({"sub": 12}, id="sub-int"),
        pytest.param({"sub": ["user:12"]}, id="sub-list"),
        pytest.param({"sub": None}, id="sub-null"),
        pytest.param({"jti": _DROP}, id="jti-missing"),
        pytest.param({"jti": ""}, id="jti-empty"),
        pytest.param({"jti": 7}, id="jti-int"),
        pytest.param({"typ": _DROP}, id="typ-missing"),
        pytest.param({"typ": "ACCESS"}, id="typ-case"),
        pytest.param({"typ": "refresh"}, id="typ-refresh"),
        pytest.param({"fam": "family-1"}, id="access-with-family"),
    ],
)
def test_bad_access_claims_are_rejected(codec: TokenCodec, overrides: dict[str, Any]) -> None:
    assert_rejected(codec, forge(claims(**overrides)))


@pytest.mark.parametrize(
    "overrides",
    [
        pytest.param({"fam": _DROP}, id="fam-missing"),
        pytest.param({"fam": ""}, id="fam-empty"),
        pytest.param({"fam": 1}, id="fam-int"),
        pytest.param({"typ": "access"}, id="typ-access"),
    ],
)
def test_bad_refresh_claims_are_rejected(codec: TokenCodec, overrides: dict[str, Any]) -> None:
    assert_rejected(codec, forge(claims("refresh", **overrides)), TokenType.REFRESH)


def test_expired_token_is_rejected(codec: TokenCodec) -> None:
    issued_at = datetime.now(UTC) - ACCESS_TTL - timedelta(seconds=5)
    token, _ = codec.issue_access("user:12", now=issued_at)
    assert_rejected(codec, token)
    # jose checks the wall clock too, so a caller-supplied past `now` cannot revive it.
    with pytest.raises(TokenError):
        codec.decode(token, expected_type=TokenType.ACCESS, now=issued_at + timedelta(seconds=1))


def test_token_is_rejected_at_the_moment_it_expires(codec: TokenCodec) -> None:
    now = datetime.now(UTC)
    token, issued = codec.issue_access("user:12", now=now)
    with pytest.raises(TokenError):
        codec.decode(token, expected_type=TokenType.ACCESS, now=issued.expires_at)
    just_before = issued.expires_at - timedelta(seconds=1)
    assert codec.decode(token, expected_type=TokenType.ACCESS, now=just_before) == issued


def test_forged_expired_token_is_rejected(codec: TokenCodec) -> None:
    iat = now_ts() - 1000
    assert_rejected(codec, forge(claims(iat=iat, exp=iat + 900)))


def test_iat_in_the_future_is_rejected(codec: TokenCodec) -> None:
    iat = now_ts() + 3600
    error = assert_rejected(codec, forge(claims(iat=iat, exp=iat + 900)))
    assert error.why == "issued in the future"
    iat = now_ts() + 60
    assert_rejected(codec, forge(claims(iat=iat, exp=iat + 900)))


def test_nbf_in_the_future_is_rejected(codec: TokenCodec) -> None:
    assert_rejected(codec, forge(claims(nbf=now_ts() + 3600)))
    assert_rejected(codec, forge(claims(nbf="0")))


def test_lifetime_longer_than_configured_is_rejected(codec: TokenCodec) -> None:
    iat = now_ts()
    assert_rejected(codec, forge(claims(iat=iat, exp=iat + 901)))
    assert_rejected(codec, forge(claims(iat=iat, exp=iat + 10 * 365 * 86400)))


def test_refresh_token_is_not_an_access_token(codec: TokenCodec) -> None:
    token, _ = codec.issue_refresh("user:12", family_id="fam-1", now=datetime.now(UTC))
    error = assert_rejected(codec, token, TokenType.ACCESS)
    assert error.why == "wrong token type"


def test_access_token_is_not_a_refresh_token(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    error = assert_rejected(codec, token, TokenType.REFRESH)
    assert error.why == "wrong token type"


def test_jwe_compact_token_is_rejected(codec: TokenCodec) -> None:
    parts = [
        encode_json({"alg": "dir", "enc": "A256GCM"}),
        "",
        b64url(b"\x00" * 12),
        b64url(b"ciphertext"),
        b64url(b"\x00" * 16),
    ]
    assert_rejected(codec, ".".join(parts))
    parts[0] = encode_json({"alg": "HS256", "typ": "JWT"})
    parts[1] = b64url(b"encrypted-key")
    assert_rejected(codec, ".".join(parts))


def test_payload_that_is_not_a_json_object_is_rejected(codec: TokenCodec) -> None:
    for payload in (b"[]", b"null", b'"user:12"', b"not json", b"\xff\xfe"):
        signing_input = f"{encode_json({'alg': 'HS256', 'typ': 'JWT'})}.{b64url(payload)}"
        assert_rejected(codec, f"{signing_input}.{hs256(signing_input)}")


def test_non_finite_dates_are_rejected(codec: TokenCodec) -> None:
    header = encode_json({"alg": "HS256", "typ": "JWT"})
    raw = json.dumps(claims()).replace(f'"exp": {claims()["exp"]}', '"exp": Infinity')
    assert "Infinity" in raw
    signing_input = f"{header}.{b64url(raw.encode())}"
    assert_rejected(codec, f"{signing_input}.{hs256(signing_input)}")


def test_oversized_tokens_are_rejected(codec: TokenCodec) -> None:
    assert_rejected(codec, "a" * 1_000_000)
    # A well-formed, correctly signed token that is merely too long is refused too.
    padded = forge(claims(pad="x" * MAX_TOKEN_CHARS))
    assert len(padded) > MAX_TOKEN_CHARS
    error = assert_rejected(codec, padded)
    assert error.why == "too long"
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    assert_rejected(codec, token + "A" * 1_000_000)


@pytest.mark.parametrize(
    "token",
    [
        "",
        " ",
        ".",
        "..",
        "...",
        "a.b",
        "a.b.c",
        "a.b.c.d",
        "not-a-token",
        "Bearer abc.def.ghi",
        "eyJhbGciOiJIUzI1NiJ9",
        "eyJhbGciOiJIUzI1NiJ9..",
        "é.é.é",
        "\x00.\x00.\x00",
        "====.====.====",
        "a+b/.c+d/.e+f/",
    ],
)
def test_garbage_is_rejected(codec: TokenCodec, token: str) -> None:
    assert_rejected(codec, token)


def test_whitespace_around_a_valid_token_is_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    for wrapped in (f" {token}", f"{token}\n", f"{token} ", f"Bearer {token}"):
        assert_rejected(codec, wrapped)


def test_non_string_tokens_are_rejected(codec: TokenCodec) -> None:
    token, _ = codec.issue_access("user:12", now=datetime.now(UTC))
    for value in (token.encode(), None, 12):
        with pytest.raises(TokenError):
            codec.decode(value, expected_type=TokenType.ACCESS)  # type: ignore[arg-type]


def test_only_the_tokens_module_imports_jose() -> None:
    root = Path(__file__).resolve().parents[2]
    pattern = re.compile(r"^\s*(from|import)\s+jose\b", re.MULTILINE)
    offenders = [
        str(path.relative_to(root))
        for folder in ("api", "domain")
        for path in (root / folder).rglob("*.py")
        if pattern.search(path.read_text(encoding="utf-8"))
    ]
    assert offenders == ["api/security/tokens.py"]


def test_claims_are_immutable(codec: TokenCodec) -> None:
    _, issued = codec.issue_access("user:12", now=datetime.now(UTC))
    assert isinstance(issued, TokenClaims)
    with pytest.raises(AttributeError):
        issued.subject = "user:1"  # type: ignore[misc]
