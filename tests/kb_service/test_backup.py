"""`kb backup` / `kb restore` through the real CLI: round trips on SQLite and PostgreSQL and across them,
damaged files refused with nothing written, existing slugs refused without --replace, restored KBs served."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from sqlmodel import Session, col, select
from typer.testing import CliRunner

from kb_service.cli import app
from kb_service.db import make_engine
from kb_service.models import ApiKey, Article, ArticleVersion, KnowledgeBase
from kb_service.services.article_rules import as_utc
from kb_service.settings import get_settings
from tests.conftest import Api, api_on, pg_database
from tests.kb_service.helpers import FAQ, GUIDE, create

REPO = Path(__file__).resolve().parents[2]
INVOICE = {
    "type": "faq",
    "question": "如何申请电子发票",
    "answer": "在订单详情页申请。",
    "category": "billing",
}


# ---- databases and the command ------------------------------------------------------------------
@pytest.fixture
def fresh_url(database_url: str, tmp_path: Path) -> Iterator[str]:
    """A second, empty database of the same kind as `database_url`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
    else:
        with pg_database() as url:
            yield url


def kb(url: str, data_dir: Path, *args: str, ok: bool = True) -> Result:
    """Run `kb ARGS --data-dir DATA_DIR` in process with KB_DATABASE_URL=url."""
    env = {"KB_DATABASE_URL": url, "KB_DATA_DIR": str(data_dir), "KB_LOAD_SAMPLE_DATA": "false"}
    try:
        result = CliRunner().invoke(app, [*args, "--data-dir", str(data_dir)], env=env)
    finally:
        get_settings.cache_clear()
    assert (result.exit_code == 0) == ok, f"{result.exit_code}: {result.stdout}{result.stderr}"
    return result


def kb_process(url: str, data_dir: Path, *args: str) -> dict[str, Any]:
    """The installed console script in a subprocess; returns its JSON output."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_DATABASE_URL=url, KB_LOAD_SAMPLE_DATA="false")
    script = Path(sys.executable).with_name("kb")
    done = subprocess.run(
        [str(script), *args, "--data-dir", str(data_dir)],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


# ---- content ------------------------------------------------------------------------------------
def populate(api: Api) -> str:
    """KB `shop`: settings, dictionary, a published FAQ with history, a draft guide, an archived FAQ, keys.

    Returns the token of a bot key limited to `shop`."""
    admin, client = api.headers("admin"), api.client
    assert client.post("/v1/kbs", json={"slug": "shop", "name": "网店"}, headers=admin).status_code == 201
    changes = {"answer_threshold": 0.8, "clarify_threshold": 0.5, "default_queue": "repair"}
    assert client.put("/v1/kbs/shop/settings", json=changes, headers=admin).status_code == 200
    dictionary = {"user_words": ["小新Pro14", "E1234"], "synonyms": [["开不了机", "无法开机", "不开机"]]}
    assert client.put("/v1/kbs/shop/dictionary", json=dictionary, headers=admin).status_code == 200
    faq = create(api, {**FAQ, "external_id": "faq-boot"}, kb="shop")
    base = f"/v1/kbs/shop/articles/{faq['id']}"
    edited = {**FAQ, "external_id": "faq-boot", "answer": "先充电。", "version": 1}
    assert client.put(base, json=edited, headers=admin).status_code == 200
    for step in ("/versions/1/restore", "/publish"):
        assert client.post(base + step, headers=admin).status_code == 200, step
    create(api, GUIDE, kb="shop")  # stays a draft
    archived = create(api, INVOICE, kb="shop")
    for method, step in (("POST", "/publish"), ("DELETE", "")):
        url = f"/v1/kbs/shop/articles/{archived['id']}{step}"
        assert client.request(method, url, headers=admin).status_code == 200
    tokens = []
    for role, kbs in (("bot", ["shop"]), ("editor", ["shop", "default"]), ("agent", ["shop"]), ("bot", None)):
        tokens.append(client.post("/v1/keys", json={"role": role, "kbs": kbs}, headers=admin).json()["key"])
    revoked = client.post("/v1/keys", json={"role": "agent", "kbs": ["shop"]}, headers=admin).json()
    assert client.delete(f"/v1/keys/{revoked['id']}", headers=admin).status_code == 200
    client.post("/v1/keys", json={"role": "bot", "kbs": ["default"]}, headers=admin)  # not shop's
    return str(tokens[0])


def _plain(row: Any, skip: tuple[str, ...]) -> dict[str, Any]:
    values = row.model_dump(exclude=set(skip))
    return {k: as_utc(v) if isinstance(v, datetime) else v for k, v in values.items()}


def kb_state(url: str, slug: str) -> dict[str, Any]:
    """Everything a backup should carry, read straight from the tables, without ids."""
    engine = make_engine(url)
    with Session(engine) as session:
        kb_row = session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == slug)).one()
        articles = []
        for row in session.exec(select(Article).where(Article.kb_id == kb_row.id).order_by(col(Article.id))):
            query = select(ArticleVersion).where(ArticleVersion.article_id == row.id)
            versions = session.exec(query.order_by(col(ArticleVersion.version))).all()
            item = _plain(row, ("id", "kb_id"))
            articles.append(item | {"versions": [_plain(v, ("id", "article_id")) for v in versions]})
        keys = {
            key.key_hash: _plain(key, ("id",))
            for key in session.exec(select(ApiKey))
            if key.kbs is None or slug in key.kbs
        }
    engine.dispose()
    return {"kb": _plain(kb_row, ("id", "slug")), "articles": articles, "keys": keys}


def article_ids(url: str, slug: str) -> list[int]:
    engine = make_engine(url)
    with Session(engine) as session:
        kb_id = session.exec(select(KnowledgeBase.id).where(KnowledgeBase.slug == slug)).one()
        ids = session.exec(select(Article.id).where(Article.kb_id == kb_id).order_by(col(Article.id))).all()
    engine.dispose()
    return [i for i in ids if i is not None]


def assert_same(source: dict[str, Any], restored: dict[str, Any], slug: str) -> None:
    assert restored["kb"] == source["kb"]
    assert restored["articles"] == source["articles"]
    assert [a["status"] for a in restored["articles"]] == ["published", "draft", "archived"]
    assert [len(a["versions"]) for a in restored["articles"]] == [4, 1, 3]
    # the target may hold keys of its own (its first admin key); every backed-up key is there
    assert set(source["keys"]) <= set(restored["keys"])
    for key_hash, key in source["keys"].items():
        again = restored["keys"][key_hash]
        assert {**again, "kbs": None} == {**key, "kbs": None}
        assert again["kbs"] is None or slug in again["kbs"]


def assert_served(url: str, tmp_path: Path, slug: str, bot_token: str, absent: tuple[str, ...] = ()) -> None:
    """The service on the restored database builds the KB index: published articles found, others hidden."""
    with api_on(url, tmp_path, wait_for_index=True) as api:
        agent = api.headers("agent")
        r = api.client.post(f"/v1/kbs/{slug}/search", json={"query": "笔记本无法开机"}, headers=agent)
        assert r.status_code == 200, r.text
        titles = [hit["title"] for hit in r.json()["results"]]
        assert titles[:1] == [FAQ["question"]]
        for hidden in (GUIDE["title"], INVOICE["question"], *absent):
            r = api.client.post(f"/v1/kbs/{slug}/search", json={"query": hidden}, headers=agent)
            assert hidden not in [hit["title"] for hit in r.json()["results"]]
        listed = api.client.get(f"/v1/kbs/{slug}/articles", headers=agent).json()["items"]
        assert [a["question"] for a in listed] == [FAQ["question"]]
        bot = {"Authorization": f"Bearer {bot_token}"}  # a restored key keeps working
        r = api.client.post(f"/v1/kbs/{slug}/answer", json={"query": FAQ["question"]}, headers=bot)
        assert r.status_code == 200, r.text
        assert r.json()["answer"]["title"] == FAQ["question"]


# ---- tests ----------------------------------------------------------------------------------------
def test_round_trip_into_a_fresh_database(database_url: str, fresh_url: str, tmp_path: Path) -> None:
    with api_on(database_url, tmp_path / "source") as api:
        bot_token = populate(api)
    source = kb_state(database_url, "shop")
    file = tmp_path / "shop.kbbak"
    backup = kb(database_url, tmp_path / "source" / "var", "backup", "--kb", "shop", "--out", str(file))
    counts = {"articles": 3, "versions": 8, "user_words": 2, "synonym_groups": 1, "api_keys": 9}
    assert json.loads(backup.stdout)["counts"] == counts

    target_dir = tmp_path / "target" / "var"
    summary = json.loads(kb(fresh_url, target_dir, "restore", str(file)).stdout)
    assert summary | {"backup_created_at": None} == {
        "kb": "shop",
        "source_kb": "shop",
        "backup_created_at": None,
        "replaced": False,
        "article_ids": "kept",
        "articles": 3,
        "versions": 8,
        "keys_created": 9,
        "index_dropped": False,
    }
    restored = kb_state(fresh_url, "shop")
    assert_same(source, restored, "shop")
    assert article_ids(fresh_url, "shop") == article_ids(database_url, "shop")  # outside links still hold
    assert all(restored["keys"][key_hash]["kbs"] == ["shop"] for key_hash in source["keys"])
    assert_served(fresh_url, tmp_path / "target", "shop", bot_token)
    with api_on(fresh_url, tmp_path / "target") as api:  # new articles get ids past the kept ones
        later = create(api, {**INVOICE, "question": "发票抬头写错了怎么办"}, kb="shop")
    assert later["id"] > max(article_ids(database_url, "shop"))


def test_restore_beside_the_original_in_the_same_database(database_url: str, tmp_path: Path) -> None:
    with api_on(database_url, tmp_path) as api:
        populate(api)
    file, data_dir = tmp_path / "shop.kbbak", tmp_path / "var"
    kb(database_url, data_dir, "backup", "--kb", "shop", "--out", str(file))
    summary = json.loads(kb(database_url, data_dir, "restore", str(file), "--kb", "shop-copy").stdout)
    # the same database already holds the keys: those limited to other KBs gain the copy
    assert (summary["keys_unchanged"], summary["keys_extended"]) == (5, 4)
    assert summary["article_ids"] == "renumbered"  # the originals still use theirs
    assert set(article_ids(database_url, "shop")).isdisjoint(article_ids(database_url, "shop-copy"))
    assert_same(kb_state(database_url, "shop"), kb_state(database_url, "shop-copy"), "shop-copy")
    bare = json.loads(kb(database_url, data_dir, "restore", str(file), "--kb", "bare", "--no-keys").stdout)
    assert (bare["articles"], [k for k in bare if k.startswith("keys")]) == (3, [])
    assert kb_state(database_url, "bare")["keys"] == {
        key_hash: key
        for key_hash, key in kb_state(database_url, "shop")["keys"].items()
        if key["kbs"] is None
    }


@pytest.mark.postgres
@pytest.mark.parametrize("direction", ["sqlite->postgres", "postgres->sqlite"])
def test_across_databases(direction: str, postgres_url: str, tmp_path: Path) -> None:
    sqlite_url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    source_url, target_url = (sqlite_url, postgres_url) if direction[0] == "s" else (postgres_url, sqlite_url)
    with api_on(source_url, tmp_path / "source") as api:
        bot_token = populate(api)
    file = tmp_path / "shop.kbbak"
    kb_process(source_url, tmp_path / "source" / "var", "backup", "--kb", "shop", "--out", str(file))
    summary = kb_process(target_url, tmp_path / "target" / "var", "restore", str(file), "--kb", "moved")
    assert (summary["kb"], summary["articles"], summary["keys_created"]) == ("moved", 3, 9)
    assert_same(kb_state(source_url, "shop"), kb_state(target_url, "moved"), "moved")
    assert_served(target_url, tmp_path / "target", "moved", bot_token)


def _repacked(file: Path, target: Path, edit: Any, fix_checksum: bool = True) -> Path:
    header, *lines = gzip.decompress(file.read_bytes()).splitlines(keepends=True)
    lines = edit(lines)
    meta = json.loads(header)
    if fix_checksum:
        meta["body_sha256"] = hashlib.sha256(b"".join(lines)).hexdigest()
    target.write_bytes(gzip.compress(json.dumps(meta).encode() + b"\n" + b"".join(lines)))
    return target


def _duplicate_external_id(lines: list[bytes]) -> list[bytes]:
    records = [json.loads(line) for line in lines]
    records[2]["external_id"] = records[1]["external_id"]  # passes the checks, fails the unique constraint
    return [json.dumps(r, ensure_ascii=False).encode() + b"\n" for r in records]


def test_damaged_files_are_refused_and_nothing_is_written(tmp_path: Path) -> None:
    url, data_dir = f"sqlite:///{tmp_path / 'kb.sqlite3'}", tmp_path / "var"
    with api_on(url, tmp_path) as api:
        populate(api)
    file = tmp_path / "shop.kbbak"
    kb(url, data_dir, "backup", "--kb", "shop", "--out", str(file))
    data = file.read_bytes()
    (truncated := tmp_path / "truncated.kbbak").write_bytes(data[: len(data) // 2])
    (flipped := tmp_path / "flipped.kbbak").write_bytes(data[:-12] + bytes([data[-12] ^ 0xFF]) + data[-11:])
    (garbage := tmp_path / "garbage.kbbak").write_bytes(b"not a backup")
    damaged = {
        truncated: "truncated or damaged",
        flipped: "not a usable kbsearch backup",  # a bad CRC, or garbled lines before the CRC is read
        garbage: "truncated or damaged",
        _repacked(file, tmp_path / "edited.kbbak", lambda ls: ls[:-1], False): "checksum mismatch",
        _repacked(file, tmp_path / "short.kbbak", lambda ls: ls[:-1]): "counts",
        _repacked(file, tmp_path / "dup.kbbak", _duplicate_external_id): "does not fit this database",
    }
    before = kb_state(url, "shop")
    for bad, reason in damaged.items():
        for args in (("--kb", "other"), ("--replace",)):
            result = kb(url, data_dir, "restore", str(bad), *args, ok=False)
            assert reason in result.stderr and "nothing was restored" in result.stderr, (bad, result.stderr)
            assert kb_state(url, "shop") == before
    engine = make_engine(url)
    with Session(engine) as session:
        assert session.exec(select(KnowledgeBase).where(KnowledgeBase.slug == "other")).first() is None
    engine.dispose()


def test_existing_slug_is_refused_without_replace_and_replaced_with_it(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'kb.sqlite3'}"
    with api_on(url, tmp_path) as api:
        bot_token = populate(api)
    data_dir, file = tmp_path / "var", tmp_path / "shop.kbbak"
    kb(url, data_dir, "backup", "--kb", "shop", "--out", str(file))
    backed_up, backed_up_ids = kb_state(url, "shop"), article_ids(url, "shop")
    later = {
        "type": "faq",
        "question": "退货运费谁承担",
        "answer": "质量问题由商家承担。",
        "status": "published",
    }
    with api_on(url, tmp_path) as api:  # changes after the backup, and a snapshot of them on disk
        create(api, later, kb="shop")
        api.client.put(
            "/v1/kbs/shop/dictionary", json={"user_words": [], "synonyms": []}, headers=api.headers()
        )
    changed = kb_state(url, "shop")

    refused = kb(url, data_dir, "restore", str(file), ok=False)
    assert "'shop' already exists" in refused.stderr and "--replace" in refused.stderr
    assert kb_state(url, "shop") == changed

    summary = json.loads(kb(url, data_dir, "restore", str(file), "--replace").stdout)
    assert summary["index_dropped"] is True  # the old snapshot held the later article
    assert (summary["replaced"], summary["article_ids"]) == (True, "kept")
    assert_same(backed_up, kb_state(url, "shop"), "shop")
    assert article_ids(url, "shop") == backed_up_ids  # the KB's query log and feedback still match
    assert_served(url, tmp_path, "shop", bot_token, absent=(later["question"],))
