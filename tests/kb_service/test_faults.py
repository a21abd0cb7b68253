"""Faults done for real: a build process killed mid-way, a disk that fills up while a snapshot is
written, and two editors saving the same article at the same moment against a live server."""

from __future__ import annotations

import subprocess
import sys
import threading
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi.testclient import TestClient

from indexer.snapshot import BUILD_LOCK, SnapshotError, SnapshotStore
from kb_service.app import create_app
from kb_service.settings import Settings
from tests.conftest import Api, make_api
from tests.kb_service.fault_helpers import (
    KNOWN,
    embedded_so_far,
    faqs,
    fill_up,
    guides,
    kb,
    kb_process,
    sigkill,
    tiny_tmpfs,
    wait_for,
    write_jsonl,
)
from tests.kb_service.live_server import live_server


def served(data_dir: Path) -> TestClient:
    settings = Settings(data_dir=data_dir, load_sample_data=False, wait_for_index=True)
    return TestClient(create_app(settings))


def search(api: Api, query: str, mode: str = "hybrid") -> dict[str, Any]:
    r = api.client.post(
        "/v1/kbs/default/search", json={"query": query, "mode": mode}, headers=api.headers("agent")
    )
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def snapshots(root: Path) -> tuple[str, list[str], list[str]]:
    """CURRENT, the snapshot folders and the `.tmp-*` build folders of a KB's index."""
    folders = sorted(p.name for p in root.iterdir() if p.is_dir())
    current = (root / "CURRENT").read_text().strip()
    return current, [f for f in folders if not f.startswith(".")], [f for f in folders if f.startswith(".")]


# ---- a full build killed mid-way -----------------------------------------------------------------


def test_build_killed_while_embedding_or_writing_leaves_the_published_snapshot(tmp_path: Path) -> None:
    data = tmp_path / "var"
    root = data / "index" / "default"
    imported = kb(data, "import", str(write_jsonl(tmp_path / "a.jsonl", [KNOWN, *guides(2000)])))
    assert imported.returncode == 0, imported.stderr
    built = kb(data, "index", "build", "--kb", "default")
    assert built.returncode == 0, built.stderr
    published, _, _ = snapshots(root)
    assert kb(data, "import", str(write_jsonl(tmp_path / "b.jsonl", faqs(260)))).returncode == 0

    # SIGKILLed while embedding the new FAQs (tqdm reports chunks done; 260 answers are enough for the
    # encoder's worker processes, which must then exit on their own), then while writing the snapshot
    with kb_process(data, "index", "build", "--kb", "default") as (proc, stderr):
        wait_for(lambda: embedded_so_far(stderr) > 0, proc, "embedding progress", timeout=120)
        sigkill(proc)
    assert snapshots(root)[0] == published
    with kb_process(data, "index", "build", "--kb", "default") as (proc, _):
        wait_for(lambda: bool(list(root.glob(".tmp-*/*"))), proc, "a snapshot being written", timeout=180)
        sigkill(proc)
    current, folders, leftovers = snapshots(root)
    assert current == published and folders == [published] and leftovers  # half-written, not published

    with served(data) as client:  # restart: the previous snapshot serves, the leftover is ignored
        api = make_api(client, data)
        info = client.get("/v1/kbs/default/index", headers=api.headers("editor")).json()
        assert info["snapshot"] == published and info["state"] == "ready"
        assert search(api, "X9平板充不进电")["results"][0]["title"] == KNOWN["question"]
        assert search(api, "KX0042报错E042", "bm25")["results"][0]["title"].startswith("型号KX0042")

        r = client.post("/v1/kbs/default/index/rebuild", headers=api.headers("editor"))
        assert r.status_code == 202, r.text
        client.app.state.index.wait(timeout=300)  # type: ignore[attr-defined]
        current, folders, leftovers = snapshots(root)
        assert current != published and folders == sorted([published, current]) and leftovers == []
        assert search(api, "KX0042报错E042", "dense")["results"][0]["title"].startswith("型号KX0042")
        assert search(api, "X9平板充不进电")["results"][0]["title"] == KNOWN["question"]


def test_a_build_in_progress_in_another_process_is_not_taken_for_a_leftover(tmp_path: Path) -> None:
    store, building = SnapshotStore(tmp_path), tmp_path / ".tmp-20260101T000000-feedbeef"
    building.mkdir()
    holder = "import fcntl, os, sys, time; fd = os.open(sys.argv[1], os.O_CREAT | os.O_RDWR); "
    holder += "fcntl.flock(fd, fcntl.LOCK_EX); print('locked', flush=True); time.sleep(600)"
    with subprocess.Popen(
        [sys.executable, "-c", holder, str(building / BUILD_LOCK)], stdout=subprocess.PIPE, text=True
    ) as other:
        assert other.stdout is not None and other.stdout.readline() == "locked\n"
        store._prune(keep="none")
        assert building.exists()  # its builder is alive
        other.kill()
    store._prune(keep="none")
    assert not building.exists()  # its builder died: a leftover


# ---- the disk fills up while a snapshot is written ------------------------------------------------


def index_status(api: Api) -> dict[str, Any]:
    r = api.client.get("/v1/kbs/default/index", headers=api.headers("editor"))
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def rebuild(api: Api) -> dict[str, Any]:
    r = api.client.post("/v1/kbs/default/index/rebuild", headers=api.headers("editor"))
    assert r.status_code == 202, r.text
    api.client.app.state.index.wait(timeout=300)  # type: ignore[attr-defined]
    return index_status(api)


def test_disk_full_while_writing_a_snapshot_keeps_the_previous_one(tmp_path: Path) -> None:
    data = tmp_path / "var"
    assert kb(data, "import", str(write_jsonl(tmp_path / "a.jsonl", [KNOWN, *guides(300)]))).returncode == 0
    with tiny_tmpfs(data / "index", "4m") as disk:
        root = disk / "default"
        with served(data) as client:
            api = make_api(client, data)
            published = index_status(api)["snapshot"]
            before = snapshots(root)
            filler = fill_up(disk, leave=64 * 1024)
            failed = rebuild(api)
            assert failed["state"] == "ready" and failed["snapshot"] == published
            assert failed["last_error"].startswith("build failed: cannot write snapshot")
            assert "KB free on that disk" in failed["last_error"]
            assert snapshots(root) == before  # nothing half-written published or left behind
            assert search(api, "X9平板充不进电")["results"][0]["title"] == KNOWN["question"]

        with served(data) as client:  # a restart on the full disk loads the previous snapshot intact
            api = make_api(client, data)
            assert index_status(api)["snapshot"] == published
            assert search(api, "X9平板充不进电")["results"][0]["title"] == KNOWN["question"]
            created = client.post(  # publishing still works: the live index is in memory
                "/v1/kbs/default/articles", json=faqs(1)[0], headers=api.headers("editor")
            )
            assert created.status_code == 201, created.text
            assert search(api, "KX0000报错E000", "bm25")["results"][0]["article_id"] == created.json()["id"]

            filler.unlink()
            done = rebuild(api)
            assert done["snapshot"] != published and done["last_error"] is None
            assert snapshots(root)[0] == done["snapshot"] and snapshots(root)[2] == []


def test_a_snapshot_that_fails_its_read_back_is_reported_and_not_published(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with served(tmp_path / "var") as client:
        api = make_api(client, tmp_path / "var")
        published, root = index_status(api)["snapshot"], tmp_path / "var" / "index" / "default"
        before = snapshots(root)
        original = SnapshotStore._load_folder

        def unreadable(self: SnapshotStore, folder: Path, identity: dict[str, Any]) -> Any:
            if folder.name.startswith(".tmp-"):  # e.g. a FAISS file the library cannot read back
                raise SnapshotError(f"snapshot {folder.name}: dense.faiss cannot be loaded")
            return original(self, folder, identity)

        monkeypatch.setattr(SnapshotStore, "_load_folder", unreadable)
        failed = rebuild(api)  # was swallowed: no log, no last_error
        assert failed["snapshot"] == published and failed["state"] == "ready"
        assert "dense.faiss cannot be loaded" in failed["last_error"]
        assert snapshots(root) == before  # nothing published, nothing left behind


# ---- two editors, one article ------------------------------------------------------------------

EDITED = {
    "type": "faq",
    "question": "耳机只有一边有声音怎么办",
    "similar_questions": ["蓝牙耳机单边没声音"],
    "answer": "请把两只耳机放回充电盒重新配对。",
    "category": "repair",
    "status": "published",
}
ROUNDS = 6


def _race(base: str, url: str, keys: list[str], version: int, round_no: int) -> list[httpx.Response]:
    """Both editors PUT an edit of `version` at the same instant; returns their responses in key order."""
    barrier = threading.Barrier(len(keys))
    responses: list[Any] = [None] * len(keys)

    def save(i: int) -> None:
        with httpx.Client(base_url=base, timeout=60) as client:
            body = {"version": version, "answer": f"第{round_no}轮：编辑{i}的答案"}
            headers = {"Authorization": f"Bearer {keys[i]}"}
            barrier.wait()
            responses[i] = client.put(url, json=body, headers=headers)

    threads = [threading.Thread(target=save, args=(i,)) for i in range(len(keys))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return responses


def test_two_editors_save_the_same_version_one_wins_one_gets_409(database_url: str, tmp_path: Path) -> None:
    settings = Settings(
        data_dir=tmp_path / "var", database_url=database_url, load_sample_data=False, wait_for_index=True
    )
    with live_server(create_app(settings)) as base, httpx.Client(base_url=base, timeout=60) as client:
        admin = {"Authorization": f"Bearer {(tmp_path / 'var' / 'admin.key').read_text().strip()}"}
        editors = []
        for name in ("editor-a", "editor-b"):
            r = client.post("/v1/keys", json={"role": "editor", "name": name}, headers=admin)
            assert r.status_code == 201, r.text
            editors.append(r.json()["key"])
        created = client.post("/v1/kbs/default/articles", json=EDITED, headers=admin)
        assert created.status_code == 201, created.text
        url = f"/v1/kbs/default/articles/{created.json()['id']}"
        for round_no in range(ROUNDS):
            version = client.get(url, headers=admin).json()["version"]
            responses = _race(base, url, editors, version, round_no)
            codes = sorted(r.status_code for r in responses)
            assert codes == [200, 409], [r.text for r in responses]
            winner = next(r.json() for r in responses if r.status_code == 200)
            loser = next(r.json() for r in responses if r.status_code == 409)
            assert loser["error"]["code"] == "conflict"
            assert f"version {version}" in loser["error"]["message"]
            assert "reload" in loser["error"]["message"]
            stored = client.get(url, headers=admin).json()
            assert stored["version"] == version + 1 == winner["version"]
            assert stored["answer"] == winner["answer"]  # the winner's edit, nothing lost or mixed
        history = client.get(url + "/versions", headers=admin).json()["items"]
        assert [v["version"] for v in history] == list(range(ROUNDS + 1, 0, -1))
        found = client.post(
            "/v1/kbs/default/search",
            json={"query": "耳机只有一边有声音", "top_k": 1},
            headers=admin,
        ).json()["results"]
        assert found[0]["snippet"] and stored["answer"].startswith(f"第{ROUNDS - 1}轮")
