from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query

from kb_service.deps import AdminKB, AdminKey, SessionDep
from kb_service.services import audit_log
from kb_service.services.audit_log import AuditFilter

router = APIRouter(prefix="/v1", tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
Text = Annotated[str | None, Query(max_length=200)]
When = Annotated[datetime | None, Query(description="ISO 8601; without an offset it is UTC")]


def event_filters(
    actor: Text = None,
    actor_key_id: Annotated[int | None, Query(ge=1, description="the id of the key that acted")] = None,
    action: Text = None,
    target_type: Text = None,
    target_id: Text = None,
    since: When = None,
    until: When = None,
) -> AuditFilter:
    """The query parameters both audit routes take."""
    return AuditFilter(None, actor, actor_key_id, action, target_type, target_id, since, until)


Filters = Annotated[AuditFilter, Depends(event_filters)]


@router.get("/audit")
def list_audit(
    session: SessionDep,
    admin: AdminKey,
    filters: Filters,
    kb: Text = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Audit trail of changes (who did what), newest first; KB-scoped admins see their KBs only."""
    chosen = replace(filters, kb=kb)
    return audit_log.list_events(session, principal=admin, filters=chosen, limit=limit, offset=offset)


@router.get("/kbs/{kb}/audit")
def list_kb_audit(
    access: AdminKB, session: SessionDep, filters: Filters, limit: Limit = 100, offset: Offset = 0
) -> dict[str, Any]:
    """Audit trail of one knowledge base, newest first."""
    chosen = replace(filters, kb=access.kb.slug)
    return audit_log.list_events(
        session, principal=access.principal, filters=chosen, limit=limit, offset=offset
    )
