"""The centroid of each line entry's phrasings: one unit vector per article with `line` chunks.

An entry written one phrasing per line (an intent with its example utterances) is matched three ways
(see `ranking.dense_per_article`): its closest phrasing, the entry as a whole, and the mean direction
of all its phrasings. The centroid is the prototype of the intent: a question close to most phrasings
beats one that is close to a single phrasing only (DEV MRR@10 in docs/benchmarks.md, Quality).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from indexer.chunking import Chunk

ARTICLES_FILE = "line_centroid_articles.npy"
VECTORS_FILE = "line_centroids.npy"


@dataclass(frozen=True)
class LineCentroids:
    articles: np.ndarray  # int64 article ids, sorted
    vectors: np.ndarray  # float32 unit vectors, row i for articles[i]

    @classmethod
    def build(cls, chunks: Sequence[Chunk], vectors: dict[int, np.ndarray]) -> LineCentroids | None:
        """Centroids of the articles whose `line` chunks all have vectors (`vectors` by chunk position);
        None when there are none."""
        rows: dict[int, list[np.ndarray]] = {}
        incomplete: set[int] = set()
        for position, chunk in enumerate(chunks):
            if chunk.kind != "line":
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
        means /= np.maximum(np.linalg.norm(means, axis=1, keepdims=True), 1e-12)
        return cls(np.asarray(ids, dtype=np.int64), means)

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
        np.save(folder / VECTORS_FILE, self.vectors, allow_pickle=False)
        return [ARTICLES_FILE, VECTORS_FILE]

    @classmethod
    def load(cls, folder: Path) -> LineCentroids | None:
        if not (folder / ARTICLES_FILE).exists():
            return None
        articles = np.load(folder / ARTICLES_FILE, allow_pickle=False)
        vectors = np.load(folder / VECTORS_FILE, allow_pickle=False)
        if len(articles) != len(vectors):
            raise ValueError(f"{folder}: {len(articles)} centroid articles for {len(vectors)} vectors")
        return cls(articles, vectors)
