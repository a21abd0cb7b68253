"""A searchable set of chunks: its BM25 index and (when vectors exist) its dense index."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import asdict, dataclass, replace
from functools import cached_property
from pathlib import Path

import numpy as np

from indexer.bm25 import BM25Index
from indexer.centroids import PhrasingCentroids
from indexer.chunking import PHRASING_KINDS, Chunk, phrasing_articles
from indexer.dense import DenseIndex

_CACHED = ("article_ids", "phrasing_articles", "line_articles", "phrasing_rows", "entry_rows")


@dataclass(frozen=True)
class Segment:
    """Chunk i of the segment is row i of BM25 and id i of the dense index."""

    chunks: tuple[Chunk, ...]
    chunk_article: np.ndarray  # int64 article id per chunk
    bm25: BM25Index
    dense: DenseIndex | None
    centroids: PhrasingCentroids | None = None  # of the line entries whose phrasings all have vectors

    def __len__(self) -> int:
        return len(self.chunks)

    @cached_property
    def article_ids(self) -> frozenset[int]:
        """Articles with chunks in this segment."""
        return frozenset(np.unique(self.chunk_article).tolist())

    @cached_property
    def phrasing_articles(self) -> frozenset[int]:
        """Phrasing entries (see `chunking.PHRASING_KINDS`): their dense score also weighs the whole
        entry and the centroid of their phrasings (see ranking)."""
        return phrasing_articles(self.chunks)

    @cached_property
    def line_articles(self) -> frozenset[int]:
        """Articles with `line` chunks (they take `FusionConfig.bm25_weight_lines`)."""
        return frozenset(c.article_id for c in self.chunks if c.kind == "line")

    @cached_property
    def phrasing_rows(self) -> np.ndarray:
        """Per chunk: whether it is a phrasing (`chunking.PHRASING_KINDS`)."""
        kinds = (c.kind in PHRASING_KINDS for c in self.chunks)
        return np.fromiter(kinds, dtype=bool, count=len(self.chunks))

    @cached_property
    def entry_rows(self) -> np.ndarray:
        """Per chunk: whether its article is a phrasing entry (`phrasing_articles`)."""
        entries = self.phrasing_articles
        if not entries:
            return np.zeros(len(self.chunks), dtype=bool)
        return np.isin(self.chunk_article, np.fromiter(entries, dtype=np.int64, count=len(entries)))

    def prepare(self) -> Segment:
        """Compute the cached per-chunk sets now (~30 ms at 100k chunks), not in the first search."""
        for name in _CACHED:
            getattr(self, name)
        return self

    def with_centroids(self, centroids: PhrasingCentroids | None) -> Segment:
        """The same segment with other centroids (a calibration query's hold-out), cached sets kept."""
        segment = replace(self, centroids=centroids)
        for name in _CACHED:
            if name in self.__dict__:
                segment.__dict__[name] = self.__dict__[name]
        return segment

    @classmethod
    def build(
        cls,
        chunks: list[Chunk],
        token_lists: Iterable[list[str]],
        bm25_k1: float,
        bm25_b: float,
        dense: DenseIndex | None,
        base: BM25Index | None = None,
        centroids: PhrasingCentroids | None = None,
    ) -> Segment:
        bm25 = BM25Index.build(token_lists, bm25_k1, bm25_b, base=base)
        owners = np.fromiter((c.article_id for c in chunks), dtype=np.int64, count=len(chunks))
        return cls(tuple(chunks), owners, bm25, dense, centroids)

    def save(self, folder: Path) -> list[str]:
        """Write the segment's files into `folder`; returns their names (for the manifest checksums)."""
        (folder / "bm25").mkdir(parents=True, exist_ok=True)
        self.bm25.save(folder / "bm25")
        with open(folder / "chunks.jsonl", "w", encoding="utf-8") as fh:
            for chunk in self.chunks:
                fh.write(json.dumps(asdict(chunk), ensure_ascii=False) + "\n")
        np.save(folder / "chunk_article.npy", self.chunk_article, allow_pickle=False)
        names = ["chunks.jsonl", "chunk_article.npy"] + sorted(
            f"bm25/{p.name}" for p in (folder / "bm25").iterdir()
        )
        if self.dense is not None:
            self.dense.save(folder / "dense.faiss")
            names.append("dense.faiss")
        if self.centroids is not None:
            names += self.centroids.save(folder)
        return names

    @classmethod
    def load(cls, folder: Path, with_dense: bool) -> Segment:
        with open(folder / "chunks.jsonl", encoding="utf-8") as fh:
            chunks = tuple(Chunk(**json.loads(line)) for line in fh if line.strip())
        owners = np.load(folder / "chunk_article.npy", allow_pickle=False)
        bm25 = BM25Index.load(folder / "bm25")
        dense_file = folder / "dense.faiss"
        dense = DenseIndex.load(dense_file) if with_dense and dense_file.exists() else None
        if len(owners) != len(chunks) or bm25.n_docs != len(chunks):
            raise ValueError(
                f"snapshot {folder} is inconsistent: {len(chunks)} chunks, {len(owners)} owners, "
                f"{bm25.n_docs} BM25 rows"
            )
        if dense is not None and dense.ntotal > len(chunks):
            raise ValueError(f"snapshot {folder} has {dense.ntotal} vectors for {len(chunks)} chunks")
        centroids = PhrasingCentroids.load(folder) if dense is not None else None
        return cls(chunks, owners, bm25, dense, centroids)
