"""kb_service.memory: the glibc heap calls `kb serve` and the index manager make (Linux, glibc)."""

from __future__ import annotations

import gc
import subprocess
import sys
import weakref

from kb_service.memory import release_free_memory
from tests.conftest import Api


def test_arena_cap_applies_in_a_fresh_process() -> None:
    code = "from kb_service.memory import limit_malloc_arenas; print(limit_malloc_arenas())"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.stdout.strip() == "True", out.stderr


def test_trim_returns_freed_pages() -> None:
    def rss_kb() -> int:
        with open("/proc/self/status") as fh:
            return next(int(line.split()[1]) for line in fh if line.startswith("VmRSS:"))

    blocks = [bytearray(64 * 1024 - 64) for _ in range(4_000)]  # ~256 MB below the mmap threshold
    pin = bytearray(64 * 1024 - 64)  # keeps the heap top in use: freeing below it returns nothing
    held = rss_kb()
    del blocks
    assert rss_kb() > held - 100_000  # still held by the heap
    assert release_free_memory()
    assert rss_kb() < held - 100_000  # at least ~100 MB went back to the system
    assert len(pin) == 64 * 1024 - 64


def test_a_loaded_index_is_out_of_the_cyclic_collectors_reach_and_freed_when_swapped(
    sample_api: Api,
) -> None:
    """Full collections scan every tracked object (a ~90 ms GIL pause at 100k chunks, at a random
    request): the service freezes what is alive once an index is installed. A replaced index must
    still be freed, by reference counting alone."""
    manager = sample_api.client.app.state.index  # type: ignore[attr-defined]
    handle = manager.indexes["default"]
    live = handle.live
    chunk, article = live.state.main.chunks[0], next(iter(live.state.articles.values()))
    tracked = {id(o) for o in gc.get_objects()}  # the collector's generations; frozen ones are not in them
    assert gc.get_freeze_count() > len(live.state.main.chunks)
    assert id(chunk) not in tracked and id(article) not in tracked

    old = weakref.ref(live)
    del live, chunk, article, tracked
    handle.build(list(handle.live.state.articles.values()), with_dense=False)
    assert old() is None
    assert gc.get_freeze_count() > len(handle.live.state.main.chunks)  # the new one is frozen too
