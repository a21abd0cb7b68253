"""Embedding with a persistent cache by text hash: builds embed only new texts, queries hit an LRU."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexer.embedding_cache import EmbeddingCache, Kind, embed_with_cache
from indexer.encoders import Encoder, EncoderError, create_encoder, encode_documents_parallel
from kb_service.indexing.isolated_build import EmbedderSpec

log = logging.getLogger(__name__)
PARALLEL_MIN_TEXTS = 256  # below this, worker processes cost more than they save


class Embedder:
    def __init__(
        self, backend: str, model: str | None, cache_path: Path, workers: int, query_cache: int = 4096
    ):
        self.backend, self.model, self.workers = backend, model, workers
        self.encoder: Encoder | None = None
        self.error: str | None = None
        try:
            self.encoder = create_encoder(backend, model, num_threads=1)
        except EncoderError as exc:  # degraded mode: BM25 serves alone
            self.error = str(exc)
            log.error("encoder unavailable, search runs on BM25 only: %s", exc)
        self.cache = EmbeddingCache(cache_path)
        self._queries: OrderedDict[str, np.ndarray] = OrderedDict()
        self._query_cache_size = query_cache
        self._lock = threading.Lock()

    def spec(self) -> EmbedderSpec:
        """What a build process needs to embed as this embedder does."""
        return EmbedderSpec(
            self.backend, self.model, Path(self.cache.path), self.workers, self.encoder is not None
        )

    @property
    def name(self) -> str | None:
        return self.encoder.name if self.encoder else None

    @property
    def dim(self) -> int | None:
        return self.encoder.dim if self.encoder else None

    def chunks(
        self, texts: list[str], query_max_chars: int, progress: Callable[[int], None] | None = None
    ) -> np.ndarray:
        """Chunk vectors, cached by text. A chunk of one line of at most `query_max_chars` characters
        (an FAQ's question or similar question, a title, a one-line entry) is embedded as a query:
        e5's `query:` prefix is meant for symmetric matching, and users' questions paraphrase such
        chunks. Longer or multi-line chunks (answers, passages, `title + phrasing` lines) are passages."""
        encoder = self.encoder
        if encoder is None:
            raise EncoderError(self.error or "no encoder")
        out = np.empty((len(texts), encoder.dim), dtype=np.float32)
        offset = 0  # texts embedded so far: progress keeps counting up across both kinds
        for queries in (True, False):
            rows = [i for i, t in enumerate(texts) if _question_like(t, query_max_chars) == queries]
            if rows:
                step = None if progress is None else (lambda n, base=offset: progress(base + n))
                out[rows], embedded = self._cached(encoder, [texts[i] for i in rows], queries, step)
                offset += embedded
        return out

    def _cached(
        self, encoder: Encoder, texts: list[str], queries: bool, progress: Callable[[int], None] | None
    ) -> tuple[np.ndarray, int]:
        """Vectors of texts of one kind, and how many of them had to be embedded."""
        embedded = 0

        def embed(missing: list[str]) -> np.ndarray:
            nonlocal embedded
            embedded = len(missing)
            workers = self.workers if len(missing) >= PARALLEL_MIN_TEXTS else 1
            spec = (self.backend, self.model)
            return encode_documents_parallel(
                spec, missing, workers=workers, progress=progress, encoder=encoder, queries=queries
            )

        kind: Kind = "query" if queries else "doc"
        vectors = embed_with_cache(self.cache, texts, embed, encoder_name=encoder.name, kind=kind)
        return vectors, embedded

    def queries(self, texts: list[str]) -> np.ndarray:
        """Query vectors for many texts (calibration), cached by text hash; raises when unavailable."""
        encoder = self.encoder
        if encoder is None:
            raise EncoderError(self.error or "no encoder")
        return embed_with_cache(
            self.cache, texts, encoder.encode_queries, encoder_name=encoder.name, kind="query"
        )

    def query(self, text: str) -> np.ndarray | None:
        """The query vector, or None when the encoder is unavailable or fails (the caller degrades)."""
        encoder = self.encoder
        if encoder is None:
            return None
        with self._lock:
            cached = self._queries.get(text)
            if cached is not None:
                self._queries.move_to_end(text)
                return cached
        try:
            vector = encoder.encode_queries([text])[0]
        except (EncoderError, RuntimeError, OSError, ValueError) as exc:
            log.warning("query embedding failed, answering with BM25: %s", exc)
            return None
        with self._lock:
            self._queries[text] = vector
            if len(self._queries) > self._query_cache_size:
                self._queries.popitem(last=False)
        return vector


def _question_like(text: str, max_chars: int) -> bool:
    return len(text) <= max_chars and "\n" not in text
