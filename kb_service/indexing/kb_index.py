"""One KB's serving index: load or build a snapshot, apply live changes, rebuild in the background."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from indexer.build import build_segment
from indexer.calibration import Calibrator
from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.encoders import EncoderError
from indexer.engine import LiveIndex
from indexer.snapshot import SnapshotError, SnapshotStore
from indexer.tokenizer import Tokenizer
from kb_service.indexing import confidence
from kb_service.indexing.embedder import Embedder
from kb_service.indexing.isolated_build import ChildBuilds
from kb_service.memory import settle_heap

log = logging.getLogger(__name__)


@dataclass
class BuildStatus:
    state: str = "empty"  # empty / ready / building / failed
    snapshot: str | None = None
    built_at: float | None = None
    last_error: str | None = None
    last_build_seconds: float | None = None
    builds: int = 0
    changed_during_build: set[int] = field(default_factory=set)


class KbIndex:
    def __init__(self, slug: str, root: Path, config: IndexConfig, embedder: Embedder):
        self.slug, self.config, self.embedder = slug, config, embedder
        self.store = SnapshotStore(root)
        self.tokenizer = Tokenizer(config.tokenizer)
        self.live: LiveIndex | None = None
        self.status = BuildStatus()
        self.calibrator: Calibrator = confidence.UNFITTED
        self.lock = threading.RLock()  # serialises changes and swaps; search never takes it

    @property
    def identity(self) -> dict[str, Any]:
        return {"encoder": self.embedder.name, "dim": self.embedder.dim, **self.config.build_dict()}

    def load(self) -> dict[int, int] | None:
        """Serve the current snapshot if it matches this service; returns its article versions."""
        try:
            segment, articles, manifest = self.store.load(self.identity)
        except SnapshotError as exc:
            log.warning("kb %s: %s", self.slug, exc)
            self.status.last_error = str(exc)
            return None
        with self.lock:
            self.live = LiveIndex(segment, articles, self.config, self.tokenizer, self.embedder.name)
            self.status.state, self.status.snapshot = "ready", manifest["name"]
            self.calibrator = confidence.load(self.store.root, manifest["name"]) or confidence.UNFITTED
        settle_heap()
        return {int(k): v for k, v in manifest["article_versions"].items()}

    def begin_build(self) -> None:
        """Call before reading the articles of a build: changes from then on are replayed after the swap."""
        with self.lock:
            self.status.state = "building" if self.live is None else self.status.state
            self.status.changed_during_build = set()

    def build(
        self, articles: list[Article], with_dense: bool = True, progress: Callable[[int], None] | None = None
    ) -> None:
        """Full build into a new snapshot, then an atomic swap; failure keeps the previous index serving."""
        started = time.perf_counter()
        embed = None
        if with_dense and self.embedder.encoder is not None:

            def embed(texts: list[str]) -> Any:
                return self.embedder.chunks(texts, self.config.query_embed_max_chars, progress)

        try:
            segment = build_segment(articles, self.config, self.tokenizer, embed)
            identity = self.identity if embed is not None else {**self.identity, "encoder": None, "dim": None}
            name = self.store.publish(segment, {a.id: a for a in articles}, identity)
        except (OSError, EncoderError, ValueError, RuntimeError, SnapshotError) as exc:
            log.exception("kb %s: index build failed; the previous index keeps serving", self.slug)
            self._build_failed(exc)
            raise
        with self.lock:
            fresh = LiveIndex(
                segment,
                {a.id: a for a in articles},
                self.config,
                self.tokenizer,
                self.embedder.name if embed is not None else None,
            )
            self._carry_changes(fresh)
            self.live = fresh
            self.status.state, self.status.snapshot = "ready", name
            self._build_done(started)
        settle_heap()
        if embed is not None:
            self.calibrate()

    def build_isolated(self, articles: list[Article], children: ChildBuilds) -> None:
        """`build` in a child process (large KBs), then serve the snapshot it published."""
        started = time.perf_counter()
        try:
            name = children.run(self.slug, self.store.root, self.config, self.embedder.spec(), articles)
            if self.load() is None or self.status.snapshot != name:
                raise SnapshotError(f"the snapshot {name} the build process published did not load")
        except (OSError, RuntimeError, SnapshotError) as exc:
            log.error("kb %s: index build failed; the previous index keeps serving: %s", self.slug, exc)
            self._build_failed(exc)
            raise
        with self.lock:
            self._build_done(started)

    def _carry_changes(self, fresh: LiveIndex) -> None:
        """Apply to a new build the changes published while it ran, as the index serving now holds
        them (with their vectors), so that no published article is missing from it for a moment
        (the manager replays them from the database afterwards as well). Caller holds the lock."""
        changed, old = self.status.changed_during_build, self.live
        if not changed or old is None:
            return
        current = old.state.articles
        pending = fresh.apply(
            [current[i] for i in changed if i in current], [i for i in changed if i not in current]
        )
        known = old.state.delta_vectors
        vectors = {t: known[t] for t in pending if t in known}
        if vectors:
            fresh.attach_vectors(vectors)

    def _build_failed(self, exc: Exception) -> None:
        with self.lock:
            self.status.last_error = f"build failed: {exc}"
            self.status.state = "ready" if self.live else "failed"

    def _build_done(self, started: float) -> None:
        """Record a finished build (the caller holds the lock and has swapped the index)."""
        self.status.built_at = time.time()
        self.status.last_build_seconds = time.perf_counter() - started
        self.status.builds += 1
        self.status.last_error = None

    @property
    def calibrated(self) -> bool:
        return self.calibrator is not confidence.UNFITTED

    def calibrate(self) -> None:
        """Refit the answer-confidence model on the current index (after a full build or a load)."""
        live, snapshot = self.live, self.status.snapshot
        if live is not None:
            self.calibrator = confidence.fit_and_save(self.store.root, snapshot, live, self.embedder)

    def apply(self, upserts: list[Article], removals: list[int]) -> list[str]:
        with self.lock:
            if self.live is None:
                return []
            self.status.changed_during_build |= {a.id for a in upserts} | set(removals)
            return self.live.apply(upserts, removals)

    def summary(self) -> dict[str, Any]:
        live = self.live
        state = live.state if live else None
        return {
            "kb": self.slug,
            "state": self.status.state,
            "snapshot": self.status.snapshot,
            "built_at": self.status.built_at,
            "last_build_seconds": self.status.last_build_seconds,
            "last_error": self.status.last_error,
            "articles": len(state.articles) if state else 0,
            "chunks": (len(state.main) - len(state.tombstones) + (len(state.delta) if state.delta else 0))
            if state
            else 0,
            "delta_chunks": len(state.delta) if state and state.delta else 0,
            "pending_dense": len(state.pending) if state else 0,
            "dense": bool(state and state.main.dense is not None),
            "calibration": self.calibrator.stats,
            "dense_index": state.main.dense.params if state and state.main.dense else None,
            "generation": state.generation if state else 0,
        }
