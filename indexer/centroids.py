"""The centroid of each phrasing entry's phrasings: one unit vector per FAQ with similar questions and
per guide written one phrasing per line (`chunking.PHRASING_KINDS`).

Such an entry (an intent with its example utterances) is matched three ways (see
`ranking.dense_per_article`): its closest phrasing, the entry as a whole, and the mean direction of all
its phrasings. The centroid is the prototype of the intent: a question close to most phrasings beats one
that is close to a single phrasing only (DEV figures in docs/benchmarks.md, Quality and Bot decisions).
The mean is kept unnormalised with its count, so that a phrasing can be taken out again (a calibration
query asks a held-out phrasing, which must not be part of the centroid it is scored against).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from indexer.chunking import PHRASING_KINDS, Chunk, phrasing_articles

ARTICLES_FILE = "phrasing_centroid_articles.npy"
MEANS_FILE = "phrasing_centroid_means.npy"
COUNTS_FILE = "phrasing_centroid_counts.npy"


@dataclass(frozen=True)
class PhrasingCentroids:
    articles: np.ndarray  # int64 article ids, sorted
    means: np.ndarray  # float32 mean of each article's phrasing vectors (unit vectors), not normalised
    counts: np.ndarray  # int32 number of phrasings in each mean
    vectors: np.ndarray = field(init=False)  # the means as unit vectors, row i for articles[i]

    def __post_init__(self) -> None:
        norms = np.maximum(np.linalg.norm(self.means, axis=1, keepdims=True), 1e-12)
        object.__setattr__(self, "vectors", (self.means / norms).astype(np.float32))

    @classmethod
    def build(cls, chunks: Sequence[Chunk], vectors: Mapping[int, np.ndarray]) -> PhrasingCentroids | None:
        """Centroids of the phrasing entries whose phrasings all have vectors (`vectors` by chunk
        position); None when there are none."""
        entries = phrasing_articles(chunks)
        rows: dict[int, list[np.ndarray]] = {}
        incomplete: set[int] = set()
        for position, chunk in enumerate(chunks):
            if chunk.kind not in PHRASING_KINDS or chunk.article_id not in entries:
                continue
            vector = vectors.get(position)
            if vector is None:
                incomplete.add(chunk.article_id)  # a phrasing still waiting for its vector
            else:
                rows.setdefault(chunk.article_id, []).append(vector)
        ids = sorted(a for a in rows if a not in incomplete)
        if not ids:
            return None
        means = np.stack([np.mean(rows[a], axis=0) for a in ids]).astype(np.float32)
        counts = np.asarray([len(rows[a]) for a in ids], dtype=np.int32)
        return cls(np.asarray(ids, dtype=np.int64), means, counts)

    def without(self, removed: Mapping[int, Sequence[np.ndarray]]) -> PhrasingCentroids | None:
        """These centroids with some phrasing vectors taken out (by article); an article left with no
        phrasing has none."""
        means, counts = self.means.copy(), self.counts.copy()
        keep = np.ones(len(self.articles), dtype=bool)
        for article_id, taken in removed.items():
            row = int(np.searchsorted(self.articles, article_id))
            if row >= len(self.articles) or self.articles[row] != article_id or not len(taken):
                continue
            left = int(counts[row]) - len(taken)
            if left <= 0:
                keep[row] = False
                continue
            means[row] = (means[row] * counts[row] - np.sum(taken, axis=0)) / left
            counts[row] = left
        if not keep.any():
            return None
        return PhrasingCentroids(self.articles[keep], means[keep], counts[keep])

    def scores(self, query_vector: np.ndarray, article_ids: Sequence[int]) -> dict[int, float]:
        """Inner product of the query with the centroid of each of `article_ids` that has one."""
        if not len(article_ids):
            return {}
        wanted = np.asarray(article_ids, dtype=np.int64)
        rows = np.searchsorted(self.articles, wanted)
        rows = np.minimum(rows, len(self.articles) - 1)
        found = self.articles[rows] == wanted
        values = self.vectors[rows[found]] @ np.asarray(query_vector, dtype=np.float32).reshape(-1)
        return dict(zip(wanted[found].tolist(), values.tolist(), strict=True))

    def save(self, folder: Path) -> list[str]:
        np.save(folder / ARTICLES_FILE, self.articles, allow_pickle=False)
        np.save(folder / MEANS_FILE, self.means, allow_pickle=False)
        np.save(folder / COUNTS_FILE, self.counts, allow_pickle=False)
        return [ARTICLES_FILE, MEANS_FILE, COUNTS_FILE]

    @classmethod
    def load(cls, folder: Path) -> PhrasingCentroids | None:
        if not (folder / ARTICLES_FILE).exists():
            return None
        articles = np.load(folder / ARTICLES_FILE, allow_pickle=False)
        means = np.load(folder / MEANS_FILE, allow_pickle=False)
        counts = np.load(folder / COUNTS_FILE, allow_pickle=False)
        if not len(articles) == len(means) == len(counts):
            raise ValueError(
                f"{folder}: {len(articles)} centroid articles, {len(means)} means, {len(counts)} counts"
            )
        return cls(articles, means, counts)
