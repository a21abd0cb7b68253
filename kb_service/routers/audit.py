from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Query

from kb_service.deps import AdminKB, AdminKey, SessionDep
from kb_service.services import audit_log
from kb_service.services.audit_log import AuditFilter

router = APIRouter(prefix="/v1", tags=["audit"])

Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0)]
Text = Annotated[str | None, Query(max_length=200)]
When = Annotated[datetime | None, Query(description="ISO 8601; without an offset it is UTC")]


@router.get("/audit")
def list_audit(
    session: SessionDep,
    admin: AdminKey,
    kb: Text = None,
    actor: Text = None,
    action: Text = None,
    target_type: Text = None,
    target_id: Text = None,
    since: When = None,
    until: When = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Audit trail of changes (who did what), newest first; KB-scoped admins see their KBs only."""
    filters = AuditFilter(kb, actor, action, target_type, target_id, since, until)
    return audit_log.list_events(session, principal=admin, filters=filters, limit=limit, offset=offset)


@router.get("/kbs/{kb}/audit")
def list_kb_audit(
    access: AdminKB,
    session: SessionDep,
    actor: Text = None,
    action: Text = None,
    target_type: Text = None,
    target_id: Text = None,
    since: When = None,
    until: When = None,
    limit: Limit = 100,
    offset: Offset = 0,
) -> dict[str, Any]:
    """Audit trail of one knowledge base, newest first."""
    filters = AuditFilter(access.kb.slug, actor, action, target_type, target_id, since, until)
    return audit_log.list_events(
        session, principal=access.principal, filters=filters, limit=limit, offset=offset
    )
