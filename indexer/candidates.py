"""Candidate chunks per side (BM25, dense) for one query over a live state, and the evidence that
tells whether a later state of the same index would give the same candidates.

Each side takes the main segment's best `k` chunks, then the delta's chunks that reach the last
main score, as if the delta were part of the main segment (with fewer than `k` main hits, every
delta hit counts). A search's ranking is a function of those candidates, their articles and the
articles' pending / line flags; the main segment never changes in place. So a live change leaves a
query's ranking as it was when no new tombstone appeared (a change to any main-segment article
tombstones its chunks), every delta candidate's article is the same object, and the delta still
yields the same candidates: `still_ranks` checks exactly that, at the cost of searching the (small)
delta again. Only the delta candidates' articles are recorded: a few, where all of them (up to 900)
made a cached entry 15 KB larger. Extra delta candidates (of articles that were no candidates
before) are allowed when they fit the result's `Margin` (`indexer.margin`). Result caches use
`still_ranks` to survive publishing.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

import numpy as np

from indexer.dense import IdExclusion
from indexer.documents import Article
from indexer.filters import Filters
from indexer.margin import Margin
from indexer.ranking import Candidate, ChunkHits, ChunkRef, Raw, best_per_article, dense_per_article

if TYPE_CHECKING:
    from indexer.state import LiveState

Acceptor = Callable[[int], bool]


@dataclass(frozen=True)
class SideEvidence:
    k: int  # how many main chunks the side took
    cutoff: float  # the score a delta chunk had to reach
    delta: frozenset[tuple[int, float, str]]  # the delta's candidates: (article id, score, chunk text)


@dataclass(frozen=True)
class Side:
    hits: ChunkHits  # the main segment's candidates, then the delta's
    delta: list[Raw]  # the delta's candidates again, as the evidence records them
    evidence: SideEvidence


@dataclass(frozen=True)
class Evidence:
    """What a search depended on besides the (immutable) main segment."""

    tombstones: frozenset[int]
    bm25: SideEvidence | None
    dense: SideEvidence | None
    vector: np.ndarray | None
    delta_articles: tuple[tuple[int, Article | None], ...]  # the delta candidates' articles as they were
    pending: frozenset[int]  # those waiting for vectors
    phrasings: frozenset[int]  # those that are phrasing entries
    lines: frozenset[int]  # those with line chunks
    any_phrasings: bool  # whether the KB had phrasing entries at all (the dense side is cut then)
    any_lines: bool  # whether it had line chunks at all (the dense side fetches 8x more then)
    margin: Margin | None = None  # how new candidates may score without changing the result


def bm25_side(s: LiveState, tokens: list[str], k: int, filters: Filters, accept: Acceptor | None) -> Side:
    allowed = s.alive_main
    if filters.active:
        assert accept is not None
        owners = np.unique(s.main.chunk_article)
        ok = np.fromiter((accept(int(a)) for a in owners), dtype=bool, count=len(owners))
        allowed = allowed & np.isin(s.main.chunk_article, owners[ok])
    idx, scores = s.main.bm25.top_k(tokens, k, allowed)
    cutoff = _cutoff(scores, k)
    delta = _bm25_delta(s, tokens, k, cutoff)
    return Side(_hits(s.main.chunk_article, idx, scores, delta), delta, _evidence(s, k, cutoff, delta))


def dense_fetch(s: LiveState, depth: int, filters: Filters) -> int:
    fetch = depth * (4 if filters.active else 1)  # tombstones are hidden inside FAISS, not fetched
    # A line entry's best line and its passage must both be candidates, so fetch deeper. An FAQ's
    # parts need no more: its best question is among the top chunks whenever it matters, and fetching
    # 8x for them cost ~7 ms of Python per query at 100k chunks and lost top-1 accuracy (FAQ route
    # clinc150 0.798 at 8x, 0.807 at 1x; sample KB held-out phrasings 0.763 / 0.770).
    if s.line_articles:
        fetch *= 8
    return fetch


def dense_side(s: LiveState, vector: np.ndarray, k: int, exclude: IdExclusion | None) -> Side:
    ids, scores = np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
    if s.main.dense is not None:
        ids, scores = s.main.dense.search(vector, min(k, s.main.dense.ntotal), exclude=exclude)
    cutoff = _cutoff(scores, k)
    delta = _dense_delta(s, vector, k, cutoff)
    return Side(_hits(s.main.chunk_article, ids, scores, delta), delta, _evidence(s, k, cutoff, delta))


def pending_articles(s: LiveState) -> frozenset[int]:
    if not s.pending or s.delta is None:
        return frozenset()
    return frozenset(c.article_id for c in s.delta.chunks if c.text in s.pending)


def dense_articles(
    s: LiveState, vector: np.ndarray, chunks: ChunkHits, depth: int
) -> tuple[dict[int, Candidate], bool]:
    """A search's dense score per article (`ranking.dense_per_article`) and whether that side is full.

    With phrasing entries the side is cut back to `depth` articles (with line entries it was fetched
    8x deeper, `dense_fetch`) so that its min-max range does not depend on the fetch, and it is full
    when it holds `depth` articles (a new one then pushes one out, see `Margin.dense_full`). Without
    phrasing entries nothing is cut: up to `depth` chunks were fetched, and a delta candidate joins as
    one more article.
    """
    if not s.phrasing_articles:
        return best_per_article(chunks), False
    entry = _row_flags(s, chunks, "entry_rows")
    centroids = centroid_scores(s, vector, np.unique(chunks.articles[entry]).tolist())
    phrasing = _row_flags(s, chunks, "phrasing_rows")
    dense = dense_per_article(chunks, phrasing, entry, centroids, depth)
    return dense, len(dense) >= depth


def _row_flags(s: LiveState, hits: ChunkHits, flags: Literal["entry_rows", "phrasing_rows"]) -> np.ndarray:
    """A segment's per-chunk flags (`Segment.entry_rows` / `phrasing_rows`) for candidate rows. A main
    row's article is served as main has it: a changed article's main chunks are tombstoned."""
    out = np.zeros(len(hits.articles), dtype=bool)
    main = ~hits.in_delta
    out[main] = getattr(s.main, flags)[hits.positions[main]]
    if s.delta is not None and not main.all():
        out[~main] = getattr(s.delta, flags)[hits.positions[~main]]
    return out


def centroid_scores(s: LiveState, vector: np.ndarray, article_ids: Iterable[int]) -> dict[int, float]:
    """The query's inner product with the phrasing centroid of each phrasing entry among `article_ids`
    (an article in the delta has its centroid there; its main chunks are tombstoned)."""
    phrasings = s.phrasing_articles
    wanted = [a for a in article_ids if a in phrasings]
    if not wanted:
        return {}
    in_delta: frozenset[int] = frozenset()
    out: dict[int, float] = {}
    if s.delta is not None:
        in_delta = s.delta.article_ids.intersection(wanted)
        if s.delta.centroids is not None:
            out |= s.delta.centroids.scores(vector, sorted(in_delta))
    if s.main.centroids is not None:
        out |= s.main.centroids.scores(vector, [a for a in wanted if a not in in_delta])
    return out


def evidence(
    s: LiveState,
    bm25: Side | None,
    dense: Side | None,
    vector: np.ndarray | None,
    margin: Margin | None,
) -> Evidence:
    ids = sorted({a for side in (bm25, dense) if side is not None for a, _, _ in side.delta})
    return Evidence(
        s.tombstones,
        bm25.evidence if bm25 else None,
        dense.evidence if dense else None,
        vector,
        tuple((a, s.articles.get(a)) for a in ids),
        pending_articles(s).intersection(ids),
        s.phrasing_articles.intersection(ids),
        s.line_articles.intersection(ids),
        bool(s.phrasing_articles),
        bool(s.line_articles),
        margin,
    )


def still_ranks(s: LiveState, ev: Evidence, tokens: list[str]) -> bool:
    """Whether searching `s` gives the ranking recorded in `ev`."""
    if s.tombstones != ev.tombstones or (bool(s.phrasing_articles), bool(s.line_articles)) != (
        ev.any_phrasings,
        ev.any_lines,
    ):
        return False
    ids = [a for a, _ in ev.delta_articles]
    if any(s.articles.get(a) is not article for a, article in ev.delta_articles):
        return False
    pending = pending_articles(s)
    if pending.intersection(ids) != ev.pending or s.phrasing_articles.intersection(ids) != ev.phrasings:
        return False
    if s.line_articles.intersection(ids) != ev.lines:
        return False
    new_bm25: list[Raw] = []
    new_dense: list[Raw] = []
    if ev.bm25 is not None:
        found = _new_delta(s, ev.bm25, _bm25_delta(s, tokens, ev.bm25.k, ev.bm25.cutoff))
        if found is None:
            return False
        new_bm25 = found
    if ev.dense is not None and ev.vector is not None:
        found = _new_delta(s, ev.dense, _dense_delta(s, ev.vector, ev.dense.k, ev.dense.cutoff))
        if found is None:
            return False
        new_dense = found
    if not new_bm25 and not new_dense:
        return True
    new_ids = {a for a, _, _ in new_bm25 + new_dense}
    if ev.margin is None or ev.pending or new_ids & pending or not new_ids.isdisjoint(ids):
        return False  # pending articles' stand-in scores depend on every candidate's rank
    assert s.delta is not None
    centroids = centroid_scores(s, ev.vector, new_ids) if ev.vector is not None else None
    return ev.margin.admits(
        new_bm25, new_dense, s.phrasing_articles, s.is_phrasing, centroids, s.line_articles
    )


def _new_delta(s: LiveState, recorded: SideEvidence, delta: list[Raw]) -> list[Raw] | None:
    """The delta candidates beyond the recorded ones, or None when a recorded one is gone."""
    texts = s.delta.chunks if s.delta is not None else ()
    keyed = [((a, score, texts[ref.position].text), (a, score, ref)) for a, score, ref in delta]
    if not recorded.delta <= {key for key, _ in keyed}:
        return None
    return [raw for key, raw in keyed if key not in recorded.delta]


def _bm25_delta(s: LiveState, tokens: list[str], k: int, cutoff: float) -> list[Raw]:
    if s.delta is None:
        return []
    idx, scores = s.delta.bm25.top_k(tokens, k)
    return _raw(s.delta.chunk_article, idx, scores, cutoff)


def _dense_delta(s: LiveState, vector: np.ndarray, k: int, cutoff: float) -> list[Raw]:
    if s.delta is None or s.delta.dense is None:
        return []
    ids, scores = s.delta.dense.search(vector, min(k, s.delta.dense.ntotal))
    return _raw(s.delta.chunk_article, ids, scores, cutoff)


def _raw(owners: np.ndarray, positions: np.ndarray, scores: np.ndarray, cutoff: float) -> list[Raw]:
    """Delta candidates that reach `cutoff`."""
    keep = scores >= cutoff
    positions, scores = positions[keep].tolist(), scores[keep].astype(np.float64).tolist()
    articles = owners[positions].tolist()
    return [(a, v, ChunkRef("delta", p)) for a, v, p in zip(articles, scores, positions, strict=True)]


def _cutoff(main_scores: np.ndarray, k: int) -> float:
    return float(main_scores[-1]) if len(main_scores) and len(main_scores) >= k else -math.inf


def _hits(owners: np.ndarray, positions: np.ndarray, scores: np.ndarray, delta: list[Raw]) -> ChunkHits:
    main = ChunkHits(
        owners[positions],
        scores.astype(np.float64),
        np.zeros(len(positions), dtype=bool),
        positions.astype(np.int64),
    )
    if not delta:
        return main
    return ChunkHits(*(np.concatenate(pair) for pair in zip(main, ChunkHits.of(delta), strict=True)))


def _evidence(s: LiveState, k: int, cutoff: float, delta: list[Raw]) -> SideEvidence:
    assert s.delta is not None or not delta
    texts = s.delta.chunks if s.delta is not None else ()
    return SideEvidence(k, cutoff, frozenset((a, score, texts[ref.position].text) for a, score, ref in delta))
