from __future__ import annotations

import stat

from tests.conftest import Api
from tests.kb_service.helpers import FAQ, create


def test_admin_key_file_is_private_and_works(api: Api) -> None:
    path = api.data_dir / "admin.key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    r = api.client.get("/v1/kbs", headers=api.headers("admin"))
    assert r.status_code == 200 and [kb["slug"] for kb in r.json()["items"]] == ["default"]


def test_create_kb_and_duplicate_conflict(api: Api) -> None:
    r = api.client.post(
        "/v1/kbs", json={"slug": "phones", "name": "Phones", "language": "en"}, headers=api.headers()
    )
    assert r.status_code == 201 and r.json()["slug"] == "phones"
    assert (
        api.client.post("/v1/kbs", json={"slug": "phones", "name": "x"}, headers=api.headers()).status_code
        == 409
    )
    bad = api.client.post("/v1/kbs", json={"slug": "Bad Slug!", "name": "x"}, headers=api.headers())
    assert bad.status_code == 422 and bad.json()["error"]["details"][0]["field"] == "body.slug"
    settings = api.client.get("/v1/kbs/phones/settings", headers=api.headers("editor")).json()
    assert settings["language"] == "en" and settings["log_retention_days"] == 90


def test_settings_validation_and_roles(api: Api) -> None:
    url = "/v1/kbs/default/settings"
    assert (
        api.client.put(url, json={"answer_threshold": 0.8}, headers=api.headers("editor")).status_code == 403
    )
    bad = api.client.put(url, json={"answer_threshold": 0.3, "clarify_threshold": 0.5}, headers=api.headers())
    assert bad.status_code == 422 and "clarify_threshold" in bad.json()["error"]["message"]
    unknown = api.client.put(url, json={"colour": "red"}, headers=api.headers())
    assert unknown.status_code == 422 and unknown.json()["error"]["details"][0]["field"] == "colour"
    ok = api.client.put(
        url, json={"answer_threshold": 0.85, "queue_map": {"repair": "hardware"}}, headers=api.headers()
    )
    assert ok.status_code == 200 and ok.json()["answer_threshold"] == 0.85
    assert api.client.get(url, headers=api.headers("editor")).json()["queue_map"] == {"repair": "hardware"}


def test_dictionary_round_trip_and_validation(api: Api) -> None:
    url = "/v1/kbs/default/dictionary"
    data = {
        "user_words": ["小新Pro14 1000 nz", "开不了机", "thinkpad x1 carbon 3000 nz"],
        "synonyms": [["无法开机", "开不了机", "不开机"]],
    }
    r = api.client.put(url, json=data, headers=api.headers("editor"))
    assert r.status_code == 200 and r.json()["version"] == 2
    assert api.client.get(url, headers=api.headers("editor")).json()["synonyms"] == data["synonyms"]
    bad = api.client.put(url, json={"synonyms": [["孤单"]]}, headers=api.headers("editor"))
    assert bad.status_code == 422 and "synonyms[0]" in bad.json()["error"]["message"]
    assert api.client.get(url, headers=api.headers("agent")).status_code == 403


def test_a_dictionary_edit_made_to_an_older_version_is_refused(api: Api) -> None:
    """Two editors load version 1; the second save would silently drop the first one's words."""
    url, editor = "/v1/kbs/default/dictionary", api.headers("editor")
    version = api.client.get(url, headers=editor).json()["version"]
    first = api.client.put(url, json={"user_words": ["开不了机"], "version": version}, headers=editor)
    assert first.status_code == 200 and first.json()["version"] == version + 1
    second = api.client.put(url, json={"user_words": ["蓝屏"], "version": version}, headers=editor)
    assert second.status_code == 409
    error = second.json()["error"]
    assert f"version {version + 1}" in error["message"] and error["details"][0]["field"] == "version"
    assert api.client.get(url, headers=editor).json() == {**first.json(), "user_words": ["开不了机"]}
    both = {"user_words": ["开不了机", "蓝屏"], "version": version + 1}
    again = api.client.put(url, json=both, headers=editor)
    assert again.status_code == 200 and again.json()["version"] == version + 2
    ahead = api.client.put(url, json={"user_words": [], "version": version + 9}, headers=editor)
    assert ahead.status_code == 409 and "does not exist yet" in ahead.json()["error"]["message"]
    bad = api.client.put(url, json={"user_words": [], "version": 0}, headers=editor)
    assert bad.status_code == 422 and "version" in bad.json()["error"]["message"]


def test_keys_listed_without_secrets_revoked_and_expired(api: Api) -> None:
    created = api.client.post("/v1/keys", json={"role": "agent", "name": "desk-7"}, headers=api.headers())
    assert created.status_code == 201
    token, key_id = created.json()["key"], created.json()["id"]
    listing = api.client.get("/v1/keys", headers=api.headers()).json()
    assert all("key" not in k and "key_hash" not in k for k in listing["items"])
    assert token not in str(listing)
    auth = {"Authorization": f"Bearer {token}"}
    assert api.client.get("/v1/kbs/default/articles", headers=auth).status_code == 200
    assert api.client.delete(f"/v1/keys/{key_id}", headers=api.headers()).json()["revoked"] is True
    assert api.client.get("/v1/kbs/default/articles", headers=auth).status_code == 401
    expired = api.client.post(
        "/v1/keys", json={"role": "agent", "expires_at": "2020-01-01T00:00:00Z"}, headers=api.headers()
    ).json()["key"]
    r = api.client.get("/v1/kbs/default/articles", headers={"Authorization": f"Bearer {expired}"})
    assert r.status_code == 401 and "expired" in r.json()["error"]["message"]


def test_kb_scoped_key_cannot_use_other_kb(api: Api) -> None:
    api.client.post("/v1/kbs", json={"slug": "other", "name": "Other"}, headers=api.headers())
    scoped = api.new_key("editor", kbs=["other"])
    assert api.client.post("/v1/kbs/other/articles", json=FAQ, headers=scoped).status_code == 201
    r = api.client.post("/v1/kbs/default/articles", json=FAQ, headers=scoped)
    assert r.status_code == 403 and "default" in r.json()["error"]["message"]
    assert api.client.get("/v1/kbs/nowhere/articles", headers=scoped).status_code == 403
    bad = api.client.post("/v1/keys", json={"role": "bot", "kbs": ["nowhere"]}, headers=api.headers())
    assert bad.status_code == 422


def test_role_order(api: Api) -> None:
    art = create(api, FAQ, role="admin")  # admin can do what editors do
    assert (
        api.client.post("/v1/kbs/default/articles", json=FAQ, headers=api.headers("agent")).status_code == 403
    )
    assert api.client.get("/v1/keys", headers=api.headers("editor")).status_code == 403
    assert (
        api.client.get(f"/v1/kbs/default/articles/{art['id']}", headers=api.headers("editor")).status_code
        == 200
    )
