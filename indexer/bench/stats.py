"""Small measuring helpers for `kb bench`: latency percentiles and resident memory."""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
import resource
import time
from collections.abc import Callable, Iterable
from typing import TypeVar

import numpy as np

T = TypeVar("T")


def percentiles_ms(seconds: Iterable[float]) -> dict[str, float]:
    """p50 / p95 / p99 / max of durations given in seconds, in milliseconds (3 decimals)."""
    ms = np.asarray(list(seconds), dtype=np.float64) * 1e3
    if ms.size == 0:
        return {"p50": 0.0, "p95": 0.0, "p99": 0.0, "max": 0.0}
    p50, p95, p99 = np.percentile(ms, [50, 95, 99])
    return {"p50": _r(p50), "p95": _r(p95), "p99": _r(p99), "max": _r(ms.max())}


def timed(fn: Callable[[], T]) -> tuple[T, float]:
    """Call `fn`; returns its result and the seconds it took."""
    started = time.perf_counter()
    result = fn()
    return result, time.perf_counter() - started


def rss_bytes() -> int:
    """Resident set size now (VmRSS from /proc/self/status; the peak where /proc is missing)."""
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return peak_rss_bytes()


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports ru_maxrss in KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def settle_memory() -> None:
    """Collect garbage and hand freed heap pages back to the OS, so RSS shows what is still held.

    glibc keeps freed small blocks in its arenas; without `malloc_trim` the RSS after a build also
    counts the build's temporaries (token lists, vectors), which the process would reuse anyway.
    """
    gc.collect()
    name = ctypes.util.find_library("c")
    if name:
        libc = ctypes.CDLL(name)
        if hasattr(libc, "malloc_trim"):
            libc.malloc_trim(0)


def _r(value: float) -> float:
    return round(float(value), 3)
