"""API key management: create (secret shown once), list without secrets, revoke."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session, col, select

from kb_service.auth import Actor, KeyRing, hash_token, new_token
from kb_service.errors import Forbidden, InvalidInput, NotFound
from kb_service.models import ApiKey, KnowledgeBase, utcnow
from kb_service.schemas.keys import KeyCreate
from kb_service.services import article_rules, audit


def key_out(row: ApiKey) -> dict[str, Any]:
    return {
        "id": row.id,
        "name": row.name,
        "role": row.role,
        "kbs": row.kbs,
        "prefix": row.prefix,
        "created_at": row.created_at.isoformat(),
        "expires_at": row.expires_at.isoformat() if row.expires_at else None,
        "revoked": row.revoked_at is not None,
    }


def create_key(session: Session, data: KeyCreate, actor: Actor) -> tuple[ApiKey, str]:
    if data.kbs is not None:
        known = set(session.exec(select(KnowledgeBase.slug)).all())
        unknown = [slug for slug in data.kbs if slug not in known]
        if unknown:
            raise InvalidInput(
                f"unknown knowledge base(s): {', '.join(unknown)}",
                [{"field": "kbs", "message": f"unknown: {', '.join(unknown)}"}],
            )
    token = new_token()
    row = ApiKey(
        name=data.name or f"{data.role}-key",
        role=data.role,
        kbs=data.kbs,
        key_hash=hash_token(token),
        prefix=token[:10],
        expires_at=article_rules.as_utc(data.expires_at),
    )
    session.add(row)
    session.flush()
    audit.record(session, actor, "create", "api_key", row.id, role=data.role, kbs=data.kbs)
    session.commit()
    return row, token


def within_scope(scope: tuple[str, ...] | None, kbs: list[str] | tuple[str, ...] | None) -> bool:
    """Whether a key limited to `scope` (None = all KBs) may manage a key for `kbs` (None = all KBs)."""
    return scope is None or (kbs is not None and set(kbs) <= set(scope))


def require_scope(scope: tuple[str, ...] | None, kbs: list[str] | tuple[str, ...] | None) -> None:
    """A KB-limited admin manages only keys limited to its own KBs (no escalation to other KBs)."""
    if not within_scope(scope, kbs):
        allowed = ", ".join(scope or ())
        raise Forbidden(
            f"this admin key is limited to knowledge bases [{allowed}]; it can only manage keys within them"
        )


def list_keys(session: Session, scope: tuple[str, ...] | None = None) -> list[ApiKey]:
    rows = session.exec(select(ApiKey).order_by(col(ApiKey.id)))
    return [row for row in rows if within_scope(scope, row.kbs)]


def revoke_key(
    session: Session, key_id: int, actor: Actor, ring: KeyRing, scope: tuple[str, ...] | None = None
) -> ApiKey:
    row = session.get(ApiKey, key_id)
    if row is None:
        raise NotFound(f"API key {key_id} not found")
    require_scope(scope, row.kbs)
    if row.revoked_at is None:
        row.revoked_at = utcnow()
        session.add(row)
        audit.record(session, actor, "revoke", "api_key", key_id)
        session.commit()
    ring.forget(row.key_hash)
    return row
