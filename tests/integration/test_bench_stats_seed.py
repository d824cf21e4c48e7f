"""The statistics benchmark's generator (bench.stats_seed) at a tiny size, on SQLite.

Why here: the benchmark is not part of pytest, so without this a change to the schema or the
state machine could leave it writing rows the app would never write, and its figures would
silently measure the wrong data. Fast (one 200-enrolment seed, module-scoped).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session

from api.persistence.db import make_engine
from api.persistence.models import EnrolmentRow, ParticipantRow, TransitionRow
from api.persistence.models.assessments import AssessmentAnswerRow, AssessmentSubmissionRow
from api.persistence.models.consents import ConsentEntryRow
from api.persistence.repositories.enrolments import to_domain_transition
from api.persistence.repositories.exports import EvaluationFilter, count_evaluation_rows
from bench import stats_export, stats_seed
from domain.enrolment import EnrolmentState, replay
from domain.personnummer import Personnummer

SIZE = 200


Seeded = tuple[Engine, Any]  # Any: bench.stats_seed.StatsSeedReport


@pytest.fixture(scope="module")
def seeded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Seeded]:
    path: Path = tmp_path_factory.mktemp("stats-seed") / "seed.sqlite3"
    url = f"sqlite:///{path}"
    report = stats_seed.seed_stats(url, SIZE)
    engine = make_engine(url)
    yield engine, report
    engine.dispose()


def test_every_history_replays_to_its_enrolment_row(seeded: Seeded) -> None:
    engine, report = seeded
    with Session(engine) as session:
        rows = session.execute(select(EnrolmentRow).order_by(EnrolmentRow.id)).scalars().all()
        transitions: dict[int, list[TransitionRow]] = {}
        for t in session.execute(
            select(TransitionRow).order_by(TransitionRow.enrolment_id, TransitionRow.seq)
        ).scalars():
            transitions.setdefault(t.enrolment_id, []).append(t)
        assert len(rows) == report.enrolments == SIZE
        # The statistics leave out people whose latest evaluation-consent entry is a withdrawal.
        latest_action: dict[int, str] = {}
        for c in session.execute(
            select(ConsentEntryRow)
            .where(ConsentEntryRow.purpose == "evaluation")
            .order_by(ConsentEntryRow.effective_on, ConsentEntryRow.id)
        ).scalars():
            latest_action[c.participant_id] = c.action
        category_of = stats_seed.category_of
        states: Counter[str] = Counter()
        exits: Counter[tuple[str, str]] = Counter()
        for row in rows:
            history = tuple(to_domain_transition(t) for t in transitions[row.id])
            e = replay(row.programme_code, history)
            projected = (
                e.state.value,
                e.step,
                e.highest_step,
                e.referred_on,
                e.started_on,
                e.ended_on,
                e.step_entered_on,
                e.outcome.kind.value if e.outcome else None,
                e.exit_reason_code,
                e.exit_status_code,
            )
            stored = (
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
            )
            assert stored == projected, row.id
            states[row.state] += 1
            withdrawn = latest_action.get(row.participant_id) == "withdrawn"
            if row.state == EnrolmentState.EXITED.value and not withdrawn:
                exits[
                    (row.programme_code, category_of(row.exit_reason_code, row.exit_status_code))
                ] += 1
    assert states == report.states
    assert exits == report.exits
    # The shapes the statistics need are all there, even at this size.
    assert {c for _, c in exits} == {"exited", "continuing", "excluded"}
    assert {EnrolmentState.ACTIVE.value, EnrolmentState.EXITED.value} <= set(states)


def test_people_are_distinct_test_series_numbers(seeded: Seeded) -> None:
    engine, _ = seeded
    with Session(engine) as session:
        numbers = session.execute(select(ParticipantRow.personnummer)).scalars().all()
    assert len(numbers) == len(set(numbers)) == SIZE
    for digits in numbers:
        Personnummer(digits)  # valid date and check digit
        assert 988 <= int(digits[8:11]) <= 999


def test_assessments_are_whole_questionnaires(seeded: Seeded) -> None:
    engine, report = seeded
    with Session(engine) as session:
        per_submission = Counter(
            session.execute(select(AssessmentAnswerRow.submission_id)).scalars().all()
        )
        occasions = Counter(session.execute(select(AssessmentSubmissionRow.occasion)).scalars())
    assert len(per_submission) == report.submissions
    assert set(per_submission.values()) == {10}
    assert {"start", "exit"} <= set(occasions)


def test_the_export_population_is_what_was_generated(
    seeded: Seeded,
) -> None:
    engine, report = seeded
    url = str(engine.url)
    assert 0 < report.expected_export_rows < SIZE
    assert (
        stats_export.expected_export_rows(url, report.association_id) == report.expected_export_rows
    )
    with Session(engine) as session:
        flt = EvaluationFilter(association_id=report.association_id)
        assert count_evaluation_rows(session, flt) == report.expected_export_rows
