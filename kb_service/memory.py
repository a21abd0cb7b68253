"""Heap settings for the long-running, many-threaded service process: glibc arenas (Linux; no-ops
elsewhere) and Python's cyclic garbage collector.

With glibc's default of up to 8 heaps ("arenas") per core, the request threads spread their
short-lived allocations (BM25 score vectors, candidate lists, responses) over many arenas, and
memory freed in one is not reused by another: in a 9-minute soak with two background rebuilds the
serving process grew 789 → 1,109 MB (docs/benchmarks.md, load test). Two arenas and a trim after
every snapshot swap keep it near its working set.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc

M_ARENA_MAX = -8  # mallopt parameter, <malloc.h>
ARENAS = 2


def _glibc() -> ctypes.CDLL | None:
    name = ctypes.util.find_library("c")
    try:
        libc = ctypes.CDLL(name) if name else None
    except OSError:
        return None
    return libc if libc is not None and hasattr(libc, "mallopt") else None


def limit_malloc_arenas(arenas: int = ARENAS) -> bool:
    """Cap glibc's arenas; call before the request threads start. True when applied."""
    libc = _glibc()
    return bool(libc and libc.mallopt(M_ARENA_MAX, arenas))


def release_free_memory() -> bool:
    """Give free heap pages back to the system (after a large structure was replaced)."""
    libc = _glibc()
    return bool(libc and hasattr(libc, "malloc_trim") and libc.malloc_trim(0) >= 0)


def settle_heap() -> None:
    """Collect once, then keep the cyclic garbage collector off everything alive (the served indexes).

    A full collection scans every tracked object: with a 100k-chunk index loaded (~190k objects) that
    held the GIL for ~90 ms, stalling every request in flight at a random moment (`kb bench`-sized
    index, one such pause per ~300 searches and publishes). Frozen objects are skipped by collections
    and still freed by reference counting when an index is replaced (a replaced index holds no
    cycles). Unfreezing first lets this collection find cycles left among what was frozen before.
    Call after a new index is installed; it costs one full collection then.
    """
    gc.unfreeze()
    gc.collect()
    gc.freeze()
