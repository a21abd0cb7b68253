"""kb_service.memory: the glibc heap calls `kb serve` and the index manager make (Linux, glibc)."""

from __future__ import annotations

import subprocess
import sys

from kb_service.memory import release_free_memory


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
