from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kb_service.deps import AgentKB, EditorKB, KbAccess
from kb_service.message_lane import in_message_slot
from kb_service.schemas.search import SearchRequest
from kb_service.services import search as search_service
from kb_service.services.query_log import record_search

router = APIRouter(prefix="/v1/kbs/{kb}", tags=["search"])


@router.post("/search")
async def search(body: SearchRequest, access: AgentKB, request: Request) -> dict[str, Any]:
    """Hybrid search for agents; the response's query_id is logged and valid for feedback at once."""
    request.app.state.rate_limiter.charge_message(access.principal, body.message_chars())
    return await in_message_slot(request, body.message_chars(), _search, body, access, request)


def _search(body: SearchRequest, access: KbAccess, request: Request) -> dict[str, Any]:
    state = request.app.state
    response = search_service.search(state.index, access.kb.slug, body)
    request.state.query_id = response["query_id"]  # for the request log line
    record_search(state.query_log, kb=access.kb, role=access.principal.role, request=body, response=response)
    return response


@router.get("/index")
def index_status(access: EditorKB, request: Request) -> dict[str, Any]:
    return request.app.state.index.status(access.kb.slug)  # type: ignore[no-any-return]


@router.post("/index/rebuild", status_code=202)
def rebuild(access: EditorKB, request: Request) -> dict[str, Any]:
    started = request.app.state.index.rebuild(access.kb.slug)
    return {"kb": access.kb.slug, "started": started, "queued": not started}
