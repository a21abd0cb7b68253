"""Knowledge bases, their settings and their dictionaries."""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from sqlalchemy import update
from sqlmodel import Session, col, select

from kb_service.auth import Actor, Principal
from kb_service.errors import Conflict, Forbidden, InvalidInput, NotFound, stale_version
from kb_service.errors import validation_details as _details
from kb_service.models import KnowledgeBase, utcnow
from kb_service.schemas.dictionary import Dictionary
from kb_service.schemas.kbs import CONTENT_FIELDS, KbCreate, KbSettings
from kb_service.services import audit
from kb_service.services.listener import IndexListener

DEFAULT_KB = "default"


def kb_out(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "slug": kb.slug,
        "name": kb.name,
        "language": kb.language,
        "created_at": kb.created_at.isoformat(),
    }


def get_kb(session: Session, slug: str) -> KnowledgeBase:
    kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == slug)).first()
    if kb is None:
        raise NotFound(f"knowledge base '{slug}' not found")
    return kb


def list_kbs(session: Session, actor: Principal) -> list[KnowledgeBase]:
    rows = session.exec(select(KnowledgeBase).order_by(col(KnowledgeBase.id))).all()
    return [kb for kb in rows if actor.can_access(kb.slug)]


def create_kb(session: Session, data: KbCreate, actor: Actor) -> KnowledgeBase:
    if session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == data.slug)).first():
        raise Conflict(f"knowledge base '{data.slug}' already exists")
    settings = KbSettings(language=data.language).model_dump()
    kb = KnowledgeBase(slug=data.slug, name=data.name, language=data.language, settings=settings)
    session.add(kb)
    session.flush()
    audit.record(session, actor, "create", "kb", data.slug, kb_id=kb.id)
    session.commit()
    return kb


def get_settings(kb: KnowledgeBase) -> KbSettings:
    return KbSettings.model_validate(kb.settings)


def check_settings_role(principal: Principal, changes: dict[str, Any]) -> None:
    """Editors may change the texts customers read (`CONTENT_FIELDS`); the rest needs an admin key."""
    admin_only = sorted(set(changes) - CONTENT_FIELDS)
    if admin_only and not principal.has_role("admin"):
        raise Forbidden(
            f"only admins may change {', '.join(admin_only)}; "
            f"editors may change {', '.join(sorted(CONTENT_FIELDS))}",
            [{"field": name, "message": "admin only"} for name in admin_only],
        )


def update_settings(session: Session, kb: KnowledgeBase, changes: dict[str, Any], actor: Actor) -> KbSettings:
    """Merge the sent fields over the current settings and validate the whole."""
    try:
        merged = KbSettings.model_validate({**kb.settings, **changes})
    except ValidationError as exc:
        details = _details(exc.errors())
        raise InvalidInput("invalid settings: " + "; ".join(d["message"] for d in details), details) from exc
    kb.settings = merged.model_dump()
    kb.language = merged.language
    kb.updated_at = utcnow()
    session.add(kb)
    audit.record(session, actor, "update_settings", "kb", kb.slug, kb_id=kb.id, fields=sorted(changes))
    session.commit()
    return merged


def get_dictionary(kb: KnowledgeBase) -> dict[str, Any]:
    return {
        "user_words": list(kb.user_words),
        "synonyms": [list(g) for g in kb.synonyms],
        "version": kb.dictionary_version,
    }


def put_dictionary(
    session: Session, kb: KnowledgeBase, data: Dictionary, actor: Actor, listener: IndexListener
) -> dict[str, Any]:
    """Replace the dictionary. `data.version` (the version the edit started from) must still be the
    current one: otherwise another editor saved in between, and their words would be lost."""
    based_on = kb.dictionary_version if data.version is None else data.version
    if based_on != kb.dictionary_version:
        raise _dictionary_conflict(kb, based_on)
    # compare-and-set: a save that commits between reading the row and here makes this one match nothing
    saved = session.connection().execute(
        update(KnowledgeBase)
        .where(col(KnowledgeBase.id) == kb.id, col(KnowledgeBase.dictionary_version) == based_on)
        .values(
            user_words=data.user_words,
            synonyms=data.synonyms,
            dictionary_version=based_on + 1,
            updated_at=utcnow(),
        )
    )
    if saved.rowcount != 1:
        session.rollback()
        session.refresh(kb)
        raise _dictionary_conflict(kb, based_on)
    audit.record(
        session,
        actor,
        "update_dictionary",
        "kb",
        kb.slug,
        kb_id=kb.id,
        user_words=len(data.user_words),
        synonym_groups=len(data.synonyms),
    )
    session.commit()
    session.refresh(kb)
    listener.dictionary_changed(kb.slug)
    return get_dictionary(kb)


def _dictionary_conflict(kb: KnowledgeBase, based_on: int) -> Conflict:
    return stale_version(f"the dictionary of '{kb.slug}'", kb.dictionary_version, based_on)


def ensure_default_kb(session: Session) -> KnowledgeBase:
    kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == DEFAULT_KB)).first()
    if kb is not None:
        return kb
    return create_kb(session, KbCreate(slug=DEFAULT_KB, name="Default knowledge base"), Actor("system"))
