"""`kb bench` encoder figures: the real encoder on a small sample, to estimate what random vectors skip."""

from __future__ import annotations

import time
from typing import Any

import numpy as np

from indexer.bench.corpus import Query, SyntheticKb
from indexer.bench.stats import percentiles_ms
from indexer.chunking import Chunk, chunk_article
from indexer.encoders import Encoder, EncoderError, encode_documents_parallel

QUERY_SAMPLE = 50
FAQ_SAMPLE = 5


def _sample(kb: SyntheticKb, max_chars: int, questions: int, passages: int) -> tuple[list[str], list[str]]:
    qs: list[str] = []
    ps: list[str] = []
    for article in kb.articles:
        for c in chunk_article(article, max_chars):
            (ps if c.kind == "answer" else qs).append(c.text)
        if len(qs) >= questions and len(ps) >= passages:
            break
    return qs[:questions], ps[:passages]


def _rate(encoder: Encoder, spec: tuple[str, str | None], texts: list[str]) -> float:
    """Texts per second embedding `texts` as a one-worker build does (in process, batches of 32)."""
    if not texts:
        return 0.0
    started = time.perf_counter()
    encode_documents_parallel(spec, texts, workers=1, encoder=encoder)
    return len(texts) / (time.perf_counter() - started)


def encoder_cost(
    encoder: Encoder | None,
    spec: tuple[str, str | None],
    kb: SyntheticKb,
    chunks: tuple[Chunk, ...],
    queries: list[Query],
    *,
    max_chars: int,
    questions: int,
    passages: int,
) -> dict[str, Any]:
    """Document throughput (questions, passages), one-FAQ embedding time and query latency, one thread.

    Args:
        encoder: a loaded encoder with one compute thread (None: the figures are skipped).
        spec: its (backend, model), as the build's workers would create it.
        chunks: every chunk of the built index (for the embedding-time estimate of a real build).
        max_chars: the index's chunk size (to chunk the sample as the build does).
    """
    if encoder is None:
        return {"available": False}
    sample_q, sample_p = _sample(kb, max_chars, questions, passages)
    try:
        encoder.encode_documents(sample_q[:2])  # warm-up: first call pays for lazy setup
        q_rate, p_rate = _rate(encoder, spec, sample_q), _rate(encoder, spec, sample_p)
        faq_times = []
        for article in kb.articles[-FAQ_SAMPLE:]:
            texts = [c.text for c in chunk_article(article, max_chars)]
            started = time.perf_counter()
            encode_documents_parallel(spec, texts, workers=1, encoder=encoder)
            faq_times.append(time.perf_counter() - started)
        query_times = []
        for q in queries[:QUERY_SAMPLE]:
            started = time.perf_counter()
            encoder.encode_queries([q.text])
            query_times.append(time.perf_counter() - started)
    except EncoderError as exc:
        return {"available": False, "error": str(exc)}
    n_passages = sum(1 for c in chunks if c.kind == "answer")
    n_questions = len(chunks) - n_passages
    estimate = n_questions / q_rate + n_passages / p_rate if q_rate and p_rate else None
    return {
        "available": True,
        "name": encoder.name,
        "dim": encoder.dim,
        "questions_per_s": round(q_rate, 1),
        "passages_per_s": round(p_rate, 1),
        "sample": {
            "questions": len(sample_q),
            "question_chars_mean": round(float(np.mean([len(t) for t in sample_q])), 1) if sample_q else 0,
            "passages": len(sample_p),
            "passage_chars_mean": round(float(np.mean([len(t) for t in sample_p])), 1) if sample_p else 0,
        },
        "estimated_build_embedding_s_one_core": round(estimate, 1) if estimate else None,
        "one_faq_embedding_ms": percentiles_ms(faq_times),
        "query_embedding_ms": percentiles_ms(query_times),
    }
