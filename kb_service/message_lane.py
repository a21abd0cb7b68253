"""Pasted texts take turns: at most `long_message_slots` of them compute at once, whatever their number.

A 20,000-character message is searched by its informative part, but it still costs about four short
questions of CPU (reading and scanning the paste, then embedding a 100-character query). Eight clients
sending such pastes back to back kept every search slot busy, and an agent's short search waited
behind them: +1.2 s at p99 on 2 cores (docs/benchmarks.md, long messages). Messages longer than
`LONG_MESSAGE_CHARS` first wait for a slot of their own lane (on the event loop, holding no thread),
so they use at most that many cores between them and the other search slots stay free for everyone
else. Shorter messages (a question with some context) go straight to the search slots.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import anyio
from fastapi import Request

from kb_service.search_slots import in_search_slot

T = TypeVar("T")

LONG_MESSAGE_CHARS = 1_000  # a paste, not a question: ordinary chat turns stay far below this


def _lane(request: Request) -> anyio.CapacityLimiter:
    """The app's lane, created on first use inside the running event loop (no await in between, so
    two requests cannot both create it)."""
    state = request.app.state
    lane: anyio.CapacityLimiter | None = getattr(state, "long_message_lane", None)
    if lane is None:
        lane = state.long_message_lane = anyio.CapacityLimiter(state.settings.long_message_slots)
    return lane


async def in_message_slot(request: Request, chars: int, fn: Callable[..., T], *args: object) -> T:
    """`in_search_slot`, after a slot of the long-message lane when the message is a paste."""
    if chars <= LONG_MESSAGE_CHARS:
        return await in_search_slot(request, fn, *args)
    async with _lane(request):
        return await in_search_slot(request, fn, *args)
