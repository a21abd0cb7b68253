"""Embed many documents in worker processes (full builds), one compute thread each.

Workers use the ``spawn`` start method: they never inherit a parent's loaded OpenMP runtime, model or
threads, and each creates its own encoder from an `EncoderSpec` with one OpenMP thread. A script that
calls this at import time must guard its entry point with ``if __name__ == "__main__":``.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool

import numpy as np

from indexer.encoders.base import Encoder, EncoderError, EncoderUnavailable
from indexer.encoders.factory import create_encoder
from indexer.lifetime import die_with_parent

EncoderSpec = tuple[str, str | None]
"""(backend, model) as accepted by `create_encoder`."""

# Per worker process: the encoder created by the pool initializer (or why it could not be created).
# A pool worker has no other place to keep it; nothing in the parent process touches these.
_worker_encoder: Encoder | None = None
_worker_error: str | None = None


def _init_worker(spec: EncoderSpec, parent: int) -> None:
    global _worker_encoder, _worker_error
    die_with_parent(parent)  # a killed build must not leave its workers behind
    try:
        _worker_encoder = create_encoder(spec[0], spec[1], num_threads=1)
    except Exception as exc:  # raising here would make the pool respawn workers forever
        _worker_error = f"{type(exc).__name__}: {exc}"


def _encode_batch(job: tuple[bool, list[str]]) -> np.ndarray:
    if _worker_encoder is None:
        raise EncoderUnavailable(f"encoder worker could not start: {_worker_error}")
    queries, batch = job
    return _worker_encoder.encode_queries(batch) if queries else _worker_encoder.encode_documents(batch)


def _batches(texts: list[str], batch_size: int) -> list[list[str]]:
    return [texts[i : i + batch_size] for i in range(0, len(texts), batch_size)]


def _stack(parts: list[np.ndarray], dim: int) -> np.ndarray:
    if not parts:
        return np.empty((0, dim), dtype=np.float32)
    return np.ascontiguousarray(np.concatenate(parts, axis=0), dtype=np.float32)


def encode_documents_parallel(
    encoder_spec: EncoderSpec,
    texts: list[str],
    workers: int = 2,
    batch_size: int = 32,
    progress: Callable[[int], None] | None = None,
    *,
    encoder: Encoder | None = None,
    queries: bool = False,
) -> np.ndarray:
    """Embed `texts` as documents (or as queries), in order, using `workers` processes.

    Args:
        encoder_spec: (backend, model) each worker passes to `create_encoder`.
        texts: texts to embed; the output row i belongs to texts[i].
        workers: worker processes; 1 embeds in this process (with `encoder` if given).
            No more workers than batches are started.
        batch_size: texts per encoder call (and per progress step).
        progress: called with the number of texts done after each batch.
        encoder: an already-loaded encoder for the in-process case (``workers=1``).
        queries: embed with the encoder's query side (e5's ``query:`` prefix) instead.

    Returns:
        float32 (len(texts), dim) unit rows; (0, 0) for no texts unless `encoder` tells the dim.

    Raises:
        EncoderError: a worker could not create its encoder or failed to embed.
    """
    if batch_size < 1 or workers < 1:
        raise ValueError("workers and batch_size must be >= 1")
    batches = _batches(list(texts), batch_size)
    dim = encoder.dim if encoder is not None else 0
    if not batches:
        return np.empty((0, dim), dtype=np.float32)
    if workers == 1:
        local = encoder or create_encoder(encoder_spec[0], encoder_spec[1], num_threads=1)
        encode = local.encode_queries if queries else local.encode_documents
        return _run(map(encode, batches), batches, progress, local.dim)
    # ProcessPoolExecutor, not multiprocessing.Pool: Pool.terminate() after a worker's error hung
    # now and then in its task-handler join; cancelling the queued futures ends cleanly.
    pool = ProcessPoolExecutor(
        max_workers=min(workers, len(batches)),
        mp_context=multiprocessing.get_context("spawn"),
        initializer=_init_worker,
        initargs=(encoder_spec, os.getpid()),
    )
    try:
        jobs = [(queries, batch) for batch in batches]
        return _run(pool.map(_encode_batch, jobs), batches, progress, dim)
    except BrokenProcessPool as exc:  # a worker died (killed, out of memory, crashed in C)
        raise EncoderError(f"encoder worker died: {exc}") from exc
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _run(
    results: Iterable[np.ndarray],
    batches: list[list[str]],
    progress: Callable[[int], None] | None,
    dim: int,
) -> np.ndarray:
    parts: list[np.ndarray] = []
    done = 0
    for batch, vectors in zip(batches, results, strict=True):
        parts.append(vectors)
        done += len(batch)
        if progress is not None:
            progress(done)
    return _stack(parts, dim)
