"""Structured logs: JSON lines on stderr, and one request line per HTTP request.

The request line carries the method, route template, status, latency, the caller's key id and the
`query_id` a search / suggest / answer response returned. Never the query text or the path itself:
customers type personal data into questions.
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime
from typing import Any, Literal

from kb_service.limits import ASGIApp, Scope
from kb_service.request_timing import TimedRequests, route_of

REQUEST_LOGGER = "kb_service.request"
# Attributes every LogRecord has; anything else on a record came in through `extra=`.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message",
    "asctime",
    "color_message",  # uvicorn's copy of the message with terminal colour codes
}


class JsonFormatter(logging.Formatter):
    """One JSON object per line; non-ASCII is \\u-escaped so any log pipeline reads it intact."""

    def format(self, record: logging.LogRecord) -> str:
        entry: dict[str, Any] = {
            "timestamp": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        entry.update((k, v) for k, v in vars(record).items() if k not in _STANDARD and not k.startswith("_"))
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=True, default=str)


def configure_logging(log_format: Literal["json", "text"], level: int = logging.INFO) -> None:
    """Send every logger (uvicorn's included) to one stderr handler in the chosen format."""
    handler = logging.StreamHandler(sys.stderr)
    if log_format == "json":
        handler.setFormatter(JsonFormatter())
    else:
        handler.setFormatter(logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        logger.handlers, logger.propagate = [], True
        logger.setLevel(logging.NOTSET)  # follow the root level, whatever an earlier uvicorn.Config set


def _key_id(scope: Scope, status: int) -> int | None:
    """The caller's key id, from the key ring's memory (the auth dependency has just cached it)."""
    if status == 401 or scope.get("route") is None:
        return None
    header = dict(scope.get("headers") or []).get(b"authorization")
    keyring = getattr(getattr(scope.get("app"), "state", None), "keyring", None)
    if not header or keyring is None:
        return None
    try:
        return int(keyring.authenticate(header.decode("latin-1")).key_id)
    except Exception:  # any auth failure just means "no key" in the log line
        return None


class RequestLogMiddleware(TimedRequests):
    """Pure ASGI: one INFO line per request on the `kb_service.request` logger."""

    def __init__(self, app: ASGIApp):
        super().__init__(app)
        self.logger = logging.getLogger(REQUEST_LOGGER)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        self._log(scope, status, seconds * 1000)

    def _log(self, scope: Scope, status: int, latency_ms: float) -> None:
        route = route_of(scope)
        fields: dict[str, Any] = {
            "method": scope["method"],
            "route": route,
            "status": status,
            "latency_ms": round(latency_ms, 2),
        }
        kb = (scope.get("path_params") or {}).get("kb")
        state = scope.get("state") or {}
        for name, value in (
            ("kb", kb),
            ("key_id", _key_id(scope, status)),
            ("query_id", state.get("query_id")),
        ):
            if value is not None:
                fields[name] = value
        level = logging.ERROR if status >= 500 else logging.INFO
        self.logger.log(level, "%s %s %d", fields["method"], route, status, extra=fields)
