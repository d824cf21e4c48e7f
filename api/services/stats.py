"""Statistics use cases: validate the filters, resolve the municipalities the caller may see,
run the aggregate queries, apply suppression for association staff and evaluators, and write
one audit entry per request (no subjects: aggregates concern no one person)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from fractions import Fraction
from typing import Any

from api.context import AppContext
from api.errors import NotFound
from api.persistence.audit import AuditEvent, AuditLog
from api.persistence.repositories.outcome_stats import (
    FollowUpCounts,
    OutcomeStatsRepository,
    StatsFilter,
    exit_code_sets,
    municipality_names,
    referrer_type_known,
    stats_municipalities,
    sum_follow_ups,
)
from api.schemas.stats import (
    CountCell,
    FollowUpSustainability,
    Indicator,
    ItemFigures,
    MunicipalityName,
    OutcomeFigures,
    OutcomeGroupRead,
    OutcomeStatisticsRead,
    ReferrerComposition,
    SelfAssessmentItemRead,
    SelfAssessmentStatisticsRead,
    ShareCell,
    StatsFilters,
    TargetFulfilment,
)
from api.security.permissions import Role
from api.security.principal import Principal
from domain import outcomes as o
from domain.errors import UnknownCode
from domain.personnummer import LegalSex
from domain.programmes import Programme, get_programme
from domain.self_assessment import CURRENT_QUESTIONNAIRE_VERSION, get_questionnaire

MUNICIPALITY_NOT_FOUND = "Kommunen finns inte eller ligger utanför din behörighet."
# Association staff and evaluators see all member municipalities, small cells suppressed.
_SUPPRESSED_ROLES = {Role.ASSOCIATION_ANALYST, Role.EVALUATOR}


@dataclass(frozen=True)
class StatsQuery:
    programme: str = "level_up"
    exit_from: date | None = None
    exit_to: date | None = None
    municipality_ids: tuple[int, ...] = ()
    referrer_type: str | None = None
    group_by: tuple[str, ...] = ()


def _count(n: int, suppress: bool, hide: bool = False, small: bool = False) -> CountCell:
    """`hide`: complementary suppression chose this cell; `small`: it rests on a small count
    elsewhere (its group's total)."""
    if suppress and (o.is_small_cell(n) or small):
        return CountCell(value=None, suppressed=True, suppression="small")
    if suppress and hide:
        return CountCell(value=None, suppressed=True, suppression="complementary")
    return CountCell(value=n, suppressed=False)


def _share(num: int, den: int, suppress: bool, hide: bool = False) -> ShareCell:
    c = o.share_cell(num, den, suppress=suppress)
    if c.suppressed:
        return ShareCell(value=None, suppressed=True, suppression="small")
    if suppress and hide:
        return ShareCell(value=None, suppressed=True, suppression="complementary")
    return ShareCell(value=None if c.value is None else float(c.value), suppressed=False)


def _indicator(num: int, den: int, suppress: bool) -> Indicator:
    return Indicator(count=_count(num, suppress), share=_share(num, den, suppress))


def _figures(
    c: o.OutcomeCounts,
    follow_ups: Sequence[FollowUpCounts],
    suppress: bool,
    hidden: frozenset[str] = frozenset(),
) -> OutcomeFigures:
    def count(measure: str) -> CountCell:
        return _count(getattr(c, measure), suppress, measure in hidden)

    def of_exited(measure: str) -> Indicator:
        # A share gives its count back (share × exited), so it hides with either of them.
        hide = measure in hidden or "exited" in hidden
        return Indicator(
            count=count(measure), share=_share(getattr(c, measure), c.exited, suppress, hide)
        )

    return OutcomeFigures(
        persons=count("persons"),
        enrolments=count("enrolments"),
        exited=count("exited"),
        continuing=count("continuing"),
        excluded=count("excluded"),
        reached_level_3=of_exited("reached_preparation"),
        ended_at_level_3=of_exited("ended_at_preparation"),
        goal_reached=of_exited("goal_reached"),
        goal_reached_work=of_exited("goal_work"),
        goal_reached_studies=of_exited("goal_studies"),
        follow_ups=[
            FollowUpSustainability(
                kind=f.kind,
                recorded=_count(f.recorded, suppress),
                still_in_work_or_studies=_indicator(
                    f.still_in_work_or_studies, f.recorded, suppress
                ),
                not_reached=_indicator(f.not_reached, f.recorded, suppress),
            )
            for f in follow_ups
        ],
    )


def _resolve(
    ctx: AppContext, principal: Principal, q: StatsQuery, session: Any
) -> tuple[StatsFilter, Programme]:
    programme = get_programme(q.programme)
    o.check_period(q.exit_from, q.exit_to)
    if q.referrer_type is not None and not referrer_type_known(session, q.referrer_type):
        raise UnknownCode(
            "Remittenttypen finns inte i kodlistan.",
            fields={"referrer_type": "okänd kod"},
        )
    allowed = stats_municipalities(session, principal)
    if q.municipality_ids:
        # Another municipality answers like one that does not exist: nothing is confirmed.
        if any(m not in allowed for m in q.municipality_ids):
            raise NotFound(MUNICIPALITY_NOT_FOUND, fields={"municipality_id": "okänd kommun"})
        municipalities = sorted(set(q.municipality_ids))
    else:
        municipalities = allowed
    return (
        StatsFilter(
            programme=programme,
            municipality_ids=municipalities,
            exit_from=q.exit_from,
            exit_to=q.exit_to,
            referrer_type=q.referrer_type,
        ),
        programme,
    )


def _filters_read(f: StatsFilter, group_by: Sequence[o.GroupBy]) -> StatsFilters:
    return StatsFilters(
        programme=f.programme.code,
        exit_from=f.exit_from,
        exit_to=f.exit_to,
        municipality_ids=list(f.municipality_ids),
        referrer_type=f.referrer_type,
        group_by=[g.value for g in group_by],
    )


def _audit_detail(f: StatsFilter, group_by: Sequence[o.GroupBy]) -> dict[str, Any]:
    return _filters_read(f, group_by).model_dump(mode="json")


def _targets(
    programme: Programme,
    total: o.OutcomeCounts,
    by_sex: dict[str, o.OutcomeCounts],
    suppress: bool,
) -> list[TargetFulfilment]:
    goals = programme.goals
    out: list[TargetFulfilment] = []

    def share_target(name: str, target: Fraction | None, numerator: int) -> None:
        if target is None:
            return
        figure = _share(numerator, total.exited, suppress)
        ratio = o.fulfilment(o.share(numerator, total.exited), target)
        out.append(
            TargetFulfilment(
                indicator=name,
                target=float(target),
                figure=figure,
                fulfilment=ShareCell(
                    value=None
                    if figure.suppressed or ratio is None
                    else float(o.rounded(ratio) or 0),
                    suppressed=figure.suppressed,
                    suppression=figure.suppression,
                ),
            )
        )

    def count_target(name: str, target: int | None, figure_n: int) -> None:
        if target is None:
            return
        figure = _count(figure_n, suppress)
        ratio = o.fulfilment(Fraction(figure_n), Fraction(target))
        out.append(
            TargetFulfilment(
                indicator=name,
                target=target,
                figure=figure,
                fulfilment=ShareCell(
                    value=None
                    if figure.suppressed or ratio is None
                    else float(o.rounded(ratio) or 0),
                    suppressed=figure.suppressed,
                    suppression=figure.suppression,
                ),
            )
        )

    share_target("goal_reached_share", goals.goal_reached_share, total.goal_reached)
    share_target(
        "reached_level_3_share", goals.reached_preparation_share, total.reached_preparation
    )
    count_target("participants", goals.target_participants, total.persons)
    women = by_sex.get(LegalSex.WOMAN.value, o.OutcomeCounts())
    men = by_sex.get(LegalSex.MAN.value, o.OutcomeCounts())
    count_target("women", goals.target_women, women.persons)
    count_target("men", goals.target_men, men.persons)
    return out


def outcome_statistics(
    ctx: AppContext, principal: Principal, q: StatsQuery
) -> OutcomeStatisticsRead:
    group_by = o.parse_group_by(list(q.group_by) or [o.GroupBy.LEGAL_SEX.value])
    suppress = principal.role in _SUPPRESSED_ROLES
    keys = [g.value for g in group_by]
    with ctx.database.unit_of_work(write=True) as uow:
        f, programme = _resolve(ctx, principal, q, uow.session)
        codes = exit_code_sets(uow.session)
        repo = OutcomeStatsRepository(uow.session)
        # Each query scans the whole population, so nothing is asked twice: the split by sex
        # gives the total too (`sum_by_legal_sex`), and is the grouping itself by default.
        sex_key = [o.GroupBy.LEGAL_SEX.value]
        sex_groups = repo.outcome_counts(f, codes, sex_key)
        by_sex = {str(k[0]): v for k, v in sex_groups.items()}
        total = o.sum_by_legal_sex(by_sex.values())
        groups = sex_groups if keys == sex_key else repo.outcome_counts(f, codes, keys)
        follow_ups = repo.follow_up_counts(f, codes, keys)
        # Every enrolment is in exactly one group and these are plain counts: they add up.
        follow_ups_total = sum_follow_ups(follow_ups.values())
        composition = repo.goal_reached_by(f, codes, [o.GroupBy.REFERRER_TYPE.value])
        names = municipality_names(uow.session, stats_municipalities(uow.session, principal))
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "stats.outcomes", entity_type="statistics", detail=_audit_detail(f, group_by)
            ),
            at=ctx.clock.now(),
        )
        uow.commit()
    goal_total = sum(composition.values())
    ordered = sorted(groups.items(), key=lambda kv: [str(v) for v in kv[0]])
    # Groups add up to the total row, so a lone small cell in a column would be given back by
    # subtraction: complementary suppression hides a partner (only for suppressed roles).
    [total_hidden] = o.suppressed_measures([total])
    group_hidden = o.suppressed_measures([counts for _, counts in ordered])
    parts = sorted(composition.items(), key=lambda kv: (-kv[1], str(kv[0][0])))
    part_hidden = o.complementary_suppression(
        [n for _, n in parts], [o.is_small_cell(n) for _, n in parts]
    )
    return OutcomeStatisticsRead(
        filters=_filters_read(f, group_by),
        municipalities=[
            MunicipalityName(id=i, name=n) for i, n in sorted(names.items(), key=lambda x: x[1])
        ],
        suppressed_below=o.SUPPRESSION_THRESHOLD if suppress else None,
        total=_figures(total, follow_ups_total, suppress, total_hidden),
        groups=[
            OutcomeGroupRead(
                key=dict(zip(keys, key, strict=True)),
                figures=_figures(counts, follow_ups.get(key, []), suppress, hidden),
            )
            for (key, counts), hidden in zip(ordered, group_hidden, strict=True)
        ],
        composition_by_referrer=[
            ReferrerComposition(
                referrer_type=None if key[0] is None else str(key[0]),
                goal_reached=_count(n, suppress, hide),
                share=_share(n, goal_total, suppress, hide),
            )
            for (key, n), hide in zip(parts, part_hidden, strict=True)
        ],
        targets=_targets(programme, total, by_sex, suppress),
    )


def _item_figures(pairs: dict[tuple[int, int], int], suppress: bool) -> ItemFigures:
    s = o.summarise_item(pairs)
    net = o.net_effect(s.improved, s.worsened, s.n)
    medians_suppressed = suppress and o.is_small_cell(s.n)

    def median(value: Fraction | None) -> float | None:
        return None if medians_suppressed or value is None else float(value)

    # improved + unchanged + worsened = n, which is shown: one hidden part would come back.
    parts = (s.improved, s.unchanged, s.worsened)
    hide = o.complementary_suppression(parts, [o.is_small_cell(x) for x in parts])
    # The net effect gives improved − worsened back, so it hides with either of them.
    net_suppressed = suppress and (o.is_small_cell(s.n) or hide[0] or hide[2])

    def part(value: int, hidden: bool) -> Indicator:
        return Indicator(
            count=_count(value, suppress, hidden, small=o.is_small_cell(s.n)),
            share=_share(value, s.n, suppress, hidden),
        )

    return ItemFigures(
        n=_count(s.n, suppress),
        improved=part(s.improved, hide[0]),
        unchanged=part(s.unchanged, hide[1]),
        worsened=part(s.worsened, hide[2]),
        net_effect=ShareCell(
            value=None if net_suppressed or net is None else float(o.rounded(net) or 0),
            suppressed=net_suppressed,
            suppression=None
            if not net_suppressed
            else "small"
            if any(o.is_small_cell(x) for x in (s.n, s.improved, s.worsened))
            else "complementary",
        ),
        median_first=median(s.median_first),
        median_latest=median(s.median_latest),
        medians_suppressed=medians_suppressed,
    )


def self_assessment_statistics(
    ctx: AppContext, principal: Principal, q: StatsQuery
) -> SelfAssessmentStatisticsRead:
    suppress = principal.role in _SUPPRESSED_ROLES
    with ctx.database.unit_of_work(write=True) as uow:
        f, _ = _resolve(ctx, principal, q, uow.session)
        codes = exit_code_sets(uow.session)
        pairs = OutcomeStatsRepository(uow.session).self_assessment_pairs(f, codes)
        AuditLog(uow.session).append(
            principal,
            AuditEvent(
                "stats.self_assessment", entity_type="statistics", detail=_audit_detail(f, ())
            ),
            at=ctx.clock.now(),
        )
        uow.commit()
    questionnaire = get_questionnaire(CURRENT_QUESTIONNAIRE_VERSION)
    known = list(questionnaire.keys)
    extra = sorted({item for item, _ in pairs} - set(known))
    items: list[SelfAssessmentItemRead] = []
    for key in [*known, *extra]:
        overall: dict[tuple[int, int], int] = {}
        by_sex: dict[str, ItemFigures] = {}
        for sex in (LegalSex.WOMAN.value, LegalSex.MAN.value):
            sex_pairs = pairs.get((key, sex), {})
            for pair, n in sex_pairs.items():
                overall[pair] = overall.get(pair, 0) + n
            by_sex[sex] = _item_figures(sex_pairs, suppress)
        item = questionnaire.item(key)
        items.append(
            SelfAssessmentItemRead(
                item=key,
                label_sv=item.text_sv if item else key,
                overall=_item_figures(overall, suppress),
                by_legal_sex=by_sex,
            )
        )
    return SelfAssessmentStatisticsRead(
        filters=_filters_read(f, ()),
        suppressed_below=o.SUPPRESSION_THRESHOLD if suppress else None,
        items=items,
    )
