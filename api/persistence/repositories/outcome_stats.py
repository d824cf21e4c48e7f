"""Outcome and self-assessment statistics as aggregate SQL (DOMAIN.md §7–8).

Every figure is a GROUP BY with COUNT / SUM(CASE …) in the database; no enrolment is loaded into
Python. The classification is the one in `domain.outcomes` (tested against it on SQLite and
PostgreSQL). Code meanings (which exit codes are "continues", "registered in error", work or
studies) come from the versioned code lists, which are small reference data read first and bound
into the query as IN-lists.

Scope: statistics are aggregates, so the scope is a set of municipalities, decided here by
`stats_municipalities` (a municipal role: its own; association staff: the association's member
municipalities). Protected identities are counted like everyone else: a count discloses nobody.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy import (
    BigInteger,
    ColumnElement,
    Integer,
    Select,
    and_,
    case,
    cast,
    exists,
    extract,
    func,
    literal,
    or_,
    select,
)
from sqlalchemy.orm import Session, aliased

from api.persistence.models import (
    CodeListEntryRow,
    CodeListVersionRow,
    EnrolmentRow,
    OrganisationRow,
    ParticipantRow,
)
from api.persistence.models.assessments import AssessmentAnswerRow, AssessmentSubmissionRow
from api.persistence.models.follow_ups import FollowUpRow
from api.persistence.repositories.consents import consent_withdrawn_condition
from api.security.permissions import Role
from api.security.principal import Principal
from domain.codelists import CodeListName, OutcomeGroup
from domain.consent import ConsentPurpose
from domain.enrolment import OCCASION_EXIT, OCCASION_START, EnrolmentState
from domain.outcomes import (
    Category,
    GroupBy,
    OutcomeCounts,
    TimeBucket,
    outcome_steps,
    preparation_step,
)
from domain.programmes import Programme
from domain.self_assessment import OCCASION_FOLLOW_UP, Rater

# ---- scope --------------------------------------------------------------------------------------

_MUNICIPAL_STATS_ROLES = {Role.LEAD_MENTOR, Role.UNIT_MANAGER}


def stats_municipalities(session: Session, principal: Principal) -> list[int]:
    """The municipalities whose figures the principal may see (possibly none)."""
    if principal.role in _MUNICIPAL_STATS_ROLES:
        return [principal.municipality_id] if principal.municipality_id is not None else []
    if principal.role in {Role.ASSOCIATION_ANALYST, Role.EVALUATOR}:
        if principal.organisation_id is None:
            return []
        return list(
            session.execute(
                select(OrganisationRow.id)
                .where(
                    OrganisationRow.kind == "municipality",
                    OrganisationRow.parent_id == principal.organisation_id,
                )
                .order_by(OrganisationRow.id)
            ).scalars()
        )
    return []


# ---- code meanings ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ExitCodeSets:
    excluded_reasons: frozenset[str] = frozenset()
    continuing_reasons: frozenset[str] = frozenset()
    excluded_statuses: frozenset[str] = frozenset()
    continuing_statuses: frozenset[str] = frozenset()
    work_statuses: frozenset[str] = frozenset()
    studies_statuses: frozenset[str] = frozenset()


def municipality_names(session: Session, ids: Sequence[int]) -> dict[int, str]:
    if not ids:
        return {}
    rows = session.execute(
        select(OrganisationRow.id, OrganisationRow.name).where(OrganisationRow.id.in_(list(ids)))
    )
    return {int(i): str(n) for i, n in rows}


def exit_code_sets(session: Session) -> ExitCodeSets:
    """A code means what the newest list version containing it says (old codes keep theirs)."""
    rows = session.execute(
        select(
            CodeListVersionRow.list_name,
            CodeListEntryRow.code,
            CodeListEntryRow.outcome_group,
            CodeListEntryRow.continues_in_regular_operations,
            CodeListEntryRow.excluded_from_statistics,
        )
        .join(CodeListVersionRow, CodeListVersionRow.id == CodeListEntryRow.version_id)
        .where(
            CodeListVersionRow.list_name.in_(
                [CodeListName.EXIT_REASON.value, CodeListName.EXIT_STATUS.value]
            )
        )
        .order_by(CodeListVersionRow.version)
    ).all()
    meaning: dict[tuple[str, str], tuple[str | None, bool, bool]] = {}
    for list_name, code, group, continues, excluded in rows:
        meaning[(list_name, code)] = (group, bool(continues), bool(excluded))

    def codes(list_name: CodeListName, index: int, value: Any = True) -> frozenset[str]:
        return frozenset(
            code
            for (name, code), m in meaning.items()
            if name == list_name.value and m[index] == value
        )

    reason, status = CodeListName.EXIT_REASON, CodeListName.EXIT_STATUS
    return ExitCodeSets(
        excluded_reasons=codes(reason, 2),
        continuing_reasons=codes(reason, 1),
        excluded_statuses=codes(status, 2),
        continuing_statuses=codes(status, 1),
        work_statuses=codes(status, 0, OutcomeGroup.WORK.value),
        studies_statuses=codes(status, 0, OutcomeGroup.STUDIES.value),
    )


# ---- the population ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class StatsFilter:
    programme: Programme
    municipality_ids: Sequence[int]
    exit_from: date | None = None
    exit_to: date | None = None
    referrer_type: str | None = None


_E = EnrolmentRow
_P = ParticipantRow
_REFERRER = aliased(OrganisationRow, name="stats_referrer")


def _in(column: Any, values: frozenset[str]) -> ColumnElement[bool]:
    # coalesce: a NULL code must compare false, not NULL (NOT NULL would drop the row).
    return func.coalesce(column, "").in_(sorted(values))


def legal_sex_expression() -> ColumnElement[str]:
    """Odd 11th digit of the 12-digit personnummer (the birth number's last digit) = man."""
    digit = func.substr(_P.personnummer, 11, 1)
    return case((digit.in_(["1", "3", "5", "7", "9"]), "man"), else_="woman")


def _days_in_month(year: Any, month: Any) -> ColumnElement[int]:
    leap = or_(and_(year % 4 == 0, year % 100 != 0), year % 400 == 0)
    return case(
        (month == 2, case((leap, 29), else_=28)),
        (month.in_([4, 6, 9, 11]), 30),
        else_=31,
    )


def whole_months_expression(start: Any, end: Any) -> ColumnElement[int]:
    """`domain.enrolment.whole_months_between` in portable SQL (SQLite and PostgreSQL add
    months differently at month ends, so the clamping rule is written out)."""
    sy, sm, sd = (cast(extract(f, start), Integer) for f in ("year", "month", "day"))
    ey, em, ed = (cast(extract(f, end), Integer) for f in ("year", "month", "day"))
    short = case((and_(sd > ed, ed < _days_in_month(ey, em)), 1), else_=0)
    return (ey - sy) * 12 + (em - sm) - short


def _time_bucket(start: Any, end: Any) -> ColumnElement[str | None]:
    months = whole_months_expression(start, end)
    return case(
        (or_(start.is_(None), end.is_(None)), None),
        (months < 12, TimeBucket.UNDER_12.value),
        (months < 18, TimeBucket.FROM_12_TO_17.value),
        else_=TimeBucket.FROM_18.value,
    )


def _category(codes: ExitCodeSets) -> ColumnElement[str]:
    return case(
        (
            or_(
                _in(_E.exit_reason_code, codes.excluded_reasons),
                _in(_E.exit_status_code, codes.excluded_statuses),
            ),
            Category.EXCLUDED.value,
        ),
        (
            or_(
                _in(_E.exit_reason_code, codes.continuing_reasons),
                _in(_E.exit_status_code, codes.continuing_statuses),
            ),
            Category.CONTINUING.value,
        ),
        else_=Category.EXITED.value,
    )


def _goal(codes: ExitCodeSets, programme: Programme) -> ColumnElement[str | None]:
    on_outcome_step = _E.step.in_(sorted(outcome_steps(programme)))
    return case(
        (
            and_(on_outcome_step, _in(_E.exit_status_code, codes.work_statuses)),
            OutcomeGroup.WORK.value,
        ),
        (
            and_(on_outcome_step, _in(_E.exit_status_code, codes.studies_statuses)),
            OutcomeGroup.STUDIES.value,
        ),
        else_=None,
    )


def _population(f: StatsFilter, codes: ExitCodeSets, *, exited_only: bool) -> Any:
    """One row per enrolment with its classification columns, as a subquery."""
    prep = preparation_step(f.programme)
    prep_value = prep if prep is not None else 10**6
    conditions: list[ColumnElement[bool]] = [
        _E.programme_code == f.programme.code,
        _E.municipality_id.in_(list(f.municipality_ids)),
        # DOMAIN.md §9: withdrawing consent changes what is counted from that date. The
        # figures are computed live, so from the withdrawal on the person is in none of them.
        # Consent to evaluation governs, as for the evaluation export: these figures are the
        # programme's evaluation. Nobody is left out for never having recorded an entry.
        ~consent_withdrawn_condition(_P.id, ConsentPurpose.EVALUATION),
    ]
    if exited_only:
        conditions.append(_E.state == EnrolmentState.EXITED.value)
    if f.exit_from is not None or f.exit_to is not None:
        conditions.append(_E.state == EnrolmentState.EXITED.value)
    if f.exit_from is not None:
        conditions.append(_E.ended_on >= f.exit_from)
    if f.exit_to is not None:
        conditions.append(_E.ended_on <= f.exit_to)
    if f.referrer_type is not None:
        conditions.append(_REFERRER.referrer_type == f.referrer_type)
    return (
        select(
            _E.id.label("enrolment_id"),
            _P.personnummer.label("person"),
            legal_sex_expression().label(GroupBy.LEGAL_SEX.value),
            _E.municipality_id.label(GroupBy.MUNICIPALITY.value),
            _REFERRER.referrer_type.label(GroupBy.REFERRER_TYPE.value),
            _time_bucket(_E.started_on, _E.ended_on).label(GroupBy.TIME_BUCKET.value),
            _category(codes).label("category"),
            case((_E.highest_step >= prep_value, 1), else_=0).label("reached_preparation"),
            case((_E.step == prep_value, 1), else_=0).label("ended_at_preparation"),
            _goal(codes, f.programme).label("goal"),
        )
        .select_from(_E)
        .join(_P, _P.id == _E.participant_id)
        .outerjoin(_REFERRER, _REFERRER.id == _E.referrer_organisation_id)
        .where(*conditions)
        .subquery("stats_population")
    )


def _sum_if(condition: ColumnElement[bool]) -> ColumnElement[int]:
    return func.coalesce(func.sum(case((condition, 1), else_=0)), 0)


@dataclass(frozen=True, slots=True)
class FollowUpCounts:
    kind: str
    recorded: int
    still_in_work_or_studies: int
    not_reached: int


def sum_follow_ups(groups: Iterable[Sequence[FollowUpCounts]]) -> list[FollowUpCounts]:
    """The whole from any grouping's follow-up counts, per kind in kind order (as the query
    orders them): each enrolment is in one group, and these are plain counts."""
    per_kind: dict[str, tuple[int, int, int]] = {}
    for counts in groups:
        for c in counts:
            r, s, n = per_kind.get(c.kind, (0, 0, 0))
            per_kind[c.kind] = (
                r + c.recorded,
                s + c.still_in_work_or_studies,
                n + c.not_reached,
            )
    return [FollowUpCounts(kind, *per_kind[kind]) for kind in sorted(per_kind)]


GroupKey = tuple[Any, ...]


# Occasion ranks in the self-assessment reading key: start 0, after step n is n, then these.
_OCCASION_EXIT_RANK = 1_000


class OutcomeStatsRepository:
    def __init__(self, session: Session) -> None:
        self._session = session

    def outcome_counts(
        self, f: StatsFilter, codes: ExitCodeSets, keys: Sequence[str]
    ) -> dict[GroupKey, OutcomeCounts]:
        """Counts per combination of `keys` (GroupBy values or "goal"); () = the whole."""
        pop = _population(f, codes, exited_only=True)
        cat = pop.c.category
        counted = cat != Category.EXCLUDED.value
        exited = cat == Category.EXITED.value
        group_columns = [pop.c[k] for k in keys]
        stmt: Select[Any] = select(
            *group_columns,
            func.count(func.distinct(case((counted, pop.c.person), else_=None))),
            _sum_if(counted),
            _sum_if(exited),
            _sum_if(cat == Category.CONTINUING.value),
            _sum_if(cat == Category.EXCLUDED.value),
            _sum_if(and_(exited, pop.c.reached_preparation == 1)),
            _sum_if(and_(exited, pop.c.ended_at_preparation == 1)),
            _sum_if(and_(exited, pop.c.goal == OutcomeGroup.WORK.value)),
            _sum_if(and_(exited, pop.c.goal == OutcomeGroup.STUDIES.value)),
        ).select_from(pop)
        if group_columns:
            stmt = stmt.group_by(*group_columns)
        result: dict[GroupKey, OutcomeCounts] = {}
        width = len(keys)
        for row in self._session.execute(stmt):
            values = [int(v) for v in row[width:]]
            result[tuple(row[:width])] = OutcomeCounts(*values)
        return result

    def goal_reached_by(
        self, f: StatsFilter, codes: ExitCodeSets, keys: Sequence[str]
    ) -> dict[GroupKey, int]:
        """Goal-reached exits per combination of `keys` (for the composition view)."""
        pop = _population(f, codes, exited_only=True)
        group_columns = [pop.c[k] for k in keys]
        stmt = (
            select(*group_columns, func.count())
            .select_from(pop)
            .where(pop.c.category == Category.EXITED.value, pop.c.goal.is_not(None))
            .group_by(*group_columns)
        )
        return {tuple(row[:-1]): int(row[-1]) for row in self._session.execute(stmt)}

    def follow_up_counts(
        self, f: StatsFilter, codes: ExitCodeSets, keys: Sequence[str]
    ) -> dict[GroupKey, list[FollowUpCounts]]:
        """Of goal-reached exits with a recorded follow-up: per kind, how many were still in
        work or studies and how many could not be reached."""
        pop = _population(f, codes, exited_only=True)
        fu = FollowUpRow
        group_columns = [pop.c[k] for k in keys]
        reached = fu.contact_reached.is_(True)
        stmt = (
            select(
                *group_columns,
                fu.kind,
                func.count(),
                _sum_if(
                    and_(
                        reached,
                        fu.status_group.in_([OutcomeGroup.WORK.value, OutcomeGroup.STUDIES.value]),
                    )
                ),
                _sum_if(fu.contact_reached.is_not(True)),
            )
            .select_from(pop)
            .join(fu, fu.enrolment_id == pop.c.enrolment_id)
            .where(
                pop.c.category == Category.EXITED.value,
                pop.c.goal.is_not(None),
                fu.recorded_at.is_not(None),
            )
            .group_by(*group_columns, fu.kind)
            .order_by(fu.kind)
        )
        width = len(keys)
        result: dict[GroupKey, list[FollowUpCounts]] = {}
        for row in self._session.execute(stmt):
            kind, recorded, still, not_reached = row[width:]
            result.setdefault(tuple(row[:width]), []).append(
                FollowUpCounts(str(kind), int(recorded), int(still), int(not_reached))
            )
        return result

    def self_assessment_pairs(
        self, f: StatsFilter, codes: ExitCodeSets
    ) -> dict[tuple[str, str], dict[tuple[int, int], int]]:
        """Counts per (item, legal sex) and (first, latest) score pair, among enrolments with
        two distinct current participant submissions answering the item (complete pairs, the
        rule of `domain.self_assessment.change_per_item`). At most 10 × 10 pairs per item and
        sex: aggregate data, from which the domain derives shares and medians."""
        pop = _population(f, codes, exited_only=False)
        s, a = AssessmentSubmissionRow, AssessmentAnswerRow
        newer = aliased(AssessmentSubmissionRow, name="stats_newer")
        # First and latest reading per (enrolment, item) without window functions: each
        # answer gets one integer that sorts like the domain's reading order (answered on,
        # occasion order, submission id) with the score in its low 4 bits, so min() is the
        # first reading's score and max() the latest's. Three window sorts over every answer
        # grew faster than linearly with the data; one GROUP BY does not.
        # Bit budget (signed 64-bit): days since 1970 < 2^16 (until 2149), occasion < 2^11,
        # submission id < 2^31 (an INTEGER key), score < 2^4: 62 bits.
        days = cast(extract("epoch", s.answered_on), BigInteger) // 86400
        step = cast(func.substr(s.occasion, 12), BigInteger)
        occasion_rank = case(
            (s.occasion == OCCASION_START, 0),
            # Steps are 1..n with n far below 1 000 in any programme.
            (s.occasion.like("after\\_step\\_%", escape="\\"), step),
            (s.occasion == OCCASION_EXIT, _OCCASION_EXIT_RANK),
            (s.occasion == OCCASION_FOLLOW_UP, _OCCASION_EXIT_RANK + 1),
            else_=_OCCASION_EXIT_RANK + 2,
        )
        reading_key = ((days * 2048 + occasion_rank) * 2**31 + s.id) * 16 + a.score
        per_enrolment = (
            select(
                a.item_key.label("item_key"),
                pop.c.legal_sex.label("legal_sex"),
                (func.min(reading_key) % 16).label("first"),
                (func.max(reading_key) % 16).label("latest"),
            )
            .select_from(pop)
            .join(s, s.enrolment_id == pop.c.enrolment_id)
            .join(a, a.submission_id == s.id)
            .where(
                pop.c.category != Category.EXCLUDED.value,
                a.rater == Rater.PARTICIPANT.value,
                ~exists(select(newer.id).where(newer.supersedes_id == s.id)),
            )
            .group_by(pop.c.enrolment_id, a.item_key, pop.c.legal_sex)
            .having(func.count() >= 2)
            .subquery("stats_pairs")
        )
        stmt = select(
            per_enrolment.c.item_key,
            per_enrolment.c.legal_sex,
            per_enrolment.c.first,
            per_enrolment.c.latest,
            func.count(),
        ).group_by(
            per_enrolment.c.item_key,
            per_enrolment.c.legal_sex,
            per_enrolment.c.first,
            per_enrolment.c.latest,
        )
        result: dict[tuple[str, str], dict[tuple[int, int], int]] = {}
        for item, sex, first, latest, n in self._session.execute(stmt):
            result.setdefault((str(item), str(sex)), {})[(int(first), int(latest))] = int(n)
        return result


def referrer_type_known(session: Session, code: str) -> bool:
    """A referrer type filter must name a code some version of the list has had."""
    return (
        session.execute(
            select(literal(1))
            .select_from(CodeListEntryRow)
            .join(CodeListVersionRow, CodeListVersionRow.id == CodeListEntryRow.version_id)
            .where(
                CodeListVersionRow.list_name == CodeListName.REFERRER_TYPE.value,
                CodeListEntryRow.code == code,
            )
            .limit(1)
        ).first()
        is not None
    )
