"""Request mixes for the load test: which endpoint, which key, which question."""

from __future__ import annotations

import json
import random
from typing import Any

import numpy as np

KB_PATH = "/v1/kbs/default"
# endpoint shares, and whether questions are all unique (else 80 % repeat, Zipf over the popular FAQs)
MIXES: dict[str, tuple[dict[str, float], bool]] = {
    "unique": ({"answer": 0.4, "suggest": 0.3, "search": 0.3}, True),
    "bot": ({"answer": 0.7, "suggest": 0.15, "search": 0.15}, False),
}
REPEAT_SHARE = 0.8
POPULAR_FAQS = 400  # the FAQs customers keep asking; their wordings are the repeated questions
CHANNELS = ("web", "app", "wechat", "phone")


def popular_questions(queries: dict[str, Any]) -> list[str]:
    """Every wording of the popular FAQs, the most asked first."""
    return [w for title, similar in queries["faq"][:POPULAR_FAQS] for w in (title, *similar)]


def _questions(
    queries: dict[str, Any], unique: bool, count: int, rng: random.Random, start: int
) -> tuple[list[str], int]:
    """`count` questions and how many unique ones they took from `queries["unique"][start:]` (each
    scenario takes its own slice, so no run finds another run's questions in the caches). In the
    repeated mix, 80 % are popular questions (Zipf over their ranks; the run warms the service with
    them first, as a day of traffic would) and 20 % are new."""
    pool, popular = queries["unique"], popular_questions(queries)
    ranks = np.random.default_rng(start).zipf(1.1, size=count).tolist()
    out, used = [], 0
    for rank in ranks:
        if not unique and rng.random() < REPEAT_SHARE:
            out.append(popular[(rank - 1) % len(popular)])
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


def warm_lines(lines: list[str], queries: dict[str, Any]) -> list[str]:
    """One line per endpoint and popular question that `lines` ask (the channel does not matter)."""
    popular = set(popular_questions(queries))
    out: dict[tuple[str, str], str] = {}
    for line in lines:
        _, path, _, body = line.split("\t", 3)
        data = json.loads(body)
        question = data.get("query") or data["conversation"][-1]["text"].removeprefix("你好，")
        if question in popular:
            out.setdefault((path, question), line)
    return list(out.values())
