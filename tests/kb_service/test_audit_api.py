"""The audit log API: every change with the key that made it, filters, newest first, admins only."""

from __future__ import annotations

import json
from typing import Any

import pytest

from tests.conftest import Api
from tests.kb_service.helpers import FAQ

IMPORT_ROW = {"type": "faq", "question": "如何修改登录密码", "answer": "在账号设置里点击修改密码。"}


def _named_key(api: Api, role: str, name: str, kbs: list[str] | None = None) -> tuple[int, dict[str, str]]:
    r = api.client.post("/v1/keys", json={"role": role, "name": name, "kbs": kbs}, headers=api.headers())
    assert r.status_code == 201, r.text
    return r.json()["id"], {"Authorization": f"Bearer {r.json()['key']}"}


def _audit(api: Api, path: str = "/v1/audit", headers: dict[str, str] | None = None, **params: Any) -> Any:
    r = api.client.get(path, params=params, headers=headers or api.headers())
    assert r.status_code == 200, r.text
    return r.json()


def _editor_session(api: Api, editor: dict[str, str]) -> int:
    """Create, update, publish, archive and restore an article; import a file; change the dictionary."""
    r = api.client.post("/v1/kbs/default/articles", json=FAQ, headers=editor)
    assert r.status_code == 201, r.text
    url = f"/v1/kbs/default/articles/{r.json()['id']}"
    for method, path, body in (
        ("PUT", "", {"version": 1, "answer": "新的答案"}),
        ("POST", "/publish", None),
        ("DELETE", "", None),
        ("POST", "/versions/1/restore", None),
    ):
        resp = api.client.request(method, url + path, json=body, headers=editor)
        assert resp.status_code == 200, resp.text
    content = json.dumps(IMPORT_ROW, ensure_ascii=False).encode()
    resp = api.client.post("/v1/kbs/default/imports", files={"file": ("faq.jsonl", content)}, headers=editor)
    assert resp.status_code == 200, resp.text
    dictionary = {"user_words": ["小新Pro14"], "synonyms": [["开不了机", "无法开机"]]}
    resp = api.client.put("/v1/kbs/default/dictionary", json=dictionary, headers=editor)
    assert resp.status_code == 200, resp.text
    return int(r.json()["id"])


def test_each_change_is_recorded_with_its_key_newest_first(api: Api) -> None:
    editor_id, editor = _named_key(api, "editor", "editor-zhang")
    article_id = _editor_session(api, editor)
    temp_id, _ = _named_key(api, "agent", "temp-agent")
    assert api.client.delete(f"/v1/keys/{temp_id}", headers=api.headers()).status_code == 200

    keys = {k["id"]: k for k in api.client.get("/v1/keys", headers=api.headers()).json()["items"]}
    log = _audit(api, limit=500)
    assert log["total"] == len(log["items"])
    stamps = [e["created_at"] for e in log["items"]]
    ids = [e["id"] for e in log["items"]]
    assert stamps == sorted(stamps, reverse=True) and ids == sorted(ids, reverse=True)

    mine = [e for e in reversed(log["items"]) if e["actor"] == keys[editor_id]["name"]]
    assert [(e["action"], e["target_type"]) for e in mine] == [
        ("create", "article"),
        ("update", "article"),
        ("publish", "article"),
        ("archive", "article"),
        ("restore:1", "article"),
        ("create", "article"),  # the imported row
        ("import", "import"),
        ("update_dictionary", "kb"),
    ]
    assert [e["target_id"] for e in mine[:5]] == [str(article_id)] * 5
    assert [e["details"]["version"] for e in mine[:5]] == [1, 2, 3, 4, 5]
    assert all(e["kb"] == "default" for e in mine)
    assert mine[6]["target_id"] == "faq.jsonl" and mine[6]["details"]["created"] == 1

    admin_name = next(k["name"] for k in keys.values() if k["role"] == "admin")
    key_events = [(e["action"], e["target_id"]) for e in log["items"][:2]]
    assert key_events == [("revoke", str(temp_id)), ("create", str(temp_id))]
    assert {e["actor"] for e in log["items"][:2]} == {admin_name}
    admin_id = next(k["id"] for k in keys.values() if k["role"] == "admin")
    assert {e["actor_key_id"] for e in log["items"][:2]} == {admin_id}
    assert {e["actor_key_id"] for e in mine} == {editor_id}
    assert all("key" not in e["details"] for e in log["items"])  # never a secret


def test_keys_with_the_same_name_are_told_apart_by_id(api: Api) -> None:
    first_id, first = _named_key(api, "editor", "shift-editor")
    second_id, second = _named_key(api, "editor", "shift-editor")
    for n, headers in enumerate((first, second, second)):
        r = api.client.post("/v1/kbs/default/articles", json=FAQ | {"question": f"问题{n}"}, headers=headers)
        assert r.status_code == 201, r.text
    assert _audit(api, actor="shift-editor", target_type="article")["total"] == 3
    by_first = _audit(api, actor_key_id=first_id, target_type="article")["items"]
    by_second = _audit(api, actor_key_id=second_id, target_type="article")["items"]
    assert len(by_first) == 1 and len(by_second) == 2
    assert {e["actor_key_id"] for e in by_second} == {second_id}
    # the service itself (the default KB at first start) has no key
    system = _audit(api, actor="system")["items"]
    assert system and all(e["actor_key_id"] is None for e in system)


def test_filters_and_paging(api: Api) -> None:
    _, editor = _named_key(api, "editor", "editor-li")
    article_id = _editor_session(api, editor)
    assert [e["action"] for e in _audit(api, action="publish")["items"]] == ["publish"]
    by_target = _audit(api, target_type="article", target_id=str(article_id))
    assert by_target["total"] == 5 and {e["target_id"] for e in by_target["items"]} == {str(article_id)}
    assert _audit(api, actor="editor-li")["total"] == 8
    assert _audit(api, actor="nobody")["total"] == 0
    assert {e["kb"] for e in _audit(api, kb="default")["items"]} == {"default"}
    scoped = _audit(api, "/v1/kbs/default/audit", actor="editor-li")
    assert scoped == _audit(api, actor="editor-li", kb="default")

    everything = _audit(api, limit=500)["items"]
    page = _audit(api, limit=3, offset=2)
    assert page["items"] == everything[2:5] and page["total"] == len(everything)
    assert _audit(api, since="2999-01-01T00:00:00Z")["total"] == 0
    assert _audit(api, until="2000-01-01T00:00:00")["total"] == 0
    assert _audit(api, since="2000-01-01T00:00:00+08:00")["total"] == len(everything)


@pytest.mark.parametrize("role", ["editor", "agent", "bot"])
def test_non_admins_get_403(api: Api, role: str) -> None:
    for path in ("/v1/audit", "/v1/kbs/default/audit"):
        r = api.client.get(path, headers=api.headers(role))
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
    assert api.client.get("/v1/audit").status_code == 401


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"since": "yesterday"}, "since"),
        ({"until": "2026-13-01"}, "until"),
        ({"limit": 0}, "limit"),
        ({"actor_key_id": "zhang"}, "actor_key_id"),
    ],
)
def test_bad_query_params_get_422_naming_the_field(api: Api, params: dict[str, Any], field: str) -> None:
    r = api.client.get("/v1/audit", params=params, headers=api.headers())
    assert r.status_code == 422, r.text
    assert any(field in d["field"] for d in r.json()["error"]["details"])
    assert api.client.get("/v1/audit", params={"limit": 501}, headers=api.headers()).status_code == 422


def test_kb_scoped_admin_sees_only_its_kbs(api: Api) -> None:
    r = api.client.post("/v1/kbs", json={"slug": "shop", "name": "Shop"}, headers=api.headers())
    assert r.status_code == 201, r.text
    _, shop_admin = _named_key(api, "admin", "shop-admin", kbs=["shop"])
    for kb, question, headers in (
        ("shop", "商城如何退货", shop_admin),
        ("default", "默认库的问题", api.headers("editor")),
    ):
        payload = {"type": "faq", "question": question, "answer": "答案"}
        resp = api.client.post(f"/v1/kbs/{kb}/articles", json=payload, headers=headers)
        assert resp.status_code == 201, resp.text

    seen = _audit(api, headers=shop_admin)["items"]
    assert seen and {e["kb"] for e in seen} == {"shop"}
    assert _audit(api, "/v1/kbs/shop/audit", headers=shop_admin)["items"] == seen
    for path, params in (("/v1/kbs/default/audit", {}), ("/v1/audit", {"kb": "default"})):
        assert api.client.get(path, params=params, headers=shop_admin).status_code == 403
    assert {e["kb"] for e in _audit(api, limit=500)["items"]} >= {"shop", "default", None}
    assert api.client.get("/v1/audit", params={"kb": "nope"}, headers=api.headers()).status_code == 404
