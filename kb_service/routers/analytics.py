from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

from kb_service.deps import EditorKB, SessionDep
from kb_service.services import analytics

router = APIRouter(prefix="/v1/kbs/{kb}/analytics", tags=["analytics"])
Days = Annotated[int, Query(ge=1, le=365, description="whole UTC days ending today")]


@router.get("/summary")
def summary(access: EditorKB, session: SessionDep, days: Days = 30) -> dict[str, Any]:
    """Daily volumes by channel and endpoint, decision rates, latency percentiles and feedback rates."""
    return analytics.summary(session, access.kb, days=days)


@router.get("/unanswered")
def unanswered(
    access: EditorKB, session: SessionDep, days: Days = 30, limit: Annotated[int, Query(ge=1, le=200)] = 20
) -> dict[str, Any]:
    """Clusters of questions that were handed off, clarified, low in confidence or rated not helpful."""
    return analytics.unanswered(session, access.kb, days=days, limit=limit)


@router.get("/articles")
def articles(
    access: EditorKB, session: SessionDep, days: Days = 30, limit: Annotated[int, Query(ge=1, le=500)] = 50
) -> dict[str, Any]:
    """Per-article impressions (top 3 places), first places, clicks, uses and feedback."""
    return analytics.article_usage(session, access.kb, days=days, limit=limit)
