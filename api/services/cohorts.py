"""Cohort use cases: plan a group or course, read it, add members, record attendance.

A cohort is the municipality's (its staff see it); its members are people, so everything that
names or marks a member goes through the caller's participant scope. A batch of attendance is
all or nothing: one entry for someone outside the cohort and none of the batch is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from sqlalchemy.exc import IntegrityError

from api.context import AppContext
from api.errors import Conflict, Forbidden, NotFound
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import ParticipantRow
from api.persistence.models.activities import CohortMemberRow, CohortRow, CohortSessionRow
from api.persistence.repositories.cohorts import CohortRepository, CohortSummary, MemberLine
from api.persistence.repositories.enrolments import EnrolmentRepository
from api.schemas.cohorts import AttendanceUpdate, CohortCreate, MemberCreate
from api.security.principal import Principal, scope_for
from api.services.access_logging import record_read
from api.services.activities import period_of
from domain.cohorts import (
    AttendanceMark,
    CohortKind,
    PlannedSession,
    check_attendance_batch,
    check_attendance_dates,
    check_can_join,
    plan_cohort,
    plan_sessions,
)
from domain.enrolment import EnrolmentState

# One 404 body per endpoint, whichever of its ids is missing or out of scope: a caller learns
# nothing from which one it was (another municipality's cohort, a colleague's participant).
COHORT_NOT_FOUND = "Gruppen finns inte eller ligger utanför din behörighet."
MEMBER_NOT_FOUND = "Gruppen eller inskrivningen finns inte eller ligger utanför din behörighet."
ATTENDANCE_NOT_FOUND = (
    "Gruppen, tillfället eller inskrivningen finns inte eller ligger utanför din behörighet."
)
ALREADY_MEMBER = "Inskrivningen är redan med i gruppen."


@dataclass(frozen=True)
class MemberView:
    line: MemberLine
    attendance: dict[int, bool]  # session id -> attended


@dataclass(frozen=True)
class CohortDetail:
    cohort: CohortRow
    sessions: list[CohortSessionRow]
    attended_counts: dict[int, int]
    members: list[MemberView]
    other_member_count: int


@dataclass(frozen=True)
class SessionAttendance:
    session: CohortSessionRow
    attended_count: int
    attendance: list[tuple[int, bool]]  # (enrolment id, attended) of visible members


def _cohort(repo: CohortRepository, cohort_id: int, not_found: str = COHORT_NOT_FOUND) -> CohortRow:
    cohort = repo.get(cohort_id)
    if cohort is None:
        raise NotFound(not_found)
    return cohort


def _time(hhmm: str) -> time:
    hours, minutes = hhmm.split(":")
    return time(int(hours), int(minutes))


def _detail(repo: CohortRepository, cohort: CohortRow) -> CohortDetail:
    lines = repo.visible_members(cohort.id)
    marks = repo.attendance(cohort.id, [line.enrolment.id for line in lines])
    members = [
        MemberView(
            line,
            {s: attended for (s, e), attended in marks.items() if e == line.enrolment.id},
        )
        for line in lines
    ]
    return CohortDetail(
        cohort=cohort,
        sessions=repo.sessions(cohort.id),
        attended_counts=repo.attended_counts(cohort.id),
        members=members,
        other_member_count=repo.member_count(cohort.id) - len(lines),
    )


def list_cohorts(ctx: AppContext, principal: Principal) -> list[CohortSummary]:
    """Counts only, no people: not a read of personal data."""
    with ctx.database.unit_of_work(write=False) as uow:
        return CohortRepository(uow.session, scope_for(principal)).summaries()


def create_cohort(ctx: AppContext, principal: Principal, data: CohortCreate) -> CohortDetail:
    now = ctx.clock.now()
    if principal.municipality_id is None:
        raise Forbidden("Din roll är inte knuten till en kommun.")
    if data.schedule is not None:
        planned = plan_sessions(
            data.starts_on,
            data.weeks,
            set(data.schedule.weekdays),
            _time(data.schedule.start_time),
            data.schedule.duration_minutes,
        )
    else:
        planned = tuple(
            PlannedSession(s.held_on, _time(s.start_time), s.duration_minutes)
            for s in data.sessions or ()
        )
    plan = plan_cohort(
        kind=CohortKind(data.kind),
        name=data.name,
        provider=data.provider,
        starts_on=data.starts_on,
        weeks=data.weeks,
        sessions=planned,
    )
    with ctx.database.unit_of_work(write=True) as uow:
        repo = CohortRepository(uow.session, scope_for(principal))
        cohort = repo.add(
            CohortRow(
                municipality_id=principal.municipality_id,
                kind=plan.kind.value,
                name=plan.name,
                provider=plan.provider,
                starts_on=plan.starts_on,
                weeks=plan.weeks,
                created_at=now,
                created_by_user_id=principal.user_id,
            ),
            [
                CohortSessionRow(
                    held_on=s.held_on,
                    start_time=s.start_time.strftime("%H:%M"),
                    duration_minutes=s.duration_minutes,
                )
                for s in plan.sessions
            ],
        )
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "cohort.create",
                [],
                "cohort",
                cohort.id,
                detail={
                    "kind": plan.kind.value,
                    "weeks": plan.weeks,
                    "sessions": len(plan.sessions),
                },
            ),
            at=now,
        )
        detail = _detail(repo, cohort)
        uow.commit()
        return detail


def get_cohort(ctx: AppContext, principal: Principal, cohort_id: int) -> CohortDetail:
    with ctx.database.unit_of_work(write=False) as uow:
        repo = CohortRepository(uow.session, scope_for(principal))
        detail = _detail(repo, _cohort(repo, cohort_id))
    record_read(
        ctx,
        principal,
        AuditEvent(
            "cohort.read",
            [m.line.participant.id for m in detail.members],
            "cohort",
            cohort_id,
        ),
    )
    return detail


def add_member(
    ctx: AppContext, principal: Principal, cohort_id: int, data: MemberCreate
) -> MemberView:
    today, now = ctx.clock.today(), ctx.clock.now()
    with ctx.database.unit_of_work(write=True) as uow:
        scope = scope_for(principal)
        repo = CohortRepository(uow.session, scope)
        cohort = _cohort(repo, cohort_id, MEMBER_NOT_FOUND)
        loaded = EnrolmentRepository(uow.session, scope).get(data.enrolment_id, for_update=True)
        # A person of another municipality is outside every scope that can see this cohort;
        # the explicit check keeps it so even if a scope ever spans municipalities.
        if loaded is None or loaded.row.municipality_id != cohort.municipality_id:
            raise NotFound(MEMBER_NOT_FOUND)
        enrolment = loaded.row
        if repo.is_member(cohort.id, enrolment.id):
            raise Conflict(ALREADY_MEMBER, fields={"enrolment_id": "redan med"})
        joined_on = data.joined_on or today
        check_can_join(
            EnrolmentState(enrolment.state), period_of(enrolment), joined_on, today=today
        )
        try:
            member = repo.add_member(
                CohortMemberRow(cohort_id=cohort.id, enrolment_id=enrolment.id, joined_on=joined_on)
            )
        except IntegrityError:
            # A concurrent add of the same enrolment won the unique key.
            raise Conflict(ALREADY_MEMBER, fields={"enrolment_id": "redan med"}) from None
        participant = uow.session.get(ParticipantRow, enrolment.participant_id)
        assert participant is not None
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "cohort.add_member",
                [enrolment.participant_id],
                "cohort",
                cohort.id,
                detail={"enrolment_id": enrolment.id},
            ),
            at=now,
        )
        uow.commit()
        return MemberView(MemberLine(member, enrolment, participant), {})


def record_attendance(
    ctx: AppContext,
    principal: Principal,
    cohort_id: int,
    session_id: int,
    data: AttendanceUpdate,
) -> SessionAttendance:
    today, now = ctx.clock.today(), ctx.clock.now()
    marks = [AttendanceMark(e.enrolment_id, e.attended) for e in data.entries]
    with ctx.database.unit_of_work(write=True) as uow:
        scope = scope_for(principal)
        repo = CohortRepository(uow.session, scope)
        cohort = _cohort(repo, cohort_id, ATTENDANCE_NOT_FOUND)
        session = repo.session_of(cohort.id, session_id, for_update=True)
        if session is None:
            raise NotFound(ATTENDANCE_NOT_FOUND)
        # Scope before membership: an enrolment the caller may not see answers 404 whether or
        # not it is a member, so nobody can probe who is in a cohort or which ids exist.
        ids = [m.enrolment_id for m in marks]
        if not set(ids) <= repo.visible_enrolment_ids(ids):
            raise NotFound(ATTENDANCE_NOT_FOUND)
        members = repo.member_enrolments(cohort.id)
        check_attendance_batch(marks, held_on=session.held_on, member_ids=members, today=today)
        check_attendance_dates(
            marks,
            held_on=session.held_on,
            periods={i: period_of(members[i]) for i in ids},
        )
        replaced = repo.record_attendance(
            session.id,
            [(m.enrolment_id, m.attended) for m in marks],
            by_user_id=principal.user_id,
            at=now,
        )
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "cohort.record_attendance",
                sorted({members[i].participant_id for i in ids}),
                "cohort_session",
                session.id,
                detail={"cohort_id": cohort.id, "enrolment_ids": sorted(ids), "replaced": replaced},
            ),
            at=now,
        )
        visible = repo.visible_members(cohort.id)
        recorded = repo.attendance(cohort.id, [line.enrolment.id for line in visible])
        attendance = [
            (line.enrolment.id, recorded[(session.id, line.enrolment.id)])
            for line in visible
            if (session.id, line.enrolment.id) in recorded
        ]
        result = SessionAttendance(
            session, repo.attended_counts(cohort.id).get(session.id, 0), attendance
        )
        written = set(ids)
        shown = {e for e, _ in attendance} - written
        others = sorted({line.participant.id for line in visible if line.enrolment.id in shown})
        uow.commit()
    if others:
        # The answer also shows what was recorded earlier for the caller's other members.
        record_read(
            ctx,
            principal,
            AuditEvent("cohort_session.read", others, "cohort_session", session_id),
        )
    return result
