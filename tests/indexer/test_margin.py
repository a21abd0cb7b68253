"""`Margin.admits` against the ranking itself: whenever it admits a new article, ranking again with
that article's candidates gives exactly the recorded result."""

from __future__ import annotations

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from indexer.config import FusionConfig
from indexer.margin import Margin, margin
from indexer.ranking import (
    ChunkHits,
    ChunkRef,
    Fused,
    Raw,
    best_per_article,
    dense_per_article,
    fuse,
    single_side,
)

NEW = 1_000  # the new article's id
LINE_POSITIONS = 500  # chunk positions from here on are `line` chunks
CONFIG = FusionConfig()

scores = st.floats(0.0, 1.0).map(lambda x: round(x, 1))  # coarse: ties happen


def is_phrasing(ref: ChunkRef) -> bool:
    return ref.position >= LINE_POSITIONS


@st.composite
def chunks(draw: st.DrawFn, article_ids: list[int], start: int) -> list[Raw]:
    out = []
    for n, article_id in enumerate(article_ids):
        line = draw(st.booleans())
        position = start + n + (LINE_POSITIONS if line else 0)
        out.append((article_id, draw(scores), ChunkRef("main", position)))
    return out


def rank(
    mode: str,
    bm25: list[Raw],
    dense: list[Raw],
    phrasings: frozenset[int],
    codes: dict,
    top_k: int,
    centroids: dict[int, float] | None = None,
    depth: int = 100,
    lines: frozenset[int] = frozenset(),
):
    b = best_per_article(ChunkHits.of(bm25))
    hits = ChunkHits.of(dense)
    phrasing = np.array([is_phrasing(ref) for _, _, ref in dense], dtype=bool)
    d = dense_per_article(hits, phrasing, np.isin(hits.articles, list(phrasings)), centroids, depth)
    if mode == "hybrid":
        fused = fuse(b, d, CONFIG, codes, limit=top_k, line_articles=lines)
    else:
        fused = single_side(b if mode == "bm25" else d, mode, top_k)  # type: ignore[arg-type]
    return b, d, fused


def floor(dense: list[Raw]) -> float:
    return min((s for _, s, _ in dense), default=float("inf"))


def key(fused: list[Fused]) -> list[tuple[int, float, float | None, float | None]]:
    return [(f.article_id, f.fused, f.bm25, f.dense) for f in fused]


@settings(max_examples=1000, deadline=None)
@given(data=st.data(), mode=st.sampled_from(["hybrid", "bm25", "dense"]))
def test_an_admitted_article_changes_nothing(data: st.DataObject, mode: str) -> None:
    ids = st.lists(st.integers(1, 12), min_size=1, max_size=30)
    bm25 = data.draw(chunks(data.draw(ids), 0)) if mode != "dense" else []
    dense = data.draw(chunks(data.draw(ids), 100)) if mode != "bm25" else []
    phrasings = frozenset(data.draw(st.sets(st.integers(1, 12) | st.just(NEW))))
    lines = frozenset(data.draw(st.sets(st.integers(1, 12) | st.just(NEW))))  # their own BM25 weight
    n_codes = data.draw(st.integers(0, 2))
    codes = {a: ("x1",) * n_codes for a in data.draw(st.sets(st.integers(1, 12) | st.just(NEW)))}
    top_k = data.draw(st.integers(1, 6))
    centroids = data.draw(st.none() | st.dictionaries(st.integers(1, 12) | st.just(NEW), scores))
    depth = data.draw(st.integers(1, 13))
    b, d, fused = rank(mode, bm25, dense, phrasings, codes, top_k, centroids, depth, lines)
    room = margin(mode, b, d, floor(dense), fused, top_k, CONFIG, n_codes, len(d) >= depth)
    if room is None:
        return
    new_bm25 = data.draw(chunks([NEW] * data.draw(st.integers(0, 2)), 300)) if mode != "dense" else []
    new_dense = data.draw(chunks([NEW] * data.draw(st.integers(0, 2)), 400)) if mode != "bm25" else []
    if room.admits(new_bm25, new_dense, phrasings, is_phrasing, centroids, lines):
        new = (bm25 + new_bm25, dense + new_dense)
        _, _, again = rank(mode, *new, phrasings, codes, top_k, centroids, depth, lines)
        assert key(again) == key(fused)


def test_an_article_inside_the_ranges_and_below_the_last_result_is_admitted() -> None:
    bm25 = [(1, 9.0, ChunkRef("main", 0)), (2, 5.0, ChunkRef("main", 1)), (3, 1.0, ChunkRef("main", 2))]
    dense = [(1, 0.9, ChunkRef("main", 3)), (2, 0.8, ChunkRef("main", 4)), (3, 0.5, ChunkRef("main", 5))]
    b, d, fused = rank("hybrid", bm25, dense, frozenset(), {}, 2)
    room = margin("hybrid", b, d, floor(dense), fused, 2, CONFIG, 0)
    assert isinstance(room, Margin)
    low = [(NEW, 0.6, ChunkRef("delta", 0))]
    assert room.admits([(NEW, 2.0, ChunkRef("delta", 1))], low, frozenset(), is_phrasing)
    assert not room.admits(
        [(NEW, 9.0, ChunkRef("delta", 1))], [(NEW, 0.9, ChunkRef("delta", 0))], frozenset(), is_phrasing
    )
    assert not room.admits([], [(NEW, 0.95, ChunkRef("delta", 0))], frozenset(), is_phrasing)  # widens dense
    assert not room.admits(
        [], [(NEW, 0.4, ChunkRef("delta", 0))], frozenset(), is_phrasing
    )  # lowers the floor


def test_a_new_chunk_below_the_dense_floor_is_refused_even_inside_the_ranges() -> None:
    """Article 3 has line chunks but only its whole entry was retrieved: its missing line half counts
    as the lowest dense chunk, so a new lower chunk would lower its score and the side's minimum."""
    bm25 = [(1, 9.0, ChunkRef("main", 0)), (2, 5.0, ChunkRef("main", 1)), (3, 1.0, ChunkRef("main", 2))]
    dense = [(1, 0.9, ChunkRef("main", 3)), (2, 0.8, ChunkRef("main", 4)), (3, 0.6, ChunkRef("main", 5))]
    lines = frozenset({3, NEW})
    b, d, fused = rank("hybrid", bm25, dense, lines, {}, 2)
    room = margin("hybrid", b, d, floor(dense), fused, 2, CONFIG, 0)
    assert room is not None
    new = [(NEW, 0.5, ChunkRef("delta", LINE_POSITIONS)), (NEW, 0.9, ChunkRef("delta", 1))]  # mean 0.7
    assert key(rank("hybrid", bm25, dense + new, lines, {}, 2)[2]) != key(fused)
    assert not room.admits([], new, lines, is_phrasing)
    higher = [(NEW, 0.65, ChunkRef("delta", LINE_POSITIONS)), (NEW, 0.7, ChunkRef("delta", 1))]
    assert key(rank("hybrid", bm25, dense + higher, lines, {}, 2)[2]) == key(fused)
    assert room.admits([], higher, lines, is_phrasing)


def test_a_full_dense_side_admits_only_articles_that_stay_below_it() -> None:
    bm25 = [(1, 9.0, ChunkRef("main", 0)), (2, 5.0, ChunkRef("main", 1)), (3, 1.0, ChunkRef("main", 2))]
    dense = [(1, 0.9, ChunkRef("main", 3)), (2, 0.8, ChunkRef("main", 4)), (3, 0.5, ChunkRef("main", 5))]
    dense += [(4, 0.45, ChunkRef("main", 6))]  # article 4 was cut from the dense side (depth 3)
    b, d, fused = rank("hybrid", bm25, dense, frozenset(), {}, 2)
    d.pop(4)
    fused = fuse(b, d, CONFIG, {}, limit=2)
    cut = margin("hybrid", b, d, floor(dense), fused, 2, CONFIG, 0, dense_full=True)
    assert isinstance(cut, Margin)
    inside = [(NEW, 0.6, ChunkRef("delta", 0))]  # would push article 3 out of the dense side
    assert not cut.admits([], inside, frozenset(), is_phrasing)
    below = [(NEW, 0.48, ChunkRef("delta", 0))]  # stays beyond the depth, like article 4
    assert cut.admits([(NEW, 2.0, ChunkRef("delta", 1))], below, frozenset(), is_phrasing)
    assert cut.admits([(NEW, 2.0, ChunkRef("delta", 1))], [], frozenset(), is_phrasing)
