"""The processes a load test runs beside wrk: the `kb serve` under test and an editor publishing."""

from __future__ import annotations

import os
import random
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import numpy as np

KB = Path(sys.executable).with_name("kb")
ENV = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1", "KB_WAIT_FOR_INDEX": "true"}


class Server:
    def __init__(self, data_dir: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        self.log = (data_dir / "serve.log").open("ab")
        self.proc = subprocess.Popen(
            [str(KB), "serve", "--port", str(port), "--data-dir", str(data_dir)],
            env={**ENV, "KB_LOG_LEVEL": "warning"},
            stdout=self.log,
            stderr=self.log,
        )
        deadline = time.monotonic() + 900
        while time.monotonic() < deadline:
            try:
                if httpx.get(f"{self.base}/readyz", timeout=5).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            if self.proc.poll() is not None:
                raise RuntimeError("kb serve exited; see serve.log")
            time.sleep(1)
        raise RuntimeError("kb serve did not become ready in 15 minutes")

    def rss_mb(self) -> float:
        return _rss_mb(self.proc.pid)

    def children_rss_mb(self) -> float:
        """RSS of the server's descendants: a build process and its embedding workers, while they run."""
        parents: dict[int, int] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # the process ended meanwhile
            parents[int(stat.parent.name)] = int(fields[1])
        mine, found = {self.proc.pid}, True
        while found:
            found = False
            for pid, ppid in parents.items():
                if ppid in mine and pid not in mine:
                    mine.add(pid)
                    found = True
        return sum(_rss_mb(pid) for pid in mine - {self.proc.pid})

    def cache_counts(self) -> dict[str, float]:
        """The result cache's hit / miss / revalidated counters from /metrics."""
        text = httpx.get(f"{self.base}/metrics", timeout=10).text
        names = {f"kb_result_cache_{n}_total": n for n in ("hits", "misses", "revalidated")}
        return {
            names[line.split()[0]]: float(line.split()[1])
            for line in text.splitlines()
            if line.split(" ", 1)[0] in names
        }

    def stop(self) -> float:
        """SIGTERM, and how many seconds the graceful shutdown took."""
        started = time.monotonic()
        self.proc.terminate()
        try:
            self.proc.wait(600)
        except subprocess.TimeoutExpired:
            self.proc.kill()
        self.log.close()
        return time.monotonic() - started


def _rss_mb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass  # the process ended meanwhile
    return 0.0


class Publisher(threading.Thread):
    """An editor creating a new published FAQ or editing one it made, once a second."""

    def __init__(self, base: str, key: str) -> None:
        super().__init__(daemon=True)
        self.client = httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30)
        self.stopping = threading.Event()
        self.done, self.errors = 0, 0
        self.latencies: list[float] = []
        self.mine: list[int] = []
        self.run_id = time.strftime("%H%M%S")  # questions must be new in every scenario (duplicates get 409)

    def _once(self, n: int) -> httpx.Response:
        url = "/v1/kbs/default/articles"
        if self.mine and n % 2:
            article_id = random.choice(self.mine)
            version = self.client.get(f"{url}/{article_id}").json()["version"]
            body = {"version": version, "answer": f"第{n}次修改：请重启设备后再试，仍不行请联系售后。"}
            return self.client.put(f"{url}/{article_id}", json=body)
        mark = f"{self.run_id}-{n}"
        body = {
            "type": "faq",
            "question": f"压测新问题{mark}号路由器指示灯一直闪烁怎么办",
            "similar_questions": [
                f"压测{self.run_id}-{n}号路由器灯一直闪",
                f"路由器{self.run_id}-{n}号指示灯闪烁不停",
            ],
            "answer": "请先断电重启路由器，检查网线是否插紧；仍然闪烁请恢复出厂设置。",
            "category": "repair",
            "status": "published",
        }
        r = self.client.post(url, json=body)
        if r.status_code == 201:
            self.mine.append(r.json()["id"])
        return r

    def run(self) -> None:
        n = 0
        while not self.stopping.wait(max(0.0, 1.0 - (self.latencies[-1] / 1000 if self.latencies else 0))):
            n += 1
            started = time.perf_counter()
            try:
                ok = self._once(n).status_code in (200, 201)
            except httpx.HTTPError:
                ok = False
            self.latencies.append((time.perf_counter() - started) * 1000)
            self.done += 1
            self.errors += 0 if ok else 1

    def stop(self) -> dict[str, Any]:
        self.stopping.set()
        self.join(30)
        lat = np.asarray(self.latencies or [0.0])
        return {
            "publishes": self.done,
            "errors": self.errors,
            "p50_ms": round(float(np.median(lat)), 1),
            "p95_ms": round(float(np.percentile(lat, 95)), 1),
        }
