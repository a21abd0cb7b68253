"""Retention: query log and feedback rows older than each KB's `log_retention_days` are deleted."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete
from sqlmodel import Session, col, select

from kb_service.models import Feedback, KnowledgeBase, QueryLog, utcnow
from kb_service.schemas.kbs import KbSettings


def _retention_days(kb: KnowledgeBase) -> int:
    days = kb.settings.get("log_retention_days", KbSettings().log_retention_days)
    return int(days) if isinstance(days, int | float) and days >= 1 else KbSettings().log_retention_days


def purge_expired(session: Session, now: datetime | None = None) -> dict[str, int]:
    """Delete expired rows of every KB in one transaction; returns how many rows went, per table."""
    now = now or utcnow()
    removed = {"query_log": 0, "feedback": 0}
    connection = session.connection()
    for kb in session.exec(select(KnowledgeBase)).all():
        cutoff = now - timedelta(days=_retention_days(kb))
        logs = delete(QueryLog).where(col(QueryLog.kb_id) == kb.id, col(QueryLog.created_at) < cutoff)
        removed["query_log"] += connection.execute(logs).rowcount
        events = delete(Feedback).where(col(Feedback.kb_id) == kb.id, col(Feedback.created_at) < cutoff)
        removed["feedback"] += connection.execute(events).rowcount
    session.commit()
    return removed
