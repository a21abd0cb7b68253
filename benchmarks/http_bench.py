"""Search latency over HTTP from one client against a live `kb serve` on the sample KB.

Starts `kb serve` on 127.0.0.1 (uvicorn with uvloop + httptools) on a data dir, waits until it is
ready, then from one keep-alive client measures: `/healthz` round trips, unique searches (the sample
KB's similar questions, each asked once), the same search repeated (the result cache), and unique
bot answers. Figures are p50 / p99 in ms and "above healthz" (p50 minus the healthz p50), the
DESIGN.md targets: search p50 ≤ 32 ms and p99 ≤ 80 ms above healthz, a repeated query ≤ 3 ms above.

    OMP_NUM_THREADS=1 python benchmarks/http_bench.py --data-dir var   # a data dir with the sample KB
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample_kb"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def questions(limit: int) -> list[str]:
    rows = [json.loads(line) for f in sorted(SAMPLE.glob("faq_*.jsonl")) for line in f.open(encoding="utf-8")]
    out = [q for r in rows for q in r.get("similar_questions", [])]
    return out[:limit]


def timed(client: httpx.Client, method: str, url: str, **kwargs: object) -> float:
    started = time.perf_counter()
    r = client.request(method, url, **kwargs)  # type: ignore[arg-type]
    elapsed = (time.perf_counter() - started) * 1000
    r.raise_for_status()
    return elapsed


def stats(times: list[float]) -> dict[str, float]:
    a = np.asarray(times)
    return {"p50": round(float(np.percentile(a, 50)), 2), "p99": round(float(np.percentile(a, 99)), 2)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data-dir", type=Path, required=True)
    parser.add_argument("--queries", type=int, default=300)
    args = parser.parse_args()
    port = free_port()
    # one client measuring latency, not a limit test: the admin key is not rate limited here
    env = {
        **os.environ,
        "OMP_NUM_THREADS": "1",
        "KB_WAIT_FOR_INDEX": "true",
        "KB_RATE_LIMIT_ADMIN_PER_S": "0",
    }
    kb = Path(sys.executable).with_name("kb")
    server = subprocess.Popen(
        [str(kb), "serve", "--port", str(port), "--data-dir", str(args.data_dir)],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    base = f"http://127.0.0.1:{port}"
    key = (args.data_dir / "admin.key").read_text().strip()
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {key}"}, timeout=30) as client:
            for _ in range(600):
                try:
                    if client.get("/readyz").status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                time.sleep(0.5)
            for _ in range(50):  # warm up connections, caches and code paths
                timed(client, "GET", "/healthz")
                timed(client, "POST", "/v1/kbs/default/search", json={"query": "warm up 预热", "top_k": 10})
            health = [timed(client, "GET", "/healthz") for _ in range(500)]
            texts = questions(args.queries)
            search = [
                timed(client, "POST", "/v1/kbs/default/search", json={"query": q, "top_k": 10}) for q in texts
            ]
            repeat = [
                timed(client, "POST", "/v1/kbs/default/search", json={"query": texts[0], "top_k": 10})
                for _ in range(300)
            ]
            answer = [
                timed(client, "POST", "/v1/kbs/default/answer", json={"query": q + "？", "channel": "web"})
                for q in texts[: args.queries // 2]
            ]
    finally:
        server.terminate()
        server.wait(timeout=30)
    h = stats(health)
    result = {"healthz": h, "queries": len(texts)}
    for name, times in (("search_unique", search), ("search_repeated", repeat), ("answer_unique", answer)):
        s = stats(times)
        result[name] = {**s, "p50_above_healthz": round(s["p50"] - h["p50"], 2),
                        "p99_above_healthz": round(s["p99"] - h["p50"], 2)}  # fmt: skip
    for name in ("healthz", "search_unique", "search_repeated", "answer_unique"):
        print(f"{name:16} {result[name]}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
