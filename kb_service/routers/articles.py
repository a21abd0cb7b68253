from __future__ import annotations

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Body, Query

from kb_service.deps import AgentKB, BotKB, EditorKB, IndexDep, SessionDep, SettingsDep
from kb_service.schemas.articles import ArticleIn, ArticleUpdate, VersionRef
from kb_service.services import article_list, articles, versions

router = APIRouter(prefix="/v1/kbs/{kb}/articles", tags=["articles"])
OptionalVersion = Annotated[VersionRef | None, Body()]


@router.get("")
def list_articles(
    access: AgentKB,
    session: SessionDep,
    type: Literal["faq", "guide"] | None = None,
    status: Literal["draft", "published", "archived"] | None = None,
    category: str | None = None,
    product: str | None = None,
    tag: str | None = None,
    q: Annotated[str | None, Query(max_length=200)] = None,
    review_requested: bool | None = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> dict[str, Any]:
    filters = {
        "type": type,
        "status": status,
        "category": category,
        "product": product,
        "tag": tag,
        "q": q,
        "review_requested": review_requested,
    }
    rows, total = article_list.list_articles(session, access.kb, access.principal, filters, limit, offset)
    return {"items": [articles.article_out(r, access.kb.slug) for r in rows], "total": total}


@router.post("", status_code=201)
def create_article(
    data: ArticleIn, access: EditorKB, session: SessionDep, settings: SettingsDep, index: IndexDep
) -> dict[str, Any]:
    row = articles.create_article(session, access.kb, data, access.principal, settings, index)
    return articles.article_out(row, access.kb.slug)


@router.get("/{article_id}")
def get_article(article_id: int, access: BotKB, session: SessionDep) -> dict[str, Any]:
    row = articles.get_row(session, access.kb, article_id, access.principal)
    return articles.article_out(row, access.kb.slug)


@router.put("/{article_id}")
def update_article(
    article_id: int,
    data: ArticleUpdate,
    access: EditorKB,
    session: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
) -> dict[str, Any]:
    row = articles.update_article(session, access.kb, article_id, data, access.principal, settings, index)
    return articles.article_out(row, access.kb.slug)


def _status_change(
    action: str,
    article_id: int,
    access: EditorKB,
    session: SessionDep,
    index: IndexDep,
    body: VersionRef | None,
) -> dict[str, Any]:
    version = body.version if body else None
    row = articles.change_status(session, access.kb, article_id, action, access.principal, index, version)
    return articles.article_out(row, access.kb.slug)


@router.delete("/{article_id}")
def archive_article(
    article_id: int, access: EditorKB, session: SessionDep, index: IndexDep
) -> dict[str, Any]:
    return _status_change("archive", article_id, access, session, index, None)


@router.post("/{article_id}/publish")
def publish(
    article_id: int, access: EditorKB, session: SessionDep, index: IndexDep, body: OptionalVersion = None
) -> dict[str, Any]:
    return _status_change("publish", article_id, access, session, index, body)


@router.post("/{article_id}/unpublish")
def unpublish(
    article_id: int, access: EditorKB, session: SessionDep, index: IndexDep, body: OptionalVersion = None
) -> dict[str, Any]:
    return _status_change("unpublish", article_id, access, session, index, body)


@router.post("/{article_id}/submit")
def submit(
    article_id: int, access: EditorKB, session: SessionDep, index: IndexDep, body: OptionalVersion = None
) -> dict[str, Any]:
    return _status_change("submit", article_id, access, session, index, body)


@router.get("/{article_id}/versions")
def list_versions(article_id: int, access: EditorKB, session: SessionDep) -> dict[str, Any]:
    rows = versions.list_versions(session, access.kb, article_id)
    items = [
        {
            "version": v.version,
            "action": v.action,
            "created_at": v.created_at.isoformat(),
            "created_by": v.created_by,
            "article": v.snapshot,
        }
        for v in rows
    ]
    return {"items": items, "total": len(items)}


@router.post("/{article_id}/versions/{number}/restore")
def restore_version(
    article_id: int,
    number: int,
    access: EditorKB,
    session: SessionDep,
    settings: SettingsDep,
    index: IndexDep,
    body: OptionalVersion = None,
) -> dict[str, Any]:
    version = body.version if body else None
    row = versions.restore_version(
        session, access.kb, article_id, number, access.principal, settings, index, version
    )
    return articles.article_out(row, access.kb.slug)
