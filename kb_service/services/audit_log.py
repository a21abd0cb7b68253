"""Reading the audit trail: filtered, newest first, limited to the KBs the admin may see."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import SelectOfScalar

from kb_service.auth import Principal
from kb_service.errors import Forbidden
from kb_service.models import AuditEvent, KnowledgeBase
from kb_service.services import article_rules
from kb_service.services.kbs import get_kb


@dataclass(frozen=True)
class AuditFilter:
    kb: str | None = None
    actor: str | None = None
    actor_key_id: int | None = None
    action: str | None = None
    target_type: str | None = None
    target_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


def _kb_ids(session: Session, principal: Principal, slug: str | None) -> list[int] | None:
    """The KB ids to show (None = all, events outside any KB included)."""
    if slug is not None:
        if not principal.can_access(slug):
            raise Forbidden(f"the key '{principal.name}' is not allowed to use knowledge base '{slug}'")
        return [get_kb(session, slug).id or 0]
    if principal.kbs is None:
        return None
    rows = session.exec(select(KnowledgeBase).where(col(KnowledgeBase.slug).in_(principal.kbs)))
    return [kb.id or 0 for kb in rows]


def _filtered(query: SelectOfScalar[Any], f: AuditFilter, kb_ids: list[int] | None) -> SelectOfScalar[Any]:
    if kb_ids is not None:
        query = query.where(col(AuditEvent.kb_id).in_(kb_ids))
    for column, value in (
        (AuditEvent.actor, f.actor),
        (AuditEvent.actor_key_id, f.actor_key_id),
        (AuditEvent.action, f.action),
        (AuditEvent.target_type, f.target_type),
        (AuditEvent.target_id, f.target_id),
    ):
        if value is not None:
            query = query.where(col(column) == value)
    if f.since is not None:
        query = query.where(col(AuditEvent.created_at) >= article_rules.as_utc(f.since))
    if f.until is not None:
        query = query.where(col(AuditEvent.created_at) < article_rules.as_utc(f.until))
    return query


def event_out(row: AuditEvent, slugs: dict[int, str]) -> dict[str, Any]:
    created = article_rules.as_utc(row.created_at)
    return {
        "id": row.id,
        "kb": slugs.get(row.kb_id) if row.kb_id is not None else None,
        "actor": row.actor,
        "actor_key_id": row.actor_key_id,
        "action": row.action,
        "target_type": row.target_type,
        "target_id": row.target_id,
        "details": row.details,
        "created_at": created.isoformat() if created else None,
    }


def list_events(
    session: Session, *, principal: Principal, filters: AuditFilter, limit: int, offset: int
) -> dict[str, Any]:
    kb_ids = _kb_ids(session, principal, filters.kb)
    total = session.exec(_filtered(select(func.count()).select_from(AuditEvent), filters, kb_ids)).one()
    order = (col(AuditEvent.created_at).desc(), col(AuditEvent.id).desc())
    rows = session.exec(
        _filtered(select(AuditEvent), filters, kb_ids).order_by(*order).offset(offset).limit(limit)
    )
    slugs = {kb.id or 0: kb.slug for kb in session.exec(select(KnowledgeBase))}
    return {"items": [event_out(row, slugs) for row in rows], "total": int(total)}
