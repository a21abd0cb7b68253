from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kb_service.deps import AgentKB, EditorKB
from kb_service.schemas.search import SearchRequest
from kb_service.services import search as search_service

router = APIRouter(prefix="/v1/kbs/{kb}", tags=["search"])


@router.post("/search")
def search(body: SearchRequest, access: AgentKB, request: Request) -> dict[str, Any]:
    state = request.app.state
    return search_service.search(state.index, state.result_cache, access.kb.slug, body)


@router.get("/index")
def index_status(access: EditorKB, request: Request) -> dict[str, Any]:
    return request.app.state.index.status(access.kb.slug)  # type: ignore[no-any-return]


@router.post("/index/rebuild", status_code=202)
def rebuild(access: EditorKB, request: Request) -> dict[str, Any]:
    started = request.app.state.index.rebuild(access.kb.slug)
    return {"kb": access.kb.slug, "started": started, "queued": not started}
