"""The participant journey in the demo: consents, self-assessments, follow-up results,
activities, cohorts with attendance, individual plans and resource groups.

Runs after `api.demo_data` has written the people and their enrolment histories, and derives
everything from those histories (the Level each person was at on a given day), so an activity is
never dated outside its enrolment, a Level 2 group only holds people who were at Level 2, and an
answered assessment only answers an occasion the history made due. The due occasions and the
follow-up schedule are read from the projections the enrolment repository keeps, so the demo
shows exactly what the application computes. Some things are deliberately left undone (recent
assessments, an overdue follow-up, quiet participants) so the task lists have content.

Synthetic only: names from the demo's invented lists, fictional phone numbers.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time

from sqlalchemy import select
from sqlalchemy.orm import Session

from api.clock import BUSINESS_TZ
from api.persistence.models import EnrolmentRow, TransitionRow
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
from api.persistence.models.plans import PlanGoalRow, PlanRevisionRow, ResourceGroupMemberRow
from api.persistence.repositories.enrolments import to_domain_transition
from api.persistence.uow import Database
from domain import enrolment as sm
from domain.codelists import OutcomeGroup
from domain.cohorts import COHORT_KINDS, CohortKind, plan_sessions
from domain.consent import ConsentAction, ConsentEntry, ConsentLedger, ConsentPurpose
from domain.enrolment import EnrolmentState, TransitionKind
from domain.plans import GoalStatus
from domain.self_assessment import CURRENT_QUESTIONNAIRE_VERSION, get_questionnaire

BATCH_SIZE = 60

# How much each item tends to move per occasion (weights for -1, 0, +1, +2): self-esteem and
# exercise move most, relations with authorities and family hardly (the final report's order).
_ITEM_DRIFT: dict[str, tuple[int, int, int, int]] = {
    "work_study_readiness": (14, 38, 36, 12),
    "physical_health": (22, 58, 16, 4),
    "mental_health": (22, 52, 20, 6),
    "social_situation": (22, 54, 20, 4),
    "self_esteem": (20, 44, 28, 8),
    "exercise_habits": (22, 46, 26, 6),
    "diet": (22, 56, 18, 4),
    "life_satisfaction": (22, 48, 24, 6),
    "relations_with_authorities": (24, 60, 14, 2),
    "family_relations": (24, 60, 14, 2),
}

_ACTIVITIES_BY_STEP: dict[int, tuple[str, ...]] = {
    1: ("motivational_talk", "motivational_talk", "health_activity", "external_activity"),
    2: ("group_session", "motivational_talk", "health_activity"),
    3: ("study_motivation_course", "work_trial", "praktik", "labour_market_training"),
    4: ("motivational_talk", "referrer_check_in"),
}
_PROVIDERS = {
    "health_activity": "Friskvården (demo)",
    "external_activity": "Föreningslivet (demo)",
    "group_session": "Studieförbundet Vuxenskolan",
    "study_motivation_course": "Vara folkhögskola",
    "labour_market_training": "Arbetsförmedlingen",
}
_ACTIVITY_NOTES = (
    "Promenad och samtal om veckan.",
    "Pratade om mål och vad som känns svårt just nu.",
    "Gick igenom schemat för kommande vecka.",
    None,
    None,
)

_GOALS = (
    ("Komma upp på morgonen och ha en fast dygnsrytm", "Vardag"),
    ("Träna två gånger i veckan", "Hälsa"),
    ("Delta i gruppverksamheten varje vecka", "Aktivitet"),
    ("Ta reda på vilka utbildningar som passar", "Studier"),
    ("Skriva ett CV och ett personligt brev", "Arbete"),
    ("Göra en arbetsprövning", "Arbete"),
    ("Söka till komvux eller folkhögskola", "Studier"),
    ("Ta körkortsteori", "Vardag"),
)
_RESOURCE_ROLES = (
    ("Handläggare", "Arbetsförmedlingen"),
    ("Handläggare", "Försäkringskassan"),
    ("Socialsekreterare", "Socialtjänsten"),
    ("Kurator", "Vårdcentralen"),
    ("Studie- och yrkesvägledare", "Vuxenutbildningen"),
)
_RESOURCE_FIRST = ("Alva", "Bengt", "Cecilia", "Dragan", "Elsa", "Fredrik", "Greta", "Hugo")
_RESOURCE_LAST = ("Ekdahl", "Fors", "Grahn", "Holm", "Isaksson", "Jarl", "Kvist", "Lund")


@dataclass(frozen=True)
class Segment:
    """A stretch of an enrolment's history with one state and Level."""

    start: date
    end: date  # exclusive: the next transition's date, or the day after the last day
    state: EnrolmentState
    step: int | None


@dataclass
class _Enrolment:
    row: EnrolmentRow
    enrolment: sm.Enrolment
    segments: list[Segment]

    def step_segments(self, step: int) -> list[Segment]:
        return [s for s in self.segments if s.state is EnrolmentState.ACTIVE and s.step == step]


@dataclass
class JourneySummary:
    counts: dict[str, int] = field(default_factory=lambda: defaultdict(int))


def _timeline(e: sm.Enrolment, today: date) -> list[Segment]:
    states = sm.states_after_each(e.programme_code, e.history)
    dated = [
        (e.effective_dates[t.seq], state, step)
        for t, (state, step) in zip(e.history, states, strict=True)
        if t.kind is not TransitionKind.CORRECT_DATE
    ]
    last_day = (e.ended_on or today) + timedelta(days=1)
    segments = []
    for i, (start, state, step) in enumerate(dated):
        end = dated[i + 1][0] if i + 1 < len(dated) else last_day
        if end > start:
            segments.append(Segment(start, end, state, step))
    return segments


def _at(rng: random.Random, on: date, now: datetime) -> datetime:
    local = datetime.combine(
        on, clock_time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=BUSINESS_TZ
    )
    return min(local.astimezone(UTC), now)


def _load(session: Session, municipality_ids: list[int], today: date) -> list[_Enrolment]:
    rows = list(
        session.execute(
            select(EnrolmentRow)
            .where(EnrolmentRow.municipality_id.in_(municipality_ids))
            .order_by(EnrolmentRow.id)
        ).scalars()
    )
    transitions: dict[int, list[TransitionRow]] = defaultdict(list)
    for t in session.execute(
        select(TransitionRow)
        .join(EnrolmentRow, EnrolmentRow.id == TransitionRow.enrolment_id)
        .where(EnrolmentRow.municipality_id.in_(municipality_ids))
        .order_by(TransitionRow.enrolment_id, TransitionRow.seq)
    ).scalars():
        transitions[t.enrolment_id].append(t)
    out = []
    for row in rows:
        history = tuple(to_domain_transition(t) for t in transitions[row.id])
        enrolment = sm.replay(row.programme_code, history)
        out.append(_Enrolment(row, enrolment, _timeline(enrolment, today)))
    return out


class _JourneyPlanner:
    def __init__(self, seed: int, today: date, now: datetime) -> None:
        self.seed = seed
        self.today = today
        self.now = now
        self.counts: dict[str, int] = defaultdict(int)

    def rng(self, *key: int) -> random.Random:
        mixed = self.seed
        for k in key:
            mixed = mixed * 1_000_003 + k
        return random.Random(mixed)  # noqa: S311 (synthetic data)

    # --- consents, per participant ---------------------------------------------------------

    def consents(
        self, session: Session, participant_id: int, enrolments: list[_Enrolment]
    ) -> ConsentLedger:
        rng = self.rng(1, participant_id)
        first = min(e.row.referred_on for e in enrolments)
        mentor = enrolments[0].row.mentor_id
        has_referrer = any(
            e.row.referrer_user_id or e.row.referrer_organisation_id for e in enrolments
        )
        wanted = [
            (ConsentPurpose.REFERRER_INFORMATION_EXCHANGE, 0.97 if has_referrer else 0.0, 0.04),
            (ConsentPurpose.SUS_REGISTRATION, 0.95, 0.0),
            (ConsentPurpose.EVALUATION, 0.86, 0.05),
            (ConsentPurpose.FOLLOW_UP_CONTACT, 0.8, 0.04),
        ]
        entries: list[ConsentEntry] = []
        for purpose, give, withdraw in wanted:
            if rng.random() >= give:
                continue
            entries.append(
                ConsentEntry(
                    purpose,
                    ConsentAction.GIVEN,
                    first,
                    f"Samtyckesblankett {first.year}-{rng.randint(100, 999)}",
                )
            )
            if rng.random() < withdraw and (self.today - first).days > 30:
                on = first + timedelta(days=rng.randint(20, (self.today - first).days))
                entries.append(ConsentEntry(purpose, ConsentAction.WITHDRAWN, on))
        for entry in entries:
            session.add(
                ConsentEntryRow(
                    participant_id=participant_id,
                    purpose=entry.purpose.value,
                    action=entry.action.value,
                    effective_on=entry.effective_on,
                    form_reference=entry.form_reference,
                    recorded_at=_at(rng, entry.effective_on, self.now),
                    recorded_by_user_id=mentor,
                )
            )
            self.counts["consent_entries"] += 1
        return ConsentLedger(tuple(entries))

    # --- resource group, per participant ---------------------------------------------------

    def resource_group(self, session: Session, participant_id: int, e: _Enrolment) -> None:
        rng = self.rng(2, participant_id)
        if rng.random() > 0.6:
            return
        for role, organisation in rng.sample(_RESOURCE_ROLES, rng.randint(1, 3)):
            added = e.row.referred_on + timedelta(days=rng.randint(0, 20))
            if added > self.today:
                continue
            removed = None
            if e.row.ended_on and rng.random() < 0.3 and e.row.ended_on > added:
                removed = e.row.ended_on
            session.add(
                ResourceGroupMemberRow(
                    participant_id=participant_id,
                    role=role,
                    organisation=organisation,
                    name=f"{rng.choice(_RESOURCE_FIRST)} {rng.choice(_RESOURCE_LAST)}",
                    phone=f"031-390 06 {rng.randint(0, 99):02d}",  # the series reserved for fiction
                    added_on=added,
                    removed_on=removed,
                    recorded_at=_at(rng, added, self.now),
                    recorded_by_user_id=e.row.mentor_id,
                    removed_at=_at(rng, removed, self.now) if removed else None,
                    removed_by_user_id=e.row.mentor_id if removed else None,
                )
            )
            self.counts["resource_group_members"] += 1

    # --- per enrolment ----------------------------------------------------------------------

    def activities(self, session: Session, e: _Enrolment) -> None:
        rng = self.rng(3, e.row.id)
        # Some open enrolments go quiet, so the task list has someone to show.
        stop = None
        if e.row.ended_on is None and rng.random() < 0.15:
            stop = self.today - timedelta(days=rng.randint(35, 90))
        for seg in e.segments:
            if seg.state not in (EnrolmentState.INTAKE, EnrolmentState.ACTIVE):
                continue
            on = seg.start + timedelta(days=rng.randint(0, 6))
            while on < seg.end and on <= self.today and (stop is None or on < stop):
                if seg.state is EnrolmentState.INTAKE:
                    kind = "three_party_meeting"
                else:
                    kind = rng.choice(
                        _ACTIVITIES_BY_STEP.get(seg.step or 1, ("motivational_talk",))
                    )
                    if rng.random() < 0.05:
                        kind = "referrer_check_in"
                session.add(
                    ActivityRow(
                        enrolment_id=e.row.id,
                        participant_id=e.row.participant_id,
                        activity_type=kind,
                        occurred_on=on,
                        duration_minutes=rng.choice((30, 45, 60, 90, 120, 180, 240)),
                        provider=_PROVIDERS.get(kind),
                        note=rng.choice(_ACTIVITY_NOTES),
                        recorded_at=_at(rng, on, self.now),
                        recorded_by_user_id=e.row.mentor_id,
                    )
                )
                self.counts["activities"] += 1
                on += timedelta(days=rng.randint(5, 16))

    def assessments(self, session: Session, e: _Enrolment, due: list[AssessmentDueRow]) -> None:
        rng = self.rng(4, e.row.id)
        items = [i.key for i in get_questionnaire(CURRENT_QUESTIONNAIRE_VERSION).items]
        scores = {key: rng.randint(2, 6) for key in items}
        for d in sorted(due, key=lambda d: d.due_on):
            age = (self.today - d.due_on).days
            if rng.random() > (0.9 if age > 10 else 0.3):
                continue
            answered = min(d.due_on + timedelta(days=rng.randint(0, 10)), self.today)
            if d.occasion != "start":
                for key in items:
                    drift = rng.choices((-1, 0, 1, 2), weights=_ITEM_DRIFT[key])[0]
                    scores[key] = max(1, min(10, scores[key] + drift))
            mentor_rating = (
                {k: max(1, min(10, v + rng.choice((-1, 0, 0, 1)))) for k, v in scores.items()}
                if rng.random() < 0.25
                else None
            )
            submission = self._submission(
                session, rng, e, d.occasion, answered, scores, mentor_rating
            )
            if rng.random() < 0.03:
                # A mistyped score, corrected later with a reason; the first answer is kept.
                fixed = {**scores, rng.choice(items): rng.randint(1, 10)}
                self._submission(
                    session, rng, e, d.occasion, answered, fixed, None, supersedes=submission
                )

    def _submission(
        self,
        session: Session,
        rng: random.Random,
        e: _Enrolment,
        occasion: str,
        answered: date,
        scores: dict[str, int],
        mentor_rating: dict[str, int] | None,
        supersedes: AssessmentSubmissionRow | None = None,
    ) -> AssessmentSubmissionRow:
        row = AssessmentSubmissionRow(
            enrolment_id=e.row.id,
            occasion=occasion,
            revision=supersedes.revision + 1 if supersedes else 1,
            questionnaire_version=CURRENT_QUESTIONNAIRE_VERSION,
            answered_on=answered,
            respondent=rng.choice(
                ("participant", "participant_with_mentor", "participant_with_mentor")
            ),
            recorded_by_user_id=e.row.mentor_id,
            recorded_at=_at(
                rng, min(answered + timedelta(days=1 if supersedes else 0), self.today), self.now
            ),
            supersedes_id=supersedes.id if supersedes else None,
            correction_reason="Fel siffra registrerades; rättat efter samtal."
            if supersedes
            else None,
        )
        session.add(row)
        session.flush()
        for rater, answers in (("participant", scores), ("mentor", mentor_rating or {})):
            session.add_all(
                AssessmentAnswerRow(submission_id=row.id, item_key=k, rater=rater, score=v)
                for k, v in answers.items()
            )
        self.counts["assessment_submissions"] += 1
        return row

    def follow_ups(
        self, e: _Enrolment, follow_ups: list[FollowUpRow], ledger: ConsentLedger
    ) -> None:
        rng = self.rng(5, e.row.id)
        for f in follow_ups:
            if (self.today - f.due_on).days < 5 or rng.random() > 0.88:
                continue  # not yet, or still to do: the due lists show these
            contacted = min(f.due_on + timedelta(days=rng.randint(0, 12)), self.today)
            if f.requires_contact_consent and not ledger.holds(
                ConsentPurpose.FOLLOW_UP_CONTACT, contacted
            ):
                continue  # not permitted: shown as such
            f.contacted_on = contacted
            f.recorded_at = _at(rng, contacted, self.now)
            f.recorded_by_user_id = e.row.mentor_id
            reached = rng.random() < 0.82
            f.contact_reached = reached
            if not reached:
                f.attempts = 3
                f.final_non_response = True
                self.counts["follow_ups_not_reached"] += 1
                continue
            f.attempts = rng.randint(1, 2)
            f.final_non_response = False
            outcome = e.enrolment.outcome
            stays = outcome is not None and rng.random() < 0.8
            if stays and outcome is not None:
                group = OutcomeGroup.WORK if outcome.kind.value == "work" else OutcomeGroup.STUDIES
            else:
                group = rng.choice(
                    (
                        OutcomeGroup.WORK,
                        OutcomeGroup.STUDIES,
                        OutcomeGroup.JOB_SEEKING,
                        OutcomeGroup.OTHER,
                    )
                )
            f.status_group = group.value
            f.employment_extent_percent = (
                rng.choice((50, 75, 100)) if group is OutcomeGroup.WORK else None
            )
            f.self_supporting = group is OutcomeGroup.WORK and rng.random() < 0.6
            f.current_benefit = (
                None
                if f.self_supporting
                else rng.choice(("aktivitetsstod", "forsorjningsstod", "none"))
            )
            f.note = rng.choice((None, "Trivs bra.", "Har fått förlängt.", None))
            self.counts["follow_ups_reached"] += 1

    def plan(self, session: Session, e: _Enrolment) -> None:
        if e.row.started_on is None:
            return
        rng = self.rng(6, e.row.id)
        chosen = rng.sample(_GOALS, rng.randint(2, 4))
        statuses = [GoalStatus.NOT_STARTED] * len(chosen)
        moments = [e.row.started_on + timedelta(days=rng.randint(3, 14))]
        moments += [
            s.start
            for s in e.segments
            if s.state is EnrolmentState.ACTIVE and s.step and s.step > 1
        ]
        for revision, on in enumerate(sorted(set(moments))[:3], start=1):
            if on > self.today or (e.row.ended_on and on > e.row.ended_on):
                break
            if revision > 1:
                statuses = [
                    GoalStatus.ACHIEVED
                    if s is GoalStatus.IN_PROGRESS and rng.random() < 0.6
                    else GoalStatus.IN_PROGRESS
                    if s is GoalStatus.NOT_STARTED
                    else s
                    for s in statuses
                ]
            plan = PlanRevisionRow(
                enrolment_id=e.row.id,
                revision=revision,
                note="Planen gjordes tillsammans med deltagaren." if revision == 1 else None,
                saved_at=_at(rng, on, self.now),
                saved_by_user_id=e.row.mentor_id,
            )
            session.add(plan)
            session.flush()
            for position, ((text, area), status) in enumerate(zip(chosen, statuses, strict=True)):
                session.add(
                    PlanGoalRow(
                        plan_revision_id=plan.id,
                        position=position,
                        text=text,
                        status=status.value,
                        target_on=on + timedelta(days=rng.choice((30, 60, 90))),
                        area=area,
                    )
                )
            self.counts["plan_revisions"] += 1

    # --- cohorts, per municipality -----------------------------------------------------------

    def cohorts(self, session: Session, municipality_id: int, enrolments: list[_Enrolment]) -> None:
        rng = self.rng(7, municipality_id)
        week_monday = self.today - timedelta(days=self.today.weekday())
        for kind, every, weekdays in (
            (CohortKind.LEVEL2_GROUP, 91, (2, 4)),
            (CohortKind.LEVEL3_COURSE, 120, (1, 3)),
        ):
            info = COHORT_KINDS[kind]
            starts = [s.start for e in enrolments for s in e.step_segments(info.step)]
            if not starts:
                continue
            # One running now (two weeks in), so this week has sessions, and earlier ones back
            # to the first person who reached the level.
            first_start = week_monday - timedelta(days=14)
            cohort_starts = [first_start]
            while cohort_starts[-1] - timedelta(days=every) >= min(starts) - timedelta(days=every):
                cohort_starts.append(cohort_starts[-1] - timedelta(days=every))
            for starts_on in cohort_starts:
                members = []
                for e in enrolments:
                    for seg in e.step_segments(info.step):
                        if seg.start <= starts_on + timedelta(days=14) and seg.end > starts_on:
                            members.append((e, seg))
                            break
                if not members and starts_on != first_start:
                    continue
                self._cohort(session, rng, municipality_id, kind, starts_on, weekdays, members)

    def _cohort(
        self,
        session: Session,
        rng: random.Random,
        municipality_id: int,
        kind: CohortKind,
        starts_on: date,
        weekdays: Iterable[int],
        members: list[tuple[_Enrolment, Segment]],
    ) -> None:
        info = COHORT_KINDS[kind]
        season = "vår" if starts_on.month < 7 else "höst"
        cohort = CohortRow(
            municipality_id=municipality_id,
            kind=kind.value,
            name=f"{info.label_sv} {season} {starts_on.year} ({starts_on.isoformat()})",
            provider=info.default_provider,
            starts_on=starts_on,
            weeks=8,
            created_at=_at(rng, min(starts_on, self.today), self.now),
            created_by_user_id=members[0][0].row.mentor_id if members else None,
        )
        session.add(cohort)
        session.flush()
        sessions = []
        for planned in plan_sessions(starts_on, 8, set(weekdays), clock_time(9, 30), 150):
            row = CohortSessionRow(
                cohort_id=cohort.id,
                held_on=planned.held_on,
                start_time=planned.start_time.strftime("%H:%M"),
                duration_minutes=planned.duration_minutes,
            )
            session.add(row)
            sessions.append(row)
        session.flush()
        self.counts["cohorts"] += 1
        self.counts["cohort_sessions"] += len(sessions)
        for e, seg in members:
            joined = max(starts_on, seg.start)
            if joined > self.today:
                continue
            session.add(
                CohortMemberRow(cohort_id=cohort.id, enrolment_id=e.row.id, joined_on=joined)
            )
            self.counts["cohort_members"] += 1
            for s in sessions:
                if s.held_on < joined or s.held_on >= seg.end or s.held_on > self.today:
                    continue
                session.add(
                    AttendanceRow(
                        session_id=s.id,
                        enrolment_id=e.row.id,
                        attended=rng.random() < 0.85,
                        recorded_at=_at(rng, s.held_on, self.now),
                        recorded_by_user_id=e.row.mentor_id,
                    )
                )
                self.counts["attendance_marks"] += 1


def load_journey_demo(
    database: Database,
    *,
    municipality_ids: list[int],
    seed: int,
    today: date,
    now: datetime,
) -> dict[str, int]:
    """Write the journey for every enrolment of the given (demo) municipalities; the counts."""
    planner = _JourneyPlanner(seed, today, now)
    with database.unit_of_work(write=False) as uow:
        enrolments = _load(uow.session, municipality_ids, today)
    by_participant: dict[int, list[_Enrolment]] = defaultdict(list)
    for e in enrolments:
        by_participant[e.row.participant_id].append(e)
    people = sorted(by_participant)
    for first in range(0, len(people), BATCH_SIZE):
        batch = people[first : first + BATCH_SIZE]
        with database.unit_of_work(write=True) as uow:
            session = uow.session
            ids = [e.row.id for pid in batch for e in by_participant[pid]]
            due: dict[int, list[AssessmentDueRow]] = defaultdict(list)
            for d in session.execute(
                select(AssessmentDueRow).where(AssessmentDueRow.enrolment_id.in_(ids))
            ).scalars():
                due[d.enrolment_id].append(d)
            follow_ups: dict[int, list[FollowUpRow]] = defaultdict(list)
            for f in session.execute(
                select(FollowUpRow).where(FollowUpRow.enrolment_id.in_(ids))
            ).scalars():
                follow_ups[f.enrolment_id].append(f)
            for pid in batch:
                mine = by_participant[pid]
                ledger = planner.consents(session, pid, mine)
                planner.resource_group(session, pid, mine[0])
                for e in mine:
                    planner.activities(session, e)
                    planner.assessments(session, e, due[e.row.id])
                    planner.follow_ups(e, follow_ups[e.row.id], ledger)
                    planner.plan(session, e)
            uow.commit()
    with database.unit_of_work(write=True) as uow:
        by_municipality: dict[int, list[_Enrolment]] = defaultdict(list)
        for e in enrolments:
            by_municipality[e.row.municipality_id].append(e)
        for municipality_id in municipality_ids:
            planner.cohorts(uow.session, municipality_id, by_municipality.get(municipality_id, []))
        uow.commit()
    return dict(planner.counts)
