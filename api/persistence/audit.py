"""Append-only, hash-chained access log (DOMAIN.md §9, SECURITY.md "Audit log").

There is deliberately no update or delete path here. Each entry's hash covers its content and
the previous entry's hash; `verify_chain` recomputes the whole chain. Appends lock the single
chain-head row, which serialises concurrent appenders on PostgreSQL (SQLite writers are already
serialised by BEGIN IMMEDIATE), so the chain never forks.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, cast

from sqlalchemy import (
    JSON,
    BigInteger,
    DateTime,
    Integer,
    Table,
    Text,
    bindparam,
    func,
    insert,
    select,
    update,
)
from sqlalchemy import cast as sql_cast
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.dialects.sqlite import dialect as sqlite_dialect
from sqlalchemy.orm import Session

from api.persistence.models import AuditChainHeadRow, AuditEntryRow, AuditSubjectRow
from api.security.principal import ActorKind, Principal

GENESIS_HASH = "0" * 64
CHAIN_HEAD_ID = 1


@dataclass(frozen=True)
class AuditEvent:
    action: str
    participant_ids: Sequence[int] = ()
    entity_type: str | None = None
    entity_id: int | None = None
    purpose: str | None = None
    # Ids, codes and field names only: never names, personnummer or free text.
    detail: dict[str, Any] = field(default_factory=dict)


def _digest(
    prev_hash: str,
    occurred_at: datetime,
    actor_kind: str,
    actor_id: int | None,
    actor_role: str | None,
    event: AuditEvent,
    subjects: list[int],
) -> str:
    payload = {
        "prev": prev_hash,
        "at": occurred_at.isoformat(),
        "actor": [actor_kind, actor_id, actor_role],
        "action": event.action,
        "entity": [event.entity_type, event.entity_id],
        "purpose": event.purpose,
        "detail": event.detail,
        "subjects": subjects,
    }
    canonical = json.dumps(payload, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


_ENTRIES = cast(Table, AuditEntryRow.__table__)
_SUBJECTS = cast(Table, AuditSubjectRow.__table__)
_HEAD = cast(Table, AuditChainHeadRow.__table__)
# Built once: Core statements with bound parameters, because building them per request costs
# more than executing them (audit append was ~20 % of a caseload read in the benchmark).
_READ_HEAD = select(_HEAD.c.last_hash).where(_HEAD.c.id == CHAIN_HEAD_ID).with_for_update()
# sort_by_parameter_order: the ids come back in the order of the rows, which the subject rows
# depend on (a multi-row INSERT does not promise that otherwise).
_INSERT_ENTRIES = insert(_ENTRIES).returning(_ENTRIES.c.id, sort_by_parameter_order=True)
# SQLite: "INSERT INTO audit_subjects (audit_id, participant_id) VALUES (?, ?)", for the
# driver's executemany with (audit_id, participant_id) pairs.
_INSERT_SUBJECT_SQLITE = str(
    insert(_SUBJECTS)
    .values(audit_id=bindparam("audit_id"), participant_id=bindparam("participant_id"))
    .compile(dialect=sqlite_dialect())
)
# PostgreSQL: every subject row of a batch in one statement of fixed text with two array
# parameters. A multi-row VALUES list has a different text per row count and more than 50
# parameters, so psycopg re-parsed it on every batch (30 % of server CPU under caseload load);
# this text is parsed once, and can be prepared.
_SUBJECT_PAIRS = (
    func.unnest(
        sql_cast(bindparam("audit_ids"), ARRAY(BigInteger)),
        sql_cast(bindparam("participant_ids"), ARRAY(Integer)),
    )
    .table_valued("audit_id", "participant_id")
    .render_derived(name="pairs")
)
_INSERT_SUBJECTS_UNNEST = insert(_SUBJECTS).from_select(
    ["audit_id", "participant_id"],
    select(_SUBJECT_PAIRS.c.audit_id, _SUBJECT_PAIRS.c.participant_id),
)
# PostgreSQL: the entries of a batch the same way, one column array each, so that every batch
# size shares one prepared statement. SQLAlchemy's multi-row VALUES (with its ordering
# sentinel) had a new text for each batch size and over 50 parameters: psycopg parsed it anew
# on every read-audit batch (5 % of server CPU under task-list load) and never prepared it.
_ENTRY_COLUMNS = (
    "occurred_at",
    "actor_kind",
    "actor_id",
    "actor_role",
    "action",
    "entity_type",
    "entity_id",
    "purpose",
    "detail",
    "prev_hash",
    "row_hash",
)
_ENTRY_ARRAY_TYPES: dict[str, Any] = {
    "occurred_at": DateTime(timezone=True),
    "actor_id": Integer(),
    "entity_id": Integer(),
}
_ENTRY_ROWS = (
    func.unnest(
        *(
            sql_cast(bindparam(name), ARRAY(_ENTRY_ARRAY_TYPES.get(name, Text())))
            for name in _ENTRY_COLUMNS
        )
    )
    .table_valued(*_ENTRY_COLUMNS, with_ordinality="position")
    .render_derived(name="entries")
)
# Rows go in in chain order (ORDER BY position), so the sequence numbers them in that order;
# append_many still checks it, as verify_chain walks the chain by id. `detail` arrives as JSON
# text (None for no detail, stored as NULL).
_INSERT_ENTRIES_UNNEST = (
    insert(_ENTRIES)
    .from_select(
        list(_ENTRY_COLUMNS),
        select(
            *(
                sql_cast(_ENTRY_ROWS.c.detail, JSON) if name == "detail" else _ENTRY_ROWS.c[name]
                for name in _ENTRY_COLUMNS
            )
        ).order_by(_ENTRY_ROWS.c.position),
    )
    .returning(_ENTRIES.c.id, _ENTRIES.c.row_hash)
)
_MOVE_HEAD = (
    update(_HEAD).where(_HEAD.c.id == CHAIN_HEAD_ID).values(last_hash=bindparam("new_hash"))
)


@dataclass(frozen=True)
class PendingEntry:
    """One entry waiting to be appended: who did what, and when."""

    principal: Principal | None
    event: AuditEvent
    at: datetime


class AuditLog:
    def __init__(self, session: Session) -> None:
        self._session = session

    def append(self, principal: Principal | None, event: AuditEvent, *, at: datetime) -> int:
        return self.append_many([PendingEntry(principal, event, at)])[0]

    def append_many(self, entries: Sequence[PendingEntry]) -> list[int]:
        """Append in order; returns the new ids.

        A fixed number of statements however many entries: the chain head is locked and read
        once, every hash is computed here, and entries and subjects go in as one multi-row
        insert each. The read-audit group commit appends whole batches, and one statement per
        entry made that batch a long serial chain of round trips on PostgreSQL.
        """
        if not entries:
            return []
        prev_hash = self._session.execute(_READ_HEAD).scalar_one()
        rows: list[dict[str, Any]] = []
        subjects_per_entry: list[list[int]] = []
        for entry in entries:
            principal, event = entry.principal, entry.event
            actor_kind = principal.kind.value if principal else ActorKind.SYSTEM.value
            actor_id = principal.id if principal else None
            actor_role = principal.role.value if principal else None
            subjects = sorted(set(event.participant_ids))
            row_hash = _digest(
                prev_hash, entry.at, actor_kind, actor_id, actor_role, event, subjects
            )
            rows.append(
                {
                    "occurred_at": entry.at,
                    "actor_kind": actor_kind,
                    "actor_id": actor_id,
                    "actor_role": actor_role,
                    "action": event.action,
                    "entity_type": event.entity_type,
                    "entity_id": event.entity_id,
                    "purpose": event.purpose,
                    "detail": event.detail or None,
                    "prev_hash": prev_hash,
                    "row_hash": row_hash,
                }
            )
            subjects_per_entry.append(subjects)
            prev_hash = row_hash
        ids = self._insert_entries(rows)
        self._insert_subjects(
            [
                (audit_id, p)
                for audit_id, subjects in zip(ids, subjects_per_entry, strict=True)
                for p in subjects
            ]
        )
        self._session.execute(_MOVE_HEAD, {"new_hash": prev_hash})
        return [int(i) for i in ids]

    def _insert_entries(self, rows: list[dict[str, Any]]) -> list[int]:
        """The new ids, in the order of `rows` (the chain order)."""
        if self._session.get_bind().dialect.name != "postgresql":
            return list(self._session.execute(_INSERT_ENTRIES, rows).scalars())
        columns = {name: [row[name] for row in rows] for name in _ENTRY_COLUMNS}
        columns["detail"] = [json.dumps(d) if d is not None else None for d in columns["detail"]]
        id_of_hash = {
            row_hash: audit_id
            for audit_id, row_hash in self._session.execute(_INSERT_ENTRIES_UNNEST, columns)
        }
        ids = [int(id_of_hash[row["row_hash"]]) for row in rows]
        if ids != sorted(ids):
            # Never expected (the rows go in in order); failing the batch keeps the chain
            # verifiable, where a stored one out of id order would read as broken.
            raise RuntimeError("audit entries were numbered out of chain order")
        return ids

    def _insert_subjects(self, pairs: list[tuple[int, int]]) -> None:
        if not pairs:
            return
        if self._session.get_bind().dialect.name == "postgresql":
            audit_ids, participant_ids = zip(*pairs, strict=True)
            self._session.execute(
                _INSERT_SUBJECTS_UNNEST,
                {"audit_ids": list(audit_ids), "participant_ids": list(participant_ids)},
            )
        else:
            # The driver's executemany, which steps the one prepared statement in C: through
            # a Core insert SQLAlchemy built the parameters of every row in Python (9 % of a
            # caseload read on SQLite).
            self._session.connection().exec_driver_sql(_INSERT_SUBJECT_SQLITE, pairs)


@dataclass(frozen=True)
class ChainReport:
    entries: int
    first_broken_id: int | None

    @property
    def ok(self) -> bool:
        return self.first_broken_id is None


def verify_chain(session: Session, *, batch: int = 5000) -> ChainReport:
    """Recompute every hash in id order; report the first entry that does not match."""
    prev = GENESIS_HASH
    count = 0
    last_id = 0
    while True:
        rows: Iterable[AuditEntryRow] = (
            session.execute(
                select(AuditEntryRow)
                .where(AuditEntryRow.id > last_id)
                .order_by(AuditEntryRow.id)
                .limit(batch)
            )
            .scalars()
            .all()
        )
        rows = list(rows)
        if not rows:
            break
        ids = [r.id for r in rows]
        subjects: dict[int, list[int]] = {}
        for audit_id, participant_id in session.execute(
            select(AuditSubjectRow.audit_id, AuditSubjectRow.participant_id).where(
                AuditSubjectRow.audit_id.in_(ids)
            )
        ):
            subjects.setdefault(audit_id, []).append(participant_id)
        for r in rows:
            event = AuditEvent(
                action=r.action,
                entity_type=r.entity_type,
                entity_id=r.entity_id,
                purpose=r.purpose,
                detail=r.detail or {},
            )
            expected = _digest(
                prev,
                r.occurred_at,
                r.actor_kind,
                r.actor_id,
                r.actor_role,
                event,
                sorted(subjects.get(r.id, [])),
            )
            if r.prev_hash != prev or r.row_hash != expected:
                return ChainReport(count, r.id)
            prev = r.row_hash
            count += 1
        last_id = rows[-1].id
    head = session.get(AuditChainHeadRow, CHAIN_HEAD_ID)
    if head is not None and head.last_hash != prev:
        return ChainReport(count, last_id or 0)
    return ChainReport(count, None)
