"""Full builds of large KBs in a child process.

A 100k-chunk build (BM25, HNSW, calibration) holds the GIL for long stretches of Python work and
needs a lot of memory (the build process peaks at ~700 MB); inside the serving process that memory
stayed allocated afterwards, the requests of that time waited for the GIL, and shutdown waited for
the build (26-44 s). The child builds, publishes the snapshot and fits
the calibration exactly as an in-process build does; the serving process then loads the published
snapshot. Shutting down terminates a running child at once (the previous snapshot stays current),
and a child dies with a killed service.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path

from indexer.config import IndexConfig
from indexer.documents import Article
from indexer.lifetime import die_with_parent


@dataclass(frozen=True)
class EmbedderSpec:
    backend: str
    model: str | None
    cache_path: Path
    workers: int
    dense: bool  # the serving process has an encoder: a build without vectors is a failure


class BuildCancelled(RuntimeError):
    """The child was terminated (shutdown) or died before it published a snapshot."""


class ChildBuilds:
    """The running build children of one service, so that shutdown can stop them."""

    def __init__(self) -> None:
        self._running: set[multiprocessing.process.BaseProcess] = set()
        self._lock = threading.Lock()
        self._closed = False

    def run(
        self, slug: str, root: Path, config: IndexConfig, spec: EmbedderSpec, articles: list[Article]
    ) -> str:
        """Build and publish in a child; returns the snapshot name. Raises RuntimeError on failure."""
        ctx = multiprocessing.get_context("spawn")  # no fork of a threaded process
        receive, send = ctx.Pipe(duplex=False)
        child = ctx.Process(
            target=_child_main,
            args=(slug, root, config, spec, articles, send, os.getpid()),
            name=f"kb-build-{slug}",
        )
        with self._lock:
            if self._closed:
                raise BuildCancelled("the service is shutting down")
            child.start()
            self._running.add(child)
        send.close()  # the child holds the only writer: its exit ends `recv` with EOFError
        try:
            ok, message = receive.recv()
        except EOFError:
            ok, message = False, None
        finally:
            receive.close()
            child.join()
            with self._lock:
                self._running.discard(child)
        if ok:
            return str(message)
        if message is None:
            raise BuildCancelled(f"the build process ended without a snapshot (exit code {child.exitcode})")
        raise RuntimeError(message)

    def close(self) -> None:
        """Terminate every running child and refuse new ones."""
        with self._lock:
            self._closed = True
            children = list(self._running)
        for child in children:
            child.terminate()
        for child in children:
            child.join(10)


def _child_main(
    slug: str,
    root: Path,
    config: IndexConfig,
    spec: EmbedderSpec,
    articles: list[Article],
    send: Connection,
    parent: int,
) -> None:
    die_with_parent(parent)
    from kb_service.indexing.embedder import Embedder
    from kb_service.indexing.kb_index import KbIndex

    try:
        embedder = Embedder(spec.backend, spec.model, spec.cache_path, spec.workers)
        if spec.dense and embedder.encoder is None:
            raise RuntimeError(f"the encoder did not load in the build process: {embedder.error}")
        handle = KbIndex(slug, root, config, embedder)
        handle.build(articles, with_dense=spec.dense)  # publishes the snapshot and its calibration
        send.send((True, handle.status.snapshot))
    except Exception as exc:  # noqa: BLE001 - reported to the serving process, which logs it
        send.send((False, f"{type(exc).__name__}: {exc}"))
    finally:
        send.close()
