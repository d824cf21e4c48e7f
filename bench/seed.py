"""A fresh, migrated database with one realistic municipality, for the throughput benchmarks.

What it builds: 100 mentors with 30 open (ACTIVE) enrolments each, i.e. 3000 participants with
test-series personnummer (Skatteverket birth numbers 988-999 only, at most six per sex and birth
date), each enrolment with the history the real service would have written: refer, hold_intake,
start and 0-3 advances, built with the domain's `open_referral`/`apply` (so every history is one
the state machine accepts) and projected onto the enrolment row the way the repository does. Also
a mentor assignment per enrolment and the hash-chained audit trail of all those writes.

Why: the caseload endpoint's cost depends on table sizes, indexes and the shape of the data
(joins, the scope's EXISTS subqueries, the audit chain), so the benchmark must run on data that
looks like production, not on an empty schema. The schema comes from the Alembic migrations
(never `create_all`), exactly like the tests and production. Rows are inserted with Core bulk
inserts in one transaction, so seeding takes a few seconds rather than minutes.
"""

from __future__ import annotations

import random
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from datetime import time as dt_time
from pathlib import Path
from typing import Any, cast

from sqlalchemy import Engine, Table, create_engine, insert, select, text, update

from api.clock import Clock
from api.demo_data import FIRST_NAMES_MEN, FIRST_NAMES_WOMEN, LAST_NAMES
from api.persistence import schema
from api.persistence.audit import CHAIN_HEAD_ID, GENESIS_HASH, AuditEvent, verify_chain
from api.persistence.audit import _digest as audit_digest  # the chain's one hash function
from api.persistence.db import make_engine
from api.persistence.models import (
    AuditChainHeadRow,
    AuditEntryRow,
    AuditSubjectRow,
    EnrolmentRow,
    MentorAssignmentRow,
    OrganisationRow,
    ParticipantRow,
    ProtectedIdentityGrantRow,
    TransitionRow,
    UserRow,
)
from api.security.passwords import hash_password
from api.security.permissions import Role
from domain.enrolment import (
    Advance,
    Enrolment,
    EnrolmentState,
    HoldIntake,
    Outcome,
    OutcomeKind,
    Start,
    StudiesKind,
    apply,
    open_referral,
)
from domain.personnummer import TEST_NUMBERS_PER_SEX_PER_DATE, LegalSex, make_test_personnummer
from domain.programmes import LEVEL_UP, LEVEL_UPGRADE, Programme

MENTORS = 100
ENROLMENTS_PER_MENTOR = 30
# Roughly one in a hundred people has protected identity; their mentor is a named user.
PROTECTED_SHARE = 0.01
SEED = 20261123

EDUCATION = ("forgymnasial", "gymnasial", "eftergymnasial", None)


@dataclass
class SeedReport:
    url: str
    municipality_id: int
    mentor_ids: list[int]
    participants: int = 0
    enrolments: int = 0
    transitions: int = 0
    audit_entries: int = 0
    advances_histogram: dict[int, int] = field(default_factory=dict)
    migrate_seconds: float = 0.0
    seed_seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {
            "mentors": len(self.mentor_ids),
            "participants": self.participants,
            "enrolments": self.enrolments,
            "transitions": self.transitions,
            "audit_entries": self.audit_entries,
            "advances_histogram": {str(k): v for k, v in sorted(self.advances_histogram.items())},
            "migrate_seconds": round(self.migrate_seconds, 2),
            "seed_seconds": round(self.seed_seconds, 2),
        }


# ---- database lifecycle ----------------------------------------------------------------------


def _replace_database(url: str, name: str) -> str:
    return url.rsplit("/", 1)[0] + "/" + name


@contextmanager
def fresh_database(backend: str, *, workdir: Path, postgres_admin_url: str | None) -> Iterator[str]:
    """Yield the URL of a new empty database; drop it afterwards."""
    if backend == "sqlite":
        path = workdir / f"bench-{uuid.uuid4().hex[:8]}.sqlite3"
        try:
            yield f"sqlite:///{path}"
        finally:
            for suffix in ("", "-wal", "-shm"):
                Path(f"{path}{suffix}").unlink(missing_ok=True)
        return
    if not postgres_admin_url:
        raise RuntimeError(
            "PostgreSQL needs LEVELUP_TEST_POSTGRES_URL "
            "(run through scripts/with-postgres.sh or `make bench`)"
        )
    name = f"levelup_bench_{uuid.uuid4().hex[:8]}"
    admin = create_engine(postgres_admin_url, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
        yield _replace_database(postgres_admin_url, name)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def migrate(engine: Engine) -> None:
    """Build the schema the way production does: the Alembic migrations, up to head."""
    schema.upgrade(engine)


# ---- synthetic people and histories ----------------------------------------------------------


class _BirthDates:
    """Random birth dates that never use more than six test numbers per sex and date."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._used: dict[tuple[date, LegalSex], int] = {}

    def personnummer(self, sex: LegalSex, *, youngest: date, oldest: date) -> tuple[date, str]:
        span = (youngest - oldest).days
        while True:
            birth = oldest + timedelta(days=self._rng.randint(0, span))
            serial = self._used.get((birth, sex), 0)
            if serial < TEST_NUMBERS_PER_SEX_PER_DATE:
                self._used[(birth, sex)] = serial + 1
                return birth, make_test_personnummer(birth, serial, sex).digits


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _history(
    rng: random.Random, programme: Programme, birth: date, referred_on: date, today: date
) -> tuple[Enrolment, int]:
    """A history the state machine accepts: refer, hold_intake, start, 0-3 advances."""
    enrolment, _ = open_referral(programme, referred_on=referred_on, birth_date=birth, today=today)
    on = referred_on + timedelta(days=rng.randint(3, 21))
    enrolment, _ = apply(enrolment, HoldIntake(on), programme=programme, today=today)
    on += timedelta(days=rng.randint(5, 30))
    enrolment, _ = apply(enrolment, Start(on), programme=programme, today=today)
    wanted = rng.choices((0, 1, 2, 3), weights=(30, 35, 25, 10))[0]
    done = 0
    for _ in range(wanted):
        nxt = on + timedelta(days=rng.randint(21, 90))
        if nxt > today:
            break
        assert enrolment.step is not None
        outcome = None
        if programme.step(enrolment.step + 1).requires_outcome:
            if rng.random() < 0.6:
                outcome = Outcome(
                    OutcomeKind.WORK,
                    starts_on=nxt,
                    subsidised=rng.random() < 0.5,
                    extent_percent=rng.choice((50, 75, 100)),
                )
            else:
                outcome = Outcome(
                    OutcomeKind.STUDIES, starts_on=nxt, studies_kind=rng.choice(tuple(StudiesKind))
                )
        enrolment, _ = apply(enrolment, Advance(nxt, outcome), programme=programme, today=today)
        on = nxt
        done += 1
    assert enrolment.state is EnrolmentState.ACTIVE
    return enrolment, done


def _at(day: date, rng: random.Random) -> datetime:
    """An office-hours UTC timestamp on a business date."""
    return datetime.combine(day, dt_time(7, 0), UTC) + timedelta(minutes=rng.randint(0, 540))


# ---- seeding ---------------------------------------------------------------------------------


def analyze(engine: Engine) -> None:
    """Fresh planner statistics after a bulk load, as autovacuum (PostgreSQL) or a routine
    ANALYZE would have them in a running installation: without them the planner works from
    the empty tables' estimates."""
    with engine.connect() as conn:
        conn.exec_driver_sql("ANALYZE")
        conn.commit()


def seed(
    url: str,
    *,
    mentors: int = MENTORS,
    per_mentor: int = ENROLMENTS_PER_MENTOR,
    clock: Clock | None = None,
) -> SeedReport:
    """Migrate the empty database at `url` and fill it; returns ids and counts."""
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        migrate(engine)
        migrated = time.perf_counter()
        report = _fill(
            engine, url, mentors=mentors, per_mentor=per_mentor, today=(clock or Clock()).today()
        )
        analyze(engine)
        report.migrate_seconds = migrated - started
        report.seed_seconds = time.perf_counter() - migrated
        _check(engine, report, per_mentor)
        return report
    finally:
        engine.dispose()  # SQLite: checkpoints the WAL into the main file


def _fill(engine: Engine, url: str, *, mentors: int, per_mentor: int, today: date) -> SeedReport:
    rng = random.Random(SEED)
    births = _BirthDates(rng)
    setup_at = datetime.combine(today - timedelta(days=800), dt_time(8, 0), UTC)
    password_hash = hash_password(uuid.uuid4().hex)  # nobody logs in; tokens are minted directly

    def returning_ids(conn: Any, model: Any, rows: list[dict[str, Any]]) -> list[int]:
        table = model.__table__
        stmt = insert(table).returning(table.c.id, sort_by_parameter_order=True)
        return [r[0] for r in conn.execute(stmt, rows)]

    with engine.begin() as conn:

        def org(**values: Any) -> int:
            return returning_ids(conn, OrganisationRow, [{"created_at": setup_at, **values}])[0]

        association = org(kind="association", name="Samordningsförbundet Benchbygden")
        municipality = org(
            kind="municipality", name="Skara", parent_id=association, municipality_code="1495"
        )
        unit = org(kind="unit", name="Arbetsmarknadsenheten Skara", parent_id=municipality)

        mentor_rows = []
        for m in range(mentors):
            women = m % 2 == 0
            first = rng.choice(FIRST_NAMES_WOMEN if women else FIRST_NAMES_MEN)
            mentor_rows.append(
                {
                    "username": f"mentor.{m + 1:03d}",
                    "display_name": f"{first} {rng.choice(LAST_NAMES)}",
                    "password_hash": password_hash,
                    "role": Role.MENTOR.value,
                    "organisation_id": unit,
                    "municipality_id": municipality,
                    "is_active": True,
                    "created_at": setup_at,
                    "updated_at": setup_at,
                    "version": 1,
                }
            )
        mentor_ids = returning_ids(conn, UserRow, mentor_rows)
        report = SeedReport(url, municipality, mentor_ids)

        # People first, so enrolments can point at their ids.
        people: list[dict[str, Any]] = []
        plans: list[tuple[int, Programme, date, Enrolment, int]] = []
        for i in range(mentors * per_mentor):
            mentor_id = mentor_ids[i % mentors]
            sex = LegalSex.WOMAN if rng.random() < 0.55 else LegalSex.MAN
            programme = LEVEL_UP if rng.random() < 0.6 else LEVEL_UPGRADE
            referred_on = today - timedelta(days=rng.randint(60, 540))
            if programme is LEVEL_UP:  # 16-29: keep a margin on both ends
                youngest, oldest = _years_before(referred_on, 17), _years_before(referred_on, 29)
            else:  # 18-64
                youngest, oldest = _years_before(referred_on, 19), _years_before(referred_on, 60)
            birth, pnr = births.personnummer(sex, youngest=youngest, oldest=oldest + timedelta(1))
            first = rng.choice(FIRST_NAMES_WOMEN if sex is LegalSex.WOMAN else FIRST_NAMES_MEN)
            last = rng.choice(LAST_NAMES)
            enrolment, advances = _history(rng, programme, birth, referred_on, today)
            report.advances_histogram[advances] = report.advances_histogram.get(advances, 0) + 1
            # Registered just before the referral (every _at() is 07:00 or later).
            created_at = datetime.combine(referred_on, dt_time(6, 30), UTC)
            people.append(
                {
                    "municipality_id": municipality,
                    "personnummer": pnr,
                    "first_name": first,
                    "last_name": last,
                    "search_name": f"{first} {last}".lower(),
                    "phone": f"070-{rng.randint(0, 9999999):07d}",
                    "email": f"{first}.{last}.{i}@example.invalid".lower(),
                    "address": None,
                    "gender": sex.value if rng.random() < 0.9 else "not_stated",
                    "education_level": rng.choice(EDUCATION),
                    "protected_identity": rng.random() < PROTECTED_SHARE,
                    "created_by_user_id": mentor_id,
                    "created_at": created_at,
                    "updated_at": created_at,
                    "version": 1,
                }
            )
            plans.append((mentor_id, programme, referred_on, enrolment, advances))
        participant_ids = returning_ids(conn, ParticipantRow, people)

        enrolment_rows = []
        recorded: list[list[datetime]] = []
        for (mentor_id, programme, _referred_on, e, _adv), pid in zip(
            plans, participant_ids, strict=True
        ):
            stamps = [_at(t.effective_on, rng) for t in e.history]
            recorded.append(stamps)
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
                    "referrer_organisation_id": None,
                    "referrer_contact_name": None,
                    "referrer_user_id": None,
                    "benefit_at_start": None,
                    "mentor_id": mentor_id,
                    "created_at": stamps[0],
                    "updated_at": stamps[-1],
                    # What the ORM version counter reaches: insert (1), mentor assignment (2), then
                    # one bump per transition after the referral.
                    "version": 2 + len(e.history) - 1,
                }
            )
        enrolment_ids = returning_ids(conn, EnrolmentRow, enrolment_rows)

        transitions, assignments, grants = [], [], []
        # (occurred_at, tiebreak, actor, event) for the audit trail, chained in time order.
        audit: list[tuple[datetime, int, int, AuditEvent]] = []
        for n, ((mentor_id, programme, _r, e, _a), pid, eid, stamps) in enumerate(
            zip(plans, participant_ids, enrolment_ids, recorded, strict=True)
        ):
            audit.append(
                (
                    people[n]["created_at"],
                    0,
                    mentor_id,
                    AuditEvent("participant.create", [pid], "participant", pid),
                )
            )
            for t, at in zip(e.history, stamps, strict=True):
                o = t.outcome
                transitions.append(
                    {
                        "enrolment_id": eid,
                        "seq": t.seq,
                        "kind": t.kind.value,
                        "effective_on": t.effective_on,
                        "recorded_at": at,
                        "actor_user_id": mentor_id,
                        "actor_client_id": None,
                        "reason": t.reason,
                        "pause_reason": None,
                        "exit_reason_code": None,
                        "exit_status_code": None,
                        "corrects_seq": None,
                        "outcome_kind": o.kind.value if o else None,
                        "outcome_starts_on": o.starts_on if o else None,
                        "outcome_subsidised": o.subsidised if o else None,
                        "outcome_extent_percent": o.extent_percent if o else None,
                        "outcome_studies_kind": o.studies_kind.value
                        if o and o.studies_kind
                        else None,
                    }
                )
                if t.seq == 1:
                    event = AuditEvent(
                        "enrolment.refer",
                        [pid],
                        "enrolment",
                        eid,
                        detail={"programme": programme.code},
                    )
                else:
                    event = AuditEvent(
                        f"enrolment.{t.kind.value}", [pid], "enrolment", eid, detail={"seq": t.seq}
                    )
                audit.append((at, t.seq, mentor_id, event))
            assignments.append(
                {
                    "enrolment_id": eid,
                    "mentor_id": mentor_id,
                    "assigned_on": e.referred_on,
                    "ended_on": None,
                    "reason": None,
                    "assigned_by_user_id": mentor_id,
                    "recorded_at": stamps[0],
                }
            )
            if people[n]["protected_identity"]:
                grants.append(
                    {
                        "participant_id": pid,
                        "user_id": mentor_id,
                        "granted_at": stamps[0],
                        "granted_by_user_id": mentor_id,
                    }
                )
        conn.execute(insert(cast(Table, TransitionRow.__table__)), transitions)
        conn.execute(insert(cast(Table, MentorAssignmentRow.__table__)), assignments)
        if grants:
            conn.execute(insert(cast(Table, ProtectedIdentityGrantRow.__table__)), grants)

        audit.sort(key=lambda a: (a[0], a[1]))
        prev = GENESIS_HASH
        entries = []
        for at, _tiebreak, actor, event in audit:
            row_hash = audit_digest(
                prev, at, "user", actor, Role.MENTOR.value, event, sorted(event.participant_ids)
            )
            entries.append(
                {
                    "occurred_at": at,
                    "actor_kind": "user",
                    "actor_id": actor,
                    "actor_role": Role.MENTOR.value,
                    "action": event.action,
                    "entity_type": event.entity_type,
                    "entity_id": event.entity_id,
                    "purpose": None,
                    "detail": event.detail or None,
                    "prev_hash": prev,
                    "row_hash": row_hash,
                }
            )
            prev = row_hash
        audit_ids = returning_ids(conn, AuditEntryRow, entries)
        conn.execute(
            insert(cast(Table, AuditSubjectRow.__table__)),
            [
                {"audit_id": aid, "participant_id": a[3].participant_ids[0]}
                for aid, a in zip(audit_ids, audit, strict=True)
            ],
        )
        conn.execute(
            update(cast(Table, AuditChainHeadRow.__table__))
            .where(AuditChainHeadRow.id == CHAIN_HEAD_ID)
            .values(last_hash=prev)
        )

        report.participants = len(participant_ids)
        report.enrolments = len(enrolment_ids)
        report.transitions = len(transitions)
        report.audit_entries = len(entries)
    return report


def _check(engine: Engine, report: SeedReport, per_mentor: int) -> None:
    """Fail loudly if the seeded data is not what the benchmark assumes."""
    from sqlalchemy import func
    from sqlalchemy.orm import Session

    with Session(engine) as session:
        counts = session.execute(
            select(EnrolmentRow.mentor_id, func.count())
            .where(EnrolmentRow.state == EnrolmentState.ACTIVE.value)
            .group_by(EnrolmentRow.mentor_id)
        ).all()
        if len(counts) != len(report.mentor_ids) or {c for _, c in counts} != {per_mentor}:
            raise RuntimeError(f"seed check: active enrolments per mentor are {counts[:5]}...")
        chain = verify_chain(session)
        if not chain.ok or chain.entries != report.audit_entries:
            raise RuntimeError(f"seed check: audit chain broken at {chain.first_broken_id}")
