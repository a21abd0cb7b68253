"""Agent assist: articles and ready-to-send replies for the conversation as the customer types."""

from __future__ import annotations

import re
import time
import uuid
from typing import Any

from indexer.ranking import Hit
from indexer.text import normalize
from kb_service.assist.message import prepare_message
from kb_service.assist.sentiment import analyze_sentiment
from kb_service.indexing import IndexManager
from kb_service.schemas.assist import MAX_QUERY_CHARS, SuggestRequest, Turn
from kb_service.schemas.kbs import KbSettings
from kb_service.services.rendering import agent_reply
from kb_service.services.routing import queue_for
from kb_service.services.search import hit_out, to_filters

MAX_REPLIES = 3
REPLY_WITHIN = 0.5  # replies come from articles scoring at least this share of the best one
MIN_QUERY_CHARS = 8  # a shorter latest message is read together with the customer's previous one
SMALL_TALK = re.compile(
    r"^(?:(?:你好|您好|在吗|在不在|喂|哈喽|嗨|谢谢|多谢|好的|好|嗯|哦|收到"
    r"|hello|hi|hey|thanks|thank you|ok|okay)"
    r"[\s,，.。!！?？~]*)+$"
)


def customer_query(conversation: list[Turn]) -> str:
    """The latest customer turns (after the agent last spoke), without greetings; a very short latest
    message is joined with the customer's turns before it. Cut to the most recent characters."""
    blocks: list[list[str]] = [[]]
    for turn in conversation:
        text = turn.text.strip()
        if turn.role == "agent":
            if blocks[-1]:
                blocks.append([])
        elif text and not SMALL_TALK.match(normalize(text)):
            blocks[-1].append(text)
    blocks = [b for b in blocks if b]
    if not blocks:  # only small talk so far: use what the customer said
        blocks = [[t.text.strip() for t in conversation if t.role == "customer" and t.text.strip()]]
    picked = list(blocks[-1])
    for earlier in reversed(blocks[:-1]):
        if len("".join(picked)) >= MIN_QUERY_CHARS:
            break
        picked = earlier + picked
    return "，".join(picked)[-MAX_QUERY_CHARS:]


def suggest(
    *, indexes: IndexManager, kb: str, settings: KbSettings, request: SuggestRequest
) -> tuple[dict[str, Any], list[Hit], str]:
    """Returns the response body, the hits and the query used (for the query log)."""
    started = time.perf_counter()
    live = indexes.live(kb)
    query = prepare_message(customer_query(request.conversation), live).retrieval  # a paste: its gist
    latest = [t.text for t in request.conversation if t.role == "customer"][-3:]
    sentiment = analyze_sentiment(prepare_message("\n".join(latest), live).intent)
    found = indexes.retrieve(kb, query, request.top_k, to_filters(request), "hybrid")
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
        "articles": [hit_out(h, explain=False) for h in hits],
        "replies": replies,
        "confidence": round(confidence, 4),
        "queue": queue_for(settings, hits, query, confidence >= settings.clarify_threshold),
        "sentiment": {"label": sentiment.label, "score": round(sentiment.score, 3)},
        "degraded": found.degraded,
        "took_ms": round(took, 2),
    }
    return body, hits, query
