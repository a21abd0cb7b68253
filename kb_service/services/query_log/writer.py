"""Query log: requests record entries without waiting; a background thread writes them in batches.

Overload policy: at most `max_pending` entries wait in memory (queued, being written, or kept for a
retry while the database is unavailable). Beyond that a new entry is dropped and counted in `dropped`
(with a warning now and then) rather than blocking the request or evicting older entries, so what is
kept is written in the order it was recorded.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import deque
from typing import Any

from sqlalchemy import insert
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DataError, IntegrityError
from sqlmodel import Session, select

from kb_service.models import QueryLog, utcnow
from kb_service.services.query_log.entry import QueryLogEntry, to_row
from kb_service.services.query_log.retention import purge_expired

log = logging.getLogger(__name__)

MAX_PENDING = 50_000
PURGE_INTERVAL_S = 3600.0
MAX_RETRY_DELAY_S = 30.0


class QueryLogWriter:
    """Buffers entries in memory and stores them in batches (one transaction each) on its own thread."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_size: int = 200,
        flush_interval_s: float = 0.5,
        max_pending: int = MAX_PENDING,
        retry_delay_s: float = 1.0,
        purge_interval_s: float = PURGE_INTERVAL_S,
    ):
        self._engine = engine
        self.batch_size, self.flush_interval_s, self.max_pending = batch_size, flush_interval_s, max_pending
        self.retry_delay_s, self.purge_interval_s = retry_delay_s, purge_interval_s
        self._queue: deque[dict[str, Any]] = deque()
        self._ids: dict[str, int] = {}  # query_id -> kb_id of every entry not stored yet
        self._lock = threading.Lock()  # guards the queue, the ids and the counters
        self._write_lock = threading.Lock()  # one batch at a time, in order
        self._wake, self._stop = threading.Event(), threading.Event()
        self._thread: threading.Thread | None = None
        self.written = self.dropped = self.rejected = self.failures = 0

    @property
    def pending(self) -> int:
        """Entries recorded but not stored yet."""
        return len(self._ids)

    @property
    def running(self) -> bool:
        return self._thread is not None and self._thread.is_alive()

    def start(self) -> None:
        if not self.running:
            self._stop.clear()
            self._thread = threading.Thread(target=self._run, name="kb-query-log", daemon=True)
            self._thread.start()

    def record(self, entry: QueryLogEntry) -> bool:
        """Queue an entry without touching the database; never raises. False when it was dropped."""
        try:
            row = to_row(entry, utcnow())
        except Exception:  # noqa: BLE001  (logging must never fail a request)
            log.exception("query log: could not prepare entry %s; dropped", getattr(entry, "id", "?"))
            with self._lock:
                self.dropped += 1
            return False
        with self._lock:
            accepted = len(self._ids) < self.max_pending
            if accepted:
                self._queue.append(row)
                self._ids[row["id"]] = row["kb_id"]
            else:
                self.dropped += 1
            dropped, full = self.dropped, len(self._queue) >= self.batch_size
        if not accepted and (dropped == 1 or dropped % 1000 == 0):
            log.warning("query log: %d entries waiting; %d dropped so far", self.max_pending, dropped)
        if full:
            self._wake.set()
        return accepted

    def exists(self, kb_id: int, query_id: str) -> bool:
        """True when the query_id belongs to this KB, whether still in memory or already stored."""
        with self._lock:
            pending = self._ids.get(query_id)
        if pending is not None:
            return pending == kb_id
        with Session(self._engine) as session:
            stored = session.exec(select(QueryLog.kb_id).where(QueryLog.id == query_id)).first()
        return stored == kb_id

    def flush(self) -> bool:
        """Store everything recorded so far; False when the database refused (entries stay queued)."""
        with self._write_lock:
            while True:
                with self._lock:
                    batch = [self._queue.popleft() for _ in range(min(self.batch_size, len(self._queue)))]
                if not batch:
                    return True
                try:
                    stored = self._write(batch)
                except Exception as exc:  # noqa: BLE001  (keep the entries and retry later)
                    with self._lock:
                        self._queue.extendleft(reversed(batch))
                        self.failures += 1
                    log.warning("query log: storing %d entries failed, will retry: %s", len(batch), exc)
                    return False
                with self._lock:
                    for row in batch:
                        self._ids.pop(row["id"], None)
                    self.written += stored
                    self.rejected += len(batch) - stored

    def close(self, timeout: float = 10.0) -> None:
        """Stop the thread, then store what is left (entries the database still refuses are lost)."""
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
        if not self.flush():
            log.warning("query log: %d entries could not be stored before shutdown", self.pending)

    def _write(self, batch: list[dict[str, Any]]) -> int:
        try:
            with Session(self._engine) as session:
                session.execute(insert(QueryLog), batch)
                session.commit()
            return len(batch)
        except (IntegrityError, DataError):
            # A bad row (duplicate id, unknown KB) must not block the rest: store the others one by one.
            return sum(self._write_one(row) for row in batch)

    def _write_one(self, row: dict[str, Any]) -> int:
        try:
            with Session(self._engine) as session:
                session.execute(insert(QueryLog), [row])
                session.commit()
            return 1
        except (IntegrityError, DataError) as exc:
            log.warning("query log: entry %s rejected by the database: %s", row["id"], exc.orig)
            return 0

    def _run(self) -> None:
        delay, next_purge = self.retry_delay_s, time.monotonic()
        while not self._stop.is_set():
            if time.monotonic() >= next_purge:
                self._purge()
                next_purge = time.monotonic() + self.purge_interval_s
            self._wake.wait(self.flush_interval_s)
            self._wake.clear()
            if self.flush():
                delay = self.retry_delay_s
            else:
                self._stop.wait(delay)
                delay = min(delay * 2, MAX_RETRY_DELAY_S)

    def _purge(self) -> None:
        try:
            with Session(self._engine) as session:
                removed = purge_expired(session)
            if any(removed.values()):
                log.info("query log: retention removed %s", removed)
        except Exception as exc:  # noqa: BLE001  (retried at the next interval)
            log.warning("query log: retention purge failed: %s", exc)
