"""Read published knowledge from the database in the indexer's `Article` shape."""

from __future__ import annotations

from sqlmodel import Session, col, select

from indexer.documents import Article as IndexArticle
from indexer.tokenizer import TokenizerConfig
from kb_service.models import Article, KnowledgeBase
from kb_service.services.articles import doc_of


def to_index_article(row: Article) -> IndexArticle:
    doc = doc_of(row)
    assert row.id is not None
    common = {
        "id": row.id,
        "type": row.type,
        "category": row.category,
        "products": tuple(row.products),
        "tags": tuple(row.tags),
        "valid_from": doc["valid_from"],
        "valid_to": doc["valid_to"],
        "version": row.version,
    }
    if row.type == "faq":
        return IndexArticle(
            title=doc["question"],
            similar_questions=tuple(doc["similar_questions"]),
            answer=doc["answer"],
            channel_answers=dict(doc["channel_answers"]),
            **common,
        )
    return IndexArticle(title=doc["title"], body=doc["body"], **common)


def published(session: Session, kb: KnowledgeBase) -> list[IndexArticle]:
    rows = session.exec(
        select(Article).where(Article.kb_id == kb.id, Article.status == "published").order_by(col(Article.id))
    ).all()
    return [to_index_article(r) for r in rows]


def articles_by_id(session: Session, kb: KnowledgeBase, ids: list[int]) -> dict[int, Article]:
    rows = session.exec(select(Article).where(Article.kb_id == kb.id, col(Article.id).in_(ids))).all()
    return {r.id: r for r in rows if r.id is not None}


def tokenizer_config(kb: KnowledgeBase, base: TokenizerConfig) -> TokenizerConfig:
    """The KB's dictionary on top of the service-wide tokenizer defaults."""
    return TokenizerConfig(
        user_words=tuple(kb.user_words),
        synonyms=tuple(tuple(g) for g in kb.synonyms),
        char_ngrams=base.char_ngrams,
        search_mode=base.search_mode,
        stopwords=base.stopwords,
    )
