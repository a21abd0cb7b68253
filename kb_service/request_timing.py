"""A pure ASGI middleware base that times each HTTP request and sees its final status and route."""

from __future__ import annotations

import time

from kb_service.limits import ASGIApp, Message, Receive, Scope, Send

UNMATCHED = "unmatched"  # the route label of requests no route matched (keeps label values bounded)


def route_of(scope: Scope) -> str:
    """The matched route's template (`/v1/kbs/{kb}/search`); the router stores it in the shared scope."""
    return getattr(scope.get("route"), "path", None) or UNMATCHED


class TimedRequests:
    """Subclasses implement `observe`, called once per HTTP request after the response (or an error)."""

    def __init__(self, app: ASGIApp):
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        status = 500
        start = time.perf_counter()

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            self.observe(scope, status, time.perf_counter() - start)

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        raise NotImplementedError
