"""data/eval: every labelled message is well formed, and the messages mode of answer_eval.py runs.

The quality of the answers is measured by hand (docs/benchmarks.md); here a fixed subset (every 10th
message) goes through the real runner against a copy of the sample KB, and the result object and the
dump are checked for shape and counts.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
EVAL_DIR = ROOT / "data" / "eval"
sys.path.insert(0, str(ROOT / "benchmarks"))
import message_eval  # noqa: E402

MESSAGE_KEYS = {"id", "text", "conversation", "expected", "kind", "note"}
TOP_KEYS = {
    "messages", "right", "wrong", "confirm_right", "chitchat_ok", "offtopic_answered", "handoff_ok",
    "suggest_top1", "suggest_empty_for_chitchat", "kinds",
}  # fmt: skip
DUMP_KEYS = {
    "id", "kind", "expected", "decision", "answered", "confidence", "candidates", "message", "suggest_top",
    "suggest_count",
}  # fmt: skip


def sample_kb_ids() -> set[str]:
    ids = set()
    for path in (ROOT / "data" / "sample_kb").glob("*.jsonl"):
        ids |= {json.loads(line)["external_id"] for line in path.read_text("utf-8").splitlines() if line}
    return ids


def check_message(m: dict[str, Any], articles: set[str]) -> None:
    """One line's schema; raises AssertionError naming the message."""
    where = m.get("id")
    assert set(m) <= MESSAGE_KEYS, (where, set(m) - MESSAGE_KEYS)
    assert re.fullmatch(r"m-\d{4}", str(where)), where
    assert m["kind"] in message_eval.KINDS, where
    assert m["expected"] in articles | {"chitchat", "handoff"}, where
    assert ("text" in m) != ("conversation" in m), where
    if "text" in m:
        assert isinstance(m["text"], str) and m["text"].strip(), where
        assert m["kind"] != "multi-turn", where
    else:
        turns = m["conversation"]
        assert m["kind"] == "multi-turn" and 2 <= len(turns) <= 4, where
        assert all(set(t) == {"role", "text"} and t["role"] in ("customer", "agent") for t in turns), where
        assert all(isinstance(t["text"], str) and t["text"].strip() for t in turns), where
        assert turns[-1]["role"] == "customer", where
    if m["kind"] in message_eval.SMALL_TALK_KINDS:
        assert m["expected"] == "chitchat", where
    if m["kind"] in ("off-topic", "human"):
        assert m["expected"] == "handoff", where
    elif m["expected"] == "handoff":
        raise AssertionError(f"{where}: only off-topic and human messages expect a handoff")
    if m["kind"] == "long paste":
        assert 600 <= len(m["text"]) <= 3000, (where, len(m["text"]))
    assert isinstance(m.get("note", ""), str), where


def test_every_message_is_well_formed() -> None:
    messages = message_eval.read_messages(EVAL_DIR)
    articles = sample_kb_ids()
    for m in messages:
        check_message(m, articles)
    ids = [m["id"] for m in messages]
    assert len(ids) == len(set(ids)), [i for i, n in Counter(ids).items() if n > 1]
    assert len(messages) >= 300
    assert set(message_eval.KINDS) <= {m["kind"] for m in messages}
    small_talk = [m for m in messages if m["kind"] in message_eval.SMALL_TALK_KINDS]
    assert len(small_talk) >= 40


def test_a_bad_line_is_caught() -> None:
    articles = sample_kb_ids()
    good = {"id": "m-9999", "text": "电脑开不了机", "expected": "faq-zh-r001", "kind": "model"}
    check_message(good, articles)
    for bad in (
        {**good, "expected": "faq-zh-r999"},
        {**good, "kind": "unknown"},
        {**good, "conversation": [{"role": "customer", "text": "x"}]},
        {**good, "expected": "handoff"},
    ):
        with pytest.raises(AssertionError):
            check_message(bad, articles)


def test_messages_mode_runs_a_subset(sample_seed: Path, tmp_path: Path) -> None:
    subset = message_eval.read_messages(EVAL_DIR)[::10]
    folder = tmp_path / "eval"
    folder.mkdir()
    (folder / "subset.jsonl").write_text("".join(json.dumps(m, ensure_ascii=False) + "\n" for m in subset))
    work_dir = tmp_path / "var"
    shutil.copytree(sample_seed, work_dir)
    dump = tmp_path / "dump.jsonl"
    env = {**os.environ, "OMP_NUM_THREADS": "1", "OPENBLAS_NUM_THREADS": "1"}
    command = [sys.executable, str(ROOT / "benchmarks" / "answer_eval.py"), str(folder)]
    done = subprocess.run(
        [*command, "--work-dir", str(work_dir), "--dump", str(dump)],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=300, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert set(result) == TOP_KEYS
    assert result["messages"] == len(subset)
    kinds = Counter(m["kind"] for m in subset)
    assert {k: v["messages"] for k, v in result["kinds"].items()} == dict(kinds)
    for key in TOP_KEYS - {"messages", "kinds"}:
        assert result[key] is None or 0 <= result[key] <= 1, key
    assert result["right"] + result["wrong"] + result["confirm_right"] <= 1
    # quality floors, well below what the subset measured at stop 18 (right 24 of 29, wrong 0,
    # small talk 5 of 5): a regression in entities, small talk or confidence fails here
    assert result["right"] >= 0.7 and result["wrong"] <= 0.1, result
    assert result["chitchat_ok"] == 1.0, result
    for kind in set(message_eval.SMALL_TALK_KINDS) & set(kinds):  # a chat ending in thanks keeps its article
        assert result["kinds"][kind]["suggest_empty"] == 1.0, (kind, result["kinds"][kind])
    records = [json.loads(line) for line in dump.read_text("utf-8").splitlines()]
    assert [r["id"] for r in records] == [m["id"] for m in subset]
    assert all(set(r) == DUMP_KEYS for r in records)
    assert all(isinstance(r["decision"], str) and r["decision"] for r in records)
