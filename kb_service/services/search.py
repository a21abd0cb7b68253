"""Search for agents: hybrid retrieval with filters, highlights, sub-scores and a result cache."""

from __future__ import annotations

import time
import uuid
from dataclasses import asdict
from typing import Any, Protocol

from indexer.filters import Filters
from indexer.ranking import query_codes
from kb_service.assist.entity_query import entities_out
from kb_service.assist.message import prepare_message
from kb_service.indexing import IndexManager
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


def search(indexes: IndexManager, kb: str, request: SearchRequest) -> dict[str, Any]:
    """The response body of a search (a question asked before comes from the retrieval cache)."""
    started = time.perf_counter()
    filters = to_filters(request)
    message = prepare_message(request.query, indexes.live(kb))  # a long paste: its informative part
    understood = indexes.understand(kb, message.retrieval)
    found = indexes.retrieve_understood(kb, understood, request.top_k, filters, request.mode)
    body: dict[str, Any] = {
        "results": [hit_out(h, request.explain) for h in found.hits],
        "mode": found.mode,
        "degraded": found.degraded,
        "entities": entities_out(understood.entities),
    }
    if request.explain:
        body["explain"] = {
            "searched": understood.text,
            "normalized_query": found.normalized_query,
            "tokens": found.query_tokens,
            "codes": list(query_codes(found.normalized_query)),
            "filters": asdict(filters),
            "fusion": asdict(indexes.config.fusion),
        }
    took = (time.perf_counter() - started) * 1000
    return {"query_id": str(uuid.uuid4()), **body, "took_ms": round(took, 2)}
