"""The synthetic demo data, loaded into a fresh migrated database (SQLite and PostgreSQL).

The demo is what people see first, so it must be valid in every way the application is: each
history is a legal sequence of domain commands, stored rows equal their replay, only test-series
personnummer, no real names, nothing dated in the future, protected people visible to their
mentor, and the same seed always gives the same people.
"""

from __future__ import annotations

import re
import shutil
from collections import defaultdict
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from sqlalchemy import func, select

from api.clock import Clock
from api.demo_data import (
    DEMO_CLIENT_ID,
    DEMO_CLIENT_SECRET,
    DEMO_LOGINS,
    DEMO_PASSWORD,
    FIRST_NAMES_MEN,
    FIRST_NAMES_WOMEN,
    LAST_NAMES,
    LEVEL_UP_LAST_DAY,
    LEVEL_UPGRADE_FIRST_DAY,
    DemoDataError,
    DemoSummary,
    load_demo_data,
)
from api.persistence.audit import verify_chain
from api.persistence.models import (
    AuditEntryRow,
    EnrolmentRow,
    IntegrationClientRow,
    MentorAssignmentRow,
    ParticipantRow,
    ProtectedIdentityGrantRow,
    TransitionRow,
    UserRow,
)
from api.persistence.models.activities import (
    ActivityRow,
    AttendanceRow,
    CohortMemberRow,
    CohortRow,
    CohortSessionRow,
)
from api.persistence.models.assessments import (
    AssessmentAnswerRow,
    AssessmentDueRow,
    AssessmentSubmissionRow,
)
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.models.plans import PlanRevisionRow, ResourceGroupMemberRow
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.consents import ConsentRepository
from api.persistence.repositories.enrolments import to_domain_transition
from api.persistence.uow import Database
from api.security.passwords import verify_password
from domain import enrolment as sm
from domain.codelists import CodeList, CodeListName
from domain.consent import ConsentPurpose
from domain.enrolment import EnrolmentState, TransitionKind
from domain.personnummer import Personnummer
from domain.programmes import get_programme

PARTICIPANTS = 60
SEEDS_DIR = ROOT.parent / "shared" / "seeds"
TODAY = Clock().today()


def quiet(_: str) -> None:
    pass


def load(database: Database, **kw: object) -> DemoSummary:
    return load_demo_data(database, today=TODAY, participants=PARTICIPANTS, progress=quiet, **kw)  # type: ignore[arg-type]


@pytest.fixture
def demo(database: Database) -> Database:
    summary = load(database)
    assert not summary.skipped
    assert summary.participants == PARTICIPANTS
    return database


def enrolments_with_history(db: Database) -> list[tuple[EnrolmentRow, list[TransitionRow]]]:
    with db.unit_of_work(write=False) as uow:
        rows = list(uow.session.execute(select(EnrolmentRow).order_by(EnrolmentRow.id)).scalars())
        transitions: dict[int, list[TransitionRow]] = defaultdict(list)
        for t in uow.session.execute(
            select(TransitionRow).order_by(TransitionRow.enrolment_id, TransitionRow.seq)
        ).scalars():
            transitions[t.enrolment_id].append(t)
    return [(r, transitions[r.id]) for r in rows]


def test_every_state_and_every_active_level_is_shown(demo: Database) -> None:
    loaded = enrolments_with_history(demo)
    assert {r.state for r, _ in loaded} == {s.value for s in EnrolmentState}
    assert {r.step for r, _ in loaded if r.state == "active"} >= {1, 2, 3, 4}
    exits = {(r.exit_reason_code, r.exit_status_code) for r, _ in loaded if r.state == "exited"}
    assert {reason for reason, _ in exits} >= {
        "completed",
        "interrupted",
        "illness",
        "moved",
        "regular_operations",
        "5",
        "registered_in_error",
    }
    assert {status for _, status in exits} >= {
        "employment_subsidised",
        "employment_unsubsidised",
        "studies",
        "job_seeking",
        "7",
    }

    transitions = [t for _, ts in loaded for t in ts]
    pauses = {t.pause_reason for t in transitions if t.kind == "pause"}
    assert pauses == {"sick_leave", "parental_leave", "other"}
    outcomes = {
        (t.outcome_kind, t.outcome_subsidised) for t in transitions if t.outcome_kind is not None
    }
    assert {("work", True), ("work", False), ("studies", None)} <= outcomes
    assert any(t.outcome_studies_kind for t in transitions)
    assert "Anställningen upphörde" in {t.reason for t in transitions if t.kind == "step_back"}
    assert any(t.kind == "correct_date" for t in transitions)

    with demo.unit_of_work(write=False) as uow:
        reassigned = uow.session.execute(
            select(func.count())
            .select_from(MentorAssignmentRow)
            .where(MentorAssignmentRow.ended_on.is_not(None))
        )
        assert reassigned.scalar_one() >= 1
    per_person: dict[int, int] = defaultdict(int)
    for r, _ in loaded:
        per_person[r.participant_id] += 1
    assert any(n > 1 for n in per_person.values()), "some people return with a new enrolment"


def _command(t: sm.Transition, reasons: CodeList, statuses: CodeList) -> sm.Command:
    """The command that made a stored transition, to run the history through `apply` again."""
    on = t.effective_on
    match t.kind:
        case TransitionKind.HOLD_INTAKE:
            return sm.HoldIntake(on)
        case TransitionKind.START:
            return sm.Start(on)
        case TransitionKind.ADVANCE:
            return sm.Advance(on, t.outcome)
        case TransitionKind.STEP_BACK:
            return sm.StepBack(on, t.reason or "")
        case TransitionKind.PAUSE:
            assert t.pause_reason is not None
            return sm.Pause(on, t.pause_reason, t.reason)
        case TransitionKind.RESUME:
            return sm.Resume(on)
        case TransitionKind.EXIT:
            assert t.exit_reason_code and t.exit_status_code
            return sm.Exit(
                on,
                reasons.require(t.exit_reason_code, on=on, field="r"),
                statuses.require(t.exit_status_code, on=on, field="s"),
            )
        case TransitionKind.DECLINE:
            return sm.Decline(on, t.reason or "")
        case TransitionKind.CORRECT_DATE:
            assert t.corrects_seq is not None
            return sm.CorrectDate(t.corrects_seq, on, t.reason or "")
    raise AssertionError(t.kind)


def test_every_history_is_legal_and_rows_equal_their_replay(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        codes = CodeListRepository(uow.session)
        reasons = codes.current(CodeListName.EXIT_REASON)
        statuses = codes.current(CodeListName.EXIT_STATUS)
        births = {
            p.id: Personnummer(p.personnummer).birth_date
            for p in uow.session.execute(select(ParticipantRow)).scalars()
        }
    for row, stored in enrolments_with_history(demo):
        history = tuple(to_domain_transition(t) for t in stored)
        assert [t.seq for t in history] == list(range(1, len(history) + 1))
        replayed = sm.replay(row.programme_code, history)
        assert (
            row.state,
            row.step,
            row.highest_step,
            row.referred_on,
            row.started_on,
            row.ended_on,
            row.step_entered_on,
            row.outcome_kind,
            row.exit_reason_code,
            row.exit_status_code,
        ) == (
            replayed.state.value,
            replayed.step,
            replayed.highest_step,
            replayed.referred_on,
            replayed.started_on,
            replayed.ended_on,
            replayed.step_entered_on,
            replayed.outcome.kind.value if replayed.outcome else None,
            replayed.exit_reason_code,
            replayed.exit_status_code,
        ), f"enrolment {row.id}"

        # Replaying is not validating: run the same commands through the state machine again.
        programme = get_programme(row.programme_code)
        assert history[0].kind is TransitionKind.REFER
        enrolment, _ = sm.open_referral(
            programme,
            referred_on=history[0].effective_on,
            birth_date=births[row.participant_id],
            today=TODAY,
        )
        for t in history[1:]:
            enrolment, _ = sm.apply(
                enrolment, _command(t, reasons, statuses), programme=programme, today=TODAY
            )
        assert enrolment.history == history


def test_programmes_fit_their_time_and_age(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        pairs = uow.session.execute(
            select(EnrolmentRow, ParticipantRow).join(
                ParticipantRow, ParticipantRow.id == EnrolmentRow.participant_id
            )
        ).all()
    assert {e.programme_code for e, _ in pairs} == {"level_up", "level_upgrade"}
    for e, p in pairs:
        age = Personnummer(p.personnummer).age_on(e.referred_on)
        if e.programme_code == "level_up":
            assert 16 <= age <= 29
            assert date(2016, 1, 1) <= e.referred_on <= LEVEL_UP_LAST_DAY
            assert e.ended_on is not None and e.ended_on <= LEVEL_UP_LAST_DAY
        else:
            assert 18 <= age <= 64
            assert e.referred_on >= LEVEL_UPGRADE_FIRST_DAY


def test_only_test_series_personnummer(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        numbers = list(uow.session.execute(select(ParticipantRow.personnummer)).scalars())
    assert len(numbers) == PARTICIPANTS == len(set(numbers))
    for digits in numbers:
        assert Personnummer(digits).is_test_series, digits[:8]


def test_no_name_comes_from_the_seed_documents(demo: Database) -> None:
    if not SEEDS_DIR.is_dir():
        pytest.skip(f"seed documents not present at {SEEDS_DIR}")
    text = "\n".join(p.read_text(encoding="utf-8") for p in sorted(SEEDS_DIR.glob("*.txt")))
    assert len(text) > 10_000, "seed documents look empty"

    def in_seeds(word: str) -> bool:
        return re.search(rf"(?<!\w){re.escape(word)}(?!\w)", text, re.IGNORECASE) is not None

    # The check itself must be able to fail: real contact people named in the seeds.
    assert in_seeds("Segerdahl") and in_seeds("Süttenbach")
    with demo.unit_of_work(write=False) as uow:
        people = uow.session.execute(
            select(ParticipantRow.first_name, ParticipantRow.last_name)
        ).all()
        contacts = (
            uow.session.execute(
                select(EnrolmentRow.referrer_contact_name).where(
                    EnrolmentRow.referrer_contact_name.is_not(None)
                )
            )
            .scalars()
            .all()
        )
        staff = uow.session.execute(select(UserRow.display_name)).scalars().all()
    # Every name the generator can pick, not only the ones this seed happened to draw.
    names = {*FIRST_NAMES_MEN, *FIRST_NAMES_WOMEN, *LAST_NAMES}
    names |= {n for first, last in people for n in (first, last)}
    names |= {w for full in [*contacts, *staff] if full for w in full.split() if w.isalpha()}
    found = sorted(n for n in names if in_seeds(n))
    assert not found, f"names from the seed documents: {found}"
    assert {login.display_name for login in DEMO_LOGINS} <= set(staff)


def test_nothing_is_dated_after_today(demo: Database) -> None:
    now = datetime.now(UTC) + timedelta(seconds=5)
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        dates = [
            *s.execute(select(TransitionRow.effective_on)).scalars(),
            *s.execute(
                select(TransitionRow.outcome_starts_on).where(
                    TransitionRow.outcome_starts_on.is_not(None)
                )
            ).scalars(),
            *s.execute(select(MentorAssignmentRow.assigned_on)).scalars(),
            *s.execute(
                select(MentorAssignmentRow.ended_on).where(
                    MentorAssignmentRow.ended_on.is_not(None)
                )
            ).scalars(),
        ]
        for column in (
            EnrolmentRow.referred_on,
            EnrolmentRow.started_on,
            EnrolmentRow.ended_on,
            EnrolmentRow.step_entered_on,
        ):
            dates += s.execute(select(column).where(column.is_not(None))).scalars()
        times = [
            *s.execute(select(TransitionRow.recorded_at)).scalars(),
            *s.execute(select(ParticipantRow.created_at)).scalars(),
            *s.execute(select(EnrolmentRow.updated_at)).scalars(),
        ]
    assert dates and max(dates) <= TODAY
    assert min(dates) >= date(2016, 1, 1)
    assert max(times) <= now


def test_protected_people_are_visible_to_each_of_their_mentors(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        protected = set(
            s.execute(
                select(ParticipantRow.id).where(ParticipantRow.protected_identity.is_(True))
            ).scalars()
        )
        mentors = s.execute(
            select(EnrolmentRow.participant_id, MentorAssignmentRow.mentor_id).join(
                MentorAssignmentRow, MentorAssignmentRow.enrolment_id == EnrolmentRow.id
            )
        ).all()
        grants = {
            (g, u)
            for g, u in s.execute(
                select(ProtectedIdentityGrantRow.participant_id, ProtectedIdentityGrantRow.user_id)
            )
        }
        users = {u.id: u for u in s.execute(select(UserRow)).scalars()}
        people = {p.id: p for p in s.execute(select(ParticipantRow)).scalars()}
    assert protected, "the demo shows at least one protected identity"
    for participant_id, mentor_id in mentors:
        if participant_id in protected:
            assert (participant_id, mentor_id) in grants
        # Every mentor works in the participant's kommun.
        assert users[mentor_id].municipality_id == people[participant_id].municipality_id
        assert users[mentor_id].role in ("mentor", "lead_mentor")
    assert {p for p, _ in grants} == protected


def test_one_system_audit_entry_and_the_chain_holds(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        entries = list(uow.session.execute(select(AuditEntryRow)).scalars())
        report = verify_chain(uow.session)
    assert [(e.action, e.actor_kind, e.actor_id) for e in entries] == [
        ("demo_data.load", "system", None)
    ]
    assert report.ok and report.entries == 1


def test_demo_logins_work_with_the_published_password(demo: Database) -> None:
    with demo.unit_of_work(write=False) as uow:
        users = {u.username: u for u in uow.session.execute(select(UserRow)).scalars()}
        client = uow.session.execute(
            select(IntegrationClientRow).where(IntegrationClientRow.client_id == DEMO_CLIENT_ID)
        ).scalar_one()
    assert set(users) == {login.username for login in DEMO_LOGINS}
    for login in DEMO_LOGINS:
        assert users[login.username].role == login.role.value
    # One hash, shared: verifying one proves all.
    assert len({u.password_hash for u in users.values()}) == 1
    assert verify_password(users["admin"].password_hash, DEMO_PASSWORD)
    assert verify_password(client.secret_hash, DEMO_CLIENT_SECRET)
    assert set(client.permissions.split()) == {
        "participant:read",
        "participant:create",
        "enrolment:read",
        "enrolment:refer",
        "enrolment:transition",
    }
    mentors_per_kommun: dict[int | None, int] = defaultdict(int)
    for u in users.values():
        if u.role == "mentor":
            mentors_per_kommun[u.municipality_id] += 1
    assert len(mentors_per_kommun) == 5 and all(2 <= n <= 3 for n in mentors_per_kommun.values())


def test_if_empty_does_nothing_the_second_time(demo: Database) -> None:
    def counts() -> tuple[int, int, int]:
        with demo.unit_of_work(write=False) as uow:
            s = uow.session
            return tuple(
                int(s.execute(select(func.count()).select_from(m)).scalar_one())
                for m in (ParticipantRow, EnrolmentRow, AuditEntryRow)
            )  # type: ignore[return-value]

    before = counts()
    assert load(demo, if_empty=True) == DemoSummary(skipped=True)
    assert counts() == before
    # Without --if-empty a second load is refused with a message, not half-written.
    with pytest.raises(DemoDataError, match="finns redan"):
        load(demo)
    assert counts() == before


def _people_and_histories(db: Database) -> list[tuple[object, ...]]:
    with db.unit_of_work(write=False) as uow:
        people = [
            tuple(r)
            for r in uow.session.execute(
                select(
                    ParticipantRow.first_name,
                    ParticipantRow.last_name,
                    ParticipantRow.personnummer,
                    ParticipantRow.protected_identity,
                ).order_by(ParticipantRow.id)
            )
        ]
        histories = [
            tuple(r)
            for r in uow.session.execute(
                select(
                    EnrolmentRow.participant_id,
                    TransitionRow.seq,
                    TransitionRow.kind,
                    TransitionRow.effective_on,
                )
                .join(TransitionRow, TransitionRow.enrolment_id == EnrolmentRow.id)
                .order_by(EnrolmentRow.id, TransitionRow.seq)
            )
        ]
    return people + histories


def test_same_seed_same_people(demo: Database, sqlite_template: Path, tmp_path: Path) -> None:
    other_path = tmp_path / "second.sqlite3"
    shutil.copyfile(sqlite_template, other_path)
    other = Database.from_url(f"sqlite:///{other_path}")
    try:
        load(other)
        assert _people_and_histories(other) == _people_and_histories(demo)
    finally:
        other.dispose()


def test_a_different_seed_gives_other_people(
    database: Database, sqlite_template: Path, tmp_path: Path
) -> None:
    load(database)
    other_path = tmp_path / "other-seed.sqlite3"
    shutil.copyfile(sqlite_template, other_path)
    other = Database.from_url(f"sqlite:///{other_path}")
    try:
        load(other, seed=7)
        mine = {p[2] for p in _people_and_histories(database)[:PARTICIPANTS]}
        theirs = {p[2] for p in _people_and_histories(other)[:PARTICIPANTS]}
        assert mine != theirs
    finally:
        other.dispose()


# ---- the participant journey in the demo ---------------------------------------------------------


def test_the_journey_covers_every_area(demo: Database) -> None:
    """A fresh `make run` shows assessments, follow-ups, activities, cohorts, plans, resource
    groups and consents, with both done and still-to-do items."""
    with demo.unit_of_work(write=False) as uow:
        s = uow.session

        def n(model: Any, *where: Any) -> int:
            return int(
                s.execute(select(func.count()).select_from(model).where(*where)).scalar_one()
            )

        assert n(AssessmentSubmissionRow) > PARTICIPANTS
        assert n(AssessmentSubmissionRow, AssessmentSubmissionRow.supersedes_id.is_not(None)) > 0
        assert n(AssessmentAnswerRow, AssessmentAnswerRow.rater == "mentor") > 0
        assert n(FollowUpRow, FollowUpRow.recorded_at.is_not(None)) > 0
        assert n(FollowUpRow, FollowUpRow.recorded_at.is_(None)) > 0  # still to do
        assert n(FollowUpRow, FollowUpRow.contact_reached.is_(False)) > 0
        assert n(ActivityRow) > PARTICIPANTS
        assert n(CohortRow, CohortRow.kind == "level2_group") > 0
        assert n(CohortRow, CohortRow.kind == "level3_course") > 0
        assert n(AttendanceRow, AttendanceRow.attended.is_(False)) > 0
        assert n(PlanRevisionRow, PlanRevisionRow.revision > 1) > 0
        assert n(ResourceGroupMemberRow) > 0
        for purpose in ConsentPurpose:
            assert n(ConsentEntryRow, ConsentEntryRow.purpose == purpose.value) > 0, purpose
        assert n(ConsentEntryRow, ConsentEntryRow.action == "withdrawn") > 0
        # Unanswered due occasions exist, so the task lists have content.
        answered = select(AssessmentSubmissionRow.id).where(
            AssessmentSubmissionRow.enrolment_id == AssessmentDueRow.enrolment_id,
            AssessmentSubmissionRow.occasion == AssessmentDueRow.occasion,
        )
        assert n(AssessmentDueRow, ~answered.exists()) > 0


def test_the_journey_fits_each_enrolments_history(demo: Database) -> None:
    """Answers only for due occasions, activities inside their enrolment, cohort members at the
    cohort's level, follow-ups after exit only with contact consent, nothing after today."""
    loaded = {row.id: (row, ts) for row, ts in enrolments_with_history(demo)}
    with demo.unit_of_work(write=False) as uow:
        s = uow.session
        due = {
            (d.enrolment_id, d.occasion): d.due_on
            for d in s.execute(select(AssessmentDueRow)).scalars()
        }
        for sub in s.execute(select(AssessmentSubmissionRow)).scalars():
            assert (sub.enrolment_id, sub.occasion) in due, sub.occasion
            assert due[(sub.enrolment_id, sub.occasion)] <= sub.answered_on <= TODAY
        scores = list(s.execute(select(AssessmentAnswerRow.score)).scalars())
        assert min(scores) >= 1 and max(scores) <= 10

        for a in s.execute(select(ActivityRow)).scalars():
            row, _ = loaded[a.enrolment_id]
            assert row.referred_on <= a.occurred_on <= (row.ended_on or TODAY), a.id
            assert a.participant_id == row.participant_id

        levels: dict[int, set[int]] = defaultdict(set)
        for enrolment_id, (row, transitions) in loaded.items():
            history = tuple(to_domain_transition(t) for t in transitions)
            levels[enrolment_id] = {
                step for _, step in sm.states_after_each(row.programme_code, history) if step
            }
        for cohort, member in s.execute(
            select(CohortRow, CohortMemberRow).join(
                CohortMemberRow, CohortMemberRow.cohort_id == CohortRow.id
            )
        ):
            step = 2 if cohort.kind == "level2_group" else 3
            assert step in levels[member.enrolment_id], (cohort.name, member.enrolment_id)
            assert loaded[member.enrolment_id][0].municipality_id == cohort.municipality_id
        members = {
            (m.cohort_id, m.enrolment_id): m.joined_on
            for m in s.execute(select(CohortMemberRow)).scalars()
        }
        for mark, session in s.execute(
            select(AttendanceRow, CohortSessionRow).join(
                CohortSessionRow, CohortSessionRow.id == AttendanceRow.session_id
            )
        ):
            joined_on = members[(session.cohort_id, mark.enrolment_id)]  # members only
            assert joined_on <= session.held_on <= TODAY

        consents = ConsentRepository(s)
        for f in s.execute(
            select(FollowUpRow).where(FollowUpRow.recorded_at.is_not(None))
        ).scalars():
            assert f.contacted_on is not None and f.trigger_on <= f.contacted_on <= TODAY
            if f.requires_contact_consent:
                pid = loaded[f.enrolment_id][0].participant_id
                assert consents.ledger(pid).holds(ConsentPurpose.FOLLOW_UP_CONTACT, f.contacted_on)
            if f.contact_reached:
                assert f.status_group is not None
            else:
                assert f.status_group is None and f.final_non_response
        for entry in s.execute(select(ConsentEntryRow)).scalars():
            assert entry.effective_on <= TODAY
