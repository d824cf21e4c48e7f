"""Consent ledger models."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated

from pydantic import Field, StringConstraints

from api.schemas.base import RequestModel, ResponseModel
from domain.consent import MAX_FORM_REFERENCE_LENGTH, ConsentAction, ConsentPurpose

FormReference = Annotated[
    str, StringConstraints(min_length=1, max_length=MAX_FORM_REFERENCE_LENGTH)
]


class ConsentEntryCreate(RequestModel):
    purpose: ConsentPurpose
    action: ConsentAction
    effective_on: date = Field(
        description="The day the consent was given or withdrawn; today or earlier, not before "
        "the purpose's previous entry"
    )
    form_reference: FormReference | None = Field(
        default=None,
        description="Which signed form the consent is on (required when consent is given)",
        examples=["Samtyckesblankett 2026-03, arkiv AME"],
    )


class ConsentEntryRead(ResponseModel):
    id: int
    purpose: ConsentPurpose
    action: ConsentAction
    effective_on: date
    form_reference: str | None
    recorded_at: datetime
    recorded_by_user_id: int | None


class ConsentPurposeState(ResponseModel):
    purpose: ConsentPurpose
    label_sv: str
    label_en: str
    held: bool = Field(description="Consent for this purpose is in force today")
    given_on: date | None = Field(description="Start of the latest consent period")
    withdrawn_on: date | None = Field(description="End of the latest period, if withdrawn")


class ConsentLedgerRead(ResponseModel):
    participant_id: int
    purposes: list[ConsentPurposeState] = Field(description="Every purpose, always")
    entries: list[ConsentEntryRead] = Field(description="The ledger in recording order")
