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


def test_versions_revalidate_families_empty_and_late_results_are_dropped() -> None:
    cache: ResultCache[str] = ResultCache(size=2)
    keep, drop = (lambda v: True), (lambda v: False)
    assert cache.get("a", "f1", 1, "q", keep) is None
    cache.put("a", "f1", 1, "q", "first")
    assert cache.get("a", "f1", 1, "q", drop) == "first"  # same version: no check
    assert cache.get("a", "f1", 2, "q", keep) == "first" and cache.revalidated == 1
    assert cache.get("a", "f1", 3, "q", drop) is None  # the change affects it: gone
    assert cache.get("a", "f1", 2, "q", keep) is None
    cache.put("a", "f1", 3, "q", "second")
    assert cache.get("a", "f2", 3, "q", keep) is None  # another family (a rebuild): emptied
    cache.put("a", "f1", 3, "late", "computed before the rebuild")
    assert cache.sizes() == {"a": 0}
    for query in ("x", "y", "z"):  # bounded per KB, least recently used goes
        cache.put("a", "f2", 3, query, query)
    assert cache.get("a", "f2", 3, "x", keep) is None and cache.get("a", "f2", 3, "z", keep) == "z"
    assert (cache.hits, cache.misses) == (3, 5)


def test_questions_asked_once_cannot_push_out_repeated_ones() -> None:
    cache: ResultCache[str] = ResultCache(size=10)  # 2 on probation, 8 protected
    keep = lambda v: True  # noqa: E731
    assert cache.get("a", "f", 1, "p1", keep) is None  # the first question opens the KB's entries
    for popular in ("p1", "p2"):
        cache.put("a", "f", 1, popular, popular)
        assert cache.get("a", "f", 1, popular, keep) == popular  # asked again: protected
    for n in range(50):  # the long tail, each asked once
        cache.put("a", "f", 1, f"once-{n}", "x")
    assert cache.get("a", "f", 1, "p1", keep) == "p1" and cache.get("a", "f", 2, "p2", keep) == "p2"
    assert cache.get("a", "f", 2, "once-0", keep) is None and cache.get("a", "f", 2, "once-49", keep) == "x"
    assert cache.sizes() == {"a": 4}
    for n in range(12):  # more repeated questions than the protected segment holds: the oldest go
        cache.put("a", "f", 2, f"r{n}", "r")
        cache.get("a", "f", 2, f"r{n}", keep)
    assert cache.get("a", "f", 2, "p1", keep) is None and cache.get("a", "f", 2, "r11", keep) == "r"
    assert cache.sizes() == {"a": 10}


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
    hits, misses, _ = cache_figures(api)
    return hits, misses


def cache_figures(api: Api) -> tuple[float, float, float]:
    samples = scrape(api.client)
    names = ("hits", "misses", "revalidated")
    found = [sample(samples, f"kb_result_cache_{name}_total") for name in names]
    assert None not in found, found
    return found[0], found[1], found[2]  # type: ignore[return-value]


def top_id(api: Api, query: str) -> int:
    r = api.client.post("/v1/kbs/default/search", json={"query": query}, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()["results"][0]["article_id"]  # type: ignore[no-any-return]


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


def test_publishing_keeps_what_it_cannot_change_and_drops_what_it_can(sample_api: Api) -> None:
    question = "发票上的公司名称写错了还能改吗"
    before = top_id(sample_api, question)
    first = ask(sample_api, question)
    printer = {
        "type": "faq",
        "question": "打印机卡纸后怎么取出纸张",
        "similar_questions": ["打印机夹纸了"],
        "answer": "关闭电源，打开前盖，双手捏住纸张两侧缓慢向外拉出。",
        "category": "repair",
        "status": "published",
    }
    create(sample_api, printer)  # unrelated: BM25 at once, vectors a moment later
    wait_for_vectors(sample_api)
    _, misses, revalidated = cache_figures(sample_api)
    assert top_id(sample_api, question) == before
    assert ask(sample_api, question)["answer"] == first["answer"]
    assert cache_figures(sample_api)[1:] == (misses, revalidated + 2)  # both kept, no recomputation

    exact = {**printer, "question": question, "similar_questions": [], "category": "billing"}
    exact["answer"] = "可以，请在订单详情申请换开。"
    new_id = create(sample_api, exact)["id"]  # the same words: must win at once, not after a cache expiry
    assert top_id(sample_api, question) == new_id
    answered = ask(sample_api, question)
    assert answered["decision"] == "answer" and answered["answer"]["article_id"] == new_id
    wait_for_vectors(sample_api)
    assert top_id(sample_api, question) == new_id
