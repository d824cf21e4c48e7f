"""The consent ledger per participant and purpose."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, status

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.consents import (
    ConsentEntryCreate,
    ConsentEntryRead,
    ConsentLedgerRead,
    ConsentPurposeState,
)
from api.security.permissions import Permission as P
from api.services import consents as service
from domain.consent import PURPOSE_LABELS

router = APIRouter(prefix="/api/v1", tags=["consents"], dependencies=[Depends(authenticated)])

ParticipantId = Annotated[int, Path(ge=1, le=2**31 - 1)]
_E = {"model": ErrorBody}
Responses = dict[int | str, dict[str, Any]]
FORBIDDEN: Responses = {403: {**_E, "description": "Your role lacks the permission"}}
NOT_FOUND: Responses = {404: {**_E, "description": "No such participant in your scope"}}


@router.get(
    "/participants/{participant_id}/consents",
    response_model=ConsentLedgerRead,
    summary="The participant's consents",
    operation_id="list_consents",
    dependencies=[require(P.CONSENT_READ)],
    responses={**FORBIDDEN, **NOT_FOUND},
)
def list_consents(
    participant_id: ParticipantId, ctx: Context, principal: CurrentPrincipal
) -> ConsentLedgerRead:
    """Every purpose (information exchange with the referrer, SUS registration, evaluation,
    follow-up contact after exit) with whether consent holds today and its latest period, and
    the full ledger of givings and withdrawals in recording order. The read is written to the
    access log."""
    view = service.list_consents(ctx, principal, participant_id)
    return ConsentLedgerRead(
        participant_id=view.participant_id,
        purposes=[
            ConsentPurposeState(
                purpose=s.purpose,
                label_sv=PURPOSE_LABELS[s.purpose][0],
                label_en=PURPOSE_LABELS[s.purpose][1],
                held=s.held,
                given_on=s.given_on,
                withdrawn_on=s.withdrawn_on,
            )
            for s in view.purposes
        ],
        entries=[ConsentEntryRead.model_validate(r) for r in view.entries],
    )


@router.post(
    "/participants/{participant_id}/consents",
    status_code=status.HTTP_201_CREATED,
    response_model=ConsentEntryRead,
    summary="Record that consent was given or withdrawn",
    operation_id="record_consent",
    dependencies=[require(P.CONSENT_RECORD)],
    responses={
        **FORBIDDEN,
        **NOT_FOUND,
        409: {
            **_E,
            "description": "Consent already given, or nothing to withdraw, for this purpose",
        },
        422: {
            **_E,
            "description": "Future date, date before the purpose's previous entry, unknown "
            "purpose, or form reference missing when consent is given",
        },
    },
)
def record_consent(
    participant_id: ParticipantId,
    data: ConsentEntryCreate,
    ctx: Context,
    principal: CurrentPrincipal,
) -> ConsentEntryRead:
    """Appends one entry to the ledger; entries are never edited. A withdrawal counts from its
    own date: from then on the referrer no longer sees the person's status, follow-up contact
    is not permitted, and evaluation exports leave the person out (per purpose)."""
    row = service.record(ctx, principal, participant_id, data)
    return ConsentEntryRead.model_validate(row)
