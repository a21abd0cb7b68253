"""Query log: entries recorded by search / suggest / answer, a batching background writer, retention."""

from __future__ import annotations

from kb_service.services.query_log.entry import QueryLogEntry, record_search
from kb_service.services.query_log.retention import purge_expired
from kb_service.services.query_log.writer import QueryLogWriter

__all__ = ["QueryLogEntry", "QueryLogWriter", "purge_expired", "record_search"]
