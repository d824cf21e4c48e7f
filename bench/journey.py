"""The participant journey for the task-list benchmark, on top of bench.seed's enrolments.

bench.seed writes histories with Core inserts (fast, but past the enrolment repository), so the
projections the repository normally keeps (due assessments, follow-up schedule) are built here
from each replayed history with the same `sync_schedules` the application uses. Then the demo's
journey generator (api.demo_journey) adds what a mentor's year leaves behind: assessments,
follow-up results, activities, cohorts with this week's sessions, plans, consents.
"""

from __future__ import annotations

import time
from collections import defaultdict
from datetime import UTC, date, datetime

from sqlalchemy import select

from api.demo_journey import load_journey_demo
from api.persistence.models import EnrolmentRow, TransitionRow
from api.persistence.repositories.enrolments import to_domain_transition
from api.persistence.repositories.journey_schedules import sync_schedules
from api.persistence.uow import Database
from bench.seed import SEED, SeedReport, analyze
from domain.enrolment import replay


def add_journey(url: str, report: SeedReport, *, today: date) -> dict[str, float]:
    started = time.perf_counter()
    database = Database.from_url(url)
    try:
        with database.unit_of_work(write=True) as uow:
            session = uow.session
            history: dict[int, list[TransitionRow]] = defaultdict(list)
            for t in session.execute(
                select(TransitionRow).order_by(TransitionRow.enrolment_id, TransitionRow.seq)
            ).scalars():
                history[t.enrolment_id].append(t)
            for row in session.execute(select(EnrolmentRow)).scalars():
                enrolment = replay(
                    row.programme_code, tuple(to_domain_transition(t) for t in history[row.id])
                )
                sync_schedules(session, row, enrolment)
            uow.commit()
        counts: dict[str, float] = dict(
            load_journey_demo(
                database,
                municipality_ids=[report.municipality_id],
                seed=SEED,
                today=today,
                now=datetime.now(UTC),
            )
        )
        analyze(database.engine)
    finally:
        database.dispose()
    counts["seconds"] = round(time.perf_counter() - started, 1)
    return counts
