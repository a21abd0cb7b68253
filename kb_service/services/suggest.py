"""Agent assist: articles and ready-to-send replies for the conversation as the customer types."""

from __future__ import annotations

import time
import uuid
from typing import Any

from indexer.ranking import Hit
from kb_service.assist.conversation import read_conversation
from kb_service.assist.entity_query import entities_out
from kb_service.assist.message import prepare_message
from kb_service.assist.sentiment import Sentiment, analyze_sentiment
from kb_service.indexing import IndexManager
from kb_service.schemas.assist import SuggestRequest
from kb_service.schemas.kbs import KbSettings
from kb_service.services.rendering import agent_reply
from kb_service.services.routing import queue_for
from kb_service.services.search import hit_out, to_filters

MAX_REPLIES = 3
REPLY_WITHIN = 0.5  # replies come from articles scoring at least this share of the best one
# the chat read with the customer's earlier block must be this much more confident than the latest alone
CONTEXT_GAIN = 0.1


def suggest(
    *, indexes: IndexManager, kb: str, settings: KbSettings, request: SuggestRequest
) -> tuple[dict[str, Any], list[Hit], str]:
    """Returns the response body, the hits and the query used (for the query log)."""
    started = time.perf_counter()
    live = indexes.live(kb)
    need = read_conversation(request.conversation)
    latest = [t.text for t in request.conversation if t.role == "customer"][-3:]
    sentiment = analyze_sentiment(prepare_message("\n".join(latest), live).intent)
    if need.small_talk is not None:  # nothing asked yet: no articles to show
        return _small_talk_body(need.small_talk, settings, sentiment, started), [], ""
    query = prepare_message(need.latest, live).retrieval  # a paste: its gist
    understood = indexes.understand(kb, query)
    filters, turns, entities = to_filters(request), need.latest_turns, understood.entities
    found = indexes.retrieve_understood(kb, understood, request.top_k, filters, "hybrid")
    if need.earlier and (found.confidence or 0.0) < 1.0 - CONTEXT_GAIN:
        before = indexes.understand(kb, prepare_message(need.earlier, live).retrieval)
        prefer = understood.prefer or before.prefer
        joined = indexes.retrieve(
            kb, f"{before.text}，{understood.text}", request.top_k, filters, "hybrid", prefer
        )
        if (joined.confidence or 0.0) >= (found.confidence or 0.0) + CONTEXT_GAIN:
            found, turns = joined, need.earlier_turns + need.latest_turns
            query, entities = f"{need.earlier}，{query}", before.entities + understood.entities
    hits, confidence = found.hits, found.confidence or 0.0
    replies: list[dict[str, object]] = []
    for hit in hits[:MAX_REPLIES]:
        article = found.articles.get(hit.article_id)
        if article is not None and (not replies or hit.score >= REPLY_WITHIN * hits[0].score):
            reply = agent_reply(article, channel=request.channel, language=settings.language, query=query)
            replies.append(reply)
    took = (time.perf_counter() - started) * 1000
    body = {
        "query_id": str(uuid.uuid4()),
        "query": query,
        "turns": turns,
        "entities": entities_out(entities),
        "articles": [hit_out(h, explain=False) for h in hits],
        "replies": replies,
        "confidence": round(confidence, 4),
        "queue": queue_for(settings, hits, query, confidence >= settings.clarify_threshold),
        "sentiment": {"label": sentiment.label, "score": round(sentiment.score, 3)},
        "degraded": found.degraded,
        "took_ms": round(took, 2),
    }
    return body, hits, query


def _small_talk_body(kind: str, settings: KbSettings, sentiment: Sentiment, started: float) -> dict[str, Any]:
    took = (time.perf_counter() - started) * 1000
    return {
        "query_id": str(uuid.uuid4()),
        "query": "",
        "turns": [],
        "entities": [],
        "articles": [],
        "replies": [],
        "confidence": 0.0,
        "chitchat": kind,
        "queue": settings.default_queue,
        "sentiment": {"label": sentiment.label, "score": round(sentiment.score, 3)},
        "degraded": False,
        "took_ms": round(took, 2),
    }
