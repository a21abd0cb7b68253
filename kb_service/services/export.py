"""Export a whole KB (articles and product catalogue) as JSONL or XLSX; both import back unchanged."""

from __future__ import annotations

from sqlmodel import Session, col, select

from kb_service.importing import articles_to_jsonl, articles_to_xlsx
from kb_service.models import Article, KnowledgeBase
from kb_service.services.articles import article_out
from kb_service.services.catalogue import get_catalogue

MEDIA_TYPES = {
    "jsonl": "application/x-ndjson",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def export_kb(session: Session, kb: KnowledgeBase, fmt: str) -> bytes:
    rows = session.exec(select(Article).where(Article.kb_id == kb.id).order_by(col(Article.id))).all()
    items = [article_out(row, kb.slug) for row in rows]
    # an empty catalogue is left out, so importing the export elsewhere keeps that KB's catalogue
    products = get_catalogue(kb) if kb.catalogue else None
    return articles_to_jsonl(items, products) if fmt == "jsonl" else articles_to_xlsx(items, products)
