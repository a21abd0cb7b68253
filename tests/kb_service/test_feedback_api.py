"""Feedback through the real app: a query_id from /search is valid at once; errors; search logging."""

from __future__ import annotations

import time
import uuid
from typing import Any

import pytest
from sqlmodel import Session, select

from kb_service.models import Feedback, QueryLog
from kb_service.services.query_log import QueryLogWriter
from tests.conftest import Api
from tests.kb_service.helpers import FAQ, create


def writer(api: Api) -> QueryLogWriter:
    return api.client.app.state.query_log  # type: ignore[attr-defined,no-any-return]


def hold_log_in_memory(api: Api) -> QueryLogWriter:
    """Make the background writer wait a minute between writes, once what it holds now is stored."""
    log = writer(api)
    log.flush_interval_s = 60
    log.flush()
    time.sleep(0.6)  # let the thread finish its current wait and start the long one
    return log


def search(api: Api, query: str, kb: str = "default", **body: Any) -> dict[str, Any]:
    r = api.client.post(f"/v1/kbs/{kb}/search", json={"query": query, **body}, headers=api.headers("agent"))
    assert r.status_code == 200, r.text
    return r.json()


def feedback(api: Api, body: dict[str, Any], role: str = "bot", kb: str = "default") -> Any:
    return api.client.post(f"/v1/kbs/{kb}/feedback", json=body, headers=api.headers(role))


def stored_logs(api: Api) -> dict[str, QueryLog]:
    writer(api).flush()
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        return {row.id: row for row in session.exec(select(QueryLog)).all()}


@pytest.fixture
def article(api: Api) -> dict[str, Any]:
    return create(api, {**FAQ, "status": "published"})


def test_feedback_right_after_search_is_accepted_before_the_log_is_written(
    api: Api, article: dict[str, Any]
) -> None:
    log = hold_log_in_memory(api)
    found = search(api, "笔记本无法开机", filters={"channel": "wechat"})
    assert found["results"] and log.pending == 1
    r = feedback(api, {"query_id": found["query_id"], "article_id": article["id"], "event": "helpful"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["id"] and body["created_at"] and log.pending == 1  # nothing written yet
    assert {k: body[k] for k in ("kb", "query_id", "article_id", "event", "created_by")} == {
        "kb": "default",
        "query_id": found["query_id"],
        "article_id": article["id"],
        "event": "helpful",
        "created_by": "bot-key",
    }
    row = stored_logs(api)[found["query_id"]]
    assert (row.endpoint, row.role, row.channel, row.decision, row.degraded) == (
        "search",
        "agent",
        "wechat",
        None,
        found["degraded"],
    )
    assert row.top_article_ids == [h["article_id"] for h in found["results"]]
    assert row.top_scores == pytest.approx([h["score"] for h in found["results"]])
    assert row.latency_ms == pytest.approx(found["took_ms"])
    with Session(api.client.app.state.engine) as session:  # type: ignore[attr-defined]
        saved = session.exec(select(Feedback)).one()
    assert (saved.query_id, saved.event, saved.article_id) == (found["query_id"], "helpful", article["id"])


@pytest.mark.parametrize("event", ["click", "used", "not_helpful", "resolved", "handoff"])
def test_every_event_and_a_stored_query_id(api: Api, event: str) -> None:
    found = search(api, "开不了机")
    writer(api).flush()
    r = feedback(api, {"query_id": found["query_id"], "event": event}, role="agent")
    assert r.status_code == 201, r.text
    assert r.json()["event"] == event and r.json()["article_id"] is None


def test_unknown_query_id_and_other_kbs_query_id_are_404(api: Api) -> None:
    r = feedback(api, {"query_id": str(uuid.uuid4()), "event": "click"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert "query_id" in r.json()["error"]["message"]
    created = api.client.post("/v1/kbs", json={"slug": "other", "name": "Other"}, headers=api.headers())
    assert created.status_code == 201, created.text
    theirs = search(api, "开不了机", kb="other")["query_id"]
    r = feedback(api, {"query_id": theirs, "event": "click"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    assert feedback(api, {"query_id": theirs, "event": "click"}, kb="other").status_code == 201


def test_unknown_article_is_404(api: Api) -> None:
    found = search(api, "开不了机")
    r = feedback(api, {"query_id": found["query_id"], "article_id": 987654, "event": "click"})
    assert r.status_code == 404 and "article" in r.json()["error"]["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"query_id": "x", "event": "liked"},
        {"query_id": "x"},
        {"event": "click"},
        {"query_id": "", "event": "click"},
        {"query_id": "x", "event": "click", "article_id": 0},
        {"query_id": "x", "event": "click", "extra": 1},
    ],
)
def test_invalid_bodies_are_422_with_the_error_shape(api: Api, body: dict[str, Any]) -> None:
    r = feedback(api, body)
    assert r.status_code == 422, r.text
    assert r.json()["error"]["code"] == "invalid_input" and r.json()["error"]["details"]


def test_auth_and_kb_scope(api: Api) -> None:
    qid = search(api, "开不了机")["query_id"]
    r = api.client.post("/v1/kbs/default/feedback", json={"query_id": qid, "event": "click"})
    assert r.status_code == 401
    api.client.post("/v1/kbs", json={"slug": "elsewhere", "name": "Elsewhere"}, headers=api.headers())
    scoped = api.new_key("bot", kbs=["elsewhere"])
    r = api.client.post("/v1/kbs/default/feedback", json={"query_id": qid, "event": "click"}, headers=scoped)
    assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"


def test_search_log_masks_phone_numbers_and_emails(api: Api) -> None:
    query = "我的手机13812345678，邮箱 zhang.san@example.com，电脑开不了机"
    found = search(api, query)
    row = stored_logs(api)[found["query_id"]]
    for text in (row.query, row.normalized_query):
        assert "13812345678" not in text and "zhang.san@example.com" not in text
        assert "开不了机" in text
