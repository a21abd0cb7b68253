"""Article-level fusion of the BM25 and dense candidate lists, and the hit records search returns."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

from indexer.config import FusionConfig
from indexer.fusion import normalise, rrf, weighted_fusion

Side = Literal["main", "delta"]
CODE = re.compile(
    r"(?<![a-z0-9])(?=[a-z0-9._:-]*\d)(?=[a-z0-9._:-]*[a-z])[a-z0-9]+(?:[._:-][a-z0-9]+)*|0x[0-9a-f]{4,}"
)
# dates and times mix letters and digits too, but are no codes ("on the 5th", "after 8pm")
NOT_CODE = re.compile(r"\d+(?:st|nd|rd|th)|\d{1,2}(?::\d{2})?(?:am|pm)")


class ChunkRef(NamedTuple):
    side: Side
    position: int


Raw = tuple[int, float, ChunkRef]  # one chunk candidate: (article id, score, chunk)


class Candidate(NamedTuple):
    score: float
    chunk: ChunkRef


@dataclass(frozen=True)
class Fused:
    article_id: int
    fused: float
    bm25: float | None
    dense: float | None
    chunk: ChunkRef
    matched_codes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    article_id: int
    type: str
    title: str
    matched_question: str | None
    matched_kind: str
    snippet: str
    highlights: list[str]
    score: float
    scores: dict[str, float | None]
    category: str | None
    products: list[str] = field(default_factory=list)
    tags: list[str] = field(default_factory=list)


def best_per_article(cands: list[tuple[int, float, ChunkRef]]) -> dict[int, Candidate]:
    """Keep the best-scoring chunk of every article."""
    best: dict[int, Candidate] = {}
    for article_id, score, ref in cands:
        current = best.get(article_id)
        if current is None or score > current.score:
            best[article_id] = Candidate(score, ref)
    return best


def dense_per_article(
    cands: list[tuple[int, float, ChunkRef]],
    is_phrasing: Callable[[ChunkRef], bool],
    phrasing_articles: frozenset[int],
    centroids: Mapping[int, float] | None = None,
) -> dict[int, Candidate]:
    """Best chunk per article, except that a phrasing entry (an FAQ with similar questions, a guide
    written one phrasing per line: `chunking.PHRASING_KINDS`) scores the mean of its best phrasing, its
    best other chunk (the answer, or the passage holding all lines) and, when `centroids` are given, the
    centroid of its phrasings (`indexer.centroids`): one close phrasing alone is weaker evidence than
    one the entry as a whole also supports. A part that was not retrieved counts as the lowest
    retrieved score."""
    best = best_per_article(cands)
    if not phrasing_articles or not cands:
        return best
    floor = min(score for _, score, _ in cands)
    parts: dict[int, list[float]] = {}  # phrasing entry -> [best phrasing, best other chunk]
    for article_id, score, ref in cands:
        if article_id in phrasing_articles:
            part = parts.setdefault(article_id, [floor, floor])
            side = 0 if is_phrasing(ref) else 1
            if score > part[side]:
                part[side] = score
    for article_id, (line, whole) in parts.items():
        centroid = None if centroids is None else centroids.get(article_id, floor)
        best[article_id] = Candidate(phrasing_entry_score(line, whole, centroid), best[article_id].chunk)
    return best


def keep_best(side: dict[int, Candidate], n: int) -> dict[int, Candidate]:
    """The best `n` articles of one side (ties: lower id). The dense side fetches 8x more chunks when a
    KB has line entries; cutting it back to `n` articles keeps both sides' candidate lists (and so
    their min-max ranges) of one size."""
    if len(side) <= n:
        return side
    return {a: side[a] for a in _ranking(side)[:n]}


def phrasing_entry_score(line: float, whole: float, centroid: float | None) -> float:
    """A line entry's dense score from its parts (see `dense_per_article`)."""
    return (line + whole) / 2 if centroid is None else (line + whole + centroid) / 3


def query_codes(normalized_query: str) -> tuple[str, ...]:
    """Model numbers, error codes and part numbers in a query (letters and digits mixed, hex codes)."""
    found = (m.group(0) for m in CODE.finditer(normalized_query))
    return tuple(dict.fromkeys(c for c in found if len(c) >= 3 and not NOT_CODE.fullmatch(c)))


def _ranking(side: dict[int, Candidate]) -> list[int]:
    return sorted(side, key=lambda a: (-side[a].score, a))


def fuse(
    bm25: dict[int, Candidate],
    dense: dict[int, Candidate],
    config: FusionConfig,
    code_hits: dict[int, tuple[str, ...]],
    pending: frozenset[int] = frozenset(),
    limit: int | None = None,
    line_articles: frozenset[int] = frozenset(),
) -> list[Fused]:
    """Combine the two sides per article (RRF or weighted scores), plus exact-code boosts; best first.

    `pending` articles were just published and have no vectors yet: their BM25 evidence stands in
    for the dense side so that they are not ranked below everything the dense side saw.
    """
    weights = [config.bm25_weight, config.dense_weight]
    if pending:
        stand_in = {a: c for a, c in bm25.items() if a in pending and a not in dense}
        scores_in = {a: Candidate(_stand_in_score(c, bm25, dense), c.chunk) for a, c in stand_in.items()}
        dense = {**dense, **scores_in}
    if config.method == "rrf":
        scores = rrf([_ranking(bm25), _ranking(dense)], weights, config.rrf_k)
        unit = 1.0 / (config.rrf_k + 1)  # the vote of a rank-1 hit
    else:
        maps: list[Mapping[int, float]] = [{a: c.score for a, c in side.items()} for side in (bm25, dense)]
        scores, unit = weighted_fusion(maps, weights, "minmax"), 1.0
        shift = config.bm25_weight_lines - config.bm25_weight
        if line_articles and shift:  # entries with line chunks take their own BM25 weight
            normed = normalise(maps[0], "minmax")
            for article_id in scores.keys() & line_articles:
                scores[article_id] += shift * normed.get(article_id, 0.0)
    final = {a: score + config.code_boost * unit * len(code_hits.get(a, ())) for a, score in scores.items()}
    ranked = sorted(final, key=lambda a: (-final[a], a))
    out = []
    for article_id in ranked[:limit] if limit is not None else ranked:  # records only for what is returned
        b, d = bm25.get(article_id), dense.get(article_id)
        chunk = (d or b).chunk  # type: ignore[union-attr]  # the semantic match shows best when there is one
        out.append(
            Fused(
                article_id,
                final[article_id],
                b.score if b else None,
                d.score if d else None,
                chunk,
                code_hits.get(article_id, ()),
            )
        )
    return out


def _stand_in_score(cand: Candidate, bm25: dict[int, Candidate], dense: dict[int, Candidate]) -> float:
    """A dense score that ranks a pending article on the dense side where BM25 ranks it."""
    rank = sum(1 for c in bm25.values() if c.score > cand.score)
    ordered = sorted((c.score for c in dense.values()), reverse=True)
    if not ordered:
        return 1.0
    return ordered[min(rank, len(ordered) - 1)] + 1e-6


def single_side(
    side: dict[int, Candidate], which: Literal["bm25", "dense"], limit: int | None = None
) -> list[Fused]:
    ranked = sorted(side, key=lambda a: (-side[a].score, a))
    side = {a: side[a] for a in (ranked[:limit] if limit is not None else ranked)}
    out = [
        Fused(
            a, c.score, c.score if which == "bm25" else None, c.score if which == "dense" else None, c.chunk
        )
        for a, c in side.items()
    ]
    out.sort(key=lambda f: (-f.fused, f.article_id))
    return out
