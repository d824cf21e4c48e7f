"""Participants: register, find, read, change plain fields, reveal personnummer, access log."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Path, Query, Response, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.presenters import (
    access_log_entry,
    enrolment_read,
    etag,
    participant_list_item,
    participant_read,
)
from api.routers.preconditions import expected_version
from api.schemas.base import Cursor, Limit
from api.schemas.enrolments import EnrolmentCreate, EnrolmentRead
from api.schemas.participants import (
    AccessLogPage,
    ParticipantCreate,
    ParticipantPage,
    ParticipantRead,
    ParticipantSearch,
    ParticipantUpdate,
    RevealRead,
    RevealRequest,
)
from api.security.permissions import Permission as P
from api.services import enrolments as enrolment_service
from api.services import participants as service
from domain.enrolment import EnrolmentState

router = APIRouter(
    prefix="/api/v1/participants", tags=["participants"], dependencies=[Depends(authenticated)]
)

ParticipantId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
Responses = dict[int | str, dict[str, Any]]
NOT_FOUND: Responses = {404: {**_E, "description": "No such participant in your scope"}}
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ParticipantRead,
    summary="Register a participant",
    operation_id="create_participant",
    dependencies=[require(P.PARTICIPANT_CREATE)],
    responses={
        **FORBIDDEN,
        409: {**_E, "description": "Personnummer already registered in the municipality"},
    },
)
def create_participant(
    data: ParticipantCreate, ctx: Context, principal: CurrentPrincipal, response: Response
) -> ParticipantRead:
    """Registers a person in the caller's municipality. The personnummer (or samordningsnummer)
    is validated (date, check digit, birth number) and normalised to 12 digits; legal sex and
    birth date are derived from it, never typed."""
    view = service.create_participant(ctx, principal, data)
    response.headers["ETag"] = etag(view.row.version)
    return participant_read(view, ctx.clock.today())


@router.get(
    "",
    response_model=ParticipantPage,
    summary="List participants",
    operation_id="list_participants",
    dependencies=[require(P.PARTICIPANT_READ)],
    responses=FORBIDDEN,
)
def list_participants(
    ctx: Context,
    principal: CurrentPrincipal,
    state: EnrolmentState | None = None,
    level: Annotated[int | None, Query(ge=1, le=20)] = None,
    mentor_id: Annotated[int | None, Query(ge=1, le=2**31 - 1)] = None,
    cursor: Cursor | None = None,
    limit: Limit = 25,
) -> ParticipantPage:
    """Participants in your scope, ordered by name, with their latest enrolment. Filters that
    identify a person (name, personnummer) are only accepted by `POST /participants/search`,
    so that they never end up in URLs and server logs."""
    query = ParticipantSearch(
        state=state, level=level, mentor_id=mentor_id, cursor=cursor, limit=limit
    )
    return _page(ctx, principal, query)


@router.post(
    "/search",
    response_model=ParticipantPage,
    summary="Search participants",
    operation_id="search_participants",
    dependencies=[require(P.PARTICIPANT_READ)],
    responses=FORBIDDEN,
)
def search_participants(
    query: ParticipantSearch, ctx: Context, principal: CurrentPrincipal
) -> ParticipantPage:
    """Search by part of the name, exact personnummer, state, level or mentor, in your scope."""
    return _page(ctx, principal, query)


def _page(ctx: Context, principal: CurrentPrincipal, query: ParticipantSearch) -> ParticipantPage:
    result = service.find_participants(ctx, principal, query)
    return ParticipantPage(
        items=[participant_list_item(r, result.latest.get(r.id)) for r in result.rows],
        next_cursor=result.next_cursor,
    )


@router.get(
    "/{participant_id}",
    response_model=ParticipantRead,
    summary="Read a participant",
    operation_id="get_participant",
    dependencies=[require(P.PARTICIPANT_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def get_participant(
    participant_id: ParticipantId, ctx: Context, principal: CurrentPrincipal, response: Response
) -> ParticipantRead:
    """The participant's record with a masked personnummer. The read is written to the access
    log."""
    view = service.get_participant(ctx, principal, participant_id)
    response.headers["ETag"] = etag(view.row.version)
    return participant_read(view, ctx.clock.today())


@router.patch(
    "/{participant_id}",
    response_model=ParticipantRead,
    summary="Change a participant's plain fields",
    operation_id="update_participant",
    dependencies=[require(P.PARTICIPANT_UPDATE)],
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        412: {**_E, "description": "Stale If-Match"},
        428: {**_E, "description": "If-Match missing"},
    },
)
def update_participant(
    participant_id: ParticipantId,
    data: ParticipantUpdate,
    ctx: Context,
    principal: CurrentPrincipal,
    response: Response,
    version: Annotated[int, Depends(expected_version)],
) -> ParticipantRead:
    """Contact data, names, self-reported gender and education. Identity, municipality and case
    state cannot be changed here. Requires `If-Match`."""
    view = service.update_participant(
        ctx, principal, participant_id, data, expected_version=version
    )
    response.headers["ETag"] = etag(view.row.version)
    return participant_read(view, ctx.clock.today())


@router.post(
    "/{participant_id}/reveal-personnummer",
    response_model=RevealRead,
    summary="Reveal the full personnummer (logged)",
    operation_id="reveal_personnummer",
    dependencies=[require(P.PARTICIPANT_REVEAL_PERSONNUMMER)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def reveal_personnummer(
    participant_id: ParticipantId,
    data: RevealRequest,
    ctx: Context,
    principal: CurrentPrincipal,
    response: Response,
) -> RevealRead:
    """Returns the full number. Every reveal is written to the access log with its reason."""
    response.headers["Cache-Control"] = "no-store"
    pnr = service.reveal_personnummer(ctx, principal, participant_id, data.reason)
    return RevealRead(personnummer=pnr.formatted)


@router.get(
    "/{participant_id}/access-log",
    response_model=AccessLogPage,
    summary="Who read or changed this participant's data",
    operation_id="get_participant_access_log",
    dependencies=[require(P.ACCESS_LOG_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def get_access_log(
    participant_id: ParticipantId,
    ctx: Context,
    principal: CurrentPrincipal,
    cursor: Cursor | None = None,
    limit: Limit = 50,
) -> AccessLogPage:
    """Newest first: every read, change, reveal and export concerning the participant."""
    entries, next_cursor = service.access_log(
        ctx, principal, participant_id, cursor=cursor, limit=limit
    )
    return AccessLogPage(
        items=[access_log_entry(e, name) for e, name in entries], next_cursor=next_cursor
    )


@router.get(
    "/{participant_id}/enrolments",
    response_model=list[EnrolmentRead],
    summary="A participant's enrolments",
    operation_id="list_participant_enrolments",
    dependencies=[require(P.ENROLMENT_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def list_enrolments(
    participant_id: ParticipantId, ctx: Context, principal: CurrentPrincipal
) -> list[EnrolmentRead]:
    """All enrolments of the participant, newest first, each with its full history."""
    views = enrolment_service.list_for_participant(ctx, principal, participant_id)
    return [enrolment_read(v, ctx.clock.today()) for v in views]


@router.post(
    "/{participant_id}/enrolments",
    status_code=status.HTTP_201_CREATED,
    response_model=EnrolmentRead,
    summary="Register a referral",
    operation_id="create_referral",
    dependencies=[require(P.ENROLMENT_REFER)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def create_referral(
    participant_id: ParticipantId,
    data: Annotated[EnrolmentCreate, Body()],
    ctx: Context,
    principal: CurrentPrincipal,
    response: Response,
) -> EnrolmentRead:
    """Opens a new enrolment in state `referred`. A person who returns after an exit always
    gets a new enrolment. The programme's age range is checked on the referral date. A mentor
    who registers the referral becomes its mentor unless another is named."""
    view = enrolment_service.refer(ctx, principal, participant_id, data)
    response.headers["ETag"] = etag(view.loaded.row.version)
    response.headers["Location"] = f"/api/v1/enrolments/{view.loaded.row.id}"
    return enrolment_read(view, ctx.clock.today())
