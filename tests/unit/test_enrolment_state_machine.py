"""Random command sequences against the enrolment state machine (DOMAIN.md §4).

Hypothesis drives one enrolment (Level Up, Level Upgrade or a five-step programme) with random
commands, dates (before the previous transition, valid, in the future), reasons (including blank
and too long) and outcomes (valid and invalid). Each command is either accepted, and then the new
enrolment is kept, or rejected with a `DomainError` that an independent oracle expected, leaving
the enrolment exactly as it was. After every step the invariants below must hold; the most
important is that `replay(history)` reproduces the enrolment, since replay is the single source of
truth.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import date, timedelta
from typing import Any

from hypothesis import event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from domain.codelists import CodeEntry, CodeListName, default_code_list
from domain.enrolment import (
    MAX_REASON_LENGTH,
    OCCASION_EXIT,
    OCCASION_START,
    TERMINAL_STATES,
    Advance,
    AssessmentDue,
    Command,
    CorrectDate,
    Decline,
    Enrolment,
    EnrolmentState,
    Exit,
    HoldIntake,
    Outcome,
    OutcomeKind,
    Pause,
    PauseReason,
    Resume,
    Start,
    StepBack,
    StudiesKind,
    SupportPeriodStarted,
    Transition,
    TransitionKind,
    TransitionRecorded,
    add_months,
    apply,
    occasion_after_step,
    open_referral,
    replay,
)
from domain.errors import (
    DomainError,
    InvalidEffectiveDate,
    InvalidInput,
    InvalidTransition,
    MissingInformation,
)
from domain.programmes import LEVEL_UP, LEVEL_UPGRADE, Programme, ProgrammeGoals, Step

S = EnrolmentState
K = TransitionKind

VAGEN = Programme(
    code="vagen",
    name_sv="Vägen till självförsörjning",
    name_en="The road to self-support",
    steps=tuple(
        Step(n, code, code.capitalize(), code, requires_outcome=n == 5)
        for n, code in enumerate(
            ["identifiering", "behovsanalys", "grundaktiviteter", "intresseväckning", "praktik"],
            start=1,
        )
    ),
    min_age=16,
    max_age=64,
    support_period_months=None,
    goals=ProgrammeGoals(),
)
# An outcome step in the middle: nothing may assume the outcome step is the last one.
MIDDLE = replace(
    VAGEN,
    code="middle",
    steps=tuple(replace(s, requires_outcome=s.number == 3) for s in VAGEN.steps),
    support_period_months=6,
)
PROGRAMMES = [LEVEL_UP, LEVEL_UPGRADE, VAGEN, MIDDLE]

EXIT_REASONS = default_code_list(CodeListName.EXIT_REASON).entries
EXIT_STATUSES = default_code_list(CodeListName.EXIT_STATUS).entries

# Which states each command may start from, written out again from DOMAIN.md §4 rather than
# imported, so the oracle does not share a mistake with the code under test.
ALLOWED: dict[type, set[EnrolmentState]] = {
    HoldIntake: {S.REFERRED},
    Start: {S.INTAKE},
    Advance: {S.ACTIVE},
    StepBack: {S.ACTIVE},
    Pause: {S.ACTIVE},
    Resume: {S.PAUSED},
    Exit: {S.ACTIVE, S.PAUSED},
    Decline: {S.REFERRED, S.INTAKE},
    CorrectDate: set(S),
}

# Days relative to the previous transition: some before it, many on or after it. Whether a date
# is in the future depends on `today`, which moves forward in its own rule.
offsets = st.one_of(st.integers(0, 14), st.integers(-5, -1), st.integers(15, 60))
reasons = st.one_of(
    st.sampled_from(["", "   ", "\t", "Förlorade jobbet", " Flyttade "]),
    # Exactly at and just over the limit.
    st.sampled_from([MAX_REASON_LENGTH, MAX_REASON_LENGTH + 1]).map(lambda n: "x" * n),
    st.text(max_size=12),
)
outcome_specs = st.one_of(
    st.none(),
    st.fixed_dictionaries(
        {
            "kind": st.just(OutcomeKind.WORK),
            "subsidised": st.booleans(),
            "extent_percent": st.integers(1, 100),
        }
    ),
    st.fixed_dictionaries(
        {"kind": st.just(OutcomeKind.STUDIES), "studies_kind": st.sampled_from(StudiesKind)}
    ),
    # Anything goes, mostly invalid.
    st.fixed_dictionaries(
        {
            "kind": st.sampled_from(OutcomeKind),
            "subsidised": st.none() | st.booleans(),
            "extent_percent": st.none() | st.integers(-5, 105),
            "studies_kind": st.none() | st.sampled_from(StudiesKind),
        }
    ),
)


def when_in(*states: EnrolmentState) -> Any:
    """Precondition: the rule only fires while the enrolment is in one of `states`."""
    return precondition(lambda self: self.enrolment.state in states)


def _dated(history: tuple[Transition, ...]) -> list[Transition]:
    return [t for t in history if t.kind is not K.CORRECT_DATE]


def _corrected_dates(history: tuple[Transition, ...]) -> dict[int, date]:
    """The business date of each non-correction transition after corrections, computed here."""
    dates = {t.seq: t.effective_on for t in _dated(history)}
    for t in history:
        if t.kind is K.CORRECT_DATE:
            assert t.corrects_seq in dates
            dates[t.corrects_seq] = t.effective_on
    return dates


def _steps_along(history: tuple[Transition, ...]) -> list[int | None]:
    """The step after each transition, walked independently of `replay`."""
    step: int | None = None
    out: list[int | None] = []
    for t in history:
        if t.kind is K.START:
            step = 1
        elif t.kind is K.ADVANCE:
            assert step is not None
            step += 1
        elif t.kind is K.STEP_BACK:
            assert step is not None
            step -= 1
        out.append(step)
    return out


class EnrolmentMachine(RuleBasedStateMachine):
    programme: Programme
    enrolment: Enrolment
    today: date

    @initialize(
        programme=st.sampled_from(PROGRAMMES),
        days_ago=st.integers(0, 400),
        age_offset=st.integers(0, 200),
    )
    def open(self, programme: Programme, days_ago: int, age_offset: int) -> None:
        self.programme = programme
        self.today = date(2025, 6, 15)
        # At least a year of room, so most valid-looking dates are not in the future.
        referred_on = self.today - timedelta(days=365 + days_ago)
        age = programme.min_age + age_offset % (programme.max_age - programme.min_age + 1)
        birth = date(referred_on.year - age, 1, 1)  # exactly `age` on any day of that year
        self.enrolment, events = open_referral(
            programme, referred_on=referred_on, birth_date=birth, today=self.today
        )
        assert events == [TransitionRecorded(self.enrolment.history[0])]
        self.terminal_state: EnrolmentState | None = None
        self.previous_history: tuple[Transition, ...] = self.enrolment.history
        self.previous_today = self.today

    # --- the oracle ---------------------------------------------------------------------------

    def _violations(self, command: Command) -> set[type[DomainError]]:
        """Every rule `command` breaks, from the spec. Empty means it must be accepted."""
        e, p = self.enrolment, self.programme
        if e.state not in ALLOWED[type(command)]:
            # The state check comes first: a command from a wrong state says so.
            return {InvalidTransition}
        broken: set[type[DomainError]] = set()
        dates = _corrected_dates(e.history)
        if not isinstance(command, CorrectDate):
            last = max(dates.values())
            if command.effective_on > self.today or command.effective_on < last:
                broken.add(InvalidEffectiveDate)
        if isinstance(command, StepBack | Decline | CorrectDate):
            text = command.reason.strip()
            if not text:
                broken.add(MissingInformation)
            elif len(text) > MAX_REASON_LENGTH:
                broken.add(InvalidInput)
        if isinstance(command, Advance):
            assert e.step is not None
            if e.step == p.last_step:
                broken.add(InvalidTransition)
            elif p.step(e.step + 1).requires_outcome:
                if command.outcome is None:
                    broken.add(MissingInformation)
                elif e.started_on is not None and command.outcome.starts_on < e.started_on:
                    broken.add(InvalidEffectiveDate)
            elif command.outcome is not None:
                broken.add(InvalidInput)
        if isinstance(command, StepBack):
            assert e.step is not None
            if e.step == p.first_step:
                broken.add(InvalidTransition)
        if (
            isinstance(command, Pause)
            and command.note
            and len(command.note.strip()) > MAX_REASON_LENGTH
        ):
            broken.add(InvalidInput)
        if isinstance(command, Exit):
            if command.exit_reason_list is not CodeListName.EXIT_REASON or (
                command.exit_status_list is not CodeListName.EXIT_STATUS
            ):
                broken.add(InvalidInput)
            for entry in (command.exit_reason, command.exit_status):
                if not entry.is_valid_on(command.effective_on):
                    broken.add(InvalidInput)
        if isinstance(command, CorrectDate):
            dated = _dated(e.history)
            seqs = [t.seq for t in dated]
            if command.target_seq not in seqs:
                broken.add(InvalidInput)
            else:
                i = seqs.index(command.target_seq)
                low = dates[seqs[i - 1]] if i > 0 else date.min
                high = dates[seqs[i + 1]] if i + 1 < len(seqs) else self.today
                if not low <= command.effective_on <= high:
                    broken.add(InvalidEffectiveDate)
            if command.effective_on > self.today:
                broken.add(InvalidEffectiveDate)
        return broken

    def _try(self, command: Command) -> None:
        before = self.enrolment
        fields, dates = replace(before), dict(before.effective_dates)
        expected = self._violations(command)
        try:
            new, events = apply(before, command, programme=self.programme, today=self.today)
        except DomainError as error:
            assert expected, f"{command!r} was rejected ({error!r}) but breaks no rule"
            assert isinstance(error, tuple(expected)), (command, error, expected)
            # Rejected: the enrolment is exactly what it was, down to the mutable date map.
            assert before == fields and before.history == fields.history
            assert before.effective_dates == dates
            event(f"rejected {type(command).__name__}: {type(error).__name__}")
            return
        assert not expected, f"{command!r} was accepted but breaks {expected}"
        assert len(new.history) == len(before.history) + 1
        assert events[0] == TransitionRecorded(new.history[-1])
        assert sum(isinstance(ev, TransitionRecorded) for ev in events) == 1
        self._check_events(before, new, events)
        event(f"accepted {type(command).__name__} -> {new.state} {new.step}")
        self.enrolment = new

    def _check_events(self, before: Enrolment, new: Enrolment, events: list[Any]) -> None:
        """Rule 8 (assessments due) and rule 4 (support period), for every accepted command."""
        t = new.history[-1]
        occasions = {
            K.START: [OCCASION_START],
            K.ADVANCE: [occasion_after_step(before.step or 0)],
            # Stepping back from the last step makes nothing due: no occasion follows it.
            K.STEP_BACK: [occasion_after_step(before.step or 0)]
            if (before.step or 0) < self.programme.last_step
            else [],
            K.EXIT: [OCCASION_EXIT],
        }.get(t.kind, [])
        due = [ev for ev in events if isinstance(ev, AssessmentDue)]
        assert [ev.occasion for ev in due] == occasions
        assert all(ev.due_on == t.effective_on for ev in due)
        support = [ev for ev in events if isinstance(ev, SupportPeriodStarted)]
        months = self.programme.support_period_months
        if t.kind is K.ADVANCE and t.outcome is not None and months:
            assert support == [
                SupportPeriodStarted(t.effective_on, add_months(t.effective_on, months))
            ]
        else:
            assert support == []

    def _on(self, offset: int) -> date:
        return self.enrolment.last_effective_on + timedelta(days=offset)

    # --- rules --------------------------------------------------------------------------------
    # Each command has a rule that only fires from a state that allows it (so random walks get
    # deep into the staircase), and `command_from_wrong_state` sends any command from any state.
    # Dates, reasons, outcomes and codes are random in every rule, valid or not.

    @rule(days=st.integers(0, 30))
    def time_passes(self, days: int) -> None:
        self.today += timedelta(days=days)

    @when_in(S.REFERRED)
    @rule(offset=offsets)
    def hold_intake(self, offset: int) -> None:
        self._try(HoldIntake(self._on(offset)))

    @when_in(S.INTAKE)
    @rule(offset=offsets)
    def start(self, offset: int) -> None:
        self._try(Start(self._on(offset)))

    @when_in(S.ACTIVE)
    @rule(offset=offsets, spec=outcome_specs, outcome_offset=st.integers(-400, 60))
    def advance(self, offset: int, spec: dict[str, Any] | None, outcome_offset: int) -> None:
        self._try(Advance(self._on(offset), outcome=self._outcome(spec, offset, outcome_offset)))

    @when_in(S.ACTIVE)
    @rule(offset=offsets, spec=outcome_specs.filter(lambda s: s is not None))
    def advance_with_outcome_where_needed(self, offset: int, spec: dict[str, Any]) -> None:
        """Help the walk reach outcome steps: an outcome only where the next step needs one."""
        e, p = self.enrolment, self.programme
        assert e.step is not None
        needs = e.step < p.last_step and p.step(e.step + 1).requires_outcome
        outcome = self._outcome(spec, offset, 0) if needs else None
        if not needs or outcome is not None:
            self._try(Advance(self._on(offset), outcome=outcome))

    @when_in(S.ACTIVE)
    @rule(offset=offsets, reason=reasons)
    def step_back(self, offset: int, reason: str) -> None:
        self._try(StepBack(self._on(offset), reason))

    @when_in(S.ACTIVE)
    @rule(offset=offsets, why=st.sampled_from(PauseReason), note=st.none() | reasons)
    def pause(self, offset: int, why: PauseReason, note: str | None) -> None:
        self._try(Pause(self._on(offset), why, note=note))

    @when_in(S.PAUSED)
    @rule(offset=offsets)
    def resume(self, offset: int) -> None:
        self._try(Resume(self._on(offset)))

    @when_in(S.ACTIVE, S.PAUSED)
    @rule(
        gate=st.integers(0, 2),
        offset=offsets,
        reason=st.sampled_from(EXIT_REASONS),
        status=st.sampled_from(EXIT_STATUSES),
        wrong_list=st.sampled_from([None, None, "reason", "status"]),
        expired=st.sampled_from([None, None, "reason", "status"]),
    )
    def exit(
        self,
        gate: int,
        offset: int,
        reason: CodeEntry,
        status: CodeEntry,
        wrong_list: str | None,
        expired: str | None,
    ) -> None:
        if gate:  # terminal: fire one time in three, so walks also get deep
            return
        self._try(self._exit(self._on(offset), reason, status, wrong_list, expired))

    @when_in(S.REFERRED, S.INTAKE)
    @rule(gate=st.integers(0, 3), offset=offsets, reason=reasons)
    def decline(self, gate: int, offset: int, reason: str) -> None:
        if gate:
            return
        self._try(Decline(self._on(offset), reason))

    @rule(index=st.integers(-2, 40), shift=st.integers(-15, 15), reason=reasons)
    def correct_date(self, index: int, shift: int, reason: str) -> None:
        history = self.enrolment.history
        # Mostly an existing transition (possibly a correction), sometimes an unknown seq.
        target = history[index % len(history)] if index >= 0 else None
        seq = target.seq if target is not None else index
        base = self.enrolment.effective_dates.get(seq, self.enrolment.last_effective_on)
        self._try(CorrectDate(seq, base + timedelta(days=shift), reason))

    @rule(
        kind=st.sampled_from(sorted(set(ALLOWED) - {CorrectDate}, key=lambda t: t.__name__)),
        offset=offsets,
        reason=reasons,
    )
    def command_from_wrong_state(self, kind: type, offset: int, reason: str) -> None:
        if self.enrolment.state in ALLOWED[kind]:
            return
        on = self._on(offset)
        command: Command
        if kind is Advance:
            command = Advance(
                on,
                outcome=self._outcome(
                    {"kind": OutcomeKind.STUDIES, "studies_kind": StudiesKind.OTHER}, offset, 0
                ),
            )
        elif kind is StepBack:
            command = StepBack(on, reason)
        elif kind is Pause:
            command = Pause(on, PauseReason.OTHER, note=reason)
        elif kind is Exit:
            command = self._exit(on, EXIT_REASONS[0], EXIT_STATUSES[0], None, None)
        elif kind is Decline:
            command = Decline(on, reason)
        else:
            command = kind(on)
        self._try(command)

    # --- command helpers ----------------------------------------------------------------------

    def _outcome(self, spec: dict[str, Any] | None, offset: int, shift: int) -> Outcome | None:
        if spec is None:
            return None
        try:
            return Outcome(starts_on=self._on(offset) + timedelta(days=shift), **spec)
        except (InvalidInput, MissingInformation):
            event("outcome rejected on construction")
            return None

    @staticmethod
    def _exit(
        on: date, reason: CodeEntry, status: CodeEntry, wrong_list: str | None, expired: str | None
    ) -> Exit:
        if expired == "reason":
            reason = replace(reason, valid_to=on - timedelta(days=1))
        elif expired == "status":
            status = replace(status, valid_from=on + timedelta(days=1))
        return Exit(
            on,
            exit_reason=reason,
            exit_status=status,
            exit_reason_list=(
                CodeListName.EXIT_STATUS if wrong_list == "reason" else CodeListName.EXIT_REASON
            ),
            exit_status_list=(
                CodeListName.BENEFIT if wrong_list == "status" else CodeListName.EXIT_STATUS
            ),
        )

    # --- invariants ---------------------------------------------------------------------------

    @invariant()
    def replay_is_the_single_source_of_truth(self) -> None:
        e = self.enrolment
        assert replay(e.programme_code, e.history) == e
        assert e.programme_code == self.programme.code

    @invariant()
    def history_is_numbered_one_to_n(self) -> None:
        assert [t.seq for t in self.enrolment.history] == list(
            range(1, len(self.enrolment.history) + 1)
        )
        assert self.enrolment.history[0].kind is K.REFER

    @invariant()
    def history_is_only_ever_extended(self) -> None:
        old, new = self.previous_history, self.enrolment.history
        assert new[: len(old)] == old
        assert len(new) - len(old) in (0, 1)
        self.previous_history = new

    @invariant()
    def corrected_dates_are_ordered_and_not_in_the_future(self) -> None:
        e = self.enrolment
        assert self.today >= self.previous_today
        self.previous_today = self.today
        dates = _corrected_dates(e.history)
        assert e.effective_dates == dates
        ordered = [dates[t.seq] for t in _dated(e.history)]
        assert ordered == sorted(ordered)
        assert ordered[-1] <= self.today
        assert e.last_effective_on == ordered[-1]
        for t in e.history:
            if t.kind is K.CORRECT_DATE:
                assert t.corrects_seq is not None and t.corrects_seq < t.seq
                assert t.reason and t.reason == t.reason.strip()

    @invariant()
    def step_is_consistent_with_state(self) -> None:
        e, p = self.enrolment, self.programme
        started = any(t.kind is K.START for t in e.history)
        if not started:
            assert e.step is None and e.highest_step is None and e.started_on is None
            assert e.state in (S.REFERRED, S.INTAKE, S.DECLINED)
        else:
            assert e.step is not None and e.highest_step is not None
            assert p.first_step <= e.step <= p.last_step
            assert e.step <= e.highest_step <= p.last_step
            assert e.state in (S.ACTIVE, S.PAUSED, S.EXITED)
        assert _steps_along(e.history)[-1] == e.step

    @invariant()
    def terminal_states_never_change(self) -> None:
        e = self.enrolment
        if self.terminal_state is not None:
            assert e.state is self.terminal_state
            last_terminal = max(i for i, t in enumerate(e.history) if t.kind in (K.EXIT, K.DECLINE))
            assert all(t.kind is K.CORRECT_DATE for t in e.history[last_terminal + 1 :])
        if e.state in TERMINAL_STATES:
            self.terminal_state = e.state
            assert e.ended_on is not None
        else:
            assert e.ended_on is None

    @invariant()
    def at_most_one_start_and_one_end(self) -> None:
        kinds = [t.kind for t in self.enrolment.history]
        assert kinds.count(K.REFER) == 1
        assert kinds.count(K.START) <= 1
        assert kinds.count(K.EXIT) + kinds.count(K.DECLINE) <= 1
        if K.DECLINE in kinds:
            assert K.START not in kinds

    @invariant()
    def derived_dates_follow_the_corrected_history(self) -> None:
        e = self.enrolment
        dates = _corrected_dates(e.history)
        by_kind = {t.kind: dates[t.seq] for t in _dated(e.history)}
        assert e.referred_on == by_kind[K.REFER]
        assert e.started_on == by_kind.get(K.START)
        assert e.ended_on == by_kind.get(K.EXIT, by_kind.get(K.DECLINE))

    @invariant()
    def every_advance_into_an_outcome_step_has_an_outcome(self) -> None:
        e, p = self.enrolment, self.programme
        steps = _steps_along(e.history)
        for t, step in zip(e.history, steps, strict=True):
            if t.kind is K.ADVANCE:
                assert step is not None
                assert (t.outcome is not None) == p.step(step).requires_outcome
            elif t.kind is not K.CORRECT_DATE:
                assert t.outcome is None

    @invariant()
    def exit_codes_are_stored(self) -> None:
        e = self.enrolment
        exits = [t for t in e.history if t.kind is K.EXIT]
        if exits:
            assert (e.exit_reason_code, e.exit_status_code) == (
                exits[0].exit_reason_code,
                exits[0].exit_status_code,
            )
            assert e.exit_reason_code in {c.code for c in EXIT_REASONS}
            assert e.exit_status_code in {c.code for c in EXIT_STATUSES}
        else:
            assert e.exit_reason_code is None and e.exit_status_code is None


EnrolmentMachine.TestCase.settings = settings(
    max_examples=200, stateful_step_count=30, deadline=None
)
TestEnrolmentMachine = EnrolmentMachine.TestCase
