"""Per-key rate limits: one token bucket per API key, in memory, refilled at its role's rate."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb_service.errors import RateLimited
from kb_service.settings import Settings

Clock = Callable[[], float]


@dataclass(frozen=True)
class Limit:
    """A sustained rate (tokens per second) and a bucket size; rate 0 means unlimited."""

    rate: float
    burst: float

    @classmethod
    def per_second(cls, rate: float, burst_factor: float) -> Limit:
        return cls(rate, max(1.0, math.floor(rate * burst_factor))) if rate > 0 else cls(0.0, 0.0)


class TokenBucket:
    """Starts full; each request takes one token; tokens come back at `rate` per second up to `burst`."""

    __slots__ = ("burst", "rate", "tokens", "updated")

    def __init__(self, limit: Limit, now: float):
        self.rate, self.burst = limit.rate, limit.burst
        self.tokens, self.updated = limit.burst, now

    def take(self, now: float) -> float:
        """Take a token; returns 0 when allowed, else the seconds until one is available."""
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= 1.0:
            self.tokens -= 1.0
            return 0.0
        return (1.0 - self.tokens) / self.rate


class RateLimiter:
    """Thread-safe buckets by key id; at most `max_keys` are tracked (least recently used dropped)."""

    def __init__(self, limits: Mapping[str, Limit], max_keys: int = 10_000, clock: Clock = time.monotonic):
        self.limits, self.max_keys, self.clock = dict(limits), max(1, max_keys), clock
        self._buckets: OrderedDict[int, TokenBucket] = OrderedDict()
        self._lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings) -> RateLimiter:
        rates = {
            "bot": settings.rate_limit_bot_per_s,
            "agent": settings.rate_limit_agent_per_s,
            "editor": settings.rate_limit_editor_per_s,
            "admin": settings.rate_limit_admin_per_s,
        }
        factor = settings.rate_limit_burst_factor
        return cls(
            {role: Limit.per_second(rate, factor) for role, rate in rates.items()},
            settings.rate_limit_max_keys,
        )

    def __len__(self) -> int:
        return len(self._buckets)

    def wait_time(self, key_id: int, role: str) -> float:
        """Count one request for the key; 0 when allowed, else the seconds to wait before retrying."""
        limit = self.limits.get(role)
        if limit is None or limit.rate <= 0:
            return 0.0
        with self._lock:
            now = self.clock()
            bucket = self._buckets.get(key_id)
            if bucket is None:
                bucket = self._buckets[key_id] = TokenBucket(limit, now)
                while len(self._buckets) > self.max_keys:
                    self._buckets.popitem(last=False)
            else:
                self._buckets.move_to_end(key_id)
            return bucket.take(now)

    def check(self, key_id: int, role: str, name: str = "") -> None:
        """Raise RateLimited (429, with Retry-After in whole seconds) when the key is over its limit."""
        wait = self.wait_time(key_id, role)
        if wait > 0:
            limit = self.limits[role]
            retry_after = max(1, math.ceil(wait))
            raise RateLimited(
                f"rate limit exceeded for the key '{name or key_id}' ({limit.rate:g} requests/s, "
                f"burst {limit.burst:g} for role '{role}'); retry after {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )
