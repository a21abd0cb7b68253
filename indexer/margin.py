"""How far a new article's scores may go without changing a ranking that was already returned.

A live change that adds candidates (a new FAQ whose vectors reach a question's dense cut-off) changes
the candidate list, but usually not the result: with weighted min-max fusion, an article that stays
inside each side's score range moves nobody's normalised score, and if its own fused score stays
below the last returned article it is not returned either. `Margin` records what that takes, so a
result cache keeps such entries instead of searching again.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

from indexer.config import FusionConfig
from indexer.ranking import Candidate, ChunkRef, Fused, Raw, phrasing_entry_score

Range = tuple[float, float]  # (lowest, highest) per-article score on one side
SAFETY = 1e-9  # float rounding: the estimate must stay clearly below the last returned score


@dataclass(frozen=True)
class Margin:
    mode: str  # "hybrid", "bm25" or "dense": which scores decide the order
    bm25: Range | None  # None: the side had no candidates (a first one would change every score)
    dense: Range | None
    floor: float  # the lowest dense chunk candidate (a phrasing entry's missing parts score it)
    last: float  # the score of the last returned article
    code_bonus: float  # the most any article can gain from the query's codes
    bm25_weight: float
    bm25_weight_lines: float
    dense_weight: float
    # the dense side holds as many articles as it keeps (`ranking.dense_per_article`'s depth): a new
    # one above its lowest pushes that one out, a new one below it stays out
    dense_full: bool = False

    def admits(
        self,
        bm25: list[Raw],
        dense: list[Raw],
        phrasing_articles: frozenset[int],
        is_phrasing: Callable[[ChunkRef], bool],
        centroids: Mapping[int, float] | None = None,
        line_articles: frozenset[int] = frozenset(),
    ) -> bool:
        """Whether new candidate chunks (all of articles that were no candidates before, none of them
        waiting for vectors) leave the ranking as it was; `phrasing_articles`, `is_phrasing` and
        `centroids` as the search passed them to `ranking.dense_per_article`, `line_articles` as to
        `ranking.fuse`."""
        if any(score < self.floor for _, score, _ in dense):
            return False  # a new lowest dense candidate lowers the floor line articles use
        for article_id in {a for a, _, _ in bm25} | {a for a, _, _ in dense}:
            b = max((s for a, s, _ in bm25 if a == article_id), default=None)
            d = self._dense_score(article_id, dense, article_id in phrasing_articles, is_phrasing, centroids)
            if d is not None and self.dense_full:
                if self.dense is None or d >= self.dense[0]:
                    return False  # it would enter the cut side and push its lowest article out
                d = None  # it stays below the side's depth, absent from it
            score = self._score(b, d, article_id in line_articles)
            if score is None or score >= self.last - SAFETY:
                return False
        return True

    def _dense_score(
        self,
        article_id: int,
        dense: list[Raw],
        phrasings: bool,
        is_phrasing: Callable[[ChunkRef], bool],
        centroids: Mapping[int, float] | None,
    ) -> float | None:
        chunks = [(s, ref) for a, s, ref in dense if a == article_id]
        if not chunks:
            return None
        if not phrasings:
            return max(s for s, _ in chunks)
        line = max((s for s, ref in chunks if is_phrasing(ref)), default=self.floor)
        whole = max((s for s, ref in chunks if not is_phrasing(ref)), default=self.floor)
        centroid = None if centroids is None else centroids.get(article_id, self.floor)
        return phrasing_entry_score(line, whole, centroid)  # as `ranking.dense_per_article`

    def _score(self, b: float | None, d: float | None, lines: bool) -> float | None:
        """The article's score as the ranking would compute it (None: it would move other scores)."""
        if self.mode == "bm25":
            return b
        if self.mode == "dense":
            return d
        nb, nd = _scaled(b, self.bm25), _scaled(d, self.dense)
        if nb is None or nd is None:
            return None
        weight = self.bm25_weight_lines if lines else self.bm25_weight
        return weight * nb + self.dense_weight * nd + self.code_bonus


def _scaled(score: float | None, span: Range | None) -> float | None:
    """Min-max scaled into an existing range; None when the score would widen it or every score on
    the side is equal (then all scale to 1.0, and an absent article's weight depends on its kind)."""
    if span is not None and not span[0] < span[1]:
        return None
    if score is None:
        return 0.0  # absent from the side: its lowest normalised score
    if span is None or not span[0] <= score <= span[1]:
        return None
    return (score - span[0]) / (span[1] - span[0])


def margin(
    mode: str,
    bm25: dict[int, Candidate],
    dense: dict[int, Candidate],
    dense_floor: float,
    fused: list[Fused],
    top_k: int,
    config: FusionConfig,
    codes: float,
    dense_full: bool = False,
) -> Margin | None:
    """The margin of a search's result, or None when any new candidate could change it (fewer than
    `top_k` results, or rank fusion, where every new candidate shifts the ranks below it).
    `dense_floor` is the lowest dense chunk candidate's score (inf without any); `codes` is the most
    an article can gain from boosts, in code-boost units (the query's codes, a named product)."""
    if len(fused) < top_k or (mode == "hybrid" and config.method != "weighted"):
        return None
    return Margin(
        mode,
        _range(bm25),
        _range(dense),
        dense_floor,
        fused[top_k - 1].fused,
        config.code_boost * codes if mode == "hybrid" else 0.0,
        config.bm25_weight,
        config.bm25_weight_lines,
        config.dense_weight,
        dense_full,
    )


def _range(side: dict[int, Candidate]) -> Range | None:
    if not side:
        return None
    scores = [c.score for c in side.values()]
    return min(scores), max(scores)
