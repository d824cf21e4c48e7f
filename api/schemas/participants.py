"""Participant models. Responses carry the masked personnummer; the full one only via reveal."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from pydantic import Field

from api.schemas.base import (
    Code,
    Cursor,
    Email,
    Id,
    Limit,
    Name,
    Phone,
    Reason,
    RequestModel,
    ResponseModel,
)
from api.schemas.enrolments import EnrolmentSummary
from domain.enrolment import EnrolmentState
from domain.personnummer import LegalSex


class Gender(StrEnum):
    """Self-reported gender (optional), separate from legal sex derived from personnummer."""

    WOMAN = "woman"
    MAN = "man"
    NON_BINARY = "non_binary"
    NOT_STATED = "not_stated"


class ParticipantCreate(RequestModel):
    personnummer: str = Field(
        max_length=20,
        description="Personnummer or samordningsnummer, 10 or 12 digits with or without - / +",
        examples=["19990101-9985"],
    )
    first_name: Name
    last_name: Name
    phone: Phone | None = None
    email: Email | None = None
    address: str | None = Field(default=None, max_length=300)
    gender: Gender | None = None
    education_level: Code | None = Field(default=None, description="Code from education_level")
    protected_identity: bool = False


class ParticipantUpdate(RequestModel):
    """Plain fields only; identity, municipality and case state cannot be changed here."""

    first_name: Name | None = None
    last_name: Name | None = None
    phone: Phone | None = None
    email: Email | None = None
    address: str | None = Field(default=None, max_length=300)
    gender: Gender | None = None
    education_level: Code | None = None


class ParticipantSearch(RequestModel):
    """Search by body so names and personnummer never appear in URLs or access logs."""

    name: str | None = Field(default=None, min_length=1, max_length=100)
    personnummer: str | None = Field(default=None, max_length=20)
    state: EnrolmentState | None = None
    level: int | None = Field(default=None, ge=1, le=20)
    mentor_id: Id | None = None
    cursor: Cursor | None = None
    limit: Limit = 25


class RevealRequest(RequestModel):
    reason: Reason = Field(description="Why the full number is needed; stored in the access log")


class RevealRead(ResponseModel):
    personnummer: str = Field(description="YYYYMMDD-NNNC")


class ParticipantListItem(ResponseModel):
    id: int
    first_name: str
    last_name: str
    personnummer_masked: str
    legal_sex: LegalSex
    birth_year: int
    current_enrolment: EnrolmentSummary | None


class ParticipantPage(ResponseModel):
    items: list[ParticipantListItem]
    next_cursor: str | None


class ParticipantRead(ResponseModel):
    id: int
    municipality_id: int
    municipality_name: str = Field(description="The municipality the record belongs to")
    personnummer_masked: str
    is_coordination_number: bool
    legal_sex: LegalSex
    birth_date: date
    age: int
    first_name: str
    last_name: str
    phone: str | None
    email: str | None
    address: str | None
    gender: Gender | None
    education_level: str | None
    protected_identity: bool
    created_at: datetime
    updated_at: datetime
    version: int
    enrolments: list[EnrolmentSummary]


class AccessLogEntry(ResponseModel):
    id: int
    occurred_at: datetime
    actor_kind: str
    actor_id: int | None
    actor_role: str | None
    actor_name: str | None
    action: str
    entity_type: str | None
    entity_id: int | None
    purpose: str | None


class AccessLogPage(ResponseModel):
    items: list[AccessLogEntry]
    next_cursor: str | None
