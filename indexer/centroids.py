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
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from indexer.chunking import PHRASING_KINDS, Chunk, phrasing_articles

ARTICLES_FILE = "phrasing_centroid_articles.npy"
VECTORS_FILE = "phrasing_centroids.npy"
NORMS_FILE = "phrasing_centroid_norms.npy"
COUNTS_FILE = "phrasing_centroid_counts.npy"


@dataclass(frozen=True)
class PhrasingCentroids:
    articles: np.ndarray  # int64 article ids, sorted
    vectors: np.ndarray  # float32 unit vectors, row i for articles[i]
    norms: np.ndarray  # float32 length of each mean before it was normalised (mean = vector * norm)
    counts: np.ndarray  # int32 number of phrasings in each mean
    # one search's hold-out (`without`): article → its centroid without the held-out phrasings, or None
    replaced: Mapping[int, np.ndarray | None] = field(default_factory=dict)

    @classmethod
    def from_means(cls, articles: np.ndarray, means: np.ndarray, counts: np.ndarray) -> PhrasingCentroids:
        norms = np.maximum(np.linalg.norm(means, axis=1), 1e-12).astype(np.float32)
        return cls(articles, (means / norms[:, None]).astype(np.float32), norms, counts)

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
        return cls.from_means(np.asarray(ids, dtype=np.int64), means, counts)

    def without(self, removed: Mapping[int, Sequence[np.ndarray]]) -> PhrasingCentroids:
        """These centroids with some phrasing vectors taken out (by article), for one search: the
        arrays are shared, the changed articles are kept aside; one left with no phrasing has none."""
        replaced: dict[int, np.ndarray | None] = {}
        for article_id, taken in removed.items():
            row = int(np.searchsorted(self.articles, article_id))
            if row >= len(self.articles) or self.articles[row] != article_id or not len(taken):
                continue
            count = int(self.counts[row])
            if count <= len(taken):
                replaced[article_id] = None
                continue
            mean = (self.vectors[row] * self.norms[row] * count - np.sum(taken, axis=0)) / (
                count - len(taken)
            )
            replaced[article_id] = (mean / max(float(np.linalg.norm(mean)), 1e-12)).astype(np.float32)
        return replace(self, replaced={**self.replaced, **replaced})

    def scores(self, query_vector: np.ndarray, article_ids: Sequence[int]) -> dict[int, float]:
        """Inner product of the query with the centroid of each of `article_ids` that has one."""
        if not len(article_ids):
            return {}
        query = np.asarray(query_vector, dtype=np.float32).reshape(-1)
        wanted = np.asarray(article_ids, dtype=np.int64)
        rows = np.searchsorted(self.articles, wanted)
        rows = np.minimum(rows, len(self.articles) - 1)
        found = self.articles[rows] == wanted
        values = self.vectors[rows[found]] @ query
        out = dict(zip(wanted[found].tolist(), values.tolist(), strict=True))
        for article_id in self.replaced.keys() & out.keys():
            vector = self.replaced[article_id]
            if vector is None:
                del out[article_id]
            else:
                out[article_id] = float(vector @ query)
        return out

    def save(self, folder: Path) -> list[str]:
        assert not self.replaced, "a search's hold-out is not saved"
        files = {ARTICLES_FILE: self.articles, VECTORS_FILE: self.vectors, NORMS_FILE: self.norms}
        files[COUNTS_FILE] = self.counts
        for name, array in files.items():
            np.save(folder / name, array, allow_pickle=False)
        return list(files)

    @classmethod
    def load(cls, folder: Path) -> PhrasingCentroids | None:
        if not (folder / ARTICLES_FILE).exists():
            return None
        arrays = [
            np.load(folder / name, allow_pickle=False) for name in (ARTICLES_FILE, VECTORS_FILE, NORMS_FILE)
        ]
        arrays.append(np.load(folder / COUNTS_FILE, allow_pickle=False))
        if len({len(a) for a in arrays}) != 1:
            raise ValueError(f"{folder}: centroid files of unequal lengths {[len(a) for a in arrays]}")
        return cls(*arrays)
