"""Deterministic synthetic demo data (DOMAIN.md §5: synthetic data only).

Everything is invented: test-series personnummer only (birth numbers 988-999, via
`make_test_personnummer`), names from lists of common Swedish first and last names (never the
real people named in the seed documents), fictional phone numbers from the ranges the Swedish
Post and Telecom Authority (PTS) reserves for drama and examples.

Enrolment histories are written the way the application writes them: `open_referral`, then one
domain command at a time through `apply`, stored with `EnrolmentRepository.add/save`, mentors
through `assign_mentor`. No state column is ever set by hand, so every stored row is exactly the
`replay` of its transitions. The same seed always gives the same people and histories (only the
`recorded_at` times are clamped to "now").

Planning is pure (a `random.Random` per participant, so changing one plan does not shift the
others); writing happens in one unit of work per `BATCH_SIZE` participants. Demo loading writes
a single audit entry, `demo_data.load`, as the system actor.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock_time
from enum import StrEnum

from sqlalchemy import Select, exists, func, select
from sqlalchemy.orm import Session

from api.clock import BUSINESS_TZ
from api.demo_journey import load_journey_demo
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.models import (
    EnrolmentRow,
    IntegrationClientRow,
    OrganisationRow,
    ParticipantRow,
    TransitionRow,
    UserRow,
)
from api.persistence.repositories.codelists import CodeListRepository
from api.persistence.repositories.enrolments import EnrolmentRepository
from api.persistence.repositories.participants import ParticipantRepository, search_name
from api.persistence.uow import Database
from api.security.passwords import hash_password
from api.security.permissions import ROLE_PERMISSIONS, Role
from api.security.principal import ActorKind, Principal, scope_for
from domain import enrolment as sm
from domain.codelists import CodeList, CodeListName
from domain.enrolment import EnrolmentState, OutcomeKind, PauseReason, StudiesKind
from domain.personnummer import (
    TEST_NUMBERS_PER_SEX_PER_DATE,
    LegalSex,
    Personnummer,
    make_test_personnummer,
)
from domain.programmes import LEVEL_UP, LEVEL_UPGRADE, Programme

# ---- what the demo contains (data, so the CLI and the README print the same thing) -------------

# Published on purpose: these accounts exist only in demo databases (the CLI refuses to load demo
# data when LEVELUP_ENVIRONMENT=production).
DEMO_PASSWORD = "levelup-demo-2026"  # noqa: S105
DEMO_CLIENT_ID = "lu_demo_lidkoping"
DEMO_CLIENT_SECRET = "demo-client-secret-lidkoping-2026"  # noqa: S105
DEMO_CLIENT_NAME = "Verksamhetssystem Lidköping (demo)"
DEMO_CLIENT_MUNICIPALITY = "Lidköping"
DEMO_CLIENT_PERMISSIONS = (
    "participant:read participant:create enrolment:read enrolment:refer enrolment:transition"
)
ASSOCIATION_NAME = "Samordningsförbundet Västra Skaraborg (demo)"

BATCH_SIZE = 50
DEFAULT_SEED = 2016
DEFAULT_PARTICIPANTS = 250

# Level Up (the ESF project) took referrals from 2016 and handed everyone still enrolled over
# to Level Upgrade, ordinary kommun activity, when it ended on 30 June 2019 (seeds 000, 003).
LEVEL_UP_FIRST_REFERRAL = date(2016, 1, 4)
LEVEL_UP_LAST_DAY = date(2019, 6, 30)
LEVEL_UPGRADE_FIRST_DAY = date(2019, 7, 1)
EARLIEST_TODAY = date(2020, 1, 1)
# Accounts and organisations "existed" from the project start, before the first referral.
PROJECT_START = datetime(2015, 11, 1, 8, 0, tzinfo=UTC)


@dataclass(frozen=True)
class DemoMunicipality:
    name: str
    code: str  # SCB kommunkod
    slug: str  # ASCII, for usernames
    weight: int  # relative number of participants
    mentors: tuple[str, ...]  # display names of the mentors, in username order
    lead: str
    manager: str
    has_social_services_referrer: bool = False

    @property
    def unit_name(self) -> str:
        return f"Arbetsmarknadsenheten {self.name}"


MUNICIPALITIES: tuple[DemoMunicipality, ...] = (
    DemoMunicipality(
        "Essunga", "1445", "essunga", 8, ("Karin Åslund", "Tobias Fält"), "Ulla Kärr", "Göran Tell"
    ),
    DemoMunicipality(
        "Götene",
        "1471",
        "gotene",
        15,
        ("Hanna Ljungdahl", "Mikael Sörby"),
        "Peter Almgren",
        "Annika Brandt",
    ),
    DemoMunicipality(
        "Lidköping",
        "1494",
        "lidkoping",
        35,
        ("Anna Berg", "Johan Ekvall", "Frida Nyqvist"),
        "Camilla Vestin",
        "Stefan Ekman",
        has_social_services_referrer=True,
    ),
    DemoMunicipality(
        "Skara",
        "1495",
        "skara",
        22,
        ("Sofia Lindén", "Emil Hagström", "Maria Ståhl"),
        "Henrik Dalén",
        "Eva Granlund",
        has_social_services_referrer=True,
    ),
    DemoMunicipality(
        "Vara", "1470", "vara", 20, ("Jonas Rydén", "Linnea Borg"), "Therese Ahlin", "Martin Sjöö"
    ),
)


@dataclass(frozen=True)
class DemoReferrerOrganisation:
    key: str
    name: str
    referrer_type: str
    municipality: str | None = None  # socialtjänst belongs to one kommun


REFERRER_ORGANISATIONS: tuple[DemoReferrerOrganisation, ...] = (
    DemoReferrerOrganisation("af", "Arbetsförmedlingen", "af"),
    DemoReferrerOrganisation("fk", "Försäkringskassan", "fk"),
    *(
        DemoReferrerOrganisation(
            f"socialtjanst_{m.slug}", f"Socialtjänsten {m.name}", "socialtjanst", m.name
        )
        for m in MUNICIPALITIES
        if m.has_social_services_referrer
    ),
    DemoReferrerOrganisation("vuxenpsykiatri", "Vuxenpsykiatrin Skaraborg", "vuxenpsykiatri"),
    DemoReferrerOrganisation("narhalsan", "Närhälsan", "narhalsan"),
)


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: Role
    # Kommun name for municipal roles, else None.
    municipality: str | None
    # Name of the organisation the account belongs to (unit, referrer organisation, association).
    organisation: str | None


def _build_logins() -> tuple[DemoLogin, ...]:
    logins: list[DemoLogin] = []
    for m in MUNICIPALITIES:
        for number, name in enumerate(m.mentors, start=1):
            logins.append(
                DemoLogin(f"mentor.{m.slug}{number}", name, Role.MENTOR, m.name, m.unit_name)
            )
        logins.append(DemoLogin(f"lead.{m.slug}", m.lead, Role.LEAD_MENTOR, m.name, m.unit_name))
        logins.append(
            DemoLogin(f"manager.{m.slug}", m.manager, Role.UNIT_MANAGER, m.name, m.unit_name)
        )
    logins += [
        DemoLogin("referrer.af", "Lina Hedberg", Role.REFERRER, None, "Arbetsförmedlingen"),
        DemoLogin("referrer.fk", "Oskar Wennberg", Role.REFERRER, None, "Försäkringskassan"),
        DemoLogin("analyst", "Ingrid Falk", Role.ASSOCIATION_ANALYST, None, ASSOCIATION_NAME),
        DemoLogin("evaluator", "David Rehn", Role.EVALUATOR, None, ASSOCIATION_NAME),
        DemoLogin("admin", "Systemadministratör (demo)", Role.ADMIN, None, ASSOCIATION_NAME),
    ]
    return tuple(logins)


DEMO_LOGINS: tuple[DemoLogin, ...] = _build_logins()


def demo_login_lines() -> list[str]:
    """The demo accounts as printable lines (the CLI prints these; the README shows the same)."""
    lines = [f"Demoinloggningar / demo logins (lösenord / password: {DEMO_PASSWORD})"]
    width = max(len(login.username) for login in DEMO_LOGINS)
    role_width = max(len(login.role.value) for login in DEMO_LOGINS)
    for login in DEMO_LOGINS:
        where = login.municipality or login.organisation or ""
        lines.append(
            f"  {login.username:<{width}}  {login.role.value:<{role_width}}  "
            f"{login.display_name} ({where})"
        )
    lines.append(
        f"Integrationsklient / integration client: {DEMO_CLIENT_ID} / "
        f"{DEMO_CLIENT_SECRET} ({DEMO_CLIENT_MUNICIPALITY}: {DEMO_CLIENT_PERMISSIONS})"
    )
    return lines


# ---- invented people -----------------------------------------------------------------------------
# Common Swedish (and, as in any Swedish kommun, some other) names. None of them occurs as a word
# in the seed documents (tests/integration/test_demo_data.py checks that).

FIRST_NAMES_MEN = (
    "Erik",
    "Lars",
    "Karl",
    "Anders",
    "Johan",
    "Nils",
    "Mikael",
    "Jonas",
    "Daniel",
    "Oskar",
    "Lucas",
    "William",
    "Hugo",
    "Liam",
    "Elias",
    "Adam",
    "Alexander",
    "Viktor",
    "Filip",
    "Emil",
    "Isak",
    "Axel",
    "Anton",
    "Leo",
    "Albin",
    "Theo",
    "Ludvig",
    "Melvin",
    "Simon",
    "Fredrik",
    "Marcus",
    "Rasmus",
    "Sebastian",
    "Tobias",
    "Andreas",
    "Patrik",
    "Kevin",
    "Robin",
    "Dennis",
    "Jesper",
    "Niklas",
    "Ahmed",
    "Mohammed",
    "Yusuf",
    "Omar",
    "Amir",
    "Mustafa",
    "Samir",
    "Dawit",
    "Milan",
    "Noah",
    "Olle",
    "Vincent",
    "Gustav",
    "Hampus",
    "Linus",
    "Måns",
    "Jakob",
)
FIRST_NAMES_WOMEN = (
    "Anna",
    "Eva",
    "Maria",
    "Karin",
    "Sara",
    "Emma",
    "Maja",
    "Elsa",
    "Alice",
    "Julia",
    "Ebba",
    "Wilma",
    "Alva",
    "Ella",
    "Agnes",
    "Lova",
    "Moa",
    "Klara",
    "Frida",
    "Hanna",
    "Linnea",
    "Matilda",
    "Ida",
    "Johanna",
    "Sofia",
    "Amanda",
    "Jenny",
    "Malin",
    "Therese",
    "Lina",
    "Nora",
    "Fatima",
    "Amina",
    "Leila",
    "Yasmin",
    "Sanna",
    "Tove",
    "Felicia",
    "Josefin",
    "Emelie",
    "Jessica",
    "Rebecka",
    "Nathalie",
    "Michelle",
    "Amira",
    "Hiba",
    "Selma",
    "Tilda",
    "Vera",
    "Stina",
    "Lisa",
    "Mira",
)
LAST_NAMES = (
    "Andersson",
    "Johansson",
    "Karlsson",
    "Nilsson",
    "Eriksson",
    "Larsson",
    "Olsson",
    "Persson",
    "Svensson",
    "Gustafsson",
    "Pettersson",
    "Jonsson",
    "Jansson",
    "Hansson",
    "Bengtsson",
    "Jönsson",
    "Lindberg",
    "Jakobsson",
    "Magnusson",
    "Olofsson",
    "Lindström",
    "Lindqvist",
    "Lindgren",
    "Berg",
    "Axelsson",
    "Bergström",
    "Lundberg",
    "Lind",
    "Lundgren",
    "Lundqvist",
    "Mattsson",
    "Berglund",
    "Fredriksson",
    "Sandberg",
    "Henriksson",
    "Forsberg",
    "Sjöberg",
    "Wallin",
    "Engström",
    "Eklund",
    "Danielsson",
    "Lundin",
    "Håkansson",
    "Björk",
    "Bergman",
    "Gunnarsson",
    "Holm",
    "Wikström",
    "Samuelsson",
    "Isaksson",
    "Fransson",
    "Bergqvist",
    "Nyström",
    "Holmberg",
    "Arvidsson",
    "Löfgren",
    "Söderberg",
    "Nyberg",
    "Blomqvist",
    "Claesson",
    "Nordström",
    "Mårtensson",
    "Åberg",
    "Ek",
    "Sundberg",
    "Hedlund",
    "Strand",
    "Dahlberg",
    "Hassan",
    "Ahmed",
    "Ali",
    "Mohamed",
    "Yilmaz",
    "Nguyen",
    "Novak",
    "Haddad",
    "Rahimi",
    "Abdi",
    "Warsame",
    "Karimi",
    "Demir",
)


# PTS reserves 070-1740605 - 070-1740699 and 031-3900600 - 031-3900699 for fiction.
def _fictional_mobile(rng: random.Random) -> str:
    return f"070-174 06 {rng.randint(5, 99):02d}"


def _fictional_office_phone(rng: random.Random) -> str:
    return f"031-390 06 {rng.randint(0, 99):02d}"


# ---- the summary -------------------------------------------------------------------------------


@dataclass(frozen=True)
class DemoSummary:
    skipped: bool
    participants: int = 0
    enrolments: int = 0
    transitions: int = 0
    users: int = 0
    returning_participants: int = 0
    protected_participants: int = 0
    by_state: dict[str, int] = field(default_factory=dict)
    active_by_step: dict[int, int] = field(default_factory=dict)
    # What api.demo_journey wrote: assessments, follow-ups, activities, cohorts, plans ...
    journey: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0

    def lines(self) -> list[str]:
        if self.skipped:
            return [
                "Det finns redan deltagare; inga demodata laddades. / "
                "Participants already exist; no demo data loaded."
            ]
        states = ", ".join(f"{s.value} {self.by_state.get(s.value, 0)}" for s in EnrolmentState)
        steps = ", ".join(f"Level {k} {v}" for k, v in sorted(self.active_by_step.items()))
        return [
            f"Demodata laddade / demo data loaded på {self.seconds:.1f} s: "
            f"{self.participants} deltagare / participants ({self.returning_participants} "
            f"återkommande / returning, {self.protected_participants} skyddade / protected), "
            f"{self.enrolments} inskrivningar / enrolments, {self.transitions} händelser / "
            f"transitions, {self.users} användare / users.",
            f"  Inskrivningar per status / enrolments by state: {states}",
            f"  Aktiva per nivå / active by level: {steps}",
            "  Deltagarresan / journey: "
            + ", ".join(f"{k} {v}" for k, v in sorted(self.journey.items())),
        ]


class DemoDataError(Exception):
    """Demo data cannot be loaded into this database (a message a person can act on)."""


Progress = Callable[[str], object]

# ---- planning (pure) ---------------------------------------------------------------------------


class _Era(StrEnum):
    LEVEL_UP = "level_up"  # referred and finished within the ESF project
    LEVEL_UPGRADE = "level_upgrade"  # referred from July 2019
    HANDOVER = "handover"  # Level Up still running on 30 June 2019, then Level Upgrade


@dataclass(frozen=True)
class _OutcomeSpec:
    kind: OutcomeKind
    subsidised: bool | None = None
    extent_percent: int | None = None
    studies_kind: StudiesKind | None = None

    @property
    def exit_status(self) -> str:
        if self.kind is OutcomeKind.STUDIES:
            return "studies"
        return "employment_subsidised" if self.subsidised else "employment_unsubsidised"


@dataclass(frozen=True)
class _Target:
    """Where an enrolment's history ends up; the path there is drawn at random."""

    final: EnrolmentState
    era: _Era
    level: int | None = None
    pause_reason: PauseReason | None = None
    exit_codes: tuple[str, str] | None = None
    outcome: _OutcomeSpec | None = None
    pause_before_exit: bool = False
    force_step_back: bool = False
    force_correction: bool = False
    force_mentor_change: bool = False


@dataclass(frozen=True)
class _Rel:
    """One planned transition, `day` days after the referral."""

    day: int
    kind: sm.TransitionKind
    outcome: _OutcomeSpec | None = None
    reason: str | None = None
    pause_reason: PauseReason | None = None
    exit_codes: tuple[str, str] | None = None


@dataclass(frozen=True)
class _MentorChange:
    on: date
    mentor: str  # username
    reason: str


@dataclass(frozen=True)
class _Planned:
    """A command (or mentor change) with the time it is recorded."""

    item: sm.Command | _MentorChange
    at: datetime


@dataclass
class _EnrolmentPlan:
    programme: Programme
    referred_on: date
    refer_at: datetime
    mentor: str
    items: list[_Planned]
    referrer_org: str | None
    referrer_user: str | None
    contact_name: str | None
    contact_phone: str | None
    benefit: str | None
    months_on_support: int | None
    last_on: date  # the latest business date in the history

    @property
    def last_mentor(self) -> str:
        changes = [p.item.mentor for p in self.items if isinstance(p.item, _MentorChange)]
        return changes[-1] if changes else self.mentor


@dataclass
class _PersonPlan:
    municipality: DemoMunicipality
    personnummer: str
    first_name: str
    last_name: str
    gender: str | None
    education: str | None
    protected: bool
    phone: str | None
    enrolments: list[_EnrolmentPlan]


# Days spent in each level before moving up (Level 2 is the 8-week group activity).
_DWELL = {1: (30, 200), 2: (56, 100), 3: (45, 240), 4: (85, 150)}
# How long an open enrolment has been in its current state when the demo is loaded.
_RESIDENCE = {
    EnrolmentState.REFERRED: (0, 21),
    EnrolmentState.INTAKE: (0, 28),
    EnrolmentState.PAUSED: (0, 90),
}
_ACTIVE_RESIDENCE = {1: (0, 150), 2: (0, 55), 3: (0, 150), 4: (0, 85)}

_DECLINE_REASONS = (
    "Deltagaren valde att tacka nej efter trepartssamtalet.",
    "Deltagaren har fått arbete på egen hand.",
    "Deltagaren vill vänta med att börja.",
    "Ingen kontakt trots flera försök.",
)
_STEP_BACK_REASONS = {
    2: "Behöver mer individuellt stöd innan gruppverksamheten.",
    3: "Praktikplatsen avslutades i förtid.",
    4: "Anställningen upphörde",
}
_PAUSE_NOTES = {
    PauseReason.SICK_LEAVE: None,
    PauseReason.PARENTAL_LEAVE: None,
    PauseReason.OTHER: "Vistelse utomlands en period.",
}
_MENTOR_CHANGE_REASONS = (
    "Mentorn bytte tjänst.",
    "Omfördelning av ärenden.",
    "Deltagarens önskemål.",
)
_CORRECTION_REASON = "Fel datum registrerades; rättat efter kontroll mot kalendern."

# Exit profiles below Level 4: (reason, status at exit).
_EXITS_BELOW_4 = {
    1: (
        ("interrupted", "7"),
        ("illness", "sick"),
        ("moved", "7"),
        ("5", "7"),
        ("interrupted", "job_seeking"),
        ("illness", "other_intervention"),
    ),
    2: (
        ("interrupted", "job_seeking"),
        ("interrupted", "7"),
        ("illness", "sick"),
        ("moved", "job_seeking"),
        ("5", "7"),
        ("interrupted", "other_intervention"),
    ),
    3: (
        ("completed", "job_seeking"),
        ("interrupted", "job_seeking"),
        ("completed", "other_intervention"),
        ("illness", "sick"),
        ("moved", "7"),
        ("5", "7"),
        ("completed", "employment_subsidised"),
    ),
}
_RETURNING_REASONS = frozenset({"interrupted", "illness", "moved", "5"})


def _outcome(rng: random.Random) -> _OutcomeSpec:
    r = rng.random()
    if r < 0.4:
        return _OutcomeSpec(OutcomeKind.WORK, False, rng.choice((100, 100, 100, 75, 50)))
    if r < 0.7:
        return _OutcomeSpec(OutcomeKind.WORK, True, rng.choice((100, 75, 50, 50)))
    kind = rng.choices(list(StudiesKind), weights=(50, 30, 10, 10))[0]
    return _OutcomeSpec(OutcomeKind.STUDIES, studies_kind=kind)


def _exit_target(rng: random.Random, era: _Era, *, min_level: int = 1) -> _Target:
    """Final report: of exited, 59 % reached Level 3 and 47 % reached work or studies."""
    r = rng.random()
    level = 4 if r < 0.47 else 3 if r < 0.60 else 2 if r < 0.75 else 1
    if r >= 0.97 and min_level == 1:
        return _Target(EnrolmentState.EXITED, era, 1, exit_codes=("registered_in_error", "7"))
    level = max(level, min_level)
    if level == 4:
        outcome = _outcome(rng)
        return _Target(
            EnrolmentState.EXITED,
            era,
            4,
            exit_codes=("completed", outcome.exit_status),
            outcome=outcome,
        )
    reason, status = rng.choice(_EXITS_BELOW_4[level])
    return _Target(
        EnrolmentState.EXITED,
        era,
        level,
        exit_codes=(reason, status),
        pause_before_exit=reason == "illness" and rng.random() < 0.5,
    )


def _open_target(rng: random.Random) -> _Target:
    era = _Era.LEVEL_UPGRADE
    kind = rng.choices(
        ("referred", "intake", "a1", "a2", "a3", "a4", "paused"), weights=(4, 4, 6, 4, 4, 3, 3)
    )[0]
    if kind == "referred":
        return _Target(EnrolmentState.REFERRED, era)
    if kind == "intake":
        return _Target(EnrolmentState.INTAKE, era)
    if kind == "paused":
        reason = rng.choices(list(PauseReason), weights=(5, 2, 3))[0]
        return _Target(EnrolmentState.PAUSED, era, rng.choice((1, 1, 2, 3)), pause_reason=reason)
    level = int(kind[1])
    return _Target(EnrolmentState.ACTIVE, era, level, outcome=_outcome(rng) if level == 4 else None)


def _handover_target(rng: random.Random) -> _Target:
    level = rng.choices((1, 2, 3, 4), weights=(25, 25, 30, 20))[0]
    if rng.random() < 0.1 and level < 4:
        return _Target(
            EnrolmentState.PAUSED, _Era.HANDOVER, level, pause_reason=PauseReason.SICK_LEAVE
        )
    return _Target(
        EnrolmentState.ACTIVE, _Era.HANDOVER, level, outcome=_outcome(rng) if level == 4 else None
    )


def _random_target(rng: random.Random) -> _Target:
    r = rng.random()
    if r < 0.30:
        return _exit_target(rng, _Era.LEVEL_UP)
    if r < 0.38:
        return _handover_target(rng)
    if r < 0.42:
        return _Target(EnrolmentState.DECLINED, _Era.LEVEL_UP)
    if r < 0.68:
        return _exit_target(rng, _Era.LEVEL_UPGRADE)
    if r < 0.72:
        return _Target(EnrolmentState.DECLINED, _Era.LEVEL_UPGRADE)
    return _open_target(rng)


def _coverage_targets() -> list[_Target]:
    """One of each kind the demo must show, whatever the dice say (mixed in with the rest)."""
    up, upg = _Era.LEVEL_UP, _Era.LEVEL_UPGRADE
    work = _OutcomeSpec(OutcomeKind.WORK, False, 100)
    subsidised = _OutcomeSpec(OutcomeKind.WORK, True, 50)
    studies = _OutcomeSpec(OutcomeKind.STUDIES, studies_kind=StudiesKind.KOMVUX)
    exited = EnrolmentState.EXITED
    return [
        _Target(EnrolmentState.REFERRED, upg),
        _Target(EnrolmentState.INTAKE, upg),
        _Target(EnrolmentState.ACTIVE, upg, 1, force_mentor_change=True),
        _Target(EnrolmentState.ACTIVE, upg, 2),
        _Target(EnrolmentState.ACTIVE, upg, 3, force_correction=True),
        _Target(EnrolmentState.ACTIVE, upg, 4, outcome=_OutcomeSpec(OutcomeKind.WORK, True, 75)),
        _Target(EnrolmentState.PAUSED, upg, 2, pause_reason=PauseReason.SICK_LEAVE),
        _Target(EnrolmentState.PAUSED, upg, 1, pause_reason=PauseReason.PARENTAL_LEAVE),
        _Target(EnrolmentState.PAUSED, upg, 3, pause_reason=PauseReason.OTHER),
        _Target(EnrolmentState.DECLINED, upg),
        _Target(
            exited,
            up,
            4,
            exit_codes=("completed", work.exit_status),
            outcome=work,
            force_step_back=True,
        ),
        _Target(
            exited, upg, 4, exit_codes=("completed", subsidised.exit_status), outcome=subsidised
        ),
        _Target(
            exited,
            up,
            4,
            exit_codes=("completed", studies.exit_status),
            outcome=studies,
            force_correction=True,
        ),
        _Target(exited, upg, 3, exit_codes=("completed", "job_seeking")),
        _Target(exited, up, 2, exit_codes=("interrupted", "7")),
        _Target(exited, upg, 1, exit_codes=("illness", "sick"), pause_before_exit=True),
        _Target(exited, up, 2, exit_codes=("moved", "job_seeking")),
        _Target(exited, upg, 1, exit_codes=("5", "7")),
        _Target(exited, upg, 1, exit_codes=("registered_in_error", "7")),
        _Target(EnrolmentState.ACTIVE, _Era.HANDOVER, 3),
    ]


def _path(rng: random.Random, target: _Target, *, fast_track_to: int | None = None) -> list[_Rel]:
    """Transitions after the referral, as days since the referral."""
    rels: list[_Rel] = []
    day = 0

    def add(kind: sm.TransitionKind, gap: tuple[int, int], **kw: object) -> None:
        nonlocal day
        day += rng.randint(*gap)
        rels.append(_Rel(day, kind, **kw))  # type: ignore[arg-type]

    k = sm.TransitionKind
    final = target.final
    if final is EnrolmentState.REFERRED:
        return rels
    if final is EnrolmentState.DECLINED:
        if rng.random() < 0.5:
            add(k.HOLD_INTAKE, (5, 28))
        add(k.DECLINE, (5, 40), reason=rng.choice(_DECLINE_REASONS))
        return rels
    add(k.HOLD_INTAKE, (5, 28) if fast_track_to is None else (1, 7))
    if final is EnrolmentState.INTAKE:
        return rels
    add(k.START, (5, 35) if fast_track_to is None else (1, 10))
    top = target.level or 1
    if target.exit_codes and target.exit_codes[0] == "registered_in_error":
        add(k.EXIT, (0, 14), exit_codes=target.exit_codes)
        return rels

    level = 1
    if fast_track_to:
        # Continuing from Level Up: formally a new enrolment, moved quickly up to where they were.
        while level < min(fast_track_to, top):
            level += 1
            add(k.ADVANCE, (1, 10), outcome=_final_outcome(rng, target, level))
    step_back_done = False
    while level < top:
        lo, hi = _DWELL[level]
        if rng.random() < 0.1:
            reason = rng.choices(list(PauseReason), weights=(5, 2, 3))[0]
            add(k.PAUSE, (10, lo), pause_reason=reason, reason=_PAUSE_NOTES[reason])
            add(k.RESUME, (14, 120))
            add(k.ADVANCE, (lo // 2, hi // 2), outcome=_final_outcome(rng, target, level + 1))
        else:
            add(k.ADVANCE, (lo, hi), outcome=_final_outcome(rng, target, level + 1))
        level += 1
        wants_step_back = target.force_step_back and level == top and not step_back_done
        if level >= 2 and not step_back_done and (wants_step_back or rng.random() < 0.06):
            if level == 4:
                # A first job that did not last; the outcome they end with is the target's.
                first_job = _OutcomeSpec(
                    OutcomeKind.WORK, rng.random() < 0.6, rng.choice((50, 75, 100))
                )
                rels[-1] = _Rel(rels[-1].day, k.ADVANCE, outcome=first_job)
            add(k.STEP_BACK, (20, 120), reason=_STEP_BACK_REASONS[level])
            add(k.ADVANCE, (30, 120), outcome=_final_outcome(rng, target, level))
            step_back_done = True

    if final is EnrolmentState.ACTIVE:
        return rels
    if final is EnrolmentState.PAUSED:
        reason = target.pause_reason or PauseReason.OTHER
        add(k.PAUSE, (10, 60), pause_reason=reason, reason=_PAUSE_NOTES[reason])
        return rels
    # EXITED
    assert target.exit_codes is not None
    lo, hi = _DWELL[top]
    if target.pause_before_exit:
        add(k.PAUSE, (lo // 2, hi // 2), pause_reason=PauseReason.SICK_LEAVE)
        add(k.EXIT, (30, 120), exit_codes=target.exit_codes)
    else:
        add(k.EXIT, (lo, hi), exit_codes=target.exit_codes)
    return rels


def _final_outcome(rng: random.Random, target: _Target, level: int) -> _OutcomeSpec | None:
    if level != 4:
        return None
    return target.outcome or _outcome(rng)


def _age(birth: date, on: date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def _birth_date(rng: random.Random, programme: Programme, referred_on: date) -> date:
    if programme is LEVEL_UP:
        age = rng.choices(
            (16, 17, rng.randint(18, 24), rng.randint(25, 29)), weights=(2, 4, 64, 30)
        )[0]
    else:
        age = rng.choices(
            (rng.randint(18, 24), rng.randint(25, 34), rng.randint(35, 49), rng.randint(50, 64)),
            weights=(30, 30, 28, 12),
        )[0]
    day = min(referred_on.day, 28)  # no 29 February birthdays: the age rules differ there
    anniversary = date(referred_on.year - age, referred_on.month, day)
    birth = anniversary - timedelta(days=rng.randint(0, 360))
    if birth.month == 2 and birth.day == 29:
        birth -= timedelta(days=1)
    assert programme.min_age <= _age(birth, referred_on) <= programme.max_age
    return birth


def _recorded_at(rng: random.Random, on: date, now: datetime) -> datetime:
    local = datetime.combine(
        on, clock_time(rng.randint(8, 16), rng.randint(0, 59)), tzinfo=BUSINESS_TZ
    )
    return min(local.astimezone(UTC), now)


@dataclass
class _World:
    """What the setup step created: organisation ids by name, user rows by username."""

    organisations: dict[str, int]
    users: dict[str, UserRow]


class _Planner:
    def __init__(self, seed: int, today: date, now: datetime, codes: dict[CodeListName, CodeList]):
        self.seed = seed
        self.today = today
        self.now = now
        self.codes = codes
        self.used_numbers: Counter[tuple[date, LegalSex, bool]] = Counter()

    # --- people ---------------------------------------------------------------------------

    def person(self, index: int, target: _Target, protected: bool) -> _PersonPlan:
        rng = random.Random(self.seed * 1_000_003 + index)  # noqa: S311 (synthetic data)
        municipality = rng.choices(MUNICIPALITIES, weights=[m.weight for m in MUNICIPALITIES])[0]
        mentors = self._mentor_pool(municipality)
        mentor = rng.choice(mentors)

        programme, rels, referred_on, handover_level = self._place(rng, target)
        birth = _birth_date(rng, programme, referred_on)
        sex = LegalSex.MAN if rng.random() < 0.56 else LegalSex.WOMAN
        coordination = rng.random() < 0.03
        pnr, birth = self._personnummer(birth, sex, coordination)

        limit = self.today
        if handover_level is not None:
            # Level Up ended on 30 June 2019; whoever was still in it continued in Level Upgrade.
            limit = LEVEL_UP_LAST_DAY
            rels = [
                *rels,
                _Rel(
                    (LEVEL_UP_LAST_DAY - referred_on).days,
                    sm.TransitionKind.EXIT,
                    exit_codes=("regular_operations", "7"),
                ),
            ]
        first = self._enrolment(
            rng, municipality, programme, referred_on, rels, mentor, target, limit=limit
        )
        enrolments = [first]
        if handover_level is not None:
            second_on = LEVEL_UPGRADE_FIRST_DAY + timedelta(days=rng.randint(0, 45))
            if 18 <= _age(birth, second_on) <= 64:
                follow = _exit_target(rng, _Era.LEVEL_UPGRADE, min_level=handover_level)
                rels2 = _path(rng, follow, fast_track_to=handover_level)
                enrolments.append(
                    self._enrolment(
                        rng,
                        municipality,
                        LEVEL_UPGRADE,
                        second_on,
                        rels2,
                        first.last_mentor,  # the same mentor carries on
                        follow,
                        limit=self.today,
                    )
                )
        elif self._may_return(target) and rng.random() < 0.06:
            earliest = max(
                first.last_on + timedelta(days=rng.randint(60, 540)),
                LEVEL_UPGRADE_FIRST_DAY + timedelta(days=rng.randint(0, 120)),
            )
            follow = rng.choice((_exit_target(rng, _Era.LEVEL_UPGRADE), _open_target(rng)))
            placed = self._place_after(rng, follow, earliest)
            if placed is not None and 18 <= _age(birth, placed[1]) <= 64:
                rels2, second_on = placed
                enrolments.append(
                    self._enrolment(
                        rng,
                        municipality,
                        LEVEL_UPGRADE,
                        second_on,
                        rels2,
                        rng.choice(mentors),
                        follow,
                        limit=self.today,
                    )
                )

        names = FIRST_NAMES_MEN if sex is LegalSex.MAN else FIRST_NAMES_WOMEN
        gender: str | None = None
        if rng.random() < 0.35:
            gender = rng.choices((sex.value, "non_binary", "not_stated"), weights=(85, 5, 10))[0]
        age = _age(birth, referred_on)
        education = rng.choices(
            ("forgymnasial", "gymnasial", "eftergymnasial", None),
            weights=(70, 25, 0, 5) if age < 20 else (40, 45, 10, 5),
        )[0]
        return _PersonPlan(
            municipality=municipality,
            personnummer=pnr,
            first_name=rng.choice(names),
            last_name=rng.choice(LAST_NAMES),
            gender=gender,
            education=education,
            protected=protected,
            phone=_fictional_mobile(rng) if rng.random() < 0.6 else None,
            enrolments=enrolments,
        )

    @staticmethod
    def _may_return(target: _Target) -> bool:
        if target.final is EnrolmentState.DECLINED:
            return True
        return (
            target.final is EnrolmentState.EXITED
            and target.exit_codes is not None
            and target.exit_codes[0] in _RETURNING_REASONS
        )

    @staticmethod
    def _mentor_pool(m: DemoMunicipality) -> list[str]:
        # The lead mentor also has a small caseload.
        mentors = [f"mentor.{m.slug}{n}" for n in range(1, len(m.mentors) + 1)]
        return [*mentors, *mentors, f"lead.{m.slug}"]

    def _personnummer(self, birth: date, sex: LegalSex, coordination: bool) -> tuple[str, date]:
        # At most 6 test numbers per sex and date: move to the day before when they run out.
        while self.used_numbers[(birth, sex, coordination)] >= TEST_NUMBERS_PER_SEX_PER_DATE:
            birth -= timedelta(days=1)
        serial = self.used_numbers[(birth, sex, coordination)]
        self.used_numbers[(birth, sex, coordination)] += 1
        return make_test_personnummer(birth, serial, sex, coordination).digits, birth

    # --- placing a history in time ---------------------------------------------------------

    def _place(
        self, rng: random.Random, target: _Target
    ) -> tuple[Programme, list[_Rel], date, int | None]:
        """Programme, path and referral date; the handover level for Level Up → Upgrade."""
        rels = _path(rng, target)
        length = rels[-1].day if rels else 0
        if target.era is _Era.HANDOVER:
            # Still in the programme on the last project day: end-anchored before it.
            residence = (
                rng.randint(*_ACTIVE_RESIDENCE[target.level or 1])
                if target.final is EnrolmentState.ACTIVE
                else rng.randint(0, 60)
            )
            referred_on = LEVEL_UP_LAST_DAY - timedelta(days=length + residence + 1)
            if referred_on < LEVEL_UP_FIRST_REFERRAL:
                referred_on = LEVEL_UP_FIRST_REFERRAL
                rels = [r for r in rels if referred_on + timedelta(days=r.day) < LEVEL_UP_LAST_DAY]
            return LEVEL_UP, rels, referred_on, target.level
        if target.final in (EnrolmentState.EXITED, EnrolmentState.DECLINED):
            if target.era is _Era.LEVEL_UP:
                last = LEVEL_UP_LAST_DAY - timedelta(days=length + 1)
                if last >= LEVEL_UP_FIRST_REFERRAL:
                    return LEVEL_UP, rels, _random_day(rng, LEVEL_UP_FIRST_REFERRAL, last), None
            last = self.today - timedelta(days=length + 1)
            return LEVEL_UPGRADE, rels, _random_day(rng, LEVEL_UPGRADE_FIRST_DAY, last), None
        # Open: end-anchored, so the current state began a little before today.
        if target.final is EnrolmentState.ACTIVE:
            residence = rng.randint(*_ACTIVE_RESIDENCE[target.level or 1])
        else:
            residence = rng.randint(*_RESIDENCE[target.final])
        referred_on = max(self.today - timedelta(days=length + residence), LEVEL_UPGRADE_FIRST_DAY)
        return LEVEL_UPGRADE, rels, referred_on, None

    def _place_after(
        self, rng: random.Random, target: _Target, earliest: date
    ) -> tuple[list[_Rel], date] | None:
        """A returning person's new enrolment, referred no earlier than `earliest`."""
        rels = _path(rng, target)
        length = rels[-1].day if rels else 0
        if target.final in (EnrolmentState.EXITED, EnrolmentState.DECLINED):
            last = self.today - timedelta(days=length + 1)
            if last < earliest:
                return None
            return rels, _random_day(rng, earliest, min(last, earliest + timedelta(days=365)))
        residence = (
            rng.randint(*_ACTIVE_RESIDENCE[target.level or 1])
            if target.final is EnrolmentState.ACTIVE
            else rng.randint(*_RESIDENCE[target.final])
        )
        referred_on = self.today - timedelta(days=length + residence)
        return (rels, referred_on) if referred_on >= earliest else None

    def _enrolment(
        self,
        rng: random.Random,
        municipality: DemoMunicipality,
        programme: Programme,
        referred_on: date,
        rels: Sequence[_Rel],
        mentor: str,
        target: _Target,
        *,
        limit: date,
    ) -> _EnrolmentPlan:
        items: list[_Planned] = []
        dated: list[date] = [referred_on]  # effective dates by seq - 1
        previous = referred_on
        for rel in rels:
            on = referred_on + timedelta(days=rel.day)
            if on > limit:
                break  # a prefix of a valid history is a valid history
            items.append(
                _Planned(self._command(rng, rel, on, previous), _recorded_at(rng, on, self.now))
            )
            dated.append(on)
            previous = on
        self._maybe_change_mentor(rng, items, municipality, mentor, target, limit)
        self._maybe_correct(rng, items, dated, target, limit)
        referrer_org, referrer_user, contact = self._referrer(rng, municipality)
        benefit = self._benefit(rng, referrer_org)
        return _EnrolmentPlan(
            programme=programme,
            referred_on=referred_on,
            refer_at=_recorded_at(rng, referred_on, self.now),
            mentor=mentor,
            items=items,
            referrer_org=referrer_org,
            referrer_user=referrer_user,
            contact_name=contact,
            contact_phone=_fictional_office_phone(rng) if contact and rng.random() < 0.7 else None,
            benefit=benefit,
            last_on=max(dated),
            months_on_support=rng.randint(12, 72) if programme is LEVEL_UP else rng.randint(3, 96),
        )

    def _command(self, rng: random.Random, rel: _Rel, on: date, previous: date) -> sm.Command:
        k = sm.TransitionKind
        match rel.kind:
            case k.HOLD_INTAKE:
                return sm.HoldIntake(on)
            case k.START:
                return sm.Start(on)
            case k.ADVANCE:
                outcome = None
                if rel.outcome is not None:
                    # The job or course often began a few days before it was registered.
                    starts_on = max(on - timedelta(days=rng.choice((0, 0, 0, 3, 7))), previous)
                    outcome = sm.Outcome(
                        rel.outcome.kind,
                        starts_on,
                        rel.outcome.subsidised,
                        rel.outcome.extent_percent,
                        rel.outcome.studies_kind,
                    )
                return sm.Advance(on, outcome)
            case k.STEP_BACK:
                assert rel.reason is not None
                return sm.StepBack(on, rel.reason)
            case k.PAUSE:
                assert rel.pause_reason is not None
                return sm.Pause(on, rel.pause_reason, rel.reason)
            case k.RESUME:
                return sm.Resume(on)
            case k.EXIT:
                assert rel.exit_codes is not None
                return self._exit(on, rel.exit_codes)
            case k.DECLINE:
                assert rel.reason is not None
                return sm.Decline(on, rel.reason)
        raise AssertionError(f"unplanned transition kind {rel.kind}")

    def _exit(self, on: date, codes: tuple[str, str]) -> sm.Exit:
        reason, status = codes
        return sm.Exit(
            on,
            self.codes[CodeListName.EXIT_REASON].require(reason, on=on, field="exit_reason_code"),
            self.codes[CodeListName.EXIT_STATUS].require(status, on=on, field="exit_status_code"),
        )

    def _maybe_change_mentor(
        self,
        rng: random.Random,
        items: list[_Planned],
        municipality: DemoMunicipality,
        mentor: str,
        target: _Target,
        limit: date,
    ) -> None:
        if not (target.force_mentor_change or rng.random() < 0.08):
            return
        # Between two transitions while the enrolment is open (never after its end).
        open_until = len(items)
        if items and isinstance(items[-1].item, sm.Exit | sm.Decline):
            open_until -= 1
        if open_until < 1:
            return
        position = rng.randint(1, open_until)
        after = items[position - 1].item
        assert not isinstance(after, _MentorChange)
        on = after.effective_on
        if position < len(items):
            following = items[position].item
            assert not isinstance(following, _MentorChange)
            on = _random_day(rng, on, following.effective_on)
        else:
            on = _random_day(rng, on, limit)
        others = [u for u in self._mentor_pool(municipality) if u != mentor]
        change = _MentorChange(on, rng.choice(others), rng.choice(_MENTOR_CHANGE_REASONS))
        items.insert(position, _Planned(change, _recorded_at(rng, on, self.now)))

    def _maybe_correct(
        self,
        rng: random.Random,
        items: list[_Planned],
        dated: list[date],
        target: _Target,
        limit: date,
    ) -> None:
        """Now and then a date was registered wrong and corrected later (a linked event)."""
        if len(dated) < 3 or not (target.force_correction or rng.random() < 0.04):
            return
        # Never the referral itself: its date decided the age check.
        index = rng.randint(1, len(dated) - 1)
        # A slip of a few days, within the neighbours' dates (the domain's rule for corrections).
        slip = timedelta(days=21)
        before = max(dated[index - 1], dated[index] - slip)
        after = min(dated[index + 1] if index + 1 < len(dated) else limit, dated[index] + slip)
        choices = [before + timedelta(days=d) for d in range((after - before).days + 1)]
        choices = [d for d in choices if d != dated[index]]
        if not choices:
            return
        corrected = rng.choice(choices)
        noticed = min(max(dated[-1], corrected) + timedelta(days=rng.randint(1, 14)), limit)
        items.append(
            _Planned(
                sm.CorrectDate(index + 1, corrected, _CORRECTION_REASON),
                _recorded_at(rng, noticed, self.now),
            )
        )

    def _referrer(self, rng: random.Random, m: DemoMunicipality) -> tuple[str, str | None, str]:
        options = ["af", "fk", "vuxenpsykiatri", "narhalsan"]
        weights = [40, 30, 5, 5]
        if m.has_social_services_referrer:
            options.append(f"socialtjanst_{m.slug}")
            weights.append(20)
        org = rng.choices(options, weights=weights)[0]
        if org in ("af", "fk") and rng.random() < 0.35:
            # Referred by the demo handläggare account, who can then follow the status.
            username = f"referrer.{org}"
            login = next(x for x in DEMO_LOGINS if x.username == username)
            return org, username, login.display_name
        sex_names = rng.choice((FIRST_NAMES_MEN, FIRST_NAMES_WOMEN))
        return org, None, f"{rng.choice(sex_names)} {rng.choice(LAST_NAMES)}"

    @staticmethod
    def _benefit(rng: random.Random, referrer_org: str | None) -> str:
        options: dict[str, tuple[tuple[str, ...], tuple[int, ...]]] = {
            "af": (("aktivitetsstod", "etableringsersattning", "none", "other"), (70, 10, 15, 5)),
            "fk": (("aktivitetsersattning", "sjukpenning"), (60, 40)),
            "vuxenpsykiatri": (
                ("aktivitetsersattning", "sjukpenning", "forsorjningsstod"),
                (50, 30, 20),
            ),
            "narhalsan": (("sjukpenning", "forsorjningsstod", "none"), (60, 25, 15)),
        }
        codes, weights = options.get(referrer_org or "", (("forsorjningsstod",), (1,)))
        return rng.choices(codes, weights=weights)[0]


def _random_day(rng: random.Random, first: date, last: date) -> date:
    if last <= first:
        return first
    return first + timedelta(days=rng.randint(0, (last - first).days))


def plan_demo_data(
    *, seed: int, participants: int, today: date, now: datetime, codes: dict[CodeListName, CodeList]
) -> list[_PersonPlan]:
    """The whole demo as plain data (no I/O); same arguments, same plan."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data, not security)
    targets = [*_coverage_targets()]
    targets = targets[:participants] + [
        _random_target(rng) for _ in range(participants - len(targets))
    ]
    rng.shuffle(targets)
    protected = (
        set(rng.sample(range(participants), max(1, round(participants * 0.03))))
        if participants
        else set()
    )
    planner = _Planner(seed, today, now, codes)
    return [planner.person(i, t, i in protected) for i, t in enumerate(targets)]


# ---- writing -------------------------------------------------------------------------------------


def _principal(user: UserRow) -> Principal:
    role = Role(user.role)
    return Principal(
        kind=ActorKind.USER,
        id=user.id,
        role=role,
        permissions=ROLE_PERMISSIONS[role],
        municipality_id=user.municipality_id,
        organisation_id=user.organisation_id,
        display_name=user.display_name,
    )


_USED_CODES: dict[CodeListName, tuple[str, ...]] = {
    CodeListName.EXIT_REASON: (
        "completed",
        "interrupted",
        "illness",
        "moved",
        "regular_operations",
        "5",
        "registered_in_error",
    ),
    CodeListName.EXIT_STATUS: (
        "employment_unsubsidised",
        "employment_subsidised",
        "studies",
        "job_seeking",
        "other_intervention",
        "sick",
        "7",
    ),
    CodeListName.BENEFIT: (
        "aktivitetsersattning",
        "sjukpenning",
        "forsorjningsstod",
        "aktivitetsstod",
        "etableringsersattning",
        "none",
        "other",
    ),
    CodeListName.REFERRER_TYPE: ("af", "fk", "socialtjanst", "vuxenpsykiatri", "narhalsan"),
    CodeListName.EDUCATION_LEVEL: ("forgymnasial", "gymnasial", "eftergymnasial"),
}


def _load_codes(session: Session) -> dict[CodeListName, CodeList]:
    repo = CodeListRepository(session)
    codes = {name: repo.current(name) for name in _USED_CODES}
    for name, wanted in _USED_CODES.items():
        missing = [c for c in wanted if codes[name].find(c) is None]
        if missing:
            raise DemoDataError(
                f"Demodata bygger på standardkodlistorna; kodlistan {name.value} saknar "
                f"{', '.join(missing)}. / Demo data needs the default code lists."
            )
    return codes


def _check_free(session: Session) -> None:
    usernames = [login.username for login in DEMO_LOGINS]
    taken = sorted(
        session.execute(select(UserRow.username).where(UserRow.username.in_(usernames))).scalars()
    )
    client = session.execute(
        select(exists().where(IntegrationClientRow.client_id == DEMO_CLIENT_ID))
    ).scalar_one()
    if taken or client:
        names = ", ".join([*taken, *([DEMO_CLIENT_ID] if client else [])])
        raise DemoDataError(
            f"Demokontona finns redan ({names}); demodata kan bara laddas i en tom databas. / "
            "Demo accounts already exist; load demo data into an empty database."
        )


def _create_world(session: Session, password_hash: str, secret_hash: str, now: datetime) -> _World:
    # Keyed by name: DemoLogin refers to organisations by name.
    orgs: dict[str, int] = {}

    def org(kind: str, name: str, parent: str | None = None, **kw: str) -> None:
        row = OrganisationRow(
            kind=kind,
            name=name,
            parent_id=orgs[parent] if parent else None,
            created_at=PROJECT_START,
            **kw,
        )
        session.add(row)
        session.flush()
        orgs[name] = row.id

    org("association", ASSOCIATION_NAME)
    for m in MUNICIPALITIES:
        org("municipality", m.name, ASSOCIATION_NAME, municipality_code=m.code)
        org("unit", m.unit_name, m.name)
    for r in REFERRER_ORGANISATIONS:
        org("referrer", r.name, r.municipality, referrer_type=r.referrer_type)

    users: dict[str, UserRow] = {}
    for login in DEMO_LOGINS:
        row = UserRow(
            username=login.username,
            display_name=login.display_name,
            password_hash=password_hash,
            role=login.role.value,
            organisation_id=orgs[login.organisation] if login.organisation else None,
            municipality_id=orgs[login.municipality] if login.municipality else None,
            is_active=True,
            created_at=PROJECT_START,
            updated_at=PROJECT_START,
        )
        session.add(row)
        users[login.username] = row
    session.add(
        IntegrationClientRow(
            client_id=DEMO_CLIENT_ID,
            name=DEMO_CLIENT_NAME,
            secret_hash=secret_hash,
            municipality_id=orgs[DEMO_CLIENT_MUNICIPALITY],
            permissions=DEMO_CLIENT_PERMISSIONS,
            is_active=True,
            created_at=now,
        )
    )
    session.flush()
    return _World(orgs, users)


def _write_person(session: Session, world: _World, plan: _PersonPlan, today: date) -> None:
    """One person and their enrolments, each transition through the state machine."""
    m = plan.municipality
    lead = _principal(world.users[f"lead.{m.slug}"])
    scope = scope_for(lead)
    participants = ParticipantRepository(session, scope)
    repo = EnrolmentRepository(session, scope)
    first = plan.enrolments[0]
    registered_by = world.users[first.mentor]
    person = participants.add(
        ParticipantRow(
            municipality_id=world.organisations[m.name],
            personnummer=plan.personnummer,
            first_name=plan.first_name,
            last_name=plan.last_name,
            search_name=search_name(plan.first_name, plan.last_name),
            phone=plan.phone,
            gender=plan.gender,
            education_level=plan.education,
            protected_identity=plan.protected,
            created_by_user_id=registered_by.id,
            created_at=first.refer_at,
            updated_at=first.refer_at,
        )
    )
    granted: set[int] = set()

    def assign(row: EnrolmentRow, mentor: str, on: date, reason: str | None, at: datetime) -> None:
        mentor_id = world.users[mentor].id
        repo.assign_mentor(row, mentor_id, on=on, reason=reason, by_user_id=lead.user_id, at=at)
        if plan.protected and mentor_id not in granted:
            # The mentor of a protected person must be one of the named users who may see them.
            participants.grant_protected_access(
                person.id, mentor_id, by_user_id=lead.user_id, at=at
            )
            granted.add(mentor_id)

    birth = Personnummer(plan.personnummer).birth_date
    for e in plan.enrolments:
        actor = _principal(world.users[e.mentor])
        enrolment, _ = sm.open_referral(
            e.programme, referred_on=e.referred_on, birth_date=birth, today=today
        )
        row = EnrolmentRow(
            participant_id=person.id,
            municipality_id=person.municipality_id,
            programme_code=e.programme.code,
            referrer_organisation_id=world.organisations[_org_name(e.referrer_org)]
            if e.referrer_org
            else None,
            referrer_contact_name=e.contact_name,
            referrer_contact_phone=e.contact_phone,
            referrer_user_id=world.users[e.referrer_user].id if e.referrer_user else None,
            benefit_at_start=e.benefit,
            months_on_support_before_start=e.months_on_support,
            created_at=e.refer_at,
            updated_at=e.refer_at,
        )
        loaded = repo.add(row, enrolment, actor, e.refer_at)
        assign(row, e.mentor, e.referred_on, None, e.refer_at)
        for planned in e.items:
            item = planned.item
            if isinstance(item, _MentorChange):
                assign(row, item.mentor, item.on, item.reason, planned.at)
                actor = _principal(world.users[item.mentor])
                continue
            new, _events = sm.apply(loaded.enrolment, item, programme=e.programme, today=today)
            loaded = repo.save(loaded, new, actor, planned.at)
        person.updated_at = max(person.updated_at, row.updated_at)


def _org_name(key: str) -> str:
    return next(r.name for r in REFERRER_ORGANISATIONS if r.key == key)


def _summarise(session: Session, world: _World, seconds: float) -> DemoSummary:
    """Counts of what this load wrote (the demo kommuner are new, so they hold only that)."""
    kommuner = [world.organisations[m.name] for m in MUNICIPALITIES]
    e, p = EnrolmentRow, ParticipantRow
    demo_enrolments = e.municipality_id.in_(kommuner)

    def count(stmt: Select[int]) -> int:
        return int(session.execute(stmt).scalar_one())

    by_state = {
        str(state): int(n)
        for state, n in session.execute(
            select(e.state, func.count()).where(demo_enrolments).group_by(e.state)
        )
    }
    active = {
        int(step): int(n)
        for step, n in session.execute(
            select(e.step, func.count())
            .where(demo_enrolments, e.state == "active")
            .group_by(e.step)
        )
        if step is not None
    }
    returning = select(e.participant_id).where(demo_enrolments).group_by(e.participant_id)
    return DemoSummary(
        skipped=False,
        participants=count(select(func.count()).where(p.municipality_id.in_(kommuner))),
        enrolments=sum(by_state.values()),
        transitions=count(
            select(func.count())
            .select_from(TransitionRow)
            .join(e, e.id == TransitionRow.enrolment_id)
            .where(demo_enrolments)
        ),
        users=len(world.users),
        returning_participants=count(
            select(func.count()).select_from(returning.having(func.count() > 1).subquery())
        ),
        protected_participants=count(
            select(func.count()).where(p.municipality_id.in_(kommuner), p.protected_identity)
        ),
        by_state=by_state,
        active_by_step=active,
        seconds=seconds,
    )


def load_demo_data(
    database: Database,
    *,
    today: date,
    seed: int = DEFAULT_SEED,
    participants: int = DEFAULT_PARTICIPANTS,
    if_empty: bool = False,
    progress: Progress = print,
    now: datetime | None = None,
) -> DemoSummary:
    """Load the synthetic demo into a migrated database.

    With `if_empty`, nothing happens when any participant exists (the summary says skipped).
    Raises `DemoDataError` when the demo accounts already exist or the code lists are not the
    default ones.
    """
    started = time.perf_counter()
    now = now or datetime.now(UTC)
    if today < EARLIEST_TODAY:
        raise DemoDataError(f"Demodata behöver ett dagsdatum från {EARLIEST_TODAY} och framåt.")
    if participants < 0:
        raise DemoDataError("Antalet deltagare kan inte vara negativt.")

    with database.unit_of_work(write=False) as uow:
        any_participant = uow.session.execute(select(ParticipantRow.id).limit(1)).first()
        if any_participant is not None and if_empty:
            return DemoSummary(skipped=True)
        _check_free(uow.session)
        codes = _load_codes(uow.session)

    # Argon2 is slow on purpose: hash once, before any write transaction holds the lock.
    password_hash = hash_password(DEMO_PASSWORD)
    secret_hash = hash_password(DEMO_CLIENT_SECRET)
    plans = plan_demo_data(seed=seed, participants=participants, today=today, now=now, codes=codes)

    with database.unit_of_work(write=True) as uow:
        _check_free(uow.session)  # again, inside the write lock
        # Rows stay usable after commit (expire_on_commit=False); only their ids are read later.
        world = _create_world(uow.session, password_hash, secret_hash, now)
        uow.commit()
    progress(
        f"Organisationer och {len(DEMO_LOGINS)} användare skapade / organisations and users created"
    )

    for first in range(0, len(plans), BATCH_SIZE):
        batch = plans[first : first + BATCH_SIZE]
        with database.unit_of_work(write=True) as uow:
            for plan in batch:
                _write_person(uow.session, world, plan, today)
            uow.commit()
        progress(f"  {first + len(batch)}/{len(plans)} deltagare / participants")

    progress("Självskattningar, uppföljningar, aktiviteter, grupper, planer och samtycken ...")
    journey = load_journey_demo(
        database,
        municipality_ids=[world.organisations[m.name] for m in MUNICIPALITIES],
        seed=seed,
        today=today,
        now=now,
    )

    with database.unit_of_work(write=True) as uow:
        summary = replace(
            _summarise(uow.session, world, time.perf_counter() - started), journey=journey
        )
        AuditLog(uow.session).append(
            None,
            AuditEvent(
                "demo_data.load",
                detail={
                    "seed": seed,
                    "participants": summary.participants,
                    "enrolments": summary.enrolments,
                },
            ),
            at=now,
        )
        uow.commit()
    return summary
