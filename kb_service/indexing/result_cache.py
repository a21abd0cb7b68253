"""Retrieval results per KB for repeated questions, kept across live changes that do not affect them.

A bot asks the same popular questions over and over; serving them from memory is what lets one
process answer hundreds of requests a second. Each entry carries the index version it was last
valid for. A lookup on a newer version of the same index family (same build, same validity epoch)
asks `revalidate` whether the entry still holds, which for retrieval is a search of the small delta
(`indexer.candidates.still_ranks`): publishing one FAQ then only drops the questions it can change.
Another family (a rebuild, a dictionary change, an article's validity window opening or closing)
empties the KB's entries at once.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")
CACHE_SIZE = 4_096  # entries per KB (~10-15 KB each at 100k chunks: hits, evidence, query vector)


class ResultCache(Generic[Value]):
    def __init__(self, size: int = CACHE_SIZE):
        self._size = size
        self._kbs: dict[str, tuple[Hashable, OrderedDict[Hashable, tuple[int, Value]]]] = {}
        self._lock = threading.Lock()
        self.hits = self.misses = self.revalidated = 0

    def get(
        self,
        kb: str,
        family: Hashable,
        version: int,
        key: Hashable,
        revalidate: Callable[[Value], bool],
    ) -> Value | None:
        with self._lock:
            entries = self._entries(kb, family)
            entry = entries.get(key)
            if entry is None:
                self.misses += 1
                return None
            if entry[0] == version:
                self.hits += 1
                entries.move_to_end(key)
                return entry[1]
        valid = revalidate(entry[1])  # outside the lock: it searches the delta
        with self._lock:
            current = self._kbs[kb]
            if current[0] == family and current[1].get(key) is entry:  # nobody replaced it meanwhile
                if valid:
                    current[1][key] = (version, entry[1])
                else:
                    del current[1][key]
            if not valid:
                self.misses += 1
                return None
            self.hits += 1
            self.revalidated += 1
            return entry[1]

    def put(self, kb: str, family: Hashable, version: int, key: Hashable, value: Value) -> None:
        """Store `value`, unless the KB moved to another family since `get` (a late result)."""
        with self._lock:
            current = self._kbs.get(kb)
            if current is None or current[0] != family:
                return
            entries = current[1]
            entries[key] = (version, value)
            entries.move_to_end(key)
            if len(entries) > self._size:
                entries.popitem(last=False)

    def sizes(self) -> dict[str, int]:
        with self._lock:
            return {kb: len(entries) for kb, (_, entries) in self._kbs.items()}

    def _entries(self, kb: str, family: Hashable) -> OrderedDict[Hashable, tuple[int, Value]]:
        current = self._kbs.get(kb)
        if current is None or current[0] != family:
            current = (family, OrderedDict())
            self._kbs[kb] = current
        return current[1]
