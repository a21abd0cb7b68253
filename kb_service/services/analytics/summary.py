"""Daily volumes by channel and endpoint, decision rates, latency percentiles, feedback and degraded rate."""

from __future__ import annotations

from collections import Counter
from datetime import datetime
from typing import Any

import numpy as np
from sqlalchemy import case, func
from sqlalchemy import select as sa_select  # sqlmodel's select is typed for up to 4 columns
from sqlmodel import Session, col, select

from kb_service.models import Feedback, KnowledgeBase, QueryLog
from kb_service.services.analytics.window import rate, utc_day, window

DECISIONS = ("answer", "clarify", "handoff")
LATENCY_SAMPLE = 200_000  # percentiles over at most the latest this many queries of the window
NO_CHANNEL = "unknown"


def _groups(
    session: Session, kb_id: int, start: datetime
) -> list[tuple[str, str, str, str | None, int, int]]:
    """(day, channel, endpoint, decision, count, degraded count) for every combination seen."""
    inner = (
        sa_select(
            utc_day(session, QueryLog.created_at).label("day"),
            col(QueryLog.channel).label("channel"),
            col(QueryLog.endpoint).label("endpoint"),
            col(QueryLog.decision).label("decision"),
            case((col(QueryLog.degraded), 1), else_=0).label("degraded"),
        )
        .where(col(QueryLog.kb_id) == kb_id, col(QueryLog.created_at) >= start)
        .subquery()
    )
    c = inner.c
    stmt = sa_select(c.day, c.channel, c.endpoint, c.decision, func.count(), func.sum(c.degraded)).group_by(
        c.day, c.channel, c.endpoint, c.decision
    )
    return [
        (str(day), channel or NO_CHANNEL, endpoint, decision, int(n), int(degraded or 0))
        for day, channel, endpoint, decision, n, degraded in session.execute(stmt).all()
    ]


def _percentiles(session: Session, kb_id: int, start: datetime) -> tuple[float | None, float | None]:
    stmt = (
        select(QueryLog.latency_ms)
        .where(QueryLog.kb_id == kb_id, col(QueryLog.created_at) >= start)
        .order_by(col(QueryLog.created_at).desc())
        .limit(LATENCY_SAMPLE)
    )
    latencies = np.asarray(session.exec(stmt).all(), dtype=np.float64)
    if latencies.size == 0:
        return None, None
    p50, p95 = np.percentile(latencies, [50, 95])  # linear interpolation between ranks
    return round(float(p50), 2), round(float(p95), 2)


def _feedback_counts(session: Session, kb_id: int, start: datetime) -> Counter[str]:
    stmt = (
        select(Feedback.event, func.count())
        .where(Feedback.kb_id == kb_id, col(Feedback.created_at) >= start)
        .group_by(Feedback.event)
    )
    return Counter({event: int(n) for event, n in session.exec(stmt).all()})


def _day(date_text: str) -> dict[str, Any]:
    return {"date": date_text, "total": 0, "by_channel": {}, "by_endpoint": {}} | dict.fromkeys(DECISIONS, 0)


def summary(session: Session, kb: KnowledgeBase, *, days: int, now: datetime | None = None) -> dict[str, Any]:
    """Per-day counts and window totals; rates are null when their denominator is zero."""
    assert kb.id is not None
    start, dates = window(days, now)
    per_day = {d.isoformat(): _day(d.isoformat()) for d in dates}
    total = degraded = 0
    decided: Counter[str] = Counter()  # answer-endpoint rows by decision
    for day_text, channel, endpoint, decision, n, n_degraded in _groups(session, kb.id, start):
        day = per_day.get(day_text)
        if day is None:  # a clock a little ahead of ours
            continue
        day["total"] += n
        day["by_channel"][channel] = day["by_channel"].get(channel, 0) + n
        day["by_endpoint"][endpoint] = day["by_endpoint"].get(endpoint, 0) + n
        if decision in DECISIONS:
            day[decision] += n
            if endpoint == "answer":
                decided[decision] += n
        total, degraded = total + n, degraded + n_degraded
    p50, p95 = _percentiles(session, kb.id, start)
    events = _feedback_counts(session, kb.id, start)
    answered = sum(decided.values())
    totals = {
        "queries": total,
        "answer_rate": rate(decided["answer"], answered),
        "clarify_rate": rate(decided["clarify"], answered),
        "handoff_rate": rate(decided["handoff"], answered),
        "p50_latency_ms": p50,
        "p95_latency_ms": p95,
        "helpful_rate": rate(events["helpful"], events["helpful"] + events["not_helpful"]),
        "degraded_rate": rate(degraded, total),
        "feedback": {event: events[event] for event in sorted(events)},
    }
    return {"days": list(per_day.values()), "totals": totals}
