"""Prometheus metrics: request counts and latency by route template, and service state read at scrape time.

Each app has its own CollectorRegistry (tests create many apps in one process).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi import FastAPI
from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector

from kb_service.limits import ASGIApp, Scope
from kb_service.request_timing import TimedRequests, route_of
from kb_service.routers import metrics as metrics_router

LATENCY_BUCKETS = (0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})  # others count as "other"


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry):
        self.registry = registry
        labels = ("method", "route", "status")
        self.requests = Counter(
            "kb_http_requests", "HTTP requests by route template and status", labels, registry=registry
        )
        self.latency = Histogram(
            "kb_http_request_duration_seconds",
            "HTTP request latency by route template and status",
            labels,
            buckets=LATENCY_BUCKETS,
            registry=registry,
        )
        # labels() costs more than inc() + observe(); the label sets are few (routes x statuses).
        self._children: dict[tuple[str, str, int], tuple[Any, Any]] = {}

    def observe(self, method: str, route: str, status: int, seconds: float) -> None:
        key = (method, route, status)
        children = self._children.get(key)
        if children is None:
            code = str(status)
            children = self._children.setdefault(
                key, (self.requests.labels(method, route, code), self.latency.labels(method, route, code))
            )
        children[0].inc()
        children[1].observe(seconds)


class MetricsMiddleware(TimedRequests):
    """Pure ASGI (no per-request Request object): times the request and reads the matched route after."""

    def __init__(self, app: ASGIApp, metrics: HttpMetrics):
        super().__init__(app)
        self.metrics = metrics

    def observe(self, scope: Scope, status: int, seconds: float) -> None:
        method = scope["method"] if scope["method"] in METHODS else "other"
        self.metrics.observe(method, route_of(scope), status, seconds)


class StateCollector(Collector):
    """Gauges computed when scraped: degraded mode, per-KB index figures, query-log queue."""

    def __init__(self, app: FastAPI):
        self.app = app

    def collect(self) -> Iterator[Metric]:
        state = self.app.state
        index = getattr(state, "index", None)
        if index is not None:
            degraded = 1.0 if index.embedder.encoder is None else 0.0
            yield GaugeMetricFamily("kb_degraded", "1 when the encoder is unavailable (BM25 only)", degraded)
            yield from _index_metrics(index)
            yield from _cache_metrics(index.results)
        query_log = getattr(state, "query_log", None)
        if query_log is not None:
            yield GaugeMetricFamily(
                "kb_query_log_pending", "query-log entries not stored yet", query_log.pending
            )
            yield CounterMetricFamily(
                "kb_query_log_dropped", "query-log entries dropped on overload", query_log.dropped
            )
        limiter = getattr(state, "rate_limiter", None)
        if limiter is not None:
            yield GaugeMetricFamily(
                "kb_rate_limit_tracked_keys", "API keys with a rate-limit bucket", len(limiter)
            )


_INDEX_GAUGES = {
    "chunks": "live chunks in the index",
    "articles": "articles in the index",
    "delta_chunks": "chunks in the delta index beside the main snapshot",
    "pending_dense": "chunks waiting for their embeddings (dense work pending)",
    "generation": "index generation (changes with every live update)",
}


def _index_metrics(index: Any) -> Iterator[Metric]:
    statuses = [index.status(kb) for kb in sorted(index.indexes)]
    for field, doc in _INDEX_GAUGES.items():
        family = GaugeMetricFamily(f"kb_index_{field}", doc, labels=["kb"])
        for status in statuses:
            family.add_metric([status["kb"]], float(status.get(field) or 0))
        yield family
    info = GaugeMetricFamily(
        "kb_index_info", "snapshot and state of each KB's index", labels=["kb", "snapshot", "state"]
    )
    for status in statuses:
        info.add_metric(
            [status["kb"], str(status.get("snapshot") or ""), str(status.get("state") or "")], 1.0
        )
    yield info


def _cache_metrics(cache: Any) -> Iterator[Metric]:
    """The retrieval cache that answer and suggest share (repeated questions served from memory)."""
    yield CounterMetricFamily("kb_result_cache_hits", "retrieval results served from memory", cache.hits)
    yield CounterMetricFamily("kb_result_cache_misses", "retrieval results computed", cache.misses)
    yield CounterMetricFamily(
        "kb_result_cache_revalidated",
        "hits kept across a live change that could not affect them",
        cache.revalidated,
    )
    sizes = GaugeMetricFamily("kb_result_cache_entries", "cached retrieval results", labels=["kb"])
    for kb, size in sorted(cache.sizes().items()):
        sizes.add_metric([kb], float(size))
    yield sizes


def install_metrics(app: FastAPI) -> None:
    """Give the app its registry, the /metrics route and the timing middleware (add it last: outermost)."""
    registry = CollectorRegistry()
    http = HttpMetrics(registry)
    registry.register(StateCollector(app))
    app.state.metrics_registry = registry
    app.include_router(metrics_router.router)
    app.add_middleware(MetricsMiddleware, metrics=http)
