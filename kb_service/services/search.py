"""Search for agents: hybrid retrieval with filters, highlights, sub-scores and a result cache."""

from __future__ import annotations

import threading
import time
import uuid
from collections import OrderedDict
from dataclasses import asdict
from typing import Any, Protocol

from indexer.filters import Filters
from indexer.ranking import query_codes
from kb_service.indexing import IndexManager
from kb_service.schemas.search import SearchFilters, SearchRequest

CACHE_SIZE = 10_000


class ResultCache:
    """Responses keyed by KB, index generation and request: any change to the served index misses."""

    def __init__(self, size: int = CACHE_SIZE):
        self._items: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
        self._size, self._lock = size, threading.Lock()

    def get(self, key: tuple[Any, ...]) -> dict[str, Any] | None:
        with self._lock:
            item = self._items.get(key)
            if item is not None:
                self._items.move_to_end(key)
            return item

    def put(self, key: tuple[Any, ...], value: dict[str, Any]) -> None:
        with self._lock:
            self._items[key] = value
            if len(self._items) > self._size:
                self._items.popitem(last=False)


class HasFilters(Protocol):
    filters: SearchFilters


def to_filters(request: HasFilters) -> Filters:
    f = request.filters
    return Filters(
        categories=f.categories(),
        products=tuple(f.products),
        tags=tuple(f.tags),
        types=(f.type,) if f.type else (),
    )


def hit_out(hit: Any, explain: bool) -> dict[str, Any]:
    data = asdict(hit)
    data.pop("matched_kind")
    if not explain:
        data["scores"] = {k: (round(v, 6) if v is not None else None) for k, v in data["scores"].items()}
    return data


def search(indexes: IndexManager, cache: ResultCache, kb: str, request: SearchRequest) -> dict[str, Any]:
    started = time.perf_counter()
    filters = to_filters(request)
    key = (
        kb,
        indexes.generation(kb),
        request.query,
        request.top_k,
        filters.key(),
        request.mode,
        request.explain,
    )
    body = cache.get(key)
    if body is None:
        hits, outcome = indexes.search(kb, request.query, request.top_k, filters, request.mode)
        body = {
            "results": [hit_out(h, request.explain) for h in hits],
            "mode": outcome.mode,
            "degraded": outcome.degraded,
        }
        if request.explain:
            body["explain"] = {
                "normalized_query": outcome.normalized_query,
                "tokens": outcome.query_tokens,
                "codes": list(query_codes(outcome.normalized_query)),
                "filters": asdict(filters),
                "fusion": asdict(indexes.config.fusion),
            }
        if not outcome.degraded:  # a degraded answer must not outlive the outage
            cache.put(key, body)
    took = (time.perf_counter() - started) * 1000
    return {"query_id": str(uuid.uuid4()), **body, "took_ms": round(took, 2)}
