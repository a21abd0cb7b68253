"""Every kind of bad input gets a specific 4xx in the error shape and leaves stored data unchanged."""

from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import Api
from tests.kb_service.helpers import FAQ, all_articles, create


def _error(r: Any, status: int) -> dict[str, Any]:
    assert r.status_code == status, r.text
    body = r.json()
    assert set(body) == {"error"} and body["error"]["message"] and body["error"]["code"]
    return body["error"]


BAD_PAYLOADS = [
    ({**FAQ, "question": "   "}, "question"),
    ({**FAQ, "similar_questions": "not a list"}, "body.similar_questions"),
    ({**FAQ, "answer": 42}, "body.answer"),
    ({**FAQ, "answer": "长" * 20_001}, "answer"),
    ({**FAQ, "similar_questions": [f"问题{i}" for i in range(10_000)]}, "similar_questions"),
    ({**FAQ, "category": "marketing"}, "category"),
    ({**FAQ, "valid_from": "2026-05-01T00:00:00", "valid_to": "2026-04-01T00:00:00"}, "valid_to"),
    ({**FAQ, "valid_from": "next tuesday"}, "body.valid_from"),
    ({**FAQ, "channel_answers": {"fax": "x"}}, "channel_answers.fax"),
    ({**FAQ, "title": "a guide title"}, "title"),
    ({**FAQ, "colour": "red"}, "body.colour"),
    ({"type": "guide", "title": "无正文"}, "body"),
]


@pytest.mark.parametrize(("payload", "field"), BAD_PAYLOADS)
def test_bad_article_is_422_naming_the_field(api: Api, payload: dict[str, Any], field: str) -> None:
    before = create(api, {**FAQ, "question": "已有的问题"})
    err = _error(
        api.client.post("/v1/kbs/default/articles", json=payload, headers=api.headers("editor")), 422
    )
    assert field in [d["field"] for d in err["details"]], err
    assert all_articles(api) == [before]


def test_bad_update_changes_nothing(api: Api) -> None:
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    _error(api.client.put(url, json={"version": 1, "category": "nope"}, headers=api.headers("editor")), 422)
    _error(api.client.put(url, json={"answer": "no version"}, headers=api.headers("editor")), 422)
    _error(api.client.put(url, json={"version": 1, "type": "guide"}, headers=api.headers("editor")), 422)
    assert all_articles(api) == [art]


def test_malformed_json_is_400(api: Api) -> None:
    r = api.client.post(
        "/v1/kbs/default/articles",
        content=b'{"type": "faq", "question": ',
        headers={**api.headers("editor"), "content-type": "application/json"},
    )
    assert _error(r, 400)["code"] == "malformed_json"
    assert all_articles(api) == []


def test_body_over_limit_is_413(api: Api) -> None:
    big = {**FAQ, "answer": "x" * (3 * 1024 * 1024)}
    err = _error(api.client.post("/v1/kbs/default/articles", json=big, headers=api.headers("editor")), 413)
    assert "limit" in err["message"]
    assert all_articles(api) == []


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer wrong-key", "Basic abc"])
def test_missing_or_wrong_key_is_401(api: Api, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    err = _error(api.client.post("/v1/kbs/default/articles", json=FAQ, headers=headers), 401)
    assert "key" in err["message"].lower() or "authorization" in err["message"].lower()
    assert all_articles(api) == []


def test_wrong_role_is_403(api: Api) -> None:
    for role in ("agent", "bot"):
        _error(api.client.post("/v1/kbs/default/articles", json=FAQ, headers=api.headers(role)), 403)
    _error(api.client.post("/v1/kbs", json={"slug": "x", "name": "x"}, headers=api.headers("editor")), 403)
    assert all_articles(api) == []


def test_bad_query_parameters_are_422(api: Api) -> None:
    for query in ("limit=0", "limit=abc", "offset=-1", "status=lost", "type=memo"):
        r = api.client.get(f"/v1/kbs/default/articles?{query}", headers=api.headers("editor"))
        _error(r, 422)
