"""Questions the service could not answer well, grouped into clusters of near-identical questions."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import and_, or_
from sqlmodel import Session, col, select

from kb_service.models import Feedback, KnowledgeBase, QueryLog
from kb_service.services.analytics.clusters import cluster_questions
from kb_service.services.analytics.window import window
from kb_service.services.kbs import get_settings

MAX_ROWS = 5_000  # cluster at most the latest this many unanswered queries of the window
UNANSWERED_DECISIONS = ("handoff", "clarify")


def _rows(session: Session, kb: KnowledgeBase, start: datetime) -> list[tuple[str, datetime]]:
    """(query, created_at) of handoffs, clarifications, low-confidence and not-helpful queries."""
    threshold = get_settings(kb).clarify_threshold
    not_helpful = select(Feedback.query_id).where(Feedback.kb_id == kb.id, Feedback.event == "not_helpful")
    stmt = (
        select(QueryLog.query, QueryLog.created_at)
        .where(
            QueryLog.kb_id == kb.id,
            col(QueryLog.created_at) >= start,
            or_(
                col(QueryLog.decision).in_(UNANSWERED_DECISIONS),
                and_(col(QueryLog.confidence).is_not(None), col(QueryLog.confidence) < threshold),
                col(QueryLog.id).in_(not_helpful),
            ),
        )
        .order_by(col(QueryLog.created_at).desc())
        .limit(MAX_ROWS)
    )
    return [(query, created_at) for query, created_at in session.exec(stmt).all()]


def unanswered(
    session: Session, kb: KnowledgeBase, *, days: int, limit: int, now: datetime | None = None
) -> dict[str, Any]:
    """Clusters sorted by size: `question` is the most frequent wording, `examples` up to 5 wordings."""
    start, _ = window(days, now)
    clusters = cluster_questions(_rows(session, kb, start))
    items = [
        {
            "question": c.examples[0],
            "count": c.count,
            "examples": c.examples,
            "last_seen": c.last_seen.isoformat() if c.last_seen else None,
        }
        for c in clusters[:limit]
    ]
    return {"items": items, "total": len(clusters)}
