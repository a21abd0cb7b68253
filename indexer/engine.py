"""The live index of one KB: an immutable main segment plus a small delta for edits since the last build.

Publishing one article tombstones its chunks in the main segment and rebuilds the (small) delta: BM25
at once, the dense side as soon as the article's vectors are attached (`attach_vectors`). Search
reads one immutable `LiveState`; changes build a new state and swap it under a lock.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import Counter
from collections.abc import Callable, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from functools import partial
from typing import Literal

import numpy as np

from indexer.candidates import (
    Evidence,
    Side,
    bm25_side,
    dense_articles,
    dense_fetch,
    dense_side,
    evidence,
    pending_articles,
    still_ranks,
)
from indexer.centroids import PhrasingCentroids
from indexer.chunking import PHRASING_KINDS, Chunk, chunk_article
from indexer.codes import ArticleCodes
from indexer.config import IndexConfig
from indexer.dense import DenseIndex, IdExclusion
from indexer.documents import Article
from indexer.entities import EntityVocabulary, ProductPreference
from indexer.filters import Filters, is_valid_at
from indexer.margin import margin
from indexer.ranking import (
    Candidate,
    ChunkHits,
    ChunkRef,
    Fused,
    best_per_article,
    fuse,
    query_codes,
    single_side,
)
from indexer.segment import Segment
from indexer.state import LiveState
from indexer.text import normalize
from indexer.tokenizer import Tokenizer

Mode = Literal["hybrid", "bm25", "dense"]
_SERIALS = itertools.count(1)
# Dense candidates are fetched here while the calling thread does the BM25 side (both ~1 ms at 100k
# chunks). Two threads: one per core; FAISS runs with one OpenMP thread per call.
_DENSE_SEARCH = ThreadPoolExecutor(max_workers=2, thread_name_prefix="kb-dense")
Acceptor = Callable[[int], bool]


@dataclass(frozen=True)
class SearchOutcome:
    fused: list[Fused]
    mode: Mode
    degraded: bool
    normalized_query: str
    query_tokens: list[str]
    state: LiveState
    evidence: Evidence | None = None  # what the ranking depended on (see `indexer.candidates`)


class LiveIndex:
    def __init__(
        self,
        main: Segment,
        articles: dict[int, Article],
        config: IndexConfig,
        tokenizer: Tokenizer,
        encoder_name: str | None,
    ):
        self.config, self.tokenizer, self.encoder_name = config, tokenizer, encoder_name
        self.serial = next(_SERIALS)  # tells indexes apart where id() could be reused after a rebuild
        self._lock = threading.Lock()
        self._codes = ArticleCodes(articles.values())
        self._excluded: tuple[frozenset[int], IdExclusion] | None = None
        self._delta_tokens: dict[str, list[str]] = {}  # by chunk text, for the current delta's chunks
        self._products = Counter(p for a in articles.values() for p in a.products)
        self._entities: EntityVocabulary | None = None  # built on first use, again when products change
        alive = np.ones(len(main), dtype=bool)
        self.state = LiveState(main, None, frozenset(), alive, dict(articles), {}, frozenset(), 0).prepare()

    # ---- changes -------------------------------------------------------------------------------
    def apply(self, upserts: Iterable[Article] = (), removals: Iterable[int] = ()) -> list[str]:
        """Make `upserts` live (replacing older versions) and drop `removals`; BM25 is updated at once.

        Returns the chunk texts that still need vectors (pass them to `attach_vectors`).
        """
        upserts, removals = list(upserts), set(removals)
        with self._lock:
            self._codes.update(upserts, removals)
            s = self.state
            changed = {a.id for a in upserts} | removals
            self._count_products(s.articles, changed, upserts)
            articles = {k: v for k, v in s.articles.items() if k not in changed}
            articles.update({a.id: a for a in upserts})
            tomb = s.tombstones | frozenset(
                np.flatnonzero(np.isin(s.main.chunk_article, list(changed))).tolist()
            )
            keep = [c for c in (s.delta.chunks if s.delta else ()) if c.article_id not in changed]
            chunks = keep + [c for a in upserts for c in chunk_article(a, self.config.chunk_max_chars)]
            vectors = {c.text: s.delta_vectors[c.text] for c in chunks if c.text in s.delta_vectors}
            pending = frozenset(c.text for c in chunks if c.text not in vectors)
            delta = self._delta(chunks, vectors)
            alive = np.ones(len(s.main), dtype=bool)
            alive[list(tomb)] = False
            new = LiveState(s.main, delta, tomb, alive, articles, vectors, pending, s.generation + 1)
            self.state = new.prepare()
            return sorted(pending)

    def _count_products(self, before: dict[int, Article], changed: set[int], upserts: list[Article]) -> None:
        names = set(self._products)
        self._products.subtract(p for i in changed if i in before for p in before[i].products)
        self._products.update(p for a in upserts for p in a.products)
        self._products = +self._products  # drop names no live article lists any more
        if set(self._products) != names:
            self._entities = None

    @property
    def entities(self) -> EntityVocabulary:
        """The KB's product and series names (catalogue and live articles' `products`)."""
        vocabulary = self._entities
        if vocabulary is None:
            vocabulary = EntityVocabulary.build(self.config.catalogue, list(self._products))
            self._entities = vocabulary
        return vocabulary

    def knows_term(self, term: str) -> bool:
        """Whether a normalised token occurs in the KB's indexed text (main segment or delta)."""
        s = self.state
        return term in s.main.bm25.vocab or (s.delta is not None and term in s.delta.bm25.vocab)

    def attach_vectors(self, vectors: dict[str, np.ndarray]) -> None:
        """Add vectors for pending delta chunks and rebuild the delta's dense index."""
        with self._lock:
            s = self.state
            if s.delta is None:
                return
            merged = dict(s.delta_vectors)
            merged.update({t: v for t, v in vectors.items() if t in s.pending})
            delta = self._delta(list(s.delta.chunks), merged)
            assert delta is not None  # the same non-empty chunks as before
            pending = frozenset(c.text for c in delta.chunks if c.text not in merged)
            new = replace(s, delta=delta, delta_vectors=merged, pending=pending, generation=s.generation + 1)
            self.state = new.prepare()

    def _delta(self, chunks: list[Chunk], vectors: dict[str, np.ndarray]) -> Segment | None:
        if not chunks:
            return None
        known = self._delta_tokens  # every change rebuilds the delta: tokenise only new chunks
        tokens = [
            known[c.sparse_text] if c.sparse_text in known else self.tokenizer.tokenize(c.sparse_text)
            for c in chunks
        ]
        self._delta_tokens = {c.sparse_text: t for c, t in zip(chunks, tokens, strict=True)}
        have = [i for i, c in enumerate(chunks) if c.text in vectors]
        dense, centroids = None, None
        if have:
            matrix = np.stack([vectors[chunks[i].text] for i in have])
            dense = DenseIndex.build(matrix, np.asarray(have, dtype=np.int64), kind="flat")
            centroids = PhrasingCentroids.build(chunks, {i: vectors[chunks[i].text] for i in have})
        return Segment.build(
            chunks,
            tokens,
            self.config.bm25_k1,
            self.config.bm25_b,
            dense,
            base=self.state.main.bm25 if len(self.state.main) else None,
            centroids=centroids,
        )

    @property
    def delta_size(self) -> int:
        s = self.state
        return len(s.delta) if s.delta else 0

    # ---- search --------------------------------------------------------------------------------
    def search(
        self,
        query: str,
        top_k: int = 10,
        filters: Filters | None = None,
        mode: Mode = "hybrid",
        query_vector: np.ndarray | None = None,
        hold_out: frozenset[int] = frozenset(),
        prefer: ProductPreference | None = None,
    ) -> SearchOutcome:
        """Rank live, valid, filter-matching articles for `query`; without a vector, dense modes degrade.

        `hold_out` hides main-segment chunk positions from this one query (calibration asks each
        similar question against the rest of the KB). `prefer`: products the message named (hybrid
        ranking prefers their articles a little, `FusionConfig.product_boost`).
        """
        s, filters = self.state, filters or Filters()
        if hold_out:
            alive = s.alive_main.copy()
            alive[list(hold_out)] = False
            main = s.main.with_centroids(_centroids_without(s.main, hold_out))
            s = replace(s, main=main, tombstones=s.tombstones | hold_out, alive_main=alive)
        want_dense = mode in ("hybrid", "dense")
        degraded = want_dense and (query_vector is None or s.main.dense is None and s.delta is None)
        depth = max(self.config.fusion.depth, top_k * 4)
        accept = self._acceptor(s, filters)
        search_dense: Callable[[], Side] | None = None
        if want_dense and not degraded:
            assert query_vector is not None
            exclude = self._exclusion(s.tombstones) if s.tombstones else None
            search_dense = partial(dense_side, s, query_vector, dense_fetch(s, depth, filters), exclude)
        # FAISS releases the GIL: in a hybrid search it runs in another thread while this one does BM25
        dense_job = _DENSE_SEARCH.submit(search_dense) if search_dense and mode == "hybrid" else None
        normalized = normalize(query)
        tokens = self.tokenizer.tokenize_query(query)
        bm25_cands = bm25_side(s, tokens, depth, filters, accept) if mode != "dense" or degraded else None
        bm25 = best_per_article(_accepted(bm25_cands.hits, accept)) if bm25_cands else {}
        dense_cands, dense_floor, dense_full = None, math.inf, False
        dense: dict[int, Candidate] = {}
        if search_dense is not None:
            assert query_vector is not None
            dense_cands = dense_job.result() if dense_job is not None else search_dense()
            dense_chunks = _accepted(dense_cands.hits, accept)
            dense_floor = float(dense_chunks.scores.min()) if len(dense_chunks.scores) else math.inf
            dense, dense_full = dense_articles(s, query_vector, dense_chunks, depth)
        asked = query_codes(normalized) if mode == "hybrid" and not degraded else ()  # fusion boosts codes
        if mode == "hybrid" and not degraded:
            candidates = bm25.keys() | dense.keys()
            codes = self._codes.hits(s.articles, asked, candidates)
            bonus = self._product_bonus(s, prefer, candidates) if prefer else None
            fused = fuse(
                bm25, dense, self.config.fusion, codes, pending_articles(s), top_k, s.line_articles, bonus
            )
        elif dense:
            fused = single_side(dense, "dense", top_k)
        else:
            fused = single_side(bm25, "bm25", top_k)
        used: Mode = "bm25" if degraded else mode
        found = None
        if not hold_out:
            fusion = self.config.fusion
            gain = len(asked) + (
                fusion.product_boost / fusion.code_boost if prefer and fusion.code_boost else 0
            )
            room = margin(used, bm25, dense, dense_floor, fused, top_k, fusion, gain, dense_full)
            found = evidence(s, bm25_cands, dense_cands, query_vector, room)
        return SearchOutcome(fused[:top_k], used, degraded, normalized, tokens, s, found)

    def still_ranks(self, found: Evidence | None, query_tokens: list[str]) -> bool:
        """Whether searching the current state would rank a query as it did when `found` was recorded."""
        return found is not None and still_ranks(self.state, found, query_tokens)

    def _product_bonus(
        self, s: LiveState, prefer: ProductPreference, candidates: Iterable[int]
    ) -> dict[int, float]:
        boost, vocabulary, out = self.config.fusion.product_boost, self.entities, {}
        for article_id in candidates:
            match = vocabulary.matches(s.articles[article_id].products, prefer)
            if match:
                out[article_id] = boost if match > 0 else -boost / 2
        return out

    @staticmethod
    def _acceptor(s: LiveState, filters: Filters) -> Acceptor | None:
        """Which candidates' articles a search may return; None: all of them (no filter, and no live
        article has a validity window)."""
        if not filters.active and not s.validity_times:
            return None
        cache: dict[int, bool] = {}
        now = datetime.now(UTC)  # one clock reading per search, not one per candidate

        def accept(article_id: int) -> bool:
            if article_id not in cache:
                article = s.articles.get(article_id)
                valid = article is not None and filters.accepts(article) and is_valid_at(article, now)
                cache[article_id] = valid
            return cache[article_id]

        return accept

    def _exclusion(self, tombstones: frozenset[int]) -> IdExclusion:
        """The FAISS selector hiding `tombstones`, built once per tombstone set (not per query)."""
        cached = self._excluded
        if cached is None or cached[0] is not tombstones:
            cached = (tombstones, IdExclusion(np.fromiter(tombstones, dtype=np.int64, count=len(tombstones))))
            self._excluded = cached
        return cached[1]

    def chunk(self, s: LiveState, ref: ChunkRef) -> Chunk:
        return s.chunk(ref)


def _accepted(hits: ChunkHits, accept: Acceptor | None) -> ChunkHits:
    if accept is None:
        return hits
    keep = np.fromiter(map(accept, hits.articles.tolist()), dtype=bool, count=len(hits.articles))
    return hits if keep.all() else hits.take(keep)


def _centroids_without(main: Segment, hold_out: frozenset[int]) -> PhrasingCentroids | None:
    """Main's centroids without the held-out phrasings (a question must not be scored against a
    centroid made partly of itself)."""
    if main.centroids is None or main.dense is None:
        return main.centroids
    removed: dict[int, list[np.ndarray]] = {}
    for position in sorted(hold_out):
        chunk = main.chunks[position]
        if chunk.kind in PHRASING_KINDS:
            removed.setdefault(chunk.article_id, []).append(main.dense.vector(position))
    return main.centroids.without(removed) if removed else main.centroids
