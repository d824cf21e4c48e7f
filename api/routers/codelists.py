"""Reference data: versioned code lists and the built-in programmes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.codelists import (
    CodeListRead,
    CodeListVersionCreate,
    ProgrammeRead,
    ReferrerOrganisationList,
    ReferrerOrganisationRead,
)
from api.security.permissions import Permission
from api.services import codelists as service
from domain.codelists import CodeListName

router = APIRouter(prefix="/api/v1", tags=["reference data"], dependencies=[Depends(authenticated)])

_403 = {"model": ErrorBody, "description": "Your role lacks the permission"}


@router.get(
    "/code-lists",
    response_model=list[CodeListRead],
    dependencies=[require(Permission.CODE_LIST_READ)],
    summary="List the current version of every code list",
    operation_id="list_code_lists",
    responses={403: _403},
)
def list_code_lists(ctx: Context, principal: CurrentPrincipal) -> list[CodeListRead]:
    """The current version of each code list (exit reasons, exit statuses, benefits, activity
    types, referrer types, education levels). Records store codes; labels and the statistics
    meaning of a code (`outcome_group`, `continues_in_regular_operations`,
    `excluded_from_statistics`) come from here. Entries are sorted by `sort_order`."""
    return [CodeListRead.model_validate(c) for c in service.list_code_lists(ctx, principal)]


@router.get(
    "/code-lists/{list_name}",
    response_model=CodeListRead,
    dependencies=[require(Permission.CODE_LIST_READ)],
    summary="Get one code list",
    operation_id="get_code_list",
    responses={403: _403, 404: {"model": ErrorBody, "description": "No such version"}},
)
def get_code_list(
    list_name: CodeListName,
    ctx: Context,
    principal: CurrentPrincipal,
    version: Annotated[
        int | None, Query(ge=1, le=2**31 - 1, description="A past version; default current")
    ] = None,
) -> CodeListRead:
    """One code list, in its current version or, with `?version=N`, as it was published in
    version N (to interpret codes recorded under an older version)."""
    return CodeListRead.model_validate(service.get_code_list(ctx, principal, list_name, version))


@router.post(
    "/code-lists/{list_name}/versions",
    response_model=CodeListRead,
    status_code=status.HTTP_201_CREATED,
    dependencies=[require(Permission.CODE_LIST_PUBLISH)],
    summary="Publish a new version of a code list",
    operation_id="publish_code_list_version",
    responses={403: _403, 409: {"model": ErrorBody, "description": "Published concurrently"}},
)
def publish_code_list_version(
    list_name: CodeListName,
    body: CodeListVersionCreate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> CodeListRead:
    """Replaces the list with a new version holding exactly the given entries (1–200). Older
    versions stay readable, and records keep the codes they were given.

    Rejected with 422: duplicate codes, `valid_to` before `valid_from`, an `outcome_group`
    missing on an exit_status entry or given on any other list, statistics flags outside
    exit_reason and exit_status."""
    return CodeListRead.model_validate(service.publish_code_list(ctx, principal, list_name, body))


@router.get(
    "/programmes",
    response_model=list[ProgrammeRead],
    dependencies=[require(Permission.PROGRAMME_READ)],
    summary="List the programmes",
    operation_id="list_programmes",
    responses={403: _403},
)
def list_programmes(ctx: Context, principal: CurrentPrincipal) -> list[ProgrammeRead]:
    """The built-in programmes (Level Up, Level Upgrade): their steps in order, the age range
    for entry, the support period after an outcome step, and the goals reports compare with
    (shares as decimals with 4 places, targets as counts)."""
    return [ProgrammeRead.from_domain(p) for p in service.list_programmes(ctx, principal)]


@router.get(
    "/referrer-organisations",
    response_model=ReferrerOrganisationList,
    dependencies=[require(Permission.ENROLMENT_REFER)],
    summary="Organisations a referral may come from",
    operation_id="list_referrer_organisations",
    responses={403: _403},
)
def list_referrer_organisations(
    ctx: Context, principal: CurrentPrincipal
) -> ReferrerOrganisationList:
    """The referrer organisations a referral may name (`referrer_organisation_id`): national
    ones such as Arbetsförmedlingen and Försäkringskassan, and those belonging to the caller's
    own municipality (its socialtjänst). Another municipality's organisations are not listed.
    Sorted by name."""
    rows = service.list_referrer_organisations(ctx, principal)
    return ReferrerOrganisationList(
        items=[ReferrerOrganisationRead.model_validate(row) for row in rows]
    )
