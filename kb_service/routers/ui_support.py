"""Small read-only endpoints the web pages need: who the key is, and a KB's language and categories."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends

from kb_service.auth import Principal
from kb_service.deps import AgentKB, current_principal
from kb_service.services import kbs

router = APIRouter(prefix="/v1", tags=["web pages"])


@router.get("/whoami")
def whoami(principal: Annotated[Principal, Depends(current_principal)]) -> dict[str, Any]:
    """The calling key's name, role and allowed KBs (null = all)."""
    allowed = list(principal.kbs) if principal.kbs is not None else None
    return {"name": principal.name, "role": principal.role, "kbs": allowed}


@router.get("/kbs/{kb}/profile")
def profile(access: AgentKB) -> dict[str, Any]:
    """A KB's name, UI language and categories, readable by agents."""
    settings = kbs.get_settings(access.kb)
    return {
        "slug": access.kb.slug,
        "name": access.kb.name,
        "language": access.kb.language,
        "categories": list(settings.categories),
    }
