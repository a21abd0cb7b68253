"""Audit trail: who (which key) changed what."""

from __future__ import annotations

from typing import Any

from sqlmodel import Session

from kb_service.models import AuditEvent


def record(
    session: Session,
    actor: str | None,
    action: str,
    target_type: str,
    target_id: object = None,
    kb_id: int | None = None,
    **details: Any,
) -> None:
    session.add(
        AuditEvent(
            kb_id=kb_id,
            actor=actor,
            action=action,
            target_type=target_type,
            target_id=None if target_id is None else str(target_id),
            details=details,
        )
    )
