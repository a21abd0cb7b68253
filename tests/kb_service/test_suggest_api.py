"""POST /suggest through the real app on the sample KB: the query from the live conversation,
articles, ready-to-send replies, queue, sentiment, logging and bad input."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import Session

from kb_service.models import QueryLog
from tests.conftest import Api

SAMPLE = Path(__file__).resolve().parents[2] / "data" / "sample_kb"


def suggest(
    api: Api, conversation: list[tuple[str, str]], role: str = "agent", **extra: Any
) -> dict[str, Any]:
    turns = [{"role": r, "text": t} for r, t in conversation]
    r = api.client.post(
        "/v1/kbs/default/suggest", json={"conversation": turns, **extra}, headers=api.headers(role)
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def guide(title: str) -> dict[str, Any]:
    rows = [json.loads(line) for line in (SAMPLE / "guides_zh.jsonl").open(encoding="utf-8")]
    return next(r for r in rows if r["title"] == title)


def test_articles_and_replies_for_the_latest_customer_turns(sample_api: Api) -> None:
    body = suggest(
        sample_api,
        [
            ("customer", "你好"),
            ("agent", "您好，请问有什么可以帮您？"),
            ("customer", "我的笔记本开不了机了"),
            ("customer", "按电源键一点反应都没有"),
        ],
    )
    assert body["query"] == "我的笔记本开不了机了，按电源键一点反应都没有"  # greeting left out
    assert body["articles"] and any("开" in a["title"] and "机" in a["title"] for a in body["articles"][:3])
    first = body["articles"][0]
    assert {"article_id", "title", "matched_question", "snippet", "highlights", "score", "scores"} <= set(
        first
    )
    assert 1 <= len(body["replies"]) <= 3
    ids = {a["article_id"] for a in body["articles"]}
    for reply in body["replies"]:
        assert reply["article_id"] in ids and reply["kind"] in ("faq_answer", "guide_steps")
        assert reply["text"].startswith("您好") and reply["text"].rstrip().endswith("。")
    assert body["queue"] == "repair" and body["sentiment"]["label"] in ("neutral", "anxious")
    assert body["query_id"] and body["degraded"] is False


def test_query_follows_the_conversation(sample_api: Api) -> None:
    body = suggest(
        sample_api,
        [
            ("customer", "我想问一下怎么查保修期"),
            ("agent", "您可以在官网输入主机编号查询。"),
            ("customer", "好的谢谢"),
            ("customer", "另外我的 Wi-Fi 总是断开"),
        ],
    )
    assert body["query"] == "另外我的 Wi-Fi 总是断开"  # the earlier, answered question is not mixed in
    assert any(w in body["articles"][0]["title"] for w in ("Wi-Fi", "WiFi", "WLAN", "无线"))
    short = suggest(
        sample_api,
        [
            ("customer", "Wi-Fi 频繁断开怎么办"),
            ("agent", "请先更新无线网卡驱动试试。"),
            ("customer", "还是不行"),
        ],
    )
    assert short["query"] == "Wi-Fi 频繁断开怎么办，还是不行"  # a short follow-up keeps its context


def test_guide_reply_is_extracted_steps(sample_api: Api) -> None:
    wifi = guide("Wi-Fi 频繁断开的解决方法")
    body = suggest(sample_api, [("customer", "Wi-Fi 频繁断开的解决方法，驱动要更新吗")], channel="wechat")
    replies = [r for r in body["replies"] if r["kind"] == "guide_steps"]
    assert replies, body["replies"]
    text = replies[0]["text"]
    assert "**" not in text and "#" not in text  # plain text for WeChat
    steps = [line.split(". ", 1)[1] for line in text.splitlines() if line[:1].isdigit() and ". " in line]
    assert 1 <= len(steps) <= 4
    plain_body = wifi["body"].replace("**", "").replace("`", "")
    if (
        replies[0]["article_id"] == body["articles"][0]["article_id"]
        and body["articles"][0]["title"] == wifi["title"]
    ):
        for step in steps:
            assert step[:10] in plain_body, step


def test_angry_customer_sentiment_and_english_replies(sample_api: Api) -> None:
    angry = suggest(sample_api, [("customer", "第三次修了还是坏的！！！你们太垃圾了，我要退钱！")])
    assert angry["sentiment"]["label"] == "angry" and angry["sentiment"]["score"] >= 0.6
    r = sample_api.client.put(
        "/v1/kbs/default/settings", json={"language": "en"}, headers=sample_api.headers("admin")
    )
    assert r.status_code == 200
    body = suggest(sample_api, [("customer", "how long is the warranty on a new laptop?")], channel="email")
    assert body["articles"][0]["title"] == "How long is the warranty on my laptop?"
    assert body["replies"][0]["text"].startswith("Hello")


def test_suggest_is_logged(sample_api: Api) -> None:
    body = suggest(sample_api, [("customer", "我的邮箱是 zhang.san@example.com，发票怎么开")], channel="web")
    sample_api.client.app.state.query_log.flush()  # type: ignore[attr-defined]
    with Session(sample_api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        row = session.get(QueryLog, body["query_id"])
    assert row is not None and row.endpoint == "suggest" and row.role == "agent"
    assert "zhang.san@example.com" not in row.query and "发票" in row.query
    assert row.top_article_ids == [a["article_id"] for a in body["articles"]]
    r = sample_api.client.post(
        "/v1/kbs/default/feedback",
        json={"query_id": body["query_id"], "article_id": body["articles"][0]["article_id"], "event": "used"},
        headers=sample_api.headers("agent"),
    )
    assert r.status_code == 201, r.text


@pytest.mark.parametrize(
    ("conversation", "field"),
    [
        ([], "conversation"),
        ([{"role": "agent", "text": "您好"}], "conversation"),
        ([{"role": "customer", "text": "   "}], "conversation"),
        ([{"role": "system", "text": "开机"}], "role"),
        ([{"role": "customer"}], "text"),
    ],
)
def test_bad_suggest_input_is_422(sample_api: Api, conversation: list[Any], field: str) -> None:
    r = sample_api.client.post(
        "/v1/kbs/default/suggest", json={"conversation": conversation}, headers=sample_api.headers("agent")
    )
    assert r.status_code == 422 and field in json.dumps(r.json()["error"]), r.text


def test_suggest_roles(sample_api: Api) -> None:
    body = {"conversation": [{"role": "customer", "text": "开不了机"}]}
    assert sample_api.client.post("/v1/kbs/default/suggest", json=body).status_code == 401
    r = sample_api.client.post("/v1/kbs/default/suggest", json=body, headers=sample_api.headers("bot"))
    assert r.status_code == 403
    for role in ("agent", "editor", "admin"):
        assert suggest(sample_api, [("customer", "开不了机")], role=role)["articles"]
