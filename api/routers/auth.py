"""Token endpoint (unauthenticated by necessity) and logout (authenticated)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request, Response, status

from api.deps import Context, CurrentPrincipal, authenticated
from api.errors import ErrorBody
from api.schemas.auth import GrantType, LogoutRequest, TokenForm, TokenResponse
from api.services import auth as auth_service
from domain.errors import MissingInformation

# The token endpoint is where callers get their first token, so it cannot require one; it is
# on the route-inventory test's allowlist. Everything else here goes on `_session_router`.
_token_router = APIRouter(prefix="/api/v1/auth", tags=["auth"])
_session_router = APIRouter(
    prefix="/api/v1/auth", tags=["auth"], dependencies=[Depends(authenticated)]
)

_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}


def _client_address(request: Request) -> str:
    # Behind a reverse proxy this is the proxy's address unless uvicorn is started with
    # --proxy-headers and --forwarded-allow-ips naming that proxy.
    return request.client.host if request.client else "unknown"


def _required(form: TokenForm, *names: str) -> list[str]:
    values = [getattr(form, name) for name in names]
    missing = {name: "krävs" for name, value in zip(names, values, strict=True) if not value}
    if missing:
        raise MissingInformation(
            f"Grant-typen {form.grant_type.value} kräver {', '.join(names)}.", fields=missing
        )
    return [str(value) for value in values]


@_token_router.post(
    "/token",
    response_model=TokenResponse,
    response_model_exclude_none=True,
    summary="Get an access token",
    operation_id="create_token",
    responses={
        401: {"model": ErrorBody, "description": "Wrong credentials or an invalid refresh token"},
        429: {"model": ErrorBody, "description": "Too many failed attempts; see Retry-After"},
    },
)
def create_token(
    form: Annotated[TokenForm, Form()], request: Request, response: Response, ctx: Context
) -> TokenResponse:
    """OAuth2 token endpoint (`application/x-www-form-urlencoded`).

    - `grant_type=password` with `username` and `password`: staff login. Returns an access token
      and a refresh token.
    - `grant_type=refresh_token` with `refresh_token`: exchanges a refresh token for a new access
      token and a new refresh token. Each refresh token works once; presenting a used one again
      ends the whole login (every refresh token issued from it), so keep only the newest.
    - `grant_type=client_credentials` with `client_id` and `client_secret`: municipal integration
      clients. Returns an access token only; request a new one when it expires.

    Wrong credentials answer 401 with the same body whether or not the account exists. Repeated
    failures for one account or from one address answer 429 with `Retry-After` (seconds).
    """
    address = _client_address(request)
    if form.grant_type is GrantType.PASSWORD:
        username, password = _required(form, "username", "password")
        issued = auth_service.issue_tokens_for_password(
            ctx, username=username, password=password, address=address
        )
    elif form.grant_type is GrantType.REFRESH_TOKEN:
        (refresh_token,) = _required(form, "refresh_token")
        issued = auth_service.rotate_refresh_token(
            ctx, refresh_token=refresh_token, address=address
        )
    else:
        client_id, client_secret = _required(form, "client_id", "client_secret")
        issued = auth_service.issue_token_for_client(
            ctx, client_id=client_id, client_secret=client_secret, address=address
        )
    response.headers.update(_NO_STORE)
    return TokenResponse(
        access_token=issued.access_token,
        expires_in=issued.expires_in,
        refresh_token=issued.refresh_token,
        role=issued.role,
    )


@_session_router.post(
    "/logout",
    status_code=status.HTTP_204_NO_CONTENT,
    response_class=Response,
    summary="Log out (revoke a refresh token)",
    operation_id="logout",
)
def logout(body: LogoutRequest, ctx: Context, principal: CurrentPrincipal) -> Response:
    """Ends the login the given refresh token belongs to: it and every refresh token rotated from
    it stop working. The access token stays valid until it expires (minutes), so discard it too.

    Always answers 204, also for a token that is unknown, expired or not the caller's.
    """
    auth_service.log_out(ctx, principal, refresh_token=body.refresh_token)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


router = APIRouter()
router.include_router(_token_router)
router.include_router(_session_router)
