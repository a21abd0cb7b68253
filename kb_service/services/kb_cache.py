"""Knowledge-base rows for the read path (search, suggest, answer, feedback, profile), kept in memory.

Those routes then skip a database query per request and keep serving while the database is
unreachable (the index and the API keys are in memory too): a row older than `ttl_s` is reloaded,
and when that fails the last copy serves. Writers invalidate the rows they change.
"""

from __future__ import annotations

import logging
import threading
import time

from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import Session

from kb_service.errors import NotFound, Unavailable
from kb_service.models import KnowledgeBase
from kb_service.services.kbs import get_kb

log = logging.getLogger(__name__)


class KbCache:
    def __init__(self, engine: Engine, ttl_s: float = 5.0):
        self._engine, self._ttl = engine, ttl_s
        self._rows: dict[str, tuple[KnowledgeBase, float]] = {}
        self._lock = threading.Lock()

    def get(self, slug: str) -> KnowledgeBase:
        """The KB's row (detached: read it, do not change it)."""
        with self._lock:
            cached = self._rows.get(slug)
        now = time.monotonic()
        if cached is not None and now - cached[1] < self._ttl:
            return cached[0]
        try:
            with Session(self._engine, expire_on_commit=False) as session:
                row = get_kb(session, slug)
                session.expunge(row)
        except NotFound:
            self.invalidate(slug)
            raise
        except SQLAlchemyError as exc:
            if cached is not None:
                log.warning("database unreachable, serving kb %s from memory: %s", slug, exc)
                return cached[0]
            message = f"the database is unreachable and knowledge base '{slug}' is not loaded yet"
            raise Unavailable(message) from exc
        with self._lock:
            self._rows[slug] = (row, now)
        return row

    def invalidate(self, slug: str) -> None:
        with self._lock:
            self._rows.pop(slug, None)
