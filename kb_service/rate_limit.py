"""Per-key rate limits: one token bucket per API key, in memory, refilled at its role's rate."""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from kb_service.assist.message import message_cost
from kb_service.auth import Principal
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

    __slots__ = ("burst", "note", "rate", "tokens", "updated")

    def __init__(self, limit: Limit, now: float):
        self.rate, self.burst = limit.rate, limit.burst
        self.tokens, self.updated = limit.burst, now
        self.note = ""  # why the bucket ran low: a long message, said in the next 429

    def take(self, now: float, cost: float = 1.0) -> float:
        """Take `cost` tokens (at most `burst`); returns 0 when allowed, else the seconds until they are
        available (nothing is taken then)."""
        cost = min(cost, self.burst)
        self.tokens = min(self.burst, self.tokens + (now - self.updated) * self.rate)
        self.updated = now
        if self.tokens >= cost:
            self.tokens -= cost
            return 0.0
        return (cost - self.tokens) / self.rate


class RateLimiter:
    """Thread-safe buckets by key id; at most `max_keys` are tracked (least recently used dropped)."""

    def __init__(
        self,
        limits: Mapping[str, Limit],
        max_keys: int = 10_000,
        clock: Clock = time.monotonic,
        message_chars: int = 100,
    ):
        self.limits, self.max_keys, self.clock = dict(limits), max(1, max_keys), clock
        self.message_chars = max(1, message_chars)  # a message counts one request per started N chars
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
            message_chars=settings.rate_limit_message_chars,
        )

    def __len__(self) -> int:
        return len(self._buckets)

    def wait_time(self, key_id: int, role: str, cost: float = 1.0) -> float:
        """Count `cost` requests for the key; 0 when allowed, else the seconds to wait before retrying."""
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
            return bucket.take(now, cost)

    def check(self, key_id: int, role: str, name: str = "", cost: float = 1.0, why: str = "") -> None:
        """Raise RateLimited (429, with Retry-After in whole seconds) when the key is over its limit."""
        wait = self.wait_time(key_id, role, cost)
        if wait > 0:
            bucket = self._buckets.get(key_id)
            why = why or (bucket.note if bucket is not None else "")
            limit = self.limits[role]
            retry_after = max(1, math.ceil(wait))
            raise RateLimited(
                f"rate limit exceeded for the key '{name or key_id}' ({limit.rate:g} requests/s, "
                f"burst {limit.burst:g} for role '{role}'){why}; retry after {retry_after} s",
                headers={"Retry-After": str(retry_after)},
            )

    def charge_message(self, principal: Principal, chars: int) -> None:
        """Count a long message as more requests: one per started `message_chars` characters (a
        20,000-character paste costs the server more than a question, even focused). The request
        itself was counted when its key was checked; the rest is taken now, at most the burst in all,
        so that any message can pass with a full bucket."""
        limit = self.limits.get(principal.role)
        cost = message_cost(chars, self.message_chars)
        if limit is None or limit.rate <= 0 or cost <= 1:
            return
        extra = min(cost, limit.burst) - 1
        per = self.message_chars
        counted = f"{chars} characters counts as {cost:g} requests (one per started {per} characters)"
        if extra > 0:
            self.check(principal.key_id, principal.role, principal.name, extra, f"; a message of {counted}")
            bucket = self._buckets.get(principal.key_id)
            if bucket is not None:  # the requests that find the bucket empty are told why
                bucket.note = f"; this key's last message of {counted}"
