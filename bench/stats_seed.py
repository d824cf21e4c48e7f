"""A migrated database with N enrolments and full histories, for the statistics/export benchmark.

What it builds (one association, `MUNICIPALITIES` member municipalities, referrer organisations
of every referrer type, mentors per municipality, an association analyst and an evaluator):
N participants with test-series personnummer only (Skatteverket birth numbers 988-999, at most
six per sex and birth date, so every number is distinct), each with one enrolment whose whole
history the domain accepted: refer, three-party meeting, start, 0-3 advances (Level 4 with a
work or studies outcome), and for most an exit coded from the default code lists (some
"continues in regular operations", some "registered in error"); a few decline before the start.
Every history is built with `domain.enrolment.open_referral` / `apply` and the enrolment row is
its projection, exactly as the repository writes it. Self-assessments (start, after Level 1,
exit; a few corrected), the evaluation consent for most people (some withdrawn), about one in a
hundred protected identities, mentor assignments.

Why: the statistics are aggregate SQL over enrolments x participants x code meanings and the
evaluation export pages through enrolments with their histories, readings and consent, so their
cost depends on table sizes and data shape; the benchmark needs realistic data at 10 000 and
100 000 enrolments. Rows go in with Core bulk inserts, in batches each committed on its own
(PostgreSQL: COPY for the large insert-only tables), so 100 000 enrolments seed in minutes and
memory stays bounded. No audit trail is seeded: the measured endpoints only append to it.
"""

from __future__ import annotations

import random
import time
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from typing import Any

from sqlalchemy import Connection, Engine, Table, insert

from api.clock import Clock
from api.demo_data import FIRST_NAMES_MEN, FIRST_NAMES_WOMEN, LAST_NAMES
from api.persistence.db import make_engine
from api.persistence.models import (
    EnrolmentRow,
    MentorAssignmentRow,
    OrganisationRow,
    ParticipantRow,
    TransitionRow,
    UserRow,
)
from api.persistence.models.assessments import AssessmentAnswerRow, AssessmentSubmissionRow
from api.persistence.models.consents import ConsentEntryRow
from api.security.passwords import hash_password
from api.security.permissions import Role
from bench.seed import migrate
from domain.codelists import CodeEntry, CodeListName, default_code_list
from domain.consent import ConsentAction, ConsentPurpose
from domain.enrolment import (
    OCCASION_EXIT,
    OCCASION_START,
    Advance,
    Decline,
    Enrolment,
    EnrolmentState,
    Exit,
    HoldIntake,
    Outcome,
    OutcomeKind,
    Start,
    StudiesKind,
    apply,
    occasion_after_step,
    open_referral,
)
from domain.personnummer import TEST_NUMBERS_PER_SEX_PER_DATE, LegalSex, make_test_personnummer
from domain.programmes import LEVEL_UP, LEVEL_UPGRADE, Programme
from domain.self_assessment import CURRENT_QUESTIONNAIRE_VERSION, get_questionnaire

SEED = 20261204
BATCH = 5000
MENTORS_PER_MUNICIPALITY = 12
MUNICIPALITIES = (
    ("Skara", "1495"),
    ("Vara", "1470"),
    ("Götene", "1471"),
    ("Lidköping", "1494"),
    ("Grästorp", "1444"),
    ("Essunga", "1445"),
)
REFERRERS = (
    ("Arbetsförmedlingen Skaraborg", "af"),
    ("Försäkringskassan Skövde", "fk"),
    ("Socialtjänsten Skaraborg", "socialtjanst"),
    ("Vuxenpsykiatrin Skaraborg", "vuxenpsykiatri"),
    ("Närhälsan Lidköping", "narhalsan"),
    ("Folkhögskolan Bench", "other"),
)
PROTECTED_SHARE = 0.01
EVALUATION_CONSENT_SHARE = 0.88
WITHDRAWN_SHARE = 0.03
EDUCATION = ("forgymnasial", "gymnasial", "eftergymnasial", None)
BENEFITS = ("aktivitetsersattning", "sjukpenning", "forsorjningsstod", "aktivitetsstod", "none")
# Referrals spread over four years, so the history reaches back well beyond any one period.
REFERRED_DAYS_AGO = (30, 4 * 365)

_REASONS = default_code_list(CodeListName.EXIT_REASON)
_STATUSES = default_code_list(CodeListName.EXIT_STATUS)
_ITEMS = get_questionnaire(CURRENT_QUESTIONNAIRE_VERSION).keys


def _code(codes: Any, code: str) -> CodeEntry:
    entry = codes.find(code)
    assert entry is not None, code
    return entry


@dataclass
class StatsSeedReport:
    """Counts the benchmark checks the API against (computed while generating, not queried)."""

    url: str
    association_id: int
    municipality_ids: list[int]
    analyst_id: int
    evaluator_id: int
    enrolments: int = 0
    participants: int = 0
    transitions: int = 0
    submissions: int = 0
    answers: int = 0
    consent_entries: int = 0
    # Enrolments the evaluation export must deliver: consent held now, not protected.
    expected_export_rows: int = 0
    # (programme, category) -> exited enrolments the statistics count (evaluation consent not
    # withdrawn); category as in domain.outcomes.Category.
    exits: Counter[tuple[str, str]] = field(default_factory=Counter)
    states: Counter[str] = field(default_factory=Counter)
    migrate_seconds: float = 0.0
    seed_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "enrolments": self.enrolments,
            "participants": self.participants,
            "municipalities": len(self.municipality_ids),
            "transitions": self.transitions,
            "assessment_submissions": self.submissions,
            "assessment_answers": self.answers,
            "consent_entries": self.consent_entries,
            "expected_export_rows": self.expected_export_rows,
            "states": dict(sorted(self.states.items())),
            "exits": {f"{p}/{c}": n for (p, c), n in sorted(self.exits.items())},
            "migrate_seconds": round(self.migrate_seconds, 2),
            "seed_seconds": round(self.seed_seconds, 2),
        }


# ---- people and histories ------------------------------------------------------------------


class _People:
    """Distinct test personnummer: at most six per sex and birth date, drawn at random."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: Counter[tuple[date, LegalSex]] = Counter()

    def draw(self, sex: LegalSex, *, youngest: date, oldest: date) -> tuple[date, str]:
        span = (youngest - oldest).days
        for attempt in range(400):
            birth = oldest + timedelta(days=self._rng.randint(0, span))
            # A crowded window: walk on to the next free date instead of drawing for ever.
            if attempt > 40:
                birth = oldest + timedelta(days=(attempt * 7919) % (span + 1))
            serial = self._used[(birth, sex)]
            if serial < TEST_NUMBERS_PER_SEX_PER_DATE:
                self._used[(birth, sex)] = serial + 1
                return birth, make_test_personnummer(birth, serial, sex).digits
        raise RuntimeError("test personnummer exhausted for this birth window; lower N")


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _birth_window(programme: Programme, referred_on: date) -> tuple[date, date]:
    """(youngest, oldest) birth dates that are eligible on the referral date."""
    youngest = _years_before(referred_on, programme.min_age)
    oldest = _years_before(referred_on, programme.max_age + 1) + timedelta(days=1)
    return youngest, oldest


def _outcome(rng: random.Random, on: date) -> Outcome:
    if rng.random() < 0.6:
        return Outcome(
            OutcomeKind.WORK,
            starts_on=on,
            subsidised=rng.random() < 0.5,
            extent_percent=rng.choice((50, 75, 100)),
        )
    return Outcome(OutcomeKind.STUDIES, starts_on=on, studies_kind=rng.choice(tuple(StudiesKind)))


def _exit_codes(rng: random.Random, e: Enrolment, programme: Programme) -> tuple[str, str]:
    roll = rng.random()
    if roll < 0.03:
        return "registered_in_error", "7"
    if roll < 0.10:
        return "regular_operations", "other_intervention"
    if e.step == programme.last_step and e.outcome is not None:
        if e.outcome.kind is OutcomeKind.WORK:
            status = "employment_subsidised" if e.outcome.subsidised else "employment_unsubsidised"
        else:
            status = "studies"
        return "completed", status
    reason = rng.choice(("completed", "interrupted", "illness", "moved", "5"))
    status = rng.choice(("job_seeking", "other_intervention", "sick", "7", "job_seeking"))
    return reason, status


def category_of(reason: str | None, status: str | None) -> str:
    """domain.outcomes.Category of an exit, from the default code lists' flags."""
    entries = [e for e in (_REASONS.find(reason or ""), _STATUSES.find(status or "")) if e]
    if any(e.excluded_from_statistics for e in entries):
        return "excluded"
    if any(e.continues_in_regular_operations for e in entries):
        return "continuing"
    return "exited"


def build_history(
    rng: random.Random, programme: Programme, birth: date, referred_on: date, today: date
) -> Enrolment:
    """A history the state machine accepts, ending declined, active or exited."""
    e, _ = open_referral(programme, referred_on=referred_on, birth_date=birth, today=today)

    def step_on(after: date, low: int, high: int) -> date | None:
        on = after + timedelta(days=rng.randint(low, high))
        return on if on <= today else None

    on = step_on(referred_on, 3, 21)
    if on is None:
        return e
    if rng.random() < 0.03:
        e, _ = apply(
            e, Decline(on, "Tackade nej vid första kontakt"), programme=programme, today=today
        )
        return e
    e, _ = apply(e, HoldIntake(on), programme=programme, today=today)
    start_on = step_on(on, 5, 30)
    if start_on is None:
        return e
    if rng.random() < 0.03:
        e, _ = apply(e, Decline(start_on, "Valde annan insats"), programme=programme, today=today)
        return e
    e, _ = apply(e, Start(start_on), programme=programme, today=today)
    on = start_on
    for _ in range(rng.choices((0, 1, 2, 3), weights=(25, 30, 25, 20))[0]):
        nxt = step_on(on, 21, 120)
        if nxt is None:
            break
        assert e.step is not None
        outcome = _outcome(rng, nxt) if programme.step(e.step + 1).requires_outcome else None
        e, _ = apply(e, Advance(nxt, outcome), programme=programme, today=today)
        on = nxt
    if rng.random() < 0.8:
        exit_on = step_on(on, 14, 150)
        if exit_on is not None:
            reason, status = _exit_codes(rng, e, programme)
            command = Exit(exit_on, _code(_REASONS, reason), _code(_STATUSES, status))
            e, _ = apply(e, command, programme=programme, today=today)
    return e


def _at(day: date, rng: random.Random) -> datetime:
    """An office-hours UTC timestamp on a business date."""
    return datetime.combine(day, dt_time(7, 0), UTC) + timedelta(minutes=rng.randint(0, 540))


# ---- inserting -----------------------------------------------------------------------------


def _returning_ids(conn: Connection, model: Any, rows: list[dict[str, Any]]) -> list[int]:
    table = model.__table__
    stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
    return [r[0] for r in conn.execute(stmt, rows)]


def _bulk(conn: Connection, model: Any, rows: Sequence[dict[str, Any]]) -> None:
    """Insert-only rows: COPY on PostgreSQL (several times faster), executemany on SQLite."""
    if not rows:
        return
    table: Table = model.__table__
    if conn.dialect.name != "postgresql":
        conn.execute(insert(table), list(rows))
        return
    columns = list(rows[0])
    names = ", ".join(f'"{c}"' for c in columns)
    cursor = conn.connection.driver_connection.cursor()  # type: ignore[union-attr]
    with cursor.copy(f'COPY "{table.name}" ({names}) FROM STDIN') as copy:
        for row in rows:
            copy.write_row(tuple(row[c] for c in columns))


def seed_stats(url: str, enrolments: int, *, clock: Clock | None = None) -> StatsSeedReport:
    """Migrate the empty database at `url`, fill it with `enrolments` enrolments, ANALYZE."""
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        migrate(engine)
        migrated = time.perf_counter()
        report = _fill(engine, url, enrolments, today=(clock or Clock()).today())
        with engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
        report.migrate_seconds = migrated - started
        report.seed_seconds = time.perf_counter() - migrated
        return report
    finally:
        engine.dispose()  # SQLite: checkpoints the WAL into the main file


def _fill(engine: Engine, url: str, n: int, *, today: date) -> StatsSeedReport:
    rng = random.Random(SEED)
    people = _People(rng)
    setup_at = datetime.combine(today - timedelta(days=5 * 365), dt_time(8, 0), UTC)
    password_hash = hash_password(uuid.uuid4().hex)  # nobody logs in; tokens are minted directly

    def user(
        username: str, role: Role, organisation: int, municipality: int | None
    ) -> dict[str, Any]:
        return {
            "username": username,
            "display_name": f"Bench {username}",
            "password_hash": password_hash,
            "role": role.value,
            "organisation_id": organisation,
            "municipality_id": municipality,
            "is_active": True,
            "created_at": setup_at,
            "updated_at": setup_at,
            "version": 1,
        }

    with engine.begin() as conn:

        def org(**values: Any) -> int:
            return _returning_ids(conn, OrganisationRow, [{"created_at": setup_at, **values}])[0]

        association = org(kind="association", name="Samordningsförbundet Benchbygden")
        municipalities = [
            org(kind="municipality", name=name, parent_id=association, municipality_code=code)
            for name, code in MUNICIPALITIES
        ]
        referrers = [org(kind="referrer", name=name, referrer_type=t) for name, t in REFERRERS]
        mentors: dict[int, list[int]] = {}
        for m_index, municipality in enumerate(municipalities):
            unit = org(kind="unit", name=f"Arbetsmarknadsenheten {m_index}", parent_id=municipality)
            mentors[municipality] = _returning_ids(
                conn,
                UserRow,
                [
                    user(f"mentor.{m_index}.{k:02d}", Role.MENTOR, unit, municipality)
                    for k in range(MENTORS_PER_MUNICIPALITY)
                ],
            )
        analyst, evaluator = _returning_ids(
            conn,
            UserRow,
            [
                user("analyst", Role.ASSOCIATION_ANALYST, association, None),
                user("evaluator", Role.EVALUATOR, association, None),
            ],
        )
    report = StatsSeedReport(url, association, municipalities, analyst, evaluator)
    # Bigger municipalities get more people, as in Skaraborg.
    weights = (30, 15, 12, 25, 8, 10)
    for first in range(0, n, BATCH):
        with engine.begin() as conn:
            _batch(
                conn,
                rng,
                people,
                report,
                size=min(BATCH, n - first),
                serial_base=first,
                municipalities=municipalities,
                weights=weights,
                referrers=referrers,
                mentors=mentors,
                today=today,
            )
    return report


def _scores(rng: random.Random, base: dict[str, int] | None) -> dict[str, int]:
    if base is None:
        return {k: rng.randint(2, 7) for k in _ITEMS}
    return {k: max(1, min(10, v + rng.randint(-2, 4))) for k, v in base.items()}


def _batch(
    conn: Connection,
    rng: random.Random,
    people: _People,
    report: StatsSeedReport,
    *,
    size: int,
    serial_base: int,
    municipalities: list[int],
    weights: Sequence[int],
    referrers: list[int],
    mentors: dict[int, list[int]],
    today: date,
) -> None:
    participant_rows: list[dict[str, Any]] = []
    plans: list[tuple[int, int, Programme, Enrolment, bool]] = []
    for i in range(size):
        municipality = rng.choices(municipalities, weights=weights)[0]
        mentor = rng.choice(mentors[municipality])
        programme = LEVEL_UP if rng.random() < 0.45 else LEVEL_UPGRADE
        referred_on = today - timedelta(days=rng.randint(*REFERRED_DAYS_AGO))
        sex = LegalSex.WOMAN if rng.random() < 0.55 else LegalSex.MAN
        youngest, oldest = _birth_window(programme, referred_on)
        birth, pnr = people.draw(sex, youngest=youngest, oldest=oldest)
        enrolment = build_history(rng, programme, birth, referred_on, today)
        first = rng.choice(FIRST_NAMES_WOMEN if sex is LegalSex.WOMAN else FIRST_NAMES_MEN)
        last = rng.choice(LAST_NAMES)
        created_at = datetime.combine(referred_on, dt_time(6, 30), UTC)
        protected = rng.random() < PROTECTED_SHARE
        participant_rows.append(
            {
                "municipality_id": municipality,
                "personnummer": pnr,
                "first_name": first,
                "last_name": last,
                "search_name": f"{first} {last}".lower(),
                "phone": f"070-{rng.randint(0, 9999999):07d}",
                "email": f"bench.{serial_base + i}@example.invalid",
                "address": None,
                "gender": sex.value if rng.random() < 0.9 else "not_stated",
                "education_level": rng.choice(EDUCATION),
                "protected_identity": protected,
                "created_by_user_id": mentor,
                "created_at": created_at,
                "updated_at": created_at,
                "version": 1,
            }
        )
        plans.append((municipality, mentor, programme, enrolment, protected))
    participant_ids = _returning_ids(conn, ParticipantRow, participant_rows)

    enrolment_rows: list[dict[str, Any]] = []
    stamps_per_enrolment: list[list[datetime]] = []
    for (municipality, mentor, programme, e, _p), pid in zip(plans, participant_ids, strict=True):
        stamps = [_at(t.effective_on, rng) for t in e.history]
        stamps_per_enrolment.append(stamps)
        started = e.started_on is not None
        enrolment_rows.append(
            {
                "participant_id": pid,
                "municipality_id": municipality,
                "programme_code": programme.code,
                "state": e.state.value,
                "step": e.step,
                "highest_step": e.highest_step,
                "referred_on": e.referred_on,
                "started_on": e.started_on,
                "ended_on": e.ended_on,
                "step_entered_on": e.step_entered_on,
                "outcome_kind": e.outcome.kind.value if e.outcome else None,
                "exit_reason_code": e.exit_reason_code,
                "exit_status_code": e.exit_status_code,
                "referrer_organisation_id": rng.choice(referrers) if rng.random() < 0.92 else None,
                "referrer_contact_name": None,
                "referrer_user_id": None,
                "benefit_at_start": rng.choice(BENEFITS) if started else None,
                "months_on_support_before_start": rng.randint(3, 96) if started else None,
                "mentor_id": mentor,
                "created_at": stamps[0],
                "updated_at": stamps[-1],
                # Insert (1), mentor assignment (2), then one bump per transition after refer.
                "version": 2 + len(e.history) - 1,
            }
        )
    enrolment_ids = _returning_ids(conn, EnrolmentRow, enrolment_rows)

    transitions: list[dict[str, Any]] = []
    assignments: list[dict[str, Any]] = []
    consents: list[dict[str, Any]] = []
    submissions: list[dict[str, Any]] = []
    scores: list[dict[str, int]] = []
    for (_m, mentor, programme, e, protected), pid, eid, stamps in zip(
        plans, participant_ids, enrolment_ids, stamps_per_enrolment, strict=True
    ):
        report.states[e.state.value] += 1
        for t, at in zip(e.history, stamps, strict=True):
            o = t.outcome
            transitions.append(
                {
                    "enrolment_id": eid,
                    "seq": t.seq,
                    "kind": t.kind.value,
                    "effective_on": t.effective_on,
                    "recorded_at": at,
                    "actor_user_id": mentor,
                    "actor_client_id": None,
                    "reason": t.reason,
                    "pause_reason": None,
                    "exit_reason_code": t.exit_reason_code,
                    "exit_status_code": t.exit_status_code,
                    "corrects_seq": None,
                    "outcome_kind": o.kind.value if o else None,
                    "outcome_starts_on": o.starts_on if o else None,
                    "outcome_subsidised": o.subsidised if o else None,
                    "outcome_extent_percent": o.extent_percent if o else None,
                    "outcome_studies_kind": o.studies_kind.value if o and o.studies_kind else None,
                }
            )
        assignments.append(
            {
                "enrolment_id": eid,
                "mentor_id": mentor,
                "assigned_on": e.referred_on,
                "ended_on": None,
                "reason": None,
                "assigned_by_user_id": mentor,
                "recorded_at": stamps[0],
            }
        )
        consent_ledger = _consent_entries(rng, pid, mentor, e, today)
        consents.extend(consent_ledger)
        held = bool(consent_ledger) and consent_ledger[-1]["action"] == ConsentAction.GIVEN.value
        # Statistics leave out people whose latest evaluation-consent entry is a withdrawal.
        withdrawn = bool(consent_ledger) and not held
        if e.state is EnrolmentState.EXITED and not withdrawn:
            report.exits[(programme.code, category_of(e.exit_reason_code, e.exit_status_code))] += 1
        if held and not protected:
            report.expected_export_rows += 1
        previous: dict[str, int] | None = None
        for occasion, answered_on in _occasions(rng, e, today):
            submissions.append(
                {
                    "enrolment_id": eid,
                    "occasion": occasion,
                    "revision": 1,
                    "questionnaire_version": CURRENT_QUESTIONNAIRE_VERSION,
                    "answered_on": answered_on,
                    "respondent": "participant",
                    "recorded_by_user_id": mentor,
                    "recorded_by_client_id": None,
                    "recorded_at": _at(answered_on, rng),
                    "supersedes_id": None,
                    "correction_reason": None,
                }
            )
            previous = _scores(rng, previous)
            scores.append(previous)
    _bulk(conn, TransitionRow, transitions)
    _bulk(conn, MentorAssignmentRow, assignments)
    _bulk(conn, ConsentEntryRow, consents)
    submission_ids = _returning_ids(conn, AssessmentSubmissionRow, submissions)

    # About one in a hundred submissions is corrected: a revision-2 submission supersedes it, so
    # the statistics and the export must skip the superseded one.
    corrections: list[dict[str, Any]] = []
    corrected_scores: list[dict[str, int]] = []
    for sid, sub, sc in zip(submission_ids, submissions, scores, strict=True):
        if rng.random() < 0.01:
            corrections.append(
                {
                    **sub,
                    "revision": 2,
                    "supersedes_id": sid,
                    "recorded_at": sub["recorded_at"] + timedelta(days=1),
                    "correction_reason": "Fel siffra inmatad",
                }
            )
            corrected_scores.append(_scores(rng, sc))
    correction_ids = _returning_ids(conn, AssessmentSubmissionRow, corrections)
    answers = list(
        _answer_rows(
            zip([*submission_ids, *correction_ids], [*scores, *corrected_scores], strict=True)
        )
    )
    _bulk(conn, AssessmentAnswerRow, answers)

    report.enrolments += len(enrolment_ids)
    report.participants += len(participant_ids)
    report.transitions += len(transitions)
    report.submissions += len(submission_ids) + len(correction_ids)
    report.answers += len(answers)
    report.consent_entries += len(consents)


def _answer_rows(pairs: Iterable[tuple[int, dict[str, int]]]) -> Iterable[dict[str, Any]]:
    for sid, sc in pairs:
        for item, score in sc.items():
            yield {"submission_id": sid, "item_key": item, "rater": "participant", "score": score}


def _occasions(rng: random.Random, e: Enrolment, today: date) -> list[tuple[str, date]]:
    """Start (most), after Level 1 (some who advanced), exit (most who exited), in date order."""
    if e.started_on is None:
        return []
    out: list[tuple[str, date]] = []
    if rng.random() < 0.85:
        out.append((OCCASION_START, min(today, e.started_on + timedelta(days=rng.randint(0, 10)))))
    advances = [t for t in e.history if t.kind.value == "advance"]
    if advances and rng.random() < 0.4:
        out.append((occasion_after_step(1), advances[0].effective_on))
    if e.state is EnrolmentState.EXITED and e.ended_on is not None and rng.random() < 0.75:
        out.append((OCCASION_EXIT, e.ended_on))
    return out


def _consent_entries(
    rng: random.Random, pid: int, mentor: int, e: Enrolment, today: date
) -> list[dict[str, Any]]:
    if rng.random() >= EVALUATION_CONSENT_SHARE:
        return []
    assert e.referred_on is not None
    given_on = min(today, e.referred_on + timedelta(days=rng.randint(0, 7)))

    def entry(action: ConsentAction, on: date) -> dict[str, Any]:
        return {
            "participant_id": pid,
            "purpose": ConsentPurpose.EVALUATION.value,
            "action": action.value,
            "effective_on": on,
            "form_reference": None,
            "recorded_at": _at(on, rng),
            "recorded_by_user_id": mentor,
            "recorded_by_client_id": None,
        }

    ledger = [entry(ConsentAction.GIVEN, given_on)]
    if rng.random() < WITHDRAWN_SHARE and given_on < today:
        ledger.append(entry(ConsentAction.WITHDRAWN, given_on + timedelta(days=1)))
    return ledger
