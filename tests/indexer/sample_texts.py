"""Texts of the sample knowledge base (data/sample_kb), for tokenizer tests."""

from __future__ import annotations

import json
from pathlib import Path

SAMPLE_KB = Path(__file__).resolve().parents[2] / "data" / "sample_kb"

EXTRA = [
    "我的ThinkPad X1 Carbon開不了機，螢幕顯示藍屏代碼0x0000007B，請問怎麼辦？",
    "拯救者Y9000P开机报错2100: Detection error on HDD0，BIOS版本N3XET45W(1.30)",
    "CPU是i7-1360P，错误代码E-102，wi-fi连不上，小新Pro14电池不充电",
    "花呗怎么还款？借呗额度什么时候恢复？微粒贷能借多少钱",
]


def sample_texts() -> list[str]:
    """Every question, similar question, answer, title and body line of the sample KB."""
    texts = list(EXTRA)
    for path in sorted(SAMPLE_KB.glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            row = json.loads(line)
            texts += [row.get("question", ""), row.get("title", ""), *row.get("similar_questions", [])]
            texts += [*row.get("answer", "").splitlines(), *row.get("body", "").splitlines()]
    return [t for t in texts if t.strip()]
