"""What one search / suggest / answer call leaves in the query log, and the row it becomes."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from indexer.text import normalize
from kb_service.assist.pii import mask_pii
from kb_service.models import KnowledgeBase
from kb_service.schemas.search import SearchRequest

# A message is stored as its first 2,000 characters: a 20,000-character paste (an order e-mail, a
# log) would cost masking and normalising 20,000 characters on the request thread and fill the table;
# the cut never splits a number or address (it would escape the personal-data masks) and says how
# much was left out.
MAX_STORED_CHARS = 2_000
_WORD_AT_END = re.compile(r"[0-9A-Za-z@._+\-\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]+$")
_WORD_CHAR = re.compile(r"[0-9A-Za-z@._+\-\uff10-\uff19\uff21-\uff3a\uff41-\uff5a]")


def stored_text(text: str) -> str:
    """`text`, or its first `MAX_STORED_CHARS` characters (not ending inside a word or number) and a
    note of how many characters were left out."""
    if len(text) <= MAX_STORED_CHARS:
        return text
    cut = text[:MAX_STORED_CHARS]
    if _WORD_CHAR.match(text[MAX_STORED_CHARS]):
        cut = _WORD_AT_END.sub("", cut)
    return f"{cut} …[+{len(text) - len(cut)} characters]"


@dataclass(frozen=True, kw_only=True)
class QueryLogEntry:
    """One search / suggest / answer call; `id` is the query_id handed to the client."""

    id: str
    kb_id: int
    endpoint: str  # search / suggest / answer
    role: str
    query: str
    normalized_query: str = ""  # empty: the writer stores normalize(query)
    channel: str | None = None
    decision: str | None = None  # answer / clarify / handoff (answer endpoint only)
    top_article_ids: Sequence[int] = ()
    top_scores: Sequence[float] = ()
    confidence: float | None = None
    latency_ms: float = 0.0
    degraded: bool = False

    @property
    def query_id(self) -> str:
        return self.id


def to_row(entry: QueryLogEntry, created_at: datetime) -> dict[str, Any]:
    """The row to insert, with personal data masked in both texts (at most `MAX_STORED_CHARS`)."""
    query = stored_text(entry.query)
    normalized = stored_text(entry.normalized_query) if entry.normalized_query else normalize(query)
    return {
        "id": entry.id,
        "kb_id": entry.kb_id,
        "endpoint": entry.endpoint,
        "role": entry.role,
        "channel": entry.channel,
        "query": mask_pii(query),
        "normalized_query": mask_pii(normalized),
        "decision": entry.decision,
        "top_article_ids": [int(a) for a in entry.top_article_ids],
        "top_scores": [float(s) for s in entry.top_scores],
        "confidence": entry.confidence,
        "latency_ms": float(entry.latency_ms),
        "degraded": bool(entry.degraded),
        "created_at": created_at,
    }


class EntrySink(Protocol):
    """Anything that takes entries: the QueryLogWriter."""

    def record(self, entry: QueryLogEntry) -> bool: ...


def record_search(
    writer: EntrySink, *, kb: KnowledgeBase, role: str, request: SearchRequest, response: dict[str, Any]
) -> None:
    """Log one /search response (its query_id, top results, latency and degraded flag)."""
    assert kb.id is not None
    results = response.get("results", [])
    writer.record(
        QueryLogEntry(
            id=response["query_id"],
            kb_id=kb.id,
            endpoint="search",
            role=role,
            channel=request.filters.channel,
            query=request.query,
            top_article_ids=[r["article_id"] for r in results],
            top_scores=[r["score"] for r in results],
            latency_ms=response.get("took_ms", 0.0),
            degraded=bool(response.get("degraded", False)),
        )
    )
