"""Article-level fusion of the BM25 and dense candidate lists, and the hit records search returns."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Literal, NamedTuple

import numpy as np

from indexer.config import FusionConfig
from indexer.fusion import rrf, scale, weighted_arrays

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


class ChunkHits(NamedTuple):
    """Chunk candidates as aligned arrays: article id, score, whether the chunk is in the delta, and its
    position in that segment (a `Raw` list costs a Python object per chunk; most searches need none)."""

    articles: np.ndarray  # int64
    scores: np.ndarray  # float64
    in_delta: np.ndarray  # bool
    positions: np.ndarray  # int64

    @classmethod
    def of(cls, raws: Sequence[Raw]) -> ChunkHits:
        return cls(
            np.fromiter((a for a, _, _ in raws), dtype=np.int64, count=len(raws)),
            np.fromiter((s for _, s, _ in raws), dtype=np.float64, count=len(raws)),
            np.fromiter((r.side == "delta" for _, _, r in raws), dtype=bool, count=len(raws)),
            np.fromiter((r.position for _, _, r in raws), dtype=np.int64, count=len(raws)),
        )

    def take(self, rows: np.ndarray) -> ChunkHits:
        return ChunkHits(self.articles[rows], self.scores[rows], self.in_delta[rows], self.positions[rows])

    def refs(self, rows: np.ndarray) -> list[ChunkRef]:
        sides = np.where(self.in_delta[rows], "delta", "main").tolist()
        return [ChunkRef(side, p) for side, p in zip(sides, self.positions[rows].tolist(), strict=True)]


def best_per_article(hits: ChunkHits) -> dict[int, Candidate]:
    """Keep the best-scoring chunk of every article (ties: the earlier chunk)."""
    rows = _best_rows(hits)
    return _candidates(hits.articles[rows], hits.scores[rows], hits.refs(rows))


def _best_rows(hits: ChunkHits) -> np.ndarray:
    """Row of each article's best chunk, in article order (a stable sort keeps the earlier of ties)."""
    order = np.lexsort((-hits.scores, hits.articles))
    grouped = hits.articles[order]
    first = np.ones(len(order), dtype=bool)
    first[1:] = grouped[1:] != grouped[:-1]
    return order[first]


def _candidates(articles: np.ndarray, scores: np.ndarray, refs: list[ChunkRef]) -> dict[int, Candidate]:
    return dict(zip(articles.tolist(), map(Candidate, scores.tolist(), refs), strict=True))


def dense_per_article(
    hits: ChunkHits,
    phrasing: np.ndarray,
    entry: np.ndarray,
    centroids: Mapping[int, float] | None = None,
    depth: int | None = None,
) -> dict[int, Candidate]:
    """Best chunk per article, except that a phrasing entry (an FAQ with similar questions, a guide
    written one phrasing per line: `chunking.PHRASING_KINDS`) scores the mean of its best phrasing, its
    best other chunk (the answer, or the passage holding all lines) and, when `centroids` are given, the
    centroid of its phrasings (`indexer.centroids`): one close phrasing alone is weaker evidence than
    one the entry as a whole also supports. A part that was not retrieved counts as the lowest
    retrieved score. With `depth`, only the best `depth` articles are kept (ties: the lower id).

    `phrasing` and `entry` are per-chunk flags aligned with `hits`: whether the chunk is a phrasing,
    whether its article is a phrasing entry.
    """
    if not len(hits.articles):
        return {}
    rows = _best_rows(hits)
    ids, scores = hits.articles[rows], hits.scores[rows]
    if entry.any():
        scores = scores.copy()
        group = np.searchsorted(ids, hits.articles)
        floor = float(hits.scores.min())
        line, whole = np.full(len(ids), floor), np.full(len(ids), floor)
        np.maximum.at(line, group[entry & phrasing], hits.scores[entry & phrasing])
        np.maximum.at(whole, group[entry & ~phrasing], hits.scores[entry & ~phrasing])
        entries = np.unique(group[entry])
        if centroids is None:
            scores[entries] = (line[entries] + whole[entries]) / 2
        else:
            found = [centroids.get(a, floor) for a in ids[entries].tolist()]
            scores[entries] = (line[entries] + whole[entries] + np.asarray(found, dtype=np.float64)) / 3
    if depth is not None and len(ids) > depth:
        keep = np.lexsort((ids, -scores))[:depth]
        rows, ids, scores = rows[keep], ids[keep], scores[keep]
    return _candidates(ids, scores, hits.refs(rows))


def phrasing_entry_score(line: float, whole: float, centroid: float | None) -> float:
    """A phrasing entry's dense score from its parts (as `dense_per_article` computes it)."""
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
    bonus: Mapping[int, float] | None = None,
) -> list[Fused]:
    """Combine the two sides per article (RRF or weighted scores), plus exact-code boosts and `bonus`
    (per article, in units of the code boost's unit: the products a message names); best first.

    `pending` articles were just published and have no vectors yet: their BM25 evidence stands in
    for the dense side so that they are not ranked below everything the dense side saw.
    """
    weights = [config.bm25_weight, config.dense_weight]
    if pending:
        stand_in = {a: c for a, c in bm25.items() if a in pending and a not in dense}
        scores_in = {a: Candidate(_stand_in_score(c, bm25, dense), c.chunk) for a, c in stand_in.items()}
        dense = {**dense, **scores_in}
    if config.method == "rrf":
        by_id = rrf([_ranking(bm25), _ranking(dense)], weights, config.rrf_k)
        ids = np.fromiter(by_id, dtype=np.int64, count=len(by_id))
        scores = np.fromiter(by_id.values(), dtype=np.float64, count=len(by_id))
        unit = 1.0 / (config.rrf_k + 1)  # the vote of a rank-1 hit
    else:
        ids, scores = _weighted_minmax(bm25, dense, config, line_articles)
        unit = 1.0
    if code_hits:
        boosts = np.fromiter(
            (len(code_hits.get(a, ())) for a in ids.tolist()), dtype=np.float64, count=len(ids)
        )
        scores = scores + config.code_boost * unit * boosts
    if bonus:
        extra = np.fromiter((bonus.get(a, 0.0) for a in ids.tolist()), dtype=np.float64, count=len(ids))
        scores = scores + unit * extra
    order = np.lexsort((ids, -scores))
    out = []
    for article_id, score in zip(ids[order[:limit]].tolist(), scores[order[:limit]].tolist(), strict=True):
        b, d = bm25.get(article_id), dense.get(article_id)
        chunk = (d or b).chunk  # type: ignore[union-attr]  # the semantic match shows best when there is one
        codes = code_hits.get(article_id, ())
        out.append(Fused(article_id, score, b.score if b else None, d.score if d else None, chunk, codes))
    return out


def _weighted_minmax(
    bm25: dict[int, Candidate],
    dense: dict[int, Candidate],
    config: FusionConfig,
    line_articles: frozenset[int],
) -> tuple[np.ndarray, np.ndarray]:
    """`fusion.weighted_arrays` with min-max scaling; entries with line chunks take
    `bm25_weight_lines` for their BM25 part (an article absent from BM25 gains nothing)."""
    bm25_ids, bm25_scores = _arrays(bm25)
    weights = [config.bm25_weight, config.dense_weight]
    ids, scores = weighted_arrays([(bm25_ids, bm25_scores), _arrays(dense)], weights, "minmax")
    shift = config.bm25_weight_lines - config.bm25_weight
    if line_articles and shift:
        is_line = np.fromiter(
            (a in line_articles for a in bm25_ids.tolist()), dtype=bool, count=len(bm25_ids)
        )
        rows = np.searchsorted(ids, bm25_ids[is_line])
        scores[rows] += shift * scale(bm25_scores, "minmax")[is_line]
    return ids, scores


def _arrays(side: dict[int, Candidate]) -> tuple[np.ndarray, np.ndarray]:
    ids = np.fromiter(side, dtype=np.int64, count=len(side))
    return ids, np.fromiter((c.score for c in side.values()), dtype=np.float64, count=len(side))


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
