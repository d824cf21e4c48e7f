"""Data: fill the task list's read model from the rows it is derived from.

Kept apart from the schema migration (house rule), and written out here as a snapshot of the
rules in api/persistence/repositories/task_items.py as of this revision, so that later edits
there cannot change what this migration wrote. After this revision the application keeps the
rows current at every commit; `levelup rebuild-task-items` recomputes them with the current
rules.

Revision ID: 20261124_0009
Revises: 20261124_0008
Create Date: 2026-11-24
"""

from collections.abc import Sequence

from alembic import op

revision: str = "20261124_0009"
down_revision: str | None = "20261124_0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# Open due occasions: no submission answers the occasion (a correction still answers it).
_ASSESSMENTS = """
INSERT INTO task_items (enrolment_id, mentor_id, kind, dated_on, source_id, label)
SELECT d.enrolment_id, e.mentor_id, 'assessment', d.due_on, d.id, d.occasion
FROM assessment_due_occasions d JOIN enrolments e ON e.id = d.enrolment_id
WHERE NOT EXISTS (
    SELECT 1 FROM assessment_submissions s
    WHERE s.enrolment_id = d.enrolment_id AND s.occasion = d.occasion
)
"""

# Open follow-ups; contact is permitted when the rule needs no consent or the participant's
# latest follow-up-contact entry (by date, then recording order) is a giving.
_FOLLOW_UPS = """
INSERT INTO task_items (
    enrolment_id, mentor_id, kind, dated_on, source_id, label, contact_permitted
)
SELECT f.enrolment_id, e.mentor_id, 'follow_up', f.due_on, f.id, f.kind,
       CASE WHEN NOT f.requires_contact_consent OR EXISTS (
           SELECT 1 FROM consent_entries latest
           WHERE latest.participant_id = e.participant_id
             AND latest.purpose = 'follow_up_contact'
             AND latest.action = 'given'
             AND NOT EXISTS (
                 SELECT 1 FROM consent_entries later
                 WHERE later.participant_id = latest.participant_id
                   AND later.purpose = latest.purpose
                   AND (later.effective_on > latest.effective_on
                        OR (later.effective_on = latest.effective_on AND later.id > latest.id))
             )
       ) THEN TRUE ELSE FALSE END
FROM follow_ups f JOIN enrolments e ON e.id = f.enrolment_id
WHERE f.recorded_at IS NULL
"""

# The latest activity or attended cohort session, where there is one.
_ACTIVITY = """
INSERT INTO task_items (enrolment_id, mentor_id, kind, dated_on)
SELECT dated.enrolment_id, e.mentor_id, 'activity', MAX(dated.on_date)
FROM (
    SELECT a.enrolment_id AS enrolment_id, a.occurred_on AS on_date FROM activities a
    UNION ALL
    SELECT t.enrolment_id, s.held_on
    FROM attendance t JOIN cohort_sessions s ON s.id = t.session_id
    WHERE t.attended = TRUE
) dated JOIN enrolments e ON e.id = dated.enrolment_id
GROUP BY dated.enrolment_id, e.mentor_id
"""

# The cohorts each enrolment is a member of.
_MEMBERS = """
INSERT INTO task_items (enrolment_id, mentor_id, kind, dated_on, source_id)
SELECT m.enrolment_id, e.mentor_id, 'member', m.joined_on, m.cohort_id
FROM cohort_members m JOIN enrolments e ON e.id = m.enrolment_id
"""


def upgrade() -> None:
    for statement in (_ASSESSMENTS, _FOLLOW_UPS, _ACTIVITY, _MEMBERS):
        op.execute(statement)


def downgrade() -> None:
    op.execute("DELETE FROM task_items")
