"""Domain errors raised by services, and the one JSON shape every error response takes."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from sqlalchemy.exc import DataError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException


class ApiError(Exception):
    status_code = 400
    code = "bad_request"

    def __init__(self, message: str, details: list[Any] | None = None, headers: dict[str, str] | None = None):
        super().__init__(message)
        self.message = message
        self.details = details or []
        self.headers = headers


class InvalidInput(ApiError):
    status_code = 422
    code = "invalid_input"


class Unauthorized(ApiError):
    status_code = 401
    code = "unauthorized"


class Forbidden(ApiError):
    status_code = 403
    code = "forbidden"


class NotFound(ApiError):
    status_code = 404
    code = "not_found"


class Conflict(ApiError):
    status_code = 409
    code = "conflict"


class PayloadTooLarge(ApiError):
    status_code = 413
    code = "payload_too_large"


class RateLimited(ApiError):
    status_code = 429
    code = "rate_limited"


class Unavailable(ApiError):
    status_code = 503
    code = "unavailable"


def stale_version(what: str, current: int, based_on: int) -> Conflict:
    """409 for a compare-and-set save made to `based_on` while `what` is at `current`."""
    why = "someone else saved it in between" if based_on < current else "that version does not exist yet"
    return Conflict(
        f"{what} is at version {current}, this change was made to version {based_on}: {why}; "
        "reload it and apply the change again",
        [{"field": "version", "message": f"stale: current version is {current}"}],
    )


def error_body(code: str, message: str, details: list[Any] | None = None) -> dict[str, Any]:
    return {"error": {"code": code, "message": message, "details": details or []}}


_STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "invalid_input",
    429: "rate_limited",
}


def _location(loc: tuple[Any, ...]) -> str:
    return ".".join(str(part) for part in loc)


def validation_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, Any]]:
    details = []
    for err in errors:
        loc = tuple(err.get("loc", ()))
        details.append(
            {
                "field": _location(loc),
                "message": err.get("msg", "invalid value"),
                "type": err.get("type", "value_error"),
            }
        )
    return details


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(ApiError)
    async def _api_error(_: Request, exc: ApiError) -> JSONResponse:
        return JSONResponse(error_body(exc.code, exc.message, exc.details), exc.status_code, exc.headers)

    @app.exception_handler(RequestValidationError)
    async def _validation(_: Request, exc: RequestValidationError) -> JSONResponse:
        details = validation_details(exc.errors())
        if any(d["type"] == "json_invalid" for d in details):
            return JSONResponse(error_body("malformed_json", "request body is not valid JSON", details), 400)
        summary = "; ".join(f"{d['field']}: {d['message']}" for d in details[:5])
        return JSONResponse(error_body("invalid_input", f"invalid request: {summary}", details), 422)

    @app.exception_handler(OperationalError)
    async def _database_down(_: Request, exc: OperationalError) -> JSONResponse:
        # the database went away (connection refused or dropped): searches keep working from memory,
        # anything that must read or write stored data waits for it
        message = "the database is unavailable; nothing was changed, try again shortly"
        return JSONResponse(error_body("database_unavailable", message), 503, {"Retry-After": "5"})

    @app.exception_handler(OverflowError)  # SQLite: an integer beyond 64 bits
    @app.exception_handler(DataError)  # PostgreSQL: a number out of range, a NUL character in text
    async def _unstorable(_: Request, exc: Exception) -> JSONResponse:
        message = "a value in the request is out of range or contains a character that cannot be stored"
        return JSONResponse(error_body("invalid_input", message), 422)

    @app.exception_handler(StarletteHTTPException)
    async def _http(_: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _STATUS_CODES.get(exc.status_code, "error")
        return JSONResponse(error_body(code, str(exc.detail)), exc.status_code, getattr(exc, "headers", None))
