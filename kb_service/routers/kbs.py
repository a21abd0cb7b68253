from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Request

from kb_service.deps import AdminKey, EditorKB, IndexDep, SessionDep
from kb_service.schemas.catalogue import Catalogue, CatalogueOut
from kb_service.schemas.dictionary import Dictionary
from kb_service.schemas.kbs import KbCreate
from kb_service.services import catalogue, kbs

router = APIRouter(prefix="/v1/kbs", tags=["knowledge bases"])


@router.get("")
def list_kbs(session: SessionDep, actor: AdminKey) -> dict[str, Any]:
    items = [kbs.kb_out(kb) for kb in kbs.list_kbs(session, actor)]
    return {"items": items, "total": len(items)}


@router.post("", status_code=201)
def create_kb(data: KbCreate, session: SessionDep, actor: AdminKey) -> dict[str, Any]:
    return kbs.kb_out(kbs.create_kb(session, data, actor.actor))


@router.get("/{kb}/settings")
def get_settings(access: EditorKB) -> dict[str, Any]:
    return kbs.get_settings(access.kb).model_dump()


@router.put("/{kb}/settings")
def put_settings(
    access: EditorKB,
    session: SessionDep,
    request: Request,
    changes: dict[str, Any] = Body(..., examples=[{"answer_threshold": 0.75}]),
) -> dict[str, Any]:
    """Change settings: reply texts (editors and admins) and everything else (admins)."""
    kbs.check_settings_role(access.principal, changes)
    updated = kbs.update_settings(session, access.kb, changes, access.principal.actor)
    request.app.state.kb_cache.invalidate(access.kb.slug)
    return updated.model_dump()


@router.get("/{kb}/dictionary")
def get_dictionary(access: EditorKB) -> dict[str, Any]:
    return kbs.get_dictionary(access.kb)


@router.put("/{kb}/dictionary")
def put_dictionary(
    data: Dictionary, access: EditorKB, session: SessionDep, index: IndexDep, request: Request
) -> dict[str, Any]:
    updated = kbs.put_dictionary(session, access.kb, data, access.principal.actor, index)
    request.app.state.kb_cache.invalidate(access.kb.slug)
    return updated


@router.get("/{kb}/catalogue", response_model=CatalogueOut)
def get_catalogue(access: EditorKB) -> dict[str, Any]:
    """The KB's product catalogue (products, their series and aliases) and its version."""
    return catalogue.get_catalogue(access.kb)


@router.put("/{kb}/catalogue", response_model=CatalogueOut)
def put_catalogue(
    data: Catalogue, access: EditorKB, session: SessionDep, index: IndexDep, request: Request
) -> dict[str, Any]:
    """Replace the product catalogue (409 when `version` is stale); the index is rebuilt with it."""
    updated = catalogue.put_catalogue(session, access.kb, data, access.principal.actor, index)
    request.app.state.kb_cache.invalidate(access.kb.slug)
    return updated
