"""Repeated questions come from the retrieval cache; any change to the served index is seen at once."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from typing import Any

from kb_service.indexing.result_cache import ResultCache
from tests.conftest import Api
from tests.kb_service.helpers import create
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


def ask(api: Api, query: str, **extra: Any) -> dict[str, Any]:
    r = api.client.post(ANSWER, json={"query": query, **extra}, headers=api.headers("bot"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def suggest(api: Api, text: str) -> dict[str, Any]:
    body = {"conversation": [{"role": "customer", "text": text}]}
    r = api.client.post(SUGGEST, json=body, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def wait_for_vectors(api: Api) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        r = api.client.get("/v1/kbs/default/index", headers=api.headers("editor"))
        if r.json()["pending_dense"] == 0:
            return
        time.sleep(0.05)
    raise AssertionError("the published FAQ got no vectors in 30 s")


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
    traditional = ask(sample_api, "發票抬頭寫錯了能修改嗎?")  # the same question once normalised
    assert cache_counts(sample_api) == (hits + 2, misses)
    assert traditional["answer"] == first["answer"]
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


def test_an_answer_whose_validity_ends_is_not_served_from_memory(sample_api: Api) -> None:
    ends = datetime.now(UTC) + timedelta(seconds=10)
    offer = {
        "type": "faq",
        "question": "双十一以旧换新补贴怎么领取",
        "similar_questions": ["以旧换新补贴在哪领"],
        "answer": "活动期间在商城“以旧换新”页面提交旧机信息，审核通过后补贴自动抵扣。",
        "category": "pre_sales",
        "status": "published",
        "valid_to": ends.isoformat(),
    }
    article_id = create(sample_api, offer)["id"]
    wait_for_vectors(sample_api)  # their arrival is an index change too
    first = ask(sample_api, offer["question"])
    assert first["decision"] == "answer" and first["answer"]["article_id"] == article_id
    hits, _ = cache_counts(sample_api)
    assert ask(sample_api, offer["question"])["answer"] == first["answer"]
    assert cache_counts(sample_api)[0] == hits + 1  # still valid: from memory
    time.sleep(max(0.0, (ends - datetime.now(UTC)).total_seconds()) + 0.2)
    expired = ask(sample_api, offer["question"])
    assert expired["answer"] is None or expired["answer"]["article_id"] != article_id
