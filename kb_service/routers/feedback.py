from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request

from kb_service.deps import BotKB, SessionDep
from kb_service.schemas.feedback import FeedbackIn
from kb_service.services import feedback
from kb_service.services.query_log import QueryLogWriter

router = APIRouter(prefix="/v1/kbs/{kb}", tags=["feedback"])


def get_query_log(request: Request) -> QueryLogWriter:
    return request.app.state.query_log  # type: ignore[no-any-return]


QueryLogDep = Annotated[QueryLogWriter, Depends(get_query_log)]


@router.post("/feedback", status_code=201)
def post_feedback(
    data: FeedbackIn, access: BotKB, session: SessionDep, query_log: QueryLogDep
) -> dict[str, Any]:
    """Record a click / used / helpful / not_helpful / resolved / handoff event for a query_id."""
    row = feedback.add_feedback(session, kb=access.kb, data=data, actor=access.principal, query_log=query_log)
    return feedback.feedback_out(row, access.kb.slug)
