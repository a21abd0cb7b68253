"""Per-key rate limits: token buckets (injected clock) and 429 + Retry-After through the real app."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kb_service.auth import Principal
from kb_service.errors import RateLimited
from kb_service.rate_limit import Limit, RateLimiter
from kb_service.settings import Settings
from tests.conftest import Api, api_on
from tests.kb_service.helpers import FAQ, all_articles

BURST = 3  # 1 request/s with a burst factor of 3: the 4th request at once is refused


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


# ---- the bucket, with an injected clock ---------------------------------------------------------
def test_bucket_allows_burst_then_refills_at_rate() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"agent": Limit.per_second(2, 2)}, clock=clock)  # 2/s, burst 4
    assert [limiter.wait_time(1, "agent") for _ in range(4)] == [0, 0, 0, 0]
    assert limiter.wait_time(1, "agent") == pytest.approx(0.5)
    clock.now += 0.5
    assert limiter.wait_time(1, "agent") == 0
    assert limiter.wait_time(1, "agent") > 0
    clock.now += 60  # refills to the burst, no further
    assert [limiter.wait_time(1, "agent") for _ in range(5)] == [0, 0, 0, 0, pytest.approx(0.5)]


def test_keys_have_separate_buckets_and_zero_is_unlimited() -> None:
    limiter = RateLimiter({"bot": Limit.per_second(1, 1), "admin": Limit.per_second(0, 2)}, clock=FakeClock())
    assert limiter.wait_time(1, "bot") == 0
    assert limiter.wait_time(1, "bot") > 0
    assert limiter.wait_time(2, "bot") == 0
    assert all(limiter.wait_time(3, "admin") == 0 for _ in range(1000))
    assert len(limiter) == 2  # unlimited keys take no bucket


def test_check_raises_with_whole_seconds_retry_after() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"agent": Limit.per_second(0.25, 1)}, clock=clock)  # one token per 4 s
    limiter.check(7, "agent", "sidebar")
    clock.now += 0.5
    with pytest.raises(RateLimited) as caught:
        limiter.check(7, "agent", "sidebar")
    assert caught.value.status_code == 429 and caught.value.code == "rate_limited"
    assert caught.value.headers == {"Retry-After": "4"}  # 3.5 s rounded up
    assert "sidebar" in caught.value.message
    clock.now += 3.5
    limiter.check(7, "agent", "sidebar")


def test_tracked_keys_are_bounded() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"bot": Limit.per_second(1, 1)}, max_keys=3, clock=clock)
    for key_id in range(10):
        limiter.wait_time(key_id, "bot")
    assert len(limiter) == 3
    assert limiter.wait_time(9, "bot") > 0  # the most recent keys are the ones kept


def test_bucket_is_thread_safe() -> None:
    limiter = RateLimiter({"bot": Limit(rate=1e-9, burst=500)}, clock=FakeClock())
    allowed: list[int] = []

    def hammer() -> None:
        allowed.append(sum(limiter.wait_time(1, "bot") == 0 for _ in range(200)))

    threads = [threading.Thread(target=hammer) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(allowed) == 500


def test_default_limits_per_role() -> None:
    limits = RateLimiter.from_settings(Settings()).limits
    assert limits["bot"] == Limit(500, 1000)
    assert limits["agent"] == limits["editor"] == Limit(20, 40)
    assert limits["admin"] == Limit(50, 100)


# ---- through the real app ---------------------------------------------------------------------
@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """Bot, agent and editor keys get 1 request/s with a burst of 3; admin (used to set up) is unlimited."""
    with api_on(
        database_url, tmp_path,
        rate_limit_bot_per_s=1, rate_limit_agent_per_s=1, rate_limit_editor_per_s=1,
        rate_limit_admin_per_s=0, rate_limit_burst_factor=BURST,
    ) as made:  # fmt: skip
        yield made


@pytest.fixture
def clock(limited: Api) -> FakeClock:
    """Freeze the app's limiter clock so the tests do not depend on how fast requests run."""
    fake = FakeClock()
    limiter = limited.client.app.state.rate_limiter  # type: ignore[attr-defined]
    limiter.clock = fake
    return fake


def _search(api: Api, headers: dict[str, str]) -> Any:
    return api.client.post("/v1/kbs/default/search", json={"query": "开不了机"}, headers=headers)


def _assert_limited(r: Any) -> int:
    assert r.status_code == 429, r.text
    assert r.json()["error"]["code"] == "rate_limited" and set(r.json()) == {"error"}
    retry_after = int(r.headers["Retry-After"])
    assert retry_after >= 1
    return retry_after


def test_request_over_burst_gets_429_with_retry_after(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("agent")
    assert [_search(limited, headers).status_code for _ in range(BURST)] == [200] * BURST
    assert _assert_limited(_search(limited, headers)) == 1
    clock.now += 1.0
    assert _search(limited, headers).status_code == 200
    assert _search(limited, headers).status_code == 429


def test_other_keys_are_not_affected(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("agent")
    for _ in range(BURST + 2):
        _search(limited, headers)
    assert _search(limited, headers).status_code == 429
    assert _search(limited, limited.new_key("agent")).status_code == 200
    assert _search(limited, limited.headers("editor")).status_code == 200
    assert _search(limited, limited.headers("admin")).status_code == 200


def test_recovers_after_retry_after_in_real_time(limited: Api) -> None:
    headers = limited.headers("agent")
    for _ in range(BURST):
        _search(limited, headers)
    retry_after = _assert_limited(_search(limited, headers))
    time.sleep(retry_after + 0.05)
    assert _search(limited, headers).status_code == 200


def test_unauthenticated_is_401_not_429(limited: Api, clock: FakeClock) -> None:
    for _ in range(BURST + 3):
        r = limited.client.post("/v1/kbs/default/search", json={"query": "x"})
        assert r.status_code == 401, r.text
        assert _search(limited, {"Authorization": "Bearer kb_unknown"}).status_code == 401
    assert len(limited.client.app.state.rate_limiter) == 0  # type: ignore[attr-defined]


def test_one_bucket_covers_search_suggest_and_answer(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("agent")
    suggest = {"conversation": [{"role": "customer", "text": "电脑开不了机"}], "channel": "web"}
    assert _search(limited, headers).status_code == 200
    r = limited.client.post("/v1/kbs/default/suggest", json=suggest, headers=headers)
    assert r.status_code == 200, r.text
    r = limited.client.post(
        "/v1/kbs/default/answer", json={"query": "开不了机", "channel": "web"}, headers=headers
    )
    assert r.status_code == 200, r.text
    for path, body in (("suggest", suggest), ("answer", {"query": "开不了机"})):
        _assert_limited(limited.client.post(f"/v1/kbs/default/{path}", json=body, headers=headers))


def test_bot_answers_are_limited(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("bot")
    statuses = [
        limited.client.post("/v1/kbs/default/answer", json={"query": "开不了机"}, headers=headers).status_code
        for _ in range(BURST + 1)
    ]
    assert statuses == [200] * BURST + [429]


def test_editor_writes_are_limited_and_not_applied(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("editor")
    statuses = []
    for i in range(BURST + 1):
        payload = {**FAQ, "question": f"第{i}个问题怎么办"}
        statuses.append(
            limited.client.post("/v1/kbs/default/articles", json=payload, headers=headers).status_code
        )
    assert statuses == [201] * BURST + [429]
    assert len(all_articles(limited)) == BURST  # the refused write stored nothing


# ---- long messages count as more requests -------------------------------------------------------
def test_a_bucket_takes_a_cost_at_most_its_burst() -> None:
    clock = FakeClock()
    limiter = RateLimiter({"bot": Limit.per_second(1, 4)}, clock=clock)  # burst 4
    assert limiter.wait_time(1, "bot", cost=3) == 0
    assert limiter.wait_time(1, "bot", cost=3) == pytest.approx(2.0)  # 1 left: 2 more seconds
    clock.now += 3
    assert limiter.wait_time(1, "bot", cost=100) == 0  # capped at the burst: a full bucket passes it
    assert limiter.wait_time(1, "bot") > 0


def test_default_limits_refuse_eight_20000_character_answers_at_once() -> None:
    limiter = RateLimiter.from_settings(Settings())
    limiter.clock = FakeClock()
    principal = Principal(key_id=1, name="wechat", role="bot", kbs=None, key_hash="")
    statuses = []
    for _ in range(8):
        try:
            limiter.check(principal.key_id, principal.role, principal.name)
            limiter.charge_message(principal, 20_000)
            statuses.append(200)
        except RateLimited as refused:
            statuses.append(429)
            assert "message of 20000 characters counts as 200 requests" in refused.message
    assert statuses == [200] * 5 + [429] * 3  # 5 x 200 = the bot burst of 1000


def _answer(api: Api, headers: dict[str, str], query: str) -> Any:
    return api.client.post("/v1/kbs/default/answer", json={"query": query}, headers=headers)


def test_a_long_message_takes_more_of_the_bucket(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("bot")
    assert _answer(limited, headers, "开" * 250).status_code == 200  # 3 requests: the whole burst
    r = _answer(limited, headers, "开不了机")
    assert _assert_limited(r) == 1
    clock.now += 2.0  # 2 tokens back
    r = _answer(limited, headers, "开" * 250)
    assert _assert_limited(r) == 1  # needs 2 more after the first: 1 s
    assert "a message of 250 characters counts as 3 requests" in r.json()["error"]["message"]
    assert "one per started 100 characters" in r.json()["error"]["message"]
    clock.now += 1.0
    assert _answer(limited, headers, "开" * 150).status_code == 200  # 2 requests


def test_search_and_suggest_charge_by_length_too(limited: Api, clock: FakeClock) -> None:
    headers = limited.headers("agent")
    r = limited.client.post("/v1/kbs/default/search", json={"query": "开" * 300}, headers=headers)
    assert r.status_code == 200, r.text
    assert _search(limited, headers).status_code == 429
    clock.now += 3.0
    turns = [{"role": "customer", "text": "开" * 150}, {"role": "customer", "text": "开" * 100}]
    r = limited.client.post("/v1/kbs/default/suggest", json={"conversation": turns}, headers=headers)
    assert r.status_code == 200, r.text  # 250 characters: 3 requests, the whole bucket
    assert _search(limited, headers).status_code == 429
