"""Helpers of the fault tests: generated articles, `kb` processes killed by process group, a tiny tmpfs."""

from __future__ import annotations

import json
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]
KNOWN = {
    "type": "faq",
    "external_id": "known",
    "question": "星环X9平板充不进电怎么办",
    "similar_questions": ["星环X9充电没反应"],
    "answer": "请换用原装充电器并清理充电口，仍不行请联系售后。",
    "category": "repair",
    "status": "published",
}
TOPICS = [
    "路由器指示灯闪红灯",
    "打印机卡纸",
    "蓝牙鼠标断连",
    "投影仪无信号",
    "扫地机器人不回充",
    "智能门锁没电",
]


def guides(n: int) -> list[dict[str, Any]]:
    """`n` published guides repeating a few texts: many chunks to write, few distinct texts to embed."""
    return [
        {
            "type": "guide",
            "external_id": f"guide-{i}",
            "title": f"{TOPICS[i % len(TOPICS)]}的处理方法",
            "body": f"## 排查步骤\n1. 重启{TOPICS[i % len(TOPICS)]}的设备。\n2. 检查电源与连接线。",
            "tags": [f"批次{i % 40}"],
            "status": "published",
        }
        for i in range(n)
    ]


def faqs(n: int) -> list[dict[str, Any]]:
    """`n` published FAQs, each with its own question and answer (texts the encoder has not seen)."""
    return [
        {
            "type": "faq",
            "external_id": f"faq-{i}",
            "question": f"型号KX{i:04d}的设备报错E{i:03d}怎么办",
            "answer": f"错误码E{i:03d}表示{i % 7}号传感器异常，请断电重启后再试。",
            "status": "published",
        }
        for i in range(n)
    ]


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


def kb_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("KB_")}
    env.update(KB_LOAD_SAMPLE_DATA="false", OMP_NUM_THREADS="1", KB_LOG_FORMAT="text")
    return env


def kb(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Run the `kb` command to its end."""
    return subprocess.run(
        [sys.executable, "-m", "kb_service.cli", *args, "--data-dir", str(data_dir)],
        cwd=REPO,
        env=kb_env(),
        capture_output=True,
        text=True,
        timeout=300,
    )


def _group_members(pgid: int) -> list[int]:
    """Live (non-zombie) processes in a process group, from /proc."""
    members = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[2]) == pgid and fields[0] != "Z":
            members.append(int(entry.name))
    return members


@contextmanager
def kb_process(data_dir: Path, *args: str) -> Iterator[tuple[subprocess.Popen[str], list[str]]]:
    """Start `kb` in its own process group; yields it and its stderr so far (read by a thread).
    On exit every process of the group (encoder workers included) is SIGKILLed and reaped."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "kb_service.cli", *args, "--data-dir", str(data_dir)],
        cwd=REPO,
        env=kb_env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    err: list[str] = []
    assert proc.stderr is not None
    stream = proc.stderr
    reader = threading.Thread(target=lambda: err.extend(iter(lambda: stream.read(1), "")), daemon=True)
    reader.start()
    try:
        yield proc, err
    finally:
        if proc.poll() is None or _group_members(proc.pid):
            with suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        reader.join(timeout=5)


def sigkill(proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    """SIGKILL the process alone (as `kill -9` or the OOM killer would), then wait until everything it
    started (encoder worker processes) has exited on its own: nothing may outlive it for long."""
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=timeout)
    deadline = time.monotonic() + timeout
    while _group_members(proc.pid):
        assert time.monotonic() < deadline, f"processes outlived the killed build: {_group_members(proc.pid)}"
        time.sleep(0.05)


def wait_for(condition: Callable[[], bool], proc: subprocess.Popen[str], what: str, timeout: float) -> None:
    """Poll `condition` every 2 ms while `proc` runs; fail if it ends or `timeout` passes first."""
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, f"the build ended (exit {proc.returncode}) before {what}"
        assert time.monotonic() < deadline, f"no {what} after {timeout} s"
        time.sleep(0.002)


def embedded_so_far(stderr: list[str]) -> int:
    """The largest count of embedded chunks in the tqdm progress output."""
    counts = re.findall(r"(\d+)chunk", "".join(stderr))
    return max((int(c) for c in counts), default=0)


@contextmanager
def tiny_tmpfs(folder: Path, size: str) -> Iterator[Path]:
    """A size-limited tmpfs mounted on `folder` (root with CAP_SYS_ADMIN only, else the test skips)."""
    folder.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("mounting a size-limited tmpfs needs root (the disk-full test runs as root in CI)")
    mounted = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", f"size={size}", "tmpfs", str(folder)], capture_output=True, text=True
    )
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here (needs CAP_SYS_ADMIN): {mounted.stderr.strip()}")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=False)


def fill_up(folder: Path, leave: int) -> Path:
    """Write a filler file until the filesystem is full, then free `leave` bytes of it."""
    filler = folder / "filler.bin"
    block = b"\0" * 65536
    with open(filler, "wb", buffering=0) as fh:
        try:
            while True:
                fh.write(block)
        except OSError:  # ENOSPC
            pass
    size = filler.stat().st_size
    os.truncate(filler, max(0, size - leave))
    return filler
