"""indexer.fusion: hand-computed RRF, weighted fusion and grouping."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

from indexer.fusion import ArticleHit, group_best, normalise, rrf, weighted_fusion


def test_rrf_hand_computed() -> None:
    fused = rrf([[1, 2, 3], [3, 1]], k=60)
    assert fused[1] == pytest.approx(1 / 61 + 1 / 62)
    assert fused[2] == pytest.approx(1 / 62)
    assert fused[3] == pytest.approx(1 / 63 + 1 / 61)


def test_rrf_weights_and_repeats() -> None:
    fused = rrf([[1, 2], [2, 2, 5]], weights=[2.0, 0.5], k=10)
    assert fused == pytest.approx({1: 2 / 11, 2: 2 / 12 + 0.5 / 11, 5: 0.5 / 13})
    assert rrf([]) == {}
    with pytest.raises(ValueError):
        rrf([[1]], weights=[1.0, 2.0])


def test_normalise() -> None:
    assert normalise({1: 2.0, 2: 4.0, 3: 3.0}, "minmax") == pytest.approx({1: 0.0, 2: 1.0, 3: 0.5})
    assert normalise({1: 5.0, 2: 5.0}, "minmax") == {1: 1.0, 2: 1.0}
    assert normalise({1: 1.0, 2: 3.0}, "zscore") == pytest.approx({1: -1.0, 2: 1.0})
    assert normalise({1: 7.0}, "zscore") == {1: 0.0}
    assert normalise({1: 7.0}, "none") == {1: 7.0}
    assert normalise({}, "minmax") == {}


def test_weighted_fusion_minmax() -> None:
    bm25 = {1: 10.0, 2: 5.0, 3: 0.0}
    dense = {2: 0.9, 4: 0.5}
    fused = weighted_fusion([bm25, dense], [0.3, 0.7], "minmax")
    # bm25 → {1: 1, 2: 0.5, 3: 0}; dense → {2: 1, 4: 0}; missing ids get 0
    assert fused == pytest.approx({1: 0.3, 2: 0.3 * 0.5 + 0.7, 3: 0.0, 4: 0.0})


def test_weighted_fusion_zscore_missing_gets_the_floor() -> None:
    fused = weighted_fusion([{1: 1.0, 2: 3.0}, {1: 2.0, 3: 4.0}], None, "zscore")
    assert fused == pytest.approx({1: -1.0 + -1.0, 2: 1.0 + -1.0, 3: -1.0 + 1.0})


def test_weighted_fusion_none() -> None:
    assert weighted_fusion([{1: 2.0}, {1: 1.0, 2: 3.0}], [1.0, 2.0], "none") == {1: 4.0, 2: 6.0}


def test_group_best_takes_the_max_chunk_per_article() -> None:
    chunk_to_article = np.array([10, 10, 20, 30, 20])
    hits = group_best({0: 0.5, 1: 0.9, 2: 0.7, 3: 0.2, 4: 0.7}, chunk_to_article)
    assert hits == [ArticleHit(10, 0.9, 1), ArticleHit(20, 0.7, 2), ArticleHit(30, 0.2, 3)]
    assert isinstance(hits[0].article_id, int)


def test_group_best_ties_are_deterministic() -> None:
    scores = {3: 1.0, 0: 1.0, 2: 1.0, 1: 0.5}
    hits = group_best(scores, [7, 8, 7, 9])
    assert hits == [ArticleHit(7, 1.0, 0), ArticleHit(9, 1.0, 3), ArticleHit(8, 0.5, 1)]
    assert group_best(dict(reversed(list(scores.items()))), [7, 8, 7, 9]) == hits
    assert group_best({}, []) == []


def _dense(
    cands: list[tuple[int, float, Any]], lines: set[Any], entries: set[int], *args: Any, **kwargs: Any
) -> dict[int, Any]:
    """`dense_per_article` on (article, score, ref) triples: phrasing chunks `lines`, entries `entries`."""
    from indexer.ranking import ChunkHits, dense_per_article

    hits = ChunkHits.of(cands)
    phrasing = np.array([ref in lines for _, _, ref in cands], dtype=bool)
    entry = np.isin(hits.articles, list(entries))
    return dense_per_article(hits, phrasing, entry, *args, **kwargs)


def test_dense_per_article_means_best_line_and_whole_entry() -> None:
    from indexer.ranking import ChunkRef

    lines = {ChunkRef("main", 1), ChunkRef("main", 2)}
    cands = [
        (7, 0.80, ChunkRef("main", 0)),  # article 7: whole entry
        (7, 0.90, ChunkRef("main", 1)),  # article 7: a line
        (7, 0.70, ChunkRef("main", 2)),
        (8, 0.86, ChunkRef("main", 3)),  # article 8 has no lines: its best chunk
        (9, 0.95, ChunkRef("main", 4)),  # article 9 has lines, only a line was retrieved: floor for the rest
    ]
    lines.add(ChunkRef("main", 4))
    best = _dense(cands, lines, {7, 9})
    assert best[7].score == pytest.approx((0.80 + 0.90) / 2)
    assert best[8].score == pytest.approx(0.86)
    assert best[9].score == pytest.approx((0.95 + 0.70) / 2)
    assert _dense(cands, lines, set()) == {a: c for a, c in best.items() if a == 8} | {
        7: best[7]._replace(score=0.90),
        9: best[9]._replace(score=0.95),
    }


def test_query_codes_keep_models_and_error_codes_but_not_dates_or_times() -> None:
    from indexer.ranking import query_codes
    from indexer.text import normalize

    query = normalize("ThinkPad X1 蓝屏 0x0000007B, 错误 E-102, i7-1360P, 401k 和 W-2 表")
    assert query_codes(query) == ("0x0000007b", "e-102", "i7-1360p", "401k", "w-2")
    dates = normalize("can I take PTO from the 5th to the 22nd, 1st or 3rd week, after 8pm or at 7:00 am")
    assert query_codes(dates) == ()


def test_a_line_entry_with_a_centroid_scores_the_mean_of_three_parts() -> None:
    from indexer.ranking import ChunkRef

    lines = {ChunkRef("main", 1), ChunkRef("main", 4)}
    cands = [
        (7, 0.80, ChunkRef("main", 0)),  # whole entry
        (7, 0.90, ChunkRef("main", 1)),  # a line
        (9, 0.95, ChunkRef("main", 4)),  # only a line retrieved; no centroid either
        (8, 0.60, ChunkRef("main", 3)),
    ]
    best = _dense(cands, lines, {7, 9}, {7: 0.70})
    assert best[7].score == pytest.approx((0.90 + 0.80 + 0.70) / 3)
    assert best[9].score == pytest.approx((0.95 + 0.60 + 0.60) / 3)  # missing parts: the lowest score
    assert best[8].score == pytest.approx(0.60)


def test_dense_per_article_keeps_the_best_articles_up_to_its_depth() -> None:
    from indexer.ranking import ChunkRef

    cands = [(a, s, ChunkRef("main", a)) for a, s in {1: 0.5, 2: 0.9, 3: 0.7, 4: 0.7}.items()]
    assert list(_dense(cands, set(), set(), depth=3)) == [2, 3, 4]  # ties: lower id
    assert _dense(cands, set(), set(), depth=4) == _dense(cands, set(), set())
