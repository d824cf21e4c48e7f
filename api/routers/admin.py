"""Administration: organisations, staff accounts and integration clients. Never case data."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Query, Response, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.persistence.models import UserRow
from api.presenters import etag
from api.routers.preconditions import expected_version
from api.schemas.admin import (
    IntegrationClientCreate,
    IntegrationClientCreated,
    IntegrationClientRead,
    IntegrationClientUpdate,
    OrganisationCreate,
    OrganisationKind,
    OrganisationRead,
    UserCreate,
    UserRead,
    UserUpdate,
)
from api.security.permissions import Permission, Role
from api.services import admin as service

OrganisationId = Annotated[int, Path(ge=1, le=2**31 - 1)]
UserId = Annotated[int, Path(ge=1, le=2**31 - 1)]
IntegrationClientId = Annotated[int, Path(ge=1, le=2**31 - 1)]
MunicipalityFilter = Annotated[int | None, Query(ge=1, le=2**31 - 1)]

router = APIRouter(prefix="/api/v1/admin", tags=["admin"], dependencies=[Depends(authenticated)])

_403 = {"model": ErrorBody, "description": "Not an administrator"}
_404 = {"model": ErrorBody, "description": "No such record"}
_409 = {"model": ErrorBody, "description": "Conflicts with an existing record"}


def _with_etag(response: Response, row: UserRow) -> UserRead:
    response.headers["ETag"] = etag(row.version)
    return UserRead.model_validate(row)


# ---- organisations -----------------------------------------------------------------------------


@router.get(
    "/organisations",
    response_model=list[OrganisationRead],
    dependencies=[require(Permission.ORGANISATION_ADMIN)],
    summary="List organisations",
    operation_id="list_organisations",
    responses={403: _403},
)
def list_organisations(
    ctx: Context, principal: CurrentPrincipal, kind: OrganisationKind | None = None
) -> list[OrganisationRead]:
    """Associations, municipalities, units and referrer organisations, by kind and name."""
    rows = service.list_organisations(ctx, principal, kind)
    return [OrganisationRead.model_validate(r) for r in rows]


@router.post(
    "/organisations",
    response_model=OrganisationRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.ORGANISATION_ADMIN)],
    summary="Create an organisation",
    operation_id="create_organisation",
    responses={403: _403, 409: _409},
)
def create_organisation(
    body: OrganisationCreate, ctx: Context, principal: CurrentPrincipal
) -> OrganisationRead:
    """Rules (422 otherwise): a unit's `parent_id` is a municipality; a municipality has a
    four-digit `municipality_code` (409 if another municipality has it); a referrer organisation
    has a `referrer_type` from the current referrer_type code list; those two fields are given
    only for those kinds; any `parent_id` must exist."""
    return OrganisationRead.model_validate(service.create_organisation(ctx, principal, body))


@router.get(
    "/organisations/{organisation_id}",
    response_model=OrganisationRead,
    dependencies=[require(Permission.ORGANISATION_ADMIN)],
    summary="Get an organisation",
    operation_id="get_organisation",
    responses={403: _403, 404: _404},
)
def get_organisation(
    organisation_id: OrganisationId, ctx: Context, principal: CurrentPrincipal
) -> OrganisationRead:
    """One organisation."""
    return OrganisationRead.model_validate(
        service.get_organisation(ctx, principal, organisation_id)
    )


# ---- users -------------------------------------------------------------------------------------


@router.get(
    "/users",
    response_model=list[UserRead],
    dependencies=[require(Permission.USER_ADMIN)],
    summary="List staff accounts",
    operation_id="list_users",
    responses={403: _403},
)
def list_users(
    ctx: Context,
    principal: CurrentPrincipal,
    role: Role | None = None,
    municipality_id: MunicipalityFilter = None,
) -> list[UserRead]:
    """Staff accounts by username, optionally only one role or one municipality's staff."""
    rows = service.list_users(ctx, principal, role=role, municipality_id=municipality_id)
    return [UserRead.model_validate(r) for r in rows]


@router.post(
    "/users",
    response_model=UserRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.USER_ADMIN)],
    summary="Create a staff account",
    operation_id="create_user",
    responses={403: _403, 409: _409},
)
def create_user(
    body: UserCreate, response: Response, ctx: Context, principal: CurrentPrincipal
) -> UserRead:
    """Creates an active account with an initial password (at least 12 characters).

    Organisation rules (422 otherwise): mentor, lead_mentor and unit_manager need a
    `municipality_id` that is a municipality (and may name one of its units as
    `organisation_id`); a referrer needs a referrer organisation as `organisation_id`;
    association_analyst and evaluator need an association. A taken username answers 409.
    The answer carries the account's `ETag`."""
    return _with_etag(response, service.create_user(ctx, principal, body))


@router.get(
    "/users/{user_id}",
    response_model=UserRead,
    dependencies=[require(Permission.USER_ADMIN)],
    summary="Get a staff account",
    operation_id="get_user",
    responses={403: _403, 404: _404},
)
def get_user(
    user_id: UserId, response: Response, ctx: Context, principal: CurrentPrincipal
) -> UserRead:
    """One account, with its `ETag` header for a later PATCH."""
    return _with_etag(response, service.get_user(ctx, principal, user_id))


@router.patch(
    "/users/{user_id}",
    response_model=UserRead,
    dependencies=[require(Permission.USER_ADMIN)],
    summary="Change a staff account",
    operation_id="update_user",
    responses={
        403: _403,
        404: _404,
        409: {"model": ErrorBody, "description": "Disabling your own account"},
        412: {"model": ErrorBody, "description": "The account changed since you read it"},
        428: {"model": ErrorBody, "description": "If-Match missing"},
    },
)
def update_user(
    user_id: UserId,
    body: UserUpdate,
    version: Annotated[int, Depends(expected_version)],
    response: Response,
    ctx: Context,
    principal: CurrentPrincipal,
) -> UserRead:
    """Changes the display name, sets a new password, or disables/enables the account. Send
    `If-Match` with the ETag you read (428 without it, 412 if the account changed meanwhile).

    A new password or disabling ends every login of the account (refresh tokens are revoked);
    a disabled account's access tokens stop working at once."""
    return _with_etag(
        response, service.update_user(ctx, principal, user_id, body, expected_version=version)
    )


# ---- integration clients -------------------------------------------------------------------------


@router.get(
    "/integration-clients",
    response_model=list[IntegrationClientRead],
    dependencies=[require(Permission.INTEGRATION_CLIENT_ADMIN)],
    summary="List integration clients",
    operation_id="list_integration_clients",
    responses={403: _403},
)
def list_integration_clients(
    ctx: Context, principal: CurrentPrincipal
) -> list[IntegrationClientRead]:
    """Municipal systems that log in with client credentials. Secrets are never shown again."""
    rows = service.list_integration_clients(ctx, principal)
    return [IntegrationClientRead.model_validate(r) for r in rows]


@router.post(
    "/integration-clients",
    response_model=IntegrationClientCreated,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.INTEGRATION_CLIENT_ADMIN)],
    summary="Create an integration client",
    operation_id="create_integration_client",
    responses={403: _403},
)
def create_integration_client(
    body: IntegrationClientCreate,
    response: Response,
    ctx: Context,
    principal: CurrentPrincipal,
) -> IntegrationClientCreated:
    """Creates a client acting for one municipality with the listed permissions (each must be
    grantable to integration clients, else 422). The answer holds the generated `client_id`
    and `client_secret`; the secret is shown only here, so hand it over now. A lost secret
    means creating a new client and disabling the old one."""
    created = service.create_integration_client(ctx, principal, body)
    response.headers["Cache-Control"] = "no-store"
    return IntegrationClientCreated.model_validate(
        {
            **IntegrationClientRead.model_validate(created.row).model_dump(),
            "client_secret": created.client_secret,
        }
    )


@router.patch(
    "/integration-clients/{integration_client_id}",
    response_model=IntegrationClientRead,
    dependencies=[require(Permission.INTEGRATION_CLIENT_ADMIN)],
    summary="Enable or disable an integration client",
    operation_id="update_integration_client",
    responses={403: _403, 404: _404},
)
def update_integration_client(
    integration_client_id: IntegrationClientId,
    body: IntegrationClientUpdate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> IntegrationClientRead:
    """`{"is_active": false}` stops the client at its next request (its tokens are refused)."""
    return IntegrationClientRead.model_validate(
        service.update_integration_client(ctx, principal, integration_client_id, body)
    )
