"""The body of every error response, declared in the OpenAPI schema (see `kb_service.errors`)."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel


class ErrorInfo(BaseModel):
    code: str
    message: str
    details: list[Any]


class ErrorResponse(BaseModel):
    error: ErrorInfo


def _error(description: str) -> dict[str, Any]:
    return {"model": ErrorResponse, "description": description}


# Declared on every /v1 route: replaces FastAPI's default 422 (`{"detail": [...]}`), which is not
# what the service sends, and documents the other errors a route may answer with.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    400: _error("Malformed request (e.g. a body that is not valid JSON)"),
    401: _error("Missing or unknown API key"),
    403: _error("The key lacks the role or the knowledge-base scope"),
    404: _error("Unknown knowledge base, article or query_id"),
    409: _error("Stale version, duplicate, or a status change that is not allowed"),
    413: _error("Body or upload too large"),
    422: _error("Invalid input"),
    429: _error("Rate limited (see Retry-After)"),
    503: _error("The database is unavailable (see Retry-After)"),
}
