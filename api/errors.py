"""One error body for the whole API and one table from domain errors to status codes.

Body: {"error": "InvalidTransition", "detail": "...", "fields": {...}}. Domain errors know
nothing of HTTP (ARCHITECTURE.md rule 3); this module is where they meet it. Unexpected
exceptions become a generic 500 body: no traceback or exception text ever reaches a client.
"""

from __future__ import annotations

import logging

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field
from starlette.exceptions import HTTPException as StarletteHTTPException

from domain import errors as domain_errors

log = logging.getLogger("levelup.errors")


class ErrorBody(BaseModel):
    error: str = Field(description="Stable machine-readable error name")
    detail: str = Field(description="A message a person can act on (Swedish)")
    fields: dict[str, str] = Field(default_factory=dict, description="Per-field problems")


class ApiError(Exception):
    status_code = 400
    error = "BadRequest"

    def __init__(
        self,
        detail: str,
        *,
        fields: dict[str, str] | None = None,
        headers: dict[str, str] | None = None,
    ):
        super().__init__(detail)
        self.detail = detail
        self.fields = fields or {}
        self.headers = headers


class Unauthorized(ApiError):
    status_code, error = 401, "Unauthorized"

    def __init__(self, detail: str = "Inloggning krävs eller har gått ut.") -> None:
        super().__init__(detail, headers={"WWW-Authenticate": "Bearer"})


class Forbidden(ApiError):
    status_code, error = 403, "Forbidden"


class NotFound(ApiError):
    status_code, error = 404, "NotFound"


class Conflict(ApiError):
    status_code, error = 409, "Conflict"


class PreconditionFailed(ApiError):
    status_code, error = 412, "PreconditionFailed"


class PayloadTooLarge(ApiError):
    status_code, error = 413, "PayloadTooLarge"


class PreconditionRequired(ApiError):
    status_code, error = 428, "PreconditionRequired"


class TooManyRequests(ApiError):
    status_code, error = 429, "TooManyRequests"

    def __init__(self, detail: str, *, retry_after: int) -> None:
        super().__init__(detail, headers={"Retry-After": str(retry_after)})


# Most specific class first: the first isinstance match wins.
DOMAIN_STATUS: list[tuple[type[domain_errors.DomainError], int]] = [
    (domain_errors.InvalidTransition, 409),
    (domain_errors.InvalidPersonnummer, 422),
    (domain_errors.InvalidEffectiveDate, 422),
    (domain_errors.MissingInformation, 422),
    (domain_errors.NotEligible, 422),
    (domain_errors.UnknownCode, 422),
    (domain_errors.InvalidInput, 422),
    (domain_errors.DomainError, 422),
]


def domain_status(exc: domain_errors.DomainError) -> int:
    return next(status for cls, status in DOMAIN_STATUS if isinstance(exc, cls))


def error_response(
    status: int,
    error: str,
    detail: str,
    fields: dict[str, str] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body = ErrorBody(error=error, detail=detail, fields=fields or {})
    return JSONResponse(body.model_dump(), status_code=status, headers=headers)


def _location(loc: tuple[int | str, ...]) -> str:
    return ".".join(str(p) for p in loc) or "body"


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return error_response(exc.status_code, exc.error, exc.detail, exc.fields, exc.headers)

    @app.exception_handler(domain_errors.DomainError)
    async def _domain_error(_: Request, exc: domain_errors.DomainError) -> JSONResponse:
        return error_response(domain_status(exc), type(exc).__name__, exc.detail, exc.fields)

    @app.exception_handler(RequestValidationError)
    async def _validation_error(_: Request, exc: RequestValidationError) -> JSONResponse:
        fields: dict[str, str] = {}
        for err in exc.errors():
            # Never echo the rejected input: it may be a personnummer or a 1 MB string.
            fields.setdefault(_location(tuple(err.get("loc", ()))), str(err.get("msg", ""))[:200])
        return error_response(
            422, "ValidationError", "Uppgifterna kunde inte tolkas; se fälten.", fields
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http_error(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        names = {
            400: "BadRequest",
            404: "NotFound",
            405: "MethodNotAllowed",
            413: "PayloadTooLarge",
        }
        detail = {
            # FastAPI's own 400 is for a body it could not parse (invalid UTF-8, nesting).
            400: "Förfrågans innehåll kunde inte tolkas. Skicka giltig JSON i UTF-8.",
            404: "Adressen finns inte.",
            405: "Metoden stöds inte här.",
        }.get(exc.status_code, str(exc.detail))
        return error_response(
            exc.status_code,
            names.get(exc.status_code, "HttpError"),
            detail,
            headers=getattr(exc, "headers", None),
        )

    @app.exception_handler(Exception)
    async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.error(
            "unhandled error on %s %s: %s",
            request.method,
            request.url.path,
            type(exc).__name__,
            exc_info=exc,
        )
        return error_response(
            500, "InternalError", "Ett oväntat fel inträffade. Försök igen eller kontakta support."
        )
