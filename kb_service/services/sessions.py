"""Bot conversation state per session_id: what was asked last, so loops end with a human."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field

from indexer.entities import ProductPreference

SESSION_TTL_S = 30 * 60
MAX_SESSIONS = 100_000


@dataclass
class SessionState:
    last_decision: str | None = None
    misses: int = 0  # consecutive turns without an answer
    candidates: list[tuple[int, str]] = field(default_factory=list)  # offered by the last clarify
    confirming: bool = False  # the last clarify asked a yes / no question about candidates[0]
    alternatives: list[tuple[int, str]] = field(default_factory=list)  # offered if that one is declined
    last_article_id: int | None = None
    last_category: str | None = None
    context: list[str] = field(default_factory=list)  # the customer's recent questions, oldest first
    products: ProductPreference | None = None  # products the customer named earlier in the session
    touched: float = field(default_factory=time.monotonic)


class SessionStore:
    """In-memory, bounded, expiring; keyed by (kb, session_id)."""

    def __init__(self, ttl_s: float = SESSION_TTL_S, size: int = MAX_SESSIONS):
        self._items: OrderedDict[tuple[str, str], SessionState] = OrderedDict()
        self._ttl, self._size, self._lock = ttl_s, size, threading.Lock()

    def get(self, kb: str, session_id: str | None) -> SessionState:
        if session_id is None:
            return SessionState()
        with self._lock:
            state = self._items.get((kb, session_id))
            if state is None or time.monotonic() - state.touched > self._ttl:
                return SessionState()
            return state

    def put(self, kb: str, session_id: str | None, state: SessionState) -> None:
        if session_id is None:
            return
        state.touched = time.monotonic()
        with self._lock:
            self._items[(kb, session_id)] = state
            self._items.move_to_end((kb, session_id))
            while len(self._items) > self._size:
                self._items.popitem(last=False)
