"""`kb bench` publish figures: how long until a published, edited or removed FAQ shows in search.

The path measured is the one the service's publish calls (`KbIndex.apply` → `LiveIndex.apply`, then
`LiveIndex.attach_vectors` when the background embedding is done). Vectors are random stand-ins, so
"found by dense" excludes the embedding itself (see the encoder figures for its cost).
"""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from indexer.bench.corpus import FaqFactory, SyntheticKb, text_vectors
from indexer.bench.stats import percentiles_ms
from indexer.chunking import chunk_article
from indexer.documents import Article
from indexer.engine import LiveIndex, Mode


def _found(live: LiveIndex, article_id: int, query: str, vector: np.ndarray | None = None) -> bool:
    mode: Mode = "dense" if vector is not None else "bm25"
    return article_id in {f.article_id for f in live.search(query, 10, None, mode, vector).fused}


def _publish(live: LiveIndex, factory: FaqFactory, article: Article, dim: int) -> dict[str, Any]:
    """Upsert `article`, then search for it by BM25, attach its vectors and search for it by dense."""
    question = chunk_article(article, live.config.chunk_max_chars)[0].text
    vector = factory.query_vector(question, dim)
    started = time.perf_counter()
    pending = live.apply([article])
    applied = time.perf_counter()
    bm25 = _found(live, article.id, article.title)
    bm25_at = time.perf_counter()
    vectors = dict(zip(pending, text_vectors(pending, dim), strict=True))  # the (excluded) "embedding"
    attach_start = time.perf_counter()
    live.attach_vectors(vectors)
    attached = time.perf_counter()
    dense = _found(live, article.id, article.title, vector)
    dense_at = time.perf_counter()
    return {
        "apply": applied - started,
        "found_bm25": bm25_at - started,
        "attach": attached - attach_start,
        "found_dense": (applied - started) + (dense_at - attach_start),
        "bm25_ok": bm25,
        "dense_ok": dense,
    }


def publish_latency(
    live: LiveIndex, factory: FaqFactory, kb: SyntheticKb, *, rounds: int, dim: int, delta_chunks: int
) -> dict[str, Any]:
    """Per round: publish a new FAQ, edit an existing one, remove another; then the same with a full delta.

    Args:
        rounds: publishes of each kind.
        delta_chunks: the delta size at which the service compacts; the last rounds run at that size.
    """
    rng = np.random.default_rng(factory.seed + 1)
    next_id = max(a.id for a in kb.articles) + 1
    old = rng.choice(len(kb.articles), size=2 * rounds, replace=False).tolist()
    new, edit, remove, gone = [], [], [], []
    for i in range(rounds):
        new.append(_publish(live, factory, factory.faq(next_id, marker=f"bench{i}new"), dim))
        next_id += 1
        edited = kb.articles[old[2 * i]]
        article = factory.faq(edited.id, marker=f"bench{i}edit", version=edited.version + 1)
        edit.append(_publish(live, factory, article, dim))
        removed = kb.articles[old[2 * i + 1]]
        started = time.perf_counter()
        live.apply(removals=[removed.id])
        applied = time.perf_counter()
        ok = not _found(live, removed.id, removed.title)
        remove.append({"apply": applied - started, "gone": time.perf_counter() - started, "ok": ok})
        gone.append(ok)
    bulk = []
    while live.delta_size < delta_chunks:
        bulk.append(factory.faq(next_id))
        next_id += 1
        if len(bulk) == 50 or live.delta_size + 5 * len(bulk) >= delta_chunks:
            live.apply(bulk)
            bulk = []
    full = [_publish(live, factory, factory.faq(next_id + i, marker=f"bench{i}full"), dim) for i in range(5)]
    return {
        "rounds": rounds,
        "new_apply_ms": percentiles_ms(r["apply"] for r in new),
        "new_found_bm25_ms": percentiles_ms(r["found_bm25"] for r in new),
        "edit_apply_ms": percentiles_ms(r["apply"] for r in edit),
        "edit_found_bm25_ms": percentiles_ms(r["found_bm25"] for r in edit),
        "remove_apply_ms": percentiles_ms(r["apply"] for r in remove),
        "remove_gone_ms": percentiles_ms(r["gone"] for r in remove),
        "attach_ms": percentiles_ms(r["attach"] for r in new + edit),
        "found_dense_ms": percentiles_ms(r["found_dense"] for r in new + edit),
        "found_by_bm25": all(r["bm25_ok"] for r in new + edit),
        "found_by_dense": all(r["dense_ok"] for r in new + edit),
        "removed_gone": all(gone),
        "full_delta": {
            "delta_chunks": live.delta_size,
            "new_found_bm25_ms": percentiles_ms(r["found_bm25"] for r in full),
            "found_dense_ms": percentiles_ms(r["found_dense"] for r in full),
            "found_by_bm25": all(r["bm25_ok"] for r in full),
            "found_by_dense": all(r["dense_ok"] for r in full),
        },
    }
