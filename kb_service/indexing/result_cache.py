"""Retrieval results per KB for repeated questions, valid for one generation of the served index.

A bot asks the same popular questions over and over; serving them from memory is what lets one
process answer hundreds of requests a second. Any change to the served index (publish, archive,
edit, dictionary, rebuild, an article's validity window opening or closing) gives it a new
generation, and the first lookup on the new generation empties that KB's entries, so a stale result
is never served and no old index state stays alive through the cache.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")
CACHE_SIZE = 10_000  # entries per KB


class ResultCache(Generic[Value]):
    def __init__(self, size: int = CACHE_SIZE):
        self._size = size
        self._kbs: dict[str, tuple[Hashable, OrderedDict[Hashable, Value]]] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = 0

    def get(self, kb: str, generation: Hashable, key: Hashable) -> Value | None:
        with self._lock:
            entries = self._entries(kb, generation)
            value = entries.get(key)
            if value is None:
                self.misses += 1
            else:
                self.hits += 1
                entries.move_to_end(key)
            return value

    def put(self, kb: str, generation: Hashable, key: Hashable, value: Value) -> None:
        """Store `value`, unless the KB moved to another generation since `get` (a late result)."""
        with self._lock:
            current = self._kbs.get(kb)
            if current is None or current[0] != generation:
                return
            entries = current[1]
            entries[key] = value
            if len(entries) > self._size:
                entries.popitem(last=False)

    def sizes(self) -> dict[str, int]:
        with self._lock:
            return {kb: len(entries) for kb, (_, entries) in self._kbs.items()}

    def _entries(self, kb: str, generation: Hashable) -> OrderedDict[Hashable, Value]:
        current = self._kbs.get(kb)
        if current is None or current[0] != generation:
            current = (generation, OrderedDict())
            self._kbs[kb] = current
        return current[1]
