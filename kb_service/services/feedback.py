"""Feedback events (click, used, helpful, ...) on a query_id that search / suggest / answer returned."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from kb_service.auth import Principal
from kb_service.errors import NotFound
from kb_service.models import Article, Feedback, KnowledgeBase
from kb_service.schemas.feedback import FeedbackIn
from kb_service.services.query_log import QueryLogWriter


def feedback_out(row: Feedback, kb_slug: str) -> dict[str, Any]:
    return {
        "id": row.id,
        "kb": kb_slug,
        "query_id": row.query_id,
        "article_id": row.article_id,
        "event": row.event,
        "created_at": row.created_at.isoformat(),
        "created_by": row.created_by,
    }


def add_feedback(
    session: Session, *, kb: KnowledgeBase, data: FeedbackIn, actor: Principal, query_log: QueryLogWriter
) -> Feedback:
    """Store one event; the query_id may still be waiting in the log writer's memory."""
    assert kb.id is not None
    if not query_log.exists(kb.id, data.query_id):
        raise NotFound(f"query_id '{data.query_id}' not found in knowledge base '{kb.slug}'")
    if data.article_id is not None:
        article = session.get(Article, data.article_id)
        if article is None or article.kb_id != kb.id:
            raise NotFound(f"article {data.article_id} not found in knowledge base '{kb.slug}'")
    row = Feedback(
        kb_id=kb.id,
        query_id=data.query_id,
        article_id=data.article_id,
        event=data.event,
        created_by=actor.name,
    )
    session.add(row)
    session.commit()
    return row
