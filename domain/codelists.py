"""Code lists as versioned reference data (DOMAIN.md §6).

An association replaces a list by publishing a new version; enrolments keep the code they were
given, and a code's meaning for statistics comes from its flags, never from its number. The
default set below is ours, clearly labelled as not the official SUS/Uppföljning Finsam lists
(those are not in the seeds; only "Annat (5)", "Annat (7)" and "felregistrering" are known).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Any

from domain.errors import InvalidInput, UnknownCode


class CodeListName(StrEnum):
    EXIT_REASON = "exit_reason"
    EXIT_STATUS = "exit_status"
    BENEFIT = "benefit"
    ACTIVITY_TYPE = "activity_type"
    REFERRER_TYPE = "referrer_type"
    EDUCATION_LEVEL = "education_level"


class OutcomeGroup(StrEnum):
    WORK = "work"
    STUDIES = "studies"
    JOB_SEEKING = "job_seeking"
    OTHER = "other"


# Flags only mean something on the two exit lists; elsewhere they would be silently ignored.
_FLAGGED_LISTS = {CodeListName.EXIT_REASON, CodeListName.EXIT_STATUS}

DEFAULT_SET_LABEL = "Standarduppsättning Level Up (ej officiell SUS-lista – kan ersättas)"


@dataclass(frozen=True, slots=True)
class CodeEntry:
    code: str
    label_sv: str
    label_en: str
    sort_order: int
    valid_from: date | None = None
    valid_to: date | None = None
    outcome_group: OutcomeGroup | None = None
    continues_in_regular_operations: bool = False
    excluded_from_statistics: bool = False

    def is_valid_on(self, on: date) -> bool:
        if self.valid_from is not None and on < self.valid_from:
            return False
        return self.valid_to is None or on <= self.valid_to


@dataclass(frozen=True, slots=True)
class CodeList:
    name: CodeListName
    version: int
    label: str
    entries: tuple[CodeEntry, ...]

    def __post_init__(self) -> None:
        validate_entries(self.name, self.entries)

    def find(self, code: str) -> CodeEntry | None:
        return next((e for e in self.entries if e.code == code), None)

    def require(self, code: str, *, on: date, field: str) -> CodeEntry:
        entry = self.find(code)
        if entry is None:
            raise UnknownCode(
                f"Koden '{code}' finns inte i kodlistan {self.name.value}.",
                fields={field: "okänd kod"},
            )
        if not entry.is_valid_on(on):
            raise UnknownCode(
                f"Koden '{code}' i kodlistan {self.name.value} gäller inte {on.isoformat()}.",
                fields={field: "koden gäller inte detta datum"},
            )
        return entry


def validate_entries(name: CodeListName, entries: tuple[CodeEntry, ...]) -> None:
    """Reject a list version that statistics could not interpret unambiguously."""
    if not entries:
        raise InvalidInput("En kodlista måste ha minst en kod.", fields={"entries": "tom lista"})
    codes = [e.code for e in entries]
    duplicates = sorted({c for c in codes if codes.count(c) > 1})
    if duplicates:
        raise InvalidInput(
            f"Koderna måste vara unika; dubbletter: {', '.join(duplicates)}.",
            fields={"entries": "dubbletter"},
        )
    for e in entries:
        if not e.code.strip() or not e.label_sv.strip():
            raise InvalidInput(
                "Varje kod behöver kod och svensk benämning.",
                fields={"entries": "kod eller benämning saknas"},
            )
        if e.valid_from and e.valid_to and e.valid_to < e.valid_from:
            raise InvalidInput(
                f"Koden '{e.code}' slutar gälla innan den börjar gälla.",
                fields={"entries": "giltighetstid"},
            )
        if (name == CodeListName.EXIT_STATUS) != (e.outcome_group is not None):
            raise InvalidInput(
                f"Utfallsgrupp anges för varje status vid avslut och bara där (kod '{e.code}').",
                fields={"entries": "utfallsgrupp"},
            )
        flagged = e.continues_in_regular_operations or e.excluded_from_statistics
        if flagged and name not in _FLAGGED_LISTS:
            raise InvalidInput(
                "Statistikflaggor gäller bara avslutsorsak och status vid avslut "
                f"(kod '{e.code}').",
                fields={"entries": "flaggor"},
            )


def _entries(
    rows: tuple[tuple[str, str, str], ...], attributes: dict[str, dict[str, Any]] | None = None
) -> tuple[CodeEntry, ...]:
    attributes = attributes or {}
    return tuple(
        CodeEntry(
            code=code, label_sv=sv, label_en=en, sort_order=i * 10, **attributes.get(code, {})
        )
        for i, (code, sv, en) in enumerate(rows, start=1)
    )


_W, _S, _J, _O = (
    OutcomeGroup.WORK,
    OutcomeGroup.STUDIES,
    OutcomeGroup.JOB_SEEKING,
    OutcomeGroup.OTHER,
)

DEFAULT_CODE_LISTS: dict[CodeListName, tuple[CodeEntry, ...]] = {
    CodeListName.EXIT_REASON: _entries(
        (
            ("completed", "Insatsen genomförd enligt plan", "Completed according to plan"),
            ("interrupted", "Avbruten av deltagaren", "Interrupted by the participant"),
            ("illness", "Ohälsa eller sjukdom", "Illness"),
            ("moved", "Flyttat från kommunen", "Moved away"),
            (
                "regular_operations",
                "Fortsätter i ordinarie verksamhet",
                "Continues in regular operations",
            ),
            ("5", "Annat (5)", "Other (5)"),
            ("registered_in_error", "Felregistrering", "Registered in error"),
        ),
        {
            "regular_operations": {"continues_in_regular_operations": True},
            "registered_in_error": {"excluded_from_statistics": True},
        },
    ),
    CodeListName.EXIT_STATUS: _entries(
        (
            ("employment_unsubsidised", "Anställning utan stöd", "Employment, unsubsidised"),
            ("employment_subsidised", "Anställning med stöd", "Employment, subsidised"),
            ("studies", "Studier", "Studies"),
            ("job_seeking", "Arbetssökande", "Job-seeking"),
            ("other_intervention", "I annan insats", "In another intervention"),
            ("sick", "Sjukskriven eller utan arbetsförmåga", "Sick or unable to work"),
            ("7", "Annat (7)", "Other (7)"),
        ),
        {
            "employment_unsubsidised": {"outcome_group": _W},
            "employment_subsidised": {"outcome_group": _W},
            "studies": {"outcome_group": _S},
            "job_seeking": {"outcome_group": _J},
            "other_intervention": {"outcome_group": _O},
            "sick": {"outcome_group": _O},
            "7": {"outcome_group": _O},
        },
    ),
    CodeListName.BENEFIT: _entries(
        (
            ("aktivitetsersattning", "Aktivitetsersättning", "Activity compensation"),
            ("sjukpenning", "Sjukpenning", "Sickness benefit"),
            ("forsorjningsstod", "Försörjningsstöd", "Social assistance"),
            (
                "aktivitetsstod",
                "Aktivitetsstöd eller a-kassa",
                "Activity support or unemployment fund",
            ),
            ("etableringsersattning", "Etableringsersättning", "Establishment allowance"),
            ("none", "Ingen ersättning", "None"),
            ("other", "Annan ersättning", "Other"),
        ),
    ),
    CodeListName.ACTIVITY_TYPE: _entries(
        (
            ("motivational_talk", "Motiverande samtal", "Motivational talk"),
            ("health_activity", "Hälsoaktivitet", "Health activity"),
            ("external_activity", "Extern aktivitet", "External activity"),
            ("group_session", "Gruppträff", "Group session"),
            ("study_motivation_course", "Studiemotiverande kurs", "Study-motivation course"),
            ("work_trial", "Arbetsprövning", "Work trial"),
            ("praktik", "Praktik", "Work placement"),
            ("labour_market_training", "Arbetsmarknadsutbildning", "Labour-market training"),
            ("three_party_meeting", "Trepartssamtal", "Three-party meeting"),
            ("referrer_check_in", "Avstämning med remittent", "Check-in with referrer"),
        ),
    ),
    CodeListName.REFERRER_TYPE: _entries(
        (
            ("fk", "Försäkringskassan", "Swedish Social Insurance Agency"),
            ("af", "Arbetsförmedlingen", "Swedish Public Employment Service"),
            ("socialtjanst", "Kommunen – socialtjänst", "Municipality – social services"),
            ("vuxenpsykiatri", "Vuxenpsykiatri", "Adult psychiatry"),
            ("narhalsan", "Närhälsan", "Primary care (Närhälsan)"),
            ("other", "Annan remittent", "Other referrer"),
        ),
    ),
    CodeListName.EDUCATION_LEVEL: _entries(
        (
            ("forgymnasial", "Förgymnasial utbildning", "Below upper secondary (ISCED 0–2)"),
            ("gymnasial", "Gymnasial utbildning", "Upper secondary (ISCED 3–4)"),
            ("eftergymnasial", "Eftergymnasial utbildning", "Tertiary (ISCED 5–8)"),
        ),
    ),
}


def default_code_list(name: CodeListName) -> CodeList:
    return CodeList(name=name, version=1, label=DEFAULT_SET_LABEL, entries=DEFAULT_CODE_LISTS[name])
