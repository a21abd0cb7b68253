"""Audit trail: who (which key) changed what."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from kb_service.auth import Actor
from kb_service.models import AuditEvent


def record(
    session: Session,
    actor: Actor,
    action: str,
    target_type: str,
    target_id: object = None,
    kb_id: int | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            kb_id=kb_id,
            actor=actor.name,
            actor_key_id=actor.key_id,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            details=details,
        )
    )
