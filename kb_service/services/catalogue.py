"""A KB's product catalogue: read it, and replace it with a compare-and-set on its version."""

from __future__ import annotations

from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col

from kb_service.auth import Actor
from kb_service.errors import Conflict, InvalidInput, stale_version
from kb_service.models import KnowledgeBase, utcnow
from kb_service.schemas.catalogue import Catalogue, Product, conflicts
from kb_service.services import audit
from kb_service.services.listener import IndexListener


def get_catalogue(kb: KnowledgeBase) -> dict[str, Any]:
    return {"version": kb.catalogue_version, "products": [dict(p) for p in kb.catalogue]}


def stored(products: list[Product]) -> list[dict[str, Any]]:
    """The JSON column's form of validated products."""
    return [p.model_dump() for p in products]


def check(products: list[Product]) -> None:
    """Refuse names and aliases that would resolve to two different products (422, each field named)."""
    problems = conflicts(products)
    if problems:
        first = problems[0]["message"]
        more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
        raise InvalidInput(f"invalid catalogue: {first}{more}", problems)


def replace(
    session: Session, kb: KnowledgeBase, products: list[Product], based_on: int, actor: Actor
) -> None:
    """Write `products` as version `based_on + 1` if the stored version is still `based_on`, and record
    it in the audit trail; the caller commits. Raises Conflict (after a rollback) when it is not."""
    if based_on != kb.catalogue_version:
        raise _conflict(kb, based_on)
    # compare-and-set: a save that commits between reading the row and here makes this one match nothing
    saved = session.connection().execute(
        update(KnowledgeBase)
        .where(col(KnowledgeBase.id) == kb.id, col(KnowledgeBase.catalogue_version) == based_on)
        .values(catalogue=stored(products), catalogue_version=based_on + 1, updated_at=utcnow())
    )
    if saved.rowcount != 1:
        session.rollback()
        session.refresh(kb)
        raise _conflict(kb, based_on)
    aliases = sum(len(p.aliases) for p in products)
    audit.record(
        session,
        actor,
        "update_catalogue",
        "kb",
        kb.slug,
        kb_id=kb.id,
        products=len(products),
        aliases=aliases,
    )


def put_catalogue(
    session: Session, kb: KnowledgeBase, data: Catalogue, actor: Actor, listener: IndexListener
) -> dict[str, Any]:
    """Replace the catalogue. `data.version` (the version the edit started from) must still be the
    current one: otherwise another editor saved in between, and their products would be lost."""
    check(data.products)
    replace(session, kb, data.products, kb.catalogue_version if data.version is None else data.version, actor)
    session.commit()
    session.refresh(kb)
    listener.dictionary_changed(kb.slug)  # the catalogue's words reach the tokenizer: a rebuild, as for words
    return get_catalogue(kb)


def _conflict(kb: KnowledgeBase, based_on: int) -> Conflict:
    return stale_version(f"the catalogue of '{kb.slug}'", kb.catalogue_version, based_on)
