from __future__ import annotations

from tests.conftest import Api
from tests.kb_service.helpers import FAQ, GUIDE, all_articles, create


def test_create_faq_returns_201_with_server_fields(api: Api) -> None:
    art = create(api, FAQ)
    assert art["id"] > 0 and art["kb"] == "default" and art["version"] == 1 and art["status"] == "draft"
    assert art["question"] == FAQ["question"] and art["similar_questions"] == FAQ["similar_questions"]
    assert art["channel_answers"] == {"phone": FAQ["channel_answers"]["phone"]}
    assert art["created_by"] == "editor-key"


def test_guide_round_trip_and_type_inferred_from_title(api: Api) -> None:
    payload = {k: v for k, v in GUIDE.items() if k != "type"}
    art = create(api, payload)
    assert art["type"] == "guide" and art["body"] == GUIDE["body"] and "question" not in art
    got = api.client.get(f"/v1/kbs/default/articles/{art['id']}", headers=api.headers("editor")).json()
    assert got == art


def test_update_makes_new_version_and_stale_version_gets_409(api: Api) -> None:
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    r = api.client.put(url, json={"version": 1, "answer": "新的答案"}, headers=api.headers("editor"))
    assert r.status_code == 200 and r.json()["version"] == 2 and r.json()["answer"] == "新的答案"
    assert r.json()["similar_questions"] == FAQ["similar_questions"]  # untouched fields are kept
    stale = api.client.put(url, json={"version": 1, "answer": "lost update"}, headers=api.headers("editor"))
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] == "conflict"
    current = api.client.get(url, headers=api.headers("editor")).json()
    assert current["answer"] == "新的答案" and current["version"] == 2


def test_versions_newest_first_and_restore_creates_new_version(api: Api) -> None:
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    api.client.put(url, json={"version": 1, "answer": "第二版"}, headers=api.headers("editor"))
    versions = api.client.get(url + "/versions", headers=api.headers("editor")).json()
    assert [v["version"] for v in versions["items"]] == [2, 1]
    assert versions["items"][1]["article"]["answer"] == FAQ["answer"]
    restored = api.client.post(url + "/versions/1/restore", headers=api.headers("editor"))
    assert restored.status_code == 200
    assert restored.json()["answer"] == FAQ["answer"] and restored.json()["version"] == 3
    missing = api.client.post(url + "/versions/9/restore", headers=api.headers("editor"))
    assert missing.status_code == 404


def test_publish_unpublish_archive_and_visibility_by_role(api: Api) -> None:
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    assert api.client.get(url, headers=api.headers("agent")).status_code == 404  # drafts are invisible
    assert api.client.get(url, headers=api.headers("bot")).status_code == 404
    pub = api.client.post(url + "/publish", headers=api.headers("editor"))
    assert pub.status_code == 200 and pub.json()["status"] == "published"
    assert api.client.get(url, headers=api.headers("bot")).status_code == 200
    agent_list = api.client.get("/v1/kbs/default/articles", headers=api.headers("agent")).json()
    assert [a["id"] for a in agent_list["items"]] == [art["id"]]
    assert api.client.get("/v1/kbs/default/articles", headers=api.headers("bot")).status_code == 403
    assert api.client.post(url + "/publish", headers=api.headers("editor")).status_code == 409
    archived = api.client.delete(url, headers=api.headers("editor"))
    assert archived.status_code == 200 and archived.json()["status"] == "archived"
    assert api.client.get(url, headers=api.headers("agent")).status_code == 404
    unpub = api.client.post(url + "/publish", headers=api.headers("editor"))
    assert unpub.json()["status"] == "published"
    assert api.client.post(url + "/unpublish", headers=api.headers("editor")).json()["status"] == "draft"


def test_status_change_with_stale_version_is_409(api: Api) -> None:
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    api.client.put(url, json={"version": 1, "tags": ["x"]}, headers=api.headers("editor"))
    r = api.client.post(url + "/publish", json={"version": 1}, headers=api.headers("editor"))
    assert r.status_code == 409


def test_require_review_editors_submit_admins_publish(api: Api) -> None:
    r = api.client.put(
        "/v1/kbs/default/settings", json={"require_review": True}, headers=api.headers("admin")
    )
    assert r.status_code == 200 and r.json()["require_review"] is True
    art = create(api, FAQ)
    url = f"/v1/kbs/default/articles/{art['id']}"
    denied = api.client.post(url + "/publish", headers=api.headers("editor"))
    assert denied.status_code == 403 and "review" in denied.json()["error"]["message"]
    submitted = api.client.post(url + "/submit", headers=api.headers("editor")).json()
    assert submitted["review_requested"] is True
    queue = api.client.get(
        "/v1/kbs/default/articles?review_requested=true", headers=api.headers("admin")
    ).json()
    assert [a["id"] for a in queue["items"]] == [art["id"]]
    published = api.client.post(url + "/publish", headers=api.headers("admin")).json()
    assert published["status"] == "published" and published["review_requested"] is False


def test_list_filters_and_pagination(api: Api) -> None:
    faq = create(api, FAQ)
    guide = create(api, GUIDE)
    other = create(
        api, {**FAQ, "question": "发票怎么开", "category": "billing", "products": [], "tags": ["发票"]}
    )
    h = api.headers("editor")

    def ids(query: str) -> list[int]:
        r = api.client.get(f"/v1/kbs/default/articles?{query}", headers=h)
        assert r.status_code == 200, r.text
        return sorted(a["id"] for a in r.json()["items"])

    assert ids("type=guide") == [guide["id"]]
    assert ids("category=billing") == [other["id"]]
    assert ids("product=小新 Pro 14") == [faq["id"]]
    assert ids("tag=发票") == [other["id"]]
    assert ids("q=Wi-Fi") == [guide["id"]]
    assert ids("q=100%") == []
    page = api.client.get("/v1/kbs/default/articles?limit=2&offset=0", headers=h).json()
    assert page["total"] == 3 and len(page["items"]) == 2
    assert len(api.client.get("/v1/kbs/default/articles?limit=2&offset=2", headers=h).json()["items"]) == 1


def test_duplicate_question_and_external_id_conflict(api: Api) -> None:
    create(api, {**FAQ, "external_id": "faq-1"})
    r = api.client.post("/v1/kbs/default/articles", json=FAQ, headers=api.headers("editor"))
    assert r.status_code == 409 and r.json()["error"]["details"][0]["field"] == "question"
    r = api.client.post(
        "/v1/kbs/default/articles", json={**GUIDE, "external_id": "faq-1"}, headers=api.headers("editor")
    )
    assert r.status_code == 409
    assert len(all_articles(api)) == 1


def test_unknown_article_and_kb_are_404(api: Api) -> None:
    h = api.headers("editor")
    assert api.client.get("/v1/kbs/default/articles/999", headers=h).status_code == 404
    r = api.client.get("/v1/kbs/nowhere/articles", headers=h)
    assert r.status_code == 404 and "nowhere" in r.json()["error"]["message"]
