"""The task list's read model (`task_items`): kept current at every commit, read in one statement.

Why a read model: the mentor's task list used to run four queries per request (caseload with
two aggregate subqueries for the last activity, due assessments with a NOT EXISTS probe per
occasion, follow-ups with a consent probe per row, this week's sessions). On PostgreSQL every
statement costs about 0.25 ms of server CPU on its own, and the aggregates most of a millisecond
of database time, so the list served half the requests the caseload did (issue 3's target is
0.12 of a bare endpoint). Now the per-enrolment facts are stored when they change, and a request
reads them with the enrolments, people and this week's sessions in one UNION ALL.

What is stored is what does not move with the calendar: open due occasions, open follow-ups
(with whether contact is permitted; consent entries are never dated in the future, so the
latest entry decides), the latest activity date and cohort memberships, each with the
enrolment's mentor as the way in. Everything that depends on today is decided at read time by
the domain's rules, and what can change without touching a source (state, names, cohort names
and sessions, an enrolment's end) is joined live, as is the mentor once more.

Keeping it current: an `after_flush` listener notes the enrolments whose sources a flush
touched (rows of the tables below, or a consent entry's participant, or a cohort session's
attendees); `before_commit` recomputes their items in the same transaction, so a commit never
leaves the list stale and a rollback leaves nothing behind. Writers that change sources with
Core statements, past the ORM, call `mark_stale` themselves (follow-up recording, the due
projection's deletes). `rebuild` recomputes everything (the `rebuild-task-items` command, and
after bulk loads that bypass the ORM).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain
from typing import Any

from sqlalchemy import (
    BindParameter,
    Boolean,
    CompoundSelect,
    Connection,
    Date,
    Delete,
    Integer,
    Row,
    Select,
    String,
    and_,
    bindparam,
    cast,
    delete,
    event,
    exists,
    func,
    insert,
    literal_column,
    null,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session, aliased, sessionmaker

from api.persistence.models import EnrolmentRow, ParticipantRow
from api.persistence.models.activities import (
    ActivityRow,
    AttendanceRow,
    CohortMemberRow,
    CohortRow,
    CohortSessionRow,
)
from api.persistence.models.assessments import AssessmentDueRow, AssessmentSubmissionRow
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.models.tasks import TaskItemRow
from api.persistence.repositories.activities import last_activity_on
from api.persistence.repositories.assessments import DUE_LIST_STATES
from api.persistence.repositories.consents import consent_held_condition
from api.persistence.repositories.enrolments import OPEN_STATES
from api.persistence.repositories.id_lists import among_codes
from api.persistence.repositories.scope_filters import participant_condition, scope_params
from api.persistence.repositories.task_marks import (
    has_stale_tasks,
    stale_tasks,
    take_stale_tasks,
)
from api.security.principal import Scope, ScopeKind
from domain.consent import ConsentPurpose
from domain.tasks import STATES_EXPECTING_ACTIVITY

ASSESSMENT = "assessment"
FOLLOW_UP = "follow_up"
ACTIVITY = "activity"
MEMBER = "member"
# Read-only kinds: rows of the read statement, not of the table.
SESSION = "session"
QUIET = "quiet"

# Enrolments per refresh statement: a bulk load (demo data, bench) touches thousands.
_CHUNK = 500


def _chunks(ids: Sequence[int]) -> Iterator[list[int]]:
    # itertools.batched is Python 3.12; we support 3.11.
    for start in range(0, len(ids), _CHUNK):
        yield list(ids[start : start + _CHUNK])


# --- keeping it current -----------------------------------------------------------------------


_BY_ENROLMENT = (
    AssessmentDueRow,
    AssessmentSubmissionRow,
    FollowUpRow,
    ActivityRow,
    AttendanceRow,
    CohortMemberRow,
)


def _note_flushed(session: Session, _flush_context: Any) -> None:
    for row in chain(session.new, session.dirty, session.deleted):
        if isinstance(row, _BY_ENROLMENT):
            stale_tasks(session).enrolment_ids.add(row.enrolment_id)
        elif isinstance(row, EnrolmentRow):
            # The rows carry the enrolment's mentor, which a reassignment changes.
            stale_tasks(session).enrolment_ids.add(row.id)
        elif isinstance(row, ConsentEntryRow):
            stale_tasks(session).participant_ids.add(row.participant_id)
        elif isinstance(row, CohortSessionRow):
            stale_tasks(session).session_ids.add(row.id)


def _refresh_before_commit(session: Session) -> None:
    if not has_stale_tasks(session) and not (session.new or session.dirty or session.deleted):
        return
    session.flush()  # what is still pending reaches _note_flushed first
    stale = take_stale_tasks(session)
    if stale is None:
        return
    connection = session.connection()
    ids = set(stale.enrolment_ids)
    if stale.participant_ids:
        ids.update(
            connection.execute(
                select(EnrolmentRow.id).where(
                    EnrolmentRow.participant_id.in_(sorted(stale.participant_ids))
                )
            ).scalars()
        )
    if stale.session_ids:
        ids.update(
            connection.execute(
                select(AttendanceRow.enrolment_id).where(
                    AttendanceRow.session_id.in_(sorted(stale.session_ids))
                )
            ).scalars()
        )
    refresh(connection, ids)


def _forget(session: Session, *_: Any) -> None:
    # The rolled-back writes are gone, and so are their notes. Nothing in the application
    # uses savepoints: a savepoint's rollback would drop the enclosing transaction's notes
    # too, and they would need keeping per savepoint.
    take_stale_tasks(session)


def keep_task_items_current(factory: sessionmaker[Session]) -> None:
    """Install the listeners on a session factory (api/persistence/db.py does, for every one)."""
    event.listen(factory, "after_flush", _note_flushed)
    event.listen(factory, "before_commit", _refresh_before_commit)
    event.listen(factory, "after_rollback", _forget)


def refresh(connection: Connection, enrolment_ids: Iterable[int]) -> int:
    """Recompute the items of these enrolments; returns how many were written.

    On PostgreSQL the enrolment rows are locked first (FOR NO KEY UPDATE, in id order), so two
    transactions refreshing one enrolment take turns, and the second, reading after the
    first's commit (READ COMMITTED), sees its writes and deletes its rows: no duplicate, no
    stale item. SQLite has a single writer anyway."""
    written = 0
    statements = _refresh_statements()
    for ids in _chunks(sorted(set(enrolment_ids))):
        params = {"ids": ids}
        mentors: dict[int, int | None] = dict(connection.execute(statements.lock, params).all())
        connection.execute(statements.delete, params)
        rows = [
            *_due_items(connection, statements, params),
            *_follow_up_items(connection, statements, params),
            *_member_items(connection, statements, params),
        ]
        rows.extend(
            _item(eid, ACTIVITY, on)
            for eid, on in last_activity_on(connection, ids).items()
            if on is not None
        )
        for row in rows:
            row["mentor_id"] = mentors.get(row["enrolment_id"])
        if rows:
            connection.execute(insert(TaskItemRow), rows)
        written += len(rows)
    return written


def _item(
    enrolment_id: int,
    kind: str,
    dated_on: date,
    *,
    source_id: int | None = None,
    label: str | None = None,
    contact_permitted: bool | None = None,
) -> dict[str, Any]:
    # Every row with every key: one executemany INSERT needs the same parameters in each.
    return {
        "enrolment_id": enrolment_id,
        "mentor_id": None,  # filled in by refresh, from the locked enrolment row
        "kind": kind,
        "dated_on": dated_on,
        "source_id": source_id,
        "label": label,
        "contact_permitted": contact_permitted,
    }


@dataclass(frozen=True)
class _RefreshStatements:
    lock: Select[*tuple[Any, ...]]
    delete: Delete
    due: Select[*tuple[Any, ...]]
    follow_ups: Select[*tuple[Any, ...]]
    members: Select[*tuple[Any, ...]]


@cache
def _refresh_statements() -> _RefreshStatements:
    """Built once, for any number of ids (an expanding parameter): built anew on every commit,
    the follow-up statement's consent probe alone took 2.3 ms to compile."""
    ids: BindParameter[int] = bindparam("ids", expanding=True)
    e, t, d, s = EnrolmentRow, TaskItemRow, AssessmentDueRow, AssessmentSubmissionRow
    f, m = FollowUpRow, CohortMemberRow
    # A corrected submission still answers its occasion.
    answered = exists(
        select(s.id).where(s.enrolment_id == d.enrolment_id, s.occasion == d.occasion)
    )
    held = consent_held_condition(e.participant_id, ConsentPurpose.FOLLOW_UP_CONTACT)
    return _RefreshStatements(
        lock=select(e.id, e.mentor_id)
        .where(e.id.in_(ids))
        .order_by(e.id)
        .with_for_update(key_share=True),
        delete=delete(t).where(t.enrolment_id.in_(ids)),
        due=select(d.enrolment_id, d.id, d.occasion, d.due_on).where(
            d.enrolment_id.in_(ids), ~answered
        ),
        follow_ups=select(f.enrolment_id, f.id, f.kind, f.due_on, f.requires_contact_consent, held)
        .join(e, e.id == f.enrolment_id)
        .where(f.enrolment_id.in_(ids), f.recorded_at.is_(None)),
        members=select(m.enrolment_id, m.cohort_id, m.joined_on).where(m.enrolment_id.in_(ids)),
    )


def _due_items(
    connection: Connection, statements: _RefreshStatements, params: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    for enrolment_id, due_id, occasion, due_on in connection.execute(statements.due, params):
        yield _item(enrolment_id, ASSESSMENT, due_on, source_id=due_id, label=occasion)


def _follow_up_items(
    connection: Connection, statements: _RefreshStatements, params: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    for enrolment_id, follow_up_id, kind, due_on, needs_consent, consent_held in connection.execute(
        statements.follow_ups, params
    ):
        yield _item(
            enrolment_id,
            FOLLOW_UP,
            due_on,
            source_id=follow_up_id,
            label=kind,
            contact_permitted=not needs_consent or bool(consent_held),
        )


def _member_items(
    connection: Connection, statements: _RefreshStatements, params: dict[str, Any]
) -> Iterator[dict[str, Any]]:
    for enrolment_id, cohort_id, joined_on in connection.execute(statements.members, params):
        yield _item(enrolment_id, MEMBER, joined_on, source_id=cohort_id)


def rebuild(connection: Connection, progress: Callable[[int, int], None] | None = None) -> int:
    """Recompute every enrolment's items (after rows were written past the application);
    `progress(done, total)` is told after each chunk. Returns the number of items."""
    ids = list(connection.execute(select(EnrolmentRow.id).order_by(EnrolmentRow.id)).scalars())
    written = 0
    done = 0
    for chunk in _chunks(ids):
        written += refresh(connection, chunk)
        done += len(chunk)
        if progress is not None:
            progress(done, len(ids))
    return written


# --- reading it -------------------------------------------------------------------------------


@dataclass(frozen=True)
class TaskWindow:
    """The dates a read needs, all decided by the domain's rules from today."""

    follow_ups_due_by: date  # follow-ups due on or before (today + the due window)
    quiet_since_by: date  # quiet when nothing happened after this date
    week_first: date
    week_last: date


@cache
def _tasks_statement(kind: ScopeKind, has_user: bool) -> CompoundSelect[*tuple[Any, ...]]:
    """Built once per scope shape: constructing it costs more than running it.

    Columns: kind, date, source id, label, contact permitted, enrolment id, participant id,
    first name, last name, personnummer, mentor id, programme, state, step, started on,
    referred on, search name, cohort id, cohort name, cohort kind, provider, start time,
    duration. Each branch fills what its kind needs and NULLs the rest."""
    t, e, p, s, c = TaskItemRow, EnrolmentRow, ParticipantRow, CohortSessionRow, CohortRow
    activity = aliased(TaskItemRow, name="last_activity")
    mentor: BindParameter[int] = bindparam("task_mentor_id", type_=Integer())
    # Each branch starts from a mentor's index range (task_items' or enrolments'), so the
    # work grows with the mentor's caseload, not with the tables. The enrolment's own mentor
    # is checked too: the stored copy is only the way in.
    mine = and_(e.mentor_id == mentor, participant_condition(kind, has_user))
    person = (
        e.id.label("enrolment_id"),
        e.participant_id,
        p.first_name,
        p.last_name,
        p.personnummer,
        e.mentor_id,
        e.programme_code,
        e.state,
        e.step,
        e.started_on,
        e.referred_on,
        p.search_name,
    )
    # Labelled here: a UNION's columns take the first branch's names.
    no_session = (
        cast(null(), Integer).label("cohort_id"),
        cast(null(), String).label("cohort_name"),
        cast(null(), String).label("cohort_kind"),
        cast(null(), String).label("provider"),
        cast(null(), String).label("start_time"),
        cast(null(), Integer).label("duration_minutes"),
    )
    due = (
        select(t.kind, t.dated_on, t.source_id, t.label, t.contact_permitted, *person, *no_session)
        .join(e, e.id == t.enrolment_id)
        .join(p, p.id == e.participant_id)
        .where(
            t.mentor_id == mentor,
            among_codes(t.kind, (ASSESSMENT, FOLLOW_UP)),
            mine,
            or_(
                and_(t.kind == ASSESSMENT, among_codes(e.state, DUE_LIST_STATES)),
                and_(
                    t.kind == FOLLOW_UP,
                    t.dated_on <= bindparam("task_follow_ups_due_by", type_=Date()),
                ),
            ),
        )
    )
    quiet: Select[*tuple[Any, ...]] = (
        select(
            literal_column(f"'{QUIET}'"),
            activity.dated_on,
            cast(null(), Integer),
            cast(null(), String),
            cast(null(), Boolean),
            *person,
            *no_session,
        )
        .select_from(e)
        .join(p, p.id == e.participant_id)
        .outerjoin(
            activity,
            and_(
                activity.enrolment_id == e.id,
                activity.mentor_id == mentor,
                activity.kind == ACTIVITY,
            ),
        )
        .where(
            mine,
            among_codes(e.state, sorted(state.value for state in STATES_EXPECTING_ACTIVITY)),
            # The domain's threshold as a filter, so only the quiet come back; the domain's
            # days_without_activity still decides each row.
            (
                func.coalesce(activity.dated_on, e.started_on, e.referred_on)
                <= bindparam("task_quiet_since_by", type_=Date())
            ),
        )
    )
    sessions = (
        select(
            literal_column(f"'{SESSION}'"),
            s.held_on,
            s.id,
            cast(null(), String),
            cast(null(), Boolean),
            e.id,
            *(cast(null(), col.type) for col in person[1:]),
            c.id,
            c.name,
            c.kind,
            c.provider,
            s.start_time,
            s.duration_minutes,
        )
        .select_from(t)
        .join(e, e.id == t.enrolment_id)
        .join(p, p.id == e.participant_id)
        .join(s, s.cohort_id == t.source_id)
        .join(c, c.id == t.source_id)
        .where(
            t.mentor_id == mentor,
            t.kind == MEMBER,
            mine,
            among_codes(e.state, OPEN_STATES),
            s.held_on.between(
                bindparam("task_week_first", type_=Date()),
                bindparam("task_week_last", type_=Date()),
            ),
            # A member whose enrolment ended before the session is not expected there.
            (e.ended_on.is_(None)) | (e.ended_on >= s.held_on),
        )
    )
    return union_all(due, quiet, sessions)


def task_rows(
    connection: Connection, scope: Scope, mentor_id: int, window: TaskWindow
) -> Sequence[Row[Any]]:
    """The rows of one mentor's task list (see `_tasks_statement` for the columns), unsorted.

    Referrers' scope sees no participant, so it gets nothing."""
    if scope.kind is ScopeKind.REFERRALS:
        return []
    stmt = _tasks_statement(scope.kind, scope.user_id is not None)
    params = {
        **scope_params(scope),
        "task_mentor_id": mentor_id,
        "task_follow_ups_due_by": window.follow_ups_due_by,
        "task_quiet_since_by": window.quiet_since_by,
        "task_week_first": window.week_first,
        "task_week_last": window.week_last,
    }
    return connection.execute(stmt, params).all()
