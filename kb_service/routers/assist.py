from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from indexer.ranking import Hit
from kb_service.deps import AgentKB, BotKB, KbAccess
from kb_service.message_lane import in_message_slot
from kb_service.schemas.assist import AnswerRequest, SuggestRequest
from kb_service.services import answer as answer_service
from kb_service.services import kbs
from kb_service.services import suggest as suggest_service
from kb_service.services.query_log import QueryLogEntry

router = APIRouter(prefix="/v1/kbs/{kb}", tags=["assist"])


@router.post("/answer")
async def answer(body: AnswerRequest, access: BotKB, request: Request) -> dict[str, Any]:
    """Bot answer lookup: one answer with a calibrated confidence, a clarifying question, or a handoff."""
    request.app.state.rate_limiter.charge_message(access.principal, body.message_chars())
    return await in_message_slot(request, body.message_chars(), _answer, body, access, request)


@router.post("/suggest")
async def suggest(body: SuggestRequest, access: AgentKB, request: Request) -> dict[str, Any]:
    """Agent assist: ranked articles, ready-to-send replies, routing queue and customer sentiment."""
    request.app.state.rate_limiter.charge_message(access.principal, body.message_chars())
    return await in_message_slot(request, body.message_chars(), _suggest, body, access, request)


def _answer(body: AnswerRequest, access: KbAccess, request: Request) -> dict[str, Any]:
    state = request.app.state
    response, hits = answer_service.answer(
        indexes=state.index,
        sessions=state.sessions,
        kb=access.kb.slug,
        settings=kbs.get_settings(access.kb),
        request=body,
    )
    _log(request, access, "answer", body.query, body.channel, response, hits)
    return response


def _suggest(body: SuggestRequest, access: KbAccess, request: Request) -> dict[str, Any]:
    response, hits, query = suggest_service.suggest(
        indexes=request.app.state.index, kb=access.kb.slug, settings=kbs.get_settings(access.kb), request=body
    )
    _log(request, access, "suggest", query, body.channel, response, hits)
    return response


def _log(
    request: Request,
    access: KbAccess,
    endpoint: str,
    query: str,
    channel: str,
    response: dict[str, Any],
    hits: list[Hit],
) -> None:
    assert access.kb.id is not None
    request.state.query_id = response["query_id"]  # for the request log line
    request.app.state.query_log.record(
        QueryLogEntry(
            id=response["query_id"],
            kb_id=access.kb.id,
            endpoint=endpoint,
            role=access.principal.role,
            query=query or "",
            channel=channel,
            decision=response.get("decision"),
            top_article_ids=[h.article_id for h in hits],
            top_scores=[h.score for h in hits],
            confidence=response.get("confidence"),
            latency_ms=response["took_ms"],
            degraded=response["degraded"],
        )
    )
