"""Repeated questions come from the retrieval cache; any change to the served index is seen at once."""

from __future__ import annotations

from typing import Any

import pytest

from kb_service.indexing import result_cache
from kb_service.indexing.result_cache import ResultCache
from tests.conftest import Api
from tests.kb_service.test_metrics import sample, scrape

ANSWER = "/v1/kbs/default/answer"
SUGGEST = "/v1/kbs/default/suggest"


def test_a_new_generation_empties_the_kb_and_late_results_are_dropped() -> None:
    cache: ResultCache[str] = ResultCache(size=2)
    assert cache.get("a", 1, "q") is None
    cache.put("a", 1, "q", "first")
    cache.get("b", 7, "q")
    cache.put("b", 7, "q", "other kb")
    assert cache.get("a", 1, "q") == "first" and (cache.hits, cache.misses) == (1, 2)
    assert cache.get("a", 2, "q") is None  # the index changed
    cache.put("a", 1, "late", "computed on generation 1")  # finished after the change: not kept
    assert cache.get("a", 2, "late") is None and cache.sizes() == {"a": 0, "b": 1}
    for query in ("x", "y", "z"):  # bounded per KB, least recently used goes
        cache.put("a", 2, query, query)
    assert cache.get("a", 2, "x") is None and cache.get("a", 2, "z") == "z"
    assert cache.get("b", 7, "q") == "other kb"


def test_entries_expire_with_the_validity_step(monkeypatch: pytest.MonkeyPatch) -> None:
    cache: ResultCache[str] = ResultCache()
    cache.get("a", 1, "q")
    cache.put("a", 1, "q", "v")
    clock = [result_cache.time.time()]
    monkeypatch.setattr(result_cache.time, "time", lambda: clock[0])
    assert cache.get("a", 1, "q") == "v"
    clock[0] += result_cache.VALIDITY_STEP_S  # an article's valid_until may have passed meanwhile
    assert cache.get("a", 1, "q") is None


def ask(api: Api, query: str, **extra: Any) -> dict[str, Any]:
    r = api.client.post(ANSWER, json={"query": query, **extra}, headers=api.headers("bot"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def suggest(api: Api, text: str) -> dict[str, Any]:
    body = {"conversation": [{"role": "customer", "text": text}]}
    r = api.client.post(SUGGEST, json=body, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def cache_counts(api: Api) -> tuple[float, float]:
    samples = scrape(api.client)
    hits = sample(samples, "kb_result_cache_hits_total")
    misses = sample(samples, "kb_result_cache_misses_total")
    assert hits is not None and misses is not None
    return hits, misses


def test_repeats_are_served_from_memory_and_edits_are_seen_at_once(sample_api: Api) -> None:
    question = "发票抬头写错了能修改吗？"
    first = ask(sample_api, question)
    assert first["decision"] == "answer", first
    hits, misses = cache_counts(sample_api)
    again = ask(sample_api, question)
    assert cache_counts(sample_api) == (hits + 1, misses)
    assert {k: v for k, v in again.items() if k not in ("query_id", "took_ms")} == {
        k: v for k, v in first.items() if k not in ("query_id", "took_ms")
    }
    assert again["query_id"] != first["query_id"]
    reply = suggest(sample_api, question)
    assert reply["replies"] and suggest(sample_api, question)["replies"] == reply["replies"]

    article_id = first["answer"]["article_id"]
    url = f"/v1/kbs/default/articles/{article_id}"
    article = sample_api.client.get(url, headers=sample_api.headers("editor")).json()
    new_answer = "请在开票后30天内于“我的订单-发票”中申请换开，审核通过后重新开具。"
    update = {"version": article["version"], "answer": new_answer, "channel_answers": {}}
    r = sample_api.client.put(url, json=update, headers=sample_api.headers("editor"))
    assert r.status_code == 200, r.text
    edited = ask(sample_api, question)
    assert edited["decision"] == "answer" and edited["answer"]["text"] == new_answer
    assert new_answer in str(suggest(sample_api, question)["replies"])

    r = sample_api.client.post(f"{url}/unpublish", headers=sample_api.headers("editor"))
    assert r.status_code == 200, r.text
    gone = ask(sample_api, question)
    assert gone["answer"] is None or gone["answer"]["article_id"] != article_id
    assert all(a["article_id"] != article_id for a in suggest(sample_api, question)["articles"])


def test_session_turns_still_decide_per_conversation(sample_api: Api) -> None:
    """The cache holds retrieval only: what a conversation decides is worked out for each turn."""
    question = "发票抬头写错了能修改吗？"
    assert ask(sample_api, question)["decision"] == "answer"
    first = ask(sample_api, question, session_id="s-1")
    assert first["decision"] == "answer"
    follow_up = ask(sample_api, "还是不行", session_id="s-1")
    assert follow_up["decision"] == "handoff", follow_up
    assert ask(sample_api, question, session_id="s-2")["decision"] == "answer"
