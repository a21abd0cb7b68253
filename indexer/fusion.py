"""Fusion of ranked lists and grouping of chunk scores per article: pure functions."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Literal, NamedTuple

import numpy as np

Normalisation = Literal["minmax", "zscore", "none"]


class ArticleHit(NamedTuple):
    article_id: int
    score: float
    best_chunk: int


def rrf(rankings: list[list[int]], weights: list[float] | None = None, k: int = 60) -> dict[int, float]:
    """Reciprocal-rank fusion: `score(d) = sum_i w_i / (k + rank_i(d))`, ranks counted from 1.

    Args:
        rankings: ranked lists of ids, best first (an id repeated in one list counts at its best rank).
        weights: one weight per list (default 1.0 each).
        k: the RRF constant.

    Returns:
        Fused score per id, in no particular order.
    """
    weights = _weights(weights, len(rankings))
    fused: dict[int, float] = {}
    for ranking, w in zip(rankings, weights, strict=True):
        seen: set[int] = set()
        for rank, doc in enumerate(ranking, start=1):
            if doc not in seen:
                seen.add(doc)
                fused[doc] = fused.get(doc, 0.0) + w / (k + rank)
    return fused


def normalise(scores: Mapping[int, float], method: Normalisation) -> dict[int, float]:
    """Scale one score map: `minmax` to [0, 1] (all equal → 1.0), `zscore` to mean 0 / std 1
    (all equal → 0.0), `none` unchanged."""
    values = np.fromiter(scores.values(), dtype=np.float64, count=len(scores))
    return dict(zip(scores, scale(values, method).tolist(), strict=True))


def scale(values: np.ndarray, method: Normalisation) -> np.ndarray:
    """`normalise` for an array of scores."""
    if method == "none" or not len(values):
        return values
    if method == "minmax":
        lo, span = values.min(), values.max() - values.min()
        return (values - lo) / span if span > 0 else np.ones_like(values)
    if method == "zscore":
        std = values.std()
        return (values - values.mean()) / std if std > 0 else np.zeros_like(values)
    raise ValueError(f"unknown normalisation {method!r}")


def weighted_fusion(
    score_maps: list[Mapping[int, float]],
    weights: list[float] | None = None,
    normalisation: Normalisation = "minmax",
) -> dict[int, float]:
    """Weighted sum of normalised scores: `score(d) = sum_i w_i * norm_i(d)` (see `weighted_arrays`)."""
    sides = [
        (
            np.fromiter(m, dtype=np.int64, count=len(m)),
            np.fromiter(m.values(), dtype=np.float64, count=len(m)),
        )
        for m in score_maps
    ]
    ids, scores = weighted_arrays(sides, weights, normalisation)
    return dict(zip(ids.tolist(), scores.tolist(), strict=True))


def weighted_arrays(
    sides: Sequence[tuple[np.ndarray, np.ndarray]],
    weights: list[float] | None = None,
    normalisation: Normalisation = "minmax",
) -> tuple[np.ndarray, np.ndarray]:
    """`weighted_fusion` over (ids, scores) arrays, one pair per side (ids unique within a side).

    Returns the sorted union of the ids and their fused scores. An id missing from a side gets that
    side's lowest normalised score (0.0 for minmax; 0.0 for `none`), so being absent never beats
    being present.
    """
    weights = _weights(weights, len(sides))
    ids = np.unique(np.concatenate([side_ids for side_ids, _ in sides])) if sides else np.empty(0, np.int64)
    fused = np.zeros(len(ids))
    for (side_ids, values), w in zip(sides, weights, strict=True):
        normed = scale(values, normalisation)
        full = np.full(len(ids), normed.min() if len(normed) and normalisation != "none" else 0.0)
        full[np.searchsorted(ids, side_ids)] = normed
        fused += w * full
    return ids, fused


def group_best(
    chunk_scores: Mapping[int, float], chunk_to_article: np.ndarray | Sequence[int]
) -> list[ArticleHit]:
    """Best chunk per article (max score), articles sorted by score.

    Ties are broken deterministically: within an article the lower chunk index wins; between
    articles the one whose best chunk has the lower index comes first.
    """
    best: dict[int, tuple[float, int]] = {}
    for chunk, score in chunk_scores.items():
        article = int(chunk_to_article[chunk])
        held = best.get(article)
        if held is None or score > held[0] or (score == held[0] and chunk < held[1]):
            best[article] = (float(score), int(chunk))
    hits = [ArticleHit(a, s, c) for a, (s, c) in best.items()]
    hits.sort(key=lambda h: (-h.score, h.best_chunk))
    return hits


def _weights(weights: list[float] | None, n: int) -> list[float]:
    if weights is None:
        return [1.0] * n
    if len(weights) != n:
        raise ValueError(f"{len(weights)} weights for {n} inputs")
    return list(weights)
