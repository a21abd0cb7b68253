"""Bot answer lookup: one answer with a calibrated confidence, a clarifying question, or a handoff."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Any

from indexer.documents import Article
from indexer.ranking import Hit
from kb_service.assist.intents import is_failed_followup, wants_human
from kb_service.assist.message import prepare_message
from kb_service.assist.options import pick_option
from kb_service.assist.sentiment import Sentiment, analyze_sentiment
from kb_service.indexing import IndexManager
from kb_service.schemas.assist import AnswerRequest
from kb_service.schemas.kbs import KbSettings
from kb_service.services.rendering import bot_text
from kb_service.services.routing import queue_for, queue_of_category
from kb_service.services.search import to_filters
from kb_service.services.sessions import SessionState, SessionStore

SEARCH_DEPTH = 5
ANGRY_HANDOFF = 0.6  # sentiment score from which an angry customer goes to a human at once
PICKED_CONFIDENCE = 0.95  # the customer chose this question from the ones we offered
CLARIFY_WITHIN = 0.6  # offered alternatives score at least this share of the best one
MESSAGES = {
    "zh": {
        "clarify": "您是想问以下哪个问题？",
        "clarify_hint": "请回复序号。",
        "handoff": "正在为您转接人工客服，请稍候。",
    },
    "en": {
        "clarify": "Which of these questions do you mean?",
        "clarify_hint": "Please reply with its number.",
        "handoff": "Let me connect you with one of our agents.",
    },
}


@dataclass
class Decision:
    decision: str
    article: Article | None = None
    confidence: float = 0.0
    candidates: list[tuple[int, str]] = field(default_factory=list)
    reason: str | None = None
    queue: str | None = None


def answer(
    *, indexes: IndexManager, sessions: SessionStore, kb: str, settings: KbSettings, request: AnswerRequest
) -> tuple[dict[str, Any], list[Hit]]:
    """Decide and render the bot's reply; returns the response body and the hits (for the query log)."""
    started = time.perf_counter()
    state = sessions.get(kb, request.session_id)
    message = prepare_message(request.query, indexes.live(kb))  # a long paste: its informative part
    request = request.model_copy(update={"query": message.retrieval})
    sentiment = analyze_sentiment(message.intent)
    hits, degraded = [], False
    decision = _from_session(indexes, kb, settings, state, message.intent)
    if decision is None:
        found = indexes.retrieve(kb, request.query, SEARCH_DEPTH, to_filters(request), "hybrid")
        hits, degraded = found.hits, found.degraded
        decision = _decide(
            settings, state, request.query, hits, found.articles, found.confidence or 0.0, sentiment
        )
    sessions.put(kb, request.session_id, _next_state(state, decision))
    body = _render(decision, request, settings, sentiment, hits)
    took = (time.perf_counter() - started) * 1000
    return {"query_id": str(uuid.uuid4()), **body, "degraded": degraded, "took_ms": round(took, 2)}, hits


def _from_session(
    indexes: IndexManager, kb: str, settings: KbSettings, state: SessionState, query: str
) -> Decision | None:
    """Decisions the conversation so far settles without a search."""
    if state.last_decision == "clarify" and state.candidates:
        picked = pick_option(query, [q for _, q in state.candidates])
        article = indexes.article(kb, state.candidates[picked][0]) if picked is not None else None
        if article is not None:
            return Decision("answer", article, PICKED_CONFIDENCE)
    if wants_human(query):
        queue = queue_of_category(settings, state.last_category) if state.last_category else None
        return Decision("handoff", reason="customer_request", queue=queue)
    if state.last_decision == "answer" and is_failed_followup(query):
        return Decision(
            "handoff", reason="answer_did_not_help", queue=queue_of_category(settings, state.last_category)
        )
    return None


def _decide(
    settings: KbSettings,
    state: SessionState,
    query: str,
    hits: list[Hit],
    articles: dict[int, Article],
    confidence: float,
    sentiment: Sentiment,
) -> Decision:
    confident = confidence >= settings.answer_threshold
    if sentiment.label == "angry" and sentiment.score >= ANGRY_HANDOFF:
        return Decision("handoff", None, confidence, _options(hits), "angry_customer", None)
    if not hits:
        return Decision("handoff", None, 0.0, [], "no_results")
    if confident:
        return Decision("answer", articles[hits[0].article_id], confidence)
    options = _options(hits)
    if confidence >= settings.clarify_threshold and len(options) >= 2:
        if state.misses >= 1:
            return Decision("handoff", None, confidence, options, "repeated_miss")
        return Decision("clarify", None, confidence, options)
    return Decision("handoff", None, confidence, options, "low_confidence")


def _options(hits: list[Hit]) -> list[tuple[int, str]]:
    """2-3 questions close to the best hit (an FAQ's standard question or a guide's title)."""
    if not hits:
        return []
    best = hits[0].score
    return [(h.article_id, h.title) for h in hits[:3] if best <= 0 or h.score >= CLARIFY_WITHIN * best]


def _next_state(state: SessionState, d: Decision) -> SessionState:
    answered = d.decision == "answer"
    return SessionState(
        last_decision=d.decision,
        misses=0 if answered or d.decision == "handoff" else state.misses + 1,
        candidates=d.candidates if d.decision == "clarify" else [],
        last_article_id=d.article.id if d.article else state.last_article_id,
        last_category=d.article.category if d.article else state.last_category,
    )


def _render(
    d: Decision, request: AnswerRequest, settings: KbSettings, sentiment: Sentiment, hits: list[Hit]
) -> dict[str, Any]:
    language = settings.language
    texts = MESSAGES.get(language, MESSAGES["en"])
    answer_out, message, handoff = None, "", None
    if d.decision == "answer" and d.article is not None:
        text = bot_text(d.article, channel=request.channel, language=language, query=request.query)
        answer_out = {
            "article_id": d.article.id,
            "type": d.article.type,
            "title": d.article.title,
            "text": text,
        }
        message = text
    elif d.decision == "clarify":
        numbered = [f"{i}. {q}" for i, (_, q) in enumerate(d.candidates, 1)]
        message = "\n".join([texts["clarify"], *numbered, texts["clarify_hint"]])
    else:
        queue = d.queue or queue_for(
            settings, hits, request.query, d.confidence >= settings.clarify_threshold
        )
        handoff, message = {"reason": d.reason, "queue": queue}, texts["handoff"]
    return {
        "decision": d.decision,
        "answer": answer_out,
        "confidence": round(d.confidence, 4),
        "candidates": [{"article_id": a, "question": q} for a, q in d.candidates],
        "handoff": handoff,
        "message": message,
        "sentiment": {"label": sentiment.label, "score": round(sentiment.score, 3)},
    }
