"""Full builds: chunk, tokenise and embed every live article into a new main segment."""

from __future__ import annotations

from collections.abc import Callable, Iterable

import numpy as np

from indexer.centroids import PhrasingCentroids
from indexer.chunking import chunk_article
from indexer.config import IndexConfig
from indexer.dense import DenseIndex
from indexer.documents import Article
from indexer.segment import Segment
from indexer.tokenizer import Tokenizer

EmbedFn = Callable[[list[str]], np.ndarray]


def build_segment(
    articles: Iterable[Article], config: IndexConfig, tokenizer: Tokenizer, embed: EmbedFn | None
) -> Segment:
    """Build a main segment; `embed` (documents → unit vectors) is None for a BM25-only segment."""
    chunks = [
        c for a in sorted(articles, key=lambda a: a.id) for c in chunk_article(a, config.chunk_max_chars)
    ]
    dense, centroids = None, None
    if embed is not None and chunks:
        vectors = embed([c.text for c in chunks])
        dense = DenseIndex.build(
            vectors,
            np.arange(len(chunks), dtype=np.int64),
            kind=config.dense_kind,
            hnsw_threshold=config.hnsw_threshold,
            M=config.hnsw_m,
            ef_search=config.hnsw_ef_search,
        )
        centroids = PhrasingCentroids.build(chunks, dict(enumerate(vectors)))
    # a generator: BM25 consumes one chunk's tokens at a time (see `BM25Index.build`)
    tokens = (tokenizer.tokenize(c.sparse_text) for c in chunks)
    return Segment.build(chunks, tokens, config.bm25_k1, config.bm25_b, dense, centroids=centroids)
