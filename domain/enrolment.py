"""The enrolment state machine (DOMAIN.md §4).

An enrolment is its history: an append-only tuple of transitions. Everything else (state, step,
start and exit dates, the current outcome) is *derived* by `replay`, so there is exactly one
place that decides what a history means, and a correction is just another event that replay
honours. `apply` validates one command against the current enrolment and `today` and returns the
new enrolment plus the events the command caused. No clock reads, no I/O.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from typing import Any

from domain.codelists import CodeEntry, CodeListName
from domain.errors import (
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
    NotEligible,
)
from domain.personnummer import age_on
from domain.programmes import Programme

MAX_REASON_LENGTH = 500


class EnrolmentState(StrEnum):
    REFERRED = "referred"
    INTAKE = "intake"
    ACTIVE = "active"
    PAUSED = "paused"
    DECLINED = "declined"
    EXITED = "exited"


TERMINAL_STATES = frozenset({EnrolmentState.DECLINED, EnrolmentState.EXITED})


class TransitionKind(StrEnum):
    REFER = "refer"
    HOLD_INTAKE = "hold_intake"
    START = "start"
    ADVANCE = "advance"
    STEP_BACK = "step_back"
    PAUSE = "pause"
    RESUME = "resume"
    EXIT = "exit"
    DECLINE = "decline"
    CORRECT_DATE = "correct_date"


class PauseReason(StrEnum):
    SICK_LEAVE = "sick_leave"
    PARENTAL_LEAVE = "parental_leave"
    OTHER = "other"


class OutcomeKind(StrEnum):
    WORK = "work"
    STUDIES = "studies"


class StudiesKind(StrEnum):
    KOMVUX = "komvux"
    FOLKHOGSKOLA = "folkhogskola"
    UNIVERSITY = "university"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Outcome:
    """What a participant reached when entering an outcome step (Level 4)."""

    kind: OutcomeKind
    starts_on: date
    subsidised: bool | None = None
    extent_percent: int | None = None
    studies_kind: StudiesKind | None = None

    def __post_init__(self) -> None:
        # Adapters may hand in plain strings; normalise so the `is` checks below hold.
        object.__setattr__(self, "kind", OutcomeKind(self.kind))
        if self.studies_kind is not None:
            object.__setattr__(self, "studies_kind", StudiesKind(self.studies_kind))
        if isinstance(self.extent_percent, bool):
            raise InvalidInput(
                "Omfattningen anges i procent, 1–100.", fields={"outcome.extent_percent": "1–100"}
            )
        if self.extent_percent is not None and not 1 <= self.extent_percent <= 100:
            raise InvalidInput(
                "Omfattningen anges i procent, 1–100.", fields={"outcome.extent_percent": "1–100"}
            )
        if self.kind is OutcomeKind.WORK:
            if self.subsidised is None or self.extent_percent is None:
                raise MissingInformation(
                    "Arbete kräver uppgift om anställningen är subventionerad och dess omfattning.",
                    fields={"outcome": "subventionerad och omfattning krävs för arbete"},
                )
            if self.studies_kind is not None:
                raise InvalidInput(
                    "Studieform anges bara för studier.",
                    fields={"outcome.studies_kind": "bara för studier"},
                )
        else:
            if self.studies_kind is None:
                raise MissingInformation(
                    "Studier kräver studieform.",
                    fields={"outcome.studies_kind": "krävs för studier"},
                )
            if self.subsidised is not None:
                raise InvalidInput(
                    "Subventionerad anges bara för arbete.",
                    fields={"outcome.subsidised": "bara för arbete"},
                )


@dataclass(frozen=True, slots=True)
class Transition:
    """One entry in the append-only history."""

    seq: int
    kind: TransitionKind
    effective_on: date
    reason: str | None = None
    outcome: Outcome | None = None
    pause_reason: PauseReason | None = None
    exit_reason_code: str | None = None
    exit_status_code: str | None = None
    # A CORRECT_DATE event points at the transition whose date it replaces.
    corrects_seq: int | None = None


# --- commands -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class HoldIntake:
    effective_on: date


@dataclass(frozen=True, slots=True)
class Start:
    effective_on: date


@dataclass(frozen=True, slots=True)
class Advance:
    effective_on: date
    outcome: Outcome | None = None


@dataclass(frozen=True, slots=True)
class StepBack:
    effective_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class Pause:
    effective_on: date
    reason: PauseReason
    note: str | None = None


@dataclass(frozen=True, slots=True)
class Resume:
    effective_on: date


@dataclass(frozen=True, slots=True)
class Exit:
    effective_on: date
    # Resolved by the caller from the current code-list versions, so the domain checks meaning
    # (which list, valid on the date) without doing I/O.
    exit_reason: CodeEntry
    exit_status: CodeEntry
    exit_reason_list: CodeListName = CodeListName.EXIT_REASON
    exit_status_list: CodeListName = CodeListName.EXIT_STATUS


@dataclass(frozen=True, slots=True)
class Decline:
    effective_on: date
    reason: str


@dataclass(frozen=True, slots=True)
class CorrectDate:
    """Replace the business date of an earlier transition, keeping history append-only."""

    target_seq: int
    effective_on: date
    reason: str


Command = HoldIntake | Start | Advance | StepBack | Pause | Resume | Exit | Decline | CorrectDate


# --- events ---------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class TransitionRecorded:
    transition: Transition


@dataclass(frozen=True, slots=True)
class AssessmentDue:
    """DOMAIN.md §4 rule 8: start, every move out of a step, and exit make one due."""

    occasion: str
    due_on: date


@dataclass(frozen=True, slots=True)
class SupportPeriodStarted:
    starts_on: date
    ends_on: date


Event = TransitionRecorded | AssessmentDue | SupportPeriodStarted


def occasion_after_step(step: int) -> str:
    return f"after_step_{step}"


OCCASION_START = "start"
OCCASION_EXIT = "exit"


# --- the enrolment --------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Enrolment:
    programme_code: str
    history: tuple[Transition, ...]
    # Derived by replay; never set by hand.
    state: EnrolmentState = EnrolmentState.REFERRED
    step: int | None = None
    highest_step: int | None = None
    referred_on: date | None = None
    started_on: date | None = None
    ended_on: date | None = None
    step_entered_on: date | None = None
    outcome: Outcome | None = None
    exit_reason_code: str | None = None
    exit_status_code: str | None = None
    effective_dates: dict[int, date] = field(default_factory=dict, compare=False)

    @property
    def last_effective_on(self) -> date:
        """The latest business date in the history: a new transition may not precede it."""
        return max(
            self.effective_dates[t.seq]
            for t in self.history
            if t.kind is not TransitionKind.CORRECT_DATE
        )

    @property
    def is_terminal(self) -> bool:
        return self.state in TERMINAL_STATES

    def days_in_step(self, today: date) -> int | None:
        if self.step_entered_on is None or self.state not in (
            EnrolmentState.ACTIVE,
            EnrolmentState.PAUSED,
        ):
            return None
        return (today - self.step_entered_on).days


def replay(programme_code: str, history: tuple[Transition, ...]) -> Enrolment:
    """Derive an enrolment's current facts from its history (corrected dates applied)."""
    facts = _Facts(history)
    for _ in _fold(facts, history):
        pass
    return facts.enrolment(programme_code, history)


def states_after_each(
    programme_code: str, history: tuple[Transition, ...]
) -> list[tuple[EnrolmentState, int | None]]:
    """(state, step) right after each transition, in one pass (for showing the history)."""
    return [(f.state, f.step) for f in _fold(_Facts(history), history)]


def replay_with_states(
    programme_code: str, history: tuple[Transition, ...]
) -> tuple[Enrolment, list[tuple[EnrolmentState, int | None]]]:
    """`replay` and `states_after_each` in one pass (the export needs both per row)."""
    facts = _Facts(history)
    after_each = [(f.state, f.step) for f in _fold(facts, history)]
    return facts.enrolment(programme_code, history), after_each


class _Facts:
    """What replay has derived so far. Mutable and private to the fold: replaying is on the
    hot path of every history read and export row, and copying a frozen dataclass per
    transition cost more than everything else in it."""

    __slots__ = (
        "dates",
        "ended_on",
        "exit_reason_code",
        "exit_status_code",
        "highest_step",
        "outcome",
        "referred_on",
        "started_on",
        "state",
        "step",
        "step_entered_on",
    )

    def __init__(self, history: tuple[Transition, ...]) -> None:
        self.state = EnrolmentState.REFERRED
        self.step: int | None = None
        self.highest_step: int | None = None
        self.referred_on: date | None = None
        self.started_on: date | None = None
        self.ended_on: date | None = None
        self.step_entered_on: date | None = None
        self.outcome: Outcome | None = None
        self.exit_reason_code: str | None = None
        self.exit_status_code: str | None = None
        # A correction's date replaces the corrected transition's date everywhere.
        self.dates: dict[int, date] = {}
        for t in history:
            target = t.corrects_seq if t.kind is TransitionKind.CORRECT_DATE else t.seq
            self.dates[target] = t.effective_on  # type: ignore[index]

    def enrolment(self, programme_code: str, history: tuple[Transition, ...]) -> Enrolment:
        return Enrolment(
            programme_code=programme_code,
            history=history,
            state=self.state,
            step=self.step,
            highest_step=self.highest_step,
            referred_on=self.referred_on,
            started_on=self.started_on,
            ended_on=self.ended_on,
            step_entered_on=self.step_entered_on,
            outcome=self.outcome,
            exit_reason_code=self.exit_reason_code,
            exit_status_code=self.exit_status_code,
            effective_dates=self.dates,
        )


def _fold(f: _Facts, history: tuple[Transition, ...]) -> Iterator[_Facts]:
    """Apply each transition to `f` in turn, yielding it after each (the same object: read
    what you need before advancing). `replay` is the state after the last."""
    dates = f.dates
    # The outcome recorded on entering each step, so stepping back onto an outcome step (in a
    # programme where it is not the last) restores it instead of losing it.
    outcome_by_step: dict[int, Outcome] = {}
    for t in history:
        on = dates[t.seq] if t.kind is not TransitionKind.CORRECT_DATE else None
        match t.kind:
            case TransitionKind.REFER:
                f.state, f.referred_on = EnrolmentState.REFERRED, on
            case TransitionKind.HOLD_INTAKE:
                f.state = EnrolmentState.INTAKE
            case TransitionKind.START:
                f.state, f.step, f.highest_step = EnrolmentState.ACTIVE, 1, 1
                f.started_on = f.step_entered_on = on
            case TransitionKind.ADVANCE | TransitionKind.STEP_BACK:
                assert f.step is not None
                step = f.step + (1 if t.kind is TransitionKind.ADVANCE else -1)
                if t.outcome is not None:
                    outcome_by_step[step] = t.outcome
                f.step, f.highest_step = step, max(f.highest_step or 0, step)
                f.step_entered_on = on
                f.outcome = outcome_by_step.get(step)
            case TransitionKind.PAUSE:
                f.state = EnrolmentState.PAUSED
            case TransitionKind.RESUME:
                f.state = EnrolmentState.ACTIVE
            case TransitionKind.EXIT:
                f.state, f.ended_on = EnrolmentState.EXITED, on
                f.exit_reason_code, f.exit_status_code = t.exit_reason_code, t.exit_status_code
            case TransitionKind.DECLINE:
                f.state, f.ended_on = EnrolmentState.DECLINED, on
            case TransitionKind.CORRECT_DATE:
                pass
        yield f


def open_referral(
    programme: Programme, *, referred_on: date, birth_date: date, today: date
) -> tuple[Enrolment, list[Event]]:
    """A new enrolment in state `referred`. A returning person always gets a new one (rule 7)."""
    _check_not_future(referred_on, today)
    if referred_on < birth_date:
        raise NotEligible(
            "Remissdatumet ligger före personens födelsedatum.",
            fields={"referred_on": "före födelsedatum"},
        )
    age = age_on(birth_date, referred_on)
    if not programme.min_age <= age <= programme.max_age:
        raise NotEligible(
            f"{programme.name_sv} är för personer {programme.min_age}–{programme.max_age} år; "
            f"personen var {age} år på remissdatumet.",
            fields={"referred_on": "ålder utanför programmets åldersgräns"},
        )
    refer = Transition(seq=1, kind=TransitionKind.REFER, effective_on=referred_on)
    return replay(programme.code, (refer,)), [TransitionRecorded(refer)]


def apply(
    enrolment: Enrolment, command: Command, *, programme: Programme, today: date
) -> tuple[Enrolment, list[Event]]:
    """Validate `command` against `enrolment` and return the new enrolment and its events."""
    if programme.code != enrolment.programme_code:
        raise ValueError("programme does not match the enrolment")
    handler = _HANDLERS[type(command)]
    transition, events = handler(enrolment, command, programme, today)
    new = replay(enrolment.programme_code, (*enrolment.history, transition))
    return new, [TransitionRecorded(transition), *events]


# --- rules ----------------------------------------------------------------------------------

_STATE_SV = {
    EnrolmentState.REFERRED: "remitterad",
    EnrolmentState.INTAKE: "i inskrivningsskede",
    EnrolmentState.ACTIVE: "aktiv",
    EnrolmentState.PAUSED: "pausad",
    EnrolmentState.DECLINED: "avböjd",
    EnrolmentState.EXITED: "avslutad",
}

# Which states each command may start from: the transition table of DOMAIN.md §4.
ALLOWED_FROM: dict[type, frozenset[EnrolmentState]] = {
    HoldIntake: frozenset({EnrolmentState.REFERRED}),
    Start: frozenset({EnrolmentState.INTAKE}),
    Advance: frozenset({EnrolmentState.ACTIVE}),
    StepBack: frozenset({EnrolmentState.ACTIVE}),
    Pause: frozenset({EnrolmentState.ACTIVE}),
    Resume: frozenset({EnrolmentState.PAUSED}),
    Exit: frozenset({EnrolmentState.ACTIVE, EnrolmentState.PAUSED}),
    Decline: frozenset({EnrolmentState.REFERRED, EnrolmentState.INTAKE}),
    # Correcting a wrong date is not a new happening, so it is allowed in every state.
    CorrectDate: frozenset(EnrolmentState),
}

_ACTION_SV = {
    HoldIntake: "registrera trepartsmöte",
    Start: "starta",
    Advance: "gå upp en nivå",
    StepBack: "gå ned en nivå",
    Pause: "pausa",
    Resume: "återuppta",
    Exit: "avsluta",
    Decline: "avböja",
    CorrectDate: "rätta datum",
}


def _check_allowed(e: Enrolment, command: Command) -> None:
    if e.state in ALLOWED_FROM[type(command)]:
        return
    action = _ACTION_SV[type(command)]
    if e.is_terminal:
        detail = (
            f"Inskrivningen är {_STATE_SV[e.state]}; inget mer kan registreras utom "
            "uppföljning. En person som kommer tillbaka får en ny inskrivning."
        )
    elif e.state is EnrolmentState.PAUSED:
        detail = f"Inskrivningen är pausad. Återuppta den innan du kan {action}."
    else:
        detail = f"Det går inte att {action} när inskrivningen är {_STATE_SV[e.state]}."
    raise InvalidTransition(detail)


def _check_not_future(on: date, today: date) -> None:
    if on > today:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger i framtiden; registrera händelsen när den har skett.",
            fields={"effective_on": "datum i framtiden"},
        )


def _check_effective_on(e: Enrolment, on: date, today: date) -> None:
    _check_not_future(on, today)
    previous = e.last_effective_on
    if on < previous:
        raise InvalidEffectiveDate(
            f"Datumet {on.isoformat()} ligger före föregående händelse ({previous.isoformat()}).",
            fields={"effective_on": "före föregående händelse"},
        )


def _require_reason(reason: str | None, field_name: str = "reason") -> str:
    text = (reason or "").strip()
    if not text:
        raise MissingInformation("Ange en anledning.", fields={field_name: "anledning krävs"})
    if len(text) > MAX_REASON_LENGTH:
        raise InvalidInput(
            f"Anledningen får vara högst {MAX_REASON_LENGTH} tecken.",
            fields={field_name: "för lång"},
        )
    return text


def _next_seq(e: Enrolment) -> int:
    return e.history[-1].seq + 1


def _base(e: Enrolment, command: Command, today: date) -> int:
    _check_allowed(e, command)
    if not isinstance(command, CorrectDate):
        _check_effective_on(e, command.effective_on, today)
    return _next_seq(e)


_Result = tuple[Transition, list[Event]]


def _hold_intake(e: Enrolment, c: HoldIntake, p: Programme, today: date) -> _Result:
    return Transition(_base(e, c, today), TransitionKind.HOLD_INTAKE, c.effective_on), []


def _start(e: Enrolment, c: Start, p: Programme, today: date) -> _Result:
    t = Transition(_base(e, c, today), TransitionKind.START, c.effective_on)
    return t, [AssessmentDue(OCCASION_START, c.effective_on)]


def _advance(e: Enrolment, c: Advance, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    assert e.step is not None
    if e.step >= p.last_step:
        raise InvalidTransition(f"{p.step(e.step).name_sv} är programmets sista nivå.")
    target = p.step(e.step + 1)
    events: list[Event] = [AssessmentDue(occasion_after_step(e.step), c.effective_on)]
    if target.requires_outcome:
        if c.outcome is None:
            raise MissingInformation(
                f"För att gå till {target.name_sv} krävs ett utfall: arbete eller studier "
                "med startdatum.",
                fields={"outcome": "krävs för denna nivå"},
            )
        if e.started_on is not None and c.outcome.starts_on < e.started_on:
            raise InvalidEffectiveDate(
                "Utfallet kan inte börja före inskrivningens start.",
                fields={"outcome.starts_on": "före start"},
            )
        if p.support_period_months:
            events.append(
                SupportPeriodStarted(
                    c.effective_on, add_months(c.effective_on, p.support_period_months)
                )
            )
    elif c.outcome is not None:
        raise InvalidInput(
            f"{target.name_sv} har inget utfall att registrera.",
            fields={"outcome": "anges bara för nivå med arbete/studier"},
        )
    return Transition(seq, TransitionKind.ADVANCE, c.effective_on, outcome=c.outcome), events


def _step_back(e: Enrolment, c: StepBack, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    reason = _require_reason(c.reason)
    assert e.step is not None
    if e.step <= p.first_step:
        raise InvalidTransition(
            f"{p.step(e.step).name_sv} är första nivån; det finns ingen nivå att gå tillbaka till."
        )
    t = Transition(seq, TransitionKind.STEP_BACK, c.effective_on, reason=reason)
    # Occasions exist after each step but the last (DOMAIN.md §7: after Level 1, 2, 3).
    if e.step < p.last_step:
        return t, [AssessmentDue(occasion_after_step(e.step), c.effective_on)]
    return t, []


def _pause(e: Enrolment, c: Pause, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    note = c.note.strip() if c.note else None
    if note and len(note) > MAX_REASON_LENGTH:
        raise InvalidInput("Kommentaren är för lång.", fields={"note": "för lång"})
    return Transition(
        seq, TransitionKind.PAUSE, c.effective_on, reason=note or None, pause_reason=c.reason
    ), []


def _resume(e: Enrolment, c: Resume, p: Programme, today: date) -> _Result:
    return Transition(_base(e, c, today), TransitionKind.RESUME, c.effective_on), []


def _exit(e: Enrolment, c: Exit, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    for entry, list_name, wanted, name in (
        (c.exit_reason, c.exit_reason_list, CodeListName.EXIT_REASON, "exit_reason_code"),
        (c.exit_status, c.exit_status_list, CodeListName.EXIT_STATUS, "exit_status_code"),
    ):
        if list_name is not wanted:
            raise InvalidInput(
                f"Koden '{entry.code}' hör inte till listan {wanted.value}.",
                fields={name: "fel kodlista"},
            )
        if not entry.is_valid_on(c.effective_on):
            raise InvalidInput(
                f"Koden '{entry.code}' gäller inte {c.effective_on.isoformat()}.",
                fields={name: "koden gäller inte detta datum"},
            )
    t = Transition(
        seq,
        TransitionKind.EXIT,
        c.effective_on,
        exit_reason_code=c.exit_reason.code,
        exit_status_code=c.exit_status.code,
    )
    return t, [AssessmentDue(OCCASION_EXIT, c.effective_on)]


def _decline(e: Enrolment, c: Decline, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    return Transition(
        seq, TransitionKind.DECLINE, c.effective_on, reason=_require_reason(c.reason)
    ), []


def _correct_date(e: Enrolment, c: CorrectDate, p: Programme, today: date) -> _Result:
    seq = _base(e, c, today)
    reason = _require_reason(c.reason)
    dated = [t for t in e.history if t.kind is not TransitionKind.CORRECT_DATE]
    index = next((i for i, t in enumerate(dated) if t.seq == c.target_seq), None)
    if index is None:
        raise InvalidInput(
            f"Händelse {c.target_seq} finns inte eller kan inte rättas.",
            fields={"target_seq": "okänd händelse"},
        )
    _check_not_future(c.effective_on, today)
    before = e.effective_dates[dated[index - 1].seq] if index > 0 else None
    after = e.effective_dates[dated[index + 1].seq] if index + 1 < len(dated) else None
    if (before and c.effective_on < before) or (after and c.effective_on > after):
        raise InvalidEffectiveDate(
            "Det rättade datumet måste ligga mellan föregående och nästa händelse"
            f" ({before.isoformat() if before else '–'} – {after.isoformat() if after else '–'}).",
            fields={"effective_on": "utanför tillåtet intervall"},
        )
    if (
        dated[index].kind is TransitionKind.START
        and e.outcome is not None
        and c.effective_on > e.outcome.starts_on
    ):
        raise InvalidEffectiveDate(
            "Startdatumet kan inte flyttas förbi utfallets startdatum.",
            fields={"effective_on": "efter utfallets start"},
        )
    return Transition(
        seq, TransitionKind.CORRECT_DATE, c.effective_on, reason=reason, corrects_seq=c.target_seq
    ), []


# Each handler takes its own command type; the dict is keyed by that type, so `Any` is safe.
_HANDLERS: dict[type, Callable[[Enrolment, Any, Programme, date], _Result]] = {
    HoldIntake: _hold_intake,
    Start: _start,
    Advance: _advance,
    StepBack: _step_back,
    Pause: _pause,
    Resume: _resume,
    Exit: _exit,
    Decline: _decline,
    CorrectDate: _correct_date,
}


# --- date helpers ---------------------------------------------------------------------------


def add_months(on: date, months: int) -> date:
    """Calendar months, clamped to the month's last day (31 Jan + 1 month = 28/29 Feb)."""
    month_index = on.month - 1 + months
    year, month = on.year + month_index // 12, month_index % 12 + 1
    for day in (on.day, 30, 29, 28):
        try:
            return date(year, month, day)
        except ValueError:
            continue
    raise AssertionError("unreachable")


def whole_months_between(start: date, end: date) -> int:
    """Completed calendar months from start to end (time-in-programme buckets, DOMAIN.md §8)."""
    if end < start:
        raise ValueError("end before start")
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months
