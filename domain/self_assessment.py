"""Self-assessment (DOMAIN.md §4 rule 8 and §7): the questionnaire, when it is due, what a valid
submission is, and how each item changed over the enrolment.

The questionnaire is data and versioned: a submission stores the version it was answered on, so
publishing a new version never changes what earlier answers meant. Occasions are derived from
the enrolment's whole history with corrected dates applied, the same way `replay` derives the
state, so a date correction moves a due date instead of leaving a stale one behind. Submitted
answers are never edited: a correction is a new submission that supersedes the earlier one.
No clock reads, no I/O.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum

from domain.enrolment import (
    MAX_REASON_LENGTH,
    OCCASION_EXIT,
    OCCASION_START,
    Enrolment,
    TransitionKind,
    occasion_after_step,
)
from domain.errors import (
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
    UnknownCode,
)
from domain.programmes import Programme

SCALE_MIN = 1
SCALE_MAX = 10
# An occasion left unanswered this many days after it became due is shown as overdue.
ASSESSMENT_OVERDUE_AFTER_DAYS = 14
OCCASION_FOLLOW_UP = "follow_up"
_AFTER_STEP_PREFIX = "after_step_"


# --- the questionnaire ----------------------------------------------------------------------


ITEM_KEY_PATTERN = re.compile(r"[a-z][a-z0-9_]{0,59}")


@dataclass(frozen=True, slots=True)
class Item:
    """One question on the 1–10 scale, higher is better; labels name the two ends."""

    key: str
    text_sv: str
    text_en: str
    low_label_sv: str
    high_label_sv: str
    low_label_en: str
    high_label_en: str


@dataclass(frozen=True, slots=True)
class Questionnaire:
    version: int
    items: tuple[Item, ...]

    def __post_init__(self) -> None:
        keys = [i.key for i in self.items]
        if not keys or len(set(keys)) != len(keys):
            raise ValueError(f"questionnaire {self.version}: item keys must be unique, not empty")
        # Keys are machine names (JSON keys in exports, aggregated as "key:score" lists in SQL).
        bad = [k for k in keys if not ITEM_KEY_PATTERN.fullmatch(k)]
        if bad:
            raise ValueError(f"questionnaire {self.version}: item keys must be snake_case: {bad}")

    @property
    def keys(self) -> tuple[str, ...]:
        return tuple(i.key for i in self.items)

    def item(self, key: str) -> Item | None:
        return next((i for i in self.items if i.key == key), None)


# Our own plain wording (DOMAIN.md §7 names the areas; no licensed instrument is copied).
QUESTIONNAIRE_V1 = Questionnaire(
    version=1,
    items=(
        Item(
            "work_study_readiness",
            "Hur redo känner du dig att börja arbeta eller studera?",
            "How ready do you feel to start working or studying?",
            "Inte alls redo",
            "Helt redo",
            "Not ready at all",
            "Completely ready",
        ),
        Item(
            "physical_health",
            "Hur mår du i kroppen just nu?",
            "How is your physical health right now?",
            "Mycket dåligt",
            "Mycket bra",
            "Very poor",
            "Very good",
        ),
        Item(
            "mental_health",
            "Hur mår du psykiskt just nu?",
            "How is your mental health right now?",
            "Mycket dåligt",
            "Mycket bra",
            "Very poor",
            "Very good",
        ),
        Item(
            "social_situation",
            "Hur nöjd är du med din sociala situation, till exempel vänner och fritid?",
            "How satisfied are you with your social life, such as friends and free time?",
            "Inte alls nöjd",
            "Mycket nöjd",
            "Not satisfied at all",
            "Very satisfied",
        ),
        Item(
            "self_esteem",
            "Hur mycket tror du på dig själv och din förmåga?",
            "How much do you believe in yourself and what you can do?",
            "Inte alls",
            "Helt och fullt",
            "Not at all",
            "Completely",
        ),
        Item(
            "exercise_habits",
            "Hur nöjd är du med hur mycket du rör på dig?",
            "How satisfied are you with how much you move and exercise?",
            "Inte alls nöjd",
            "Mycket nöjd",
            "Not satisfied at all",
            "Very satisfied",
        ),
        Item(
            "diet",
            "Hur bra tycker du att du äter, regelbundet och varierat?",
            "How well do you think you eat, regularly and with variety?",
            "Mycket dåligt",
            "Mycket bra",
            "Very poorly",
            "Very well",
        ),
        Item(
            "life_satisfaction",
            "Hur nöjd är du med ditt liv som helhet?",
            "How satisfied are you with your life as a whole?",
            "Inte alls nöjd",
            "Mycket nöjd",
            "Not satisfied at all",
            "Very satisfied",
        ),
        Item(
            "relations_with_authorities",
            "Hur fungerar din kontakt med myndigheter, till exempel Försäkringskassan, "
            "Arbetsförmedlingen och socialtjänsten?",
            "How well does your contact with authorities work, for example the Social "
            "Insurance Agency, the Public Employment Service and social services?",
            "Mycket dåligt",
            "Mycket bra",
            "Very badly",
            "Very well",
        ),
        Item(
            "family_relations",
            "Hur fungerar relationerna i din familj?",
            "How are the relationships in your family?",
            "Mycket dåligt",
            "Mycket bra",
            "Very badly",
            "Very well",
        ),
    ),
)

QUESTIONNAIRES: dict[int, Questionnaire] = {q.version: q for q in (QUESTIONNAIRE_V1,)}
CURRENT_QUESTIONNAIRE_VERSION = 1


def get_questionnaire(version: int) -> Questionnaire:
    try:
        return QUESTIONNAIRES[version]
    except KeyError:
        raise UnknownCode(
            f"Enkätversion {version} finns inte.",
            fields={"questionnaire_version": "okänd version"},
        ) from None


# --- occasions ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class OccasionLabel:
    sv: str
    en: str


@dataclass(frozen=True, slots=True)
class DueOccasion:
    occasion: str
    due_on: date


def step_of_occasion(occasion: str) -> int | None:
    """The step an `after_step_<n>` occasion follows, else None."""
    if not occasion.startswith(_AFTER_STEP_PREFIX):
        return None
    digits = occasion[len(_AFTER_STEP_PREFIX) :]
    # isascii: int() would also accept other scripts' digits ("after_step_٣").
    if not (digits.isascii() and digits.isdigit()) or digits.startswith("0"):
        return None
    return int(digits)


def programme_occasions(programme: Programme) -> tuple[str, ...]:
    """Every occasion of a programme in the order they can happen: start, after each step but
    the last, exit, follow-up."""
    return (
        OCCASION_START,
        *(occasion_after_step(s.number) for s in programme.steps[:-1]),
        OCCASION_EXIT,
        OCCASION_FOLLOW_UP,
    )


def occasion_sort_key(occasion: str) -> int:
    """Orders occasions as they happen, without needing the programme."""
    if occasion == OCCASION_START:
        return 0
    step = step_of_occasion(occasion)
    if step is not None:
        return step
    return {OCCASION_EXIT: 1_000_000, OCCASION_FOLLOW_UP: 1_000_001}.get(occasion, 2_000_000)


def occasion_label(occasion: str) -> OccasionLabel:
    if occasion == OCCASION_START:
        return OccasionLabel("Start", "Start")
    if occasion == OCCASION_EXIT:
        return OccasionLabel("Avslut", "Exit")
    if occasion == OCCASION_FOLLOW_UP:
        return OccasionLabel("Uppföljning", "Follow-up")
    step = step_of_occasion(occasion)
    if step is None:
        raise UnknownCode(f"Tillfället '{occasion}' finns inte.", fields={"occasion": "okänt"})
    return OccasionLabel(f"Efter Level {step}", f"After Level {step}")


def check_occasion(programme: Programme, occasion: str) -> str:
    if occasion not in programme_occasions(programme):
        raise InvalidInput(
            f"Tillfället finns inte i {programme.name_sv}. Välj ett av: "
            + ", ".join(programme_occasions(programme))
            + ".",
            fields={"occasion": "okänt tillfälle"},
        )
    return occasion


def due_occasions(programme: Programme, enrolment: Enrolment) -> tuple[DueOccasion, ...]:
    """The occasions the history has made due (DOMAIN.md §4 rule 8), each once, on the corrected
    date of the transition that first made it due: start; every move out of a step (advancing,
    or stepping back from a step that is not the last); exit. Follow-up is never made due by a
    transition."""
    if programme.code != enrolment.programme_code:
        raise ValueError("programme does not match the enrolment")
    found: dict[str, date] = {}
    step: int | None = None
    for t in enrolment.history:
        on = enrolment.effective_dates.get(t.seq, t.effective_on)
        occasion: str | None = None
        match t.kind:
            case TransitionKind.START:
                occasion, step = OCCASION_START, programme.first_step
            case TransitionKind.ADVANCE:
                assert step is not None
                occasion, step = occasion_after_step(step), step + 1
            case TransitionKind.STEP_BACK:
                assert step is not None
                if step < programme.last_step:
                    occasion = occasion_after_step(step)
                step -= 1
            case TransitionKind.EXIT:
                occasion = OCCASION_EXIT
            case _:
                pass
        if occasion is not None and occasion not in found:
            found[occasion] = on
    return tuple(DueOccasion(o, on) for o, on in found.items())


def follow_up_available_on(programme: Programme, enrolment: Enrolment) -> date | None:
    """The first day a follow-up assessment may be answered: when the enrolment first entered a
    work/studies step, or its exit, whichever came first; None until then."""
    step: int | None = None
    for t in enrolment.history:
        on = enrolment.effective_dates.get(t.seq, t.effective_on)
        if t.kind is TransitionKind.START:
            step = programme.first_step
        elif t.kind is TransitionKind.ADVANCE and step is not None:
            step += 1
            if programme.step(step).requires_outcome:
                return on
        elif t.kind is TransitionKind.STEP_BACK and step is not None:
            step -= 1
        elif t.kind is TransitionKind.EXIT:
            return on
    return None


class AssessmentStatus(StrEnum):
    DUE = "due"
    OVERDUE = "overdue"
    ANSWERED = "answered"
    NOT_DUE = "not_due"


def assessment_status(due_on: date, answered: bool, today: date) -> AssessmentStatus:
    if answered:
        return AssessmentStatus.ANSWERED
    if (today - due_on).days > ASSESSMENT_OVERDUE_AFTER_DAYS:
        return AssessmentStatus.OVERDUE
    return AssessmentStatus.DUE


# --- submissions ----------------------------------------------------------------------------


class Respondent(StrEnum):
    PARTICIPANT = "participant"
    PARTICIPANT_WITH_MENTOR = "participant_with_mentor"


class Rater(StrEnum):
    """Whose scores a row holds: the participant's answers, or the mentor's separate rating."""

    PARTICIPANT = "participant"
    MENTOR = "mentor"


@dataclass(frozen=True, slots=True)
class Submission:
    occasion: str
    questionnaire_version: int
    answered_on: date
    respondent: Respondent
    # item key -> score. The mentor's rating is kept apart and never mixed into `answers`.
    answers: Mapping[str, int]
    mentor_rating: Mapping[str, int] | None = None


@dataclass(frozen=True, slots=True)
class SubmissionRecord:
    """What the correction rules need to know about a stored submission."""

    id: int
    occasion: str
    questionnaire_version: int
    is_current: bool


_RESPONDENT_SV = "participant (deltagaren själv) eller participant_with_mentor (med mentorn)"


def _check_scores(
    scores: Mapping[str, object], questionnaire: Questionnaire, field_name: str
) -> dict[str, int]:
    if not scores:
        raise MissingInformation(
            "Ange svar på minst en fråga.", fields={field_name: "minst ett svar krävs"}
        )
    problems: dict[str, str] = {}
    clean: dict[str, int] = {}
    for key, score in scores.items():
        # Field names are echoed back; cut them so a long invented key cannot bloat the answer.
        where = f"{field_name}.{str(key)[:60]}"
        if questionnaire.item(key) is None:
            problems[where] = "okänd fråga"
        elif isinstance(score, bool) or not isinstance(score, int):
            problems[where] = "heltal 1–10"
        elif not SCALE_MIN <= score <= SCALE_MAX:
            problems[where] = "utanför skalan 1–10"
        else:
            clean[key] = score
    if problems:
        unknown = any(v == "okänd fråga" for v in problems.values())
        raise InvalidInput(
            f"Svaren följer inte enkät version {questionnaire.version}: "
            + (
                "frågan finns inte i enkäten. "
                if unknown
                else f"varje svar är ett heltal {SCALE_MIN}–{SCALE_MAX}. "
            )
            + "Se fälten.",
            fields=problems,
        )
    # In questionnaire order, so stored and shown answers read like the form.
    return {k: clean[k] for k in questionnaire.keys if k in clean}


def validate_submission(
    submission: Submission,
    *,
    programme: Programme,
    enrolment: Enrolment,
    answered_occasions: Collection[str],
    today: date,
) -> Submission:
    """Check a new submission against the rules and return it normalised (answers in
    questionnaire order). `answered_occasions` are the occasions that already have a current
    submission. Shape errors are InvalidInput/MissingInformation (422), an occasion that may not
    be answered now is InvalidTransition (409), wrong dates are InvalidEffectiveDate (422)."""
    if programme.code != enrolment.programme_code:
        raise ValueError("programme does not match the enrolment")
    questionnaire = get_questionnaire(submission.questionnaire_version)
    occasion = check_occasion(programme, submission.occasion)
    try:
        respondent = Respondent(submission.respondent)
    except ValueError:
        raise InvalidInput(
            f"Ange vem som svarade: {_RESPONDENT_SV}.", fields={"respondent": "okänt värde"}
        ) from None
    answers = _check_scores(submission.answers, questionnaire, "answers")
    mentor_rating = (
        None
        if submission.mentor_rating is None
        else _check_scores(submission.mentor_rating, questionnaire, "mentor_rating")
    )

    label = occasion_label(occasion).sv.lower()
    became_answerable: date | None
    if occasion == OCCASION_FOLLOW_UP:
        became_answerable = follow_up_available_on(programme, enrolment)
        if became_answerable is None:
            raise InvalidTransition(
                "Självskattning vid uppföljning kan göras först när deltagaren har nått arbete "
                "eller studier eller har avslutats.",
                fields={"occasion": "inte aktuellt ännu"},
            )
    else:
        due = {d.occasion: d.due_on for d in due_occasions(programme, enrolment)}
        became_answerable = due.get(occasion)
        if became_answerable is None:
            raise InvalidTransition(
                f"Självskattningen {label} är inte aktuell ännu: den blir aktuell när "
                "inskrivningen når det tillfället.",
                fields={"occasion": "inte aktuellt ännu"},
            )
    if occasion in answered_occasions:
        raise InvalidTransition(
            f"Självskattningen {label} är redan besvarad. Ett fel rättas med en rättelse av den "
            "tidigare självskattningen.",
            fields={"occasion": "redan besvarad"},
        )

    on = submission.answered_on
    if on > today:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger i framtiden; registrera svaren när de har getts.",
            fields={"answered_on": "datum i framtiden"},
        )
    if enrolment.referred_on is not None and on < enrolment.referred_on:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger före remissdatumet "
            f"({enrolment.referred_on.isoformat()}).",
            fields={"answered_on": "före remissdatumet"},
        )
    if on < became_answerable:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger före dagen då självskattningen blev aktuell "
            f"({became_answerable.isoformat()}).",
            fields={"answered_on": "före tillfället"},
        )
    return Submission(
        occasion=occasion,
        questionnaire_version=questionnaire.version,
        answered_on=on,
        respondent=respondent,
        answers=answers,
        mentor_rating=mentor_rating,
    )


def validate_correction(
    original: SubmissionRecord,
    correction: Submission,
    reason: str | None,
    *,
    programme: Programme,
    enrolment: Enrolment,
    answered_occasions: Collection[str],
    today: date,
) -> tuple[Submission, str]:
    """A correction is a new submission for the same occasion and questionnaire version that
    supersedes `original`, which must still be current. Returns the normalised correction and
    its reason."""
    if not original.is_current:
        raise InvalidTransition(
            "Självskattningen har redan ersatts av en rättelse. Rätta den senaste versionen.",
            fields={"id": "redan ersatt"},
        )
    text = (reason or "").strip()
    if not text:
        raise MissingInformation("Ange varför svaren rättas.", fields={"reason": "anledning krävs"})
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"Anledningen får vara högst {MAX_REASON_LENGTH} tecken.",
            fields={"reason": "för lång"},
        )
    if (correction.occasion, correction.questionnaire_version) != (
        original.occasion,
        original.questionnaire_version,
    ):
        raise InvalidInput(
            "En rättelse gäller samma tillfälle och enkätversion som den rättade självskattningen.",
            fields={"occasion": "samma som den rättade"},
        )
    # The corrected occasion is answered by `original`, which this one replaces.
    others = [o for o in answered_occasions if o != original.occasion]
    clean = validate_submission(
        correction,
        programme=programme,
        enrolment=enrolment,
        answered_occasions=others,
        today=today,
    )
    return clean, text


# --- change per item ------------------------------------------------------------------------


class Direction(StrEnum):
    IMPROVED = "improved"
    UNCHANGED = "unchanged"
    WORSENED = "worsened"


@dataclass(frozen=True, slots=True)
class Reading:
    """One current participant submission (never a mentor rating) as change sees it."""

    submission_id: int
    occasion: str
    answered_on: date
    answers: Mapping[str, int] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class ItemChange:
    first: int
    latest: int
    difference: int
    direction: Direction


def classify(first: int, latest: int) -> Direction:
    """Higher is better on every item."""
    if latest > first:
        return Direction.IMPROVED
    if latest < first:
        return Direction.WORSENED
    return Direction.UNCHANGED


def order_readings(readings: Iterable[Reading]) -> list[Reading]:
    """By answer date, then occasion order, then recording order."""
    return sorted(
        readings, key=lambda r: (r.answered_on, occasion_sort_key(r.occasion), r.submission_id)
    )


def change_per_item(readings: Sequence[Reading]) -> dict[str, ItemChange]:
    """Latest − first reading per item within the enrolment (DOMAIN.md §7), complete pairs only:
    an item gets a change when two different submissions answered it; otherwise it has none."""
    ordered = order_readings(readings)
    keys = {k for r in ordered for k in r.answers}
    changes: dict[str, ItemChange] = {}
    for key in sorted(keys):
        having = [r for r in ordered if key in r.answers]
        if len(having) < 2:
            continue
        first, latest = having[0].answers[key], having[-1].answers[key]
        changes[key] = ItemChange(first, latest, latest - first, classify(first, latest))
    return changes
