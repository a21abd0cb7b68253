"""FastAPI application factory; resources live in app.state, created in the lifespan."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI

from kb_service.auth import KeyRing
from kb_service.db import make_engine
from kb_service.errors import install_error_handlers
from kb_service.indexing import IndexManager
from kb_service.limits import BodySizeLimit
from kb_service.logging_setup import RequestLogMiddleware
from kb_service.metrics import install_metrics
from kb_service.rate_limit import RateLimiter
from kb_service.routers import (
    analytics,
    articles,
    assist,
    audit,
    feedback,
    health,
    imports,
    kbs,
    keys,
    search,
    ui,
    ui_support,
)
from kb_service.schemas.errors import ERROR_RESPONSES
from kb_service.search_slots import make_limiter
from kb_service.services.bootstrap import bootstrap
from kb_service.services.kb_cache import KbCache
from kb_service.services.query_log import QueryLogWriter
from kb_service.services.sessions import SessionStore
from kb_service.settings import Settings, get_settings


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = make_engine(settings.resolved_database_url())
        bootstrap(engine, settings)
        app.state.settings = settings
        app.state.engine = engine
        app.state.keyring = KeyRing(engine)
        app.state.keyring.load()
        app.state.kb_cache = KbCache(engine, settings.read_cache_ttl_s)
        app.state.rate_limiter = RateLimiter.from_settings(settings)
        app.state.search_limiter = make_limiter(settings.search_threads)
        app.state.index = IndexManager(engine, settings)
        app.state.index.start(wait=settings.wait_for_index)
        app.state.sessions = SessionStore()
        app.state.query_log = QueryLogWriter(engine)
        app.state.query_log.start()
        yield
        app.state.query_log.close()
        app.state.index.close()
        engine.dispose()

    app = FastAPI(
        title="kbsearch",
        version="0.1.0",
        lifespan=lifespan,
        description="Knowledge-base search for customer service: bot answers, agent assist, editors.",
    )
    install_error_handlers(app)
    routers = (health, kbs, keys, audit, articles, imports, search, assist, feedback, analytics)
    for module in (*routers, ui_support):
        app.include_router(module.router, responses=ERROR_RESPONSES if module is not health else None)
    app.include_router(ui.router)
    app.mount("/ui/static", ui.static_files(), name="ui-static")
    app.add_middleware(BodySizeLimit, max_body=settings.max_body_bytes, max_upload=settings.max_upload_bytes)
    if settings.log_format == "json":
        app.add_middleware(RequestLogMiddleware)
    install_metrics(app)  # after the other middleware: outermost, so it times all of them
    return app
