"""Bot answer lookup: one answer with a calibrated confidence, a confirmation or clarifying question,
a small-talk reply, or a handoff."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, replace
from typing import Any

from indexer.documents import Article
from indexer.entities import Entity, ProductPreference
from indexer.ranking import Hit
from kb_service.assist.entity_query import entities_out
from kb_service.assist.message import prepare_message
from kb_service.assist.sentiment import Sentiment, analyze_sentiment
from kb_service.assist.smalltalk import strip_pleasantries
from kb_service.indexing import IndexManager
from kb_service.schemas.assist import AnswerRequest
from kb_service.schemas.kbs import KbSettings
from kb_service.services.answer_render import render
from kb_service.services.answer_turns import Decision, settled_by_conversation
from kb_service.services.search import to_filters
from kb_service.services.sessions import SessionState, SessionStore

SEARCH_DEPTH = 5
ANGRY_HANDOFF = 0.6  # sentiment score from which an angry customer goes to a human at once
CLARIFY_WITHIN = 0.6  # offered alternatives score at least this share of the best one
CONTEXT_TURNS = 2  # earlier customer questions a session keeps to read a follow-up with
# a follow-up read together with the previous question must be this much more confident than alone
# (the latest turn weighs more; a new topic is followed)
CONTEXT_GAIN = 0.1


@dataclass(frozen=True)
class Searched:
    hits: list[Hit]
    articles: dict[int, Article]
    confidence: float
    degraded: bool
    entities: list[Entity]
    question: str  # what was searched for this turn (without product names), kept as session context
    products: ProductPreference | None
    context: list[str]  # earlier questions the search was read with


def answer(
    *, indexes: IndexManager, sessions: SessionStore, kb: str, settings: KbSettings, request: AnswerRequest
) -> tuple[dict[str, Any], list[Hit]]:
    """Decide and render the bot's reply; returns the response body and the hits (for the query log)."""
    started = time.perf_counter()
    state = sessions.get(kb, request.session_id)
    message = prepare_message(request.query, indexes.live(kb))  # a long paste: its informative part
    request = request.model_copy(update={"query": message.retrieval})
    sentiment = analyze_sentiment(message.intent)
    decision = settled_by_conversation(indexes, kb, settings, state, message.intent)
    searched = None
    if decision is None:
        searched = _search(indexes, kb, settings, request, state)
        decision = _decide(settings, state, searched, sentiment)
    sessions.put(kb, request.session_id, _next_state(state, decision, searched))
    hits = searched.hits if searched else []
    body = render(decision, request, settings, sentiment, hits)
    body["entities"] = entities_out(searched.entities if searched else [])
    body["context"] = searched.context if searched else []
    body["degraded"] = bool(searched and searched.degraded)
    took = (time.perf_counter() - started) * 1000
    return {"query_id": str(uuid.uuid4()), **body, "took_ms": round(took, 2)}, hits


def _search(
    indexes: IndexManager, kb: str, settings: KbSettings, request: AnswerRequest, state: SessionState
) -> Searched:
    """Retrieve for the question in the message (greetings and thanks around it cut off, product names
    as a preference); a follow-up that is not clear on its own is read with the previous question."""
    understood = indexes.understand(kb, strip_pleasantries(request.query))
    products = understood.prefer or state.products
    filters = to_filters(request)
    understood = replace(understood, prefer=products)
    found = indexes.retrieve_understood(kb, understood, SEARCH_DEPTH, filters, "hybrid")
    confidence, context = found.confidence or 0.0, []
    if state.context and confidence < 1.0 - CONTEXT_GAIN:  # else reading it with context cannot win
        joined = indexes.retrieve(
            kb, f"{state.context[-1]}，{understood.text}", SEARCH_DEPTH, filters, "hybrid", products
        )
        if (joined.confidence or 0.0) >= confidence + CONTEXT_GAIN:
            found, confidence, context = joined, joined.confidence or 0.0, [state.context[-1]]
    return Searched(
        found.hits,
        found.articles,
        confidence,
        found.degraded,
        understood.entities,
        understood.text,
        products,
        context,
    )


def _decide(settings: KbSettings, state: SessionState, found: Searched, sentiment: Sentiment) -> Decision:
    hits, confidence = found.hits, found.confidence
    if sentiment.label == "angry" and sentiment.score >= ANGRY_HANDOFF:
        return Decision("handoff", None, confidence, _options(hits), "angry_customer", None)
    if not hits:
        return Decision("handoff", None, 0.0, [], "no_results")
    if confidence >= settings.answer_threshold:
        return Decision("answer", found.articles[hits[0].article_id], confidence)
    options = _options(hits)
    if confidence >= settings.clarify_threshold:
        if state.misses >= 1:
            return Decision("handoff", None, confidence, options, "repeated_miss")
        if len(options) == 1 or confidence >= max(settings.confirm_threshold, settings.clarify_threshold):
            # one strong candidate: "您是想问「…」吗？", the others if the customer says no
            return Decision("clarify", None, confidence, options[:1], confirm=True, alternatives=options[1:])
        return Decision("clarify", None, confidence, options)
    return Decision("handoff", None, confidence, options, "low_confidence")


def _options(hits: list[Hit]) -> list[tuple[int, str]]:
    """1-3 questions close to the best hit (an FAQ's standard question or a guide's title)."""
    if not hits:
        return []
    best = hits[0].score
    return [(h.article_id, h.title) for h in hits[:3] if best <= 0 or h.score >= CLARIFY_WITHIN * best]


def _next_state(state: SessionState, d: Decision, searched: Searched | None) -> SessionState:
    if d.decision == "chitchat":  # "谢谢" after an answer: the conversation stays where it was
        return replace(state, candidates=list(state.candidates), context=list(state.context))
    answered = d.decision == "answer"
    context = state.context
    if searched is not None and searched.question:
        context = [*state.context, searched.question][-CONTEXT_TURNS:]
    return SessionState(
        last_decision=d.decision,
        misses=0 if answered or d.decision == "handoff" else state.misses + 1,
        candidates=d.candidates if d.decision == "clarify" else [],
        confirming=d.decision == "clarify" and d.confirm,
        alternatives=d.alternatives,
        last_article_id=d.article.id if d.article else state.last_article_id,
        last_category=d.article.category if d.article else state.last_category,
        context=context,
        products=searched.products if searched is not None else state.products,
    )
