"""Embedding with a persistent cache by text hash: builds embed only new texts, queries hit an LRU."""

from __future__ import annotations

import logging
import threading
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import numpy as np

from indexer.embedding_cache import EmbeddingCache, embed_with_cache
from indexer.encoders import Encoder, EncoderError, create_encoder, encode_documents_parallel

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

    @property
    def name(self) -> str | None:
        return self.encoder.name if self.encoder else None

    @property
    def dim(self) -> int | None:
        return self.encoder.dim if self.encoder else None

    def documents(self, texts: list[str], progress: Callable[[int], None] | None = None) -> np.ndarray:
        encoder = self.encoder
        if encoder is None:
            raise EncoderError(self.error or "no encoder")

        def embed(missing: list[str]) -> np.ndarray:
            workers = self.workers if len(missing) >= PARALLEL_MIN_TEXTS else 1
            return encode_documents_parallel(
                (self.backend, self.model), missing, workers=workers, progress=progress, encoder=encoder
            )

        return embed_with_cache(self.cache, texts, embed, encoder_name=encoder.name, kind="doc")

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
