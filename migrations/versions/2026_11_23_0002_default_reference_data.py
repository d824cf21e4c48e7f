"""Data: the default code lists (version 1 of each) and the audit chain's genesis row.

Kept apart from the schema migration (house rule). The default code lists are a snapshot of
`domain.codelists.DEFAULT_CODE_LISTS` as of this revision, written out here so that later edits
to the domain defaults cannot change what this migration inserted.

Revision ID: 20261123_0002
Revises: 20261123_0001
Create Date: 2026-11-23
"""

from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "20261123_0002"
down_revision: str | None = "20261123_0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

LABEL = "Standarduppsättning Level Up (ej officiell SUS-lista – kan ersättas)"
GENESIS_HASH = "0" * 64

# (code, label_sv, label_en, outcome_group, continues_in_regular_operations, excluded)
_LISTS: dict[str, list[tuple[str, str, str, str | None, bool, bool]]] = {
    "exit_reason": [
        (
            "completed",
            "Insatsen genomförd enligt plan",
            "Completed according to plan",
            None,
            False,
            False,
        ),
        (
            "interrupted",
            "Avbruten av deltagaren",
            "Interrupted by the participant",
            None,
            False,
            False,
        ),
        ("illness", "Ohälsa eller sjukdom", "Illness", None, False, False),
        ("moved", "Flyttat från kommunen", "Moved away", None, False, False),
        (
            "regular_operations",
            "Fortsätter i ordinarie verksamhet",
            "Continues in regular operations",
            None,
            True,
            False,
        ),
        ("5", "Annat (5)", "Other (5)", None, False, False),
        ("registered_in_error", "Felregistrering", "Registered in error", None, False, True),
    ],
    "exit_status": [
        (
            "employment_unsubsidised",
            "Anställning utan stöd",
            "Employment, unsubsidised",
            "work",
            False,
            False,
        ),
        (
            "employment_subsidised",
            "Anställning med stöd",
            "Employment, subsidised",
            "work",
            False,
            False,
        ),
        ("studies", "Studier", "Studies", "studies", False, False),
        ("job_seeking", "Arbetssökande", "Job-seeking", "job_seeking", False, False),
        ("other_intervention", "I annan insats", "In another intervention", "other", False, False),
        (
            "sick",
            "Sjukskriven eller utan arbetsförmåga",
            "Sick or unable to work",
            "other",
            False,
            False,
        ),
        ("7", "Annat (7)", "Other (7)", "other", False, False),
    ],
    "benefit": [
        (
            "aktivitetsersattning",
            "Aktivitetsersättning",
            "Activity compensation",
            None,
            False,
            False,
        ),
        ("sjukpenning", "Sjukpenning", "Sickness benefit", None, False, False),
        ("forsorjningsstod", "Försörjningsstöd", "Social assistance", None, False, False),
        (
            "aktivitetsstod",
            "Aktivitetsstöd eller a-kassa",
            "Activity support or unemployment fund",
            None,
            False,
            False,
        ),
        (
            "etableringsersattning",
            "Etableringsersättning",
            "Establishment allowance",
            None,
            False,
            False,
        ),
        ("none", "Ingen ersättning", "None", None, False, False),
        ("other", "Annan ersättning", "Other", None, False, False),
    ],
    "activity_type": [
        ("motivational_talk", "Motiverande samtal", "Motivational talk", None, False, False),
        ("health_activity", "Hälsoaktivitet", "Health activity", None, False, False),
        ("external_activity", "Extern aktivitet", "External activity", None, False, False),
        ("group_session", "Gruppträff", "Group session", None, False, False),
        (
            "study_motivation_course",
            "Studiemotiverande kurs",
            "Study-motivation course",
            None,
            False,
            False,
        ),
        ("work_trial", "Arbetsprövning", "Work trial", None, False, False),
        ("praktik", "Praktik", "Work placement", None, False, False),
        (
            "labour_market_training",
            "Arbetsmarknadsutbildning",
            "Labour-market training",
            None,
            False,
            False,
        ),
        ("three_party_meeting", "Trepartssamtal", "Three-party meeting", None, False, False),
        (
            "referrer_check_in",
            "Avstämning med remittent",
            "Check-in with referrer",
            None,
            False,
            False,
        ),
    ],
    "referrer_type": [
        ("fk", "Försäkringskassan", "Swedish Social Insurance Agency", None, False, False),
        ("af", "Arbetsförmedlingen", "Swedish Public Employment Service", None, False, False),
        (
            "socialtjanst",
            "Kommunen – socialtjänst",
            "Municipality – social services",
            None,
            False,
            False,
        ),
        ("vuxenpsykiatri", "Vuxenpsykiatri", "Adult psychiatry", None, False, False),
        ("narhalsan", "Närhälsan", "Primary care (Närhälsan)", None, False, False),
        ("other", "Annan remittent", "Other referrer", None, False, False),
    ],
    "education_level": [
        (
            "forgymnasial",
            "Förgymnasial utbildning",
            "Below upper secondary (ISCED 0–2)",
            None,
            False,
            False,
        ),
        ("gymnasial", "Gymnasial utbildning", "Upper secondary (ISCED 3–4)", None, False, False),
        ("eftergymnasial", "Eftergymnasial utbildning", "Tertiary (ISCED 5–8)", None, False, False),
    ],
}


def upgrade() -> None:
    now = datetime.now(UTC)
    versions = sa.table(
        "code_list_versions",
        sa.column("id", sa.Integer),
        sa.column("list_name", sa.String),
        sa.column("version", sa.Integer),
        sa.column("label", sa.String),
        sa.column("published_at", sa.DateTime(timezone=True)),
    )
    entries = sa.table(
        "code_list_entries",
        sa.column("version_id", sa.Integer),
        sa.column("code", sa.String),
        sa.column("label_sv", sa.String),
        sa.column("label_en", sa.String),
        sa.column("sort_order", sa.Integer),
        sa.column("outcome_group", sa.String),
        sa.column("continues_in_regular_operations", sa.Boolean),
        sa.column("excluded_from_statistics", sa.Boolean),
    )
    bind = op.get_bind()
    for list_name, rows in _LISTS.items():
        version_id = bind.execute(
            versions.insert()
            .values(list_name=list_name, version=1, label=LABEL, published_at=now)
            .returning(versions.c.id)
        ).scalar_one()
        op.bulk_insert(
            entries,
            [
                {
                    "version_id": version_id,
                    "code": code,
                    "label_sv": sv,
                    "label_en": en,
                    "sort_order": (i + 1) * 10,
                    "outcome_group": group,
                    "continues_in_regular_operations": continues,
                    "excluded_from_statistics": excluded,
                }
                for i, (code, sv, en, group, continues, excluded) in enumerate(rows)
            ],
        )
    op.execute(
        sa.text("INSERT INTO audit_chain_head (id, last_hash) VALUES (1, :h)").bindparams(
            h=GENESIS_HASH
        )
    )


def downgrade() -> None:
    op.execute("DELETE FROM audit_chain_head")
    op.execute("DELETE FROM code_list_entries")
    op.execute("DELETE FROM code_list_versions")
