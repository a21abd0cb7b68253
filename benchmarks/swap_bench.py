"""What a search pays right after the index changes: the first search after a load and after each
publish, and the pauses of Python's full garbage collection with and without `settle_heap`.

    OMP_NUM_THREADS=1 python benchmarks/swap_bench.py            # 100k chunks, ~2 min
    OMP_NUM_THREADS=1 python benchmarks/swap_bench.py --chunks 20000

The index is `kb bench`'s synthetic one (random unit vectors, no encoder). Two loops of searches with
a publish before every other search: the first with the collector as Python leaves it, the second
after `kb_service.memory.settle_heap()` (what the service calls once it installs an index). Each
generation-2 collection is timed through `gc.callbacks`, before the settle (from the first search on)
and after it. Prints one JSON line.
"""

from __future__ import annotations

import argparse
import gc
import json
import statistics
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from indexer.bench.corpus import FaqFactory, Query
from indexer.bench.measure import build_live
from indexer.config import IndexConfig
from indexer.engine import LiveIndex
from indexer.tokenizer import Tokenizer
from kb_service.memory import settle_heap


def timed_ms(run: Callable[[], object]) -> float:
    started = time.perf_counter()
    run()
    return (time.perf_counter() - started) * 1e3


def search(live: LiveIndex, q: Query) -> float:
    return timed_ms(lambda: live.search(q.text, 10, None, "hybrid", q.vector))


@contextmanager
def full_collections() -> Iterator[list[float]]:
    """The durations (ms) of the generation-2 collections that run inside the block."""
    pauses: list[float] = []
    started = [0.0]

    def watch(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        elif info["generation"] == 2:
            pauses.append(round((time.perf_counter() - started[0]) * 1e3, 1))

    gc.callbacks.append(watch)
    try:
        yield pauses
    finally:
        gc.callbacks.remove(watch)


def publish_and_search(
    live: LiveIndex, factory: FaqFactory, queries: list[Query], first_id: int
) -> dict[str, Any]:
    """Searches with a publish before every other one; their latencies."""
    times = []
    for n, q in enumerate(queries):
        if n % 2 == 0:
            live.apply([factory.faq(first_id + n)])
        times.append(search(live, q))
    times.sort()
    return {
        "searches": len(times),
        "publishes": (len(times) + 1) // 2,
        "search_p50_ms": round(times[len(times) // 2], 2),
        "search_p99_ms": round(times[int(len(times) * 0.99) - 1], 2),
        "search_max_ms": round(times[-1], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--chunks", type=int, default=100_000)
    parser.add_argument("--searches", type=int, default=200, help="per garbage-collection loop")
    parser.add_argument("--publishes", type=int, default=20, help="for the first search after a publish")
    args = parser.parse_args()

    config = IndexConfig()
    factory = FaqFactory(0)
    kb = factory.corpus(args.chunks, config.chunk_max_chars)
    queries = factory.queries(kb, 21 + args.publishes + 2 * args.searches, 384)
    live, _ = build_live(kb, config, Tokenizer(config.tokenizer), 384)
    del kb
    with full_collections() as before:  # everything up to settle_heap
        first = search(live, queries[0])
        then = [search(live, q) for q in queries[1:21]]
        after_publish = []
        for n, q in enumerate(queries[21 : 21 + args.publishes]):
            live.apply([factory.faq(10**7 + n)])
            after_publish.append(search(live, q))
        rest = queries[21 + args.publishes :]
        as_python_leaves_it = publish_and_search(live, factory, rest[: args.searches], 2 * 10**7)
    settle = timed_ms(settle_heap)
    with full_collections() as after:
        settled = publish_and_search(live, factory, rest[args.searches : 2 * args.searches], 3 * 10**7)
    print(
        json.dumps(
            {
                "chunks": len(live.state.main),
                "first_search_after_load_ms": round(first, 2),
                "next_20_searches_p50_ms": round(statistics.median(then), 2),
                "first_search_after_a_publish_p50_ms": round(statistics.median(after_publish), 2),
                "first_search_after_a_publish_max_ms": round(max(after_publish), 2),
                "loop_as_python_leaves_it": as_python_leaves_it,
                "full_collections_before_settle_ms": before,
                "settle_heap_ms": round(settle, 1),
                "loop_after_settle_heap": settled,
                "full_collections_after_settle_ms": after,
            }
        )
    )


if __name__ == "__main__":
    main()
