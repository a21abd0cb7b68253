"""The query embedding within a time budget per request: past it, BM25 answers alone (`degraded`).

The encoder costs about 1 ms of CPU per token, and with every core busy a query's embedding waits
for CPU on top of that. Rather than hold the request (and its search slot) until it finishes, the
request waits at most `budget_s` and searches without the vector; the embedding still finishes in
its worker and lands in the embedder's query cache, so the same question asked again is hybrid.
An embedding that has not started when its request gives up is cancelled.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout

import numpy as np

log = logging.getLogger(__name__)

EmbedQuery = Callable[[str], "np.ndarray | None"]


class DenseBudget:
    """Embeds queries on its own threads and gives each request at most `budget_s` seconds.

    Args:
        embed: the query embedding (`Embedder.query`: None when the encoder is unavailable).
        budget_s: seconds a request waits for its vector; 0 turns the dense side off.
        workers: embeddings at once (one per search thread: a request never queues behind another
            request's embedding unless that one ran past its own budget).
    """

    def __init__(self, embed: EmbedQuery, budget_s: float, workers: int) -> None:
        self.embed, self.budget_s = embed, max(0.0, budget_s)
        self._pool = ThreadPoolExecutor(max_workers=max(1, workers), thread_name_prefix="kb-embed-query")
        self.timeouts = 0  # requests that went on without their vector

    def vector(self, text: str) -> np.ndarray | None:
        """The query vector, or None when the encoder is unavailable or the budget ran out."""
        if self.budget_s <= 0:
            return None
        future = self._pool.submit(self.embed, text)
        try:
            return future.result(timeout=self.budget_s)
        except FutureTimeout:
            future.cancel()  # not started yet: skip it; running: it finishes into the query cache
            self.timeouts += 1
            log.info("query embedding took over %.0f ms; answering from BM25", self.budget_s * 1000)
            return None

    def close(self) -> None:
        self._pool.shutdown(wait=False, cancel_futures=True)
