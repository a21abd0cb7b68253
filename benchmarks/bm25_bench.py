"""BM25 top-10 latency: our sparse BM25Index vs rank_bm25.BM25Okapi.get_scores.

Synthetic Chinese-like corpus: a Zipfian vocabulary of 1-4 character "words" from the CJK range,
documents of ~20 tokens, queries of 2-8 tokens drawn from the same distribution.

    OMP_NUM_THREADS=1 python benchmarks/bm25_bench.py [--docs 100000] [--queries 2000]
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from rank_bm25 import BM25Okapi

from indexer.bm25 import BM25Index


def make_vocab(rng: np.random.Generator, size: int) -> list[str]:
    lengths = rng.choice([1, 2, 3, 4], p=[0.15, 0.6, 0.15, 0.1], size=size)
    codes = rng.integers(0x4E00, 0x4E00 + 3500, size=int(lengths.sum()))
    chars = [chr(c) for c in codes]
    out, pos = [], 0
    for n in lengths:
        out.append("".join(chars[pos : pos + n]))
        pos += n
    return list(dict.fromkeys(out))


def zipf_sampler(rng: np.random.Generator, n_terms: int, s: float) -> np.ndarray:
    p = 1.0 / np.arange(1, n_terms + 1) ** s
    return np.cumsum(p / p.sum())


def sample(rng: np.random.Generator, cdf: np.ndarray, vocab: list[str], n: int) -> list[str]:
    ids = np.minimum(np.searchsorted(cdf, rng.random(n)), len(vocab) - 1)
    return [vocab[i] for i in ids]


def percentiles(times: list[float]) -> tuple[float, float]:
    arr = np.array(times) * 1e3
    return float(np.percentile(arr, 50)), float(np.percentile(arr, 99))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--docs", type=int, default=100_000)
    ap.add_argument("--vocab", type=int, default=60_000)
    ap.add_argument("--zipf", type=float, default=1.05)
    ap.add_argument("--queries", type=int, default=2000)
    ap.add_argument("--ref-queries", type=int, default=20)
    args = ap.parse_args()
    rng = np.random.default_rng(0)
    vocab = make_vocab(rng, args.vocab)
    cdf = zipf_sampler(rng, len(vocab), args.zipf)
    lengths = rng.integers(10, 31, size=args.docs)  # mean 20 tokens
    corpus = [sample(rng, cdf, vocab, int(n)) for n in lengths]
    queries = [sample(rng, cdf, vocab, int(rng.integers(2, 9))) for _ in range(args.queries)]

    t = time.perf_counter()
    index = BM25Index.build(corpus)
    build = time.perf_counter() - t
    nnz = index.matrix.nnz
    mem = index.matrix.data.nbytes + index.matrix.indices.nbytes + index.matrix.indptr.nbytes
    print(f"corpus: {args.docs} docs, {len(index.vocab)} terms, {nnz} postings; build {build:.2f} s")
    print(f"matrix memory: {mem / 1e6:.1f} MB ({mem / args.docs:.0f} B/doc)")

    ours = []
    for q in queries:
        t = time.perf_counter()
        index.top_k(q, 10)
        ours.append(time.perf_counter() - t)
    p50, p99 = percentiles(ours)
    print(f"BM25Index.top_k(10):     p50 {p50:.3f} ms  p99 {p99:.3f} ms  ({len(queries)} queries)")

    ref = BM25Okapi(corpus)
    theirs = []
    for q in queries[: args.ref_queries]:
        t = time.perf_counter()
        s = ref.get_scores(q)
        theirs.append(time.perf_counter() - t)
        top = np.argsort(-s, kind="stable")[:10]
        mine, _ = index.top_k(q, 10)
        assert np.allclose(s[mine], s[top][: len(mine)], atol=1e-9), "top-10 differs from rank_bm25"
    r50, r99 = percentiles(theirs)
    print(f"rank_bm25.get_scores:    p50 {r50:.3f} ms  p99 {r99:.3f} ms  ({len(theirs)} queries)")
    print(f"speed-up at p50: {r50 / p50:.0f}x")


if __name__ == "__main__":
    main()
