"""Outcome statistics and goal fulfilment (DOMAIN.md §7–8), computed in the database."""

from dataclasses import replace
from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Response

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.base import Code
from api.schemas.stats import OutcomeStatisticsRead, SelfAssessmentStatisticsRead
from api.security.permissions import Permission as P
from api.services import stats as service
from api.services.stats_workbook import XLSX_MEDIA_TYPE, outcome_workbook

router = APIRouter(
    prefix="/api/v1/stats", tags=["statistics"], dependencies=[Depends(authenticated)]
)

_E = {"model": ErrorBody}
RESPONSES: dict[int | str, dict[str, Any]] = {
    403: {**_E, "description": "Your role lacks the permission"},
    404: {**_E, "description": "A municipality_id outside your scope (or unknown)"},
    422: {
        **_E,
        "description": "Unknown programme, referrer type or grouping; exit_to before "
        "exit_from; a period over 20 years",
    },
}

Programme = Annotated[Code, Query(description="Programme code")]
ExitFrom = Annotated[date | None, Query(description="First exit date of the period")]
ExitTo = Annotated[date | None, Query(description="Last exit date of the period")]
MunicipalityIds = Annotated[
    list[Annotated[int, Query(ge=1, le=2**31 - 1)]] | None,
    Query(max_length=50, description="Repeatable; default: every municipality you may see"),
]
ReferrerType = Annotated[Code | None, Query(description="Referrer type code")]
GroupByParam = Annotated[
    list[Annotated[str, Query(max_length=40)]] | None,
    Query(
        max_length=4,
        description="Repeatable: legal_sex, municipality, referrer_type, time_bucket "
        "(default legal_sex)",
    ),
]


def _self_assessment_query(
    programme: Programme = "level_up",
    exit_from: ExitFrom = None,
    exit_to: ExitTo = None,
    municipality_id: MunicipalityIds = None,
    referrer_type: ReferrerType = None,
) -> service.StatsQuery:
    return service.StatsQuery(
        programme=programme,
        exit_from=exit_from,
        exit_to=exit_to,
        municipality_ids=tuple(municipality_id or ()),
        referrer_type=referrer_type,
    )


def _outcome_query(
    base: Annotated[service.StatsQuery, Depends(_self_assessment_query)],
    group_by: GroupByParam = None,
) -> service.StatsQuery:
    """The filters every statistics route shares, plus the grouping of the outcome tables."""
    return replace(base, group_by=tuple(group_by or ()))


OutcomeQuery = Annotated[service.StatsQuery, Depends(_outcome_query)]
SelfAssessmentQuery = Annotated[service.StatsQuery, Depends(_self_assessment_query)]


@router.get(
    "/outcomes",
    response_model=OutcomeStatisticsRead,
    summary="Outcome statistics and goal fulfilment",
    operation_id="get_outcome_statistics",
    dependencies=[require(P.STATS_READ)],
    responses=RESPONSES,
)
def get_outcome_statistics(
    ctx: Context,
    principal: CurrentPrincipal,
    query: OutcomeQuery,
) -> OutcomeStatisticsRead:
    """The final report's figures for any period: enrolments exited in the period (exits coded
    "registered in error" excluded, "continues in regular operations" counted as ongoing),
    unique persons and enrolments, reached Level 3, ended at Level 3, goal reached (work and
    studies apart), the referrer composition of goal-reached exits, targets and fulfilment, and
    follow-up sustainability; for the whole and per group.

    Lead mentors and unit managers get exact numbers for their own municipality (another
    municipality's id answers 404). Association analysts and evaluators get every member
    municipality with counts of 1–4 and the shares built on them suppressed
    (`{"value": null, "suppressed": true, "suppression": "small"}`), and, so that no hidden cell
    can be worked out by subtraction from a shown total, complementary cells hidden as well
    (`"suppression": "complementary"`). `municipalities` names the municipalities the caller
    may filter on. Each request is written to the access log with its filters.
    """
    return service.outcome_statistics(ctx, principal, query)


@router.get(
    "/self-assessment",
    response_model=SelfAssessmentStatisticsRead,
    summary="Self-assessment change per item",
    operation_id="get_self_assessment_statistics",
    dependencies=[require(P.STATS_READ)],
    responses=RESPONSES,
)
def get_self_assessment_statistics(
    ctx: Context,
    principal: CurrentPrincipal,
    query: SelfAssessmentQuery,
) -> SelfAssessmentStatisticsRead:
    """Per questionnaire item, among enrolments with a complete first and latest reading (two
    distinct current participant submissions answering it): n, improved, unchanged, worsened,
    net effect (share improved − share worsened) and the medians of the first and latest
    scores; overall and by legal sex. Without an exit period every enrolment counts (exits
    coded "registered in error" excepted); with one, the enrolments exited in it. Roles,
    scope and suppression as for the outcome statistics.
    """
    return service.self_assessment_statistics(ctx, principal, query)


class XLSXResponse(Response):
    media_type = XLSX_MEDIA_TYPE


@router.get(
    "/outcomes.xlsx",
    response_class=XLSXResponse,
    # The workbook's bytes; documents the 200 body (the response is passed through).
    response_model=bytes,
    summary="The outcome tables as an Excel workbook",
    operation_id="export_outcome_tables_xlsx",
    dependencies=[require(P.STATS_READ)],
    responses={
        200: {
            "description": "An .xlsx workbook (sheets Utfall, Remittenter, Måluppfyllelse, "
            "Uppföljning, Självskattning)"
        },
        **RESPONSES,
    },
)
def export_outcome_tables_xlsx(
    ctx: Context,
    principal: CurrentPrincipal,
    query: OutcomeQuery,
) -> XLSXResponse:
    """The outcome and self-assessment statistics for association staff as a workbook: the same
    filters, scope and suppression as `GET /stats/outcomes` and `GET /stats/self-assessment`
    (a suppressed cell reads "<5", never 0), one sheet per table, Swedish headings. Both
    underlying requests are written to the access log."""
    outcomes = service.outcome_statistics(ctx, principal, query)
    self_assessment = service.self_assessment_statistics(ctx, principal, query)
    name = f"levelup-utfall-{query.programme}.xlsx"
    return XLSXResponse(
        outcome_workbook(outcomes, self_assessment),
        headers={
            "Content-Disposition": f'attachment; filename="{name}"',
            "Cache-Control": "no-store",
        },
    )
