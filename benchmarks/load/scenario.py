"""Request mixes for the load test: which endpoint, which key, which question."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np

KB_PATH = "/v1/kbs/default"
# endpoint shares, and whether questions are all unique (else 80 % repeat, Zipf over the FAQs)
MIXES: dict[str, tuple[dict[str, float], bool]] = {
    "unique": ({"answer": 0.4, "suggest": 0.3, "search": 0.3}, True),
    "bot": ({"answer": 0.7, "suggest": 0.15, "search": 0.15}, False),
}
REPEAT_SHARE = 0.8
CHANNELS = ("web", "app", "wechat", "phone")


def _questions(
    queries: dict[str, Any], unique: bool, count: int, rng: random.Random, start: int
) -> tuple[list[str], int]:
    """`count` questions and how many unique ones they took from `queries["unique"][start:]` (each
    scenario takes its own slice, so no run finds another run's questions in the caches)."""
    pool = queries["unique"]
    faqs = queries["faq"]
    ranks = np.random.default_rng(start).zipf(1.1, size=count).tolist()
    out, used = [], 0
    for rank in ranks:
        if not unique and rng.random() < REPEAT_SHARE:
            title, similar = faqs[(rank - 1) % len(faqs)]
            out.append(rng.choice([title, *similar]))  # a popular FAQ, asked in one of its known wordings
        else:
            out.append(pool[(start + used) % len(pool)])
            used += 1
    return out, used


def request_lines(
    queries: dict[str, Any],
    keys: dict[str, Any],
    mix: dict[str, float],
    unique: bool,
    count: int,
    start: int,
) -> tuple[list[str], int]:
    """`count` lines `METHOD \\t PATH \\t KEY \\t BODY` for mix.lua, and the unique questions used."""
    rng = random.Random(start)
    endpoints, weights = zip(*mix.items(), strict=True)
    lines = []
    questions, used = _questions(queries, unique, count, rng, start)
    for i, question in enumerate(questions):
        endpoint = rng.choices(endpoints, weights)[0]
        agent_key = keys["agents"][i % len(keys["agents"])]
        if endpoint == "answer":
            body: dict[str, Any] = {"query": question, "channel": rng.choice(CHANNELS)}
            key = keys["bot"]
        elif endpoint == "suggest":
            body = {"conversation": [{"role": "customer", "text": f"你好，{question}"}], "top_k": 5}
            key = agent_key
        else:
            body = {"query": question, "top_k": 10}
            key = agent_key
        lines.append(f"POST\t{KB_PATH}/{endpoint}\t{key}\t{json.dumps(body, ensure_ascii=False)}")
    return lines, used
