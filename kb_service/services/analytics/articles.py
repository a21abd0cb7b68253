"""Per-article usage: impressions and first places in results, and the feedback each article got.

An impression is a place among the first IMPRESSION_DEPTH results of a query: those are what a bot
or an agent actually looks at; deeper places say little about an article's usefulness.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from kb_service.models import Article, Feedback, KnowledgeBase, QueryLog
from kb_service.services.analytics.window import window

IMPRESSION_DEPTH = 3
MAX_ROWS = 200_000  # impressions over at most the latest this many queries of the window
# feedback event -> response field
EVENTS = {
    "click": "clicks",
    "used": "used",
    "helpful": "helpful",
    "not_helpful": "not_helpful",
    "resolved": "resolved",
}


def _impressions(session: Session, kb_id: int, start: datetime) -> tuple[Counter[int], Counter[int]]:
    stmt = (
        select(QueryLog.top_article_ids)
        .where(QueryLog.kb_id == kb_id, col(QueryLog.created_at) >= start)
        .order_by(col(QueryLog.created_at).desc())
        .limit(MAX_ROWS)
    )
    shown: Counter[int] = Counter()
    first: Counter[int] = Counter()
    for ids in session.exec(stmt).all():
        if ids:
            first[ids[0]] += 1
            shown.update(set(ids[:IMPRESSION_DEPTH]))
    return shown, first


def _events(session: Session, kb_id: int, start: datetime) -> dict[int, Counter[str]]:
    stmt = (
        select(Feedback.article_id, Feedback.event, func.count())
        .where(
            Feedback.kb_id == kb_id, col(Feedback.created_at) >= start, col(Feedback.article_id).is_not(None)
        )
        .group_by(col(Feedback.article_id), Feedback.event)
    )
    events: dict[int, Counter[str]] = defaultdict(Counter)
    for article_id, event, n in session.exec(stmt).all():
        if article_id is not None:
            events[article_id][event] += int(n)
    return events


def article_usage(
    session: Session, kb: KnowledgeBase, *, days: int, limit: int, now: datetime | None = None
) -> dict[str, Any]:
    """Articles shown or given feedback in the window, most impressions first (archived ones included)."""
    assert kb.id is not None
    start, _ = window(days, now)
    shown, first = _impressions(session, kb.id, start)
    events = _events(session, kb.id, start)
    ids = set(shown) | set(events)
    stmt = select(Article.id, Article.title, Article.status).where(
        Article.kb_id == kb.id, col(Article.id).in_(ids)
    )
    known = {article_id: (title, status) for article_id, title, status in session.exec(stmt).all()}
    items: list[dict[str, Any]] = []
    for article_id in ids:
        title, status = known.get(article_id, (None, None))
        counts = events.get(article_id, Counter())
        items.append(
            {
                "article_id": article_id,
                "title": title,
                "status": status,
                "impressions": shown[article_id],
                "top1": first[article_id],
            }
            | {name: counts[event] for event, name in EVENTS.items()}
        )
    items.sort(key=lambda i: (-i["impressions"], -i["top1"], -i["clicks"], i["article_id"]))
    return {"items": items[:limit], "total": len(items)}
