"""Articles: create, read, list, update with optimistic concurrency, status changes, versions."""

from __future__ import annotations

from typing import Any

from sqlalchemy.orm.exc import StaleDataError
from sqlmodel import Session, select

from kb_service.auth import Actor, Principal
from kb_service.errors import Conflict, Forbidden, InvalidInput, NotFound
from kb_service.models import Article, ArticleVersion, KnowledgeBase, utcnow
from kb_service.schemas.articles import ArticleIn, ArticleUpdate
from kb_service.schemas.kbs import KbSettings
from kb_service.services import article_rules, audit
from kb_service.services.listener import IndexListener
from kb_service.settings import Settings

DOC_FIELDS = (
    "type",
    "external_id",
    "question",
    "similar_questions",
    "answer",
    "channel_answers",
    "title",
    "body",
    "category",
    "products",
    "tags",
    "valid_from",
    "valid_to",
)


def doc_of(row: Article) -> dict[str, Any]:
    """The editable content of a stored article as one flat dict (API field names)."""
    doc: dict[str, Any] = {
        "type": row.type,
        "external_id": row.external_id,
        "category": row.category,
        "products": list(row.products),
        "tags": list(row.tags),
        "valid_from": article_rules.as_utc(row.valid_from),
        "valid_to": article_rules.as_utc(row.valid_to),
    }
    if row.type == "faq":
        doc.update(
            question=row.title,
            similar_questions=list(row.content.get("similar_questions", [])),
            answer=row.content.get("answer", ""),
            channel_answers=dict(row.content.get("channel_answers", {})),
        )
    else:
        doc.update(title=row.title, body=row.content.get("body", ""))
    return doc


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


def article_out(row: Article, kb_slug: str) -> dict[str, Any]:
    out = {k: _iso(v) for k, v in doc_of(row).items()}
    out.update(
        id=row.id,
        kb=kb_slug,
        status=row.status,
        version=row.version,
        review_requested=row.review_requested,
        created_at=_iso(article_rules.as_utc(row.created_at)),
        updated_at=_iso(article_rules.as_utc(row.updated_at)),
        created_by=row.created_by,
        updated_by=row.updated_by,
    )
    return out


def kb_settings(kb: KnowledgeBase) -> KbSettings:
    return KbSettings.model_validate(kb.settings)


def validated_doc(doc: dict[str, Any], limits: Settings, kb: KnowledgeBase) -> dict[str, Any]:
    doc = article_rules.normalise(doc)
    problems = article_rules.check(doc, limits, kb_settings(kb))
    if problems:
        summary = "; ".join(f"{p.field}: {p.message}" for p in problems[:5])
        raise InvalidInput(f"invalid article: {summary}", [p.as_detail() for p in problems])
    return doc


def _apply(row: Article, doc: dict[str, Any]) -> None:
    row.type = doc["type"]
    row.external_id = doc.get("external_id")
    row.category = doc.get("category")
    row.products, row.tags = doc["products"], doc["tags"]
    row.valid_from, row.valid_to = doc.get("valid_from"), doc.get("valid_to")
    if doc["type"] == "faq":
        row.title = doc["question"]
        row.content = {
            "similar_questions": doc["similar_questions"],
            "answer": doc["answer"],
            "channel_answers": doc["channel_answers"],
        }
    else:
        row.title = doc["title"]
        row.content = {"body": doc["body"]}


def save_version(session: Session, row: Article, action: str, actor: Actor) -> None:
    """Write the row and keep a full copy of it as a new version."""
    row.updated_at, row.updated_by = utcnow(), actor.name
    session.add(row)
    article_id, edited = row.id, row.version - 1
    try:
        session.flush()
    except StaleDataError as exc:  # another save of the same version committed first
        session.rollback()
        raise Conflict(
            f"article {article_id} was changed by someone else while this change to version {edited} "
            "was being saved; reload it and apply the change again",
            [{"field": "version", "message": "changed concurrently"}],
        ) from exc
    assert row.id is not None
    snapshot = {k: _iso(v) for k, v in doc_of(row).items()}
    snapshot["status"] = row.status
    session.add(
        ArticleVersion(
            article_id=row.id, version=row.version, action=action, snapshot=snapshot, created_by=actor.name
        )
    )
    audit.record(session, actor, action, "article", row.id, kb_id=row.kb_id, version=row.version)


def ensure_unique(session: Session, kb: KnowledgeBase, doc: dict[str, Any], own_id: int | None) -> None:
    """external_id is unique in a KB (archived included); an FAQ question is unique among live FAQs."""
    if doc.get("external_id"):
        query = select(Article).where(Article.kb_id == kb.id, Article.external_id == doc["external_id"])
        _raise_if_other(session.exec(query).first(), own_id, "external_id")
    if doc["type"] == "faq":
        query = select(Article).where(
            Article.kb_id == kb.id,
            Article.type == "faq",
            Article.status != "archived",
            Article.title == doc["question"],
        )
        _raise_if_other(session.exec(query).first(), own_id, "question")


def _raise_if_other(other: Article | None, own_id: int | None, field: str) -> None:
    if other is not None and other.id != own_id:
        raise Conflict(
            f"article {other.id} already has this {field}", [{"field": field, "article_id": other.id}]
        )


def check_publish_allowed(kb: KnowledgeBase, actor: Principal) -> None:
    if kb_settings(kb).require_review and not actor.has_role("admin"):
        raise Forbidden("this knowledge base requires review: submit the article; an admin publishes it")


def new_article(
    session: Session, kb: KnowledgeBase, doc: dict[str, Any], status: str, actor: Actor
) -> Article:
    assert kb.id is not None
    row = Article(kb_id=kb.id, type=doc["type"], title="", status=status, created_by=actor.name)
    _apply(row, doc)
    save_version(session, row, "create", actor)
    return row


def create_article(
    session: Session,
    kb: KnowledgeBase,
    data: ArticleIn,
    actor: Principal,
    limits: Settings,
    listener: IndexListener,
) -> Article:
    raw = data.model_dump(exclude={"status"})
    raw["type"] = data.type or ("guide" if data.title and not data.question else "faq")
    doc = validated_doc(raw, limits, kb)
    status = data.status or "draft"
    if status == "published":
        check_publish_allowed(kb, actor)
    ensure_unique(session, kb, doc, None)
    row = new_article(session, kb, doc, status, actor.actor)
    session.commit()
    if status == "published":
        listener.articles_changed(kb.slug, [row.id or 0])
    return row


def get_row(session: Session, kb: KnowledgeBase, article_id: int, actor: Principal | None = None) -> Article:
    row = session.get(Article, article_id)
    if row is None or row.kb_id != kb.id:
        raise NotFound(f"article {article_id} not found in knowledge base '{kb.slug}'")
    if actor is not None and not actor.has_role("editor") and row.status != "published":
        raise NotFound(f"article {article_id} not found in knowledge base '{kb.slug}'")
    return row


def get_row_at(session: Session, kb: KnowledgeBase, article_id: int, version: int | None) -> Article:
    """The article, checked against the version the caller edited (None: no check)."""
    row = get_row(session, kb, article_id)
    if version is not None:
        check_version(row, version)
    return row


def check_version(row: Article, version: int) -> None:
    if version != row.version:
        raise Conflict(
            f"article {row.id} is at version {row.version}, but this change was made to version "
            f"{version}; reload it and apply the change again",
            [{"field": "version", "current_version": row.version}],
        )


def update_article(
    session: Session,
    kb: KnowledgeBase,
    article_id: int,
    data: ArticleUpdate,
    actor: Principal,
    limits: Settings,
    listener: IndexListener,
) -> Article:
    row = get_row_at(session, kb, article_id, data.version)
    changes = data.model_dump(exclude_unset=True, exclude={"version", "status"})
    if "type" in changes and changes["type"] != row.type:
        raise InvalidInput(
            "the type of an article cannot change", [{"field": "type", "message": "cannot change"}]
        )
    doc = validated_doc({**doc_of(row), **changes}, limits, kb)
    if data.status is not None and data.status != row.status:
        raise InvalidInput(
            "change status with /publish, /unpublish or DELETE, not with an update",
            [{"field": "status", "message": "use the status endpoints"}],
        )
    return save_edit(session, kb, row, doc, "update", actor.actor, listener)


def save_edit(
    session: Session,
    kb: KnowledgeBase,
    row: Article,
    doc: dict[str, Any],
    action: str,
    actor: Actor,
    listener: IndexListener,
) -> Article:
    """Store new content as the next version and tell the index when the article is live."""
    ensure_unique(session, kb, doc, row.id)
    _apply(row, doc)
    row.version += 1
    save_version(session, row, action, actor)
    session.commit()
    if row.status == "published":
        listener.articles_changed(kb.slug, [row.id or 0])
    return row


TRANSITIONS = {
    "publish": ("published", {"draft", "archived"}),
    "unpublish": ("draft", {"published"}),
    "archive": ("archived", {"draft", "published"}),
    "submit": ("draft", {"draft"}),
}


def change_status(
    session: Session,
    kb: KnowledgeBase,
    article_id: int,
    action: str,
    actor: Principal,
    listener: IndexListener,
    version: int | None = None,
) -> Article:
    row = get_row_at(session, kb, article_id, version)
    target, allowed_from = TRANSITIONS[action]
    if row.status not in allowed_from:
        raise Conflict(f"cannot {action} article {article_id}: it is {row.status}")
    if action == "publish":
        check_publish_allowed(kb, actor)
        ensure_unique(session, kb, doc_of(row), row.id)
    was_live = row.status == "published"
    row.status, row.review_requested = target, action == "submit"
    row.version += 1
    save_version(session, row, action, actor.actor)
    session.commit()
    if was_live or target == "published":
        listener.articles_changed(kb.slug, [article_id])
    return row
