"""Read published knowledge from the database in the indexer's `Article` shape."""

from __future__ import annotations

from sqlmodel import Session, col, select

from indexer.catalogue import CatalogueProduct
from indexer.documents import Article as IndexArticle
from indexer.lexicon import parse_user_word
from indexer.tokenizer import TokenizerConfig
from kb_service.models import Article, KnowledgeBase
from kb_service.schemas.catalogue import catalogue_key
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


def catalogue(kb: KnowledgeBase) -> tuple[CatalogueProduct, ...]:
    """The KB's product catalogue in the indexer's shape."""
    return tuple(
        CatalogueProduct(name=p["name"], series=p.get("series"), aliases=tuple(p.get("aliases") or ()))
        for p in kb.catalogue
    )


def catalogue_words(products: tuple[CatalogueProduct, ...], known: set[str]) -> list[str]:
    """Every product name, series and alias as a user word (lower-cased, spaces removed, as
    data/README.md writes model names), so "小新 Pro14" stays one token; words in `known` (the
    KB's own user words, which keep their frequency and tag) and repeats are left out."""
    words: list[str] = []
    seen = set(known)
    for product in products:
        for text in (product.name, product.series, *product.aliases):
            word = catalogue_key(text) if text else ""
            if word and word not in seen:
                seen.add(word)
                words.append(word)
    return words


def tokenizer_config(kb: KnowledgeBase, base: TokenizerConfig) -> TokenizerConfig:
    """The KB's dictionary and product catalogue on top of the service-wide tokenizer defaults."""
    own = tuple(kb.user_words)
    parsed = (parse_user_word(line) for line in own)
    known = {w.word.replace(" ", "") for w in parsed if w is not None}
    return TokenizerConfig(
        user_words=own + tuple(catalogue_words(catalogue(kb), known)),
        synonyms=tuple(tuple(g) for g in kb.synonyms),
        char_ngrams=base.char_ngrams,
        search_mode=base.search_mode,
        stopwords=base.stopwords,
    )
