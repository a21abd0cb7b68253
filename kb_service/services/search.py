"""Search for agents: hybrid retrieval with filters, highlights, sub-scores and a result cache."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from typing import Any, Protocol

from indexer.filters import Filters
from indexer.ranking import query_codes
from indexer.text import normalize
from kb_service.indexing import IndexManager
from kb_service.indexing.result_cache import ResultCache
from kb_service.schemas.search import SearchFilters, SearchRequest


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


def search(
    indexes: IndexManager, cache: ResultCache[dict[str, Any]], kb: str, request: SearchRequest
) -> dict[str, Any]:
    """The response body of a search; a repeated request on the same index comes from `cache`."""
    started = time.perf_counter()
    filters = to_filters(request)
    generation = indexes.generation(kb)
    key = (normalize(request.query), request.top_k, filters.key(), request.mode, request.explain)
    body = cache.get(kb, generation, key)
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
            cache.put(kb, generation, key, body)
    took = (time.perf_counter() - started) * 1000
    return {"query_id": str(uuid.uuid4()), **body, "took_ms": round(took, 2)}
