"""Exports: the pseudonymised evaluation export and the SUS / ESF registration files.

All three stream: rows are read from the database in pages while the response is being sent,
so memory stays flat. Each export is audited with its purpose before the first byte is sent.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from fastapi.responses import JSONResponse, StreamingResponse
from pydantic import StringConstraints

from api.deps import Context, CurrentPrincipal, authenticated, require
from api.errors import ErrorBody
from api.schemas.exports import EvaluationExportLine
from api.security.permissions import Permission as P
from api.services import exports as service

router = APIRouter(
    prefix="/api/v1/exports", tags=["exports"], dependencies=[Depends(authenticated)]
)


class NDJSONResponse(StreamingResponse):
    media_type = "application/x-ndjson"


class _NDJSONDocs(JSONResponse):
    """For the OpenAPI document only: FastAPI documents a non-JSON response class as
    `{"type": "string"}` and merges the row schema into it. The endpoint itself returns an
    NDJSONResponse, which FastAPI passes through untouched."""

    media_type = "application/x-ndjson"


class CSVResponse(StreamingResponse):
    # Starlette appends "; charset=utf-8" to text/* types.
    media_type = "text/csv"


Purpose = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=5, max_length=200),
    Query(
        description="Why the data is exported (5–200 characters); written to the access log",
        examples=["Utvärdering Level Up 2026"],
        pattern=r"^[^\x00-\x1f\x7f]*$",
    ),
]

_NO_STORE = {"Cache-Control": "no-store"}
# Errors are JSON even though the success body is not. Given as explicit content (no "model"),
# because FastAPI would otherwise document them under the route's CSV/NDJSON media type.
_ERROR_JSON = {
    "application/json": {"schema": {"$ref": f"#/components/schemas/{ErrorBody.__name__}"}}
}


def _errors() -> dict[int | str, dict[str, Any]]:
    return {
        status: {"description": text, "content": _ERROR_JSON}
        for status, text in (
            (401, "Missing, invalid or expired token"),
            (403, "Your role lacks the permission, or another evaluator's key was asked for"),
            (422, "Missing or too short purpose, or a malformed or out-of-range parameter"),
        )
    }


@router.get(
    "/evaluation",
    response_class=_NDJSONDocs,
    # Documents the line schema; the StreamingResponse returned is passed through unvalidated.
    response_model=EvaluationExportLine,
    summary="Pseudonymised evaluation export (NDJSON)",
    operation_id="export_evaluation",
    dependencies=[require(P.EVALUATION_EXPORT)],
    responses={
        200: {
            "description": "NDJSON: one EvaluationRow per line, then (incremental pulls) one "
            "EvaluationWithdrawal line per person to delete, then one EvaluationTrailer line",
            "headers": {
                "X-Next-Since": {
                    "description": "The cursor for the next incremental pull (also in the "
                    "trailer line)",
                    "schema": {"type": "string", "format": "date-time"},
                }
            },
        },
        **_errors(),
    },
)
def export_evaluation(
    ctx: Context,
    principal: CurrentPrincipal,
    purpose: Purpose,
    since: Annotated[
        str | None,
        Query(
            max_length=service.MAX_SINCE_LENGTH,
            description="Only enrolments changed after this time: the `next_since` of your "
            "previous export (ISO 8601 with time zone). Omit for everything.",
        ),
    ] = None,
    evaluator_id: Annotated[
        int | None,
        Query(
            ge=1,
            le=2**31 - 1,
            description="Whose pseudonym key to use; may only be your own user id (403 "
            "otherwise). Omit to use your own.",
        ),
    ] = None,
) -> NDJSONResponse:
    """One line per enrolment of the association's member municipalities whose participant's
    consent to evaluation holds today; protected identities are left out entirely. Rows carry
    no names, personnummer, contact data, free text or staff ids: the participant is a keyed
    pseudonym (HMAC-SHA256 with a key derived for you alone, so stable across your exports and
    unlinkable to another evaluator's), and the birth date is reduced to the year.

    The last line is `{"next_since": ..., "rows": n, "withdrawals": m}`; a stream without it
    was cut off. Pass `next_since` as `since` next time for an incremental pull: it lies a few
    minutes before the export started, so rows may repeat - replace them by
    `enrolment_pseudonym`. An incremental pull also lists, after the rows, each person who
    withdrew consent to evaluation (or got a protected identity) since then as
    `{"withdrawn_pseudonym": ...}`: delete every row you hold with that `pseudonym`.
    """
    export = service.export_evaluation(
        ctx, principal, purpose=purpose, since=since, evaluator_id=evaluator_id
    )
    return NDJSONResponse(
        export.lines,
        headers={**_NO_STORE, "X-Next-Since": export.next_since.isoformat()},
    )


_CSV_200: dict[int | str, dict[str, Any]] = {
    200: {"description": "`;`-separated UTF-8 CSV with a byte order mark and a header row"}
}


def _attachment(name: str) -> dict[str, str]:
    return {**_NO_STORE, "Content-Disposition": f'attachment; filename="{name}"'}


@router.get(
    "/sus",
    response_class=CSVResponse,
    # The CSV text; documents the 200 body (the streamed response is passed through).
    response_model=str,
    summary="SUS in/out registration file (CSV)",
    operation_id="export_sus_registrations",
    dependencies=[require(P.REGISTRATION_EXPORT)],
    responses={**_CSV_200, **_errors()},
)
def export_sus_registrations(
    ctx: Context,
    principal: CurrentPrincipal,
    purpose: Purpose,
    from_on: Annotated[date, Query(alias="from", description="First day of the period")],
    to_on: Annotated[
        date, Query(alias="to", description="Last day of the period; at most 20 years on")
    ],
) -> CSVResponse:
    """Every start (`in`) and exit (`out`) in the period in your municipality, in date order,
    for people whose consent to SUS registration holds: full personnummer (SUS registers
    identified people), programme, event, date, and for exits the reason and status codes.
    A protected identity's row has no personnummer. Every person in the file is written to
    the access log."""
    lines = service.export_sus(ctx, principal, purpose=purpose, from_on=from_on, to_on=to_on)
    name = f"sus-{from_on.isoformat()}-{to_on.isoformat()}.csv"
    return CSVResponse(lines, headers=_attachment(name))


@router.get(
    "/esf-monthly",
    response_class=CSVResponse,
    # The CSV text; documents the 200 body (the streamed response is passed through).
    response_model=str,
    summary="ESF/SCB monthly participant file (CSV)",
    operation_id="export_esf_monthly",
    dependencies=[require(P.REGISTRATION_EXPORT)],
    responses={**_CSV_200, **_errors()},
)
def export_esf_monthly(
    ctx: Context,
    principal: CurrentPrincipal,
    purpose: Purpose,
    month: Annotated[str, Query(max_length=20, description="YYYY-MM", examples=["2026-03"])],
) -> CSVResponse:
    """Every start and exit of the month in your municipality, in date order: personnummer,
    legal sex and birth year (derived from it), self-reported gender, education as an ISCED
    group, benefit at start, event, date and for exits the outcome group. Enrolments
    registered in error are left out; a protected identity keeps only sex and birth year.
    Every person in the file is written to the access log."""
    lines = service.export_esf_monthly(ctx, principal, purpose=purpose, month=month)
    return CSVResponse(lines, headers=_attachment(f"esf-{month}.csv"))
