"""Every helper stays linear on 100k-character and pathological inputs (pasted logs, key mashing)."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from kb_service.app import create_app
from kb_service.assist import (
    analyze_sentiment,
    compose_reply,
    is_failed_followup,
    mask_pii,
    pick_option,
    pick_steps,
    to_plain_text,
    wants_human,
)
from kb_service.assist.message import QUERY_BUDGET
from tests.conftest import Api, make_api
from tests.kb_service.conftest import sample_settings

SAMPLE = Path(__file__).resolve().parents[3] / "data" / "sample_kb"

N = 100_000
INPUTS = {
    "letters": "a" * N,
    "digits": "1" * N,
    "digit groups": "1234 " * (N // 5),
    "brackets": "[" * N,
    "backticks": "`a" * (N // 2),
    "at signs": "a@" * (N // 2),
    "stars": "*a" * (N // 2),
    "list lines": "1. 步骤\n   继续\n" * (N // 10),
    "realistic": "您好，我的订单号 AB12345678 还没发货，手机 13812345678，邮箱 x@y.com，怎么办？？\n"
    * (N // 50),
}
FUNCTIONS: dict[str, Callable[[str], object]] = {
    "analyze_sentiment": analyze_sentiment,
    "wants_human": wants_human,
    "is_failed_followup": is_failed_followup,
    "pick_option": lambda text: pick_option(text, ["保修期多久", "怎么查询订单"]),
    "mask_pii": mask_pii,
    "to_plain_text": to_plain_text,
    "pick_steps": lambda text: pick_steps(text, "订单没发货"),
    "compose_reply": lambda text: compose_reply(text, language="zh", channel="wechat", kind="faq"),
}


@pytest.mark.parametrize("name", list(FUNCTIONS))
def test_helpers_are_fast_on_huge_inputs(name: str) -> None:
    function = FUNCTIONS[name]
    for label, text in INPUTS.items():
        start = time.perf_counter()
        function(text)
        elapsed = time.perf_counter() - start
        assert elapsed < 1.0, f"{name} took {elapsed:.2f}s on {label}"


def test_package_imports_no_web_or_database_code() -> None:
    code = (
        "import sys, kb_service.assist\n"
        "print(sorted({'fastapi', 'sqlmodel', 'sqlalchemy'} & set(sys.modules)))"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"


# ---- a long message through the real app (sample KB, real encoder and index) ---------------------
ORDER_MAIL = (
    "尊敬的客户您好，您的订单已于5月3日发货，快递公司为顺丰速运，预计3天内送达。\n"
    "商品名称：笔记本电脑 2024款，数量1，实付5799元。收货地址：北京市海淀区上地十街10号。\n"
    "2024-05-03 10:21:35 WARN [pool-2] Connection retry 3/5 to 10.0.0.12:5432 timed out\n"
)


def _hidden(question: str, chars: int = 20_000) -> str:
    filler = (ORDER_MAIL * (chars // len(ORDER_MAIL) + 1))[: chars - len(question) - 1]
    return filler[: len(filler) // 3] + question + "\n" + filler[len(filler) // 3 :]


def _faq(external_id: str) -> dict[str, Any]:
    rows = [json.loads(line) for f in SAMPLE.glob("faq_zh_*.jsonl") for line in f.open(encoding="utf-8")]
    return next(r for r in rows if r["external_id"] == external_id)


def test_a_20000_character_answer_finds_the_faq_hidden_in_it(sample_api: Api) -> None:
    faq = _faq("faq-zh-r001")
    text = _hidden(faq["question"])
    assert len(text) == 20_000
    r = sample_api.client.post(
        "/v1/kbs/default/answer", json={"query": text}, headers=sample_api.headers("bot")
    )
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["decision"] == "answer" and body["answer"]["title"] == faq["question"], body
    assert body["degraded"] is False
    r = sample_api.client.post(
        "/v1/kbs/default/search", json={"query": text, "explain": True}, headers=sample_api.headers("agent")
    )
    assert r.status_code == 200, r.text
    assert r.json()["results"][0]["title"] == faq["question"]
    assert len(r.json()["explain"]["normalized_query"]) <= QUERY_BUDGET  # what was searched: the focus


def test_a_message_over_20000_characters_is_refused_with_the_field(sample_api: Api) -> None:
    for path, body in (("answer", {"query": "长" * 20_001}), ("search", {"query": "长" * 20_001})):
        r = sample_api.client.post(f"/v1/kbs/default/{path}", json=body, headers=sample_api.headers("agent"))
        assert r.status_code == 422 and "query" in r.text and "20000" in r.text, r.text


def test_a_dense_budget_of_0_ms_answers_from_bm25(sample_dir: Path) -> None:
    with TestClient(create_app(sample_settings(sample_dir, dense_budget_ms=0))) as client:
        api = make_api(client, sample_dir)
        faq = _faq("faq-zh-r001")
        r = client.post("/v1/kbs/default/answer", json={"query": faq["question"]}, headers=api.headers("bot"))
        assert r.status_code == 200 and r.json()["degraded"] is True, r.text
        r = client.post("/v1/kbs/default/search", json={"query": "开不了机"}, headers=api.headers("agent"))
        assert r.status_code == 200 and r.json()["degraded"] is True and r.json()["mode"] == "bm25"
        assert r.json()["results"], r.text


def test_pastes_take_the_long_message_lane(sample_api: Api) -> None:
    """Short messages go straight to the search slots; a paste waits for the lane's single slot first."""
    state = sample_api.client.app.state  # type: ignore[attr-defined]
    headers = sample_api.headers("bot")
    r = sample_api.client.post("/v1/kbs/default/answer", json={"query": "电脑开不了机"}, headers=headers)
    assert r.status_code == 200 and getattr(state, "long_message_lane", None) is None
    paste = {"query": _hidden("电脑开不了机")}
    r = sample_api.client.post("/v1/kbs/default/answer", json=paste, headers=headers)
    assert r.status_code == 200
    assert state.long_message_lane.total_tokens == 1 and state.long_message_lane.borrowed_tokens == 0
