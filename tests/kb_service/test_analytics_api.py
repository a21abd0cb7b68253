"""Analytics through the real app on a seeded query log: exact counts, rates, percentiles and clusters."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta
from typing import Any

import pytest
from sqlmodel import Session, select

from kb_service.models import Feedback, KnowledgeBase, QueryLog, utcnow
from kb_service.services.analytics import cluster_questions
from tests.conftest import Api
from tests.kb_service.helpers import FAQ, GUIDE, create

TODAY = datetime.combine(utcnow().date(), time(), UTC) + timedelta(minutes=1)


def kb_id(api: Api, slug: str = "default") -> int:
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        kb = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == slug)).one()
        assert kb.id is not None
        return kb.id


Event = tuple[int, str, int | None, int]  # (index of the query log row, event, article_id, days ago)


def seed(api: Api, rows: list[dict[str, Any]], events: list[Event] | None = None) -> list[str]:
    """Insert query log rows (defaults filled in) and feedback rows on them; returns the query_ids."""
    ids, kb = [], kb_id(api)
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        for i, data in enumerate(rows):
            values = {
                "id": str(uuid.uuid4()),
                "kb_id": kb,
                "endpoint": "answer",
                "role": "bot",
                "query": f"问题{i}",
                "created_at": TODAY,
            } | data
            values.setdefault("normalized_query", values["query"])
            session.add(QueryLog(**values))
            ids.append(values["id"])
        for index, event, article_id, days_ago in events or []:
            session.add(
                Feedback(
                    kb_id=kb,
                    query_id=ids[index],
                    article_id=article_id,
                    event=event,
                    created_at=TODAY - timedelta(days=days_ago),
                )
            )
        session.commit()
    return ids


def get(api: Api, path: str, role: str = "editor") -> Any:
    r = api.client.get(f"/v1/kbs/default/analytics/{path}", headers=api.headers(role))
    assert r.status_code == 200, r.text
    return r.json()


def test_summary_counts_rates_and_percentiles(api: Api) -> None:
    two_days_ago = TODAY - timedelta(days=2)
    ids = seed(
        api,
        [
            {"channel": "web", "decision": "answer", "latency_ms": 10},
            {"channel": "web", "decision": "clarify", "latency_ms": 20},
            {"channel": "wechat", "decision": "handoff", "latency_ms": 30},
            {"channel": "web", "endpoint": "search", "role": "agent", "latency_ms": 40, "degraded": True},
            {"channel": "app", "decision": "answer", "latency_ms": 50, "created_at": two_days_ago},
            {"endpoint": "suggest", "role": "agent", "latency_ms": 60, "created_at": two_days_ago},
            {
                "channel": "web",
                "decision": "handoff",
                "latency_ms": 999,
                "created_at": TODAY - timedelta(days=40),
            },
        ],
        [
            (0, "helpful", None, 0),
            (1, "helpful", None, 0),
            (4, "helpful", None, 2),
            (2, "not_helpful", None, 1),
        ]
        + [(3, "click", None, 0), (6, "not_helpful", None, 40)],
    )
    assert len(ids) == 7
    body = get(api, "summary?days=30")
    assert len(body["days"]) == 30 and body["days"][-1]["date"] == TODAY.date().isoformat()
    today, earlier = body["days"][-1], body["days"][-3]
    assert today == {
        "date": TODAY.date().isoformat(),
        "total": 4,
        "by_channel": {"web": 3, "wechat": 1},
        "by_endpoint": {"answer": 3, "search": 1},
        "answer": 1,
        "clarify": 1,
        "handoff": 1,
    }
    assert earlier["total"] == 2 and earlier["by_channel"] == {"app": 1, "unknown": 1}
    assert earlier["by_endpoint"] == {"answer": 1, "suggest": 1} and earlier["answer"] == 1
    assert sum(d["total"] for d in body["days"]) == 6
    assert body["totals"] == {
        "queries": 6,
        "answer_rate": 0.5,
        "clarify_rate": 0.25,
        "handoff_rate": 0.25,
        "p50_latency_ms": 35.0,
        "p95_latency_ms": 57.5,
        "helpful_rate": 0.75,
        "degraded_rate": 0.1667,
        "feedback": {"click": 1, "helpful": 3, "not_helpful": 1},
    }
    short = get(api, "summary?days=1")
    assert [d["date"] for d in short["days"]] == [TODAY.date().isoformat()]
    assert short["totals"]["queries"] == 4 and short["totals"]["p50_latency_ms"] == 25.0


def test_summary_of_an_empty_log_has_null_rates(api: Api) -> None:
    body = get(api, "summary?days=7")
    assert len(body["days"]) == 7 and all(d["total"] == 0 for d in body["days"])
    totals = body["totals"]
    assert totals["queries"] == 0 and totals["answer_rate"] is None and totals["p95_latency_ms"] is None


TRANSFER = [
    "怎么转人工",
    "怎么转人工",
    "怎么转人工？",
    "怎么转人工客服",
    "请问怎么转人工",
    "怎麼轉人工",
    "怎么 转人工",
]


def test_unanswered_groups_near_identical_questions(api: Api) -> None:
    rows: list[dict[str, Any]] = [
        {"query": q, "decision": "handoff", "created_at": TODAY - timedelta(hours=i % 3)}
        for i, q in enumerate(TRANSFER)
    ]
    rows[2]["decision"] = "clarify"
    rows[4] = {"query": TRANSFER[4], "endpoint": "search", "decision": None, "confidence": 0.2}
    rows += [
        {"query": "发票抬头写错了", "decision": "handoff"},
        {"query": "发票抬头写错了", "decision": "handoff"},
        {"query": "发票抬头写错了怎么办", "decision": "clarify"},
        {"query": "怎么退货", "decision": "handoff", "created_at": TODAY - timedelta(days=3)},
        {
            "query": "电池鼓包",
            "decision": "answer",
            "confidence": 0.9,
            "created_at": TODAY - timedelta(days=2),
        },
        {
            "query": "屏幕闪烁",
            "decision": "answer",
            "confidence": 0.3,
            "created_at": TODAY - timedelta(days=1),
        },
        {"query": "电脑开不了机", "decision": "answer", "confidence": 0.9},  # answered well
        {"query": "怎么转人工", "decision": "handoff", "created_at": TODAY - timedelta(days=40)},  # too old
    ]
    seed(api, rows, [(11, "not_helpful", None, 0), (13, "helpful", None, 0)])
    body = get(api, "unanswered?days=30")
    assert body["total"] == 5
    summary = [(i["question"], i["count"]) for i in body["items"]]
    assert summary == [
        ("怎么转人工", 7),
        ("发票抬头写错了", 3),
        ("屏幕闪烁", 1),
        ("电池鼓包", 1),
        ("怎么退货", 1),
    ]
    transfer = body["items"][0]
    assert len(transfer["examples"]) == 5 and len(set(transfer["examples"])) == 5
    assert transfer["examples"][0] == "怎么转人工" and set(transfer["examples"]) <= set(TRANSFER)
    assert transfer["last_seen"].startswith(TODAY.date().isoformat())
    assert body["items"][1]["examples"] == ["发票抬头写错了", "发票抬头写错了怎么办"]
    limited = get(api, "unanswered?days=30&limit=2")
    assert limited["total"] == 5 and [i["count"] for i in limited["items"]] == [7, 3]


def test_clustering_threshold_keeps_distinct_questions_apart() -> None:
    now = utcnow()
    rows = [
        (q, now) for q in ["怎么转人工", "如何转人工", "我要转人工", "怎么退款", "怎么退货", "怎么转人工客服"]
    ]
    clusters = cluster_questions(rows)
    assert [sorted(c.texts) for c in clusters][0] == ["怎么转人工", "怎么转人工客服"]
    assert len(clusters) == 5


def test_article_usage_counts_top3_impressions_first_places_and_feedback(api: Api) -> None:
    a, b = create(api, FAQ)["id"], create(api, GUIDE)["id"]
    c = create(api, {**FAQ, "question": "怎么重装系统", "similar_questions": []})["id"]
    r = api.client.delete(f"/v1/kbs/default/articles/{b}", headers=api.headers("editor"))
    assert r.status_code == 200 and r.json()["status"] == "archived"
    rows = [{"top_article_ids": [a, b]} for _ in range(3)]
    rows += [{"top_article_ids": [b, a, c, 99999]}, {"top_article_ids": []}]
    rows += [{"top_article_ids": [c], "created_at": TODAY - timedelta(days=40)}]
    events = [(0, "click", a, 0), (1, "click", a, 0), (0, "used", a, 0), (0, "helpful", a, 0)]
    events += [(3, "not_helpful", b, 0), (3, "resolved", b, 0), (3, "click", None, 0), (5, "click", c, 40)]
    seed(api, rows, events)
    body = get(api, "articles?days=30")
    assert body["total"] == 3
    zeros = {"clicks": 0, "used": 0, "helpful": 0, "not_helpful": 0, "resolved": 0}
    assert body["items"] == [
        {"article_id": a, "title": FAQ["question"], "status": "draft", "impressions": 4, "top1": 3}
        | zeros
        | {"clicks": 2, "used": 1, "helpful": 1},
        {"article_id": b, "title": GUIDE["title"], "status": "archived", "impressions": 4, "top1": 1}
        | zeros
        | {"not_helpful": 1, "resolved": 1},
        {"article_id": c, "title": "怎么重装系统", "status": "draft", "impressions": 1, "top1": 0} | zeros,
    ]
    assert [i["article_id"] for i in get(api, "articles?days=30&limit=1")["items"]] == [a]


@pytest.mark.parametrize("path", ["summary", "unanswered", "articles"])
def test_roles_and_bad_parameters(api: Api, path: str) -> None:
    for role in ("agent", "bot"):
        r = api.client.get(f"/v1/kbs/default/analytics/{path}", headers=api.headers(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert api.client.get(f"/v1/kbs/default/analytics/{path}").status_code == 401
    assert get(api, path, role="admin") is not None
    bad_params = ["days=0", "days=366", "days=x"] + ([] if path == "summary" else ["limit=0", "limit=1000"])
    for bad in bad_params:
        r = api.client.get(f"/v1/kbs/default/analytics/{path}?{bad}", headers=api.headers("editor"))
        assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_input", bad
    r = api.client.get(f"/v1/kbs/nope/analytics/{path}", headers=api.headers("editor"))
    assert r.status_code == 404
