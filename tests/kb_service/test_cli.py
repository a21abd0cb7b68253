"""The `kb` console entry point, run for real in a subprocess against a throwaway data dir."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient

REPO = Path(__file__).resolve().parents[2]
HEADER = ["编号", "标准问题", "相似问题", "答案", "分类", "标签"]
ROWS = [
    [
        "faq-boot",
        "电脑开不了机怎么办",
        "笔记本无法开机|按电源键没反应",
        "先充电30分钟，再长按电源键10秒。",
        "repair",
        "开机",
    ],
    [
        "faq-invoice",
        "如何申请电子发票",
        "发票怎么开\n电子发票在哪里下载",
        "在订单详情页申请。",
        "billing",
        "发票",
    ],
]


def kb(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env["KB_LOAD_SAMPLE_DATA"] = "false"
    return subprocess.run(
        [sys.executable, "-m", "kb_service.cli", *args, "--data-dir", str(data_dir)],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO(newline="")
    csv.writer(buffer).writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


@contextmanager
def served(data_dir: Path) -> Iterator[TestClient]:
    """The HTTP app on the data dir the commands used."""
    from kb_service.app import create_app
    from kb_service.settings import Settings

    settings = Settings(
        data_dir=data_dir,
        database_url=f"sqlite:///{data_dir / 'kb.sqlite3'}",
        load_sample_data=False,
    )
    with TestClient(create_app(settings)) as client:
        yield client


def questions(client: TestClient, key: str) -> list[str]:
    r = client.get("/v1/kbs/default/articles", headers={"Authorization": f"Bearer {key}"})
    assert r.status_code == 200, r.text
    return sorted(a["question"] for a in r.json()["items"])


def test_keys_create_prints_only_a_key_that_authenticates(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    run = kb(data_dir, "keys", "create", "--role", "agent", "--name", "sidebar")
    assert run.returncode == 0, run.stderr
    key = run.stdout.strip()
    assert "\n" not in key and key.startswith("kb_"), run.stdout  # scripts capture stdout
    assert "admin" in run.stderr  # the first start's admin key goes to stderr, not into the output

    bad = kb(data_dir, "keys", "create", "--role", "boss")
    assert bad.returncode == 2 and "--role" in bad.stderr and "Traceback" not in bad.stderr
    unknown = kb(data_dir, "keys", "create", "--role", "bot", "--kb", "nowhere")
    assert unknown.returncode == 1 and "nowhere" in unknown.stderr and "Traceback" not in unknown.stderr

    with served(data_dir) as client:
        agent = {"Authorization": f"Bearer {key}"}
        assert client.get("/v1/kbs/default/articles", headers=agent).status_code == 200
        r = client.post("/v1/kbs/default/imports", files={"file": ("a.csv", b"q,a\n")}, headers=agent)
        assert r.status_code == 403 and r.json()["error"]["code"] == "forbidden"
        r = client.get("/v1/kbs/default/articles", headers={"Authorization": f"Bearer {key}x"})
        assert r.status_code == 401


def test_import_bad_file_and_export_round_trip(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    good = write_csv(tmp_path / "faqs.csv", [HEADER, *ROWS])
    run = kb(data_dir, "import", str(good), "--kb", "default", "--publish")
    assert run.returncode == 0, run.stderr
    result = json.loads(run.stdout)
    assert {k: result[k] for k in ("created", "updated", "unchanged", "errors")} == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": [],
    }

    bad_rows = [HEADER, [*ROWS[0][:3], "新答案", *ROWS[0][4:]], ["", "", "", "没有问题", "repair", ""]]
    bad_rows.append(["faq-x", "分类不对", "", "答案", "marketing", ""])
    bad = write_csv(tmp_path / "bad.csv", bad_rows)
    run = kb(data_dir, "import", str(bad), "--kb", "default")
    assert run.returncode == 1, run.stdout + run.stderr
    assert "Traceback" not in run.stderr
    report: dict[str, Any] = json.loads(run.stdout)
    assert "nothing was written" in report["error"]
    assert {(d["file"], d["row"], d["field"]) for d in report["details"]} == {
        ("bad.csv", 3, "question"),
        ("bad.csv", 4, "category"),
    }

    out = tmp_path / "out.jsonl"
    run = kb(data_dir, "export", "--kb", "default", "--format", "jsonl", "-o", str(out))
    assert run.returncode == 0, run.stderr
    exported = [json.loads(line) for line in out.read_text("utf-8").splitlines()]
    assert [(a["external_id"], a["status"], a["answer"]) for a in exported] == [
        ("faq-boot", "published", ROWS[0][3]),  # the rejected file changed nothing
        ("faq-invoice", "published", ROWS[1][3]),
    ]
    run = kb(data_dir, "import", str(out), "--kb", "default")
    assert run.returncode == 0, run.stderr
    assert json.loads(run.stdout)["unchanged"] == 2

    with served(data_dir) as client:
        agent = client.post(
            "/v1/keys",
            json={"role": "agent"},
            headers={"Authorization": f"Bearer {(data_dir / 'admin.key').read_text().strip()}"},
        ).json()["key"]
        assert questions(client, agent) == ["如何申请电子发票", "电脑开不了机怎么办"]


def test_unknown_kb_and_bad_arguments_fail_without_a_traceback(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    good = write_csv(tmp_path / "faqs.csv", [HEADER, *ROWS])
    run = kb(data_dir, "import", str(good), "--kb", "nowhere")
    assert run.returncode == 1 and "'nowhere' not found" in run.stdout and "Traceback" not in run.stderr
    run = kb(data_dir, "export", "--format", "pdf")
    assert run.returncode == 2 and "--format" in run.stderr and run.stdout == ""
    run = kb(data_dir, "import", str(tmp_path / "missing.csv"))
    assert run.returncode == 2 and "does not exist" in run.stderr and "Traceback" not in run.stderr


def test_index_build_writes_a_snapshot_with_vectors(tmp_path: Path) -> None:
    data_dir = tmp_path / "var"
    source = write_csv(tmp_path / "faq.csv", [HEADER, *ROWS])
    assert kb(data_dir, "import", str(source), "--kb", "default", "--publish").returncode == 0
    done = kb(data_dir, "index", "build", "--kb", "default")
    assert done.returncode == 0, done.stderr
    summary = json.loads(done.stdout.strip().splitlines()[-1])
    assert summary["state"] == "ready" and summary["articles"] == 2 and summary["dense"] is True
    assert (data_dir / "index" / "default" / summary["snapshot"] / "manifest.json").exists()
    assert "chunk" in done.stderr  # the progress bar
