from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from kb_service.deps import AdminKey, SessionDep
from kb_service.schemas.keys import KeyCreate
from kb_service.services import keys

router = APIRouter(prefix="/v1/keys", tags=["api keys"])


@router.get("")
def list_keys(session: SessionDep, actor: AdminKey) -> dict[str, Any]:
    items = [keys.key_out(row) for row in keys.list_keys(session, actor.kbs)]
    return {"items": items, "total": len(items)}


@router.post("", status_code=201)
def create_key(data: KeyCreate, request: Request, session: SessionDep, actor: AdminKey) -> dict[str, Any]:
    keys.require_scope(actor.kbs, data.kbs)
    row, token = keys.create_key(session, data, actor.actor)
    request.app.state.keyring.remember(row)  # usable at once, even if the database goes away
    return {**keys.key_out(row), "key": token}


@router.delete("/{key_id}")
def revoke_key(key_id: int, request: Request, session: SessionDep, actor: AdminKey) -> dict[str, Any]:
    return keys.key_out(keys.revoke_key(session, key_id, actor.actor, request.app.state.keyring, actor.kbs))
