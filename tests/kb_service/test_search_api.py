"""Search through the real app on the sample KB: relevance, filters, modes, shape and bad input."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api


def search(api: Api, query: str, role: str = "agent", **body: Any) -> dict[str, Any]:
    r = api.client.post("/v1/kbs/default/search", json={"query": query, **body}, headers=api.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.parametrize(
    ("query", "expected_words"),
    [
        ("笔记本开不了机了怎么弄", ["开机", "开不了机"]),
        ("蓝屏 0x0000007B", ["0x0000007B"]),
        ("发票抬头写错了", ["抬头"]),
        ("how long is the warranty", ["warranty"]),
        ("电池鼓起来了", ["鼓包"]),
    ],
)
def test_paraphrases_find_the_right_article(sample_api: Api, query: str, expected_words: list[str]) -> None:
    top = search(sample_api, query, top_k=3)["results"][0]
    text = (top["title"] + " " + (top["matched_question"] or "")).lower()
    assert any(w.lower() in text for w in expected_words), top


def test_result_shape_and_explain(sample_api: Api) -> None:
    body = search(sample_api, "笔记本无法开机", top_k=5, explain=True)
    assert body["mode"] == "hybrid" and body["degraded"] is False and body["took_ms"] >= 0
    assert len(body["query_id"]) == 36 and len(body["results"]) == 5
    hit = body["results"][0]
    assert set(hit) >= {
        "article_id",
        "type",
        "title",
        "matched_question",
        "snippet",
        "highlights",
        "score",
        "scores",
        "category",
        "products",
        "tags",
    }
    assert set(hit["scores"]) == {"bm25", "dense", "fused"} and hit["scores"]["dense"] > 0.5
    scores = [r["score"] for r in body["results"]]
    assert scores == sorted(scores, reverse=True)
    assert "<em>" in "".join(r["snippet"] for r in body["results"])
    assert body["explain"]["tokens"] and body["explain"]["fusion"]["method"] in ("rrf", "weighted")


def test_faq_title_is_its_question_and_guides_have_no_matched_question(sample_api: Api) -> None:
    results = search(sample_api, "无法开机 排查方法", top_k=10)["results"]
    kinds = {r["type"] for r in results}
    assert kinds == {"faq", "guide"}
    for r in results:
        if r["type"] == "guide":
            assert r["matched_question"] is None
        else:
            assert r["matched_question"]


def test_filters_category_product_tag_type(sample_api: Api) -> None:
    billing = search(sample_api, "怎么开发票", top_k=10, filters={"category": "billing"})["results"]
    assert billing and all(r["category"] == "billing" for r in billing)
    guides = search(sample_api, "开不了机", top_k=10, filters={"type": "guide"})["results"]
    assert guides and all(r["type"] == "guide" for r in guides)
    product = "拯救者 Y9000P"
    hits = search(sample_api, "风扇很吵", top_k=10, filters={"products": [product]})["results"]
    assert hits and all(not r["products"] or product in r["products"] for r in hits)
    tagged = search(sample_api, "怎么办", top_k=10, filters={"tags": ["发票"]})["results"]
    assert tagged and all("发票" in r["tags"] for r in tagged)


def test_modes(sample_api: Api) -> None:
    for mode in ("bm25", "dense", "hybrid"):
        body = search(sample_api, "电脑开不了机", mode=mode, top_k=3)
        assert body["mode"] == mode and body["results"]
    bm25 = search(sample_api, "电脑开不了机", mode="bm25")["results"][0]["scores"]
    assert bm25["dense"] is None and bm25["bm25"] > 0


def test_repeated_query_is_identical(sample_api: Api) -> None:
    first, second = search(sample_api, "屏幕一直闪"), search(sample_api, "屏幕一直闪")
    assert first["results"] == second["results"] and first["query_id"] != second["query_id"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"query": ""}, "body.query"),
        ({"query": "   "}, "body.query"),
        ({"query": "x" * 20_001}, "body.query"),
        ({"query": "开机", "top_k": 51}, "body.top_k"),
        ({"query": "开机", "top_k": 0}, "body.top_k"),
        ({"query": "开机", "mode": "magic"}, "body.mode"),
        ({"query": "开机", "filters": {"colour": "red"}}, "body.filters.colour"),
        ({"query": 42}, "body.query"),
    ],
)
def test_bad_search_input_is_422(sample_api: Api, body: dict[str, Any], field: str) -> None:
    r = sample_api.client.post("/v1/kbs/default/search", json=body, headers=sample_api.headers("agent"))
    assert r.status_code == 422, r.text
    assert field in [d["field"] for d in r.json()["error"]["details"]]


def test_search_roles(sample_api: Api) -> None:
    body = {"query": "开机"}
    assert (
        sample_api.client.post(
            "/v1/kbs/default/search", json=body, headers=sample_api.headers("bot")
        ).status_code
        == 403
    )
    assert sample_api.client.post("/v1/kbs/default/search", json=body).status_code == 401
    r = sample_api.client.post("/v1/kbs/nowhere/search", json=body, headers=sample_api.headers("agent"))
    assert r.status_code == 404
