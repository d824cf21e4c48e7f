"""Enrolments: rows <-> the domain `Enrolment`, whose history is the transition rows."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache
from typing import Any

from sqlalchemy import Connection, Result, Select, bindparam, func, insert, select
from sqlalchemy.orm import Session

from api.persistence.models import (
    EnrolmentRow,
    MentorAssignmentRow,
    ParticipantRow,
    TransitionRow,
    UserRow,
)
from api.persistence.repositories.id_lists import among_codes
from api.persistence.repositories.journey_schedules import sync_schedules
from api.persistence.repositories.scope_filters import (
    enrolment_visible,
    participant_condition,
    scope_params,
)
from api.security.principal import Principal, Scope, ScopeKind
from domain.enrolment import (
    Enrolment,
    Outcome,
    OutcomeKind,
    PauseReason,
    StudiesKind,
    Transition,
    TransitionKind,
    replay,
)


@dataclass
class LoadedEnrolment:
    row: EnrolmentRow
    enrolment: Enrolment
    transitions: list[TransitionRow]


# What the domain needs of a stored transition, in `transition_from_columns`'s order. Bulk
# readers select these as Core rows instead of loading ORM objects.
DOMAIN_TRANSITION_COLUMNS = (
    TransitionRow.seq,
    TransitionRow.kind,
    TransitionRow.effective_on,
    TransitionRow.reason,
    TransitionRow.pause_reason,
    TransitionRow.exit_reason_code,
    TransitionRow.exit_status_code,
    TransitionRow.corrects_seq,
    TransitionRow.outcome_kind,
    TransitionRow.outcome_starts_on,
    TransitionRow.outcome_subsidised,
    TransitionRow.outcome_extent_percent,
    TransitionRow.outcome_studies_kind,
)


# Stored value -> member by dict: `TransitionKind(value)` goes through EnumMeta.__call__,
# which showed in export profiles at tens of thousands of transitions per page run.
_KINDS = {k.value: k for k in TransitionKind}


def to_domain_transition(r: TransitionRow) -> Transition:
    return transition_from_columns(*(getattr(r, c.key) for c in DOMAIN_TRANSITION_COLUMNS))


def transition_from_columns(
    seq: int,
    kind: str,
    effective_on: date,
    reason: str | None,
    pause_reason: str | None,
    exit_reason_code: str | None,
    exit_status_code: str | None,
    corrects_seq: int | None,
    outcome_kind: str | None,
    outcome_starts_on: date | None,
    outcome_subsidised: bool | None,
    outcome_extent_percent: int | None,
    outcome_studies_kind: str | None,
) -> Transition:
    """A transition from the values of `DOMAIN_TRANSITION_COLUMNS`, in that order. Bulk
    readers unpack Core rows into it: by-name access on a Row costs more than the rest."""
    outcome = None
    if outcome_kind is not None and outcome_starts_on is not None:
        outcome = Outcome(
            kind=OutcomeKind(outcome_kind),
            starts_on=outcome_starts_on,
            subsidised=outcome_subsidised,
            extent_percent=outcome_extent_percent,
            studies_kind=StudiesKind(outcome_studies_kind) if outcome_studies_kind else None,
        )
    return Transition(
        seq=seq,
        kind=_KINDS[kind],
        effective_on=effective_on,
        reason=reason,
        outcome=outcome,
        pause_reason=PauseReason(pause_reason) if pause_reason else None,
        exit_reason_code=exit_reason_code,
        exit_status_code=exit_status_code,
        corrects_seq=corrects_seq,
    )


def _transition_values(
    enrolment_id: int, t: Transition, actor: Principal, at: datetime
) -> dict[str, object]:
    o = t.outcome
    return {
        "enrolment_id": enrolment_id,
        "seq": t.seq,
        "kind": t.kind.value,
        "effective_on": t.effective_on,
        "recorded_at": at,
        "actor_user_id": actor.user_id,
        "actor_client_id": actor.client_id,
        "reason": t.reason,
        "pause_reason": t.pause_reason.value if t.pause_reason else None,
        "exit_reason_code": t.exit_reason_code,
        "exit_status_code": t.exit_status_code,
        "corrects_seq": t.corrects_seq,
        "outcome_kind": o.kind.value if o else None,
        "outcome_starts_on": o.starts_on if o else None,
        "outcome_subsidised": o.subsidised if o else None,
        "outcome_extent_percent": o.extent_percent if o else None,
        "outcome_studies_kind": o.studies_kind.value if o and o.studies_kind else None,
    }


def project(row: EnrolmentRow, e: Enrolment) -> None:
    """Copy the replayed facts onto the row so lists and statistics can query them."""
    row.state = e.state.value
    row.step = e.step
    row.highest_step = e.highest_step
    assert e.referred_on is not None
    row.referred_on = e.referred_on
    row.started_on = e.started_on
    row.ended_on = e.ended_on
    row.step_entered_on = e.step_entered_on
    row.outcome_kind = e.outcome.kind.value if e.outcome else None
    row.exit_reason_code = e.exit_reason_code
    row.exit_status_code = e.exit_status_code


class EnrolmentRepository:
    def __init__(self, session: Session, scope: Scope) -> None:
        self._session = session
        self._scope = scope

    def _visible(self) -> Select[EnrolmentRow]:
        return (
            select(EnrolmentRow)
            .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
            .where(enrolment_visible(self._scope))
        )

    def get(self, enrolment_id: int, *, for_update: bool = False) -> LoadedEnrolment | None:
        """`for_update` locks the enrolment row (PostgreSQL) so a concurrent command waits and
        then sees the new version; SQLite writers are already serialised by BEGIN IMMEDIATE."""
        stmt = self._visible().where(EnrolmentRow.id == enrolment_id)
        if for_update:
            stmt = stmt.with_for_update(of=EnrolmentRow)
        row = self._session.execute(stmt).scalar_one_or_none()
        if row is None:
            return None
        return self._load(row)

    def _load(self, row: EnrolmentRow) -> LoadedEnrolment:
        transitions = list(
            self._session.execute(
                select(TransitionRow)
                .where(TransitionRow.enrolment_id == row.id)
                .order_by(TransitionRow.seq)
            ).scalars()
        )
        history = tuple(to_domain_transition(t) for t in transitions)
        return LoadedEnrolment(row, replay(row.programme_code, history), transitions)

    def for_participant(self, participant_id: int) -> list[LoadedEnrolment]:
        rows = self._session.execute(
            self._visible()
            .where(EnrolmentRow.participant_id == participant_id)
            .order_by(EnrolmentRow.referred_on.desc(), EnrolmentRow.id.desc())
        ).scalars()
        return [self._load(r) for r in rows]

    def latest_for_participants(self, participant_ids: Sequence[int]) -> dict[int, EnrolmentRow]:
        """Each participant's most recent enrolment (by referral date, then id)."""
        if not participant_ids:
            return {}
        rows = self._session.execute(
            self._visible()
            .where(EnrolmentRow.participant_id.in_(participant_ids))
            .order_by(EnrolmentRow.referred_on, EnrolmentRow.id)
        ).scalars()
        return {r.participant_id: r for r in rows}

    def add(
        self, row: EnrolmentRow, enrolment: Enrolment, actor: Principal, at: datetime
    ) -> LoadedEnrolment:
        project(row, enrolment)
        self._session.add(row)
        self._session.flush()
        return self.save(LoadedEnrolment(row, enrolment, []), enrolment, actor, at)

    def save(
        self, loaded: LoadedEnrolment, new: Enrolment, actor: Principal, at: datetime
    ) -> LoadedEnrolment:
        """Append the transitions `new` has beyond what is stored; never touch stored ones."""
        stored = len(loaded.transitions)
        if new.history[:stored] != tuple(to_domain_transition(t) for t in loaded.transitions):
            raise AssertionError("history may only be extended")
        fresh = new.history[stored:]
        if fresh:
            self._session.execute(
                insert(TransitionRow),
                [_transition_values(loaded.row.id, t, actor, at) for t in fresh],
            )
        project(loaded.row, new)
        loaded.row.updated_at = at
        self._session.flush()  # the version check fires here on a concurrent change
        if fresh:
            sync_schedules(self._session, loaded.row, new)
        return self._load(loaded.row)

    def assign_mentor(
        self,
        row: EnrolmentRow,
        mentor_id: int,
        *,
        on: date,
        reason: str | None,
        by_user_id: int | None,
        at: datetime,
    ) -> None:
        current = (
            self._session.execute(
                select(MentorAssignmentRow).where(
                    MentorAssignmentRow.enrolment_id == row.id,
                    MentorAssignmentRow.ended_on.is_(None),
                )
            )
            .scalars()
            .all()
        )
        for a in current:
            a.ended_on = on
        self._session.add(
            MentorAssignmentRow(
                enrolment_id=row.id,
                mentor_id=mentor_id,
                assigned_on=on,
                reason=reason,
                assigned_by_user_id=by_user_id,
                recorded_at=at,
            )
        )
        row.mentor_id = mentor_id
        row.updated_at = at

    def mentor_history(self, enrolment_id: int) -> list[MentorAssignmentRow]:
        return list(
            self._session.execute(
                select(MentorAssignmentRow)
                .where(MentorAssignmentRow.enrolment_id == enrolment_id)
                .order_by(MentorAssignmentRow.assigned_on, MentorAssignmentRow.id)
            ).scalars()
        )


@dataclass(frozen=True)
class CaseloadLine:
    enrolment_id: int
    participant_id: int
    first_name: str
    last_name: str
    personnummer: str
    programme_code: str
    state: str
    step: int | None
    step_entered_on: date | None
    referred_on: date
    started_on: date | None
    version: int


OPEN_STATES = ("referred", "intake", "active", "paused")


@cache
def _caseload_statement(kind: ScopeKind, has_user: bool) -> Select[*tuple[Any, ...]]:
    """Built once per scope shape: constructing it costs more than running it."""
    e, p = EnrolmentRow, ParticipantRow
    scope_condition = participant_condition(kind, has_user)
    return (
        select(
            e.id.label("enrolment_id"),
            e.participant_id,
            p.first_name,
            p.last_name,
            p.personnummer,
            e.programme_code,
            e.state,
            e.step,
            e.step_entered_on,
            e.referred_on,
            e.started_on,
            e.version,
        )
        .join(p, p.id == e.participant_id)
        .where(
            e.mentor_id == bindparam("caseload_mentor_id"),
            among_codes(e.state, OPEN_STATES),
            scope_condition,
        )
        .order_by(p.search_name, e.id)
    )


def caseload_lines(connection: Connection, scope: Scope, mentor_id: int) -> list[CaseloadLine]:
    """One query for the mentor's start screen: open enrolments joined with their people.

    Takes a Core connection (`Database.read_connection()`, or a session's connection): this
    plain column select needs nothing of the ORM, whose layer cost more than the query."""
    return [CaseloadLine(*row) for row in _caseload_rows(connection, scope, mentor_id)]


def _caseload_rows(
    connection: Connection, scope: Scope, mentor_id: int
) -> Result[*tuple[Any, ...]]:
    stmt = _caseload_statement(scope.kind, scope.user_id is not None)
    params = {**scope_params(scope), "caseload_mentor_id": mentor_id}
    return connection.execute(stmt, params)


def referral_lines(
    session: Session, scope: Scope, *, after_id: int | None, limit: int
) -> list[tuple[EnrolmentRow, ParticipantRow]]:
    stmt = (
        select(EnrolmentRow, ParticipantRow)
        .join(ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id)
        .where(enrolment_visible(scope))
        .order_by(EnrolmentRow.id.desc())
        .limit(limit)
    )
    if after_id is not None:
        stmt = stmt.where(EnrolmentRow.id < after_id)
    return [(en, pa) for en, pa in session.execute(stmt)]


@dataclass(frozen=True)
class MentorLoad:
    mentor_id: int
    display_name: str
    role: str
    is_active: bool
    open_enrolments: int
    by_step: dict[int, int]


def mentor_loads(session: Session, municipality_id: int) -> list[MentorLoad]:
    """Mentors of a municipality with their open caseload per step (counts only, no people)."""
    users = session.execute(
        select(UserRow.id, UserRow.display_name, UserRow.role, UserRow.is_active)
        .where(
            UserRow.municipality_id == municipality_id, UserRow.role.in_(("mentor", "lead_mentor"))
        )
        .order_by(UserRow.display_name)
    ).all()
    counts: dict[int, dict[int, int]] = {}
    for mentor_id, step, n in session.execute(
        select(EnrolmentRow.mentor_id, EnrolmentRow.step, func.count())
        .where(
            EnrolmentRow.municipality_id == municipality_id,
            EnrolmentRow.state.in_(OPEN_STATES),
            EnrolmentRow.mentor_id.is_not(None),
        )
        .group_by(EnrolmentRow.mentor_id, EnrolmentRow.step)
    ):
        # Referred/intake enrolments have no step yet; they count under step 0.
        if mentor_id is not None:
            counts.setdefault(mentor_id, {})[step or 0] = n
    return [
        MentorLoad(
            uid,
            name,
            role,
            active,
            sum(counts.get(uid, {}).values()),
            dict(sorted(counts.get(uid, {}).items())),
        )
        for uid, name, role, active in users
    ]
