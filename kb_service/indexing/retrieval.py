"""What a retrieval gives the clients, and the version of the index the result cache keys it by."""

from __future__ import annotations

import bisect
import time
from dataclasses import dataclass

from indexer.candidates import Evidence
from indexer.documents import Article
from indexer.engine import LiveIndex
from indexer.ranking import Hit


@dataclass(frozen=True)
class Retrieval:
    """A search's result for the clients, without the index state it ran on (cache entries outlive it)."""

    hits: list[Hit]
    articles: dict[int, Article]  # the hits' articles
    confidence: float | None  # calibrated probability that hits[0] answers the query (None: no hits)
    mode: str
    degraded: bool
    normalized_query: str
    query_tokens: list[str]
    evidence: Evidence | None  # what the ranking depended on, to keep it across live changes


def cache_version(live: LiveIndex) -> tuple[tuple[int, int], int]:
    """(family, version) for the result cache: the family changes with a rebuild (a new live index)
    and whenever an article's validity window opens or closes; the version with every live change."""
    state = live.state
    epoch = bisect.bisect_right(state.validity_times, time.time())
    return (live.serial, epoch), state.generation
