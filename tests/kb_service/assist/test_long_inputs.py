"""Every helper stays linear on 100k-character and pathological inputs (pasted logs, key mashing)."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Callable

import pytest

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
