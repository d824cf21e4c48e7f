"""ORM rows. One family of three (domain dataclasses, rows, API schemas); they never mix.

Schemas are built by the Alembic migrations, never by `create_all`; a test compares these models
with the migrated database so the two cannot drift.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite returns naive ones, which we re-tag as UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


# ---- organisations, users, clients -----------------------------------------------------------


class OrganisationRow(Base):
    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    # association | municipality | unit | referrer
    kind: Mapped[str] = mapped_column(String(20), index=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    # For referrer organisations: code in the referrer_type list (fk, af, socialtjanst …).
    referrer_type: Mapped[str | None] = mapped_column(String(40))
    # SCB municipality code for municipalities, e.g. 1495 for Skara.
    municipality_code: Mapped[str | None] = mapped_column(String(4))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class UserRow(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    username: Mapped[str] = mapped_column(String(100), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(40), index=True)
    # The municipality a municipal role works in (scope), the association for association
    # staff, the referrer organisation for referrers; admins may have none.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class IntegrationClientRow(Base):
    __tablename__ = "integration_clients"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    client_id: Mapped[str] = mapped_column(String(64), unique=True)
    name: Mapped[str] = mapped_column(String(200))
    secret_hash: Mapped[str] = mapped_column(String(200))
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # Space-separated permission names; always a subset of INTEGRATION_GRANTABLE.
    permissions: Mapped[str] = mapped_column(Text)
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())


class RefreshTokenRow(Base):
    __tablename__ = "refresh_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[str] = mapped_column(String(64), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    issued_at: Mapped[datetime] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


# ---- code lists ------------------------------------------------------------------------------


class CodeListVersionRow(Base):
    __tablename__ = "code_list_versions"
    __table_args__ = (UniqueConstraint("list_name", "version"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    list_name: Mapped[str] = mapped_column(String(40), index=True)
    version: Mapped[int] = mapped_column(Integer)
    label: Mapped[str] = mapped_column(String(200))
    published_at: Mapped[datetime] = mapped_column(UTCDateTime())
    published_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class CodeListEntryRow(Base):
    __tablename__ = "code_list_entries"
    __table_args__ = (UniqueConstraint("version_id", "code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("code_list_versions.id"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    label_sv: Mapped[str] = mapped_column(String(200))
    label_en: Mapped[str] = mapped_column(String(200))
    sort_order: Mapped[int] = mapped_column(Integer)
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    outcome_group: Mapped[str | None] = mapped_column(String(20))
    continues_in_regular_operations: Mapped[bool] = mapped_column(Boolean, default=False)
    excluded_from_statistics: Mapped[bool] = mapped_column(Boolean, default=False)


# ---- participants and enrolments ----------------------------------------------------------------


class ParticipantRow(Base):
    __tablename__ = "participants"
    __table_args__ = (UniqueConstraint("municipality_id", "personnummer"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    personnummer: Mapped[str] = mapped_column(String(12))
    first_name: Mapped[str] = mapped_column(String(100))
    last_name: Mapped[str] = mapped_column(String(100))
    # Lower-cased "first last" for name search that works the same on SQLite and PostgreSQL.
    search_name: Mapped[str] = mapped_column(String(201), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(254))
    address: Mapped[str | None] = mapped_column(String(300))
    gender: Mapped[str | None] = mapped_column(String(20))
    education_level: Mapped[str | None] = mapped_column(String(40))
    protected_identity: Mapped[bool] = mapped_column(Boolean, default=False)
    # A mentor sees the people they registered until an enrolment puts them in a caseload.
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class ProtectedIdentityGrantRow(Base):
    """The named users who may see a participant with protected identity (DOMAIN.md §9)."""

    __tablename__ = "protected_identity_grants"

    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), primary_key=True)
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime())
    granted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EnrolmentRow(Base):
    """Current facts are a projection of the transitions (domain `replay`), kept for queries."""

    __tablename__ = "enrolments"
    __table_args__ = (
        Index("ix_enrolments_mentor_state", "mentor_id", "state"),
        Index("ix_enrolments_municipality_state", "municipality_id", "state"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    participant_id: Mapped[int] = mapped_column(ForeignKey("participants.id"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    programme_code: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(20))
    step: Mapped[int | None] = mapped_column(Integer)
    highest_step: Mapped[int | None] = mapped_column(Integer)
    referred_on: Mapped[date] = mapped_column(Date)
    started_on: Mapped[date | None] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    step_entered_on: Mapped[date | None] = mapped_column(Date)
    outcome_kind: Mapped[str | None] = mapped_column(String(20))
    exit_reason_code: Mapped[str | None] = mapped_column(String(40))
    exit_status_code: Mapped[str | None] = mapped_column(String(40))
    referrer_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisations.id"), index=True
    )
    referrer_contact_name: Mapped[str | None] = mapped_column(String(200))
    referrer_contact_phone: Mapped[str | None] = mapped_column(String(40))
    referrer_contact_email: Mapped[str | None] = mapped_column(String(254))
    # The referrer user who may follow this enrolment's status (referrer role scope).
    referrer_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    benefit_at_start: Mapped[str | None] = mapped_column(String(40))
    months_on_support_before_start: Mapped[int | None] = mapped_column(Integer)
    mentor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime())
    version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": version}  # noqa: RUF012


class TransitionRow(Base):
    """Append-only: the code has no UPDATE or DELETE path for these rows."""

    __tablename__ = "enrolment_transitions"
    __table_args__ = (UniqueConstraint("enrolment_id", "seq"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    seq: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))
    effective_on: Mapped[date] = mapped_column(Date)
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_client_id: Mapped[int | None] = mapped_column(ForeignKey("integration_clients.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    pause_reason: Mapped[str | None] = mapped_column(String(20))
    exit_reason_code: Mapped[str | None] = mapped_column(String(40))
    exit_status_code: Mapped[str | None] = mapped_column(String(40))
    corrects_seq: Mapped[int | None] = mapped_column(Integer)
    outcome_kind: Mapped[str | None] = mapped_column(String(20))
    outcome_starts_on: Mapped[date | None] = mapped_column(Date)
    outcome_subsidised: Mapped[bool | None] = mapped_column(Boolean)
    outcome_extent_percent: Mapped[int | None] = mapped_column(Integer)
    outcome_studies_kind: Mapped[str | None] = mapped_column(String(20))


class MentorAssignmentRow(Base):
    __tablename__ = "mentor_assignments"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    enrolment_id: Mapped[int] = mapped_column(ForeignKey("enrolments.id"), index=True)
    mentor_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    assigned_on: Mapped[date] = mapped_column(Date)
    ended_on: Mapped[date | None] = mapped_column(Date)
    reason: Mapped[str | None] = mapped_column(String(500))
    assigned_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime())


# ---- audit ----------------------------------------------------------------------------------


class AuditEntryRow(Base):
    """Append-only access log; each row's hash covers the previous row's hash (a chain)."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"), primary_key=True)
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    actor_kind: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(Integer)
    actor_role: Mapped[str | None] = mapped_column(String(40))
    action: Mapped[str] = mapped_column(String(60))
    entity_type: Mapped[str | None] = mapped_column(String(40))
    entity_id: Mapped[int | None] = mapped_column(Integer)
    purpose: Mapped[str | None] = mapped_column(String(500))
    # Ids, field names and codes only: never names, personnummer or free text.
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    row_hash: Mapped[str] = mapped_column(String(64), unique=True)


class AuditSubjectRow(Base):
    """Which people an audit entry concerns, so "who read my record?" is one indexed query."""

    __tablename__ = "audit_subjects"

    audit_id: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), ForeignKey("audit_log.id"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(Integer, primary_key=True, index=True)


class AuditChainHeadRow(Base):
    """One row holding the newest hash; locking it serialises appends on PostgreSQL."""

    __tablename__ = "audit_chain_head"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_hash: Mapped[str] = mapped_column(String(64))
