"""Plan revisions and resource-group members: rows <-> `domain.plans`.

These repositories take ids the service has already checked against the caller's scope (through
`EnrolmentRepository.get` / `ParticipantRepository.get`); every query here is additionally tied
to that enrolment or participant, so a member id of another participant is simply not found.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from api.persistence.models.plans import PlanGoalRow, PlanRevisionRow, ResourceGroupMemberRow
from api.security.principal import Principal
from domain.plans import (
    NO_PLAN_REVISION,
    Goal,
    GoalStatus,
    PlanRevision,
    ResourceGroupMember,
)


@dataclass(frozen=True)
class StoredPlanRevision:
    """A revision with who saved it and when (the domain revision knows neither)."""

    enrolment_id: int
    plan: PlanRevision
    saved_at: datetime
    saved_by_user_id: int | None
    saved_by_client_id: int | None


def to_domain_goal(row: PlanGoalRow) -> Goal:
    return Goal(
        text=row.text, status=GoalStatus(row.status), target_on=row.target_on, area=row.area
    )


def to_domain_member(row: ResourceGroupMemberRow) -> ResourceGroupMember:
    return ResourceGroupMember(
        role=row.role,
        organisation=row.organisation,
        name=row.name,
        added_on=row.added_on,
        phone=row.phone,
        email=row.email,
        removed_on=row.removed_on,
    )


class PlanRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def current_revision_number(self, enrolment_id: int) -> int:
        """The newest stored revision, 0 when the enrolment has no plan yet."""
        newest = self._session.execute(
            select(func.max(PlanRevisionRow.revision)).where(
                PlanRevisionRow.enrolment_id == enrolment_id
            )
        ).scalar_one()
        return int(newest) if newest is not None else NO_PLAN_REVISION

    def current(self, enrolment_id: int) -> StoredPlanRevision | None:
        row = self._session.execute(
            select(PlanRevisionRow)
            .where(PlanRevisionRow.enrolment_id == enrolment_id)
            .order_by(PlanRevisionRow.revision.desc())
            .limit(1)
        ).scalar_one_or_none()
        if row is None:
            return None
        return self._with_goals([row])[0]

    def revisions(self, enrolment_id: int) -> list[StoredPlanRevision]:
        """Every revision, newest first, with their goals (two queries in all)."""
        rows = list(
            self._session.execute(
                select(PlanRevisionRow)
                .where(PlanRevisionRow.enrolment_id == enrolment_id)
                .order_by(PlanRevisionRow.revision.desc())
            ).scalars()
        )
        return self._with_goals(rows)

    def _with_goals(self, rows: list[PlanRevisionRow]) -> list[StoredPlanRevision]:
        goals: dict[int, list[Goal]] = {r.id: [] for r in rows}
        if rows:
            for g in self._session.execute(
                select(PlanGoalRow)
                .where(PlanGoalRow.plan_revision_id.in_(list(goals)))
                .order_by(PlanGoalRow.plan_revision_id, PlanGoalRow.position)
            ).scalars():
                goals[g.plan_revision_id].append(to_domain_goal(g))
        return [
            StoredPlanRevision(
                enrolment_id=r.enrolment_id,
                plan=PlanRevision(revision=r.revision, goals=tuple(goals[r.id]), note=r.note),
                saved_at=r.saved_at,
                saved_by_user_id=r.saved_by_user_id,
                saved_by_client_id=r.saved_by_client_id,
            )
            for r in rows
        ]

    def add(
        self, enrolment_id: int, plan: PlanRevision, actor: Principal, at: datetime
    ) -> StoredPlanRevision:
        """Insert the revision; a concurrent insert of the same number fails on flush with an
        IntegrityError (the unique key), which the service turns into a conflict."""
        row = PlanRevisionRow(
            enrolment_id=enrolment_id,
            revision=plan.revision,
            note=plan.note,
            saved_at=at,
            saved_by_user_id=actor.user_id,
            saved_by_client_id=actor.client_id,
        )
        self._session.add(row)
        self._session.flush()
        self._session.add_all(
            PlanGoalRow(
                plan_revision_id=row.id,
                position=position,
                text=goal.text,
                status=goal.status.value,
                target_on=goal.target_on,
                area=goal.area,
            )
            for position, goal in enumerate(plan.goals)
        )
        self._session.flush()
        return StoredPlanRevision(enrolment_id, plan, at, actor.user_id, actor.client_id)


class ResourceGroupRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def members(self, participant_id: int) -> list[ResourceGroupMemberRow]:
        """Current members first (in the order they were added), then ended ones, most
        recently removed first."""
        m = ResourceGroupMemberRow
        return list(
            self._session.execute(
                select(m)
                .where(m.participant_id == participant_id)
                .order_by(
                    m.removed_on.is_not(None),
                    m.removed_on.desc(),
                    m.added_on,
                    m.id,
                )
            ).scalars()
        )

    def get(
        self, participant_id: int, member_id: int, *, for_update: bool = False
    ) -> ResourceGroupMemberRow | None:
        """The member, only if it belongs to this participant. `for_update` locks the row on
        PostgreSQL so two concurrent removals cannot both succeed."""
        stmt = select(ResourceGroupMemberRow).where(
            ResourceGroupMemberRow.id == member_id,
            ResourceGroupMemberRow.participant_id == participant_id,
        )
        if for_update:
            stmt = stmt.with_for_update()
        return self._session.execute(stmt).scalar_one_or_none()

    def add(
        self, participant_id: int, member: ResourceGroupMember, actor: Principal, at: datetime
    ) -> ResourceGroupMemberRow:
        row = ResourceGroupMemberRow(
            participant_id=participant_id,
            role=member.role,
            organisation=member.organisation,
            name=member.name,
            phone=member.phone,
            email=member.email,
            added_on=member.added_on,
            removed_on=member.removed_on,
            recorded_at=at,
            recorded_by_user_id=actor.user_id,
        )
        self._session.add(row)
        self._session.flush()
        return row

    def end(
        self,
        row: ResourceGroupMemberRow,
        ended: ResourceGroupMember,
        actor: Principal,
        at: datetime,
    ) -> None:
        """Store the domain's ended member: only `removed_on` and who/when change."""
        row.removed_on = ended.removed_on
        row.removed_at = at
        row.removed_by_user_id = actor.user_id
        self._session.flush()
