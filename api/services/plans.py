"""Use cases for the individual plan and the resource group (DOMAIN.md §3).

The plan is guarded like an enrolment command: `If-Match` carries the plan revision the caller
last read, the enrolment row is locked while the next revision is written, and the unique
(enrolment_id, revision) key is the backstop, so of two concurrent saves exactly one wins and
the other gets 412 or 409.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.exc import IntegrityError

from api.context import AppContext
from api.errors import Conflict, NotFound, PreconditionFailed
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models.plans import ResourceGroupMemberRow
from api.persistence.repositories.plans import (
    PlanRepository,
    ResourceGroupRepository,
    StoredPlanRevision,
    to_domain_member,
)
from api.schemas.plans import PlanSave, ResourceGroupMemberCreate
from api.security.principal import Principal
from api.services.access_logging import record_read
from api.services.in_scope import enrolment_in_scope, participant_in_scope
from domain import plans as rules

MEMBER_NOT_FOUND = "Personen finns inte i deltagarens resursgrupp."
STALE_PLAN = "Någon annan har sparat planen under tiden. Läs in den igen och försök på nytt."


@dataclass(frozen=True)
class PlanView:
    """The current plan; `current is None` when none has been saved (revision 0)."""

    enrolment_id: int
    current: StoredPlanRevision | None

    @property
    def revision(self) -> int:
        return self.current.plan.revision if self.current else rules.NO_PLAN_REVISION


# --- the plan ---------------------------------------------------------------------------------


def get_plan(ctx: AppContext, principal: Principal, enrolment_id: int) -> PlanView:
    with ctx.database.unit_of_work(write=False) as uow:
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        view = PlanView(loaded.row.id, PlanRepository(uow.session).current(loaded.row.id))
    record_read(
        ctx,
        principal,
        AuditEvent(
            "plan.read",
            [loaded.row.participant_id],
            "enrolment",
            loaded.row.id,
            detail={"revision": view.revision},
        ),
    )
    return view


def list_plan_revisions(
    ctx: AppContext, principal: Principal, enrolment_id: int
) -> list[StoredPlanRevision]:
    with ctx.database.unit_of_work(write=False) as uow:
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id)
        revisions = PlanRepository(uow.session).revisions(loaded.row.id)
    record_read(
        ctx,
        principal,
        AuditEvent(
            "plan.revisions.read",
            [loaded.row.participant_id],
            "enrolment",
            loaded.row.id,
            detail={"revisions": len(revisions)},
        ),
    )
    return revisions


def save_plan(
    ctx: AppContext,
    principal: Principal,
    enrolment_id: int,
    data: PlanSave,
    *,
    expected_revision: int,
) -> PlanView:
    now = ctx.clock.now()
    goals = [
        rules.Goal(text=g.text, status=g.status, target_on=g.target_on, area=g.area)
        for g in data.goals
    ]
    with ctx.database.unit_of_work(write=True) as uow:
        # The enrolment row lock serialises plan saves on PostgreSQL: the loser waits, then
        # sees the new revision and gets 412 instead of racing to the unique key.
        loaded = enrolment_in_scope(uow.session, principal, enrolment_id, for_update=True)
        repo = PlanRepository(uow.session)
        current = repo.current_revision_number(loaded.row.id)
        if current != expected_revision:
            raise PreconditionFailed(STALE_PLAN)
        plan = rules.save_plan(loaded.enrolment, current, goals, data.note)
        try:
            stored = repo.add(loaded.row.id, plan, principal, now)
        except IntegrityError:
            raise Conflict(STALE_PLAN) from None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "plan.save",
                [loaded.row.participant_id],
                "enrolment",
                loaded.row.id,
                detail={"revision": plan.revision, "goals": len(plan.goals)},
            ),
            at=now,
        )
        uow.commit()
    return PlanView(loaded.row.id, stored)


# --- the resource group -------------------------------------------------------------------------


def list_resource_group(
    ctx: AppContext, principal: Principal, participant_id: int
) -> list[ResourceGroupMemberRow]:
    with ctx.database.unit_of_work(write=False) as uow:
        participant = participant_in_scope(uow.session, principal, participant_id)
        members = ResourceGroupRepository(uow.session).members(participant.id)
    record_read(
        ctx,
        principal,
        AuditEvent("resource_group.read", [participant.id], "participant", participant.id),
    )
    return members


def add_resource_group_member(
    ctx: AppContext, principal: Principal, participant_id: int, data: ResourceGroupMemberCreate
) -> ResourceGroupMemberRow:
    today, now = ctx.clock.today(), ctx.clock.now()
    member = rules.add_member(
        role=data.role,
        organisation=data.organisation,
        name=data.name,
        phone=data.phone,
        email=data.email,
        added_on=data.added_on or today,
        today=today,
    )
    with ctx.database.unit_of_work(write=True) as uow:
        participant = participant_in_scope(uow.session, principal, participant_id)
        row = ResourceGroupRepository(uow.session).add(participant.id, member, principal, now)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "resource_group.add",
                [participant.id],
                "resource_group_member",
                row.id,
            ),
            at=now,
        )
        uow.commit()
        return row


def remove_resource_group_member(
    ctx: AppContext, principal: Principal, participant_id: int, member_id: int
) -> None:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        participant = participant_in_scope(uow.session, principal, participant_id)
        repo = ResourceGroupRepository(uow.session)
        row = repo.get(participant.id, member_id, for_update=True)
        if row is None:
            raise NotFound(MEMBER_NOT_FOUND)
        # The member leaves the group from the day the removal is recorded.
        ended = rules.remove_member(to_domain_member(row), today=today)
        repo.end(row, ended, principal, now)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "resource_group.remove",
                [participant.id],
                "resource_group_member",
                row.id,
            ),
            at=now,
        )
        uow.commit()
