"""ASGI middleware that rejects request bodies over the size limit with 413 before the app reads them."""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from kb_service.errors import error_body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

MULTIPART_OVERHEAD = 64 * 1024


class BodySizeLimit:
    def __init__(self, app: ASGIApp, max_body: int, max_upload: int):
        self.app, self.max_body, self.max_upload = app, max_body, max_upload

    def _limit(self, scope: Scope) -> int:
        return self.max_upload + MULTIPART_OVERHEAD if self._is_upload(scope) else self.max_body

    @staticmethod
    def _is_upload(scope: Scope) -> bool:
        return str(scope["path"]).endswith("/imports")

    def _stated_limit(self, scope: Scope) -> tuple[str, int]:
        """What the client is told: the upload limit for imports (not its multipart allowance)."""
        return ("upload", self.max_upload) if self._is_upload(scope) else ("request body", self.max_body)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        headers = dict(scope.get("headers") or [])
        declared = headers.get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _reject(send, int(declared), *self._stated_limit(scope))
            return
        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise _TooLarge(received, limit)
            return message

        try:
            await self.app(scope, limited_receive, send)
        except _TooLarge as exc:
            await _reject(send, exc.size, *self._stated_limit(scope))


class _TooLarge(Exception):
    def __init__(self, size: int, limit: int):
        self.size, self.limit = size, limit


async def _reject(send: Send, size: int, what: str, limit: int) -> None:
    message = f"{what} is over the limit of {limit} bytes (received at least {size} bytes)"
    body = json.dumps(error_body("payload_too_large", message)).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())],
        }
    )
    await send({"type": "http.response.body", "body": body})
