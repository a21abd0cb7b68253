"""Dependency aliases for routers: settings, DB session, the caller's key, the KB it may use, the index."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Header, Request
from sqlmodel import Session

from kb_service.auth import Principal
from kb_service.models import KnowledgeBase
from kb_service.services import kbs
from kb_service.services.listener import IndexListener
from kb_service.settings import Settings


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings  # type: ignore[no-any-return]


def get_session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.engine, expire_on_commit=False) as session:
        yield session


def get_index(request: Request) -> IndexListener:
    return request.app.state.index  # type: ignore[no-any-return]


def current_principal(request: Request, authorization: Annotated[str | None, Header()] = None) -> Principal:
    principal: Principal = request.app.state.keyring.authenticate(authorization)
    # Counted only once the key is known: unknown keys get 401 and never take a bucket.
    request.app.state.rate_limiter.check(principal.key_id, principal.role, principal.name)
    return principal


def role(minimum: str) -> Callable[[Principal], Principal]:
    def dependency(principal: Annotated[Principal, Depends(current_principal)]) -> Principal:
        principal.require(minimum)
        return principal

    return dependency


@dataclass
class KbAccess:
    kb: KnowledgeBase
    principal: Principal


def kb_access(minimum: str) -> Callable[..., KbAccess]:
    def dependency(
        kb: str,
        principal: Annotated[Principal, Depends(current_principal)],
        session: Annotated[Session, Depends(get_session)],
    ) -> KbAccess:
        principal.require(minimum, kb)
        return KbAccess(kbs.get_kb(session, kb), principal)

    return dependency


def cached_kb_access(minimum: str) -> Callable[..., KbAccess]:
    """For the read path of agents and bots: the KB row from memory (see services/kb_cache.py)."""

    def dependency(
        kb: str, request: Request, principal: Annotated[Principal, Depends(current_principal)]
    ) -> KbAccess:
        principal.require(minimum, kb)
        return KbAccess(request.app.state.kb_cache.get(kb), principal)

    return dependency


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
IndexDep = Annotated[IndexListener, Depends(get_index)]
AdminKey = Annotated[Principal, Depends(role("admin"))]
AdminKB = Annotated[KbAccess, Depends(kb_access("admin"))]
EditorKB = Annotated[KbAccess, Depends(kb_access("editor"))]
AgentKB = Annotated[KbAccess, Depends(cached_kb_access("agent"))]
BotKB = Annotated[KbAccess, Depends(cached_kb_access("bot"))]
