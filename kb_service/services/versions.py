"""Article history: list the saved versions, restore one as a new version."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb_service.auth import Principal
from kb_service.errors import NotFound
from kb_service.models import Article, ArticleVersion, KnowledgeBase
from kb_service.schemas.articles import ArticleIn
from kb_service.services.articles import DOC_FIELDS, get_row, get_row_at, save_edit, validated_doc
from kb_service.services.listener import IndexListener
from kb_service.settings import Settings


def list_versions(session: Session, kb: KnowledgeBase, article_id: int) -> list[ArticleVersion]:
    get_row(session, kb, article_id)
    query = select(ArticleVersion).where(ArticleVersion.article_id == article_id)
    return list(session.exec(query.order_by(col(ArticleVersion.version).desc())))


def restore_version(
    session: Session,
    kb: KnowledgeBase,
    article_id: int,
    number: int,
    actor: Principal,
    limits: Settings,
    listener: IndexListener,
    version: int | None = None,
) -> Article:
    row = get_row_at(session, kb, article_id, version)
    old = session.exec(
        select(ArticleVersion).where(
            ArticleVersion.article_id == article_id, ArticleVersion.version == number
        )
    ).first()
    if old is None:
        raise NotFound(f"article {article_id} has no version {number}")
    content = {k: old.snapshot.get(k) for k in DOC_FIELDS if k in old.snapshot}
    doc = validated_doc(ArticleIn.model_validate(content).model_dump() | {"type": row.type}, limits, kb)
    return save_edit(session, kb, row, doc, f"restore:{number}", actor.actor, listener)
