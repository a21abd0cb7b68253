"""Access control: every API route × every kind of caller, built from the app's own route table.

The lowest role of each route is declared in ROUTE_ROLES (from the API table in ../shared/DESIGN.md
and the routers' dependencies). A route the app serves that this table does not list fails the test,
so a new route must be added here with its role. Callers: no key, an unknown key, bot, agent, editor,
admin, and an admin and an editor key both limited to another KB. Expected: 401 without a valid key,
403 below the lowest role or outside the key's KBs, anything else (but never 5xx) when allowed.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi import FastAPI, routing
from fastapi.routing import APIRoute

from tests.conftest import Api, api_on
from tests.kb_service.helpers import FAQ, create

RANK = {"bot": 0, "agent": 1, "editor": 2, "admin": 3}
ANY_KEY = "bot"  # any valid key: the lowest role

# (method, path) → lowest role allowed.
ROUTE_ROLES: dict[tuple[str, str], str] = {
    ("GET", "/v1/whoami"): ANY_KEY,
    ("GET", "/v1/kbs"): "admin",
    ("POST", "/v1/kbs"): "admin",
    ("GET", "/v1/kbs/{kb}/settings"): "editor",
    ("PUT", "/v1/kbs/{kb}/settings"): "admin",
    ("GET", "/v1/kbs/{kb}/profile"): "agent",
    ("GET", "/v1/kbs/{kb}/dictionary"): "editor",
    ("PUT", "/v1/kbs/{kb}/dictionary"): "editor",
    ("GET", "/v1/kbs/{kb}/catalogue"): "editor",
    ("PUT", "/v1/kbs/{kb}/catalogue"): "editor",
    ("GET", "/v1/keys"): "admin",
    ("POST", "/v1/keys"): "admin",
    ("DELETE", "/v1/keys/{key_id}"): "admin",
    ("GET", "/v1/audit"): "admin",
    ("GET", "/v1/kbs/{kb}/audit"): "admin",
    ("GET", "/v1/kbs/{kb}/articles"): "agent",  # bots: 403 on the list
    ("POST", "/v1/kbs/{kb}/articles"): "editor",
    ("GET", "/v1/kbs/{kb}/articles/{article_id}"): "bot",  # published ones only, below editor
    ("PUT", "/v1/kbs/{kb}/articles/{article_id}"): "editor",
    ("DELETE", "/v1/kbs/{kb}/articles/{article_id}"): "editor",
    ("POST", "/v1/kbs/{kb}/articles/{article_id}/publish"): "editor",
    ("POST", "/v1/kbs/{kb}/articles/{article_id}/unpublish"): "editor",
    ("POST", "/v1/kbs/{kb}/articles/{article_id}/submit"): "editor",
    ("GET", "/v1/kbs/{kb}/articles/{article_id}/versions"): "editor",
    ("POST", "/v1/kbs/{kb}/articles/{article_id}/versions/{number}/restore"): "editor",
    ("POST", "/v1/kbs/{kb}/imports"): "editor",
    ("GET", "/v1/kbs/{kb}/export"): "editor",
    ("POST", "/v1/kbs/{kb}/search"): "agent",
    ("POST", "/v1/kbs/{kb}/suggest"): "agent",
    ("POST", "/v1/kbs/{kb}/answer"): "bot",
    ("POST", "/v1/kbs/{kb}/feedback"): "bot",
    ("GET", "/v1/kbs/{kb}/index"): "editor",
    ("POST", "/v1/kbs/{kb}/index/rebuild"): "editor",
    ("GET", "/v1/kbs/{kb}/analytics/summary"): "editor",
    ("GET", "/v1/kbs/{kb}/analytics/unanswered"): "editor",
    ("GET", "/v1/kbs/{kb}/analytics/articles"): "editor",
}

# Served without a key (or not JSON API at all): left out of the matrix.
UNAUTHENTICATED = {
    "/healthz",
    "/readyz",
    "/metrics",
    "/docs",
    "/docs/oauth2-redirect",
    "/openapi.json",
    "/redoc",
}

OTHER_KB = "other"
# Callers in the order they are tried: refused ones first, so an allowed write cannot change what a
# later refused caller would see.
CALLERS = ("none", "bad", "admin@other", "editor@other", "bot", "agent", "editor", "admin")


def api_routes(app: FastAPI) -> list[tuple[str, str]]:
    """(method, path) of every APIRoute, including those of included routers (any FastAPI version)."""
    contexts = getattr(routing, "iter_route_contexts", None)
    if contexts is not None:
        pairs = [(c.original_route, c.path) for c in contexts(app.routes)]
    else:  # older FastAPI: app.routes is already flat
        pairs = [(r, getattr(r, "path", None)) for r in app.routes]
    found = []
    for route, path in pairs:
        if not isinstance(route, APIRoute) or path is None:
            continue
        if path in UNAUTHENTICATED or path == "/ui" or path.startswith("/ui/"):
            continue
        found.extend((method, path) for method in sorted(route.methods - {"HEAD"}))
    return found


@dataclass
class Matrix:
    api: Api
    headers: dict[str, dict[str, str]]
    params: dict[str, Any]
    throwaway: dict[str, int] = field(default_factory=dict)


@pytest.fixture
def unlimited_api(database_url: str, tmp_path: Path) -> Iterator[Api]:
    """The `api` fixture's app, with per-key rate limits off (the matrix sends ~300 requests)."""
    limits_off = {f"rate_limit_{role}_per_s": 0 for role in ("admin", "editor", "agent", "bot")}
    with api_on(database_url, tmp_path, **limits_off) as made:
        yield made


@pytest.fixture
def matrix(unlimited_api: Api) -> Matrix:
    api = unlimited_api
    r = api.client.post("/v1/kbs", json={"slug": OTHER_KB, "name": "Other"}, headers=api.headers())
    assert r.status_code == 201, r.text
    headers: dict[str, dict[str, str]] = {
        "none": {},
        "bad": {"Authorization": "Bearer kb_this-key-does-not-exist"},
        "admin@other": api.new_key("admin", kbs=[OTHER_KB]),
        "editor@other": api.new_key("editor", kbs=[OTHER_KB]),
    }
    for role in RANK:
        headers[role] = api.headers(role)
    article = create(api, {**FAQ, "status": "published"})
    throwaway_key = api.client.post(
        "/v1/keys", json={"role": "bot", "name": "to-revoke"}, headers=api.headers()
    )
    assert throwaway_key.status_code == 201, throwaway_key.text
    answered = api.client.post(
        "/v1/kbs/default/answer", json={"query": "开不了机"}, headers=api.headers("bot")
    )
    assert answered.status_code == 200, answered.text
    params = {
        "kb": "default",
        "article_id": article["id"],
        "number": 1,
        "key_id": throwaway_key.json()["id"],
        "query_id": answered.json()["query_id"],
    }
    return Matrix(api, headers, params)


def request_kwargs(
    method: str, path: str, params: dict[str, Any], article_version: int, counter: int
) -> dict[str, Any]:
    """A minimal, valid request for the route, so allowed callers do not stop at validation."""
    faq = {k: v for k, v in FAQ.items()}
    bodies: dict[tuple[str, str], Any] = {
        ("POST", "/v1/kbs"): {"slug": f"matrix-{counter}", "name": "Matrix"},
        ("PUT", "/v1/kbs/{kb}/settings"): {"answer_threshold": 0.7},
        ("PUT", "/v1/kbs/{kb}/dictionary"): {
            "user_words": ["ThinkPad"],
            "synonyms": [["开不了机", "无法开机"]],
        },
        ("PUT", "/v1/kbs/{kb}/catalogue"): {"products": [{"name": "ThinkPad T14", "aliases": ["T14"]}]},
        ("POST", "/v1/keys"): {"role": "bot", "name": f"matrix-{counter}"},
        ("POST", "/v1/kbs/{kb}/articles"): {
            **faq,
            "question": f"matrix question {counter}",
            "status": "draft",
        },
        ("PUT", "/v1/kbs/{kb}/articles/{article_id}"): {**faq, "version": article_version},
        ("POST", "/v1/kbs/{kb}/search"): {"query": "开不了机", "mode": "bm25"},
        ("POST", "/v1/kbs/{kb}/suggest"): {"conversation": [{"role": "customer", "text": "电脑开不了机"}]},
        ("POST", "/v1/kbs/{kb}/answer"): {"query": "电脑开不了机"},
        ("POST", "/v1/kbs/{kb}/feedback"): {"query_id": params["query_id"], "event": "click"},
    }
    if (method, path) == ("POST", "/v1/kbs/{kb}/imports"):
        row = json.dumps({**faq, "question": f"imported question {counter}"}, ensure_ascii=False)
        return {
            "params": {"dry_run": "true"},
            "files": {"file": ("faq.jsonl", row.encode("utf-8"), "application/json")},
        }
    if (method, path) in bodies:
        return {"json": bodies[(method, path)]}
    return {}


def expected(caller: str, lowest: str, method: str, path: str) -> str:
    """'401', '403' or 'ok' (anything but 401/403/5xx)."""
    if caller in ("none", "bad"):
        return "401"
    role, _, scope = caller.partition("@")
    if RANK[role] < RANK[lowest]:
        return "403"
    if scope and "{kb}" in path:
        return "403"  # the path's KB ('default') is not among the key's KBs
    if scope and path.startswith("/v1/keys") and method != "GET":
        return "403"  # the matrix creates and revokes unscoped keys: beyond a KB-limited admin
    return "ok"


def outcome(status: int) -> str:
    return str(status) if status in (401, 403) else "ok"


def test_every_route_is_in_the_matrix(unlimited_api: Api) -> None:
    served = set(api_routes(unlimited_api.client.app))  # type: ignore[arg-type]
    assert served, "no API routes found: has the way routes are listed changed?"
    missing = sorted(served - set(ROUTE_ROLES))
    assert not missing, f"routes without a declared lowest role (add them to ROUTE_ROLES): {missing}"
    gone = sorted(set(ROUTE_ROLES) - served)
    assert not gone, f"ROUTE_ROLES lists routes the app no longer serves: {gone}"


def test_route_role_matrix(matrix: Matrix) -> None:
    client = matrix.api.client
    routes = api_routes(client.app)  # type: ignore[arg-type]
    failures: list[str] = []
    checked = 0
    for method, path in routes:
        lowest = ROUTE_ROLES.get((method, path))
        if lowest is None:
            continue  # reported by test_every_route_is_in_the_matrix
        url = path.format(**matrix.params)
        for caller in CALLERS:
            checked += 1
            current = client.get(
                f"/v1/kbs/default/articles/{matrix.params['article_id']}", headers=matrix.headers["admin"]
            ).json()
            kwargs = request_kwargs(method, path, matrix.params, current.get("version", 1), checked)
            r = client.request(method, url, headers=matrix.headers[caller], **kwargs)
            want = expected(caller, lowest, method, path)
            label = f"{method} {path} as {caller}: expected {want}, got {r.status_code} {r.text[:200]}"
            if r.status_code >= 500 or outcome(r.status_code) != want:
                failures.append(label)
            elif r.status_code in (401, 403):
                assert "error" in r.json(), label  # the documented error envelope, not a bare `detail`
    assert checked == len(ROUTE_ROLES) * len(CALLERS)
    assert not failures, f"{len(failures)} of {checked} checks failed:\n" + "\n".join(failures)


def test_bots_and_agents_never_see_drafts_or_archived(unlimited_api: Api) -> None:
    api = unlimited_api
    published = create(api, {**FAQ, "status": "published"})
    draft = create(api, {**FAQ, "question": "草稿问题", "status": "draft"})
    archived = create(api, {**FAQ, "question": "已归档问题", "status": "published"})
    r = api.client.delete(f"/v1/kbs/default/articles/{archived['id']}", headers=api.headers("editor"))
    assert r.status_code == 200 and r.json()["status"] == "archived", r.text

    for status in (None, "draft", "archived", "published"):
        query = f"?limit=200&status={status}" if status else "?limit=200"
        r = api.client.get(f"/v1/kbs/default/articles{query}", headers=api.headers("agent"))
        assert r.status_code == 200, r.text
        items = r.json()["items"]
        assert all(item["status"] == "published" for item in items), (status, items)
        assert r.json()["total"] == len(items)
        if status in (None, "published"):
            assert [item["id"] for item in items] == [published["id"]]
        r = api.client.get(f"/v1/kbs/default/articles{query}", headers=api.headers("bot"))
        assert r.status_code == 403, r.text

    for role in ("bot", "agent"):
        for hidden in (draft, archived):
            r = api.client.get(f"/v1/kbs/default/articles/{hidden['id']}", headers=api.headers(role))
            assert r.status_code == 404, (role, hidden["status"], r.text)
        r = api.client.get(f"/v1/kbs/default/articles/{published['id']}", headers=api.headers(role))
        assert r.status_code == 200, (role, r.text)
    for role in ("editor", "admin"):  # the same ids are there for those who may see them
        for hidden in (draft, archived):
            r = api.client.get(f"/v1/kbs/default/articles/{hidden['id']}", headers=api.headers(role))
            assert r.status_code == 200, (role, r.text)
    r = api.client.get("/v1/kbs/default/articles?limit=200", headers=api.headers("editor"))
    assert {draft["id"], archived["id"], published["id"]} <= {item["id"] for item in r.json()["items"]}


def test_revoked_key_is_refused(unlimited_api: Api) -> None:
    api = unlimited_api
    r = api.client.post("/v1/keys", json={"role": "agent", "name": "revoke-me"}, headers=api.headers())
    assert r.status_code == 201, r.text
    key_id, headers = r.json()["id"], {"Authorization": f"Bearer {r.json()['key']}"}
    assert api.client.get("/v1/whoami", headers=headers).status_code == 200  # now in the in-memory ring
    r = api.client.delete(f"/v1/keys/{key_id}", headers=api.headers())
    assert r.status_code == 200, r.text
    for method, url in (("GET", "/v1/whoami"), ("GET", "/v1/kbs/default/profile")):
        r = api.client.request(method, url, headers=headers)
        assert r.status_code == 401, (url, r.text)
    listed = api.client.get("/v1/keys", headers=api.headers()).json()["items"]
    row = next(item for item in listed if item["id"] == key_id)
    assert "key" not in row and "key_hash" not in row  # listed without secrets


def test_expired_key_is_refused(unlimited_api: Api) -> None:
    api = unlimited_api
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    r = api.client.post("/v1/keys", json={"role": "agent", "expires_at": past}, headers=api.headers())
    if r.status_code == 201:
        headers = {"Authorization": f"Bearer {r.json()['key']}"}
        assert api.client.get("/v1/whoami", headers=headers).status_code == 401
    else:  # the API refuses a past expiry: take one two seconds ahead and wait for it
        assert r.status_code == 422, r.text
    soon = (datetime.now(UTC) + timedelta(seconds=2)).isoformat()
    r = api.client.post("/v1/keys", json={"role": "agent", "expires_at": soon}, headers=api.headers())
    assert r.status_code == 201, r.text
    headers = {"Authorization": f"Bearer {r.json()['key']}"}
    assert api.client.get("/v1/whoami", headers=headers).status_code == 200
    time.sleep(2.2)
    for url in ("/v1/whoami", "/v1/kbs/default/profile"):
        r = api.client.get(url, headers=headers)
        assert r.status_code == 401, (url, r.text)


def test_kb_scoped_admin_cannot_mint_keys_beyond_its_kbs(matrix: Matrix) -> None:
    client, scoped = matrix.api.client, matrix.headers["admin@other"]
    for kbs in (None, ["default"], ["default", OTHER_KB]):
        r = client.post("/v1/keys", json={"role": "admin", "kbs": kbs}, headers=scoped)
        if r.status_code == 201:  # show the escalation: the new key opens a KB the creator may not use
            minted = {"Authorization": f"Bearer {r.json()['key']}"}
            opened = client.get("/v1/kbs/default/settings", headers=minted).status_code
            assert opened == 403, f"kbs={kbs}: scoped admin minted a key that reads 'default' ({opened})"
        assert r.status_code == 403, (kbs, r.status_code, r.text)


def test_kb_scoped_admin_cannot_revoke_keys_beyond_its_kbs(matrix: Matrix) -> None:
    client = matrix.api.client
    keys = client.get("/v1/keys", headers=matrix.headers["admin"]).json()["items"]
    editor = next(k for k in keys if k["role"] == "editor" and k["kbs"] is None)
    r = client.delete(f"/v1/keys/{editor['id']}", headers=matrix.headers["admin@other"])
    assert r.status_code == 403, r.text
    assert client.get("/v1/whoami", headers=matrix.headers["editor"]).status_code == 200


def test_kb_scoped_admin_manages_keys_within_its_kbs(matrix: Matrix) -> None:
    client, scoped = matrix.api.client, matrix.headers["admin@other"]
    r = client.post("/v1/keys", json={"role": "agent", "kbs": [OTHER_KB]}, headers=scoped)
    assert r.status_code == 201, r.text
    listed = {k["id"] for k in client.get("/v1/keys", headers=scoped).json()["items"]}
    assert r.json()["id"] in listed and all(
        k["kbs"] == [OTHER_KB] for k in client.get("/v1/keys", headers=scoped).json()["items"]
    )
    assert client.delete(f"/v1/keys/{r.json()['id']}", headers=scoped).status_code == 200
