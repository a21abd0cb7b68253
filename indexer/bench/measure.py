"""`kb bench` build and query figures: a full in-memory build, its memory, and query latency."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from typing import Any

import numpy as np

from indexer.bench.corpus import Query, SyntheticKb, text_vectors
from indexer.bench.stats import percentiles_ms, settle_memory
from indexer.build import build_segment
from indexer.config import IndexConfig
from indexer.engine import LiveIndex, Mode, SearchOutcome
from indexer.hits import to_hits
from indexer.tokenizer import Tokenizer, TokenizerConfig

SYNTHETIC_ENCODER = "synthetic-random"
WARMUP_QUERIES = 20


class TimedTokenizer(Tokenizer):
    """A tokenizer that adds up the time spent in `tokenize` and notes when it was first called."""

    def __init__(self, config: TokenizerConfig) -> None:
        super().__init__(config)
        self.seconds = 0.0
        self.first: float | None = None

    def tokenize(self, text: str) -> list[str]:
        started = time.perf_counter()
        if self.first is None:
            self.first = started
        tokens = super().tokenize(text)
        self.seconds += time.perf_counter() - started
        return tokens


def build_live(
    kb: SyntheticKb, config: IndexConfig, tokenizer: Tokenizer, dim: int
) -> tuple[LiveIndex, dict[str, Any]]:
    """Full build through `build_segment` (as `KbIndex.build` does), random vectors in place of the encoder.

    Returns the live index and the timings; `seconds` excludes making the vectors. The phases come from
    the order `build_segment` works in: chunk, embed, FAISS, then tokenise into BM25.
    """
    marks: dict[str, float] = {}
    timed_tokenizer = TimedTokenizer(config.tokenizer)

    def embed(texts: list[str]) -> np.ndarray:
        marks["embed_start"] = time.perf_counter()
        vectors = text_vectors(texts, dim)
        marks["embed_end"] = time.perf_counter()
        return vectors

    started = time.perf_counter()
    segment = build_segment(kb.articles, config, timed_tokenizer, embed)
    live = LiveIndex(segment, {a.id: a for a in kb.articles}, config, tokenizer, SYNTHETIC_ENCODER)
    total = time.perf_counter() - started
    vectors_s = marks["embed_end"] - marks["embed_start"]
    seconds = total - vectors_s
    first_token = timed_tokenizer.first or marks["embed_end"]
    after_dense = first_token >= marks["embed_end"]
    chunk_s = min(first_token, marks["embed_start"]) - started
    dense_s = first_token - marks["embed_end"] if after_dense else None
    assert segment.dense is not None
    return live, {
        "seconds": round(seconds, 3),
        "chunks_per_s": round(len(segment) / seconds, 1),
        "chunk_s": round(chunk_s, 3),
        "tokenize_s": round(timed_tokenizer.seconds, 3),
        "dense_index_s": round(dense_s, 3) if dense_s is not None else None,
        "bm25_s": round(seconds - chunk_s - timed_tokenizer.seconds - (dense_s or 0.0), 3),
        "random_vectors_s": round(vectors_s, 3),
        "dense_index": segment.dense.params,
        "bm25_terms": len(segment.bm25.vocab),
        "bm25_postings": int(segment.bm25.matrix.nnz),
    }


def memory_figures(
    live: LiveIndex, kb: SyntheticKb, rss_start: int, rss_corpus: int, rss_built: int
) -> dict[str, Any]:
    """Memory per chunk: everything the served index holds (articles included), minus the raw text."""
    n = len(live.state.main)
    raw = [s for a in kb.articles for s in (a.title, *a.similar_questions, a.answer)]
    raw_mem = sum(sys.getsizeof(s) for s in raw)
    raw_utf8 = sum(len(s.encode("utf-8")) for s in raw)
    seg = live.state.main
    m = seg.bm25.matrix
    bm25 = m.data.nbytes + m.indices.nbytes + m.indptr.nbytes + seg.bm25.idf.nbytes + seg.bm25.doc_len.nbytes
    dense = seg.dense.ntotal * (seg.dense.dim * 4) if seg.dense else 0
    total = rss_built - rss_start
    return {
        "rss_start_mb": _mb(rss_start),
        "rss_after_corpus_mb": _mb(rss_corpus),
        "rss_after_build_mb": _mb(rss_built),
        "corpus_bytes_per_chunk": round((rss_corpus - rss_start) / n),
        "build_added_bytes_per_chunk": round((rss_built - rss_corpus) / n),
        "raw_text_bytes_per_chunk": round(raw_mem / n),
        "raw_text_utf8_bytes_per_chunk": round(raw_utf8 / n),
        "beyond_raw_bytes_per_chunk": round((total - raw_mem) / n),
        "bm25_arrays_bytes_per_chunk": round(bm25 / n),
        "dense_vectors_bytes_per_chunk": round(dense / n),
    }


def query_latency(live: LiveIndex, queries: list[Query], top_k: int = 10) -> dict[str, Any]:
    """Latency per query of each search path, query embedding excluded (vectors are precomputed)."""
    s = live.state
    assert s.main.dense is not None
    dense = s.main.dense
    tokens = {q.text: live.tokenizer.tokenize_query(q.text) for q in queries}

    def engine(mode: Mode) -> Callable[[Query], SearchOutcome]:
        return lambda q: live.search(q.text, top_k, None, mode, q.vector)

    paths: dict[str, Callable[[Query], object]] = {
        "hybrid": engine("hybrid"),
        "hybrid_with_hits": lambda q: to_hits(live, live.search(q.text, top_k, None, "hybrid", q.vector)),
        "bm25": engine("bm25"),
        "dense": engine("dense"),
        "tokenize": lambda q: live.tokenizer.tokenize_query(q.text),
        "bm25_top10_raw": lambda q: s.main.bm25.top_k(tokens[q.text], top_k),  # tokens precomputed
        "dense_top10_raw": lambda q: dense.search(q.vector, top_k),
    }
    out: dict[str, Any] = {}
    for name, run in paths.items():
        for q in queries[:WARMUP_QUERIES]:
            run(q)
        times = []
        for q in queries:
            started = time.perf_counter()
            run(q)
            times.append(time.perf_counter() - started)
        out[name] = percentiles_ms(times)
    found = [q.article_id in {f.article_id for f in engine("hybrid")(q).fused} for q in queries]
    out["hybrid_target_in_top10"] = round(float(np.mean(found)), 3)
    out["query_tokens_mean"] = round(float(np.mean([len(t) for t in tokens.values()])), 1)
    settle_memory()
    return out


def _mb(n: int) -> float:
    return round(n / 2**20, 1)
