"""Dense retrieval: a FAISS inner-product index over L2-normalised vectors, keyed by chunk id.

Small collections use exact search (``IndexFlatIP``); above ``hnsw_threshold`` vectors an HNSW graph
(``IndexHNSWFlat``, inner product) answers in well under the 2 ms budget where exact search takes ~15 ms
at 100k. Both sit in an ``IndexIDMap2`` so results are chunk ids. Tombstoned ids are excluded inside
FAISS with an ``IDSelector`` (works for flat and HNSW in faiss-cpu 1.15), so a search still returns k
live hits.

Threads: every search runs with one OpenMP thread. ``omp_set_num_threads`` is per calling thread in
libgomp, so it is applied once in each thread that uses an index. Concurrent searches on one index are
safe; `add` / `remove` must not run beside searches on the same index (swap or lock in the caller).
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable
from typing import Any, Literal

import faiss as _faiss
import numpy as np

# faiss ships partial type stubs that miss SearchParametersHNSW, the `sel` keyword and HNSW methods.
faiss: Any = _faiss

DenseKind = Literal["auto", "flat", "hnsw"]
_local = threading.local()


def _one_thread() -> None:
    if not getattr(_local, "pinned", False):
        faiss.omp_set_num_threads(1)
        _local.pinned = True


def _as_ids(ids: Iterable[int] | np.ndarray) -> np.ndarray:
    arr = ids if isinstance(ids, np.ndarray) else np.fromiter(ids, dtype=np.int64)
    return np.ascontiguousarray(arr, dtype=np.int64).reshape(-1)


class IdExclusion:
    """A FAISS selector hiding `ids`. Build it once per tombstone set and pass it to every search."""

    def __init__(self, ids: Iterable[int] | np.ndarray) -> None:
        self.ids = np.unique(_as_ids(ids))
        self._batch = faiss.IDSelectorBatch(self.ids)  # kept: IDSelectorNot does not own it
        self.selector = faiss.IDSelectorNot(self._batch)

    def __len__(self) -> int:
        return int(self.ids.size)


Exclude = IdExclusion | set[int] | frozenset[int] | np.ndarray | None


class DenseIndex:
    """Inner-product search over unit vectors with int64 ids; build with `DenseIndex.build`."""

    def __init__(self, index: Any) -> None:
        self._index = index
        inner = faiss.downcast_index(index.index)
        self._inner = inner  # keeps the wrapped index alive as long as this object
        self._hnsw = inner.hnsw if isinstance(inner, faiss.IndexHNSW) else None
        self.dim: int = int(index.d)

    @classmethod
    def build(
        cls,
        vectors: np.ndarray,
        ids: Iterable[int] | np.ndarray,
        kind: DenseKind = "auto",
        hnsw_threshold: int = 20_000,
        M: int = 32,  # FAISS's name for the graph degree
        ef_construction: int = 80,
        ef_search: int = 128,
    ) -> DenseIndex:
        """Index `vectors` (float32 (n, dim), unit rows) under `ids` (n unique ints).

        Args:
            kind: ``"flat"`` (exact), ``"hnsw"``, or ``"auto"``: flat up to `hnsw_threshold` vectors.
            M, ef_construction, ef_search: HNSW graph degree, build and search beam widths. The
                defaults gave recall@10 0.97 against exact search at 100k real-embedding-based vectors,
                0.2 ms per query (benchmarks/dense_bench.py); ef_search 64 fell just short of 0.95.
        """
        vecs = _as_vectors(vectors)
        if kind == "auto":
            kind = "hnsw" if vecs.shape[0] > hnsw_threshold else "flat"
        _one_thread()
        inner = _make_inner(kind, vecs.shape[1], M, ef_construction, ef_search)
        index = cls(faiss.IndexIDMap2(inner))
        index.add(vecs, ids)
        return index

    @property
    def ntotal(self) -> int:
        return int(self._index.ntotal)

    @property
    def kind(self) -> str:
        return "flat" if self._hnsw is None else "hnsw"

    @property
    def params(self) -> dict[str, Any]:
        """Kind and parameters, for the snapshot manifest."""
        out: dict[str, Any] = {"kind": self.kind, "metric": "inner_product", "dim": self.dim}
        if self._hnsw is not None:
            out.update(
                M=int(self._hnsw.nb_neighbors(1)),
                ef_construction=int(self._hnsw.efConstruction),
                ef_search=int(self._hnsw.efSearch),
            )
        return out

    def set_ef_search(self, ef_search: int) -> None:
        """Change the HNSW search beam (ignored for flat); saved with the index."""
        if self._hnsw is not None:
            self._hnsw.efSearch = int(ef_search)

    def search(self, query_vec: np.ndarray, k: int, exclude: Exclude = None) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` (ids int64, scores float32) for one query vector, best first, `exclude` ids hidden."""
        ids, scores = self.search_batch(np.asarray(query_vec).reshape(1, -1), k, exclude)
        keep = ids[0] >= 0
        return ids[0][keep], scores[0][keep]

    def search_batch(
        self, query_vecs: np.ndarray, k: int, exclude: Exclude = None
    ) -> tuple[np.ndarray, np.ndarray]:
        """Top-`k` per query row: (ids (nq, k) int64, scores (nq, k) float32), padded with -1 / -inf."""
        queries = _as_vectors(query_vecs, self.dim)
        k = max(0, min(int(k), self.ntotal))
        if k == 0:
            empty = (queries.shape[0], 0)
            return np.empty(empty, dtype=np.int64), np.empty(empty, dtype=np.float32)
        _one_thread()
        params, _keepalive = self._search_params(exclude)
        scores, ids = self._index.search(queries, k, params=params)
        scores[ids < 0] = -np.inf
        return ids, scores

    def _search_params(self, exclude: Exclude) -> tuple[Any, IdExclusion | None]:
        """FAISS SearchParameters hiding `exclude`, and the selector they point to (keep it alive)."""
        if exclude is None or len(exclude) == 0:
            return None, None
        excl = exclude if isinstance(exclude, IdExclusion) else IdExclusion(exclude)
        if self._hnsw is None:
            return faiss.SearchParameters(sel=excl.selector), excl
        # these params replace the index's own efSearch, so pass it along
        return faiss.SearchParametersHNSW(sel=excl.selector, efSearch=self._hnsw.efSearch), excl

    def vector(self, id: int) -> np.ndarray:
        """The stored vector of `id` (float32, exact for flat and HNSW-flat indexes)."""
        return np.asarray(self._index.reconstruct(int(id)), dtype=np.float32)

    def add(self, vectors: np.ndarray, ids: Iterable[int] | np.ndarray) -> None:
        """Add vectors under new, unique ids."""
        vecs, id_arr = _as_vectors(vectors, self.dim), _as_ids(ids)
        if id_arr.shape[0] != vecs.shape[0]:
            raise ValueError(f"{vecs.shape[0]} vectors but {id_arr.shape[0]} ids")
        if np.unique(id_arr).size != id_arr.size:
            raise ValueError("ids must be unique")
        if self.ntotal and np.isin(id_arr, faiss.vector_to_array(self._index.id_map)).any():
            raise ValueError("some ids are already in the index")
        if id_arr.size:
            _one_thread()
            self._index.add_with_ids(vecs, id_arr)

    def remove(self, ids: Iterable[int] | np.ndarray) -> int:
        """Remove ids (flat only; HNSW cannot delete: exclude tombstones and rebuild). Returns the count."""
        if self._hnsw is not None:
            raise NotImplementedError("HNSW indexes cannot remove vectors; exclude the ids in search instead")
        return int(self._index.remove_ids(np.unique(_as_ids(ids))))

    def save(self, path: str | os.PathLike[str]) -> None:
        """Write the index with ``faiss.write_index`` (no pickle)."""
        faiss.write_index(self._index, os.fspath(path))

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> DenseIndex:
        """Read an index written by `save`."""
        try:
            index = faiss.read_index(os.fspath(path))
        except RuntimeError as exc:
            raise ValueError(f"{path} is not a readable FAISS index: {exc}") from exc
        if not isinstance(index, faiss.IndexIDMap2):
            raise ValueError(f"{path} is not a DenseIndex file (found {type(index).__name__})")
        return cls(index)


def _make_inner(kind: str, dim: int, M: int, ef_construction: int, ef_search: int) -> Any:
    if kind == "flat":
        return faiss.IndexFlatIP(dim)
    if kind == "hnsw":
        inner = faiss.IndexHNSWFlat(dim, M, faiss.METRIC_INNER_PRODUCT)
        inner.hnsw.efConstruction = ef_construction
        inner.hnsw.efSearch = ef_search
        return inner
    raise ValueError(f"unknown dense index kind {kind!r} (auto, flat, hnsw)")


def _as_vectors(vectors: np.ndarray, dim: int | None = None) -> np.ndarray:
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or (dim is not None and arr.shape[1] != dim):
        raise ValueError(f"expected a float32 (n, {dim or 'dim'}) array, got shape {arr.shape}")
    return arr
