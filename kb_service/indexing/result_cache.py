"""Retrieval results per KB for repeated questions, kept across live changes that do not affect them.

A bot asks the same popular questions over and over; serving them from memory is what lets one
process answer hundreds of requests a second. Each entry carries the index version it was last
valid for. A lookup on a newer version of the same index family (same build, same validity epoch)
asks `revalidate` whether the entry still holds, which for retrieval is a search of the small delta
(`indexer.candidates.still_ranks`): publishing one FAQ then only drops the questions it can change.
Another family (a rebuild, a dictionary change, an article's validity window opening or closing)
empties the KB's entries at once.

Each KB's entries are a segmented LRU: a question asked for the first time waits in a small
probation segment and moves to the protected one when asked again, so the long tail of one-off
questions (a fifth of a bot's traffic or more) cannot push the popular ones out.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

Value = TypeVar("Value")
CACHE_SIZE = 8_192  # entries per KB (~5 KB each: hits and snippets, query vector, evidence)
PROBATION_SHARE = 0.2  # of the entries, for questions asked once so far
Entry = tuple[int, Value]  # (index version it is valid for, value)


class _Segments(Generic[Value]):
    """One KB's entries for one index family: probation (asked once) and protected (asked again)."""

    def __init__(self, family: Hashable, size: int) -> None:
        self.family = family
        self.probation: OrderedDict[Hashable, Entry[Value]] = OrderedDict()
        self.protected: OrderedDict[Hashable, Entry[Value]] = OrderedDict()
        self.probation_size = max(1, int(size * PROBATION_SHARE))
        self.protected_size = max(1, size - self.probation_size)

    def find(self, key: Hashable) -> Entry[Value] | None:
        return self.protected.get(key) or self.probation.get(key)

    def promote(self, key: Hashable, entry: Entry[Value]) -> None:
        """A repeat: the entry goes to the protected segment, whose oldest falls back to probation."""
        self.probation.pop(key, None)
        self.protected[key] = entry
        self.protected.move_to_end(key)
        if len(self.protected) > self.protected_size:
            old_key, old_entry = self.protected.popitem(last=False)
            self._on_probation(old_key, old_entry)

    def store(self, key: Hashable, entry: Entry[Value]) -> None:
        if key in self.protected:
            self.protected[key] = entry
            self.protected.move_to_end(key)
        else:
            self._on_probation(key, entry)

    def remove(self, key: Hashable) -> None:
        self.probation.pop(key, None)
        self.protected.pop(key, None)

    def __len__(self) -> int:
        return len(self.probation) + len(self.protected)

    def _on_probation(self, key: Hashable, entry: Entry[Value]) -> None:
        self.probation[key] = entry
        self.probation.move_to_end(key)
        if len(self.probation) > self.probation_size:
            self.probation.popitem(last=False)


class ResultCache(Generic[Value]):
    def __init__(self, size: int = CACHE_SIZE):
        self._size = size
        self._kbs: dict[str, _Segments[Value]] = {}
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
            segments = self._segments(kb, family)
            entry = segments.find(key)
            if entry is None:
                self.misses += 1
                return None
            if entry[0] == version:
                self.hits += 1
                segments.promote(key, entry)
                return entry[1]
        valid = revalidate(entry[1])  # outside the lock: it searches the delta
        with self._lock:
            current = self._kbs[kb]
            if current.family == family and current.find(key) is entry:  # nobody replaced it meanwhile
                if valid:
                    current.promote(key, (version, entry[1]))
                else:
                    current.remove(key)
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
            if current is not None and current.family == family:
                current.store(key, (version, value))

    def sizes(self) -> dict[str, int]:
        with self._lock:
            return {kb: len(segments) for kb, segments in self._kbs.items()}

    def _segments(self, kb: str, family: Hashable) -> _Segments[Value]:
        current = self._kbs.get(kb)
        if current is None or current.family != family:
            current = self._kbs[kb] = _Segments(family, self._size)
        return current
