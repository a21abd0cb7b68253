"""Persistent embedding cache: sha256(encoder name, kind, text) -> float32 vector, in one SQLite file.

A rebuild or an eval re-run embeds only texts it has not seen with the same encoder. Vectors are stored
as little-endian float32 bytes (no pickle). The file is safe to share: each thread (and each process)
opens its own connection, SQLite's locking serialises writers, WAL lets readers run beside a writer,
and a busy timeout waits instead of failing.
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path
from typing import Literal

import numpy as np

Kind = Literal["query", "doc"]
# A rowid table: WITHOUT ROWID pushes a 1.5 KB vector row to overflow pages (~4.7 KB per row on disk);
# with 8 KB pages a row takes ~1.7 KB.
_SCHEMA = "CREATE TABLE IF NOT EXISTS embeddings (key TEXT PRIMARY KEY, vec BLOB NOT NULL)"
_MAX_VARS = 500  # keys per SELECT ... IN (...), well under SQLite's host-parameter limit


def cache_key(encoder_name: str, kind: Kind, text: str) -> str:
    """Hex sha256 of ``encoder_name \\0 kind \\0 text``."""
    raw = f"{encoder_name}\0{kind}\0{text}".encode("utf-8", "surrogatepass")
    return hashlib.sha256(raw).hexdigest()


class EmbeddingCache:
    """Vectors by cache key in a SQLite file (created if missing).

    Args:
        path: the SQLite file; its folder is created.
        timeout: seconds to wait for another writer's lock before failing.
    """

    def __init__(self, path: str | os.PathLike[str], *, timeout: float = 30.0) -> None:
        self.path = Path(path)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.timeout = timeout
        self._local = threading.local()
        self._prepare(self._connect())

    def _prepare(self, conn: sqlite3.Connection) -> None:
        """WAL mode and the table. Switching to WAL needs the file to itself and fails at once (no
        busy wait) while another process holds it, so a locked attempt is retried until `timeout`."""
        deadline = time.monotonic() + self.timeout
        while True:
            try:
                if conn.execute("PRAGMA journal_mode").fetchone()[0].lower() != "wal":
                    conn.execute("PRAGMA page_size=8192")  # only takes effect on a new file, before WAL
                    conn.execute("PRAGMA journal_mode=WAL")
                conn.execute(_SCHEMA)
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() > deadline:
                    raise
                time.sleep(0.05)

    def _connect(self) -> sqlite3.Connection:
        """This thread's connection; a forked child opens its own instead of reusing the parent's."""
        conn: sqlite3.Connection | None = getattr(self._local, "conn", None)
        if conn is None or getattr(self._local, "pid", None) != os.getpid():
            conn = sqlite3.connect(self.path, timeout=self.timeout, isolation_level=None)
            conn.execute(f"PRAGMA busy_timeout={int(self.timeout * 1000)}")
            conn.execute("PRAGMA synchronous=NORMAL")
            self._local.conn, self._local.pid = conn, os.getpid()
        return conn

    def get_many(self, keys: Iterable[str]) -> dict[str, np.ndarray]:
        """Vectors for the keys that are cached (missing keys are absent from the result)."""
        wanted = list(dict.fromkeys(keys))
        conn = self._connect()
        found: dict[str, np.ndarray] = {}
        for start in range(0, len(wanted), _MAX_VARS):
            part = wanted[start : start + _MAX_VARS]
            marks = ",".join("?" * len(part))
            rows = conn.execute(f"SELECT key, vec FROM embeddings WHERE key IN ({marks})", part)
            for key, blob in rows:
                found[key] = np.frombuffer(blob, dtype="<f4").astype(np.float32)
        return found

    def put_many(self, items: Mapping[str, np.ndarray] | Iterable[tuple[str, np.ndarray]]) -> int:
        """Store (key, vector) pairs in one transaction; returns how many were written."""
        pairs = items.items() if isinstance(items, Mapping) else items
        rows = [(key, np.asarray(vec).astype("<f4").tobytes()) for key, vec in pairs]
        if not rows:
            return 0
        conn = self._connect()
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.executemany("INSERT OR REPLACE INTO embeddings (key, vec) VALUES (?, ?)", rows)
        except BaseException:
            conn.execute("ROLLBACK")
            raise
        conn.execute("COMMIT")
        return len(rows)

    def __len__(self) -> int:
        return int(self._connect().execute("SELECT count(*) FROM embeddings").fetchone()[0])

    def close(self) -> None:
        """Close this thread's connection (others close when their threads end)."""
        conn = getattr(self._local, "conn", None)
        if conn is not None:
            conn.close()
            self._local.conn = None


def embed_with_cache(
    cache: EmbeddingCache,
    texts: list[str],
    embed_fn: Callable[[list[str]], np.ndarray],
    *,
    encoder_name: str,
    kind: Kind,
) -> np.ndarray:
    """Embed `texts`, calling `embed_fn` only for distinct texts the cache does not hold.

    Args:
        cache: where vectors are looked up and stored.
        texts: texts in output order (duplicates are embedded once).
        embed_fn: embeds a list of texts into float32 (n, dim) rows, e.g. ``encoder.encode_documents``
            or a `encode_documents_parallel` partial.
        encoder_name: the encoder's `name` (part of the key, so another model never hits).
        kind: ``"query"`` or ``"doc"`` (e5 embeds them differently).

    Returns:
        float32 (len(texts), dim).
    """
    if not texts:
        return np.ascontiguousarray(embed_fn([]), dtype=np.float32)
    keys = {text: cache_key(encoder_name, kind, text) for text in texts}
    vectors = cache.get_many(keys.values())
    missing = [text for text, key in keys.items() if key not in vectors]
    if missing:
        fresh = np.asarray(embed_fn(missing), dtype=np.float32)
        if fresh.ndim != 2 or fresh.shape[0] != len(missing):
            raise ValueError(f"embed_fn returned shape {fresh.shape} for {len(missing)} texts")
        new = {keys[text]: row for text, row in zip(missing, fresh, strict=True)}
        cache.put_many(new)
        vectors.update(new)
    return np.ascontiguousarray(np.stack([vectors[keys[text]] for text in texts]), dtype=np.float32)
