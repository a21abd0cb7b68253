"""All KB indexes of the service: startup, live publishing, background rebuilds, search."""

from __future__ import annotations

import logging
import re
import threading
from collections.abc import Callable
from concurrent.futures import Future, ThreadPoolExecutor
from typing import Any

from sqlalchemy.engine import Engine
from sqlmodel import Session, select

from indexer.calibration import outcome_features
from indexer.config import FusionConfig, IndexConfig
from indexer.documents import Article
from indexer.engine import LiveIndex, SearchOutcome
from indexer.entities import ProductPreference
from indexer.filters import Filters
from indexer.hits import to_hits
from indexer.ranking import Hit
from indexer.text import normalize
from kb_service.assist.entity_query import EntityQuery, entity_query
from kb_service.indexing import source
from kb_service.indexing.dense_budget import DenseBudget
from kb_service.indexing.embedder import Embedder
from kb_service.indexing.isolated_build import ChildBuilds
from kb_service.indexing.kb_index import KbIndex
from kb_service.indexing.result_cache import ResultCache
from kb_service.indexing.retrieval import Retrieval, cache_version
from kb_service.memory import release_free_memory
from kb_service.models import KnowledgeBase
from kb_service.services.kbs import get_kb
from kb_service.settings import Settings

log = logging.getLogger(__name__)
EXACT_QUESTION_CONFIDENCE = 0.98
COMPACT_AFTER_CHUNKS = 2_000  # a delta this large is folded into a fresh main build


class IndexManager:
    def __init__(self, engine: Engine, settings: Settings, config: IndexConfig | None = None):
        self.db, self.settings = engine, settings
        self.config = config or IndexConfig(
            fusion=FusionConfig(
                method=settings.fusion_method,
                rrf_k=settings.fusion_rrf_k,
                bm25_weight=settings.fusion_bm25_weight,
                bm25_weight_lines=settings.fusion_bm25_weight_lines,
                dense_weight=settings.fusion_dense_weight,
            )
        )
        self.embedder = Embedder(
            settings.encoder_backend,
            settings.encoder_model,
            settings.data_dir / "embeddings.sqlite3",
            settings.embed_workers,
        )
        self.dense_budget = DenseBudget(
            self.embedder.query, settings.dense_budget_ms / 1000, settings.search_threads
        )
        self.indexes: dict[str, KbIndex] = {}
        self._builds: dict[str, Future[None]] = {}
        self._rebuild_again: set[str] = set()
        self._lock = threading.Lock()
        self._background = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kb-index")
        self.results: ResultCache[Retrieval] = ResultCache()
        self.children = ChildBuilds()

    # ---- lifecycle -----------------------------------------------------------------------------
    def start(self, wait: bool = False) -> None:
        """Serve every KB now (its snapshot, or a BM25 build) and finish dense builds in the background."""
        with Session(self.db) as session:
            slugs = list(session.exec(select(KnowledgeBase.slug)).all())
        for slug in slugs:
            self._open(slug)
        if wait:
            self.wait()

    def wait(self, timeout: float | None = None) -> None:
        for future in list(self._builds.values()):
            future.result(timeout)

    def close(self) -> None:
        self.children.close()  # a large build in a child stops at once; its snapshot was not published
        self._background.shutdown(wait=True, cancel_futures=True)
        self.dense_budget.close()

    def _open(self, slug: str) -> KbIndex:
        with self._lock:
            handle = self.indexes.get(slug)
            if handle is not None:
                return handle
            with Session(self.db) as session:
                kb = get_kb(session, slug)
                config = self._config_for(kb)
            handle = KbIndex(slug, self.settings.data_dir / "index" / slug, config, self.embedder)
            self.indexes[slug] = handle
        versions = handle.load()
        if versions is None:
            handle.begin_build()
            handle.build(self._published(slug), with_dense=False)  # BM25 now, dense in the background
            self.rebuild(slug)
        else:
            self._reconcile(slug, versions)
            if not handle.calibrated:  # a snapshot from before calibration, or its file was lost
                with self._lock:
                    running = self._builds.get(slug)
                    if running is None or running.done():
                        self._builds[slug] = self._background.submit(handle.calibrate)
        return handle

    def _config_for(self, kb: KnowledgeBase) -> IndexConfig:
        from dataclasses import replace

        return replace(
            self.config,
            tokenizer=source.tokenizer_config(kb, self.config.tokenizer),
            catalogue=source.catalogue(kb),
        )

    def _published(self, slug: str) -> list[Any]:
        with Session(self.db) as session:
            return source.published(session, get_kb(session, slug))

    def _reconcile(self, slug: str, versions: dict[int, int]) -> None:
        """Bring a loaded snapshot up to date with the database (changes made while it was saved)."""
        current = {a.id: a for a in self._published(slug)}
        upserts = [a for a in current.values() if versions.get(a.id) != a.version]
        removals = [i for i in versions if i not in current]
        if upserts or removals:
            self._apply(slug, upserts, removals)

    # ---- changes -------------------------------------------------------------------------------
    def articles_changed(self, kb: str, article_ids: list[int]) -> None:
        handle = self._open(kb)
        with Session(self.db) as session:
            rows = source.articles_by_id(session, get_kb(session, kb), article_ids)
        upserts = [source.to_index_article(r) for r in rows.values() if r.status == "published"]
        removals = [i for i in article_ids if i not in {a.id for a in upserts}]
        self._apply(kb, upserts, removals)
        if handle.live is not None and handle.live.delta_size > COMPACT_AFTER_CHUNKS:
            self.rebuild(kb)

    def _apply(self, slug: str, upserts: list[Any], removals: list[int]) -> None:
        handle = self.indexes[slug]
        pending = handle.apply(upserts, removals)
        if pending and self.embedder.encoder is not None:
            self._background.submit(self._embed_pending, handle, pending)

    def _embed_pending(self, handle: KbIndex, texts: list[str]) -> None:
        try:
            vectors = self.embedder.chunks(texts, handle.config.query_embed_max_chars)
        except Exception:  # noqa: BLE001 - the BM25 side already serves the change
            log.exception("kb %s: embedding a live change failed", handle.slug)
            return
        with handle.lock:
            if handle.live is not None:
                handle.live.attach_vectors(dict(zip(texts, vectors, strict=True)))

    def dictionary_changed(self, kb: str) -> None:
        with self._lock:
            self.indexes.pop(kb, None)  # the tokenizer changes: rebuild with the new dictionary
        self._open(kb)

    def rebuild(self, slug: str) -> bool:
        """Start a background full build; False when one is already running (it will run again after)."""
        with self._lock:
            running = self._builds.get(slug)
            if running is not None and not running.done():
                self._rebuild_again.add(slug)
                return False
            self._builds[slug] = self._background.submit(self._rebuild, slug)
            return True

    def build_now(self, slug: str, progress: Callable[[int], None] | None = None) -> dict[str, Any]:
        """A synchronous full build (the `kb index build` command); returns the index status."""
        with self._lock:
            if slug not in self.indexes:
                with Session(self.db) as session:
                    config = self._config_for(get_kb(session, slug))
                self.indexes[slug] = KbIndex(
                    slug, self.settings.data_dir / "index" / slug, config, self.embedder
                )
        handle = self.indexes[slug]
        handle.begin_build()
        handle.build(self._published(slug), progress=progress)
        return handle.summary()

    def _rebuild(self, slug: str) -> None:
        handle = self.indexes[slug]
        handle.begin_build()
        articles = self._published(slug)
        try:
            if handle.summary()["chunks"] >= self.settings.isolated_build_min_chunks:
                handle.build_isolated(articles, self.children)
            else:
                handle.build(articles)
        except Exception:  # noqa: BLE001 - logged in build; the previous index serves
            return
        release_free_memory()  # the previous segment is gone: return its pages
        changed = handle.status.changed_during_build
        if changed:
            self.articles_changed(slug, sorted(changed))
        with self._lock:
            again = slug in self._rebuild_again
            self._rebuild_again.discard(slug)
        if again:
            self._rebuild(slug)

    # ---- queries -------------------------------------------------------------------------------
    def search(
        self,
        kb: str,
        query: str,
        top_k: int,
        filters: Filters,
        mode: str,
        prefer: ProductPreference | None = None,
    ) -> tuple[list[Hit], SearchOutcome]:
        handle = self._open(kb)
        live = handle.live
        if live is None:
            raise RuntimeError(f"the index of '{kb}' is not loaded")
        vector = self.dense_budget.vector(query) if mode != "bm25" else None  # None past the budget
        outcome = live.search(query, top_k, filters, mode, vector, prefer=prefer)  # type: ignore[arg-type]
        return to_hits(live, outcome), outcome

    def live(self, kb: str) -> LiveIndex | None:
        """The KB's live index (opened if needed): what a message is focused with (assist.message)."""
        return self._open(kb).live

    def retrieve(
        self,
        kb: str,
        query: str,
        top_k: int,
        filters: Filters,
        mode: str,
        prefer: ProductPreference | None = None,
    ) -> Retrieval:
        """Search with confidence; a question asked before comes from memory while its ranking holds.
        `prefer`: products the message named (see `understand`)."""
        live = self._open(kb).live
        if live is None:
            raise RuntimeError(f"the index of '{kb}' is not loaded")
        family, version = cache_version(live)
        # equal normalised questions (width, script, case) share one result: the same answer for both
        key = (normalize(query), top_k, filters.key(), mode, prefer.key() if prefer else None)
        cached = self.results.get(
            kb, family, version, key, lambda r: live.still_ranks(r.evidence, r.query_tokens)
        )
        if cached is not None:
            return cached
        hits, outcome = self.search(kb, query, top_k, filters, mode, prefer)
        articles = {h.article_id: outcome.state.articles[h.article_id] for h in hits}
        found = Retrieval(
            hits,
            articles,
            self.confidence(kb, outcome),
            outcome.mode,
            outcome.degraded,
            outcome.normalized_query,
            outcome.query_tokens,
            outcome.evidence,
        )
        if not outcome.degraded:  # a degraded result must not outlive the outage
            self.results.put(kb, family, version, key, found)
        return found

    def understand(self, kb: str, message: str) -> EntityQuery:
        """The products, codes and parts a message names, and the text retrieval should rank on."""
        live = self._open(kb).live
        if live is None:
            raise RuntimeError(f"the index of '{kb}' is not loaded")
        return entity_query(live, message)

    def retrieve_understood(
        self, kb: str, understood: EntityQuery, top_k: int, filters: Filters, mode: str
    ) -> Retrieval:
        """Retrieve for a message without its product names; when the products may be its subject,
        also for the whole message, keeping the more confident result (ties: without the names)."""
        found = self.retrieve(kb, understood.text, top_k, filters, mode, understood.prefer)
        if understood.also is None:
            return found
        whole = self.retrieve(kb, understood.also, top_k, filters, mode, understood.prefer)
        return whole if (whole.confidence or 0.0) > (found.confidence or 0.0) else found

    def article(self, kb: str, article_id: int) -> Article | None:
        """A live (published, indexed) article, from memory."""
        live = self._open(kb).live
        return live.state.articles.get(article_id) if live is not None else None

    def confidence(self, kb: str, outcome: SearchOutcome) -> float | None:
        """Calibrated probability that the outcome's top article answers the query (None: no hits)."""
        handle = self._open(kb)
        live = handle.live
        features = outcome_features(live, outcome) if live is not None else None
        if live is None or features is None:
            return None
        confidence = handle.calibrator.confidence(features, outcome.mode)
        top = live.chunk(outcome.state, outcome.fused[0].chunk)
        asked = _bare(outcome.normalized_query)
        title = outcome.state.articles[top.article_id].title
        if asked == _bare(title) or (top.kind in ("question", "similar") and asked == _bare(top.text)):
            # Asked word for word: calibration holds every question out, so it never sees this case
            # (and a just-published FAQ has no vectors yet to make its dense features agree).
            confidence = max(confidence, EXACT_QUESTION_CONFIDENCE)
        return confidence

    def status(self, kb: str) -> dict[str, Any]:
        handle = self._open(kb)
        running = self._builds.get(kb)
        return {
            **handle.summary(),
            "rebuilding": bool(running and not running.done()),
            "encoder": self.embedder.name,
            "encoder_error": self.embedder.error,
        }

    def readiness(self) -> dict[str, object]:
        loaded = {slug: h.status.state for slug, h in self.indexes.items()}
        ready = (
            bool(loaded)
            and all(state in ("ready", "building") for state in loaded.values())
            and all(h.live is not None for h in self.indexes.values())
        )
        return {
            "ready": ready,
            "indexes": {s: self.indexes[s].status.snapshot for s in loaded},
            "degraded": self.embedder.encoder is None,
        }


def _bare(text: str) -> str:
    """Normalised text without punctuation or spaces (a question mark more is the same question)."""
    return re.sub(r"[\W_]+", "", normalize(text))
