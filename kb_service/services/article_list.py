"""Listing articles with filters (type, status, category, product, tag, text) and pagination."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import String, cast, func, or_
from sqlmodel import Session, col, select

from kb_service.auth import Principal
from kb_service.models import Article, KnowledgeBase


def list_articles(
    session: Session, kb: KnowledgeBase, actor: Principal, filters: dict[str, Any], limit: int, offset: int
) -> tuple[list[Article], int]:
    query = select(Article).where(Article.kb_id == kb.id)
    status: str | None = filters.get("status")
    if not actor.has_role("editor"):
        status = "published" if status in (None, "published") else "__none__"
    for column, key in ((Article.type, "type"), (Article.category, "category")):
        if filters.get(key):
            query = query.where(column == filters[key])
    if status:
        query = query.where(Article.status == status)
    if filters.get("review_requested") is not None:
        query = query.where(Article.review_requested == filters["review_requested"])
    for json_column, key in ((Article.products, "product"), (Article.tags, "tag")):
        if filters.get(key):
            needle = json.dumps(filters[key], ensure_ascii=False)  # the value as stored inside the JSON list
            query = query.where(cast(json_column, String).contains(needle, autoescape=True))
    if filters.get("q"):
        text = filters["q"]
        query = query.where(
            or_(
                col(Article.title).contains(text, autoescape=True),
                cast(Article.content, String).contains(text, autoescape=True),
            )
        )
    total = session.exec(select(func.count()).select_from(query.subquery())).one()
    rows = session.exec(
        query.order_by(col(Article.updated_at).desc(), col(Article.id).desc()).offset(offset).limit(limit)
    ).all()
    return list(rows), int(total)
